"""Belgian enterprise number (KBO/BCE) and VAT number (BTW/TVA): the same ten digits.

The enterprise number has 10 digits and starts with 0 or 1 (2-8: an establishment unit's
number); its last two digits are 97 - (the first eight mod 97). The VAT number is ``BE``
and the enterprise number; the old 9-digit numbers take a leading 0.

>>> compact("BE 0403.170.701"), compact("403170701")
('0403170701', '0403170701')
>>> validate("0403.170.701"), format_vat("403170701"), validate_vat("BE403170701")
('0403170701', 'BE 0403.170.701', 'BE0403170701')
>>> validate("0403.170.702")
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: invalid checksum
>>> verdict(validate, "2.000.000.339")
('invalid_format', 'an establishment unit number, not an enterprise number')
>>> verdict(validate, "0403.170"), verdict(validate, "0403A70701")
(('invalid_format', 'invalid length'), ('invalid_format', 'not only digits'))
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from .common import compact_one, number, only_digits, verdict  # noqa: F401 (verdict: doctests)

VAT_GIVES = ("enterprise_number",)  # what check_vat adds for a valid one
ESTABLISHMENT = "an establishment unit number, not an enterprise number"


def compact(number: str) -> str:
    """The ten digits: prefix and separators removed, a 9-digit number 0-padded."""
    number = re.sub(r"^BE", "", compact_one(number))
    return "0" + number if re.fullmatch(r"[0-9]{9}", number) else number


def validate(number: str) -> str:
    """The compact number, or the exception whose message is the reason."""
    number = compact(number)
    if not only_digits(number):
        raise InvalidFormat("not only digits")
    if len(number) != 10:
        raise InvalidLength("invalid length")
    if number[0] not in "01":
        raise InvalidComponent("invalid first digit" if number[0] == "9" else ESTABLISHMENT)
    if 97 - int(number[:8]) % 97 != int(number[8:]):
        raise InvalidChecksum("invalid checksum")
    return number


def validate_vat(number: str) -> str:
    """'BE' and the compact number, or the exception whose message is the reason."""
    return "BE" + validate(number)


def format_vat(number: str) -> str:
    """The VAT number as printed: 'BE 0403.170.701'."""
    n = compact(number)
    return f"BE {n[:4]}.{n[4:7]}.{n[7:]}"


def mod97_int(n: pl.Expr) -> pl.Expr:
    """Belgian check on the integer of 9 or 10 digits: 97 - first8 % 97 == last2."""
    return 97 - (n // 100) % 97 == n % 100


def mod97_ok(s: pl.Expr) -> pl.Expr:
    """Belgian enterprise number check on 10 digits: 97 - first8 % 97 == last2."""
    return mod97_int(number(s))


def check(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`validate` over column *src* (digits, no prefix): ``{out}_value`` (ten digits),
    ``{out}_status``, ``{out}_reason``. Staged so each step reads columns."""
    n, st, ten, d0 = f"{out}_value", f"{out}_status", f"{out}_ten", f"{out}_d0"
    frame = frame.with_columns(
        pl.when(pl.col(src).str.contains(r"^[0-9]{9}$"))
        .then(pl.lit("0") + pl.col(src))
        .otherwise(pl.col(src))
        .alias(n)
    )
    frame = frame.with_columns(
        pl.col(n).str.contains(r"^[0-9]{10}$").alias(ten), pl.col(n).str.slice(0, 1).alias(d0)
    )
    frame = frame.with_columns(
        pl.when(~pl.col(ten) | ~pl.col(d0).is_in(["0", "1"]))
        .then(pl.lit("invalid_format"))
        .when(mod97_ok(pl.col(n)))
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias(st)
    )
    return frame.with_columns(
        pl.when(pl.col(st) == "valid")
        .then(None)
        .when(~pl.col(n).str.contains(r"^[0-9]+$"))
        .then(pl.lit("not only digits"))
        .when(~pl.col(ten))
        .then(pl.lit("invalid length"))
        .when(pl.col(d0) != "9")
        .then(
            pl.when(pl.col(d0).is_in(["0", "1"]))
            .then(pl.lit("invalid checksum"))
            .otherwise(pl.lit(ESTABLISHMENT))
        )
        .otherwise(pl.lit("invalid first digit"))
        .alias(f"{out}_reason")
    ).drop(ten, d0)


def check_enterprise_number(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`check` of the enterprise number column (typed with or without 'BE')."""
    frame = frame.with_columns(pl.col(src).str.replace(r"^BE", "").alias(f"{out}_digits"))
    return check(frame, f"{out}_digits", out)


def check_vat(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`check` of a VAT number without its prefix; also ``{out}_formatted`` and
    ``{out}_enterprise_number`` (the enterprise number a valid one gives)."""
    frame = check(frame, src, f"{out}_be")
    n, ok = pl.col(f"{out}_be_value"), pl.col(f"{out}_be_status") == "valid"
    printed = pl.lit("BE ") + n.str.slice(0, 4) + "." + n.str.slice(4, 3) + "." + n.str.slice(7, 3)
    return frame.with_columns(
        (pl.lit("BE") + n).alias(f"{out}_value"),
        pl.col(f"{out}_be_status").alias(f"{out}_status"),
        pl.col(f"{out}_be_reason").alias(f"{out}_reason"),
        pl.when(ok).then(printed).alias(f"{out}_formatted"),
        pl.when(ok).then(n).alias(f"{out}_enterprise_number"),
    )
