"""The VIES adapter against mocked HTTP, with bodies in VIES's own shapes (REGISTRIES.md §4)."""

import re

import responses

from enrich.registry.vies import VIES, vies
from tests.registry.services import VALID, client

URL = f"{VIES}/ms/BE/vat/0712345630"


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
def test_attach_online_marks_every_row_and_a_failing_service_loses_none(
    run_cli, fixtures, tmp_path, monkeypatch
):
    """`enrich attach --online`: each distinct valid VAT number asked once; VIES down for one
    member state → those rows 'unknown' with the reason, the others answered, no row lost."""
    import polars as pl

    waits = []
    monkeypatch.setattr(
        "enrich.registry.http.time.sleep", waits.append
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
    assert table.height == 43  # every CRM row
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
