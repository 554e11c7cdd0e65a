# Typed dates: ISO or day first, never month first, as in every language (``coopdb.formats``).
from coopdb.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401

# Dates as Indonesian letters and reports write them: the month in full ("3 Mei 2018",
# "11 Agustus 2026"), where Django's own abbreviate some months and not others ("15 Jan. 2024",
# "24 April 2026"); hours with two digits ("09.05"). Django's formats hold for everything else.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
