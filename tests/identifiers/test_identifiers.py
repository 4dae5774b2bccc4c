"""The table drives clean: registered identifiers, status precedence, conflicts, placeholders."""

import dataclasses

import polars as pl

from enrich import identifiers, schema
from enrich.identifiers import IDENTIFIERS, INPUTS, OUTPUTS, Identifier, clean, clean_one


def test_every_registered_identifier_is_an_input_and_an_output():
    fields = [i.field for i in IDENTIFIERS]
    assert (*fields, "country", "default_country", "postcode", "phone") == INPUTS
    assert [c for c in OUTPUTS if c in fields] == fields
    assert "vat_formatted" in OUTPUTS and OUTPUTS[-3:] == ("id_country", "id_status", "id_reason")
    assert list(clean(pl.DataFrame({"vat": ["x"]})).columns) == [*OUTPUTS, "issues"]
    start = schema.OUTPUT_COLUMNS.index(OUTPUTS[0])
    assert schema.OUTPUT_COLUMNS[start : start + len(OUTPUTS)] == list(OUTPUTS)
    assert all(f in schema.INPUT_COLUMNS for f in fields)


def _rcs(frame, src, out):
    """A made-up adapter: valid when it starts with B."""
    ok = pl.col(src).str.starts_with("B")
    return frame.with_columns(
        pl.col(src).alias(f"{out}_value"),
        pl.when(ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_format"))
        .alias(f"{out}_status"),
        pl.when(~ok).then(pl.lit("not a B number")).alias(f"{out}_reason"),
    )


def test_a_new_table_entry_is_checked_by_clean(monkeypatch):
    rcs = Identifier("rcs", "Luxembourg RCS", _rcs, country="LU")
    monkeypatch.setattr(identifiers, "IDENTIFIERS", (*IDENTIFIERS, rcs))
    r = clean(pl.DataFrame({"rcs": ["B 12345", "A1", "n/a"]}))
    assert r["rcs"].to_list() == ["B12345", "A1", None]
    assert r["id_status"].to_list() == ["valid", "invalid_format", "missing"]
    assert r["id_reason"].to_list() == [None, "rcs: not a B number", None]
    assert r["id_country"].to_list() == ["LU", None, None]
    assert r["issues"].to_list() == [None, None, "rcs: placeholder treated as missing"]


def test_an_entry_s_check_is_the_one_used(monkeypatch):
    swapped = [dataclasses.replace(i, check=_rcs) if i.field == "kvk" else i for i in IDENTIFIERS]
    monkeypatch.setattr(identifiers, "IDENTIFIERS", tuple(swapped))
    assert clean_one(kvk="12345678")["id_reason"] == "kvk: not a B number"


def test_conflicts_between_valid_numbers():
    r = clean_one(vat="BE0403170701", enterprise_number="0417.497.106")
    assert r["id_status"] == "conflict" and "enterprise number differ" in r["id_reason"]
    assert r["enterprise_number"] == "0417497106"  # its own column is trusted first
    r = clean_one(vat="FR 40 303265045", siret="732 829 320 00074")
    assert (r["siren"], r["id_status"], r["id_country"]) == ("732829320", "conflict", "FR")
    assert r["id_reason"] == "conflict: SIREN, SIRET and FR TVA name different companies"


def test_the_first_invalid_field_sets_the_status():
    r = clean_one(vat="BE0403170702", siren="55212022", kvk="1")
    assert r["id_status"] == "invalid_checksum"
    assert r["id_reason"] == (
        "vat: invalid checksum; siren: invalid length (needs 9 digits); "
        "kvk: invalid format (needs 8 digits)"
    )


def test_missing_and_placeholders():
    assert clean_one()["id_status"] == "missing"
    r = clean_one(vat="en cours")
    assert r["id_status"] == "missing" and r["issues"] == "vat: placeholder treated as missing"
    assert clean_one(siren="0 0", kvk="-")["issues"] == (
        "siren: placeholder treated as missing; kvk: placeholder treated as missing"
    )


def test_numbers_mangled_by_a_spreadsheet_are_named_as_such():
    r = clean_one(vat="4,03171E+11", country="BE")
    assert r["id_status"] == "invalid_format"
    assert (
        r["id_reason"]
        == "vat: turned into a number in scientific notation by a spreadsheet (digits lost)"
    )
