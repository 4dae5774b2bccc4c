"""What linking read of a master's records, kept with them for the next run (its *link
state*), read back; and the chunk layout the frames of a run keep.

A master's records come in row groups, the new rows after them: a column whose chunks do
not line up with the others' makes every later select or filter of the frame copy all its
columns into one chunk first, so new columns are cut like the frame's (``chunked_like``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..ruleset import Rules
from .comparisons import FOLDED, TIDIED
from .derive import helper_names, levels, person, row_flags
from .settings import Settings, parse_key

SOURCE = ("source_file", "source_row")


def own_ids(rules: Rules | None = None) -> frozenset[str]:
    """The ids linking gives: never kept in a link state (they can change)."""
    return frozenset({*(level.id for level in levels(rules)), "person_id"})


def lined_up(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame*, its columns' chunks lined up (see ``chunked_like``): as it is if they are, else
    copied into one chunk per column."""
    if len({tuple(len(c) for c in col.get_chunks()) for col in frame.iter_columns()}) > 1:
        return frame.rechunk()
    return frame


def chunked_like(frame: pl.DataFrame, column: pl.Series) -> pl.Series:
    """*column* cut into the chunks of *frame*'s columns (a master's row groups, then the new
    rows), without a copy. A column whose chunks do not line up with the others' makes every
    later select or filter of the frame copy all its columns into one chunk first."""
    lengths = [len(c) for c in frame.to_series(0).get_chunks()] if frame.width else []
    if [len(c) for c in column.get_chunks()] == lengths:
        return column
    column = column.rechunk()
    if len(lengths) <= 1:
        return column
    starts = np.cumsum([0, *lengths[:-1]])
    return pl.concat([column.slice(int(a), k) for a, k in zip(starts, lengths)], rechunk=False)


def link_state(
    level: str,
    rows: pl.DataFrame,
    seen: dict[str, pl.Series],
    reads: set[str],
    rules: Rules | None = None,
) -> pl.DataFrame:
    """What linking read of one level's *rows*, to be kept with them for the next run: their
    source, the helper columns derive() gave them that the level reads (and person_id's
    channels), the folded and tidied values (``comparisons.view``) — but not the ids linking
    gives (they can change): those are folded again."""
    how = person(rules)
    persons = {how.key, *how.channels} if level == how.of else set()
    derived = [c for c in helper_names(rules) if c in reads or c in persons]
    own = own_ids(rules)
    keep = {name: s for name, s in seen.items() if name.split(":", 1)[1] not in own}
    return rows.select("source_file", pl.col("source_row").cast(pl.Int64), *derived).hstack(
        [s.alias(name) for name, s in keep.items()]
    )


def from_state(
    master: pl.DataFrame, state: dict[str, pl.DataFrame], rules: Rules | None = None
) -> tuple[pl.DataFrame, dict] | None:
    """The master's records with the columns derive() gave them, and per level the view
    linking read of them — from *state*; None when it does not hold exactly these records,
    level by level (then they are derived and folded again)."""
    flags = row_flags(rules)
    master = master.with_columns(flags.values())
    n = master.height
    filled: dict[str, pl.Series] = {}
    given = {}
    for level in levels(rules):
        st = state.get(level.name)
        rows = master.select(
            "source_file",
            pl.col("source_row").cast(pl.Int64),
            pl.int_range(n, dtype=pl.Int64).alias("_i"),
        ).filter(master[level.rows])
        if not _holds(st, rows):
            return None
        for c in st.columns:
            if not c.startswith((FOLDED, TIDIED)) and c not in SOURCE:
                filled[c] = _spread(filled.get(c), st[c], rows["_i"], n)
        given[level.name] = {c: st[c] for c in st.columns if c.startswith((FOLDED, TIDIED))}
    for c in helper_names(rules):  # what no level reads is not kept: null
        if c not in flags:
            filled.setdefault(c, pl.repeat(None, n, dtype=pl.String, eager=True).alias(c))
    return master.with_columns(chunked_like(master, column) for column in filled.values()), given


def _holds(state: pl.DataFrame | None, rows: pl.DataFrame) -> bool:
    """Whether a level's *state* is of exactly these *rows* (by source file and row)."""
    return (
        state is not None
        and state.height == rows.height
        and (state["source_row"] == rows["source_row"]).all()
        and (state["source_file"].cast(pl.String) == rows["source_file"].cast(pl.String)).all()
    )


def _spread(column: pl.Series | None, values: pl.Series, at: pl.Series, n: int) -> pl.Series:
    """*values* of the rows *at* into a column of *n* rows (*column*, else nulls)."""
    if at.len() == n:  # every record is at this level: the state's column is the whole column
        return values
    column = column if column is not None else pl.repeat(None, n, dtype=values.dtype, eager=True)
    return column.alias(values.name).scatter(at, values)


def key_columns(settings: Settings) -> set[str]:
    """The columns the blocking keys of *settings* read."""
    return {parse_key(k)[1] for rule in settings.blocking for k in rule.keys}


def linked_columns(
    data: pl.DataFrame, settings: Settings, rows: str, known: str | None
) -> list[str]:
    """What one level's link needs of the rows (*rows*: its row flag): a narrow copy is
    cheaper than a wide one."""
    need = {*settings.columns, "_row", rows, *SOURCE, *([known] if known else [])}
    return [c for c in data.columns if c in need]
