"""Consumer linking at scale: `enrich master` (shipped rules) against Splink on the same people.

    python benchmarks/consumers.py [--rows 1000000] [--no-splink]

Generates (once, into ``bench-data/consumers_<rows>``) three consumer files with their true
matches (``benchmarks/generate_consumers.py``), then:

* **enrich** — the whole ``enrich master`` job out of the box (no rules file): reading the
  three files, cleaning, linking, survivorship, writing the master; the customer level's own
  linking time (blocking, training, scoring, clustering) from ``run.json``;
* **Splink 5** (DuckDB) — on enrich's cleaned columns of the same rows (cleaning not timed),
  configured as its tutorials configure people: names with term frequencies, date of birth,
  postcode, street, city, e-mail, mobile; blocking on name + birth date, surname + postcode,
  e-mail, mobile; λ from deterministic rules, u by random sampling, m by EM; clusters at 0.95.

Prints one table: pairwise precision / recall / F1 of each tool's person ids against the truth
and the seconds, and the speed-up (Splink's linking time / enrich's).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from enrich.link.cluster import pairwise_scores  # noqa: E402

FILES = ["webshop.csv", "loyalty.csv", "mailing_nl.csv"]


def data(rows: int) -> Path:
    folder = ROOT / "bench-data" / f"consumers_{rows}"
    if not (folder / "truth.csv").exists():
        import generate_consumers

        print(f"generating {rows:,} consumer rows into {folder} …", file=sys.stderr)
        generate_consumers.generate(rows, folder)
    return folder


def truth(folder: Path) -> pl.DataFrame:
    return pl.read_csv(folder / "truth.csv", schema_overrides={"row": pl.String}).select(
        pl.col("file"), pl.col("row").alias("source_row"), pl.col("person").cast(pl.String)
    )


def score(ids: pl.Series, people: pl.Series) -> dict:
    got = pairwise_scores(ids, people)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in got.items()}


def run_enrich(folder: Path, out: Path, truth_rows: pl.DataFrame) -> dict:
    from enrich.job import Input, Job
    from enrich.pipeline import run

    t = time.perf_counter()
    result = run(Job([Input(str(folder / f)) for f in FILES], str(out), force=True))
    seconds = time.perf_counter() - t
    lineage = pl.read_csv(result.out / "lineage.csv", infer_schema=False)
    rows = lineage.with_columns(pl.col("source_file").str.split("/").list.last().alias("file"))
    rows = rows.join(truth_rows, on=["file", "source_row"])
    own = pl.concat_str(pl.lit("row-"), "file", pl.lit(":"), "source_row")
    ids = rows.select(pl.coalesce("customer_id", "contact_id", own))[:, 0]
    run_json = json.loads((result.out / "run.json").read_text())
    timings = run_json["link"]["customer"]["timings_s"]
    return {
        "tool": "enrich master",
        "rows": rows.height,
        **score(ids, rows["person"]),
        "seconds": round(seconds, 1),
        "link_seconds": round(sum(timings.values()), 1) if timings else None,
    }


def cleaned(folder: Path, truth_rows: pl.DataFrame) -> pl.DataFrame:
    """enrich's cleaned and derived columns of every row, with its true person (not timed)."""
    from enrich.clean import clean_files
    from enrich.link.derive import derive

    frame = derive(clean_files([str(folder / f) for f in FILES]).frame)
    frame = frame.with_columns(pl.col("source_file").str.split("/").list.last().alias("file"))
    cols = ["first_name", "last_name", "birth_date", "street", "house_number", "postcode"]
    cols += ["city", "email_person", "mobile_valid"]
    return frame.select(
        pl.int_range(pl.len()).alias("unique_id"),
        "file",
        pl.col("source_row").cast(pl.String),
        *[pl.col(c).cast(pl.String) for c in cols],
    ).join(truth_rows, on=["file", "source_row"], how="left")


def run_splink(frame: pl.DataFrame) -> dict:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.disable(logging.CRITICAL)
    frame = frame.with_columns(
        pl.col("first_name", "last_name", "city").str.to_lowercase(),
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "birth_date"),
            block_on("last_name", "birth_date"),
            block_on("last_name", "postcode"),
            block_on("email_person"),
            block_on("mobile_valid"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email_person"),
            cl.ExactMatch("mobile_valid"),
        ],
    )
    pdf = frame.drop("person", "file", "source_row").to_pandas()
    t = time.perf_counter()
    linker = Linker(DuckDBAPI().register(pdf), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date"), block_on("email_person")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, 0.95
    ).as_pandas_dataframe()
    seconds = time.perf_counter() - t
    got = pl.from_pandas(clusters[["unique_id", "cluster_id"]]).join(
        frame.select("unique_id", "person"), on="unique_id"
    )
    return {
        "tool": "Splink 5 (DuckDB)",
        "rows": got.height,
        **score(got["cluster_id"].cast(pl.String), got["person"]),
        "seconds": round(seconds, 1),
        "link_seconds": round(seconds, 1),
    }


def table(found: list[dict]) -> None:
    keys = ["tool", "rows", "precision", "recall", "f1", "seconds", "link_seconds"]
    print(" | ".join(f"{k:>17}" for k in keys))
    for row in found:
        print(" | ".join(f"{row.get(k, '') if row.get(k) is not None else '':>17}" for k in keys))
    if len(found) == 2 and found[0]["link_seconds"]:
        print(
            f"speed-up, linking: {found[1]['link_seconds'] / found[0]['link_seconds']:.1f}x; "
            f"Splink's linking alone vs enrich's whole master job: "
            f"{found[1]['link_seconds'] / found[0]['seconds']:.1f}x"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-splink", action="store_true")
    args = ap.parse_args()
    folder = data(args.rows)
    truth_rows = truth(folder)
    with tempfile.TemporaryDirectory() as tmp:
        found = [run_enrich(folder, Path(tmp) / "master", truth_rows)]
    if not args.no_splink:
        found.append(run_splink(cleaned(folder, truth_rows)))
    table(found)


if __name__ == "__main__":
    main()
