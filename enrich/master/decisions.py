"""The steward decisions a master remembers: one row per pair and level (DECISION_COLUMNS), a
new decision on a pair replacing the old one, and how they stand against the master's ids."""

from __future__ import annotations

import polars as pl

from ..link.files import decisions_by_level
from ..link.levels import LEVELS
from .ids import ID_COLUMNS

DECISION_COLUMNS = [
    "level",
    "source_file_l",
    "source_row_l",
    "source_file_r",
    "source_row_r",
    "decision",
]


def decisions_by_key(decisions: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """DECISION_COLUMNS → per level: both sides and is_match (the format link.levels.dedupe expects)."""
    return decisions_by_level(decisions, list(LEVELS))


def merge_decisions(old: pl.DataFrame | None, new: dict[str, pl.DataFrame] | None) -> pl.DataFrame:
    """Remembered decisions plus this run's; a new decision on the same pair wins."""
    parts = (
        []
        if old is None
        else [
            old.select(DECISION_COLUMNS).with_columns(
                pl.col("source_row_l").cast(pl.Int64), pl.col("source_row_r").cast(pl.Int64)
            )
        ]
    )
    for level, d in (new or {}).items():
        parts.append(
            d.select(
                pl.lit(level).alias("level"),
                "source_file_l",
                pl.col("source_row_l").cast(pl.Int64),
                "source_file_r",
                pl.col("source_row_r").cast(pl.Int64),
                pl.when("is_match")
                .then(pl.lit("match"))
                .otherwise(pl.lit("no_match"))
                .alias("decision"),
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                c: (pl.Int64 if c.startswith("source_row") else pl.String) for c in DECISION_COLUMNS
            }
        )
    both = _one_order_per_pair(pl.concat(parts))
    return (
        both.unique(
            ["level", "source_file_l", "source_row_l", "source_file_r", "source_row_r"],
            keep="last",
            maintain_order=True,
        )
        .select(DECISION_COLUMNS)
        .sort(DECISION_COLUMNS)
    )


def _one_order_per_pair(decisions: pl.DataFrame) -> pl.DataFrame:
    """*decisions* with the two sides of each pair in one order: the smaller (file, row) left."""
    return decisions.with_columns(
        pl.when(
            (pl.col("source_file_l") < pl.col("source_file_r"))
            | (
                (pl.col("source_file_l") == pl.col("source_file_r"))
                & (pl.col("source_row_l") <= pl.col("source_row_r"))
            )
        )
        .then(
            pl.struct(
                f=pl.col("source_file_l"),
                r=pl.col("source_row_l"),
                F=pl.col("source_file_r"),
                R=pl.col("source_row_r"),
            )
        )
        .otherwise(
            pl.struct(
                f=pl.col("source_file_r"),
                r=pl.col("source_row_r"),
                F=pl.col("source_file_l"),
                R=pl.col("source_row_l"),
            )
        )
        .alias("_k")
    ).with_columns(
        pl.col("_k").struct.field("f").alias("source_file_l"),
        pl.col("_k").struct.field("r").alias("source_row_l"),
        pl.col("_k").struct.field("F").alias("source_file_r"),
        pl.col("_k").struct.field("R").alias("source_row_r"),
    )


def decided_ids(records: pl.DataFrame, decisions: pl.DataFrame, level: str) -> pl.DataFrame:
    """The decisions of *level* with the ids their two rows hold in *records*: ``_l``, ``_r``
    (null for a row the records do not hold), and ``held`` (the ids agree with the decision)."""
    d = decisions.filter(pl.col("level") == level)
    if d.height == 0:  # nothing to look up in a million records
        return d.with_columns(
            pl.lit(None, pl.String).alias("_l"),
            pl.lit(None, pl.String).alias("_r"),
            pl.lit(None, pl.Boolean).alias("held"),
        )
    named = pl.concat([d["source_row_l"], d["source_row_r"]]).unique().implode()
    keys = records.select(
        "source_file", pl.col("source_row").cast(pl.Int64), pl.col(ID_COLUMNS[level]).alias("_id")
    ).filter(pl.col("source_row").is_in(named))
    for side in ("l", "r"):
        d = d.join(
            keys.rename(
                {
                    "source_file": f"source_file_{side}",
                    "source_row": f"source_row_{side}",
                    "_id": f"_{side}",
                }
            ),
            on=[f"source_file_{side}", f"source_row_{side}"],
            how="left",
        )
    return d.with_columns(
        ((pl.col("decision") == "match") == (pl.col("_l") == pl.col("_r"))).alias("held")
    )


def decision_outcomes(records: pl.DataFrame, decisions: pl.DataFrame) -> dict[str, int]:
    """How the steward decisions stand in the result: applied, not applied (a cannot-link
    rule — two different valid VAT numbers — is stronger than a match), or naming a row the
    master does not hold."""
    out = {"applied": 0, "not_applied": 0, "unknown_rows": 0}
    for level in LEVELS:
        d = decided_ids(records, decisions, level)
        known = d.drop_nulls(["_l", "_r"])
        out["applied"] += int(known["held"].sum())
        out["not_applied"] += int((~known["held"]).sum())
        out["unknown_rows"] += d.height - known.height
    return out
