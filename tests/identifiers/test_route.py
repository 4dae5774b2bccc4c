"""Identifiers recognised wherever they are typed (``identifiers.route``): each trap of #18,
the ambiguous 9-digit numbers decided both ways by the row's evidence, and what each
column is reported to have held. Real check-digit numbers: BE 0403.170.701, SIREN
732829320 / 552120222, SIRET 73282932000074 / 55212022200013, NL004495445B01, DE136695976;
732806096 passes both the SIREN Luhn check and the Belgian mod 97 once 0-padded."""

import polars as pl
import pytest
from stdnum import luhn
from stdnum.be import vat as be_vat
from stdnum.de import vat as de_vat
from stdnum.fr import siren as fr_siren

from enrich.identifiers import clean, clean_one, held, keyed

BOTH = "732806096"  # a SIREN, and 0732.806.096 a Belgian number
DE_LUHN = "136696580"  # a German VAT number whose 9 digits also pass the SIREN Luhn check


def test_the_test_numbers_are_what_they_say():
    assert fr_siren.is_valid(BOTH) and be_vat.is_valid("BE0" + BOTH)
    assert de_vat.is_valid("DE" + DE_LUHN) and luhn.is_valid(DE_LUHN)
    assert not be_vat.is_valid("BE0732829320") and not fr_siren.is_valid("403170701")


def test_a_siret_in_the_vat_column_goes_to_siret_and_gives_its_siren():
    r = clean_one(vat="732 829 320 00074")
    assert (r["vat"], r["siret"], r["siren"]) == (None, "73282932000074", "732829320")
    assert (r["id_status"], r["id_country"]) == ("valid", "FR")
    assert r["issues"] == "siret: found in the vat column"


def test_a_siren_in_the_vat_column_even_in_a_belgian_majority_file():
    # the file's majority (default_country) never decides between FR and BE
    r = clean_one(vat="552 120 222", default_country="BE", postcode="13001")
    assert (r["vat"], r["siren"], r["id_status"]) == (None, "552120222", "valid")
    assert r["issues"] == "siren: found in the vat column"


def test_a_belgian_vat_number_in_the_siret_column():
    r = clean_one(siret="BE 0403.170.701")
    assert (r["vat"], r["enterprise_number"], r["siret"]) == ("BE0403170701", "0403170701", None)
    assert (r["id_status"], r["issues"]) == ("valid", "vat: found in the siret column")
    r = clean_one(siret="0403170701")  # the digits alone
    assert (r["enterprise_number"], r["issues"]) == (
        "0403170701",
        "enterprise_number: found in the siret column",
    )


def test_vat_numbers_of_several_countries_in_a_company_number_column():
    for typed, vat in [
        ("NL004495445B01", "NL004495445B01"),
        ("FR 40 303 265 045", "FR40303265045"),
        ("DE 136 695 976", "DE136695976"),
    ]:
        r = clean_one(enterprise_number=typed)
        assert (r["vat"], r["enterprise_number"], r["id_status"]) == (vat, None, "valid")
        assert r["issues"] == "vat: found in the enterprise_number column"
    r = clean_one(enterprise_number="BE 0403.170.701")  # a Belgian one stays where it is
    assert (r["enterprise_number"], r["vat"], r["issues"]) == ("0403170701", None, None)


def test_unprefixed_numbers_get_the_prefix_of_their_kind_not_of_the_file():
    r = clean_one(vat="0403.170.701", default_country="FR")  # was read as FR: invalid
    assert (r["vat"], r["id_status"]) == ("BE0403170701", "valid")
    r = clean_one(vat="40 303 265 045")  # a FR TVA without its FR, no country at all
    assert (r["vat"], r["siren"], r["issues"]) == ("FR40303265045", "303265045", None)
    r = clean_one(siret="40303265045")
    assert (r["vat"], r["issues"]) == ("FR40303265045", "vat: found in the siret column")


@pytest.mark.parametrize(
    "evidence,siren,enterprise_number",
    [
        ({"country": "FR"}, BOTH, None),
        ({"country": "BE"}, None, "0" + BOTH),
        ({"postcode": "75008"}, BOTH, None),
        ({"postcode": "1000"}, None, "0" + BOTH),
        ({"postcode": "B-4000"}, None, "0" + BOTH),
        ({"phone": "+33 1 42 68 53 00"}, BOTH, None),
        ({"phone": "0032 2 555 12 12"}, None, "0" + BOTH),
        ({"siret": "55212022200013"}, BOTH, None),  # another French identifier
        ({"vat": "BE0403170701"}, None, "0" + BOTH),  # a Belgian one
    ],
)
def test_a_number_valid_in_both_countries_is_decided_by_the_row(evidence, siren, enterprise_number):
    r = clean_one(enterprise_number=BOTH, **evidence)
    assert (r["siren"], r["enterprise_number"]) == (siren, enterprise_number)
    # the other identifier names another company: decided, then a conflict
    other = {"siret", "vat"} & set(evidence)
    assert r["id_status"] == ("conflict" if other else "valid")


def test_a_number_valid_in_both_countries_that_the_row_does_not_decide_is_ambiguous():
    for kwargs in ({}, {"default_country": "BE"}, {"default_country": "FR"}):
        r = clean_one(enterprise_number=BOTH, **kwargs)
        assert (r["enterprise_number"], r["siren"], r["id_country"]) == (None, None, None)
        assert r["id_status"] == "ambiguous"
        assert r["id_reason"] == (
            "enterprise_number: valid as a French SIREN and as a Belgian number; "
            "the row says neither"
        )
    assert clean_one(vat=BOTH)["id_status"] == "ambiguous"
    r = clean_one(siren=BOTH)  # its header says SIREN, nothing says otherwise
    assert (r["siren"], r["id_status"]) == (BOTH, "valid")
    r = clean_one(enterprise_number=BOTH, country="NL")  # the row says a third country
    assert (r["enterprise_number"], r["siren"], r["id_status"]) == (None, None, "ambiguous")


def test_a_siren_in_the_enterprise_number_column_is_never_a_belgian_company():
    # 732829320 fails the Belgian check: it is a SIREN, unless the row says Belgium
    r = clean_one(enterprise_number="732 829 320")
    assert (r["siren"], r["enterprise_number"], r["id_country"]) == ("732829320", None, "FR")
    r = clean_one(enterprise_number="732 829 320", postcode="1000")  # a Belgian typo
    assert (r["siren"], r["id_status"]) == (None, "invalid_checksum")


def test_a_row_s_own_country_holds_back_a_misplaced_number():
    r = clean_one(vat="73282932000074", country="BE")
    assert (r["siret"], r["vat"], r["id_status"]) == (None, "BE73282932000074", "invalid_format")
    r = clean_one(vat="552120222", country="BE")
    assert (r["siren"], r["id_status"]) == (None, "invalid_checksum")


def test_a_german_file_s_unprefixed_vat_numbers_are_not_sirens():
    r = clean_one(vat=DE_LUHN, default_country="DE", postcode="10115")
    assert (r["vat"], r["siren"], r["id_status"]) == ("DE" + DE_LUHN, None, "valid")
    r = clean_one(vat=DE_LUHN, default_country="DE", phone="+33 1 42 68 53 00")  # the row: FR
    assert (r["vat"], r["siren"]) == (None, DE_LUHN)


def test_kvk_numbers_only_where_the_row_says_nl():
    r = clean_one(vat="12345678", country="NL")
    assert (r["kvk"], r["issues"]) == ("12345678", "kvk: found in the vat column")
    assert clean_one(vat="12345678", postcode="1012 AB")["kvk"] == "12345678"
    r = clean_one(vat="12345678")
    assert (r["kvk"], r["id_status"]) == (None, "invalid_format")


def test_establishment_unit_numbers_are_not_routed():
    r = clean(pl.DataFrame({"vat": ["2.000.000.339"]}), report=True).row(0, named=True)
    assert (r["enterprise_number"], r["id_status"], r["held.vat"]) == (
        None,
        "invalid_format",
        "BE establishment unit",
    )
    r = clean_one(enterprise_number="2.000.000.339")
    assert (
        r["id_reason"]
        == "enterprise_number: an establishment unit number, not an enterprise number"
    )


def test_two_numbers_for_one_slot():
    r = clean_one(vat="55212022200013", siret="73282932000074")
    assert (r["siret"], r["siren"], r["id_status"]) == ("73282932000074", "732829320", "conflict")
    assert r["id_reason"] == "conflict: the vat column holds another siret"
    r = clean_one(vat="73282932000074", siret="73282932000074")  # the same one twice
    assert (r["siret"], r["id_status"]) == ("73282932000074", "valid")


def test_swapped_columns():
    r = clean_one(vat="73282932000074", siret="BE0403170701")
    assert (r["vat"], r["siret"], r["enterprise_number"], r["siren"], r["id_status"]) == (
        "BE0403170701",
        "73282932000074",
        "0403170701",
        "732829320",
        "valid",
    )


def test_values_in_their_own_column_behave_as_before():
    r = clean_one(vat="FR 40 303265045", siret="732 829 320 00074")
    assert (r["siren"], r["id_status"], r["issues"]) == ("732829320", "conflict", None)
    r = clean_one(vat="NL004495445B01", siren="552120222", kvk="12345678")
    assert (r["vat"], r["siren"], r["kvk"], r["issues"]) == (
        "NL004495445B01",
        "552120222",
        "12345678",
        None,
    )
    assert clean(pl.DataFrame({"vat": ["73282932000074"]}), routed=False)["id_status"][0] == (
        "invalid_format"
    )


def test_keyed_gives_the_same_answers_from_fewer_rows():
    postcodes = ["75008", "75001", "1000", "1050", "1012 AB", "L-1234", None, None, "ab"]
    phones = [None, "+32 2 555", None, "+33 1 42", None, None, "(+33) 6 12", "06 12", None]
    df = pl.DataFrame(
        {"enterprise_number": [BOTH] * 9, "postcode": postcodes, "phone": phones}
    ).with_columns(pl.lit(None, pl.String).alias("mobile"))
    assert keyed(df).select("postcode", "phone").n_unique() == 7
    assert clean(keyed(df)).equals(clean(df))
    # a bare postcode says less than a phone's calling code: the +32 wins over 75001
    out = clean(df)
    assert out["siren"].to_list() == [BOTH, None, None, BOTH, None, None, BOTH, None, None]
    assert out["enterprise_number"].to_list()[:3] == [None, "0" + BOTH, "0" + BOTH]
    assert out["id_status"].to_list()[4:] == ["ambiguous", "ambiguous", "valid"] + ["ambiguous"] * 2


def test_each_column_reports_what_it_held():
    df = pl.DataFrame(
        {
            "vat": ["BE0403170701", "73282932000074", "552120222", BOTH, "n/a", "12", None],
            "siret": ["55212022200013", None, None, None, "BE0403170701", None, None],
            "postcode": ["1000", "75008", "13001", None, None, None, None],
        }
    )
    out = clean(df, report=True)
    report = {c["column"]: c for c in held.counts(out, {"vat": "N° TVA", "siret": "SIRET"})}
    assert report["vat"] == {
        "column": "vat",
        "header": "N° TVA",
        "values": 6,
        "held": {
            "BE VAT": 1,
            "SIREN": 1,
            "SIRET": 1,
            "ambiguous": 1,
            "invalid": 1,
            "placeholder": 1,
        },
        "other_kind": 3,
    }
    assert report["siret"]["held"] == {"BE VAT": 1, "SIRET": 1}
    assert report["siret"]["other_kind"] == 1


def test_no_identifier_value_in_reasons_or_issues():
    typed = ["73282932000074", "55212022200013", BOTH, "0403170701", "NL004495445B01"]
    df = pl.DataFrame(
        {
            "vat": typed,
            "siret": ["73282932000074", "BE0403170701", None, "40303265045", "552120222"],
            "enterprise_number": [None, "732829320", BOTH, None, "2000000339"],
        }
    )
    out = clean(df, report=True)
    text = " ".join(
        str(v)
        for c in ("id_reason", "issues", "held.vat", "held.siret", "held.enterprise_number")
        for v in out[c].to_list()
    )
    typed = [v for col in df.columns for v in df[col].drop_nulls().to_list()]
    for value in typed:
        assert value not in text and value[-9:] not in text
