"""Identifiers on real public numbers, wrong check digits, and agreement with python-stdnum."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.be import vat as be_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from enrich.identifiers import clean, clean_one


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


def test_wrong_check_digits():
    assert clean_one(vat="BE 0403.170.702")["id_status"] == "invalid_checksum"
    assert clean_one(siren="552 120 223")["id_reason"] == "siren: invalid checksum"
    r = clean_one(siret="552 120 222 00014")
    assert (r["id_status"], r["id_reason"]) == ("invalid_checksum", "siret: invalid checksum")


def test_french_numbers_and_derivations():
    r = clean_one(vat="FR 40 303265045")
    assert (r["vat"], r["siren"], r["vat_formatted"], r["id_status"]) == (
        "FR40303265045",
        "303265045",
        "FR 40 303 265 045",
        "valid",
    )
    r = clean_one(siren="552 120 222", siret="552 120 222 00013", vat="FR27552120222")
    assert (r["siren"], r["siret"], r["id_status"]) == ("552120222", "55212022200013", "valid")
    assert clean_one(siret="35600000000048")["id_status"] == "valid"  # La Poste head office (Luhn)
    assert clean_one(siret="35600000049837")["id_status"] == "valid"  # La Poste rule: digit sum % 5


def test_conflicts_between_valid_numbers():
    r = clean_one(vat="BE0403170701", enterprise_number="0417.497.106")
    assert r["id_status"] == "conflict" and "enterprise number differ" in r["id_reason"]


def test_other_eu_countries_through_stdnum():
    assert clean_one(vat="NL004495445B01")["id_status"] == "valid"
    assert clean_one(vat="LU15027442")["id_status"] == "valid"
    assert clean_one(vat="LU15027443")["id_status"] == "invalid_checksum"
    assert clean_one(vat="DE136695976")["id_status"] == "valid"
    assert clean_one(vat="GR094259216")["vat"] == "EL094259216"
    assert clean_one(kvk="12345678")["id_status"] == "valid"
    assert clean_one(kvk="1234")["id_status"] == "invalid_format"


def test_missing_placeholders_and_establishment_numbers():
    assert clean_one()["id_status"] == "missing"
    r = clean_one(vat="en cours")
    assert r["id_status"] == "missing" and r["issues"] == "vat: placeholder treated as missing"
    r = clean_one(enterprise_number="2.000.000.339")
    assert r["id_status"] == "invalid_format" and "establishment unit number" in r["id_reason"]
    r = clean_one(vat="12345")
    assert r["id_status"] == "invalid_format" and "no country" in r["id_reason"]


def _stdnum_be(n: str) -> bool:
    return be_vat.is_valid(n) and n[0] in "01"


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[01]\d{9}", fullmatch=True))
def test_vectorised_belgian_check_agrees_with_stdnum(number):
    ours = clean(pl.DataFrame({"vat": ["BE" + number]}))["id_status"][0]
    assert (ours == "valid") == _stdnum_be(number)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\d{9}", fullmatch=True), st.from_regex(r"\d{5}", fullmatch=True))
def test_vectorised_french_checks_agree_with_stdnum(siren, nic):
    key = (12 + 3 * (int(siren) % 97)) % 97
    frame = pl.DataFrame({"siren": [siren], "siret": [None], "vat": [f"FR{key:02d}{siren}"]})
    assert (clean(frame)["id_status"][0] == "valid") == (
        fr_siren.is_valid(siren) and fr_tva.is_valid(f"FR{key:02d}{siren}")
    )
    r = clean(pl.DataFrame({"siret": [siren + nic]}))
    assert (r["id_status"][0] == "valid") == fr_siret.is_valid(siren + nic)


def test_numbers_mangled_by_a_spreadsheet_are_named_as_such():
    r = clean_one(vat="4,03171E+11", country="BE")
    assert r["id_status"] == "invalid_format"
    assert (
        r["id_reason"]
        == "vat: turned into a number in scientific notation by a spreadsheet (digits lost)"
    )
