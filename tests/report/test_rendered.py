"""The reports of master, dedupe and check runs on the demo fixtures, read in Chromium: the
charts are drawn (a size, marks with a size), the thresholds drawn on the score charts, the
run's row counts in the text a person reads, nothing wider than a laptop's window, and a
screenshot taken (kept in out/screenshots/ for a person to look at)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]
# thresholds that leave some pairs of the demo in the review band (the shipped ones leave none)
REVIEW_RULES = (
    "[company.settings]\nmatch_threshold = 0.9999\nreview_threshold = 0.3\n\n"
    "[contact.settings]\nmatch_threshold = 0.9999\nreview_threshold = 0.3\n"
)


def drawn(page) -> list[dict]:
    """The charts with a size on the page and at least one mark with a size."""
    return [c for c in page.charts if c["width"] > 100 and c["height"] > 20 and c["marks"] > 0]


def rows_shown(text: str, name: str, *counts: int) -> bool:
    """A table row naming *name* and then *counts*, as the page shows them (cells by tabs)."""
    cells = "\t".join(f"{n:,}" for n in counts)
    return re.search(rf"(^|\n){re.escape(name)}\t{cells}(\t|\n|$)", text) is not None


def test_a_file_has_its_own_screenshot_and_size(browser, tmp_path):
    """The helper itself: a page with one drawn chart and one empty one is seen as such."""
    from enrich.report import charts
    from enrich.report.page import Section, page

    html = tmp_path / "page" / "report.html"
    html.parent.mkdir()
    body = charts.bars([("a", 3)], title="one") + charts.bars([("b", 0)], title="none")
    html.write_text(page("t", [("date", "d")], [Section("S", body)]), encoding="utf-8")
    seen = browser(html)
    assert [(c["title"], c["marks"]) for c in seen.charts] == [("one", 1), ("none", 0)]
    assert len(drawn(seen)) == 1 and seen.png_size == (1280, 4000)


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory):
    from click.testing import CliRunner

    from enrich.cli import main

    out = tmp_path_factory.mktemp("demo")
    registry = FIXTURES / "registry"
    run = lambda *a: CliRunner().invoke(main, [str(x) for x in a], catch_exceptions=False)  # noqa: E731
    made = run(
        "registry", "build", "--kbo", registry / "KboOpenData_0140_2025_10_05_Full.zip",
        "--sirene", registry / "StockUniteLegale_utf8.zip",
        "--sirene-establishments", registry / "StockEtablissement_utf8.csv",
        "-o", out / "registry", "-q",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    made = run(
        "master", *(FIXTURES / f for f in DEMO), "-o", out / "master",
        "--registry", out / "registry", "--size", registry / "comptes_annuels_be.csv", "-q",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return out / "master"


def test_the_master_report_as_a_person_reads_it(browser, demo_master):
    run = json.loads((demo_master / "run.json").read_text())
    page = browser(demo_master / "report.html")
    charts = drawn(page)
    assert len(charts) >= 6, [c["title"] for c in page.charts]
    titles = [c["title"] for c in charts]
    for expected in ("rows per file", "validity per file and field", "issues by kind"):
        assert expected in titles
    scores = [c for c in charts if "match weight of the scored pairs" in c["title"]]
    assert len(scores) == 2 and all(c["thresholds"] == 2 for c in scores)  # review and match
    assert "review p≥" in page.text and "match p≥0.95" in page.text
    waterfalls = [c for c in charts if c["title"].endswith("per-field match weights")]
    assert len(waterfalls) >= 3 and all(c["marks"] >= 5 for c in waterfalls)
    # the run's row counts, per file and in all, in the text a person reads
    assert rows_shown(page.text, "all files", run["rows_in"])
    for f in run["files"]:
        name = f["source_file"].rsplit("/", 1)[-1]
        assert rows_shown(page.text, name, f["rows_in"]), name
    assert f"input rows (this run and earlier ones)\t{run['rows_in']:,}" in page.text
    # the run itself: date, command, options
    assert re.search(r"date\t\d{4}-\d\d-\d\d", page.text) and "command\tenrich master" in page.text
    assert "registry: folder registry" in page.text and "crm_export.csv" in page.text
    # sectors and size bands the registry attached, and a laptop's width
    assert "Sector (NACE section)" in " ".join(titles) and "Size band" in " ".join(titles)
    assert page.width <= 1280 and page.png_size == (1280, 4000)
    assert page.screenshot.stat().st_size > 100_000  # a page of charts, not a blank one


def test_a_dedupe_report_shows_review_pairs_explained(browser, fixtures, tmp_path, run_cli):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "link.toml").write_text(REVIEW_RULES, encoding="utf-8")
    out = tmp_path / "dedupe"
    made = run_cli("dedupe", *(fixtures / f for f in DEMO), "-o", out, "--rules", rules, "-q")
    assert made.exit_code == 0, made.output
    run = json.loads((out / "run.json").read_text())
    page = browser(out / "report.html")
    charts = drawn(page)
    scores = [c for c in charts if "match weight of the scored pairs" in c["title"]]
    assert [c["thresholds"] for c in scores] == [2, 2]
    assert "match p≥0.9999" in page.text and "review p≥0.3" in page.text
    in_band = run["link"]["company"]["bands"]["review"]
    review = pl.read_csv(out / "review.csv", infer_schema=False).filter(
        pl.col("level") == "company"
    )
    shown = review.height or in_band  # review.csv's pairs, else the band's (joined by others)
    label = "Review pairs (review.csv)" if review.height else "Review-band pairs (joined by"
    assert in_band and f"{label}" in page.text
    waterfalls = [c for c in charts if c["title"] == "company pair: per-field match weights"]
    assert len(waterfalls) == 3 + min(shown, 3)  # merged and review pairs, explained
    assert rows_shown(page.text, "all files", run["rows_in"], run["rows_out"], run["rows_rejected"])
    assert "command\tenrich dedupe" in page.text


def test_a_check_report_shows_its_checks_and_rows(browser, fixtures, tmp_path, run_cli):
    out = tmp_path / "check" / "report.html"
    out.parent.mkdir()
    made = run_cli("check", *(fixtures / f for f in DEMO), "--report-format", "html", "-o", out)
    assert made.exit_code == 1, made.output  # the demo's purchased list fails some checks
    checks = json.loads(
        run_cli("check", *(fixtures / f for f in DEMO), "--report-format", "json").output
    )
    page = browser(out)
    assert len(drawn(page)) >= 3, [c["title"] for c in page.charts]
    s = checks["summary"]
    assert f"{s['checks']} checks on {s['files']} files: {s['passed']} passed" in page.text
    assert rows_shown(page.text, "purchased_list_fr.csv", 60, 57, 3)  # rows, kept, rejected
    assert rows_shown(page.text, "all files", 133, 129, 4)  # the demo files' rows
    assert "88.2 %" in page.text  # the VAT rate that fails its >= 0.95
