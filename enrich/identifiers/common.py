"""What every identifier adapter shares: placeholders, the compact form, Luhn, reasons.

An adapter's ``validate`` raises a ``stdnum.exceptions.ValidationError`` whose message is
the reason written in ``id_reason``; :func:`verdict` turns that into (status, reason), the
pair its vectorised check writes for a whole column.

>>> compact_one("TVA: BE 0403.170.701"), compact_one("FR 40 (0)303-265-045")
('BE0403170701', 'FR40303265045')
>>> is_placeholder("N/A"), is_placeholder("en cours"), is_placeholder("-"), is_placeholder("12")
(True, True, True, False)
>>> is_placeholder("NC"), is_placeholder("000.000.000"), is_placeholder("000000001")
(True, True, False)
>>> from stdnum.exceptions import InvalidChecksum, InvalidLength
>>> def bad(number):
...     raise InvalidLength("invalid length") if len(number) != 2 else InvalidChecksum()
>>> verdict(bad, "123"), verdict(bad, "12"), verdict(str.upper, "ab")
(('invalid_format', 'invalid length'), ('invalid_checksum', 'invalid checksum'), ('valid', None))
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl
from stdnum.exceptions import InvalidChecksum, ValidationError

from ..normalise.text import fold_py, tidy

# A vectorised check: (frame, source column, output prefix) → the frame with
# ``{out}_value``, ``{out}_status`` and ``{out}_reason`` added (and what the number gives).
Check = Callable[[pl.LazyFrame, str, str], pl.LazyFrame]

# Typed instead of a number: treated as missing (and said so).
PLACEHOLDERS = [
    "n a",
    "na",
    "nvt",
    "n v t",
    "0",
    "00",
    "neant",
    "aucun",
    "aucune",
    "none",
    "null",
    "nil",
    "en cours",
    "in aanvraag",
    "pending",
    "x",
    "xx",
    "xxx",
    "non assujetti",
    "niet btw plichtig",
    "geen",
    "keine",
    "nicht vorhanden",
    "inconnu",
    "onbekend",
    "unknown",
    "tbc",
    "tbd",
    "?",
    "nc",  # non communiqué
    "non communique",
]
_PLACEHOLDER_KEYS = {p.replace(" ", "") for p in PLACEHOLDERS}
_LABEL = r"(?i)^(?:n°\s*)?(?:tva|btw|vat|ust-?id(?:nr)?\.?|mwst|n°|nr|no|num(?:ero)?|ondernemingsnummer|entreprise)\b[\s:.#°-]*"


def is_placeholder(value: str) -> bool:
    """'N/A', 'en cours', 'NC', '-', '0', '000 000 000' … typed where a number should be
    (separators do not count: what compacts to a placeholder is one; zeros alone pass the
    Luhn check but name no company)."""
    key = fold_py(value).replace(" ", "")
    return (
        key in _PLACEHOLDER_KEYS
        or re.fullmatch(r"0+", key) is not None
        or re.fullmatch(r"\s*[-?/.*]+\s*", value) is not None
    )


def compact(expr: pl.Expr) -> pl.Expr:
    """Upper case, labels and separators removed: 'TVA: BE 0403.170.701' → 'BE0403170701'."""
    s = tidy(expr).str.replace(_LABEL, "").str.to_uppercase()
    s = s.str.replace_all(r"\(0\)", "").str.replace_all(r"[\s.\-/,:_'’]", "")
    return pl.when(s == "").then(None).otherwise(s)


def compact_one(number: str) -> str:
    """:func:`compact` of one value (the adapters' ``compact`` start from it)."""
    return pl.select(compact(pl.lit(number, dtype=pl.String))).item() or ""


def number(s: pl.Expr) -> pl.Expr:
    """A string of digits as an integer (null if it is not one): the checks below are
    arithmetic on it, far cheaper than slicing strings."""
    return s.cast(pl.Int64, strict=False)


def digits_of(n: pl.Expr, length: int) -> list[pl.Expr]:
    """The *length* last digits of the integer *n*, the rightmost first."""
    return [(n // 10**i) % 10 for i in range(length)]


def luhn_digits(digits: list[pl.Expr]) -> pl.Expr:
    """Luhn check of *digits* (integer expressions, the rightmost first)."""
    total = pl.lit(0, dtype=pl.Int64)
    for i, d in enumerate(digits):
        total = total + (d if i % 2 == 0 else d * 2 - (d > 4).cast(pl.Int64) * 9)
    return (total % 10) == 0


def luhn_int(n: pl.Expr, length: int) -> pl.Expr:
    """Luhn check of the *length* last digits of the integer *n* (vectorised)."""
    return luhn_digits(digits_of(n, length))


def luhn_ok(s: pl.Expr, length: int) -> pl.Expr:
    """Luhn check of a string of exactly *length* digits (vectorised)."""
    return luhn_int(number(s), length)


def luhn_one(number: str) -> bool:
    """:func:`luhn_ok` of one string of digits."""
    digits = [int(d) for d in reversed(number)]
    return (
        sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits)) % 10
        == 0
    )


def only_digits(number: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts '²' and other scripts' digits)."""
    return re.fullmatch(r"[0-9]+", number) is not None


def verdict(validate: Callable[[str], str], number: str) -> tuple[str, str | None]:
    """(status, reason) of *number* under an adapter's ``validate``."""
    try:
        validate(number)
    except InvalidChecksum:
        return "invalid_checksum", "invalid checksum"
    except ValidationError as exc:
        return "invalid_format", reason(exc)
    return "valid", None


def reason(exc: ValidationError) -> str:
    """The reason a stdnum exception gives, as ``id_reason`` writes it."""
    return str(exc).lower().rstrip(".") or "invalid format"
