"""The currencies a budget may be recorded in: the codes of ISO 4217, as shipped in
``partners/data/currencies.csv`` (written by ``scripts/build_reference_data.py`` from
pycountry's ISO 4217 data, withdrawn codes kept for budgets recorded before;
``partners/data/SOURCES.md``).

Three capital letters are not yet a currency: "RUP" (a "Rupiah" cut short) or "ABC" stored as
one read, on the status page and in every download, as an amount in a currency of nowhere.
The file is read once per process."""

import csv
import functools
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "currencies.csv"


@functools.cache
def currency_codes():
    """The ISO 4217 codes (``IDR``, ``USD``, ``CNY`` …), as a frozenset."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def is_currency(code):
    """Whether ``code`` is the ISO 4217 code of a currency, exactly as written (capitals)."""
    return code in currency_codes()
