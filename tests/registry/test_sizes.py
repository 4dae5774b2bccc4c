"""Sizes: the EU SME class from staff and accounts figures, a size file (--size) keyed by
enterprise number, and the declared activity code as the registry's fallback."""

import json

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrich.errors import InputError
from enrich.registry.attach import attach
from enrich.registry.index import build
from enrich.registry.sizes import parse_amount, read_sizes
from enrich.registry.sme import sme_class
from tests.conftest import FIXTURES

SIZES = FIXTURES / "registry" / "comptes_annuels_be.csv"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("registry") / "index"
    build(
        out,
        kbo_zip=str(FIXTURES / "registry" / "KboOpenData_0140_2025_10_05_Full.zip"),
        sirene_units=str(FIXTURES / "registry" / "StockUniteLegale_utf8.zip"),
    )
    return out


@pytest.mark.parametrize(
    ("staff", "turnover", "balance", "expected"),
    [
        ((5, 5), None, None, "micro"),  # headcount alone
        ((5, 5), 1e6, None, "micro"),
        ((5, 5), 3e6, 1.5e6, "micro"),  # one financial ceiling is enough
        ((5, 5), 3e6, None, None),  # micro if its balance sheet is ≤ 2 M€, else small: undecided
        ((5, 5), 3e6, 3e6, "small"),
        ((20, 49), 60e6, 50e6, "large"),  # over both medium ceilings
        (
            (20, 49),
            60e6,
            40e6,
            "medium",
        ),  # small needs a figure ≤ 10 M€: neither; medium: balance sheet ≤ 43 M€
        ((101, None), None, None, None),  # "more than 100": medium or large
        ((300, 300), 1e6, 1e6, "large"),  # staff decides
        ((None, None), 1e6, 1e6, None),  # no staff figure: never invented
    ],
)
def test_the_sme_class_of_staff_and_accounts_figures(staff, turnover, balance, expected):
    frame = pl.DataFrame(
        {"low": [staff[0]], "high": [staff[1]], "t": [turnover], "b": [balance]},
        schema={"low": pl.Float64, "high": pl.Float64, "t": pl.Float64, "b": pl.Float64},
    )
    got = frame.select(sme_class(pl.col("low"), pl.col("high"), pl.col("t"), pl.col("b"))).item()
    assert got == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234.567,89", 1234567.89),
        ("1,234,567.89", 1234567.89),
        ("2 500 000 €", 2.5e6),
        ("2,5 M€", 2.5e6),
        ("850k", 850e3),
        ("46,2", 46.2),
        ("3", 3.0),
        ("EUR 43 mio", 43e6),
        ("1'250'000", 1.25e6),
        ("n/a", None),
        ("non communiqué", None),
        ("", None),
    ],
)
def test_amounts_as_people_type_them(text, value):
    assert parse_amount(text) == value


@given(
    st.integers(min_value=0, max_value=10**11),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([(".", ","), (",", "."), (" ", ",")]),
)
def test_an_amount_written_with_grouped_thousands_reads_back(units, cents, marks):
    group, decimal = marks
    text = f"{units:,}".replace(",", group) + f"{decimal}{cents:02d}"
    assert parse_amount(text) == pytest.approx(units + cents / 100)


def test_a_size_file_is_read_by_its_headers_latest_year_first():
    sizes, stats = read_sizes(
        str(SIZES)
    )  # ';', cp1252, French headers, dotted and BE-prefixed numbers
    by_id = {r["registry_id"]: r for r in sizes.to_dicts()}
    assert set(by_id) == {"0403170701", "0417497106", "0765432146", "1001234592"}
    desmet = by_id["0403170701"]
    assert (
        desmet["size_file_year"],
        desmet["staff_fte"],
        desmet["turnover_eur"],
        desmet["balance_sheet_eur"],
    ) == (2024, 46.2, 10.45e6, 8.1e6)
    assert by_id["0417497106"]["balance_sheet_eur"] is None
    assert stats["rows"] == 7 and stats["no_valid_key"] == [6]  # the checksum-invalid number
    assert stats["not_a_number"] == {"Travailleurs ETP": [7]}  # row numbers, never the value


def test_a_size_file_without_a_key_or_a_figure_is_refused(tmp_path):
    no_key = tmp_path / "no_key.csv"
    no_key.write_text("Nom;Effectif\nDe Smet;12\n", encoding="utf-8")
    with pytest.raises(InputError, match="no enterprise number, VAT number, SIREN or SIRET column"):
        read_sizes(str(no_key))
    no_figure = tmp_path / "no_figure.csv"
    no_figure.write_text("Ondernemingsnummer;Naam\n0403.170.701;De Smet\n", encoding="utf-8")
    with pytest.raises(InputError, match="no headcount, FTE, turnover or balance-sheet column"):
        read_sizes(str(no_figure))


def test_the_size_file_decides_first_then_the_registry_then_the_input(index):
    sizes, _ = read_sizes(str(SIZES))
    rows = pl.DataFrame(
        {
            "enterprise_number": [
                "0403170701",
                "0417497106",
                "0765432146",
                "0200065765",
                None,
                None,
            ],
            "siren": [None, None, None, None, "123456782", "100000009"],
            "employees_min": [250, 10, None, 1, 1, 3],
            "employees_max": [None, 19, None, 2, 2, 5],
        }
    )
    got = attach(rows, index, sizes=sizes)
    assert got["size_band"].to_list() == ["small", "small", "large", "micro", "small", "micro"]
    assert got["size_source"].to_list() == [
        "size file",
        "input",
        "size file",
        "input",
        "registry",
        "input",
    ]
    assert got["size_criteria"].to_list() == [
        "FTE, turnover, balance sheet",
        "declared headcount",
        "FTE, turnover, balance sheet",
        "declared headcount",
        "headcount",
        "declared headcount",
    ]
    assert got["size_year"].to_list() == [2024, None, 2024, None, 2023, None]
    assert (got["size_employees_min"].to_list()[:3], got["staff_fte"].to_list()[2]) == (
        [None, 10, None],
        310.4,
    )
    # Dupont's figures do not decide (8 FTE, 3.1 M€, no balance sheet): its own declared band does
    without_input = attach(
        rows.with_columns(
            pl.lit(None, pl.Int64).alias("employees_min"),
            pl.lit(None, pl.Int64).alias("employees_max"),
        ),
        index,
        sizes=sizes,
    )
    assert without_input["size_band"].to_list()[:2] == ["small", None]
    assert (
        without_input["size_reason"].to_list()[1]
        == "the size file's figures do not decide the class"
    )


def test_the_declared_activity_code_fills_in_where_the_registry_has_none(index):
    rows = pl.DataFrame(
        {
            "enterprise_number": ["0403170701", None, None, None, None],
            "siren": [None, None, None, None, None],
            "nace": [
                "62.01Z",
                "62.01Z",
                "47110",
                "99.98",
                "J",
            ],  # the registry wins for De Smet; 99.98 is no NACE class
        }
    )
    got = attach(rows, index)
    assert got["nace_source"].to_list() == ["registry", "input", "input", None, None]
    assert got["nace_class"].to_list() == ["11.05", "62.01", "47.11", None, None]
    assert got["nace_section"].to_list() == ["C", "J", "G", None, None]
    assert (
        got["nace_version"].to_list()[1:3] == ["2008", "2008"]
        and got["nace_label_lang"].to_list()[1] == "en"
    )
    assert got["nace_label"].to_list()[1] == "Computer programming activities"


def test_attach_and_master_with_a_size_file(run_cli, fixtures, index, tmp_path):
    out = tmp_path / "attached.csv"
    result = run_cli(
        "attach", fixtures / "crm_export.csv", "--registry", index, "--size", SIZES, "-o", out
    )
    assert result.exit_code == 0, result.output
    assert (
        "size file: 7 rows, 4 companies; no valid enterprise number or SIREN at rows 6; column 'Travailleurs ETP' not a usable number"
        in result.output
    )
    table = pl.read_csv(out, infer_schema=False)
    vdb = table.filter(pl.col("enterprise_number") == "0765432146")
    assert set(vdb["size_band"]) == {"large"} and set(vdb["size_source"]) == {"size file"}
    master = tmp_path / "master"
    result = run_cli(
        "master",
        *(fixtures / f for f in ("crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx")),
        "-o",
        master,
        "--registry",
        index,
        "--size",
        SIZES,
        "-q",
    )
    assert result.exit_code == 0, result.output
    companies = pl.read_csv(master / "companies.csv", infer_schema=False)
    desmet = companies.filter(pl.col("enterprise_number") == "0403170701").row(0, named=True)
    assert (desmet["size_band"], desmet["size_source"], desmet["size_year"]) == (
        "small",
        "size file",
        "2024",
    )
    run = json.loads((master / "run.json").read_text())["master"]["registry"]
    assert run["size_file"] == {
        "rows": 7,
        "companies": 4,
        "no_valid_key": 1,
        "not_a_number": {"Travailleurs ETP": 1},
    }
    assert run["size_source"]["size file"] >= 3


def test_size_without_registry_or_unreadable_is_a_usage_error(run_cli, fixtures, index, tmp_path):
    result = run_cli("master", fixtures / "crm_export.csv", "-o", tmp_path / "m", "--size", SIZES)
    assert result.exit_code == 2 and "--size goes with --registry" in result.output
    result = run_cli(
        "attach",
        fixtures / "crm_export.csv",
        "--registry",
        index,
        "--size",
        tmp_path / "missing.csv",
        "-o",
        tmp_path / "a.csv",
    )
    assert result.exit_code == 2 and "missing.csv: file not found" in result.output
    assert not (tmp_path / "m").exists() and not (tmp_path / "a.csv").exists()


def test_a_workbook_s_number_cells_are_read_as_numbers(tmp_path):
    import xlsxwriter

    path = tmp_path / "vte.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Comptes")
    for i, row in enumerate(
        [
            ["Ondernemingsnummer", "Boekjaar", "VTE", "Omzet", "Balanstotaal"],
            ["0403.170.701", 2024, 46.2, 1234.567, "1.234.567,89"],
        ]
    ):  # a number cell, and a text cell typed by hand
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    book.close()
    sizes, _ = read_sizes(str(path))
    assert sizes.select("staff_fte", "turnover_eur", "balance_sheet_eur").row(0) == (
        46.2,
        1234.567,
        1234567.89,
    )
