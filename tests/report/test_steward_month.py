"""A steward's month, as a person does it: `enrich init` a job file beside the month's files,
edit it, `enrich run` it, walk the doubtful pairs with `enrich review` in a terminal (tmux),
run the job again with a new file, last month's master and the decisions, and read the report in a
browser (headless Chromium)."""

import shutil
from pathlib import Path

import polars as pl

from tests.test_cli_review import Terminal, enrich

ROOT = Path(__file__).resolve().parents[2]

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]


def _rows(folder, name) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def test_a_stewards_month_init_run_review_run_again_and_read(tmp_path, browser):
    month = tmp_path / "month"
    month.mkdir()
    for name in DEMO:
        shutil.copy(ROOT / "fixtures" / name, month / name)
    enrich(tmp_path, "init", "job.toml", cwd=month)
    job = month / "job.toml"
    starter = job.read_text()
    assert f'inputs = ["{DEMO[0]}", "{DEMO[1]}", "{DEMO[2]}"]' in starter  # guessed
    job.write_text(starter.replace("# as_of = 2026-12-01", "as_of = 2026-12-01"))  # edited
    enrich(tmp_path, "run", "job.toml", "-q", cwd=month)
    first = month / "out" / "master"
    review = _rows(first, "review.csv")
    assert review.height >= 2 and set(review["decision"].fill_null("")) == {""}  # to decide

    decisions = month / "decisions.csv"
    term = Terminal(tmp_path, first / "review.csv", "-o", decisions)
    try:
        term.wait_for(f"pair 1 of {review.height} (0 decided")
        term.press("m")
        term.wait_for(f"pair 2 of {review.height} (1 decided")
        term.press("n")
        if review.height > 2:
            term.press("q")
        term.wait_for(f"2 of {review.height} pairs answered")
    finally:
        term.close()
    assert _rows(month, "decisions.csv")["decision"].to_list() == ["match", "no_match"]

    # next month: a new list from a trade fair, last month's master and the decisions
    shutil.copy(ROOT / "fixtures" / "bad" / "bom_semicolon.csv", month / "beurs_december.csv")
    job.write_text(
        job.read_text()
        .replace(f'"{DEMO[2]}"]', f'"{DEMO[2]}", "beurs_december.csv"]')
        .replace('out = "out/master"', 'out = "out/master-2"')
        .replace('# previous = "out/master-last-month"', 'previous = "out/master"')
        .replace('# decisions = "out/master-last-month/review.csv"', 'decisions = "decisions.csv"')
    )
    enrich(tmp_path, "run", "job.toml", "-q", cwd=month)
    second = month / "out" / "master-2"
    lineage = _rows(second, "lineage.csv")

    def company(file, row):
        return lineage.filter((pl.col("source_file") == file) & (pl.col("source_row") == row))[
            "company_id"
        ].item()

    pairs = review.select("source_file_l", "source_row_l", "source_file_r", "source_row_r").rows()
    (fa, ra, fb, rb), (fc, rc, fd, rd) = pairs[:2]
    assert company(fa, ra) == company(fb, rb)  # match: one company now
    assert company(fc, rc) != company(fd, rd)  # no match: kept apart
    assert lineage.height == _rows(first, "lineage.csv").height + 5  # + the fair's 5 rows

    shown = browser(second / "report.html")
    drawn = [c for c in shown.charts if c["marks"] > 0 and c["width"] > 0 and c["height"] > 0]
    assert len(drawn) >= 3
    rows_in = lineage.height
    assert f"{rows_in:,}" in shown.text or str(rows_in) in shown.text
    assert shown.png_size[0] == 1280
