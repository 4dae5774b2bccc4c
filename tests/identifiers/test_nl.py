"""Dutch BTW (through stdnum) and KVK (shape) numbers."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.eu import vat as eu_vat

from enrich.identifiers import clean_one, eu, nl
from enrich.identifiers.common import verdict


def test_btw_and_kvk_in_clean():
    r = clean_one(vat="NL004495445B01")
    assert (r["id_status"], r["id_country"], r["vat_formatted"]) == (
        "valid",
        "NL",
        "NL004495445B01",
    )
    assert clean_one(kvk="12345678")["id_status"] == "valid"
    assert clean_one(kvk="12345678")["id_country"] == "NL"
    assert clean_one(kvk="1234")["id_status"] == "invalid_format"


@pytest.mark.parametrize(
    "validate,number,status,reason",
    [
        (nl.validate_vat, "NL004495445B01", "valid", None),
        (nl.validate_vat, "NL004495446B01", "invalid_checksum", "invalid checksum"),
        (nl.validate_vat, "NL004495445C01", "invalid_format", "the number has an invalid format"),
        (nl.validate_kvk, "12345678", "valid", None),
        (nl.validate_kvk, "1234", "invalid_format", "invalid format (needs 8 digits)"),
        (nl.validate_kvk, "1234567A", "invalid_format", "invalid format (needs 8 digits)"),
    ],
)
def test_validate_reasons(validate, number, status, reason):
    assert verdict(validate, number) == (status, reason)


@settings(max_examples=100, deadline=None)
@given(numbers=st.lists(st.from_regex(r"[0-9A]{6,9}", fullmatch=True), min_size=1, max_size=20))
def test_vectorised_kvk_agrees_with_validate(numbers, vectorised_agrees):
    vectorised_agrees(nl.check_kvk, nl.validate_kvk, numbers)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"NL[0-9]{9}B[0-9]{2}|NL[0-9B]{8,13}", fullmatch=True))
def test_btw_agrees_with_stdnum_eu_vat(number):
    assert eu.checked(number, nl.validate_vat, nl.format_vat) == eu.checked(
        number, eu_vat.validate, eu.format_vat
    )
