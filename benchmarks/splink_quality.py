"""The same benchmark data sets through Splink (DuckDB backend), configured as Splink's own
tutorials configure them — the yardstick for enrich's linking engine (`make bench`).

    python benchmarks/splink_quality.py febrl3 | febrl4 | fake1000

Needs the bench extra (`pip install -e '.[bench]'`). Prints one JSON line like
link_quality.py: pairwise precision / recall / F1 of Splink's clusters, and the time.
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
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
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
    return linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD).as_pandas_dataframe()


def main() -> None:
    logging.disable(logging.CRITICAL)
    which = sys.argv[1]
    t = time.perf_counter()
    db = DuckDBAPI()
    if which == "febrl3":
        df = febrl(DATA / "dataset3.csv")
        linker = Linker(db.register(df), febrl_settings("dedupe_only"))
        clusters = train_and_cluster(linker, [block_on("soc_sec_id")], [block_on("given_name"), block_on("date_of_birth")])
        ids, truth = clusters["cluster_id"], clusters["rec_id"].str.extract(r"rec-(\d+)-")[0]
    elif which == "febrl4":
        a, b = febrl(DATA / "dataset4a.csv"), febrl(DATA / "dataset4b.csv")
        linker = Linker([db.register(a), db.register(b)], febrl_settings("link_only"))
        clusters = train_and_cluster(linker, [block_on("soc_sec_id")], [block_on("given_name"), block_on("date_of_birth")])
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
            blocking_rules_to_generate_predictions=[block_on("first_name", "dob"), block_on("surname")],
        )
        linker = Linker(db.register(df), settings)
        clusters = train_and_cluster(linker, [block_on("first_name", "surname")], [block_on("first_name", "surname"), block_on("email")])
        ids, truth = clusters["cluster_id"], clusters["cluster"]
    else:
        raise SystemExit(f"unknown data set {which!r}")
    scores = pairwise_scores(pl.Series(ids.astype(str).tolist()), pl.Series(truth.astype(str).tolist()))
    out = {"data": which, **{k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()}}
    out["seconds"] = round(time.perf_counter() - t, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
