"""The register's date formats, by language (``FORMAT_MODULE_PATH``).

Staff type dates day first, the way Indonesian letters write them, whatever language they read
the site in: ``10/06/2024`` is 10 June 2024 in English too. Django's English formats would take
it as 6 October (month first, as in the United States), and its Indonesian ones fall back to month
first where day first fails (``06/25/2024``). Here every language reads a typed date as ISO
(``2024-06-10``) or day first, never month first; the first format is how a form shows a date and
how the admin's calendar writes the one picked.
"""

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 10/06/2024
    "%Y-%m-%d",  # 2024-06-10
    "%d-%m-%Y",  # 10-06-2024
    "%d/%m/%y",  # 10/06/24
    "%d-%m-%y",  # 10-06-24
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H.%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H.%M",
]
