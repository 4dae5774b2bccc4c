"""The steward decisions a master remembers: one row per pair and level (DECISION_COLUMNS), a
new decision on a pair replacing the old one, and how they stand against the master's ids —
for this run's decisions file, row by row (``file_outcomes``)."""

from __future__ import annotations

import polars as pl

from ..link.decision_file import AGAIN
from ..link.files import decisions_by_level
from ..link.levels import LINKED
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
    return decisions_by_level(decisions, list(LINKED))


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


def decision_outcomes(records: pl.DataFrame, decisions: pl.DataFrame) -> dict:
    """How the steward decisions stand in the result: applied, not applied (a cannot-link
    rule — two different valid VAT numbers — is stronger than a match), or naming a row the
    master does not hold; ``not_applied_pairs`` names each one not applied by its two rows
    (``file:row``, as lineage names them) and why — row ids only, no value."""
    out = {"applied": 0, "not_applied": 0, "unknown_rows": 0}
    named: list[dict] = []
    for level in LINKED:
        d = decided_ids(records, decisions, level)
        known = d.drop_nulls(["_l", "_r"])
        out["applied"] += int(known["held"].sum())
        out["not_applied"] += int((~known["held"]).sum())
        out["unknown_rows"] += d.height - known.height
        why = (
            pl.when(pl.col("_l").is_null() | pl.col("_r").is_null())
            .then(pl.lit(NOT_HELD_ROW))
            .when(~pl.col("held"))
            .then(pl.col("decision").replace_strict(NOT_HELD, default=None))
        )
        missed = d.select(
            pl.col("level"),
            pl.format("{}:{}", "source_file_l", "source_row_l").alias("a"),
            pl.format("{}:{}", "source_file_r", "source_row_r").alias("b"),
            "decision",
            why.alias("reason"),
        ).drop_nulls("reason")
        named += missed.to_dicts()
    out["not_applied_pairs"] = named
    return out


NOT_HELD = {
    "match": "kept apart: a cannot-link rule (e.g. two different valid VAT numbers) is stronger",
    "no_match": "still one: other rows join the two",
}
NOT_HELD_ROW = "names a row the master does not hold"


def file_outcomes(records: pl.DataFrame, decided) -> dict:
    """Every row of a decisions file (``link.decision_file.DecisionFile``) accounted for in
    the result: applied, not applied with the reason (row numbers by reason), left blank,
    or unreadable — ``rows`` is the sum of them all."""
    out = decided.reading()
    del out["decided_again"]  # not applied, below
    not_applied: dict[str, list[int]] = {}
    if decided.again:
        not_applied[AGAIN] = list(decided.again)
    applied = 0
    for level in decided.decided["level"].unique().sort().to_list():
        d = decided_ids(records, decided.decided, level)
        applied += int(d["held"].fill_null(False).sum())
        why = (
            pl.when(pl.col("_l").is_null() | pl.col("_r").is_null())
            .then(pl.lit(NOT_HELD_ROW))
            .when(~pl.col("held"))
            .then(pl.col("decision").replace_strict(NOT_HELD, default=None))
        )
        missed = d.select(why.alias("why"), "decision_row").drop_nulls("why")
        for reason, rows in missed.group_by("why").agg("decision_row").rows():
            not_applied.setdefault(reason, []).extend(rows)
    out["applied"] = applied
    out["not_applied"] = {r: sorted(rows) for r, rows in sorted(not_applied.items())}
    return out
