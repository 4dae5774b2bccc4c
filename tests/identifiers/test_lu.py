"""Luxembourg VAT numbers through stdnum."""

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.eu import vat as eu_vat

from enrich.identifiers import clean_one, eu, lu
from enrich.identifiers.common import verdict


def test_in_clean():
    assert clean_one(vat="LU15027442")["id_status"] == "valid"
    r = clean_one(vat="LU 150 274 43")
    assert (r["id_status"], r["id_reason"]) == ("invalid_checksum", "vat: invalid checksum")


def test_validate_reasons():
    assert verdict(lu.validate_vat, "LU15027442") == ("valid", None)
    assert verdict(lu.validate_vat, "LU1502744") == (
        "invalid_format",
        "the number has an invalid length",
    )


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"LU[0-9A]{7,9}", fullmatch=True))
def test_agrees_with_stdnum_eu_vat(number):
    assert eu.checked(number, lu.validate_vat, lu.format_vat) == eu.checked(
        number, eu_vat.validate, eu.format_vat
    )
