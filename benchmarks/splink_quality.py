"""The same benchmark data sets through Splink (DuckDB backend), configured as Splink's own
tutorials configure them — the yardstick for enrich's linking engine (`make bench`).

    python benchmarks/splink_quality.py febrl3 | febrl4 | fake1000
    python benchmarks/splink_quality.py b2b FILE TRUTH.csv   # company level, synthetic B2B

Needs the bench extra (`pip install -e '.[bench]'`). Prints one JSON line like
link_quality.py: pairwise precision / recall / F1 of Splink's clusters, and the linking time
(FILE: the generated CSV, cleaned by enrich first and not timed, or its cleaned Parquet).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import pandas as pd
import polars as pl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from enrich.link.cluster import pairwise_scores

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
THRESHOLD = 0.95  # the clustering threshold enrich's rules use for these person files


def febrl(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, skipinitialspace=True)
    df.columns = [c.strip() for c in df.columns]
    return df.apply(lambda s: s.str.strip()).replace("", None)


def febrl_settings(link_type: str) -> SettingsCreator:
    return SettingsCreator(
        unique_id_column_name="rec_id",
        link_type=link_type,
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.ExactMatch("soc_sec_id").configure(term_frequency_adjustments=True),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("street_number", [1, 2]),
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.ExactMatch("state"),
        ],
    )


def train_and_cluster(linker: Linker, deterministic: list, em_blocks: list) -> pd.DataFrame:
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for block in em_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(block)
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, THRESHOLD
    ).as_pandas_dataframe()


def main() -> None:
    logging.disable(logging.CRITICAL)
    which = sys.argv[1]
    t = time.perf_counter()
    db = DuckDBAPI()
    if which == "febrl3":
        df = febrl(DATA / "dataset3.csv")
        linker = Linker(db.register(df), febrl_settings("dedupe_only"))
        clusters = train_and_cluster(
            linker, [block_on("soc_sec_id")], [block_on("given_name"), block_on("date_of_birth")]
        )
        ids, truth = clusters["cluster_id"], clusters["rec_id"].str.extract(r"rec-(\d+)-")[0]
    elif which == "febrl4":
        a, b = febrl(DATA / "dataset4a.csv"), febrl(DATA / "dataset4b.csv")
        linker = Linker([db.register(a), db.register(b)], febrl_settings("link_only"))
        clusters = train_and_cluster(
            linker, [block_on("soc_sec_id")], [block_on("given_name"), block_on("date_of_birth")]
        )
        ids, truth = clusters["cluster_id"], clusters["rec_id"].str.extract(r"rec-(\d+)-")[0]
    elif which == "fake1000":
        df = pd.read_csv(DATA / "fake_1000.csv", dtype=str)
        settings = SettingsCreator(
            link_type="dedupe_only",
            comparisons=[
                cl.NameComparison("first_name"),
                cl.JaroAtThresholds("surname"),
                cl.DateOfBirthComparison("dob", input_is_string=True),
                cl.ExactMatch("city").configure(term_frequency_adjustments=True),
                cl.EmailComparison("email"),
            ],
            blocking_rules_to_generate_predictions=[
                block_on("first_name", "dob"),
                block_on("surname"),
            ],
        )
        linker = Linker(db.register(df), settings)
        clusters = train_and_cluster(
            linker,
            [block_on("first_name", "surname")],
            [block_on("first_name", "surname"), block_on("email")],
        )
        ids, truth = clusters["cluster_id"], clusters["cluster"]
    elif which == "b2b":  # company level of the synthetic B2B file, on enrich's cleaned rows
        from enrich.clean import clean_files
        from enrich.link.derive import derive

        if sys.argv[2].endswith(".parquet"):
            cleaned = pl.read_parquet(sys.argv[2])
        else:
            cleaned = clean_files([sys.argv[2]]).frame
            t = time.perf_counter()
        rows = derive(cleaned).filter("has_company")
        truth_file = pl.read_csv(sys.argv[3], schema_overrides={"company_entity": pl.String})
        cols = [
            "company_name_norm",
            "vat_valid",
            "registry_id",
            "postcode",
            "city",
            "street",
            "email_domain",
            "phone_valid",
        ]
        frame = rows.select(pl.col("source_row").cast(pl.Int64).alias("unique_id"), *cols).join(
            truth_file.select(pl.col("row").alias("unique_id"), "company_entity"),
            on="unique_id",
            how="left",
        )
        settings = SettingsCreator(
            link_type="dedupe_only",
            blocking_rules_to_generate_predictions=[
                block_on("vat_valid"),
                block_on("registry_id"),
                block_on("substr(company_name_norm, 1, 4)", "postcode"),
                block_on("company_name_norm", "city"),
                block_on("email_domain"),
                block_on("phone_valid"),
            ],
            comparisons=[
                cl.JaroWinklerAtThresholds("company_name_norm", [0.93, 0.85]).configure(
                    term_frequency_adjustments=True
                ),
                cl.ExactMatch("vat_valid"),
                cl.ExactMatch("registry_id"),
                cl.ExactMatch("postcode"),
                cl.JaroWinklerAtThresholds("city", [0.88]).configure(
                    term_frequency_adjustments=True
                ),
                cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
                cl.ExactMatch("email_domain"),
                cl.ExactMatch("phone_valid"),
            ],
        )
        linker = Linker(db.register(frame.to_pandas()), settings)
        clusters = train_and_cluster(
            linker,
            [block_on("vat_valid")],
            [block_on("company_name_norm", "city"), block_on("vat_valid")],
        )
        clusters = clusters[
            clusters["company_entity"].notna()
        ]  # scored like link_quality.py: rows with a true company
        ids, truth = clusters["cluster_id"], clusters["company_entity"]
    else:
        raise SystemExit(f"unknown data set {which!r}")
    scores = pairwise_scores(
        pl.Series(ids.astype(str).tolist()), pl.Series(truth.astype(str).tolist())
    )
    out = {
        "data": which,
        **{k: round(v, 5) if isinstance(v, float) else v for k, v in scores.items()},
    }
    out["seconds"] = round(time.perf_counter() - t, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
