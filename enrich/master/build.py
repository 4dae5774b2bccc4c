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

import fnmatch
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath

import polars as pl

from ..errors import InputError
from ..io.read import typed_like
from ..link.derive import level_rows
from ..link.files import decisions_by_level
from ..link.ids import first_rows, id_number, person_ids
from ..link.levels import LEVELS, Dedupe, dedupe
from ..link.model import Model
from ..link.state import chunked_like
from ..parallel import beside, side_by_side
from ..ruleset import Rules
from . import survive
from .survive import ID, Survivorship

ID_COLUMNS = {"company": "company_id", "contact": "contact_id"}
PREFIX = {"company": "co", "contact": "ct"}
LINEAGE_COLUMNS = ["source_file", "source_row", "company_id", "contact_id", "status", "reason"]
CHANGE_COLUMNS = ["level", "old_id", "new_id", "change", "reason"]
DECISION_COLUMNS = [
    "level",
    "source_file_l",
    "source_row_l",
    "source_file_r",
    "source_row_r",
    "decision",
]
HASH = re.compile(r"^[0-9a-f]{64}$")


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


def state_versions() -> dict:
    """What a link state depends on besides the rules: the code that folds and derives."""
    from .. import __version__

    return {"enrich": __version__, "polars": pl.__version__}


def _usable_state(
    previous: Previous, kept: pl.Series | None, rules_hash: str | None, rules: Rules | None
) -> dict[str, pl.DataFrame] | None:
    """The previous master's link state for its *kept* records (a mask over its records; None:
    all), if the same rules and code made it; else None (everything is read again)."""
    if (
        not previous.link_state
        or rules_hash is None
        or previous.rules_hash != rules_hash
        or previous.state_made_by != state_versions()
    ):
        return None
    out = {}
    for level, rows in level_rows(rules).items():
        st = previous.link_state.get(level)
        at_level = previous.records.select(rows).to_series()
        if st is None or st.height != int(at_level.sum()):
            return None
        out[level] = st if kept is None else st.filter(kept.filter(at_level))
    return out


def canonical_order(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows sorted by a hash of their content (all but source_row), so the order they
    came in does not change what is linked or which ids are given."""
    content = frame.drop("source_row").hash_rows(
        seed=0
    )  # the file is in it: equal hashes are equal rows of one file
    return frame.with_columns(content.alias("_h")).sort("_h", "source_row").drop("_h")


def source_priority(files: pl.Series, patterns: tuple[str, ...]) -> pl.Series:
    """Per row: the rank of the first pattern its file's name matches (0 = most trusted)."""
    ranks = {}
    for f in files.unique().to_list():
        name = PurePath(str(f).split("#")[0]).name.lower() + (
            "#" + str(f).split("#", 1)[1].lower() if "#" in str(f) else ""
        )
        ranks[f] = next(
            (i for i, p in enumerate(patterns) if fnmatch.fnmatchcase(name, p.lower())),
            len(patterns),
        )
    return files.replace_strict(ranks, return_dtype=pl.Int32)


def _number(ids: pl.Series, prefix: str) -> int:
    top = id_number(ids, prefix).max()
    return -1 if top is None else int(top)


def _decisions_by_key(decisions: pl.DataFrame) -> dict[str, pl.DataFrame]:
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


def _decided_ids(records: pl.DataFrame, decisions: pl.DataFrame, level: str) -> pl.DataFrame:
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


def _reopen(records: pl.DataFrame, decisions: pl.DataFrame) -> dict[str, set[str]]:
    """Per level, the previous ids a decision contradicts: a match across two of them, a
    no_match inside one. A company reopened reopens its contacts too."""
    out = {level: set() for level in LEVELS}
    for level in LEVELS:
        wrong = (
            _decided_ids(records, decisions, level).drop_nulls(["_l", "_r"]).filter(~pl.col("held"))
        )
        out[level] |= set(wrong["_l"].to_list()) | set(wrong["_r"].to_list())
    if out["company"]:
        out["contact"] |= set(
            records.filter(pl.col("company_id").is_in(sorted(out["company"])))["contact_id"]
            .drop_nulls()
            .to_list()
        )
    return out


def _settle(
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


def read_suppression(path: str) -> tuple[set[str], set[str]]:
    """(e-mails, SHA-256 hex digests) from a suppression file: one e-mail or digest per line,
    or CSV cells holding them; anything else (a header) is skipped."""
    emails, digests = set(), set()
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            for line in fh:
                for cell in re.split(r"[,;\t]", line):
                    cell = cell.strip().strip('"').strip().lower()
                    if HASH.match(cell):
                        digests.add(cell)
                    elif "@" in cell and " " not in cell:
                        emails.add(cell)
    except OSError as exc:
        raise InputError(
            f"cannot read the suppression list ({type(exc).__name__})", file=path
        ) from None
    if not emails and not digests:
        raise InputError("no e-mail address or SHA-256 digest in the suppression list", file=path)
    return emails, digests


def suppressed(points: pl.DataFrame, emails: set[str], digests: set[str]) -> pl.Series:
    """The contact ids with an e-mail on the suppression list (plain or SHA-256 of the
    lower-cased address)."""
    mails = points.filter(pl.col("kind") == "emails").select(ID, pl.col("value").str.to_lowercase())
    hit = pl.col("value").is_in(sorted(emails))
    if digests:
        unique = mails["value"].unique().to_list()
        hashed = {v for v in unique if hashlib.sha256(v.encode()).hexdigest() in digests}
        hit = hit | pl.col("value").is_in(sorted(hashed))
    return mails.filter(hit)[ID].unique()


def _golden(
    rows: pl.DataFrame, level: str, survivorship: Survivorship
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(golden, contact_points, provenance) of one level, keyed by ``_id``."""
    E = survive.E
    rows = survive._keyed(rows)
    golden, provenance = survive.survive(rows, survivorship.attributes[level])
    points = survive.contact_points(rows, survivorship.lists[level], golden)
    n = pl.len().over(E)
    alone = rows.filter(n == 1).select(
        E,
        pl.lit(1, pl.UInt32).alias("rows"),
        pl.col("source_file").cast(pl.String).alias("sources"),
        pl.col("_date").alias("first_seen"),
        pl.col("_date").alias("last_seen"),
    )
    several = (
        rows.filter(n > 1)
        .group_by(E)
        .agg(
            pl.len().alias("rows"),
            pl.col("source_file")
            .cast(pl.String)
            .unique()
            .sort()
            .str.join(survive.LIST_SEPARATOR)
            .alias("sources"),
            pl.col("_date").min().alias("first_seen"),
            pl.col("_date").max().alias("last_seen"),
        )
    )
    golden = golden.join(survive.listed(points, survivorship.lists[level]), on=E, how="left").join(
        pl.concat([alone, several]), on=E, how="left"
    )
    ids = golden[ID]  # sorted by _e: 1, 2 …
    points = points.sort(E, "_k", maintain_order=True)
    points = points.select(ids.gather(points[E] - 1).alias(ID), pl.exclude(E, "_k"))
    provenance = provenance.sort(E, "_a")
    provenance = provenance.select(ids.gather(provenance[E] - 1).alias(ID), pl.exclude(E, "_a"))
    return golden.drop(E), points, provenance


def decision_outcomes(records: pl.DataFrame, decisions: pl.DataFrame) -> dict[str, int]:
    """How the steward decisions stand in the result: applied, not applied (a cannot-link
    rule — two different valid VAT numbers — is stronger than a match), or naming a row the
    master does not hold."""
    out = {"applied": 0, "not_applied": 0, "unknown_rows": 0}
    for level in LEVELS:
        d = _decided_ids(records, decisions, level)
        known = d.drop_nulls(["_l", "_r"])
        out["applied"] += int(known["held"].sum())
        out["not_applied"] += int((~known["held"]).sum())
        out["unknown_rows"] += d.height - known.height
    return out


def _carry(
    tables: dict,
    level: str,
    gone: set[str],
    golden: pl.DataFrame,
    points: pl.DataFrame,
    provenance: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The previous master's rows for the entities no new row touched — all but those
    survived again (in *golden*) and the reopened ids (*gone*) — next to the ones survived
    again, in id order; the columns computed after survivorship (contacts, company_name,
    suppressed …) are left for build() to compute."""
    old = tables["companies" if level == "company" else "contacts"].rename({ID_COLUMNS[level]: ID})
    untouched = ~pl.col(ID).is_in(
        pl.Series(sorted(gone), dtype=pl.String).append(golden[ID]).implode()
    )
    number = id_number(pl.col(ID), PREFIX[level]).alias("_n")

    def merged(
        previous: pl.DataFrame, fresh: pl.DataFrame
    ) -> pl.DataFrame:  # by id number, each id's rows in their order
        both = pl.concat(
            [typed_like(previous.filter(untouched).select(fresh.columns), fresh.schema), fresh]
        ).with_columns(number)
        if both["_n"].null_count() or (both["_n"].max() or 0) >= 2**62 // max(
            both.height, 1
        ):  # not ids as enrich gives them
            return both.sort("_n", maintain_order=True).drop("_n")
        # (id number, position) is a unique key in the order of a stable sort by id; an unstable
        # sort on one unique integer is several times faster
        return both.sort(
            pl.col("_n") * both.height + pl.int_range(both.height, dtype=pl.Int64)
        ).drop("_n")

    by_level = lambda name: tables[name][level].rename({"id": ID})  # noqa: E731
    return (
        merged(old, golden),
        merged(by_level("contact_points"), points),
        merged(by_level("provenance"), provenance),
    )


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
    suppress: tuple[set[str], set[str]] | None = None,
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
        records, changes = _settle_reopened(records, frame, start.master)
    last_ids = _last_ids(records, start.master, start.used)
    rows = _survival_rows(records, found.derived, survivorship)
    all_rejects = _all_rejects(records, rejects)
    aside = partial(_ids_and_lineage, found.derived, records, all_rejects, previous, rules)
    with beside(aside) as ids_and_lineage:  # what does not wait for the golden records
        lap("ids")
        tables = _reusable(previous, previous_tables, rules_hash)
        levels, survived = _survive_levels(
            rows, records, start, survivorship, tables
        )  # with *tables*, only the entities a new row touches
        lap("survive")
        persons, lineage, held_by = ids_and_lineage.result()
    records = records.with_columns(chunked_like(records, persons))
    (companies, company_points, company_prov) = levels["company"]
    (contacts, contact_points, contact_prov) = levels["contact"]
    contacts = _contacts_table(contacts, companies, records, contact_points, suppress)
    companies = _companies_table(companies, held_by)
    changes = pl.DataFrame(changes, schema={c: pl.String for c in CHANGE_COLUMNS}).sort(
        "level", "old_id", "new_id"
    )
    link_state = None if previous is None else ("kept" if start.state else "computed again")
    counts = _counts(
        records, companies, contacts, lineage, changes, all_decisions, survived, link_state
    )
    lap("lineage")
    return Master(
        records,
        companies,
        contacts,
        _by_level(company_points, contact_points),
        _by_level(company_prov, contact_prov),
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
    )


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
    old ids in ``_old_company`` / ``_old_contact``)."""
    clash = set(frame["source_file"].unique().to_list()) & set(
        previous.lineage["source_file"].unique().to_list()
    )
    if clash:
        raise InputError(
            "this file is already in the previous master; give a new version another name",
            file=sorted(clash)[0],
        )
    records = previous.records.drop("person_id", strict=False)  # person ids are given again
    reopened = _reopen(records, decisions)
    kept = (
        None  # the usual case: no decision reopens anything, the records are linked to as they are
    )
    if any(reopened.values()):
        records, again, kept = _take_reopened(records, reopened)
        frame = pl.concat([again, frame], how="diagonal_relaxed")
    state = _usable_state(previous, kept, rules_hash, rules)
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
        frame.drop([f"_old_{level}" for level in LEVELS], strict=False),
        models,
        _decisions_by_key(decisions),
        start.master,
        start.used,
        start.state,
        persons=False,
        rules=rules,
    )


def _reusable(
    previous: Previous | None,
    previous_tables: Callable[[], dict] | None,
    rules_hash: str | None,
) -> dict | None:
    """The previous master's golden tables, if the same rules built it (and they could be
    read); else None: every golden row is computed again."""
    if (
        previous is None
        or rules_hash is None
        or previous.rules_hash != rules_hash
        or previous_tables is None
    ):
        return None
    return previous_tables() or None


def _take_reopened(
    records: pl.DataFrame, reopened: dict[str, set[str]]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """(the records kept as they are, the reopened ones — their reopened ids moved to
    ``_old_<level>`` — and the mask of the kept ones)."""
    out = pl.lit(False)
    for level in LEVELS:
        out = out | pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])).fill_null(False)
    again = records.filter(out).with_columns(
        *(
            pl.when(pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])))
            .then(None)
            .otherwise(pl.col(ID_COLUMNS[level]))
            .alias(ID_COLUMNS[level])
            for level in LEVELS
        ),
        *(
            pl.when(pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])))
            .then(pl.col(ID_COLUMNS[level]))
            .alias(f"_old_{level}")
            for level in LEVELS
        ),
    )
    kept = ~records.select(out).to_series()
    return records.filter(kept), again, kept


def _settle_reopened(
    records: pl.DataFrame, frame: pl.DataFrame, master: pl.DataFrame
) -> tuple[pl.DataFrame, list[dict]]:
    """The linked *records* with the reopened ids given back (``_settle``), and the changes.
    *frame*: the rows linked after the *master* records, with their old ids."""
    old = pl.DataFrame(
        [
            pl.repeat(None, master.height, dtype=pl.String, eager=True).alias(f"_old_{level}")
            for level in LEVELS
        ]
    )
    records = records.with_columns(pl.concat([old, frame.select("_old_company", "_old_contact")]))
    changes = []
    for level in LEVELS:
        records, c = _settle(records, level, f"_old_{level}", master[ID_COLUMNS[level]])
        changes += c
    return records.drop("_old_company", "_old_contact"), changes


def _last_ids(
    records: pl.DataFrame, master: pl.DataFrame | None, used: dict[str, int] | None
) -> dict[str, int]:
    """The highest id number ever given, per level, for the next run."""
    fresh_ids = (
        records if master is None else records.slice(master.height)
    )  # the master's ids are all within `used`
    return {
        level: max(
            _number(fresh_ids[ID_COLUMNS[level]].drop_nulls(), PREFIX[level]),
            (used or {}).get(level, -1),
        )
        for level in LEVELS
    }


def _survival_rows(
    records: pl.DataFrame, derived: pl.DataFrame, survivorship: Survivorship
) -> pl.DataFrame:
    """The columns of the linked *records* that survivorship reads, with its helper columns
    (``_order``, ``_priority``, ``_date``, ``_has_person``)."""
    helpers = pl.DataFrame(
        {
            "_order": pl.int_range(records.height, eager=True),
            "_priority": source_priority(records["source_file"], survivorship.sources),
            "_date": records["source_date"].cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            "_has_person": derived["has_person"],
        }
    )
    needed = [
        c
        for c in records.columns
        if c
        in survivorship.columns()
        | {
            "source_file",
            "source_row",
            "source_date",
            "company_id",
            "contact_id",
            "person_id",
            "opt_out",
            "email_role",
        }
    ]
    rows = pl.concat(
        [
            records.select(needed),
            helpers.select(chunked_like(records, c) for c in helpers.iter_columns()),
        ],
        how="horizontal",
    )  # narrow: every filter below copies what it keeps
    return rows.with_columns(
        chunked_like(rows, rows["source_file"].rechunk().cast(pl.Categorical))
    )  # a number per row, not a path


def _all_rejects(records: pl.DataFrame, rejects: pl.DataFrame) -> pl.DataFrame:
    """The rows cleaning rejected, and the linked rows with neither a company nor a person."""
    no_entity = records.filter(
        pl.col("company_id").is_null() & pl.col("contact_id").is_null()
    ).select(
        "source_file",
        pl.col("source_row").cast(pl.Int64),
        pl.lit(None, pl.String).alias("column"),
        pl.lit("no company or person name").alias("reason"),
    )
    return pl.concat([rejects.with_columns(pl.col("source_row").cast(pl.Int64)), no_entity])


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
        lambda: _lineage(records, rejects, previous),
        lambda: _contacts_per_company(records),
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
        golden = _golden(at_level, level, survivorship)
        if tables is None:
            return golden[0].height, golden
        return golden[0].height, _carry(tables, level, start.reopened[level], *golden)

    (n_companies, company), (n_contacts, contact) = side_by_side(
        lambda: level_tables("company"), lambda: level_tables("contact")
    )  # the levels are independent; polars releases the GIL
    return {"company": company, "contact": contact}, {
        "companies": n_companies,
        "contacts": n_contacts,
    }


def _contacts_table(
    golden: pl.DataFrame,
    companies: pl.DataFrame,
    records: pl.DataFrame,
    points: pl.DataFrame,
    suppress: tuple[set[str], set[str]] | None,
) -> pl.DataFrame:
    """The golden contacts as written: with their company and person ids, company name, and
    whether they may be contacted (opt-out, suppression list)."""
    contacts = _with_first_row(golden, records, ["company_id", "person_id"])
    contacts = contacts.join(
        companies.select(pl.col(ID).alias("company_id"), "company_name"),
        on="company_id",
        how="left",
        maintain_order="left",
    )
    if suppress:
        hit = suppressed(points, *suppress)
        contacts = contacts.with_columns(pl.col(ID).is_in(hit.implode()).alias("suppressed"))
    else:
        contacts = contacts.with_columns(pl.lit(False).alias("suppressed"))
    contacts = contacts.with_columns(
        (pl.col("opt_out").fill_null(False) | pl.col("suppressed")).alias("do_not_contact")
    )
    return _order_columns(
        contacts.rename({ID: "contact_id"}),
        ["contact_id", "company_id", "person_id", "company_name"],
    )


def _companies_table(golden: pl.DataFrame, held_by: pl.DataFrame) -> pl.DataFrame:
    """The golden companies as written: with how many contacts each holds."""
    companies = (
        golden.with_columns(id_number(golden[ID], PREFIX["company"]).alias("_n"))
        .join(held_by, on="_n", how="left", maintain_order="left")
        .drop("_n")
        .with_columns(pl.col("contacts").cast(pl.UInt32).fill_null(0))
    )
    return _order_columns(companies.rename({ID: "company_id"}), ["company_id"])


def _by_level(company: pl.DataFrame, contact: pl.DataFrame) -> pl.DataFrame:
    """The company and contact tables of one kind in one: ``level``, ``id``, the rest."""
    return pl.concat(
        [
            table.select(pl.lit(level).alias("level"), pl.col(ID).alias("id"), pl.exclude(ID))
            for level, table in (("company", company), ("contact", contact))
        ]
    )


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
        "opt_out_contacts": int(contacts["opt_out"].fill_null(False).sum()),
        "suppressed_contacts": int(contacts["suppressed"].sum()),
        "do_not_contact": int(contacts["do_not_contact"].sum()),
        "survived_again": survived,  # the others were carried over from the previous master
        "changes": changes.height,
        "decisions": decisions.height,
        "decision_outcomes": decision_outcomes(records, decisions),
        "master_link_state": link_state,  # what linking read of the previous master
    }


def _order_columns(frame: pl.DataFrame, first: list[str]) -> pl.DataFrame:
    return frame.select(*first, pl.exclude(first))


def _contacts_per_company(records: pl.DataFrame) -> pl.DataFrame:
    """``_n`` (a company's id number) and how many contacts it holds."""
    held = (
        pl.DataFrame(
            [id_number(records[ID_COLUMNS[level]], PREFIX[level]).alias(level) for level in LEVELS]
        )
        .drop_nulls()
        .unique()
    )
    return held.group_by("company").len("contacts").rename({"company": "_n"})


def _with_first_row(
    golden: pl.DataFrame, records: pl.DataFrame, columns: list[str]
) -> pl.DataFrame:
    """The contacts' *golden* rows with *columns* of each contact's first record."""
    at, _, first = first_rows(
        id_number(records["contact_id"], PREFIX["contact"]).fill_null(-1).to_numpy()
    )  # by contact number: enrich's order
    taken = records.select("contact_id", *columns)[at[first]]
    if taken["contact_id"].equals(golden[ID]):
        return golden.hstack(taken.drop("contact_id"))
    return golden.join(
        taken.rename({"contact_id": ID}), on=ID, how="left", maintain_order="left"
    )  # not in enrich's order


def _lineage(
    records: pl.DataFrame, rejects: pl.DataFrame, previous: Previous | None
) -> pl.DataFrame:
    """One row per input row: where it went. A row is 'merged' when its contact (or, without
    a person, its company) holds other rows too, 'kept' when it is alone, 'rejected' with
    the reason otherwise. Rows rejected by earlier runs are carried over."""
    contact, company = (
        id_number(pl.col(ID_COLUMNS[level]), PREFIX[level]) for level in ("contact", "company")
    )
    entity = (
        pl.when(contact.is_not_null()).then(contact * 2).otherwise(company * 2 + 1)
    )  # one number per contact or company
    linked = records.filter(
        pl.col("company_id").is_not_null() | pl.col("contact_id").is_not_null()
    ).select(
        "source_file",
        pl.col("source_row").cast(pl.Int64),
        "company_id",
        "contact_id",
        pl.when(pl.len().over(entity) > 1)
        .then(pl.lit("merged"))
        .otherwise(pl.lit("kept"))
        .alias("status"),
        pl.lit(None, pl.String).alias("reason"),
    )
    rejected = (
        rejects.group_by("source_file", "source_row", maintain_order=True)
        .agg(pl.col("reason").unique(maintain_order=True).str.join("; "))
        .select(
            "source_file",
            "source_row",
            pl.lit(None, pl.String).alias("company_id"),
            pl.lit(None, pl.String).alias("contact_id"),
            pl.lit("rejected").alias("status"),
            "reason",
        )
    )
    parts = [linked, rejected]
    if previous is not None:  # rows an earlier run rejected before linking (not in the records)
        earlier = (
            previous.lineage.filter(pl.col("status") == "rejected")
            .select(LINEAGE_COLUMNS)
            .with_columns(pl.col("source_row").cast(pl.Int64))
        )
        parts.append(
            earlier.join(
                records.select("source_file", pl.col("source_row").cast(pl.Int64)),
                on=["source_file", "source_row"],
                how="anti",
            )
        )
    lineage = pl.concat(parts)
    files = sorted(
        lineage["source_file"].unique().drop_nulls().to_list()
    )  # a few: sort numbers, not a million paths
    rank = (
        pl.col("source_file").cast(pl.Enum(files)).to_physical().cast(pl.Int64)
    )  # an enum's number is its rank in the list
    return lineage.sort(
        rank * (1 << 40) + pl.col("source_row")
    )  # (file, row) is unique: one integer key, an unstable sort


def check_accounting(lineage: pl.DataFrame, expected: int) -> None:
    """No row lost, none counted twice: the job stops (exit 3) rather than write a master
    that does not add up."""
    keys = lineage.select("source_file", "source_row")
    if lineage.height != expected or keys.is_duplicated().any():
        raise AssertionError(
            f"row accounting does not add up: {expected} rows in, {lineage.height} lineage rows "
            f"({int(keys.is_duplicated().sum())} repeated)"
        )
