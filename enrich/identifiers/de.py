"""German VAT numbers (USt-IdNr., ``DE`` + 9 digits, ISO 7064 mod 11, 10 check) through
python-stdnum (``stdnum.de.vat``) once per distinct value.

>>> validate_vat("DE 136 695 976"), format_vat("DE136695976")
('DE136695976', 'DE136695976')
>>> verdict(validate_vat, "DE136695978"), verdict(validate_vat, "DE13669597")
(('invalid_checksum', 'invalid checksum'), ('invalid_format', 'the number has an invalid length'))
"""

from __future__ import annotations

from stdnum.de import vat

from . import eu
from .common import verdict  # noqa: F401 (doctests)


def validate_vat(number: str) -> str:
    """'DE' and the compact number, or the exception whose message is the reason."""
    return eu.prefixed("DE", vat.validate(number))


def format_vat(number: str) -> str:
    """stdnum has no German layout: the compact number."""
    return eu.format_vat(number)
