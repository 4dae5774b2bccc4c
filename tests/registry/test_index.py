"""The registry index from the bundled snapshot (fixtures/registry/, the published KBO and
SIRENE layouts): what each source gives, safe archive reading, lookups."""

import json
import zipfile

import polars as pl
import pytest

from enrich.registry.index import build
from tests.registry.conftest import KBO, SEATS, UNITS, company, rezip


def test_belgian_enterprises_from_the_kbo_zip(index):
    desmet = company(index, "0403170701")
    # the 2025 activity of group 003 beats the 2008 VAT one and the 2003 code; labels from code.csv
    assert (
        desmet["nace_code"],
        desmet["nace_version"],
        desmet["nace_class"],
        desmet["nace_section"],
    ) == ("11050", "2025", "11.05", "C")
    assert (desmet["nace_label_fr"], desmet["nace_label_nl"]) == (
        "Fabrication de bière",
        "Vervaardiging van bier",
    )
    assert (
        desmet["official_name"] == "Brouwerij De Smet"
        and desmet["legal_form_nl"] == "Naamloze vennootschap"
    )
    assert (desmet["postcode"], desmet["city_nl"], desmet["city_fr"]) == ("9000", "Gent", "Gand")
    assert str(desmet["creation_date"]) == "1938-02-14" and desmet["registry_status"] == "active"
    assert desmet["employer"] is True  # an RSZ/ONSS (group 006) activity
    assert (
        desmet["size_band"] is None and desmet["size_reason"] == "no headcount in the KBO open data"
    )  # never invented
    # a pre-2019 BVBA is read as its CAC form: BV / SRL
    assert company(index, "0765432146")["legal_form_fr"] == "Société à responsabilité limitée"
    # a natural person: no legal name, no seat; the activity of the establishment counts for the enterprise
    moreau = company(index, "0712345630")
    assert (moreau["kind"], moreau["official_name"], moreau["postcode"], moreau["nace_code"]) == (
        "natural person",
        None,
        None,
        "43320",
    )
    acts = pl.read_parquet(index / "activities.parquet").filter(
        pl.col("registry_id") == "0417497106"
    )
    assert sorted(acts.select("nace_code", "classification").rows()) == [
        ("33120", "secondary"),
        ("46690", "main"),
        ("46690", "main"),
    ]


def test_french_legal_units_from_sirene(index):
    sge = company(index, "552120222")
    assert (sge["postcode"], sge["city_fr"], sge["street_fr"]) == (
        "75009",
        "PARIS 9",
        "29 BD HAUSSMANN",
    )  # the seat, from the establishments
    assert (sge["nace_code"], sge["nace_class"], sge["nace_section"], sge["nace_label_en"]) == (
        "35.14Z",
        "35.14",
        "D",
        "Trade of electricity",
    )
    assert (
        sge["employees_band"],
        sge["employees_min"],
        sge["employees_max"],
        sge["size_band"],
    ) == ("42", 1000, 1999, "large")
    girard = company(index, "123456782")
    assert (girard["size_band"], girard["size_criteria"], girard["employees_year"]) == (
        "small",
        "headcount",
        2023,
    )
    assert girard["legal_form_fr"] == "Société par actions simplifiée (SAS)"
    assert (girard["street_fr"], girard["city_fr"]) == (
        "12 B RUE DES LILAS",
        "LYON 3EME",
    )  # the seat, not the closed Marseille site
    hotel = company(index, "418529632")
    assert hotel["registry_status"] == "ceased" and (
        hotel["employees_band"],
        hotel["size_band"],
    ) == ("NN", "micro")
    # a natural person whose data may not be published: "[ND]" is missing, never a name
    petit = company(index, "912123452")
    assert (
        petit["official_name"] is None
        and petit["size_band"] is None
        and petit["size_reason"] == "no headcount band in SIRENE"
    )
    names = pl.read_parquet(index / "names.parquet")
    assert "[ND]" not in names["name"].to_list()
    meta = json.loads((index / "meta.json").read_text())
    assert meta["companies"] == {"BE active": 11, "FR active": 6, "FR ceased": 1}
    assert meta["sources"]["kbo"]["snapshot_date"] == "03-10-2025"


def test_sirene_as_csv_and_as_parquet_give_the_same_index(index, fixtures, tmp_path):
    with zipfile.ZipFile(fixtures / "registry" / UNITS) as z:
        (tmp_path / "StockUniteLegale_utf8.csv").write_bytes(z.read("StockUniteLegale_utf8.csv"))
    pl.read_csv(tmp_path / "StockUniteLegale_utf8.csv", infer_schema=False).write_parquet(
        tmp_path / "StockUniteLegale_utf8.parquet"
    )
    expected = (
        pl.read_parquet(index / "companies.parquet")
        .filter(pl.col("country") == "FR")
        .sort("registry_id")
    )
    for units in ("StockUniteLegale_utf8.csv", "StockUniteLegale_utf8.parquet"):
        out = tmp_path / units.replace(".", "_")
        build(
            out,
            sirene_units=str(tmp_path / units),
            sirene_establishments=str(fixtures / "registry" / SEATS),
        )
        got = pl.read_parquet(out / "companies.parquet").sort("registry_id")
        # without the KBO code table, French companies get no FR/NL NACE labels (English from stdnum)
        assert got.drop("nace_label_fr", "nace_label_nl").equals(
            expected.drop("nace_label_fr", "nace_label_nl")
        ), units


@pytest.mark.parametrize(
    "case, message",
    [
        ("traversal", "unsafe member path '../../etc/enterprise.csv'"),
        ("missing", "the archive has no activity.csv"),
        ("header", "unexpected header: no JuridicalForm"),
        ("bomb", "refused as a zip bomb"),
        ("corrupt", "not a readable zip archive"),
        ("not_zip", "not a readable zip archive"),
    ],
)
def test_unsafe_or_broken_archives_are_refused_with_the_reason(
    run_cli, fixtures, tmp_path, case, message
):
    source = fixtures / "registry" / KBO
    bad = tmp_path / "KboOpenData_bad.zip"
    if case == "traversal":
        rezip(
            source,
            bad,
            lambda n, b: ("../../etc/enterprise.csv" if n == "enterprise.csv" else n, b),
        )
    elif case == "missing":
        rezip(source, bad, lambda n, b: None if n == "activity.csv" else (n, b))
    elif case == "header":
        rezip(
            source,
            bad,
            lambda n, b: (
                n,
                b.replace(b'"JuridicalForm",', b'"LegalForm",', 1) if n == "enterprise.csv" else b,
            ),
        )
    elif case == "bomb":  # 200 MB of one byte repeated: about 200 KB zipped
        rezip(source, bad, lambda n, b: (n, b + b"\n" * (200 << 20) if n == "activity.csv" else b))
    elif case == "corrupt":
        data = source.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    else:
        bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = run_cli("registry", "build", "--kbo", bad, "-o", tmp_path / "index")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "index").exists()  # nothing half-written


def test_a_member_over_the_size_limit_is_refused(run_cli, fixtures, tmp_path):
    result = run_cli(
        "registry",
        "build",
        "--kbo",
        fixtures / "registry" / KBO,
        "-o",
        tmp_path / "index",
        "--max-member-gb",
        "0.000001",
    )
    assert result.exit_code == 2 and "more than the limit" in result.output


def test_build_refuses_to_replace_a_folder_that_is_not_an_index(run_cli, fixtures, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "precious.csv").write_text("x\n")
    result = run_cli(
        "registry", "build", "--kbo", fixtures / "registry" / KBO, "-o", tmp_path / "data"
    )
    assert result.exit_code == 2 and "not a registry index" in result.output
    assert (tmp_path / "data" / "precious.csv").exists()


def test_lookup_by_any_identifier(run_cli, index):
    out = run_cli("registry", "lookup", "BE 0403.170.701", "--registry", index)
    assert (
        out.exit_code == 0
        and "BE 0403170701: Brouwerij De Smet" in out.output
        and "nace_label_fr: Fabrication de bière" in out.output
    )
    assert "activity: NACE 2003 15960 main (group 001)" in out.output
    for number in ("55212022200013", "FR27552120222", "552 120 222"):  # SIRET, TVA, SIREN
        found = run_cli("registry", "lookup", number, "--registry", index, "--json")
        assert found.exit_code == 0 and json.loads(found.output)[0]["registry_id"] == "552120222", (
            number
        )
    assert (
        run_cli("registry", "lookup", "0200.068.636", "--registry", index).exit_code == 1
    )  # valid, not in the index
    wrong = run_cli("registry", "lookup", "0403.170.702", "--registry", index)
    assert wrong.exit_code == 2 and "not a valid" in wrong.output


def test_every_legal_unit_is_kept_when_seats_are_joined_slice_by_slice(tmp_path):
    """The seats join runs per first digit of the SIREN; a unit without a seat number (or
    whose seat is not in the file) is kept, without an address."""
    from fixtures.make_fixtures import SIRENE_ETAB_HEADER, SIRENE_UL_HEADER

    units = [
        ("123456782", "00010"),
        ("552120222", ""),
        ("987654324", "00099"),
        ("303265045", "00011"),
    ]
    ul = tmp_path / "StockUniteLegale_utf8.csv"
    ul.write_text(
        ",".join(SIRENE_UL_HEADER)
        + "\n"
        + "".join(
            ",".join(
                {
                    "siren": s,
                    "nicSiegeUniteLegale": nic,
                    "etatAdministratifUniteLegale": "A",
                    "denominationUniteLegale": f"UNIT {s}",
                }.get(c, "")
                for c in SIRENE_UL_HEADER
            )
            + "\n"
            for s, nic in units
        ),
        encoding="utf-8",
    )
    seats = [
        ("123456782", "00010", "true", "69003"),
        ("552120222", "00013", "true", "75009"),
        ("303265045", "00011", "true", "69002"),
        ("303265045", "00029", "false", "13001"),
    ]
    et = tmp_path / "StockEtablissement_utf8.csv"
    et.write_text(
        ",".join(SIRENE_ETAB_HEADER)
        + "\n"
        + "".join(
            ",".join(
                {
                    "siren": s,
                    "nic": n,
                    "siret": s + n,
                    "etablissementSiege": seat,
                    "codePostalEtablissement": pc,
                }.get(c, "")
                for c in SIRENE_ETAB_HEADER
            )
            + "\n"
            for s, n, seat, pc in seats
        ),
        encoding="utf-8",
    )
    build(tmp_path / "index", sirene_units=str(ul), sirene_establishments=str(et))
    got = dict(
        pl.read_parquet(tmp_path / "index" / "companies.parquet")
        .select("registry_id", "postcode")
        .iter_rows()
    )
    assert got == {"123456782": "69003", "552120222": None, "987654324": None, "303265045": "69002"}
