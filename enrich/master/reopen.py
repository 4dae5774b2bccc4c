"""Clusters of the previous master that a steward decision contradicts (a match across two, a
no_match inside one) are reopened: their records are linked again with the new rows, then each
old id goes back to the part holding most of its rows, and ``changes`` (CHANGE_COLUMNS) names
every id merged away or split off."""

from __future__ import annotations

import polars as pl

from ..link.levels import LINKED
from .decisions import decided_ids
from .ids import ID_COLUMNS

CHANGE_COLUMNS = ["level", "old_id", "new_id", "change", "reason"]


def reopened_levels(records: pl.DataFrame) -> tuple[str, ...]:
    """The linked levels whose ids *records* hold (a master without customers: none of
    theirs), in link order."""
    return tuple(level for level in LINKED if ID_COLUMNS[level] in records.columns)


def reopen(records: pl.DataFrame, decisions: pl.DataFrame) -> dict[str, set[str]]:
    """Per level, the previous ids a decision contradicts: a match across two of them, a
    no_match inside one. A company reopened reopens its contacts too, and so does a
    customer (each customer is one contact)."""
    levels = reopened_levels(records)
    out = {level: set() for level in levels}
    for level in levels:
        wrong = (
            decided_ids(records, decisions, level).drop_nulls(["_l", "_r"]).filter(~pl.col("held"))
        )
        out[level] |= set(wrong["_l"].to_list()) | set(wrong["_r"].to_list())
    for outer in ("company", "customer"):
        if out.get(outer):
            out["contact"] |= set(
                records.filter(pl.col(ID_COLUMNS[outer]).is_in(sorted(out[outer])))["contact_id"]
                .drop_nulls()
                .to_list()
            )
    return out


def take_reopened(
    records: pl.DataFrame, reopened: dict[str, set[str]]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """(the records kept as they are, the reopened ones — their reopened ids moved to
    ``_old_<level>`` — and the mask of the kept ones)."""
    out = pl.lit(False)
    for level in reopened:
        out = out | pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])).fill_null(False)
    again = records.filter(out).with_columns(
        *(
            pl.when(pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])))
            .then(None)
            .otherwise(pl.col(ID_COLUMNS[level]))
            .alias(ID_COLUMNS[level])
            for level in reopened
        ),
        *(
            pl.when(pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])))
            .then(pl.col(ID_COLUMNS[level]))
            .alias(f"_old_{level}")
            for level in reopened
        ),
    )
    kept = ~records.select(out).to_series()
    return records.filter(kept), again, kept


def settle_reopened(
    records: pl.DataFrame, frame: pl.DataFrame, master: pl.DataFrame
) -> tuple[pl.DataFrame, list[dict]]:
    """The linked *records* with the reopened ids given back (``settle``), and the changes.
    *frame*: the rows linked after the *master* records, with their old ids."""
    levels = [level for level in LINKED if f"_old_{level}" in frame.columns]
    olds = [f"_old_{level}" for level in levels]
    old = pl.DataFrame(
        [pl.repeat(None, master.height, dtype=pl.String, eager=True).alias(c) for c in olds]
    )
    records = records.with_columns(pl.concat([old, frame.select(olds)]))
    changes = []
    for level in levels:
        records, c = settle(records, level, f"_old_{level}", master[ID_COLUMNS[level]])
        changes += c
    return records.drop(olds), changes


def settle(
    frame: pl.DataFrame, level: str, old: str, kept: pl.Series
) -> tuple[pl.DataFrame, list[dict]]:
    """Give the reopened ids back after relinking: each old id goes to the new cluster holding
    most of its rows (then the smallest id), one old id per cluster — but a cluster of the
    master that was not reopened (its id in *kept*) keeps its id. The changes name every old
    id that was merged into another or lost rows to a new one."""
    col = ID_COLUMNS[level]
    moved = (
        frame.filter(pl.col(old).is_not_null() & pl.col(col).is_not_null()).group_by(old, col).len()
    )
    if moved.height == 0:
        return frame, []
    moved = moved.filter(~pl.col(col).is_in(kept.drop_nulls().unique().implode())).sort(
        ["len", old, col], descending=[True, False, False]
    )
    back, taken_old, taken_new = {}, set(), set()
    for o, n, _ in moved.iter_rows():
        if o not in taken_old and n not in taken_new:
            back[n], taken_old, taken_new = o, taken_old | {o}, taken_new | {n}
    frame = frame.with_columns(pl.col(col).replace(back).alias(col))
    changes = []
    final = (
        frame.filter(pl.col(old).is_not_null() & pl.col(col).is_not_null())
        .group_by(old)
        .agg(pl.col(col).unique().sort())
    )
    for o, news in final.sort(old).iter_rows():
        for n in news:
            if n != o:
                kind = "split" if o in taken_old else "merged"
                changes.append(
                    {
                        "level": level,
                        "old_id": o,
                        "new_id": n,
                        "change": kind,
                        "reason": "steward decision",
                    }
                )
    return frame, changes
