"""Any EU VAT number, by its country prefix, with python-stdnum (``stdnum.eu.vat``).

The adapters that have no vectorised check (this one, ``nl``, ``lu``, ``de``, French TVA
numbers with letter keys) run once per distinct value: :func:`checked` gives the row's
compact number, status, reason and printed form. VIES writes EL for Greece.

>>> validate_vat("ATU13585627"), format_vat("ATU13585627")
('ATU13585627', 'ATU13585627')
>>> checked("EL094259216", validate_vat, format_vat)
('EL094259216', 'valid', None, 'EL094259216')
>>> checked("LU15027443", validate_vat, format_vat)
('LU15027443', 'invalid_checksum', 'invalid checksum', None)
>>> checked("XX123", validate_vat, format_vat)[1:3]
('invalid_format', 'one of the parts of the number are invalid or unknown')
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError

from .common import reason

# VIES uses EL for Greece; people type GR.
PREFIXES = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "XI",
]


def prefixed(cc: str, number: str) -> str:
    """*number* with its country prefix (stdnum's national modules drop it)."""
    return number if number.startswith(cc) else cc + number


def validate_vat(number: str) -> str:
    """The compact VAT number with its prefix, or the exception whose message is the reason."""
    return eu_vat.validate(number)


def format_vat(number: str) -> str:
    """The layout of the country's stdnum module where it has one, else the compact number."""
    from stdnum.util import get_cc_module

    cc = number[:2]
    module = get_cc_module("gr" if cc == "EL" else cc.lower(), "vat")
    try:
        formatted = module.format(number) if hasattr(module, "format") else number
    except Exception:  # a module's format() may be stricter than its validate()
        formatted = number
    return formatted if formatted.upper().startswith(cc) else cc + formatted


def checked(
    number: str, validate: Callable[[str], str], format: Callable[[str], str]
) -> tuple[str | None, str, str | None, str | None]:
    """(compact, status, reason, formatted) of one VAT number with its prefix."""
    try:
        compact = validate(number)
    except InvalidChecksum:
        return number, "invalid_checksum", "invalid checksum", None
    except ValidationError as exc:
        return number, "invalid_format", reason(exc), None
    return compact, "valid", None, format(compact)
