"""The steward's review loop on the demo fixtures: `enrich master` writes review.csv (the
decision first, both records' key fields side by side, only pairs a match can join), a
steward walks it with `enrich review` in a real terminal (tmux), quits and resumes, and the
next `enrich master --previous --decisions` applies the answers and names every decision
it could not apply; `enrich explain` reads a master folder."""

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import clean_environment

ROOT = Path(__file__).resolve().parents[1]
DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]
TERMINALS = itertools.count()  # a tmux server each
KEY = "a steward's test key, not a secret"  # the runs of one master share their key


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The demo master (fixture paths as given, relative: lineage names them so)."""
    out = tmp_path_factory.mktemp("review") / "m1"
    enrich(out.parent, "master", *(f"fixtures/{f}" for f in DEMO), "-o", out, "-q", cwd=ROOT)
    return out


def enrich(home: Path, *args, cwd: Path | None = None, code: int = 0, stdin=None):
    result = subprocess.run(
        [sys.executable, "-m", "enrich", *map(str, args)],
        cwd=cwd or home,
        env=clean_environment(home, ENRICH_SECRET_KEY=KEY),
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=300,
    )
    assert result.returncode == code, result.stderr
    return result


class Terminal:
    """`enrich review` in a tmux pane of 160 × 50, on a tmux server of its own."""

    def __init__(self, tmp: Path, *args) -> None:
        self.socket = f"enrich-review-{os.getpid()}-{next(TERMINALS)}"
        command = " ".join(
            [f"env PYTHONPATH={ROOT}", sys.executable, "-m enrich review", *map(str, args)]
        )
        self.tmux("new-session", "-d", "-x", "160", "-y", "50", f"cd {ROOT} && {command}; sleep 60")

    def tmux(self, *args) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never shown; the screen:\n{self.screen()}")

    def press(self, key: str) -> None:
        self.tmux("send-keys", key)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def test_review_csv_leads_with_the_decision_and_both_records(first):
    review = pl.read_csv(first / "review.csv", infer_schema=False)
    assert review.columns[:6] == [
        "decision",
        "level",
        "source_file_l",
        "source_row_l",
        "source_file_r",
        "source_row_r",
    ]
    keys = review.columns[6:18]
    assert keys == [
        f"{s}_{k}" for k in ("company", "person", "email", "phone", "address", "ids") for s in "ab"
    ]
    assert review.columns[18:21] == ["match_probability", "match_weight", "pairs_between"]
    # the demo's doubtful shops: Bloemen Wouters BV and "Bloemen Wauters" at another street
    shops = review.filter(pl.col("b_company") == "Bloemen Wauters").row(0, named=True)
    assert shops["a_company"] == "Bloemen Wouters BV" and shops["decision"] in ("", None)
    assert shops["a_address"] != shops["b_address"]
    assert 0.6 <= float(shops["match_probability"]) < 0.95
    run = json.loads((first / "run.json").read_text())
    assert run["review_rows"] == review.height >= 2
    assert set(run["link"]["company"]["review"]["not_offered"]) <= {
        "cannot_link",
        "cluster_size",
        "kept_apart",
    }


def test_a_steward_walks_quits_resumes_and_the_next_master_applies_it(first, tmp_path):
    review = pl.read_csv(first / "review.csv", infer_schema=False)
    total = review.height
    out = tmp_path / "decisions.csv"
    term = Terminal(tmp_path, first / "review.csv", "-o", out)
    try:
        shown = term.wait_for(f"pair 1 of {total} (0 decided, 0 skipped)")
        one = review.row(0, named=True)
        assert one["a_company"][:20] in shown and one["b_company"][:20] in shown
        assert f"A {one['source_file_l']}:{one['source_row_l']}" in shown
        assert "agrees" in shown and "differs" in shown  # the per-field verdicts
        assert "[m] match   [n] no match   [s] skip   [u] undo   [q] quit" in shown
        term.press("m")
        term.wait_for(f"pair 2 of {total} (1 decided, 0 skipped)")
        written = pl.read_csv(out, infer_schema=False)  # written at once, not at the end
        assert written.rows() == [
            ("company", one["source_file_l"], one["source_row_l"], one["source_file_r"],
             one["source_row_r"], "match"),
        ]  # fmt: skip
        term.press("q")
        term.wait_for(f"1 of {total} pairs answered (run again to go on)")
    finally:
        term.close()
    # resumed where it stopped; undo goes back to the first pair, answered again
    term = Terminal(tmp_path, first / "review.csv", "-o", out)
    try:
        term.wait_for(f"pair 2 of {total} (1 decided")
        term.press("u")
        term.wait_for(f"pair 1 of {total} (0 decided")
        assert pl.read_csv(out, infer_schema=False).height == 0
        term.press("m")
        for _ in range(total - 1):
            term.press("n")
        term.wait_for(f"{total} of {total} pairs answered (every pair answered)")
    finally:
        term.close()
    decided = pl.read_csv(out, infer_schema=False)
    assert decided["decision"].to_list() == ["match"] + ["no_match"] * (total - 1)

    second = tmp_path / "m2"
    enrich(tmp_path, "master", "fixtures/bad/contacts.ndjson", "--previous", first, "-o", second,
           "--decisions", out, "-q", cwd=ROOT)  # fmt: skip
    run = json.loads((second / "run.json").read_text())
    assert run["master"]["decisions_file"]["applied"] == total
    lineage = pl.read_csv(second / "lineage.csv", infer_schema=False)

    def company(file, row):
        return lineage.filter((pl.col("source_file") == file) & (pl.col("source_row") == row))[
            "company_id"
        ].item()

    for pair, decision in zip(review.iter_rows(named=True), decided["decision"]):
        same = company(pair["source_file_l"], pair["source_row_l"]) == company(
            pair["source_file_r"], pair["source_row_r"]
        )
        assert same == (decision == "match")
    # decided pairs are not offered again
    assert pl.read_csv(second / "review.csv", infer_schema=False).height == 0


def test_every_decision_not_applied_is_named_by_its_rows(first, tmp_path):
    """Brouwerij De Smet and Dupont have two different valid VAT numbers: a `match` cannot
    join them. Words in any case and language are read ("Oui", "NEE")."""
    decisions = tmp_path / "d.csv"
    decisions.write_text(
        "level,source_file_l,source_row_l,source_file_r,source_row_r,decision\n"
        "company,fixtures/crm_export.csv,1,fixtures/crm_export.csv,3,Oui\n"
        "Société,fixtures/crm_export.csv,1,fixtures/crm_export.csv,999,MÊME\n"
        "company,fixtures/crm_export.csv,1,fixtures/crm_export.csv,2,NEE\n",
        encoding="utf-8",
    )
    second = tmp_path / "m2"
    result = enrich(tmp_path, "master", "fixtures/bad/contacts.ndjson", "--previous", first,
                    "-o", second, "--decisions", decisions, "-q", cwd=ROOT)  # fmt: skip
    named = json.loads((second / "run.json").read_text())["master"]["decision_outcomes"]
    assert named["not_applied_pairs"] == [
        {"level": "company", "a": "fixtures/crm_export.csv:1", "b": "fixtures/crm_export.csv:2",
         "decision": "no_match", "reason": "still one: other rows join the two"},
        {"level": "company", "a": "fixtures/crm_export.csv:1", "b": "fixtures/crm_export.csv:3",
         "decision": "match", "reason": "kept apart: a cannot-link rule (e.g. two different "
         "valid VAT numbers) is stronger"},
        {"level": "company", "a": "fixtures/crm_export.csv:1", "b": "fixtures/crm_export.csv:999",
         "decision": "match", "reason": "names a row the master does not hold"},
    ]  # fmt: skip
    # said even with -q, by rows only: no name, e-mail or phone of the file
    line = next(s for s in result.stderr.splitlines() if s.startswith("steward decisions"))
    assert (
        "company fixtures/crm_export.csv:1 ~ fixtures/crm_export.csv:3 (match): kept apart" in line
    )
    assert "De Smet" not in result.stderr and "@" not in result.stderr


def test_explain_reads_a_master_folder(first, tmp_path):
    pair = (
        pl.read_csv(first / "review.csv", infer_schema=False)
        .filter(pl.col("b_company") == "Bloemen Wauters")
        .row(0, named=True)
    )
    a = f"{pair['source_file_l']}:{pair['source_row_l']}"
    b = f"{pair['source_file_r']}:{pair['source_row_r']}"
    said = enrich(tmp_path, "explain", first, a, b, "--level", "company").stdout
    lines = said.splitlines()
    assert lines[0].startswith(f"company pair {a} ~ {b}") and "review" in lines[0]
    weights = [float(line.split()[-1]) for line in lines[1:-1]]
    total = float(lines[-1].split()[2])
    assert abs(sum(weights) - total) < 0.05 and f"{pair['match_probability']}" in lines[-1]
    # pairs.parquet is in the manifest: a changed copy is refused, exit 2
    run = json.loads((first / "run.json").read_text())
    assert "pairs.parquet" in run["manifest"]
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in first.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / "pairs.parquet").write_bytes((copy / "pairs.parquet").read_bytes() + b"\0")
    refused = enrich(tmp_path, "explain", copy, a, b, "--level", "company", code=2)
    assert "pairs.parquet is not the file this master's run.json lists" in refused.stderr


def test_review_outside_a_terminal_is_one_line_exit_2(first, tmp_path):
    result = enrich(tmp_path, "review", first / "review.csv", code=2, stdin=subprocess.DEVNULL)
    assert result.stderr.count("\n") == 1 and "needs a terminal" in result.stderr
    assert not (first.parent / "m1.decisions.csv").exists()
