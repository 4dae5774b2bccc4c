"""`enrich check` and `enrich clean` give the same verdicts: the gate reads the phone, e-mail
and VAT verdicts, and the country they depend on, from clean's own functions. Proved value
for value on the shipped fixtures, on a file without a country column (where the gate once
said 0 % of the phones were valid and clean 98 %), and on generated mixed-country rows."""

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.check.run import Data, read_tables
from enrich.clean import clean_files, normalised, prepare
from enrich.identifiers import held

CHECKS = """
[[check]]
kind = "valid_phone_rate"
min = 0.9

[[check]]
kind = "valid_email_rate"
min = 0.9

[[check]]
kind = "valid_vat_rate"
min = 0.9
"""


def without_country(fixtures: Path, folder: Path) -> Path:
    """The French purchased list without its country column: national phone numbers
    (03 88 …) whose country only the rows' VAT numbers, postcodes and cities tell."""
    frame = pl.read_csv(
        fixtures / "purchased_list_fr.csv", separator=";", encoding="cp1252", infer_schema_length=0
    )
    path = folder / "purchased_no_country.csv"
    frame.drop("Pays").write_csv(path, separator=";")
    return path


def verdicts_of_check(path: Path) -> pl.DataFrame:
    """Per table and row, what the gate says of each phone, mobile, e-mail and VAT number."""
    out = []
    for table in read_tables(str(path)):
        data = Data(table, {})
        columns = {"source_file": pl.lit(table.name), "source_row": data.frame["source_row"]}
        for name in ("phone", "mobile"):
            if data.find(name):
                columns[f"{name}_status"] = data.phone_status(name)
        if data.find("email"):
            columns["email_status"] = data.email_status()
        if data.find("vat"):
            columns["vat"] = data.vat_status()
        out.append(data.frame.select(**columns))
    return pl.concat(out, how="diagonal_relaxed")


def verdicts_of_clean(path: Path) -> pl.DataFrame:
    """The same, from `enrich clean`: its output's statuses, and what its VAT column held."""
    result = clean_files([str(path)])
    frame = result.frame.select(
        "source_file", "source_row", "phone_status", "mobile_status", "email_status"
    )
    vat = []
    for table in read_tables(str(path)):
        prepared, _, _ = prepare(table, {})
        _, found = normalised(prepared)
        label = f"{held.PREFIX}vat"
        if label in found.columns:
            vat.append(
                prepared.select("source_file", "source_row").hstack(
                    found.select(held.vat_verdict(label).alias("vat"))
                )
            )
    return (
        frame.join(pl.concat(vat), on=["source_file", "source_row"], how="left") if vat else frame
    )


def assert_same(path: Path) -> pl.DataFrame:
    gate, tool = verdicts_of_check(path), verdicts_of_clean(path)
    keys = ["source_file", "source_row"]
    both = gate.join(tool, on=keys, how="inner", suffix="_clean")
    assert both.height == gate.height == tool.height
    compared = [c for c in gate.columns if c not in keys]
    for c in compared:
        if c == "vat":
            filled = both["vat"].is_not_null()  # the gate counts filled VAT cells only
            assert (
                both.filter(filled)["vat"].to_list() == both.filter(filled)["vat_clean"].to_list()
            )
        else:
            assert both[c].to_list() == both[f"{c}_clean"].to_list(), c
    return both


@pytest.mark.parametrize(
    "name", ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx", "no country"]
)
def test_check_and_clean_agree_on_every_value_of_the_fixtures(fixtures, tmp_path, name):
    path = without_country(fixtures, tmp_path) if name == "no country" else fixtures / name
    both = assert_same(path)
    assert both.height and (both["phone_status"] == "valid").sum() > 0


def test_a_file_without_a_country_column_gets_the_rates_clean_gets(run_cli, fixtures, tmp_path):
    """The 89.6 % / 100 % disagreement: the gate read a national number only with a typed
    country, where clean reads it with the country the row's VAT, postcode, city, phone or
    e-mail tell, else the file's majority. Now the rates are clean's."""
    path = without_country(fixtures, tmp_path)
    (tmp_path / "checks.toml").write_text(CHECKS, encoding="utf-8")
    result = run_cli("check", path, "--checks", tmp_path / "checks.toml", "--report-format", "json")
    rates = {r["kind"]: r for r in json.loads(result.stdout)["results"]}
    assert run_cli("clean", path, "-o", tmp_path / "clean.csv").exit_code == 0
    cleaned = pl.read_csv(tmp_path / "clean.csv", infer_schema_length=0)
    for kind, status in (
        ("valid_phone_rate", "phone_status"),
        ("valid_email_rate", "email_status"),
    ):
        filled = cleaned.filter(pl.col(status) != "missing")
        valid = (filled[status] == "valid").sum()
        assert rates[kind]["value"] == round(valid / filled.height, 4)
        assert rates[kind]["failing"] == filled.height - valid
    assert rates["valid_phone_rate"]["value"] > 0.95  # it was 0.0: no typed country


COUNTRIES = [None, "BE", "FR", "NL", "Belgique", "France", "Nederland"]
PHONES = [
    "0475 12 34 56",
    "02/512.34.56",
    "+32 2 512 34 56",
    "01 42 68 53 00",
    "0033 1 42 68 53 00",
    "06 12 34 56 78",
    "020 123 4567",
    "+31 6 12345678",
    "12345",
    "",
]
EMAILS = ["jan@bakkerij.be", "Jean.Dupont@Example.FR ", "x@", "info@drukkerij.nl", "a b@c.fr", ""]
VATS = [
    "BE 0403.170.701",
    "0403170701",
    "FR40303265045",
    "40303265045",
    "NL004495445B01",
    "BE0403170702",
    "73282932000074",
    "n/a",
    "",
]
ROW = st.tuples(
    st.sampled_from(COUNTRIES),
    st.sampled_from(PHONES),
    st.sampled_from(EMAILS),
    st.sampled_from(VATS),
    st.sampled_from(["", "1000", "75008", "1012 AB"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=12))
def test_check_and_clean_agree_on_generated_mixed_country_rows(rows):
    frame = pl.DataFrame(
        [[c or "" for c in row] for row in rows],
        schema=["Pays", "Téléphone", "E-mail", "N° TVA", "Code postal"],
        orient="row",
    ).with_columns(pl.lit("Bakkerij Peeters").alias("Raison sociale"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        frame.write_csv(path, separator=";")
        assert_same(path)
