# Typed dates: ISO or day first, never month first, as in every language (``coopdb.formats``).
from coopdb.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401

# As in Indonesian (``coopdb/formats/id``): the month in full, day first ("3 May 2018"), where
# Django's own abbreviate some months and not others ("Jan. 15, 2024", "April 24, 2026").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
