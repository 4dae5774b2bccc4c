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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl

from ..errors import InputError
from ..io.read import typed_like
from ..link.derive import level_rows
from ..link.ids import first_rows, id_number, person_ids
from ..link.levels import LEVELS, Dedupe, dedupe
from ..link.model import Model
from ..link.state import chunked_like
from . import survive
from .survive import ID

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
    tables: dict | Future = field(
        default_factory=dict
    )  # its companies, contacts, and contact_points, provenance by level (or their reading)
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


def golden_tables(previous: Previous) -> dict:
    """The previous master's golden tables, once they are read (they may be read while the
    new rows are linked)."""
    if isinstance(previous.tables, Future):
        previous.tables = previous.tables.result()
    return previous.tables


def state_versions() -> dict:
    """What a link state depends on besides the rules: the code that folds and derives."""
    from .. import __version__

    return {"enrich": __version__, "polars": pl.__version__}


def _usable_state(
    previous: Previous, kept: pl.Series | None, rules_hash: str | None
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
    for level, rows in level_rows().items():
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
    """DECISION_COLUMNS → per level: both sides and is_match (the format link.b2b expects)."""
    d = decisions.with_columns(
        pl.col("source_row_l").cast(pl.Int64),
        pl.col("source_row_r").cast(pl.Int64),
        (pl.col("decision") == "match").alias("is_match"),
    )
    return {level: d.filter(pl.col("level") == level) for level in LEVELS}


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
    both = (
        pl.concat(parts)
        .with_columns(  # one order per pair
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
        )
        .with_columns(
            pl.col("_k").struct.field("f").alias("source_file_l"),
            pl.col("_k").struct.field("r").alias("source_row_l"),
            pl.col("_k").struct.field("F").alias("source_file_r"),
            pl.col("_k").struct.field("R").alias("source_row_r"),
        )
    )
    return (
        both.unique(
            ["level", "source_file_l", "source_row_l", "source_file_r", "source_row_r"],
            keep="last",
            maintain_order=True,
        )
        .select(DECISION_COLUMNS)
        .sort(DECISION_COLUMNS)
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
    rows: pl.DataFrame, level: str, rules: survive.Rules
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(golden, contact_points, provenance) of one level, keyed by ``_id``."""
    E = survive.E
    rows = survive._keyed(rows)
    golden, provenance = survive.survive(rows, rules.attributes[level])
    points = survive.contact_points(rows, rules.lists[level], golden)
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
    golden = golden.join(survive.listed(points, rules.lists[level]), on=E, how="left").join(
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
    rules: survive.Rules,
    previous: Previous | None = None,
    decisions: dict[str, pl.DataFrame] | None = None,
    models: dict[str, Model] | None = None,
    suppress: tuple[set[str], set[str]] | None = None,
    rules_hash: str | None = None,
) -> Master:
    """Link *cleaned* (to *previous*, if given) and build the golden records.

    With *previous* built by the same rules (*rules_hash*), only the companies and contacts
    that a new (or reopened) row touches are survived again; the others keep their golden
    rows, contact points and provenance: the result is the same as surviving everything
    (``previous.tables`` are consumed). Its link state, if the same rules and code made it,
    spares folding its records again."""
    rules.check_columns(set(cleaned.columns) | {"opt_out"})
    timings, t = {}, time.perf_counter()
    frame = canonical_order(cleaned)
    del cleaned  # the caller may have let go of it too: one copy of the rows, not two
    all_decisions = merge_decisions(previous.decisions if previous else None, decisions)
    master, used, changes, state, carried = None, None, [], None, {}
    if previous is not None:
        clash = set(frame["source_file"].unique().to_list()) & set(
            previous.lineage["source_file"].unique().to_list()
        )
        if clash:
            raise InputError(
                "this file is already in the previous master; give a new version another name",
                file=sorted(clash)[0],
            )
        records = previous.records.drop("person_id", strict=False)  # person ids are given again
        reopened = _reopen(records, all_decisions)
        kept = None  # the usual case: no decision reopens anything, the records are linked to as they are
        if any(reopened.values()):
            out = pl.lit(False)
            for level in LEVELS:
                out = out | pl.col(ID_COLUMNS[level]).is_in(sorted(reopened[level])).fill_null(
                    False
                )
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
            records = records.filter(kept)
            frame = pl.concat([again, frame], how="diagonal_relaxed")
        master = records
        state = _usable_state(previous, kept, rules_hash)
        if (
            kept is None and previous.parts
        ):  # the previous records (and link state) lead the new ones, as they were
            carried = {"records": (previous.parts["records"], master.height)}
            carried |= (
                {
                    f"link_{level}": (previous.parts[f"link_{level}"], state[level].height)
                    for level in LEVELS
                }
                if state
                else {}
            )
        used = previous.last_ids
    timings["order"] = time.perf_counter() - t
    t = time.perf_counter()
    found = dedupe(
        frame.drop([f"_old_{level}" for level in LEVELS], strict=False),
        models,
        _decisions_by_key(all_decisions),
        master,
        used,
        state,
        persons=False,
    )  # given below, beside the golden records
    timings["link"] = time.perf_counter() - t
    t = time.perf_counter()
    records = found.frame
    if previous is not None and any(reopened.values()):
        old = pl.DataFrame(
            [
                pl.repeat(None, master.height, dtype=pl.String, eager=True).alias(f"_old_{level}")
                for level in LEVELS
            ]
        )
        records = records.with_columns(
            pl.concat([old, frame.select("_old_company", "_old_contact")])
        )
        for level in LEVELS:
            records, c = _settle(records, level, f"_old_{level}", master[ID_COLUMNS[level]])
            changes += c
        records = records.drop("_old_company", "_old_contact")
    fresh_ids = (
        records if master is None else records.slice(master.height)
    )  # the master's ids are all within `used`
    last_ids = {
        level: max(
            _number(fresh_ids[ID_COLUMNS[level]].drop_nulls(), PREFIX[level]),
            (used or {}).get(level, -1),
        )
        for level in LEVELS
    }

    derived = found.derived
    helpers = pl.DataFrame(
        {
            "_order": pl.int_range(records.height, eager=True),
            "_priority": source_priority(records["source_file"], rules.sources),
            "_date": records["source_date"].cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            "_has_person": derived["has_person"],
        }
    )
    needed = [
        c
        for c in records.columns
        if c
        in rules.columns()
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
    rows = rows.with_columns(
        chunked_like(rows, rows["source_file"].rechunk().cast(pl.Categorical))
    )  # a number per row, not a path
    no_entity = records.filter(
        pl.col("company_id").is_null() & pl.col("contact_id").is_null()
    ).select(
        "source_file",
        pl.col("source_row").cast(pl.Int64),
        pl.lit(None, pl.String).alias("column"),
        pl.lit("no company or person name").alias("reason"),
    )
    all_rejects = pl.concat([rejects.with_columns(pl.col("source_row").cast(pl.Int64)), no_entity])
    beside = ThreadPoolExecutor(
        max_workers=2
    )  # what does not wait for the golden records runs beside them
    persons = beside.submit(person_ids, found.derived)
    lineage = beside.submit(_lineage, records, all_rejects, previous)
    held_by = beside.submit(_contacts_per_company, records)
    beside.shutdown(wait=False)
    timings["ids"] = time.perf_counter() - t
    t = time.perf_counter()
    reuse = (
        previous is not None
        and rules_hash is not None
        and previous.rules_hash == rules_hash
        and bool(golden_tables(previous))
    )
    if reuse:  # only the entities a row after the kept master rows belongs to
        fresh = records.slice(master.height)
        held = {
            level: pl.col(ID_COLUMNS[level]).is_in(
                fresh[ID_COLUMNS[level]].drop_nulls().unique().implode()
            )
            for level in LEVELS
        }
    else:
        held = {level: pl.col(ID_COLUMNS[level]).is_not_null() for level in LEVELS}
    firms = rows.filter(held["company"]).with_columns(pl.col("company_id").alias(ID))
    people = rows.filter(held["contact"]).with_columns(pl.col("contact_id").alias(ID))
    tables = golden_tables(previous) if reuse else None

    def level_tables(
        rows: pl.DataFrame, level: str
    ) -> tuple[int, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
        """(how many entities were survived again, golden / contact points / provenance of the level)."""
        golden = _golden(rows, level, rules)
        return golden[0].height, (
            _carry(tables, level, reopened[level], *golden) if reuse else golden
        )

    with ThreadPoolExecutor(
        max_workers=2
    ) as pool:  # the levels are independent; polars releases the GIL
        at_company, at_contact = (
            pool.submit(level_tables, firms, "company"),
            pool.submit(level_tables, people, "contact"),
        )
        (
            (n_companies, (companies, company_points, company_prov)),
            (n_contacts, (contacts, contact_points, contact_prov)),
        ) = at_company.result(), at_contact.result()
    survived = {"companies": n_companies, "contacts": n_contacts}
    if reuse:
        previous.tables = tables = {}  # consumed: memory is time here
    timings["survive"] = time.perf_counter() - t
    t = time.perf_counter()
    records = records.with_columns(chunked_like(records, persons.result()))
    contacts = _with_first_row(contacts, records, ["company_id", "person_id"])
    contacts = contacts.join(
        companies.select(pl.col(ID).alias("company_id"), "company_name"),
        on="company_id",
        how="left",
        maintain_order="left",
    )
    companies = (
        companies.with_columns(id_number(companies[ID], PREFIX["company"]).alias("_n"))
        .join(held_by.result(), on="_n", how="left", maintain_order="left")
        .drop("_n")
        .with_columns(pl.col("contacts").cast(pl.UInt32).fill_null(0))
    )
    if suppress:
        hit = suppressed(contact_points, *suppress)
        contacts = contacts.with_columns(pl.col(ID).is_in(hit.implode()).alias("suppressed"))
    else:
        contacts = contacts.with_columns(pl.lit(False).alias("suppressed"))
    contacts = contacts.with_columns(
        (pl.col("opt_out").fill_null(False) | pl.col("suppressed")).alias("do_not_contact")
    )
    companies = _order_columns(companies.rename({ID: "company_id"}), ["company_id"])
    contacts = _order_columns(
        contacts.rename({ID: "contact_id"}),
        ["contact_id", "company_id", "person_id", "company_name"],
    )
    points = pl.concat(
        [
            company_points.select(
                pl.lit("company").alias("level"), pl.col(ID).alias("id"), pl.exclude(ID)
            ),
            contact_points.select(
                pl.lit("contact").alias("level"), pl.col(ID).alias("id"), pl.exclude(ID)
            ),
        ]
    )
    provenance = pl.concat(
        [
            company_prov.select(
                pl.lit("company").alias("level"), pl.col(ID).alias("id"), pl.exclude(ID)
            ),
            contact_prov.select(
                pl.lit("contact").alias("level"), pl.col(ID).alias("id"), pl.exclude(ID)
            ),
        ]
    )

    lineage = lineage.result()
    changes_frame = pl.DataFrame(changes, schema={c: pl.String for c in CHANGE_COLUMNS}).sort(
        "level", "old_id", "new_id"
    )
    counts = {
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
        "changes": changes_frame.height,
        "decisions": all_decisions.height,
        "decision_outcomes": decision_outcomes(records, all_decisions),
        "master_link_state": None
        if previous is None
        else ("kept" if state else "computed again"),  # what linking read of the previous master
    }
    timings["lineage"] = time.perf_counter() - t
    return Master(
        records,
        companies,
        contacts,
        points,
        provenance,
        lineage,
        all_rejects,
        changes_frame,
        all_decisions,
        found,
        last_ids,
        found.state,
        None,
        counts,
        {k: round(v, 3) for k, v in timings.items()},
        carried,
    )


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
