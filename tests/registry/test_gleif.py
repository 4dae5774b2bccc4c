"""The GLEIF adapter against mocked HTTP (REGISTRIES.md §5), and ``--lei`` in the master."""

import re

import responses

from enrich.registry.gleif import GLEIF, gleif
from enrich.registry.vies import VIES
from tests.registry.services import SG_LEI, VALID, client


@responses.activate
def test_gleif_finds_the_lei_by_registry_number_and_tries_the_dotted_belgian_form(tmp_path):

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


@responses.activate
def test_master_online_checks_the_companies_vat_numbers(run_cli, fixtures, tmp_path, monkeypatch):
    import json

    import polars as pl

    monkeypatch.setattr("enrich.registry.http.time.sleep", lambda s: None)

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


def test_lei_and_offline_need_online(run_cli, fixtures, tmp_path):
    result = run_cli("master", fixtures / "crm_export.csv", "-o", tmp_path / "m", "--lei")
    assert (
        result.exit_code == 2
        and "--lei goes with --online" in result.output
        and not (tmp_path / "m").exists()
    )
