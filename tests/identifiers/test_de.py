"""German VAT numbers through stdnum."""

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.eu import vat as eu_vat

from enrich.identifiers import clean_one, de, eu
from enrich.identifiers.common import verdict


def test_in_clean():
    r = clean_one(vat="DE 136 695 976")
    assert (r["vat"], r["vat_formatted"], r["id_status"], r["id_country"]) == (
        "DE136695976",
        "DE136695976",
        "valid",
        "DE",
    )


def test_validate_reasons():
    assert verdict(de.validate_vat, "DE136695978") == ("invalid_checksum", "invalid checksum")
    assert verdict(de.validate_vat, "DE13669597") == (
        "invalid_format",
        "the number has an invalid length",
    )


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"DE[0-9A]{8,10}", fullmatch=True))
def test_agrees_with_stdnum_eu_vat(number):
    assert eu.checked(number, de.validate_vat, de.format_vat) == eu.checked(
        number, eu_vat.validate, eu.format_vat
    )
