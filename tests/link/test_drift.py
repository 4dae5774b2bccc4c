"""Linking quality must not drift with file size (issue #4): the prior is estimated per run,
so the same rules give the same quality on a small and a ten times larger synthetic file.
(`make bench` measures 10k / 100k / 1M rows; this is the small version that runs in CI.)"""

import subprocess
import sys
from pathlib import Path

import polars as pl

from enrich.clean import clean_files
from enrich.link.cluster import pairwise_scores
from enrich.link.levels import dedupe

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_contacts.py"


def f1_by_level(rows: int, folder: Path) -> dict[str, float]:
    data, truth = folder / f"c{rows}.csv", folder / f"c{rows}.truth.csv"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--rows",
            str(rows),
            "--seed",
            "7",
            "--out",
            str(data),
            "--truth",
            str(truth),
        ],
        check=True,
        capture_output=True,
    )
    found = dedupe(clean_files([str(data)]).frame)
    true = pl.read_csv(
        truth, schema_overrides={"company_entity": pl.String, "person_entity": pl.String}
    )
    joined = found.frame.select(
        pl.col("source_row").cast(pl.Int64), "company_id", "contact_id"
    ).join(true.rename({"row": "source_row"}), on="source_row")
    out = {}
    for level, predicted, entity in (
        ("company", "company_id", "company_entity"),
        ("contact", "contact_id", "person_entity"),
    ):
        both = joined.drop_nulls([predicted, entity])
        out[level] = pairwise_scores(both[predicted], both[entity])["f1"]
    return out


def test_f1_holds_from_2k_to_20k_rows(tmp_path):
    small, large = f1_by_level(2_000, tmp_path), f1_by_level(20_000, tmp_path)
    for level in ("company", "contact"):
        assert small[level] > 0.95 and large[level] > 0.95, (level, small, large)
        assert abs(small[level] - large[level]) <= 0.02, (level, small, large)
