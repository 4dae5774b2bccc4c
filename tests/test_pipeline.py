"""The whole master job from Python, without Click (enrich.pipeline.run on an enrich.job.Job):
on the bundled fixtures, with the registry snapshot, it makes the same master as the command
line, says what it did through ``say`` and prints nothing itself."""

import json

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.job import Input, Job, Registry
from enrich.pipeline import run
from enrich.registry.index import build
from tests.conftest import FIXTURES

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]
ROWS_IN = 133  # tests/test_cli_master.py: 103 in crm + purchased, 30 in the two salon sheets


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("registry") / "index"
    reg = FIXTURES / "registry"
    build(
        out,
        kbo_zip=str(reg / "KboOpenData_0140_2025_10_05_Full.zip"),
        sirene_units=str(reg / "StockUniteLegale_utf8.zip"),
        sirene_establishments=str(reg / "StockEtablissement_utf8.csv"),
    )
    return out


def job(out, **kwargs) -> Job:
    return Job(inputs=[Input(str(FIXTURES / f)) for f in DEMO], out=str(out), **kwargs)


def test_the_whole_master_job_runs_from_python(index, tmp_path, capsys):
    said = []
    result = run(
        job(tmp_path / "m", registry=Registry(str(index))),
        said.append,
    )
    assert capsys.readouterr() == ("", "")  # the library prints nothing: the caller says
    assert any(line.startswith(str(FIXTURES / "crm_export.csv") + ":") for line in said)
    lineage = pl.read_csv(result.out / "lineage.csv", infer_schema=False)
    assert lineage.height == ROWS_IN == result.summary["rows_in"]  # every input row accounted for
    companies = pl.read_csv(result.out / "companies.csv", infer_schema=False)
    assert companies.height == result.counts["companies"]
    smet = companies.filter(pl.col("vat") == "BE0403170701").row(0, named=True)
    assert smet["nace_code"] and smet["registry_match"] == "enterprise_number"  # attached
    summary = json.loads((result.out / "run.json").read_text())
    assert summary["master"]["companies"] == result.counts["companies"]
    assert summary["master"]["registry"]["matched_by"]["enterprise_number"] >= 1


def test_the_library_and_the_command_line_make_the_same_master(run_cli, tmp_path):
    run(job(tmp_path / "lib"))
    cli = run_cli("master", *[FIXTURES / f for f in DEMO], "-o", tmp_path / "cli", "-q")
    assert cli.exit_code == 0, cli.output
    for name in ("companies.csv", "contacts.csv", "lineage.csv", "review.csv", "rejects.csv"):
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()


def test_a_rules_folder_extends_the_defaults_and_run_json_says_so(tmp_path):
    src = tmp_path / "renamed.csv"
    text = (FIXTURES / "crm_export.csv").read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    src.write_text(header.replace("Account Name", "Zakenpartner") + "\n" + body, encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "headers.toml").write_text('[columns]\ncompany_name = ["Zakenpartner"]\n')
    plain = run(Job([Input(str(src))], str(tmp_path / "plain")))
    extended = run(Job([Input(str(src))], str(tmp_path / "ext"), rules=str(rules)))
    mapping = {
        m.split(" → ")[0]: m.split(" → ")[1] for m in extended.summary["files"][0]["mapping"]
    }
    assert mapping["Zakenpartner"] == "company_name"
    assert any(" → extra.Zakenpartner" in m for m in plain.summary["files"][0]["mapping"])
    # the other synonyms are still there: the file's other headers map as before
    others = [
        m for m in extended.summary["files"][0]["mapping"] if not m.startswith("Zakenpartner")
    ]
    assert others == [
        m for m in plain.summary["files"][0]["mapping"] if not m.startswith("Zakenpartner")
    ]
    assert extended.summary["rules_overrides"] == [
        {
            "file": str(rules / "headers.toml"),
            "replace": False,
            "replaced": [],
            "extended": ["columns.company_name"],
        }
    ]
    assert "rules_overrides" not in plain.summary
    assert extended.summary["rules_hash"] != plain.summary["rules_hash"]


def test_a_job_that_cannot_run_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(InputError, match="format"):
        run(job(tmp_path / "m", format="ods"))
    with pytest.raises(InputError, match="not found"):
        run(Job([Input(str(tmp_path / "missing.csv"))], str(tmp_path / "m")))
    assert not (tmp_path / "m").exists()


def test_a_rules_folder_reaches_every_normaliser(tmp_path):
    from enrich.pipeline import run_clean

    data = tmp_path / "leads.csv"
    data.write_text(
        "Handelaar;Civilité;Prénom;Nom;Courriel;Pays\n"
        "Brouwerij Test;Sieur;Jan;Peeters;jan@brouwmail.eu;Belgikistan\n",
        encoding="utf-8",
    )
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "headers.toml").write_text('[columns]\ncompany_name = ["Handelaar"]\n')
    (rules / "titles.toml").write_text('[titles]\nmr = ["Sieur"]\n')
    (rules / "countries.toml").write_text('[names]\nBE = ["Belgikistan"]\n')
    (rules / "emails.toml").write_text('[freemail]\ndomains = ["brouwmail.eu"]\n')
    plain = run_clean(Job([Input(str(data))], str(tmp_path / "plain.csv"))).frame.row(0, named=True)
    ours = run_clean(Job([Input(str(data))], str(tmp_path / "ours.csv"), rules=str(rules)))
    row = ours.frame.row(0, named=True)
    assert (row["company_name"], row["title"], row["country"], row["email_freemail"]) == (
        "Brouwerij Test",
        "mr",
        "BE",
        True,
    )
    assert (plain["company_name"], plain["title"], plain["country"], plain["email_freemail"]) == (
        None,
        None,
        None,
        False,
    )
