"""Scoring a row's clues: each clue adds its weight to a candidate (a country, a language);
the candidate with the highest total wins — none on a tie — and the kind of clue that
weighed most for it is the row's source.

Evidence frames hold numbers, not texts: ``cand`` (the candidate's place in its list),
``kind`` (the clue's place in the list of kinds: on equal weight the earlier one names the
source) and ``w``. Once summed they hold ``best``: the weight of the kind that gave the
candidate the most and that kind, in one number compared with ``max``. A (row, candidate)
pair is one integer: grouping on it is several times faster than on a (row, text) pair.

>>> evidence = pl.DataFrame(
...     {"_i": [0, 0, 0, 1, 1], "cand": [0, 0, 1, 0, 1], "kind": [0, 1, 1, 0, 0], "w": [3, 1, 2, 1, 1]}
... )
>>> verdict(summed(evidence, "_i"), 3, ["BE", "FR"], ["postcode", "city"]).rows()
[('BE', None, 'postcode'), (None, ['BE', 'FR'], None), (None, None, None)]
"""

from __future__ import annotations

import polars as pl

SLOTS = 1024  # candidates at most
RANKS = 16  # kinds of clue at most
SUMMED = {"cand": pl.UInt64, "w": pl.Int64, "best": pl.Int64}


def summed(evidence: pl.DataFrame, key: str) -> pl.DataFrame:
    """(*key*, cand, w, best) from (*key*, cand, kind, w): the weights summed per kind,
    then per candidate, with the kind that gave the most in ``best``."""
    pair = (pl.col(key).cast(pl.UInt64) * SLOTS + pl.col("cand")) * RANKS + pl.col("kind")
    per_kind = evidence.group_by(pair.alias("_key")).agg(pl.col("w").sum())
    best = pl.col("w") * RANKS + RANKS - 1 - pl.col("_key") % RANKS
    return (
        per_kind.group_by(pl.col("_key") // RANKS)
        .agg(pl.col("w").sum(), best.max().alias("best"))
        .select(
            (pl.col("_key") // SLOTS).cast(pl.UInt32).alias(key),
            (pl.col("_key") % SLOTS).alias("cand"),
            pl.col("w").cast(pl.Int64),
            pl.col("best").cast(pl.Int64),
        )
    )


def per_row(evidence: pl.DataFrame) -> pl.DataFrame:
    """Summed evidence of several kinds of values, added up per row (``_i``) and candidate."""
    pair = pl.col("_i").cast(pl.UInt64) * SLOTS + pl.col("cand")
    return (
        evidence.group_by(pair.alias("_key"))
        .agg(pl.col("w").sum(), pl.col("best").max())
        .select(
            (pl.col("_key") // SLOTS).cast(pl.UInt32).alias("_i"),
            (pl.col("_key") % SLOTS).alias("cand"),
            pl.col("w").cast(pl.Int64),
            pl.col("best").cast(pl.Int64),
        )
    )


def verdict(
    evidence: pl.DataFrame, height: int, candidates: list[str], kinds: list[str]
) -> pl.DataFrame:
    """Per row 0 … *height*-1: ``winner`` (null: no evidence, or a tie), ``tied`` (the
    candidates tied at the top, on a tie only) and ``source`` (the winner's best kind)."""
    top = per_row(evidence)
    top = top.filter(pl.col("w") == pl.col("w").max().over("_i"))
    top = top.with_columns(pl.len().over("_i").alias("n"))
    name = pl.col("cand").replace_strict(dict(enumerate(candidates)), return_dtype=pl.String)
    rank = RANKS - 1 - pl.col("best") % RANKS
    source = rank.replace_strict(dict(enumerate(kinds)), default=None, return_dtype=pl.String)
    single = top.filter(pl.col("n") == 1).select(
        "_i",
        name.alias("winner"),
        pl.lit(None, pl.List(pl.String)).alias("tied"),
        source.alias("source"),
    )
    tied = (
        top.filter(pl.col("n") > 1)
        .group_by("_i")
        .agg(name.sort().alias("tied"))
        .select("_i", pl.lit(None, pl.String).alias("winner"), "tied", pl.lit(None, pl.String).alias("source"))
    )  # fmt: skip
    rows = pl.DataFrame({"_i": pl.arange(0, height, eager=True, dtype=pl.UInt32)})
    found = pl.concat([single, tied])
    return rows.join(found, on="_i", how="left", maintain_order="left").drop("_i")


def numbered(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}
