"""No value of the data in a report, and with --redact no file name either: an e-mail
address, a phone number and a surname are planted in the demo's CRM export and purchased
list (in rows that merge, so they are in the sample pairs' records), the surname in a file
name too; master, dedupe and check run with and without --redact. The values are in the
master's tables (their job), never in a report.html; the file name is in the default report
(which names files) and not in the redacted one."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

EMAIL, NAME = "zq7-leak@example.org", "Zyxwvutski"
PHONES = {"+32 475 12 34 56": "+32 470 99 88 77", "0475 12 34 56": "0470 99 88 77"}


def leaks(text: str) -> list[str]:
    folded, digits = text.casefold(), re.sub(r"[\s./()+-]", "", text)
    found = [v for v in ("zq7-leak", "example.org", NAME.casefold()) if v in folded]
    return found + (["the phone"] if "470998877" in digits else [])


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> list:
    folder = tmp_path_factory.mktemp("planted")
    files = []
    for src, encoding, dst in (
        ("crm_export.csv", "utf-8", f"crm_{NAME}.csv"),
        ("purchased_list_fr.csv", "cp1252", "purchased_list_fr.csv"),
    ):
        text = (FIXTURES / src).read_text(encoding=encoding)
        text = text.replace("pieter.desmet@desmet-brouwerij.be", EMAIL)
        text = re.sub("De Smet|DE SMET", NAME, text)
        for phone, planted_phone in PHONES.items():
            text = text.replace(phone, planted_phone)
        (folder / dst).write_text(text, encoding=encoding)
        files.append(folder / dst)
    return files


def reports(run_cli, planted, out, redact: bool) -> dict[str, str]:
    flag = ["--redact"] if redact else []
    for command in ("master", "dedupe"):
        made = run_cli(command, *planted, "-o", out / command, "-q", *flag)
        assert made.exit_code == 0, made.output
    check = out / "check.html"
    run_cli("check", *planted, "--report-format", "html", "-o", check, *flag)
    return {
        "master": (out / "master" / "report.html").read_text(encoding="utf-8"),
        "dedupe": (out / "dedupe" / "report.html").read_text(encoding="utf-8"),
        "check": check.read_text(encoding="utf-8"),
    }


def test_the_planted_values_are_in_the_master_and_in_no_report(run_cli, planted, tmp_path):
    pages = reports(run_cli, planted, tmp_path, redact=False)
    contacts = pl.read_csv(tmp_path / "master" / "contacts.csv", infer_schema=False)
    assert EMAIL in contacts["email"].to_list()  # the planted row is in, and merged
    assert NAME in contacts["last_name"].to_list()
    for command, page in pages.items():
        # the file name is the one planted value a default report shows: it names files
        assert leaks(page.replace(f"crm_{NAME}.csv", "")) == [], command
        assert f"crm_{NAME}.csv" in page, command
    assert "Merged pairs" in pages["master"] and "company co-" in pages["master"]


def test_a_redacted_report_names_no_file_row_or_entity(run_cli, planted, tmp_path, browser):
    pages = reports(run_cli, planted, tmp_path, redact=True)
    for command, page in pages.items():
        assert leaks(page) == [], (command, leaks(page))
        assert "crm_" not in page and "purchased_list" not in page, command
        assert "Redacted copy (--redact)" in page, command
    master = pages["master"]
    assert re.search(r"\b[a-z]{2}-\d+\b", master) is None  # no entity id (co-12, ct-34)
    assert re.search(r"\b[a-z]{2}-\d+\b", default_ids(run_cli, planted, tmp_path))
    assert master.count("per-field match weights") >= 3  # pairs: verdicts and weights only
    assert "input 1" in master and "inputs: 2 files" in master
    seen = browser(tmp_path / "master" / "report.html")  # and what the browser shows
    assert leaks(seen.text) == [] and "input 2\t" in seen.text


def default_ids(run_cli, planted, tmp_path) -> str:
    """A default master report (which names the sample pairs' entities by id)."""
    made = run_cli("master", *planted, "-o", tmp_path / "plain", "-q")
    assert made.exit_code == 0, made.output
    return (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
