"""Luxembourg VAT numbers (TVA, ``LU`` + 8 digits, the last two a mod 89 check) through
python-stdnum (``stdnum.lu.tva``) once per distinct value.

>>> validate_vat("LU 150 274 42"), format_vat("LU15027442")
('LU15027442', 'LU15027442')
>>> verdict(validate_vat, "LU15027443"), verdict(validate_vat, "LU1502744")
(('invalid_checksum', 'invalid checksum'), ('invalid_format', 'the number has an invalid length'))
"""

from __future__ import annotations

from stdnum.lu import tva

from . import eu
from .common import verdict  # noqa: F401 (doctests)


def validate_vat(number: str) -> str:
    """'LU' and the compact number, or the exception whose message is the reason."""
    return eu.prefixed("LU", tva.validate(number))


def format_vat(number: str) -> str:
    """stdnum has no Luxembourg layout: the compact number."""
    return eu.format_vat(number)
