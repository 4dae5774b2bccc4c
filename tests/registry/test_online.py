"""The online client and the VIES adapter against mocked HTTP (``responses``), with bodies in
VIES's own shapes (REGISTRIES.md §4): no network, no real waiting."""

import re

import requests
import responses

from enrich.registry.online import VIES, Client, vies

URL = f"{VIES}/ms/BE/vat/0712345630"
VALID = {
    "isValid": True,
    "requestDate": "2026-11-20T10:15:02.114Z",
    "userError": "VALID",
    "name": "EXEMPLE SRL",
    "address": "Rue de l'Exemple 1\n1000 Bruxelles",
    "requestIdentifier": "",
    "originalVatNumber": "0712345630",
    "vatNumber": "0712345630",
    "viesApproximate": {
        "name": "---",
        "street": "---",
        "postalCode": "---",
        "city": "---",
        "companyType": "---",
        "matchName": 3,
        "matchStreet": 3,
        "matchPostalCode": 3,
        "matchCity": 3,
        "matchCompanyType": 3,
    },
}


def client(tmp_path, **kw):
    waits = []
    c = Client(tmp_path / "cache.sqlite", sleep=waits.append, **kw)
    return c, waits


@responses.activate
def test_a_valid_number_and_the_cache_spares_the_second_call(tmp_path):
    responses.get(URL, json=VALID)
    c, _ = client(tmp_path)
    assert vies(c, "BE", "0712345630") == {
        "status": "valid",
        "name": "EXEMPLE SRL",
        "address": "Rue de l'Exemple 1\n1000 Bruxelles",
        "reason": None,
    }
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert len(responses.calls) == 1 and c.counts == {"calls": 1, "cached": 1, "failed": 0}
    c.close()
    again, _ = client(
        tmp_path, offline=True
    )  # a rerun, offline: answered from the persistent cache
    assert vies(again, "BE", "0712345630")["name"] == "EXEMPLE SRL" and len(responses.calls) == 1


@responses.activate
def test_withheld_values_and_an_invalid_number(tmp_path):
    responses.get(f"{VIES}/ms/DE/vat/136695976", json={**VALID, "name": "---", "address": "---"})
    responses.get(
        f"{VIES}/ms/BE/vat/0403170702",
        json={**VALID, "isValid": False, "userError": "INVALID", "name": "---", "address": "---"},
    )
    c, _ = client(tmp_path)
    assert vies(c, "DE", "136695976") == {
        "status": "valid",
        "name": None,
        "address": None,
        "reason": None,
    }
    assert vies(c, "BE", "0403170702")["status"] == "invalid"


@responses.activate
def test_member_state_unavailable_is_unknown_and_not_cached(tmp_path):
    responses.get(
        URL,
        json={
            **VALID,
            "isValid": False,
            "userError": "MS_UNAVAILABLE",
            "name": "---",
            "address": "---",
        },
    )
    responses.get(URL, json=VALID)
    c, _ = client(tmp_path)
    first = vies(c, "BE", "0712345630")
    assert (
        first["status"] == "unknown" and first["reason"] == "VIES MS_UNAVAILABLE"
    )  # never "invalid"
    assert (
        vies(c, "BE", "0712345630")["status"] == "valid"
    )  # asked again: the unknown answer was not cached
    responses.post(
        f"{VIES}/x", json={"actionSucceed": False, "errorWrappers": [{"error": "TIMEOUT"}]}
    )
    assert c.call("POST", f"{VIES}/x").data["errorWrappers"][0]["error"] == "TIMEOUT"


@responses.activate
def test_429_with_retry_after_then_success(tmp_path):
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, json=VALID)
    c, waits = client(tmp_path)
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert 7.0 in waits  # the server's Retry-After, not our own back-off


@responses.activate
def test_500_then_success_with_back_off(tmp_path):
    responses.get(URL, status=500)
    responses.get(URL, status=503)
    responses.get(URL, json=VALID)
    c, waits = client(tmp_path)
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert [w for w in waits if w >= 1.0][:2] == [1.0, 2.0]  # exponential


@responses.activate
def test_timeouts_and_malformed_answers_are_unknown_with_the_reason(tmp_path):
    responses.get(URL, body=requests.exceptions.ConnectTimeout())
    c, _ = client(tmp_path, retries=2)
    assert vies(c, "BE", "0712345630") == {
        "status": "unknown",
        "name": None,
        "address": None,
        "reason": "timeout after 3 tries",
    }
    responses.replace(responses.GET, URL, body="<html>Service unavailable</html>", status=200)
    assert vies(c, "BE", "0712345630")["reason"] == "malformed answer (not JSON)"
    assert c.counts["failed"] == 2
    offline, _ = client(tmp_path, offline=True)
    assert vies(offline, "FR", "40303265045")["reason"] == "offline: not in the cache"


@responses.activate
def test_calls_to_one_host_are_spaced(tmp_path):
    for n in ("0712345630", "0765432146", "1001234592"):
        responses.get(f"{VIES}/ms/BE/vat/{n}", json=VALID)
    now = [100.0]
    waits = []
    c = Client(
        tmp_path / "cache.sqlite",
        sleep=waits.append,
        clock=lambda: now[0],
        rates={"ec.europa.eu": 2.0},
    )
    for n in ("0712345630", "0765432146", "1001234592"):
        vies(c, "BE", n)
    assert waits == [0.5, 0.5]  # 2 calls a second at most, the clock standing still


@responses.activate
def test_attach_online_marks_every_row_and_a_failing_service_loses_none(
    run_cli, fixtures, tmp_path, monkeypatch
):
    """`enrich attach --online`: each distinct valid VAT number asked once; VIES down for one
    member state → those rows 'unknown' with the reason, the others answered, no row lost."""
    import polars as pl

    waits = []
    monkeypatch.setattr(
        "enrich.registry.online.time.sleep", waits.append
    )  # the 1-call-a-second spacing, without waiting
    responses.get(re.compile(rf"{VIES}/ms/BE/vat/\d+"), json=VALID)
    responses.get(
        re.compile(rf"{VIES}/ms/FR/vat/\w+"),
        json={"isValid": False, "userError": "MS_UNAVAILABLE", "name": "---", "address": "---"},
    )
    index = tmp_path / "index"
    assert (
        run_cli(
            "registry",
            "build",
            "--kbo",
            fixtures / "registry" / "KboOpenData_0140_2025_10_05_Full.zip",
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
    assert table.height == 40  # every CRM row
    be = table.filter(pl.col("vat").str.starts_with("BE"))
    fr = table.filter(pl.col("vat").str.starts_with("FR"))
    assert (
        set(be["vies_status"]) == {"valid"}
        and set(fr["vies_status"]) == {"unknown"}
        and set(fr["vies_reason"]) == {"VIES MS_UNAVAILABLE"}
    )
    assert (
        table.filter(pl.col("vat").is_null())["vies_status"].null_count()
        == table.filter(pl.col("vat").is_null()).height
    )
    assert (
        sum("/vat/" in call.request.url for call in responses.calls)
        == table["vat"].drop_nulls().n_unique()
    )  # once per distinct number
    # recherche-entreprises unreachable (not mocked: connection refused) for the SIRENs the index lacks: unknown, rows kept
    fr_ids = table.filter(pl.col("siren").is_not_null())
    assert set(fr_ids["recherche_status"]) == {"unknown"} and fr_ids["recherche_reason"][
        0
    ].startswith("connection failed")
    assert "VIES:" in result.output
    assert any(
        0 < w <= 1.0 for w in waits
    )  # calls spaced (VIES: 1 a second); the failing service backed off too


@responses.activate
def test_master_online_checks_the_companies_vat_numbers(run_cli, fixtures, tmp_path, monkeypatch):
    import json

    import polars as pl

    monkeypatch.setattr("enrich.registry.online.time.sleep", lambda s: None)
    from enrich.registry.online import GLEIF

    responses.get(re.compile(rf"{VIES}/ms/\w\w/vat/\w+"), json=VALID)
    responses.get(
        re.compile(rf"{re.escape(GLEIF)}\?.*=552120222&.*"), json=SG_LEI
    )  # the brackets go percent-encoded
    responses.get(re.compile(rf"{re.escape(GLEIF)}.*"), json={"data": []})
    out = tmp_path / "master"
    result = run_cli(
        "master",
        fixtures / "crm_export.csv",
        "-o",
        out,
        "-q",
        "--online",
        "--lei",
        "--cache",
        tmp_path / "c.sqlite",
    )
    assert result.exit_code == 0, result.output
    companies = pl.read_csv(out / "companies.csv", infer_schema=False)
    assert set(companies.filter(pl.col("vat").is_not_null())["vies_status"]) == {"valid"}
    assert companies.filter(pl.col("siren") == "552120222")["lei"].to_list() == [
        "O2RNE8IBXP4R0TD8PU41"
    ]
    assert set(companies.filter(pl.col("enterprise_number").is_not_null())["lei_status"]) == {
        "not_found"
    }
    assert (
        json.loads((out / "run.json").read_text())["master"]["vies"]["valid"]
        == companies["vat"].drop_nulls().n_unique()
    )
    assert (
        run_cli("master", fixtures / "crm_export.csv", "-o", tmp_path / "m2", "--offline").exit_code
        == 2
    )  # --offline needs --online


SG = {
    "results": [
        {
            "siren": "552120222",
            "nom_complet": "societe generale",
            "nom_raison_sociale": "SOCIETE GENERALE",
            "sigle": None,
            "siege": {
                "siret": "55212022200013",
                "est_siege": True,
                "adresse": "29 BOULEVARD HAUSSMANN 75009 PARIS",
                "code_postal": "75009",
                "libelle_commune": "PARIS",
                "latitude": "48.873",
                "longitude": "2.333",
            },
            "activite_principale": "64.19Z",
            "section_activite_principale": "K",
            "categorie_entreprise": "GE",
            "tranche_effectif_salarie": "53",
            "annee_tranche_effectif_salarie": "2023",
            "etat_administratif": "A",
            "nature_juridique": "5599",
            "date_creation": "1900-01-01",
            "dirigeants": [],
            "matching_etablissements": [],
            "tva": ["FR27552120222"],
        }
    ],
    "total_results": 1,
    "page": 1,
    "per_page": 1,
    "total_pages": 1,
}


@responses.activate
def test_recherche_entreprises_found_not_found_and_rate_limited(tmp_path):
    from enrich.registry.online import RECHERCHE, recherche

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


SG_LEI = {
    "meta": {
        "goldenCopy": {"publishDate": "2026-11-20T08:00:00Z"},
        "pagination": {"currentPage": 1, "perPage": 10, "total": 1},
    },
    "data": [
        {
            "type": "lei-records",
            "id": "O2RNE8IBXP4R0TD8PU41",
            "attributes": {
                "lei": "O2RNE8IBXP4R0TD8PU41",
                "entity": {
                    "legalName": {"name": "SOCIETE GENERALE", "language": "fr"},
                    "legalAddress": {
                        "language": "fr",
                        "addressLines": ["29 BOULEVARD HAUSSMANN"],
                        "city": "PARIS",
                        "region": None,
                        "country": "FR",
                        "postalCode": "75009",
                    },
                    "registeredAt": {"id": "RA000189", "other": None},
                    "registeredAs": "552120222",
                    "jurisdiction": "FR",
                    "category": "GENERAL",
                    "legalForm": {"id": "K65D", "other": None},
                    "status": "ACTIVE",
                },
                "registration": {
                    "initialRegistrationDate": "2012-06-05T22:00:00Z",
                    "status": "ISSUED",
                    "managingLou": "969500Q2MA9VBQ8BG884",
                    "corroborationLevel": "FULLY_CORROBORATED",
                },
                "bic": ["NEWGFRP1XXX"],
                "conformityFlag": "CONFORMING",
            },
        }
    ],
}


@responses.activate
def test_gleif_finds_the_lei_by_registry_number_and_tries_the_dotted_belgian_form(tmp_path):
    from enrich.registry.online import GLEIF, gleif

    empty = {"meta": {"pagination": {"total": 0}}, "data": []}
    responses.get(
        f"{GLEIF}?filter[entity.registeredAs]=552120222&filter[entity.jurisdiction]=FR", json=SG_LEI
    )
    responses.get(
        f"{GLEIF}?filter[entity.registeredAs]=0403170701&filter[entity.jurisdiction]=BE", json=empty
    )
    responses.get(
        f"{GLEIF}?filter[entity.registeredAs]=0403.170.701&filter[entity.jurisdiction]=BE",
        json=empty,
    )
    responses.get(
        f"{GLEIF}?filter[entity.registeredAs]=123456782&filter[entity.jurisdiction]=FR",
        json={"errors": [{"status": "500"}]},
    )
    c, _ = client(tmp_path)
    sg = gleif(c, "FR", "552120222")
    assert (
        sg["status"],
        sg["lei"],
        sg["lei_name"],
        sg["lei_entity_status"],
        sg["lei_registration"],
    ) == ("found", "O2RNE8IBXP4R0TD8PU41", "SOCIETE GENERALE", "ACTIVE", "ISSUED")
    assert (
        gleif(c, "BE", "0403170701")["status"] == "not_found" and len(responses.calls) == 3
    )  # compact, then dotted
    odd = gleif(c, "FR", "123456782")
    assert odd["status"] == "unknown" and odd["reason"] == "malformed answer (no data list)"


def test_lei_and_offline_need_online(run_cli, fixtures, tmp_path):
    result = run_cli("master", fixtures / "crm_export.csv", "-o", tmp_path / "m", "--lei")
    assert (
        result.exit_code == 2
        and "--lei goes with --online" in result.output
        and not (tmp_path / "m").exists()
    )


@responses.activate
def test_a_company_the_bulk_index_lacks_is_filled_from_recherche_entreprises(
    run_cli, fixtures, tmp_path, monkeypatch
):
    """`attach --online`: Cave Fournier (SIREN 332211440) is not in the local index; its
    recherche-entreprises answer fills the registry's columns, marked as such; companies
    the index holds keep the bulk file's values and are not asked."""
    import polars as pl

    monkeypatch.setattr("enrich.registry.online.time.sleep", lambda s: None)
    from enrich.registry.online import RECHERCHE

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
