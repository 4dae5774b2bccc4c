"""Dutch VAT (BTW-id, ``NL`` + 9 digits + ``B`` + 2 digits) and KVK (Chamber of Commerce,
8 digits) numbers. The BTW number goes through python-stdnum (``stdnum.nl.btw``) once per
distinct value; the KVK number is checked for its shape only (it has no check digit).

>>> validate_vat("NL 0044.95.445.B01"), format_vat("NL004495445B01")
('NL004495445B01', 'NL004495445B01')
>>> verdict(validate_vat, "NL004495446B01")
('invalid_checksum', 'invalid checksum')
>>> validate_kvk("1234 5678"), verdict(validate_kvk, "1234")
('12345678', ('invalid_format', 'invalid format (needs 8 digits)'))
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.exceptions import InvalidFormat
from stdnum.nl import btw

from . import eu
from .common import compact_one, verdict  # noqa: F401 (verdict: doctests)

KVK_FORMAT = "invalid format (needs 8 digits)"


def validate_vat(number: str) -> str:
    """'NL' and the compact BTW number, or the exception whose message is the reason."""
    return eu.prefixed("NL", btw.validate(number))


def format_vat(number: str) -> str:
    """stdnum has no Dutch layout: the compact number."""
    return eu.format_vat(number)


def validate_kvk(number: str) -> str:
    """The compact KVK number, or the exception whose message is the reason."""
    number = compact_one(number)
    if not re.fullmatch(r"[0-9]{8}", number):
        raise InvalidFormat(KVK_FORMAT)
    return number


def check_kvk(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`validate_kvk` over column *src*, vectorised."""
    ok = pl.col(src).str.contains(r"^[0-9]{8}$")
    return frame.with_columns(
        pl.col(src).alias(f"{out}_value"),
        pl.when(ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_format"))
        .alias(f"{out}_status"),
        pl.when(~ok).then(pl.lit(KVK_FORMAT)).alias(f"{out}_reason"),
    )
