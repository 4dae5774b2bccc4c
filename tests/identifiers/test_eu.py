"""Any other EU VAT number, through stdnum.eu.vat once per distinct value."""

from enrich.identifiers import clean_one, eu


def test_other_countries_and_greece():
    assert clean_one(vat="ATU13585627")["id_status"] == "valid"
    assert clean_one(vat="GR094259216")["vat"] == "EL094259216"
    assert clean_one(vat="094259216", country="GR")["vat"] == "EL094259216"


def test_checked_keeps_the_typed_number_when_invalid():
    assert eu.checked("ATU13585628", eu.validate_vat, eu.format_vat) == (
        "ATU13585628",
        "invalid_checksum",
        "invalid checksum",
        None,
    )
    compact, status, reason, formatted = eu.checked("ZZ123", eu.validate_vat, eu.format_vat)
    assert (compact, status, formatted) == ("ZZ123", "invalid_format", None)
    assert clean_one(vat="ZZ123")["id_reason"] == f"vat: {reason}"
