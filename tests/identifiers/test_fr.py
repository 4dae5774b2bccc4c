"""French SIREN, SIRET and TVA: reasons, derivations, and agreement with python-stdnum."""

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from enrich.identifiers import clean, clean_one, fr
from enrich.identifiers.common import verdict


def test_zeros_are_a_placeholder_not_a_company():
    r = clean_one(siren="000 000 000", vat="000000000", siret="00000000000000")
    assert (r["siren"], r["siret"], r["id_status"]) == (None, None, "missing")


def test_wrong_check_digits():
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


@pytest.mark.parametrize(
    "validate,number,status,reason",
    [
        (fr.validate_siren, "552120222", "valid", None),
        (fr.validate_siren, "552120223", "invalid_checksum", "invalid checksum"),
        (fr.validate_siren, "55212022", "invalid_format", "invalid length (needs 9 digits)"),
        (fr.validate_siren, "55212O222", "invalid_format", "not only digits"),
        (fr.validate_siret, "55212022200014", "invalid_checksum", "invalid checksum"),
        (fr.validate_siret, "552120222000", "invalid_format", "invalid length (needs 14 digits)"),
        (fr.validate_vat, "FR41303265045", "invalid_checksum", "invalid checksum"),
        (fr.validate_vat, "FR40303265046", "invalid_checksum", "invalid checksum"),
    ],
)
def test_validate_reasons(validate, number, status, reason):
    assert verdict(validate, number) == (status, reason)


def test_letter_keys_go_through_stdnum():
    assert fr.validate_vat("FR K7 399859412") == "FR" + fr_tva.validate("FRK7399859412")
    assert clean_one(vat="FRK7399859412")["vat_formatted"] == "FRK7399859412"


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(st.from_regex(r"[0-9O]{8,10}", fullmatch=True), min_size=1, max_size=20))
def test_vectorised_siren_agrees_with_validate(numbers, vectorised_agrees):
    vectorised_agrees(fr.check_siren, fr.validate_siren, numbers)


@settings(max_examples=200, deadline=None)
@given(
    numbers=st.lists(
        st.from_regex(r"(35600000|[0-9]{8})[0-9O]{5,7}", fullmatch=True), min_size=1, max_size=20
    )
)
def test_vectorised_siret_agrees_with_validate(numbers, vectorised_agrees):
    vectorised_agrees(fr.check_siret, fr.validate_siret, numbers)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.from_regex(r"[0-9]{5}", fullmatch=True))
def test_vectorised_french_checks_agree_with_stdnum(siren, nic):
    assume(int(siren) > 0)  # zeros alone pass Luhn for stdnum; we read them as a placeholder
    key = (12 + 3 * (int(siren) % 97)) % 97
    frame = pl.DataFrame({"siren": [siren], "siret": [None], "vat": [f"FR{key:02d}{siren}"]})
    assert (clean(frame)["id_status"][0] == "valid") == (
        fr_siren.is_valid(siren) and fr_tva.is_valid(f"FR{key:02d}{siren}")
    )
    r = clean(pl.DataFrame({"siret": [siren + nic]}))
    assert (r["id_status"][0] == "valid") == fr_siret.is_valid(siren + nic)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"FR[0-9]{11}", fullmatch=True))
def test_vectorised_tva_agrees_with_validate(number):
    r = clean_one(vat=number)
    assert (r["id_status"], r["id_reason"]) == tuple(
        None if x is None else (f"vat: {x}" if i else x)
        for i, x in enumerate(verdict(fr.validate_vat, number))
    )
