"""Belgian enterprise and VAT numbers: people's formats, reasons, and agreement with stdnum."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.be import vat as be_vat

from enrich.identifiers import be, clean_one
from enrich.identifiers.common import verdict


@pytest.mark.parametrize(
    "typed,country",
    [
        ("BE 0403.170.701", None),
        ("BE0403170701", None),
        ("BE403170701", None),
        ("be 0403 170 701", None),
        ("0403.170.701", "BE"),
        ("403170701", "BE"),
        ("TVA: BE 0403.170.701", None),
        ("BTW BE0403-170-701", None),
    ],
)
def test_belgian_vat_formats_people_type(typed, country):
    r = clean_one(vat=typed, country=country)
    assert (
        r["vat"],
        r["vat_formatted"],
        r["enterprise_number"],
        r["id_status"],
        r["id_country"],
    ) == ("BE0403170701", "BE 0403.170.701", "0403170701", "valid", "BE")


def test_real_belgian_numbers_and_the_1_series():
    for number in ("0200.065.765", "0417.497.106", "1001.234.592"):
        assert clean_one(enterprise_number=number)["id_status"] == "valid", number
        assert be.validate(number) == number.replace(".", "")


@pytest.mark.parametrize(
    "number,status,reason",
    [
        ("0403170701", "valid", None),
        ("0403170702", "invalid_checksum", "invalid checksum"),
        ("04031707O1", "invalid_format", "not only digits"),
        ("04031707", "invalid_format", "invalid length"),
        ("2000000339", "invalid_format", be.ESTABLISHMENT),
        ("9403170701", "invalid_format", "invalid first digit"),
    ],
)
def test_validate_reasons(number, status, reason):
    assert verdict(be.validate, number) == (status, reason)
    assert clean_one(enterprise_number=number)["id_reason"] == (
        None if reason is None else f"enterprise_number: {reason}"
    )


def test_wrong_check_digits_and_establishment_numbers():
    assert clean_one(vat="BE 0403.170.702")["id_status"] == "invalid_checksum"
    r = clean_one(enterprise_number="2.000.000.339")
    assert r["id_status"] == "invalid_format" and "establishment unit number" in r["id_reason"]


@settings(max_examples=300, deadline=None)
@given(numbers=st.lists(st.from_regex(r"[0-9A]{8,11}", fullmatch=True), min_size=1, max_size=20))
def test_vectorised_check_agrees_with_validate(numbers, vectorised_agrees):
    vectorised_agrees(be.check, be.validate, numbers)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[01]\d{9}", fullmatch=True))
def test_vectorised_belgian_check_agrees_with_stdnum(number):
    ours = clean_one(vat="BE" + number)["id_status"]
    assert (ours == "valid") == (be_vat.is_valid(number) and number[0] in "01")
