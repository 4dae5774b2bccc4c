"""The recherche-entreprises adapter against mocked HTTP (REGISTRIES.md §3), and a French
company the bulk index lacks filled from it."""

import re

import responses

from enrich.registry.recherche import RECHERCHE, recherche
from enrich.registry.vies import VIES
from tests.registry.services import SG, VALID, client


@responses.activate
def test_recherche_entreprises_found_not_found_and_rate_limited(tmp_path):

    responses.get(f"{RECHERCHE}?q=552120222&per_page=1", json=SG)
    responses.get(
        f"{RECHERCHE}?q=123456782&per_page=1",
        status=429,
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    responses.get(
        f"{RECHERCHE}?q=123456782&per_page=1",
        json={"results": [], "total_results": 0, "page": 1, "per_page": 1, "total_pages": 0},
    )
    responses.get(
        f"{RECHERCHE}?q=987654324&per_page=1",
        status=500,
        json={"erreur": "Service is unavailable."},
    )
    c, waits = client(tmp_path, retries=1)
    sg = recherche(c, "552120222")
    assert (
        sg["status"],
        sg["name"],
        sg["registry_status"],
        sg["naf"],
        sg["section"],
        sg["employees_band"],
        sg["postcode"],
    ) == ("found", "SOCIETE GENERALE", "active", "64.19Z", "K", "53", "75009")
    assert (
        recherche(c, "123456782")["status"] == "not_found"
    )  # after a 429 whose Retry-After date is past: no negative wait
    assert all(w >= 0 for w in waits)
    gone = recherche(c, "987654324")
    assert gone["status"] == "unknown" and gone["reason"] == "HTTP 500 after 2 tries"
    assert recherche(c, "552120222")["name"] == "SOCIETE GENERALE" and c.counts["cached"] == 1


@responses.activate
def test_a_company_the_bulk_index_lacks_is_filled_from_recherche_entreprises(
    run_cli, fixtures, tmp_path, monkeypatch
):
    """`attach --online`: Cave Fournier (SIREN 332211440) is not in the local index; its
    recherche-entreprises answer fills the registry's columns, marked as such; companies
    the index holds keep the bulk file's values and are not asked."""
    import polars as pl

    monkeypatch.setattr("enrich.registry.http.time.sleep", lambda s: None)

    cave = {
        "results": [
            {
                **SG["results"][0],
                "siren": "332211440",
                "nom_raison_sociale": "CAVE FOURNIER",
                "activite_principale": "47.25Z",
                "section_activite_principale": "G",
                "tranche_effectif_salarie": "02",
                "annee_tranche_effectif_salarie": "2023",
                "etat_administratif": "C",
                "siege": {"code_postal": "21200", "libelle_commune": "BEAUNE"},
            }
        ],
        "total_results": 1,
        "page": 1,
        "per_page": 1,
        "total_pages": 1,
    }
    responses.get(re.compile(rf"{VIES}/.*"), json=VALID)
    responses.get(f"{RECHERCHE}?q=332211440&per_page=1", json=cave)
    index = tmp_path / "index"
    assert (
        run_cli(
            "registry",
            "build",
            "--kbo",
            fixtures / "registry" / "KboOpenData_0140_2025_10_05_Full.zip",
            "--sirene",
            fixtures / "registry" / "StockUniteLegale_utf8.zip",
            "-o",
            index,
        ).exit_code
        == 0
    )
    out = tmp_path / "attached.csv"
    result = run_cli(
        "attach",
        fixtures / "crm_export.csv",
        "--registry",
        index,
        "-o",
        out,
        "--online",
        "--cache",
        tmp_path / "c.sqlite",
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, infer_schema=False)
    cave_rows = table.filter(pl.col("siren") == "332211440")
    got = (
        cave_rows.select(
            "registry_match",
            "registry_name",
            "registry_status",
            "ceased",
            "nace_code",
            "nace_class",
            "nace_section",
            "nace_source",
            "size_band",
            "size_source",
            "size_year",
            "registry_postcode",
        )
        .unique()
        .to_dicts()
    )
    assert got == [
        {
            "registry_match": "recherche-entreprises",
            "registry_name": "CAVE FOURNIER",
            "registry_status": "ceased",
            "ceased": "true",
            "nace_code": "47.25Z",
            "nace_class": "47.25",
            "nace_section": "G",
            "nace_source": "recherche-entreprises",
            "size_band": "micro",
            "size_source": "recherche-entreprises",
            "size_year": "2023",
            "registry_postcode": "21200",
        }
    ]
    girard = table.filter(pl.col("siren") == "123456782")
    assert set(girard["registry_match"]) == {"siren"} and set(girard["nace_source"]) == {"registry"}
    assert not any(
        "q=123456782" in call.request.url for call in responses.calls
    )  # the index holds it: not asked
