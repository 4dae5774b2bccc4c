"""Linking level by level, as rules/link.toml declares them: companies first, then people
within them.

Company evidence is not person evidence: switchboard phones, company e-mail domains, names
and addresses are shared by everyone at a company, so contacts are compared *within* their
company (``company_id`` is a cannot-link at contact level), on person evidence only: names, a
personal mailbox, a mobile. Rows without a person name are the company's generic contact
(``contact_id`` empty). Free-mail and ISP domains never block or link companies. Rows
without company data (B2C) are linked at contact level only. A person who moved is a new
contact at the new company; ``person_id`` links the two when a private channel (mobile,
free-mail address) and the name say it is the same person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from .. import progress
from ..ruleset import Rules, rules_or_default
from .comparisons import FOLDED
from .derive import Level, derive, helper_names, helpers, levels
from .engine import LinkResult, link
from .files import load_settings
from .ids import assign_ids, id_number, person_ids
from .model import Model
from .settings import Settings
from .state import (
    chunked_like,
    from_state,
    key_columns,
    lined_up,
    link_state,
    linked_columns,
    own_ids,
)

# the master's entity levels (its golden tables); a customer is a contact of no company
LEVELS = ("company", "contact")
# the shipped linking levels in link order (rules/link.toml); a run's: levels(rules)
LINKED = ("company", "customer", "contact")


@dataclass
class Dedupe:
    frame: pl.DataFrame  # the input rows with their ids (company_id, contact_id …)
    results: dict[str, LinkResult]  # per level, in the order they were linked
    rows: dict[str, pl.Series]  # per level: the input row index of each linked record
    derived: pl.DataFrame  # the rows with derive()'s helper columns, as linked
    # per level: link_state() of its records
    state: dict[str, pl.DataFrame] = field(default_factory=dict)


def dedupe(
    frame: pl.DataFrame,
    models: dict[str, Model] | None = None,
    decisions: dict[str, pl.DataFrame] | None = None,
    master: pl.DataFrame | None = None,
    used: dict[str, int] | None = None,
    state: dict[str, pl.DataFrame] | None = None,
    persons: bool = True,
    *,
    rules: Rules | None = None,
) -> Dedupe:
    """An id per level (company_id, contact_id) for every cleaned row.

    With *master* (the records of an earlier run, with their ids), the rows of *frame* are
    linked to it and among themselves, and the master is not re-deduplicated: its ids are
    kept, its clusters are neither merged nor split, new entities get new ids (after the
    highest in use, or in *used*, per level). A row of *frame* that already carries an id
    keeps it (a master row a steward decision reopened at the other level). The result
    holds the master rows first, then *frame*. *state*: the master's link state
    (``Dedupe.state`` of the run that made it, for exactly its rows): what linking read of
    them is taken from it, not computed again. *persons*: give ``person_id`` too (else the
    caller does: ``person_ids(result.derived)``)."""
    rules = rules_or_default(rules)
    settings = load_settings(rules)
    declared = levels(rules)
    frame, given = _derived_rows(frame, master, state, declared, rules)
    row = pl.int_range(frame.height, dtype=pl.UInt32, eager=True).alias("_row")
    data = pl.concat([pl.DataFrame(chunked_like(frame, row)), frame], how="horizontal")
    results, rows, states = {}, {}, {}
    for level in declared:
        step = progress.begin(f"link {level.name}")
        known = level.id if master is not None else None
        res, rows[level.name], ids = _link_level(
            data,
            level,
            settings[level.name],
            known,
            given.get(level.name),
            models,
            decisions,
            used,
            rules,
        )
        results[level.name] = res
        data = data.with_columns(chunked_like(data, ids))
        states[level.name] = link_state(
            level.name,
            data.select("source_file", "source_row", *helper_names(rules)).filter(data[level.rows]),
            res.view,
            set(settings[level.name].columns),
            rules,
        )
        progress.end(step, rows=len(rows[level.name]))
    out = data.select(pl.exclude("_row", *helpers(rules)))
    if persons:
        out = out.with_columns(chunked_like(data, person_ids(data, rules)))
    return Dedupe(out, results, rows, data, states)


def _derived_rows(
    frame: pl.DataFrame,
    master: pl.DataFrame | None,
    state: dict[str, pl.DataFrame] | None,
    declared: tuple[Level, ...],
    rules: Rules,
) -> tuple[pl.DataFrame, dict]:
    """The rows to link (a master's first) with their helper columns, and per level the view
    linking read of the master's records, taken from its *state* when it holds them."""
    given: dict = {}
    if master is None:
        frame = derive(frame, rules)
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(level.id)
            for level in declared
            if level.id not in frame.columns
        )
        filled = from_state(master, state, rules) if state else None
        if filled is not None:
            old, given = filled
            frame = pl.concat([old, derive(frame, rules)], how="diagonal_relaxed")
        else:
            frame = derive(pl.concat([master, frame], how="diagonal_relaxed"), rules)
    return lined_up(frame), given


def _link_level(
    data: pl.DataFrame,
    level: Level,
    settings: Settings,
    known: str | None,
    given: dict | None,
    models: dict[str, Model] | None,
    decisions: dict[str, pl.DataFrame] | None,
    used: dict[str, int] | None,
    rules: Rules,
) -> tuple[LinkResult, pl.Series, pl.Series]:
    """Link one level's rows of *data*: its result, the rows it linked, and its id column."""
    # in one chunk: the engine gathers, sorts and hands columns to numpy (the frame itself keeps
    # a master's chunks: copying all its columns into one would cost more than it saves)
    linked = (
        data.select(linked_columns(data, settings, level.rows, known)).filter(level.rows).rechunk()
    )
    if known:  # the master's ids as numbers: the engine groups and compares them
        linked = linked.with_columns(id_number(linked[known], level.prefix).alias("_known"))
    seen = dict(given or {})
    # an id blocks (contacts within their company): 'co-12' folds to 'co 12', as
    # fold_values() would, without its distinct values
    for c in sorted(own_ids(rules) & key_columns(settings) & set(linked.columns)):
        seen[FOLDED + c] = linked[c].str.replace("-", " ", literal=True)
    res = link(
        linked,
        settings,
        model=(models or {}).get(level.name),
        decisions=local_decisions((decisions or {}).get(level.name), linked),
        known="_known" if known else None,
        given=seen,
    )
    ids = assign_ids(
        level.prefix,
        linked["_row"],
        res.cluster_id,
        data.height,
        data[level.id] if known else None,
        (used or {}).get(level.name),
    )
    return res, linked["_row"], ids.alias(level.id)


def local_decisions(decided: pl.DataFrame | None, subset: pl.DataFrame) -> pl.DataFrame | None:
    """Steward decisions (by source file and row) as record ids of *subset*."""
    if decided is None or decided.height == 0:
        return None
    index = subset.select(
        "source_file", pl.col("source_row").cast(pl.Int64), pl.int_range(pl.len()).alias("id")
    )
    return (
        decided.join(
            index.rename({"source_file": "source_file_l", "source_row": "source_row_l", "id": "a"}),
            on=["source_file_l", "source_row_l"],
        )
        .join(
            index.rename({"source_file": "source_file_r", "source_row": "source_row_r", "id": "b"}),
            on=["source_file_r", "source_row_r"],
        )
        .select(
            pl.min_horizontal("a", "b").alias("id_l"),
            pl.max_horizontal("a", "b").alias("id_r"),
            "is_match",
        )
    )
