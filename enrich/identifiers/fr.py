"""French SIREN (company, 9 digits), SIRET (establishment, 14) and TVA (VAT) numbers.

SIREN and SIRET carry a Luhn check digit (the SIRET also carries its SIREN); La Poste's
establishments (SIREN 356000000) use a digit sum divisible by 5 instead. The TVA number is
``FR``, a two-digit key (12 + 3 × SIREN mod 97) mod 97, and the SIREN; TVA numbers with
letter keys go through stdnum (``eu``).

>>> validate_siren("552 120 222"), validate_siret("552 120 222 00013")
('552120222', '55212022200013')
>>> verdict(validate_siren, "552 120 223"), verdict(validate_siret, "5521202220001")
(('invalid_checksum', 'invalid checksum'), ('invalid_format', 'invalid length (needs 14 digits)'))
>>> validate_siret("35600000049837")  # La Poste: digit sum % 5
'35600000049837'
>>> validate_vat("FR 40 303265045"), format_vat("FR40303265045")
('FR40303265045', 'FR 40 303 265 045')
>>> verdict(validate_vat, "FR41303265045"), verdict(validate_vat, "FR4030326504")
(('invalid_checksum', 'invalid checksum'), ('invalid_format', 'the number has an invalid length'))
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from . import eu
from .common import (  # noqa: F401 (verdict: doctests)
    compact_one,
    digits_of,
    luhn_digits,
    luhn_ok,
    luhn_one,
    number,
    only_digits,
    verdict,
)

VAT_GIVES = ("siren",)  # what check_vat adds for a valid one
LA_POSTE, LA_POSTE_HEAD_OFFICE = "356000000", "35600000000048"


def compact(number: str) -> str:
    """Separators (and a 'FR' prefix) removed: '732 829 320 00074' → '73282932000074'."""
    return re.sub(r"^FR", "", compact_one(number))


def _validate_digits(number: str, length: int) -> str:
    if not only_digits(number):
        raise InvalidFormat("not only digits")
    if len(number) != length:
        raise InvalidLength(f"invalid length (needs {length} digits)")
    return number


def validate_siren(number: str) -> str:
    """The compact SIREN, or the exception whose message is the reason."""
    number = _validate_digits(compact(number), 9)
    if not luhn_one(number):
        raise InvalidChecksum("invalid checksum")
    return number


def validate_siret(number: str) -> str:
    """The compact SIRET, or the exception whose message is the reason."""
    number = _validate_digits(compact(number), 14)
    if number.startswith(LA_POSTE) and number != LA_POSTE_HEAD_OFFICE:
        ok = sum(int(d) for d in number) % 5 == 0
    else:
        ok = luhn_one(number) and luhn_one(number[:9])
    if not ok:
        raise InvalidChecksum("invalid checksum")
    return number


def validate_vat(number: str) -> str:
    """The compact TVA number with its prefix, or the exception whose message is the reason
    (a letter key is checked by stdnum, as ``eu`` does)."""
    number = compact(number)
    if not re.fullmatch(r"[0-9]{11}", number):
        return eu.validate_vat("FR" + number)
    validate_siren(number[2:])
    if (12 + 3 * (int(number[2:]) % 97)) % 97 != int(number[:2]):
        raise InvalidChecksum("invalid checksum")
    return "FR" + number


def format_vat(number: str) -> str:
    """'FR 40 303 265 045' (a letter key: as ``eu`` prints it)."""
    n = compact(number)
    if not re.fullmatch(r"[0-9]{11}", n):
        return eu.format_vat("FR" + n)
    return f"FR {n[:2]} {n[2:5]} {n[5:8]} {n[8:]}"


def _luhn_check(frame: pl.LazyFrame, src: str, out: str, length: int, ok: pl.Expr):
    """``{out}_status`` and ``{out}_reason`` of *length* digits in *src* checked by *ok*."""
    s, shaped, st = pl.col(src), f"{out}_shaped", f"{out}_status"
    frame = frame.with_columns(s.str.contains(rf"^[0-9]{{{length}}}$").alias(shaped))
    frame = frame.with_columns(
        pl.when(~pl.col(shaped))
        .then(pl.lit("invalid_format"))
        .when(ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias(st)
    )
    return frame.with_columns(
        pl.col(src).alias(f"{out}_value"),
        pl.when(pl.col(st) == "invalid_checksum")
        .then(pl.lit("invalid checksum"))
        .when(pl.col(st) == "invalid_format")
        .then(
            pl.when(~s.str.contains(r"^[0-9]+$"))
            .then(pl.lit("not only digits"))
            .otherwise(pl.lit(f"invalid length (needs {length} digits)"))
        )
        .alias(f"{out}_reason"),
    ).drop(shaped)


def check_siren(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`validate_siren` over column *src*, vectorised."""
    return _luhn_check(frame, src, out, 9, luhn_ok(pl.col(src), 9))


def siret_digits(n: pl.Expr, digits: list[pl.Expr]) -> pl.Expr:
    """The SIRET check of the integer *n* and its 14 *digits* (rightmost first): Luhn of the
    14 and of the SIREN's 9; La Poste's establishments (all but the head office): their
    digit sum divisible by 5."""
    la_poste = (n // 10**5 == int(LA_POSTE)) & (n != int(LA_POSTE_HEAD_OFFICE))
    return (
        pl.when(la_poste)
        .then(pl.sum_horizontal(digits) % 5 == 0)
        .otherwise(luhn_digits(digits) & luhn_digits(digits[5:]))
    )


def tva_key_int(key: pl.Expr, siren: pl.Expr) -> pl.Expr:
    """The TVA key (12 + 3 × SIREN mod 97) mod 97 is *key* (both integers)."""
    return (12 + 3 * (siren % 97)) % 97 == key


def check_siret(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`validate_siret` over column *src*, vectorised; also ``{out}_siren`` (the
    SIREN a valid SIRET gives)."""
    s = pl.col(src)
    n = number(s)
    frame = _luhn_check(frame, src, out, 14, siret_digits(n, digits_of(n, 14)))
    valid = pl.col(f"{out}_status") == "valid"
    return frame.with_columns(pl.when(valid).then(s.str.slice(0, 9)).alias(f"{out}_siren"))


def check_vat(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """:func:`validate_vat` over column *src* (the number without 'FR'); ``{out}_value`` is
    null where it is not 11 digits (those go through ``eu``). Also ``{out}_formatted`` and
    ``{out}_siren`` (the SIREN a valid one gives)."""
    key, siren = pl.col(src).str.slice(0, 2), pl.col(src).str.slice(2)
    frame = frame.with_columns(key.alias(f"{out}_key"), siren.alias(f"{out}_digits"))
    frame = check_siren(frame, f"{out}_digits", f"{out}_sirencheck")
    key, siren = pl.col(f"{out}_key"), pl.col(f"{out}_digits")
    key_ok = tva_key_int(number(key), number(siren))
    siren_status = pl.col(f"{out}_sirencheck_status")
    frame = frame.with_columns(
        pl.when(siren_status != "valid")
        .then(siren_status)
        .when(key_ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias(f"{out}_checked")
    )
    eleven = pl.col(src).str.contains(r"^[0-9]{11}$")
    status, ok = pl.col(f"{out}_checked"), pl.col(f"{out}_checked") == "valid"
    printed = (
        pl.lit("FR ") + key + " " + siren.str.slice(0, 3) + " " + siren.str.slice(3, 3) + " "
    ) + siren.str.slice(6, 3)
    return frame.with_columns(
        pl.when(eleven).then(pl.lit("FR") + pl.col(src)).alias(f"{out}_value"),
        pl.when(eleven).then(status).alias(f"{out}_status"),
        pl.when(eleven & (status == "invalid_checksum"))
        .then(pl.lit("invalid checksum"))
        .alias(f"{out}_reason"),
        pl.when(eleven & ok).then(printed).alias(f"{out}_formatted"),
        pl.when(eleven & ok).then(siren).alias(f"{out}_siren"),
    )
