"""The scored pairs of a dedupe run as tables: all of them (pairs.parquet), and the grey-zone
decisions a steward makes (review.csv)."""

from __future__ import annotations

import polars as pl

from .levels import Dedupe

FIRST = (
    "source_file_l",
    "source_row_l",
    "source_file_r",
    "source_row_r",
    "match_probability",
    "match_weight",
    "band",
    "rule",
)


def pairs_table(
    result: Dedupe, level: str, pairs: pl.DataFrame | None = None, fields: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Scored pairs of *level* (all, or *pairs*, some of them) with both records named by
    source file and row, in input order (the record ids follow it), and the values of
    *fields* of both records (``<field>_l``, ``<field>_r``). The records are taken by
    position: work in proportion to the pairs, not to the records."""
    res, rows = result.results[level], result.rows[level]
    pairs = res.weighed(res.pairs if pairs is None else pairs)
    pairs = pairs.with_columns(pl.col("id_l").cast(pl.UInt32), pl.col("id_r").cast(pl.UInt32)).sort(
        "id_l", "id_r"
    )
    sides = []
    for side in ("l", "r"):
        at = rows.gather(pairs[f"id_{side}"])  # the records' rows in the result
        sides.append(
            result.frame.select("source_file", pl.col("source_row").cast(pl.Int64))
            .select(pl.all().gather(at))
            .rename({"source_file": f"source_file_{side}", "source_row": f"source_row_{side}"})
        )
        if fields:
            sides.append(
                result.derived.select(pl.col(f).gather(at).alias(f"{f}_{side}") for f in fields)
            )
    pairs = pl.concat([pairs, *sides], how="horizontal")
    # each level has its own rule names
    pairs = pairs.with_columns(pl.col("rule").cast(pl.Categorical))
    return pairs.select(pl.lit(level).alias("level"), *FIRST, pl.exclude(["id_l", "id_r", *FIRST]))


def review_table(result: Dedupe) -> pl.DataFrame:
    """The grey-zone decisions: one pair per two clusters that review-band pairs join
    (``LinkResult.review``, see ``engine.review_pairs``), both records side by side,
    per-field evidence, how many review pairs it stands for, and an empty ``decision``
    column for the steward (match / no_match)."""
    tables = []
    for level, res in result.results.items():
        fields = res.model.fields
        pairs = pairs_table(result, level, res.review, tuple(fields))
        evidence = [c for f in fields for c in (f"{f}_l", f"{f}_r", f"w_{f}")]
        tables.append(
            pairs.select(
                "level",
                *FIRST[:4],
                pl.col("match_probability").round(4),
                pl.col("match_weight").round(2),
                "pairs_between",
                *[pl.col(c).round(2) if c.startswith("w_") else pl.col(c) for c in evidence],
                pl.lit("").alias("decision"),
            )
        )
    return pl.concat(tables, how="diagonal_relaxed") if tables else pl.DataFrame()


def all_pairs(result: Dedupe) -> pl.DataFrame:
    """The scored pairs of every level in one table."""
    return pl.concat(
        [pairs_table(result, level) for level in result.results], how="diagonal_relaxed"
    )
