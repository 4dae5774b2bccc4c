"""The master job as a library: cleaned rows → linked → golden companies and contacts, with
lineage for every input row, and stable ids across runs.

Row order never matters: the rows are put in a canonical order (by a hash of their content)
before linking, so shuffled inputs give the same clusters, ids and golden rows. With a
previous master, its records are linked to, not re-linked: their ids stay, new entities
get ids after the highest ever given. A steward decision that contradicts a previous
cluster (match across two, no_match inside one) reopens those records: they are linked
again, the old ids go to the part holding most of their rows, and ``changes`` records every
id that was merged away or split off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import polars as pl

from .. import progress
from ..consent import apply as consent_apply
from ..consent import register as consent_register
from ..consent.apply import Consent
from ..errors import InputError
from ..link.ids import person_ids
from ..link.levels import LEVELS, LINKED, Dedupe, dedupe
from ..link.model import Model
from ..link.state import chunked_like
from ..parallel import beside, side_by_side
from ..ruleset import Rules
from .carry import carry, reusable_tables, usable_state
from .decisions import decision_outcomes, decisions_by_key, merge_decisions
from .golden import (
    by_level,
    companies_table,
    contacts_per_company,
    contacts_table,
    golden_level,
    survival_rows,
)
from .ids import ID_COLUMNS, highest_ids
from .lineage import rejected, row_lineage
from .reopen import CHANGE_COLUMNS, reopen, settle_reopened, take_reopened
from .survive import ID, Survivorship


@dataclass
class Previous:
    """What a master run keeps for the next one."""

    records: pl.DataFrame  # every linked row, with company_id / contact_id / person_id
    lineage: pl.DataFrame  # one row per input row of every earlier run
    decisions: pl.DataFrame  # every steward decision so far (DECISION_COLUMNS)
    last_ids: dict[str, int]  # the highest id number ever given, per level
    models: dict[str, Model] | None = None
    rules_hash: str | None = None  # of the rules that built it
    link_state: dict[str, pl.DataFrame] = field(
        default_factory=dict
    )  # per level: what linking read of its records
    state_made_by: dict = field(
        default_factory=dict
    )  # the versions that computed link_state (state_versions())
    parts: dict[str, list] = field(
        default_factory=dict
    )  # the files records and link state were read from (folder.parts)
    digests: dict[str, str] = field(
        default_factory=dict
    )  # the SHA-256 of each file read, by its path (those linked into the next master are checked)
    register: pl.DataFrame | None = None  # the do-not-contact register (consent.register)
    register_points: pl.DataFrame | None = None  # its contact points' keys (consent.apply)


@dataclass
class Master:
    records: pl.DataFrame
    companies: pl.DataFrame
    contacts: pl.DataFrame
    contact_points: pl.DataFrame
    provenance: pl.DataFrame
    lineage: pl.DataFrame
    rejects: pl.DataFrame
    changes: pl.DataFrame
    decisions: pl.DataFrame
    linked: Dedupe
    last_ids: dict[str, int]
    link_state: dict[str, pl.DataFrame] = field(
        default_factory=dict
    )  # per level, for the next run (Dedupe.state)
    registry_review: pl.DataFrame | None = (
        None  # companies whose name fits two registry companies (--registry)
    )
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    carried: dict[str, tuple[list, int]] = field(
        default_factory=dict
    )  # per state table: the previous parts holding its first n rows as they are
    digests: dict[str, str] = field(default_factory=dict)  # Previous.digests
    register: pl.DataFrame | None = None  # the do-not-contact register, for the next run
    register_points: pl.DataFrame | None = None  # the keys of its contact points, likewise
    pairs: pl.DataFrame | None = None  # pairs.parquet as it is (None: this run's kept pairs)


def build(
    cleaned: pl.DataFrame,
    rejects: pl.DataFrame,
    *,
    survivorship: Survivorship,
    rules: Rules | None = None,
    previous: Previous | None = None,
    previous_tables: Callable[[], dict] | None = None,
    decisions: dict[str, pl.DataFrame] | None = None,
    models: dict[str, Model] | None = None,
    consent: Consent | None = None,
    rules_hash: str | None = None,
) -> Master:
    """Link *cleaned* (to *previous*, if given) and build the golden records.

    *survivorship*: ``survive.load(rules)``; *rules*: the rules of the run (None: the shipped
    ones). With *previous* built by the same rules (*rules_hash*), only the companies and
    contacts that a new (or reopened) row touches are survived again; the others keep their
    golden rows, contact points and provenance (*previous_tables* gives them:
    ``folder.read_golden_tables``, asked for once linking is done — e.g. the ``result`` of a
    future that reads them beside): the result is the same as surviving everything. Its link
    state, if the same rules and code made it, spares folding its records again."""
    survivorship.check_columns(set(cleaned.columns) | {"opt_out"}, rules=rules)
    lap = _Laps()
    frame = canonical_order(cleaned)
    del cleaned  # the caller may have let go of it too: one copy of the rows, not two
    all_decisions = merge_decisions(previous.decisions if previous else None, decisions)
    start = _Start()
    if previous is not None:
        frame, start = _start_from(previous, frame, all_decisions, rules_hash, rules)
    lap("order")
    found = _link(frame, start, all_decisions, models, rules)
    lap("link")
    records, changes = found.frame, []
    if any(start.reopened.values()):
        records, changes = settle_reopened(records, frame, start.master)
    last_ids = highest_ids(records, start.master, start.used)
    rows = survival_rows(records, found.derived, survivorship)
    all_rejects = rejected(records, rejects)
    aside = partial(_ids_and_lineage, found.derived, records, all_rejects, previous, rules)
    with beside(aside) as ids_and_lineage:  # what does not wait for the golden records
        lap("ids")
        tables = reusable_tables(previous, previous_tables, rules_hash)
        step = progress.begin("survive")
        # with *tables*, only the entities a new row touches
        levels, survived = _survive_levels(rows, records, start, survivorship, tables)
        lap("survive")
        progress.end(step, rows=rows.height)
        persons, lineage, held_by = ids_and_lineage.result()
    records = records.with_columns(chunked_like(records, persons))
    (companies, company_points, company_prov) = levels["company"]
    contacts, refused = _refused(levels["contact"], companies, records, start, previous, consent)
    companies = companies_table(companies, held_by)
    changes = pl.DataFrame(changes, schema=dict.fromkeys(CHANGE_COLUMNS, pl.String))
    changes = changes.sort("level", "old_id", "new_id")
    link_state = None if previous is None else ("kept" if start.state else "computed again")
    counts = _counts(
        records, companies, contacts, lineage, changes, all_decisions, survived, link_state
    ) | {"register": refused.counts}
    lap("lineage")
    return Master(
        records,
        companies,
        contacts,
        by_level(company_points, levels["contact"][1]),  # contact points
        by_level(company_prov, levels["contact"][2]),  # provenance
        lineage,
        all_rejects,
        changes,
        all_decisions,
        found,
        last_ids,
        found.state,
        None,
        counts,
        lap.rounded(),
        start.carried,
        previous.digests if previous else {},
        *refused[:2],
    )


class _Refused(NamedTuple):
    register: pl.DataFrame  # the do-not-contact register of this run
    keyed: pl.DataFrame | None  # the keys of the contacts' points (consent.apply.point_keys)
    counts: dict  # run.json's master.register


def _refused(
    level: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    companies: pl.DataFrame,
    records: pl.DataFrame,
    start: _Start,
    previous: Previous | None,
    consent: Consent | None,
) -> tuple[pl.DataFrame, _Refused]:
    """The contacts table as written (``contacts_table``: each channel refused), and the
    do-not-contact register: the previous master's, with the suppression lists of *consent*
    and the opt-out columns of this run's rows (those after the kept master's) added,
    applied to the contacts' points (*level*: the contact level's golden rows, points and
    provenance) — only the points the previous run did not key are keyed. Without *consent*
    (no key): the previous register as it is, and the contacts' own opt-out columns only."""
    contacts, points, _ = level
    fresh = records.slice(start.master.height if start.master is not None else 0)
    before = previous.register if previous is not None else None
    before = consent_register.empty() if before is None else before
    register, keyed = before, None
    hits = consent_apply.matches(points, consent_register.empty(), b"")
    if consent is not None:
        made = consent_apply.list_entries(consent), consent_apply.column_entries(fresh, consent)
        register = consent_register.merge(before, *made)
        known = previous.register_points if previous is not None else None
        keyed = consent_apply.point_keys(points, register, consent.key, known)
        hits = consent_apply.matches(points, register, consent.key, keyed)
    contacts = contacts_table(contacts, companies, records, hits)
    said = consent_apply.counts(before, register, hits, contacts, consent)
    return contacts, _Refused(register, keyed, said)


def canonical_order(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows sorted by a hash of their content (all but source_row), so the order they
    came in does not change what is linked or which ids are given."""
    content = frame.drop("source_row").hash_rows(
        seed=0
    )  # the file is in it: equal hashes are equal rows of one file
    return frame.with_columns(content.alias("_h")).sort("_h", "source_row").drop("_h")


class _Laps:
    """The time of each step of build(), for run.json: ``lap(name)`` ends step *name*."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._since = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name], self._since = now - self._since, now

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.times.items()}


@dataclass
class _Start:
    """What linking starts from. Without a previous master: nothing."""

    master: pl.DataFrame | None = None  # the previous records linked to as they are
    used: dict[str, int] | None = None  # the highest id number ever given, per level
    state: dict[str, pl.DataFrame] | None = None  # their link state, if still valid
    reopened: dict[str, set[str]] = field(
        default_factory=lambda: {level: set() for level in LEVELS}
    )  # per level, the previous ids a steward decision contradicts
    carried: dict[str, tuple[list, int]] = field(default_factory=dict)  # see Master.carried


def _start_from(
    previous: Previous,
    frame: pl.DataFrame,
    decisions: pl.DataFrame,
    rules_hash: str | None,
    rules: Rules | None,
) -> tuple[pl.DataFrame, _Start]:
    """(the rows to link, what they are linked to): the previous master's records, but those of
    the ids a decision reopens, which are linked again with the new rows (ahead of them, their
    old ids in ``_old_company`` / ``_old_customer`` / ``_old_contact``)."""
    clash = set(frame["source_file"].unique().to_list()) & set(
        previous.lineage["source_file"].unique().to_list()
    )
    if clash:
        raise InputError(
            "this file is already in the previous master; give a new version another name",
            file=sorted(clash)[0],
        )
    records = previous.records.drop("person_id", strict=False)  # person ids are given again
    reopened = reopen(records, decisions)
    kept = (
        None  # the usual case: no decision reopens anything, the records are linked to as they are
    )
    if any(reopened.values()):
        records, again, kept = take_reopened(records, reopened)
        frame = pl.concat([again, frame], how="diagonal_relaxed")
    state = usable_state(previous, kept, rules_hash, rules)
    carried = {}
    if (
        kept is None and previous.parts
    ):  # the previous records (and link state) lead the new ones, as they were
        carried = {"records": (previous.parts["records"], records.height)}
        carried |= (
            {
                f"link_{level}": (previous.parts[f"link_{level}"], state[level].height)
                for level in LEVELS
            }
            if state
            else {}
        )
    return frame, _Start(records, previous.last_ids, state, reopened, carried)


def _link(
    frame: pl.DataFrame,
    start: _Start,
    decisions: pl.DataFrame,
    models: dict[str, Model] | None,
    rules: Rules | None,
) -> Dedupe:
    """The rows of *frame* linked to what linking starts from, and among themselves; their
    person ids are not given here (build() gives them beside the golden records)."""
    return dedupe(
        frame.drop([f"_old_{level}" for level in LINKED], strict=False),
        models,
        decisions_by_key(decisions),
        start.master,
        start.used,
        start.state,
        persons=False,
        rules=rules,
    )


def _ids_and_lineage(
    derived: pl.DataFrame,
    records: pl.DataFrame,
    rejects: pl.DataFrame,
    previous: Previous | None,
    rules: Rules | None,
) -> list:
    """[person ids, lineage, contacts per company]: what does not wait for the golden records."""
    return side_by_side(
        lambda: person_ids(derived, rules),
        lambda: row_lineage(records, rejects, previous.lineage if previous else None),
        lambda: contacts_per_company(records),
        workers=2,
    )


def _survive_levels(
    rows: pl.DataFrame,
    records: pl.DataFrame,
    start: _Start,
    survivorship: Survivorship,
    tables: dict | None,
) -> tuple[dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]], dict[str, int]]:
    """Per level, (golden, contact points, provenance), keyed by ``_id``, and how many entities
    were survived again per table. With the previous master's golden *tables*, only the
    entities a row after the kept master rows belongs to are survived; the others are carried."""
    if tables is not None:
        fresh = records.slice(start.master.height)
        held = {
            level: pl.col(ID_COLUMNS[level]).is_in(
                fresh[ID_COLUMNS[level]].drop_nulls().unique().implode()
            )
            for level in LEVELS
        }
    else:
        held = {level: pl.col(ID_COLUMNS[level]).is_not_null() for level in LEVELS}

    def level_tables(level: str) -> tuple[int, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
        """(how many entities were survived again, the level's three tables)."""
        at_level = rows.filter(held[level]).with_columns(pl.col(ID_COLUMNS[level]).alias(ID))
        golden = golden_level(at_level, level, survivorship)
        if tables is None:
            return golden[0].height, golden
        return golden[0].height, carry(tables, level, start.reopened[level], *golden)

    (n_companies, company), (n_contacts, contact) = side_by_side(
        lambda: level_tables("company"), lambda: level_tables("contact")
    )  # the levels are independent; polars releases the GIL
    return {"company": company, "contact": contact}, {
        "companies": n_companies,
        "contacts": n_contacts,
    }


def _counts(
    records: pl.DataFrame,
    companies: pl.DataFrame,
    contacts: pl.DataFrame,
    lineage: pl.DataFrame,
    changes: pl.DataFrame,
    decisions: pl.DataFrame,
    survived: dict[str, int],
    link_state: str | None,
) -> dict:
    """What the run made, for run.json and the report."""
    return {
        "records": records.height,
        "companies": companies.height,
        "contacts": contacts.height,
        "persons": contacts["person_id"].n_unique(),
        "rejected_rows": int((lineage["status"] == "rejected").sum()),
        "merged_rows": int((lineage["status"] == "merged").sum()),
        "kept_rows": int((lineage["status"] == "kept").sum()),
        "opt_out_contacts": int(contacts["opt_out"].fill_null(False).sum()),  # every channel
        "suppressed_contacts": int(contacts["suppressed"].sum()),
        "do_not_contact": int(contacts["do_not_contact"].sum()),
        "survived_again": survived,  # the others were carried over from the previous master
        "changes": changes.height,
        "decisions": decisions.height,
        "decision_outcomes": decision_outcomes(records, decisions),
        "master_link_state": link_state,  # what linking read of the previous master
    }
