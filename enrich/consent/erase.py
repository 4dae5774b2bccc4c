"""Erasure (GDPR Art. 17): the person a request names (``subject.find``) taken out of every
output and every piece of state of a master, which is then written again whole, as any run
writes it (under its lock, a fresh run.json and manifest), a valid ``--previous`` for the
next run.

What goes: their golden contacts, those contacts' contact points and provenance; their
source rows from the records and from the link state (what linking derived of them); their
rows of review.csv, rejects.csv and decisions.csv; the id changes of their contacts. Lineage
keeps each of their rows — file, row number and the status ``erased``, nothing else — so the
row accounting still adds up. The companies their rows belonged to stay when other rows hold
them: the golden values, contact points (the company's list of phones …) and provenance of
those companies are survived again from the rows that remain, so no value taken from the
person's rows stays; a company held only by their rows goes. Registry and online columns of
a company (attached, not taken from any row) are kept.

A tombstone goes into the master's register (``register.parquet``): every address and number
the person held, keyed (``keys.keyed``; no value), refusing every channel, source ``erased``
— so a later import of the same person is suppressed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import polars as pl

from ..errors import InputError
from ..io.read import typed_like, unguard
from ..link.derive import derive, level_rows
from ..link.ids import id_number
from ..link.levels import LEVELS
from ..master import folder as master_folder
from ..master.build import Master, _counts
from ..master.golden import (
    companies_table,
    contacts_per_company,
    golden_level,
    survival_rows,
)
from ..master.ids import PREFIX
from ..master.lineage import LINEAGE_COLUMNS, check_accounting, row_lineage
from ..master.survive import ID
from ..master.survive import load as load_survivorship
from ..pipeline import MASTER_RULES  # the rules a master's rules_hash covers
from ..ruleset import Rules
from . import keys, register
from .subject import Found, Held, Request, find, load, master_key


@dataclass
class Erased:
    """What an erasure took out (counts only: what may be said)."""

    contacts: int
    rows: int
    companies_survived_again: int
    companies_removed: int
    tombstones: int
    others: int = 0

    def line(self) -> str:
        s = lambda n: "" if n == 1 else "s"  # noqa: E731
        return (
            f"erased {self.contacts} contact{s(self.contacts)}, {self.rows} source "
            f"row{s(self.rows)}; {self.companies_survived_again} compan"
            f"{'y' if self.companies_survived_again == 1 else 'ies'} survived again, "
            f"{self.companies_removed} removed; {self.tombstones} keyed tombstone"
            f"{s(self.tombstones)} in {register.FILE}"
        ) + (
            f"; {self.others} other contact{s(self.others)} (holding one of their addresses "
            "or numbers, or linked to them as one person) not erased: see enrich subject"
            if self.others
            else ""
        )


def erase(
    master: str,
    out: str | None,
    asked: Request,
    *,
    rules_dir: str | None = None,
    force: bool = False,
    say=lambda line: None,
) -> Erased:
    """Erase the person *asked* names from the master folder *master*, writing the next master
    to *out* (default: *master* itself, replaced whole at the end)."""
    from ..io.lock import session

    out = out or master
    in_place = Path(out).resolve() == Path(master).resolve()
    with session(out, reads=[master], inputs=[rules_dir] if rules_dir else [], say=say):
        master_folder.check_out(
            Path(out), [] if in_place else [master], force=force, in_place=in_place
        )
        rules = Rules.load(rules_dir)
        held = load(master, rules)
        if held.run.get("rules_hash") != rules.digest(MASTER_RULES):
            raise InputError(
                "the master was built with other rules: give the --rules folder it was built with",
                file=master,
            )
        key = master_key(held.run, say)
        started = time.perf_counter()
        found = find(held, asked)
        built, erased, tombstones = _next_master(held, found, rules, key)
        summary = _summary(held, built, erased, key, time.perf_counter() - started)
        master_folder.write(
            built,
            Path(out),
            held.format,
            excel=_excel(held),
            finish=lambda: _finish(held, found, built, summary),
        )
    return erased


def _next_master(
    held: Held, found: Found, rules: Rules, key: bytes
) -> tuple[Master, Erased, pl.DataFrame]:
    """The master without the person: its tables, the counts of what went, its register."""
    previous, t = held.previous, held.tables
    records = previous.records
    gone_rows = records.filter(found.rows).select(
        "source_file", pl.col("source_row").cast(pl.Int64)
    )
    gone = pl.Series(found.contacts, dtype=pl.String)
    touched = records.filter(found.rows)["company_id"].drop_nulls().unique()
    kept = records.filter(~found.rows)
    link_state = _link_state(previous, found.rows, rules)
    companies, c_points, c_prov = _companies(kept, touched, rules, t["companies"])
    left = companies["company_id"]
    removed = touched.filter(~touched.is_in(left.implode()))
    contacts = _contacts(t["contacts"], gone, companies, touched)
    points = _replace(t["contact_points"], gone, touched, c_points)
    provenance = _replace(t["provenance"], gone, touched, c_prov)
    lineage = _lineage(previous.lineage, gone_rows, kept)
    ids = pl.concat([gone, removed]).implode()
    changes = _side(held, "changes").filter(
        ~pl.col("old_id").is_in(ids) & ~pl.col("new_id").is_in(ids)
    )
    decisions = _without_rows(previous.decisions, gone_rows, ("_l", "_r"))
    rejects = _without_rows(_side(held, "rejects"), gone_rows, ("",))
    tombstones = _tombstones(held.register, found, key)
    counts = _counts(
        kept,
        companies,
        contacts,
        lineage,
        changes,
        decisions,
        {
            "companies": companies.filter(pl.col("company_id").is_in(touched.implode())).height,
            "contacts": 0,
        },
        None,
    )
    built = Master(
        kept,
        companies,
        contacts,
        points,
        provenance,
        lineage,
        rejects,
        changes,
        decisions,
        _kept_models(held),
        previous.last_ids,
        link_state,
        _registry_review(held, removed),
        counts,
    )
    erased = Erased(
        len(found.contacts),
        gone_rows.height,
        counts["survived_again"]["companies"],
        removed.len(),
        len(found.emails) + len(found.phones),
        len(set(found.others) | set(found.same_person)),
    )
    built.register = tombstones
    built.register_points = _points_kept(previous.register_points, tombstones)
    built.pairs = _pairs(held, gone_rows)
    return built, erased, tombstones


def _pairs(held: Held, gone_rows: pl.DataFrame) -> pl.DataFrame:
    """pairs.parquet (for ``enrich explain``) without a pair naming one of the person's rows
    (a master written before it had one: none)."""
    from ..master import state

    if not (held.path / "pairs.parquet").is_file():
        return pl.DataFrame(schema={"level": pl.String})
    data, _ = state.checked(held.path, "pairs.parquet", state.listed(held.run))
    return _without_rows(pl.read_parquet(data), gone_rows, ("_l", "_r"))


def _points_kept(points: pl.DataFrame | None, tombstones: pl.DataFrame) -> pl.DataFrame | None:
    """The keys of the master's contact points (``consent.apply``), less the person's: the
    next run keys only new values, and nothing keyed of the person is left but the tombstone."""
    if points is None:
        return None
    theirs = tombstones.filter(pl.col("source") == "erased")["key"].implode()
    return points.filter(~pl.col("key").is_in(theirs))


def _tombstones(held: pl.DataFrame | None, found: Found, key: bytes) -> pl.DataFrame:
    """The register with every address and number of the person keyed, refusing every
    channel, source ``erased``."""
    return register.merge(
        held,
        *(
            register.entries(
                kind, pl.Series(values, dtype=pl.String), register.CHANNELS, "erased", key
            )
            for kind, values in (("email", found.emails), ("phone", found.phones))
        ),
    )


def _link_state(previous, theirs: pl.Series, rules: Rules) -> dict[str, pl.DataFrame]:
    """What linking derived of the records, without the person's rows (a level's state holds
    one row per record of that level, in order)."""
    out = {}
    for level, rows in level_rows(rules).items():
        st = previous.link_state.get(level)
        at_level = previous.records.select(rows).to_series().fill_null(False)
        if st is None or st.height != int(at_level.sum()):
            return {}  # none, or not this master's: the next run reads the records again
        out[level] = st.filter(~theirs.filter(at_level))
    return out


def _companies(
    kept: pl.DataFrame, touched: pl.Series, rules: Rules, old: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The companies table with the *touched* companies survived again from the rows that
    remain (their attached columns — registry, online — kept from *old*), and the company
    contact points and provenance of those (``level``/``id`` form)."""
    survivorship = load_survivorship(rules)
    rows_at = kept.filter(pl.col("company_id").is_in(touched.implode()))
    rows = survival_rows(rows_at, derive(rows_at, rules), survivorship)
    golden, points, provenance = golden_level(
        rows.with_columns(pl.col("company_id").alias(ID)), "company", survivorship
    )
    fresh = companies_table(golden, contacts_per_company(kept))
    attached = [c for c in old.columns if c not in fresh.columns]
    fresh = fresh.join(
        old.select("company_id", *attached), on="company_id", how="left", maintain_order="left"
    )
    companies = _by_id(
        pl.concat(
            [
                old.filter(~pl.col("company_id").is_in(touched.implode())),
                typed_like(fresh, old.schema).select(old.columns),
            ],
            how="vertical_relaxed",
        ),
        "company_id",
        PREFIX["company"],
    )
    level = lambda t: t.select(  # noqa: E731
        pl.lit("company").alias("level"), pl.col(ID).alias("id"), pl.exclude(ID)
    )
    return companies, level(points), level(provenance)


def _by_id(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """*frame* in id order (enrich's: by id number), each id's rows in their order."""
    return frame.sort(id_number(pl.col(column), prefix), maintain_order=True)


def _contacts(
    old: pl.DataFrame, gone: pl.Series, companies: pl.DataFrame, touched: pl.Series
) -> pl.DataFrame:
    """The contacts without the person's, the company name of the touched companies' contacts
    as survived again."""
    contacts = old.filter(~pl.col("contact_id").is_in(gone.implode()))
    names = companies.select("company_id", pl.col("company_name").alias("_name"))
    return (
        contacts.join(names, on="company_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("company_id").is_in(touched.implode()))
            .then(pl.col("_name").cast(old.schema["company_name"]))
            .otherwise(pl.col("company_name"))
            .alias("company_name")
        )
        .drop("_name")
    )


def _replace(
    table: pl.DataFrame, gone: pl.Series, touched: pl.Series, company_rows: pl.DataFrame
) -> pl.DataFrame:
    """A ``level``/``id`` table (contact points, provenance) without the person's contacts'
    rows, the touched companies' rows replaced by *company_rows*."""
    theirs = ((pl.col("level") == "contact") & pl.col("id").is_in(gone.implode())) | (
        (pl.col("level") == "company") & pl.col("id").is_in(touched.implode())
    )
    both = pl.concat(
        [table.filter(~theirs), typed_like(company_rows, table.schema).select(table.columns)],
        how="vertical_relaxed",
    )
    rank = pl.col("level").replace_strict(
        {level: i for i, level in enumerate(LEVELS)}, default=len(LEVELS), return_dtype=pl.Int32
    )
    number = pl.col("id").str.extract(r"-(\d+)$", 1).cast(pl.Int64)
    return both.sort([rank, number], maintain_order=True)


def _lineage(lineage: pl.DataFrame, gone_rows: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
    """Lineage with the person's rows ``erased`` (file, row, status: no id, no reason), the
    other rows' statuses as the remaining records give them; every row still there once."""
    from ..master.lineage import rejected

    theirs = lineage.join(
        gone_rows.with_columns(pl.lit(True).alias("_gone")),
        on=["source_file", "source_row"],
        how="left",
        maintain_order="left",
    )["_gone"].fill_null(False)
    earlier = lineage.with_columns(
        *(
            pl.when(theirs).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("company_id", "contact_id", "reason")
        ),
        pl.when(theirs).then(pl.lit("erased")).otherwise(pl.col("status")).alias("status"),
    )
    none = pl.DataFrame(
        schema={
            "source_file": pl.String,
            "source_row": pl.Int64,
            "column": pl.String,
            "reason": pl.String,
        }
    )
    out = row_lineage(kept, rejected(kept, none), earlier).select(LINEAGE_COLUMNS)
    check_accounting(out, lineage.height)
    return out


def _without_rows(
    frame: pl.DataFrame, gone_rows: pl.DataFrame, sides: tuple[str, ...]
) -> pl.DataFrame:
    """*frame* without a row naming one of *gone_rows* on any side (``source_file<s>``,
    ``source_row<s>`` for each suffix in *sides*)."""
    for s in sides:
        if f"source_file{s}" not in frame.columns:
            continue
        frame = frame.join(
            gone_rows.rename({"source_file": f"source_file{s}", "source_row": f"_row{s}"}),
            left_on=[f"source_file{s}", pl.col(f"source_row{s}").cast(pl.Int64, strict=False)],
            right_on=[f"source_file{s}", f"_row{s}"],
            how="anti",
            maintain_order="left",
        )
    return frame


def _side(held: Held, name: str) -> pl.DataFrame:
    """A side table of the master (``NAME.csv``), checked against its manifest, as text."""
    from ..master import state
    from ..master.reopen import CHANGE_COLUMNS

    path = held.path / f"{name}.csv"
    if not path.is_file():
        return pl.DataFrame(schema={c: pl.String for c in CHANGE_COLUMNS if name == "changes"})
    data, _ = state.checked(held.path, path.name, state.listed(held.run))
    return unguard(pl.read_csv(data, infer_schema=False))


def _review(held: Held, found: Found) -> pl.DataFrame:
    """review.csv without a pair one of whose rows is the person's."""
    gone_rows = held.previous.records.filter(found.rows).select(
        "source_file", pl.col("source_row").cast(pl.Int64)
    )
    return _without_rows(_side(held, "review"), gone_rows, ("_l", "_r"))


def _registry_review(held: Held, removed: pl.Series) -> pl.DataFrame | None:
    """registry_review.csv (if the master has one) without the companies that went."""
    if not (held.path / "registry_review.csv").is_file():
        return None
    table = _side(held, "registry_review")
    if "company_id" in table.columns:
        table = table.filter(~pl.col("company_id").is_in(removed.implode()))
    return table


class _Model:
    """A model as model.json holds it, written back as it is (an erasure links nothing)."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def to_json(self) -> dict:
        return self.data


def _kept_models(held: Held) -> SimpleNamespace:
    """The ``linked`` of a master an erasure writes: the previous models; no pairs scored."""
    from ..master import state

    data, _ = state.checked(held.path, "model.json", state.listed(held.run))
    models = json.loads(data)
    return SimpleNamespace(
        results={
            level: SimpleNamespace(model=_Model(model), pairs=None)
            for level, model in models.items()  # every level it holds, in its order
        }
    )


def _excel(held: Held) -> bool:
    """Was the master written for Excel (CSV with a BOM)?"""
    try:
        with open(held.path / "companies.csv", "rb") as fh:
            return fh.read(3) == b"\xef\xbb\xbf"
    except OSError:
        return False


def _summary(held: Held, built: Master, erased: Erased, key: bytes, seconds: float) -> dict:
    """The next master's run.json: the previous one's (its inputs, rules, ids …), this
    master's counts, what the erasure took out (``master.erased``: counts only)."""
    run = {
        k: v
        for k, v in held.run.items()
        if k not in ("manifest", "state_parts", "golden_copies", "link_state_made_by")
    }
    erased_rows = int((built.lineage["status"] == "erased").sum())
    run["master"] = {
        **built.counts,
        "erased": {
            "contacts": erased.contacts,
            "source_rows": erased.rows,
            "companies_survived_again": erased.companies_survived_again,
            "companies_removed": erased.companies_removed,
            "tombstones": erased.tombstones,
            "other_contacts_not_erased": erased.others,
            "rows_erased_in_lineage": erased_rows,
            "day": dt.date.today().isoformat(),
        },
    }
    run["previous"] = str(held.path)
    run["register_key"] = keys.fingerprint(key)
    run["timings_s"] = {"erase": round(seconds, 3)}
    return run


def _finish(held: Held, found: Found, built: Master, summary: dict) -> tuple:
    """(review, run summary, report) of the next master (``folder.write`` asks for them)."""
    from ..report.html import render

    review = _review(held, found)
    summary["review_rows"] = review.height
    return review, summary, render(built, summary)
