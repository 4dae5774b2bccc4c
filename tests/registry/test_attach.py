"""Firmographics attached from the registry index to contact files and to the master: by
valid identifier, by name at the postcode, sizes and activities."""

import json

import polars as pl

from enrich.registry.attach import attach
from enrich.registry.index import build
from tests.registry.conftest import KBO, rezip


def test_attach_by_valid_identifier_with_the_reason_otherwise(index):
    from enrich.identifiers import clean

    rows = clean(
        pl.DataFrame(
            {
                "vat": ["BE0403170701", "BE 0403.170.702", None, "FR 53 418529632", "BE0200068636"],
                "enterprise_number": [None, None, None, None, None],
                "siren": [None, None, None, None, None],
                "siret": [None, None, "12345678200028", None, None],
                "kvk": [None] * 5,
                "country": ["BE", "BE", "FR", "FR", "BE"],
            }
        )
    )
    got = attach(rows, index, "nl")
    assert got["registry_match"].to_list() == [
        "enterprise_number",
        "no valid identifier, no name match",
        "siren",
        "siren",
        "not in the registry",
    ]
    assert (
        got["nace_label"].to_list()[0] == "Vervaardiging van bier"
        and got["nace_label_lang"][0] == "nl"
    )
    assert got["registry_city"][0] == "Gent"
    # a closed establishment's SIRET still finds its company (Girard, active); the hotel is ceased
    assert got["registry_name"][2] == "GIRARD LOGICIELS" and got["ceased"].to_list()[2:4] == [
        False,
        True,
    ]
    assert got.height == rows.height  # no row lost


def test_a_company_without_a_valid_identifier_is_found_by_its_name_at_its_postcode(index):
    rows = pl.DataFrame(
        {
            "source_row": [1, 2, 3, 4, 5],
            "company_name": [
                "BROUWERIJ DE SMET",
                "Ateliers Nicolas SA",
                "Brouwerij De Smet",
                "Garage Dubois",
                "Girard Logiciels SAS",
            ],
            "postcode": ["9000", "1050", "1000", "6000", "69003"],
            "country": ["BE", "BE", "BE", "BE", "FR"],
            "enterprise_number": [None, None, None, None, None],
            "siren": [None, None, None, None, None],
        }
    )
    got = attach(rows, index)
    # the same name at the same postcode (legal form and case aside); another postcode is not enough
    assert got["registry_match"].to_list() == [
        "name",
        "name",
        "no valid identifier, no name match",
        "name",
        "name",
    ]
    assert got["registry_name"].to_list() == [
        "Brouwerij De Smet",
        "Ateliers Nicolas",
        None,
        "Garage Dubois",
        "GIRARD LOGICIELS",
    ]
    assert min(got["registry_match_score"].to_list()[:2]) >= 0.9 and got["nace_section"][0] == "C"
    assert got["registry_number"].to_list() == [
        "0403170701",
        "0845678068",
        None,
        "0634567070",
        "123456782",
    ]


def test_a_name_that_fits_two_registry_companies_is_not_attached_but_listed(fixtures, tmp_path):
    from enrich.registry.attach import attach_with_review

    twin = "0999.999.922"  # another brewery of the same name in Gent (valid mod 97)

    def add(name, body):
        lines = {
            "enterprise.csv": f'"{twin}","AC","000","2","014",,01-01-2000',
            "denomination.csv": f'"{twin}","2","001","Brouwerij De Smet"',
            "address.csv": f'"{twin}","REGO",,,"9000","Gent","Gand","Elders","Ailleurs","1","","",',
        }
        return (name, body + (lines[name] + "\r\n").encode() if name in lines else body)

    kbo = rezip(fixtures / "registry" / KBO, tmp_path / "KboOpenData_twin.zip", add)
    build(tmp_path / "index", kbo_zip=str(kbo))
    rows = pl.DataFrame(
        {
            "source_file": ["x.csv"],
            "source_row": [7],
            "company_name": ["Brouwerij De Smet NV"],
            "postcode": ["9000"],
            "country": ["BE"],
            "enterprise_number": [None],
            "siren": [None],
        }
    )
    got, review = attach_with_review(rows, tmp_path / "index")
    assert got["registry_match"].to_list() == ["ambiguous name (see review)"] and got[
        "registry_name"
    ].to_list() == [None]
    assert sorted(review["registry_id"].to_list()) == ["0403170701", "0999999922"] and set(
        review["source_row"]
    ) == {"7"}


def test_attach_command_and_master_with_the_registry(run_cli, fixtures, index, tmp_path):
    out = tmp_path / "attached.csv"
    result = run_cli(
        "attach", fixtures / "purchased_list_fr.csv", "--registry", index, "-o", out, "--lang", "fr"
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, infer_schema=False)
    assert (
        table.height
        + pl.read_csv(tmp_path / "attached.rejects.csv", infer_schema=False)[
            "source_row"
        ].n_unique()
        == 60
    )
    girard = table.filter(pl.col("siren") == "123456782")
    assert set(girard["size_band"]) == {"small"} and set(girard["nace_section"]) == {"J"}
    master = tmp_path / "master"
    result = run_cli(
        "master",
        *(fixtures / f for f in ("crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx")),
        "-o",
        master,
        "--registry",
        index,
        "-q",
    )
    assert result.exit_code == 0, result.output
    companies = pl.read_csv(master / "companies.csv", infer_schema=False)
    desmet = companies.filter(pl.col("enterprise_number") == "0403170701").row(0, named=True)
    assert (desmet["nace_section"], desmet["nace_label"], desmet["registry_match"]) == (
        "C",
        "Fabrication de bière",
        "enterprise_number",
    )
    hotel = companies.filter(pl.col("siren") == "418529632")
    assert hotel["ceased"].to_list() == ["true"]  # flagged in the master
    run = json.loads((master / "run.json").read_text())["master"]["registry"]
    assert run["ceased"] == 1 and run["matched_by"]["enterprise_number"] >= 10
    report = (master / "report.html").read_text()
    assert "nace_section" in report and "No registry attached" not in report


def test_the_registry_size_wins_and_the_file_s_own_headcount_fills_in(index):
    rows = pl.DataFrame(
        {
            "enterprise_number": ["0403170701", "0403170701", None, None, None],
            "siren": [None, None, "123456782", "100000009", "100000009"],
            "employees_min": [20, None, 250, None, 101],
            "employees_max": [49, None, None, None, None],
        }
    )
    got = attach(rows, index)
    assert got["size_band"].to_list() == ["small", None, "small", None, None]
    assert got["size_source"].to_list() == ["input", None, "registry", None, None]
    assert got["size_criteria"].to_list() == ["declared headcount", None, "headcount", None, None]
    assert got["size_reason"].to_list() == [
        None,
        "no headcount in the KBO open data",
        None,
        "not in the registry, and the file gives no headcount",
        "the file's open headcount band does not decide the class",
    ]  # "more than 100": medium or large


def test_secondary_activities_come_with_the_main_one(index):
    rows = pl.DataFrame(
        {
            "enterprise_number": ["0417497106", "0403170701", None],
            "siren": [None, None, "123456782"],
        }
    )
    got = attach(rows, index)
    assert got.select("nace_code", "nace_version", "nace_secondary").rows() == [
        (
            "46690",
            "2025",
            "33120",
        ),  # Dupont: a SECO activity in NACE 2025, its main activity's version
        ("11050", "2025", None),  # De Smet: main activities only
        ("62.01Z", "2008", None),  # SIRENE has no secondary activities
    ]
