"""A master folder on disk: what `enrich master` writes, and reads back with ``--previous``.

companies / contacts / contact_points / provenance (CSV or Parquet), lineage.csv,
review.csv, rejects.csv, changes.csv, decisions.csv, run.json, report.html, model.json and
records.parquet: every linked row with its ids — the state the next incremental run links to
— and link_company/link_customer/link_contact.parquet: what linking read of those rows (derived, folded
values), so that the next run does not compute it again; register.parquet: the
do-not-contact register (``consent.register``: keyed hashes, no address), which every run
reads, adds to and writes whole (empty too), its key's fingerprint in run.json, and
register_points.parquet: the keys of the contacts' addresses and numbers (by a seeded hash
of each, no value), so that the next run keys only the new ones.
The state grows by parts: ``records.parquet``, ``records.1.parquet`` … each run adds the part
of its own rows and hard-links (or copies) the earlier parts, which it did not change — an
incremental run does not rewrite a million records. A run that changes earlier records (a
steward decision reopens clusters), or that would make more than ``MAX_PARTS`` parts, writes
the state whole again, in one part.
The folder is written whole into a temporary folder, then renamed into place. Its run.json
lists every file with its size and SHA-256 (``manifest``, see ``state``): the next run reads
only what these say, and checks again the parts it links in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

from ..consent import register as consent_register
from ..consent.apply import POINTS, POINTS_FILE
from ..errors import InputError
from ..io.read import unguard
from ..io.write import replace_folder, write_json, write_table
from ..link.files import load_models
from ..link.levels import LEVELS, LINKED
from ..link.review import kept_pairs
from ..parallel import beside, side_by_side
from . import state
from .build import Master, Previous
from .carry import state_versions
from .decisions import DECISION_COLUMNS
from .lineage import LINEAGE_COLUMNS

TABLES = ("companies", "contacts", "contact_points", "provenance")
LINK_STATE = {
    level: f"link_{level}" for level in LINKED
}  # what linking read of the records (optional)
XLSX_TABLES = ("companies", "contacts")  # with --format xlsx, beside their CSV (and review)
STATE = ("records.parquet", "lineage.csv", "model.json", "run.json")
MAX_PARTS = 16  # then a run writes the state in one part again


def parts(
    folder: Path, stem: str, listed: list[str] | None = None, files: dict | None = None
) -> list[Path]:
    """The parts of one state table, in order: ``stem.parquet``, ``stem.1.parquet`` … — those
    *listed* in its run.json (``state_parts``), else those on disk. A missing part, or none,
    or one its run.json's manifest (*files*) does not hold, is an error (rows would be lost)."""
    if listed is None:
        numbers = sorted(
            int(m[1])
            for p in folder.glob(f"{stem}.*.parquet")
            if (m := re.fullmatch(rf"{re.escape(stem)}\.(\d+)\.parquet", p.name))
        )
        listed = (
            [
                f"{stem}.parquet",
                *(f"{stem}.{k}.parquet" for k in range(1, max(numbers, default=0) + 1)),
            ]
            if (folder / f"{stem}.parquet").is_file()
            else []
        )
    if (
        not listed
        or not isinstance(listed, list)
        or not all(
            isinstance(n, str) and re.fullmatch(rf"{re.escape(stem)}(\.\d+)?\.parquet", n)
            for n in listed
        )
    ):
        raise InputError(
            f"not an enrich master folder (no {stem}.parquet, or its run.json lists no valid {stem} parts)",
            file=str(folder),
        )
    missing = [name for name in listed if not (folder / name).is_file()]
    if missing:
        raise InputError(f"not a whole enrich master ({missing[0]} is missing)", file=str(folder))
    unlisted = [name for name in listed if files is not None and name not in files]
    if unlisted:
        raise InputError(
            f"not a whole enrich master ({unlisted[0]} is not in its run.json's manifest)",
            file=str(folder),
        )
    return [folder / name for name in listed]


def read_parts(paths: list[Path]) -> pl.DataFrame:
    """A state table from its parts (a later part may have columns an earlier one lacks)."""
    return _joined([pl.read_parquet(p) for p in paths])


def _joined(tables: list[pl.DataFrame]) -> pl.DataFrame:
    return tables[0] if len(tables) == 1 else pl.concat(tables, how="diagonal_relaxed")


def is_master(folder: Path) -> bool:
    try:
        return (
            json.loads((folder / "run.json").read_text(encoding="utf-8")).get("command") == "master"
        )
    except (OSError, ValueError, AttributeError):
        return False


def check_beside(out: Path, master: Path, what: str, summary: str) -> None:
    """Refuse the output folder of a job that reads a master (*what*: "export", "profile")
    where writing it would destroy something: in or over the master, a file, a folder that
    holds something else than an earlier output of that job (its *summary* file)."""
    real, source = out.resolve(), master.resolve()
    if real == source or source in real.parents or real in source.parents:
        raise InputError(f"the {what} cannot be written in or over the master", file=str(out))
    if out.exists() and not out.is_dir():
        raise InputError("the output exists and is not a folder", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / summary).is_file():
        raise InputError(
            f"the output folder exists and is not an enrich {what}; choose a new or empty folder",
            file=str(out),
        )


def check_out(
    folder: Path, kept: list[str], *, force: bool = False, in_place: bool = False
) -> None:
    """Refuse an output folder that would destroy something: a file of the run (*kept*: its
    inputs, previous master, decisions, suppression list …) inside it, even with *force*; an
    existing folder that is not an enrich master; a master, unless *force* (or *in_place*:
    `enrich erase` replaces the master it erases from); a master holding files the tool did
    not write (a steward's notes), unless *force*."""
    real = folder.resolve()
    for p in kept:
        if p and p != "-" and (Path(p).resolve() == real or real in Path(p).resolve().parents):
            raise InputError(
                "the output folder holds an input of this run; write the master to another folder",
                file=str(folder),
            )
    if folder.exists() and not folder.is_dir():
        raise InputError("the output exists and is not a folder", file=str(folder))
    if folder.is_dir() and any(folder.iterdir()) and not is_master(folder):
        raise InputError(
            "the output folder exists and is not an enrich master; choose a new or empty folder",
            file=str(folder),
        )
    others = len(state.foreign(folder)) if folder.is_dir() else 0
    if others and not force:
        raise InputError(
            f"the master folder holds {others} file{'s' if others > 1 else ''} enrich did not "
            f"write, which replacing it would delete: move {'them' if others > 1 else 'it'} "
            "out, or give --force",
            file=str(folder),
        )
    if not force and not in_place and is_master(folder):
        raise InputError(
            "the output folder holds a master already: give --force to replace it, or write "
            f"the next master beside it (--previous {folder} -o {folder}.next)",
            file=str(folder),
        )


def previous_run(folder: str) -> tuple[dict, str]:
    """(the run.json of the earlier master *folder*, the SHA-256 of its bytes). A folder that
    is not one is an error (exit 2) — found at once, before the inputs are cleaned;
    ``read_previous`` then reads it (and finds what is damaged inside)."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError("--previous is not a folder", file=folder)
    missing = [n for n in STATE if not (path / n).is_file()]
    try:
        data = (path / "run.json").read_bytes()
        run = json.loads(data)
    except (OSError, ValueError):
        data, run = b"", None
    if missing or not isinstance(run, dict) or run.get("command") != "master":
        what = f"no {', '.join(missing)}" if missing else "its run.json is not a master run's"
        raise InputError(f"not an enrich master folder ({what})", file=folder)
    return run, state.digest(data)["sha256"]


def _same_run(folder: str, expected: str | None) -> dict:
    """The run.json of *folder*: the one first read (SHA-256 *expected*), or an error."""
    run, sha = previous_run(folder)
    if expected is not None and sha != expected:
        raise InputError(
            "the previous master changed while this run read it (replaced by another run?): "
            "nothing was written; run again",
            file=folder,
        )
    return run


def read_previous(folder: str, settings, run_sha256: str | None = None) -> Previous:
    """An earlier master folder, checked: a folder that is not one is an error (exit 2), and
    so is a state file that is not the one its run.json lists (``state.checked``), records
    and lineage that disagree, or a run.json that is not *run_sha256* (the one first read)."""
    run = _same_run(folder, run_sha256)
    path, files, digests = Path(folder), state.listed(run), {}

    def read(name: str) -> bytes:  # checked, and parsed from the bytes that were checked
        data, digests[str(path / name)] = state.checked(path, name, files)
        return data

    listed = run.get("state_parts") or {}  # the parts the run wrote (older masters: on disk)
    try:
        record_parts = parts(path, "records", listed.get("records"), files)
        records = _joined([pl.read_parquet(read(p.name)) for p in record_parts])
        lineage = pl.read_csv(read("lineage.csv"), infer_schema=False).with_columns(
            pl.col("source_row").cast(pl.Int64)
        )
        decisions = (
            pl.read_csv(read("decisions.csv"), infer_schema=False)
            if (path / "decisions.csv").is_file() or (files and "decisions.csv" in files)
            else pl.DataFrame(schema={c: pl.String for c in DECISION_COLUMNS})
        )
        if {"source_row_l", "source_row_r"} <= set(decisions.columns):  # else said below
            decisions = decisions.with_columns(  # a bad number: the error, not its value
                pl.col("source_row_l").cast(pl.Int64), pl.col("source_row_r").cast(pl.Int64)
            )
        read("model.json")  # checked: load_models reads it
        register = _register(path, run, files, read)
        points = (
            pl.read_parquet(read(POINTS_FILE)) if files and POINTS_FILE in files else None
        )  # optional: without it every value is keyed again
    except (OSError, ValueError, AttributeError, pl.exceptions.PolarsError) as exc:
        raise InputError(
            f"cannot read the previous master ({type(exc).__name__})", file=folder
        ) from None
    for name, table, need in (
        ("records.parquet", records, ["source_file", "source_row", "company_id", "contact_id"]),
        ("lineage.csv", lineage, LINEAGE_COLUMNS),
        ("decisions.csv", decisions, DECISION_COLUMNS),
    ):
        lost = [c for c in need if c not in table.columns]
        if lost:
            raise InputError(
                f"not an enrich master folder ({name} has no {', '.join(lost)})", file=folder
            )
    state.check_lineage(records, lineage, folder)
    last = run.get("last_ids", {})
    link_state, state_parts = {}, {"records": record_parts}
    for level, stem in LINK_STATE.items():  # optional: without it the records are read again
        try:
            state_parts[stem] = parts(path, stem, listed.get(stem), files)
            link_state[level] = _joined([pl.read_parquet(read(p.name)) for p in state_parts[stem]])
        except state.Mismatch:
            raise
        except (OSError, InputError, pl.exceptions.PolarsError):
            link_state = {}
            break
    return Previous(
        records=records,
        lineage=lineage,
        decisions=decisions,
        last_ids={level: int(last.get(level, -1)) for level in LEVELS},
        models=load_models(str(path / "model.json"), settings, refit_stale=True),
        rules_hash=run.get("rules_hash"),
        link_state=link_state,
        state_made_by=run.get("link_state_made_by") or {},
        parts=state_parts,
        digests=digests,
        register=register,
        register_points=points
        if points is not None and points.schema == pl.Schema(POINTS)
        else None,
    )


def _register(path: Path, run: dict, files: dict | None, read) -> pl.DataFrame:
    """The previous master's do-not-contact register, checked like every state file: a
    master that records a register key must hold it (as its manifest lists it); an older
    master without one has an empty register."""
    if "register_key" not in run and not (files and consent_register.FILE in files):
        return consent_register.empty()
    table = pl.read_parquet(read(consent_register.FILE))
    if table.schema != pl.Schema(consent_register.SCHEMA):
        raise InputError(
            f"not an enrich master folder ({consent_register.FILE} is not a register)",
            file=str(path),
        )
    return table


def read_golden_tables(
    folder: str | Path, run_sha256: str | None = None, *, split: bool = True
) -> dict:
    """An earlier master's golden tables, for the entities no new row touches (contact
    points and provenance by level) — ``build(previous_tables=...)``; {} if one is missing or
    unreadable (then every golden row is computed again). Slow on a big master: read them
    beside cleaning and linking (``with beside(...)``). A CSV master's Parquet copy
    (``golden_<table>.parquet``) is read instead of its CSV when the CSV is the one written
    with it (its size and time, in run.json) and the copy the one its manifest lists — read
    faster, and typed as computed; a CSV changed since is read itself. A run.json that is
    not *run_sha256* (the one ``read_previous`` checks) is an error: the folder was replaced.
    *split*: contact points and provenance split by level (else whole, as written)."""
    path = Path(folder)
    try:
        run = _same_run(str(folder), run_sha256)
    except InputError:
        if run_sha256 is not None:
            raise
        return {}
    return _golden_tables(path, run.get("golden_copies") or {}, state.listed(run), split)


def _golden_tables(path: Path, copies: dict, files: dict | None = None, split: bool = True) -> dict:
    """The golden tables of the master in *path* (see read_golden_tables); *copies*: the
    size and time of each CSV when its Parquet copy was written; *files*: its manifest."""
    tables = {}
    for name in TABLES:
        csv = path / f"{name}.csv"
        try:
            if (path / f"{name}.parquet").is_file():
                tables[name] = pl.read_parquet(path / f"{name}.parquet")
            elif (copy := _copy(path / f"golden_{name}.parquet", files)) is not None and (
                csv.is_file() and _stamp(csv) == copies.get(name)
            ):
                tables[name] = pl.read_parquet(copy)
            elif csv.is_file():
                tables[name] = unguard(pl.read_csv(csv, infer_schema=False, encoding="utf8-lossy"))
        except (OSError, pl.exceptions.PolarsError):
            return {}
    if len(tables) < len(TABLES):
        return {}
    tables = {
        name: t.rechunk() for name, t in tables.items()
    }  # one chunk (a Parquet file gives one per row group): filtered and sorted twice as fast
    if not split:
        return tables
    try:
        for name in (
            "contact_points",
            "provenance",
        ):  # both levels in one table: split here, while the new rows are linked
            tables[name] = {
                level: tables[name].filter(pl.col("level") == level).drop("level")
                for level in LEVELS
            }
    except pl.exceptions.PolarsError:  # not a table enrich wrote
        return {}
    return tables


def _copy(path: Path, files: dict | None) -> bytes | None:
    """The bytes of a golden table's Parquet copy, if it is the one the manifest *files*
    lists (an older master's, without one: as it is); else None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if files is None or files.get(path.name) == state.digest(data) else None


def _stamp(path: Path) -> list[int]:
    """A file's size and modification time: changed by any edit or replacement."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def write(
    master: Master,
    folder: str | Path,
    fmt: str,
    *,
    excel: bool,
    finish,
) -> None:
    """Every output of a master run, all at once (see the module's doc). ``finish()`` gives
    (review, summary, report): it runs while the big tables are being written. *fmt* xlsx:
    a CSV master (what the next run reads) and companies, contacts, review as XLSX beside."""
    xlsx, fmt = fmt == "xlsx", "csv" if fmt == "xlsx" else fmt

    def fill(tmp: Path) -> None:
        writes, listed, linked = _table_writes(master, tmp, fmt, excel)
        with beside(
            lambda: side_by_side(*writes, workers=2)
        ) as writing:  # polars writes (and hashlib hashes) without the GIL: both cores work
            review, summary, report = finish()
            write_table(review, tmp / "review.csv", "csv", excel=excel)
            if xlsx:  # for a person: opened in Excel, text kept text
                write_table(review, tmp / "review.xlsx", "xlsx")
            pairs = master.pairs if master.pairs is not None else kept_pairs(master.linked)
            write_table(pairs, tmp / "pairs.parquet", "parquet")
            hashed = dict(writing.result())  # raises what a write raised
        for name in XLSX_TABLES if xlsx else ():
            write_table(getattr(master, name), tmp / f"{name}.xlsx", "xlsx")
        write_json(
            {level: res.model.to_json() for level, res in master.linked.results.items()},
            tmp / "model.json",
        )
        (tmp / "report.html").write_text(report, encoding="utf-8")
        stamps = (
            {"golden_copies": {name: _stamp(tmp / f"{name}.csv") for name in TABLES}}
            if fmt == "csv"
            else {}
        )
        expected = {
            name: (source, master.digests[str(source)]) for name, source in linked.items()
        }  # the bytes read of the parts linked in: the ones the new master must hold
        write_json(
            {
                **summary,
                "link_state_made_by": state_versions(),
                "state_parts": listed,
                **stamps,
                "manifest": state.manifest(tmp, expected, hashed),
            },
            tmp / "run.json",
        )

    replace_folder(folder, fill)


def _table_writes(
    master: Master, tmp: Path, fmt: str, excel: bool
) -> tuple[list[Callable[[], None]], dict[str, list[str]], dict[str, Path]]:
    """(the writes of the tables of *master* into *tmp* — each gives the name and digest of
    what it wrote —, the parts of each state table, the parts linked in from the previous
    master and where from): the golden tables, the CSV side tables, the state tables' new
    parts (their earlier parts are linked in here, and hashed) and, for a CSV master, the
    golden tables' Parquet copies."""
    jobs = [(getattr(master, name), tmp / f"{name}.{fmt}", fmt) for name in TABLES]
    jobs += [
        (table, tmp / f"{name}.csv", "csv")
        for name, table in (
            ("lineage", master.lineage.select(LINEAGE_COLUMNS)),
            ("rejects", master.rejects),
            ("changes", master.changes),
            ("decisions", master.decisions),
            *(
                (("registry_review", master.registry_review),)
                if master.registry_review is not None
                else ()
            ),
        )
    ]
    writes = [
        _hashed(path, partial(write_table, table, path, kind, excel=excel))
        for table, path, kind in jobs
    ]
    register = consent_register.empty() if master.register is None else master.register
    path = tmp / consent_register.FILE
    writes.append(_hashed(path, partial(write_table, register, path, "parquet")))
    if master.register_points is not None:
        path = tmp / POINTS_FILE
        keyed = master.register_points
        writes.append(_hashed(path, partial(write_table, keyed, path, "parquet", fast=True)))
    stems = [
        (
            "records",
            master.records.drop("person_id", strict=False),
        ),  # person ids are given again by each run
        *(
            (stem, master.link_state[level])
            for level, stem in LINK_STATE.items()
            if level in master.link_state
        ),
    ]
    listed, links = {}, {}
    for stem, table in stems:
        linked, new = _state_parts(tmp, stem, table, master.carried)
        listed[stem] = [*linked, *(name for _, name in new)]
        links |= linked
        writes += [_hashed(tmp / name) for name in linked]  # checked against what was read
        writes += [
            _hashed(tmp / name, partial(write_table, part, tmp / name, "parquet", fast=True))
            for part, name in new
        ]
    if fmt == "csv":  # read by the next run
        writes += [
            _hashed(
                tmp / f"golden_{name}.parquet",
                partial(
                    write_table,
                    getattr(master, name),
                    tmp / f"golden_{name}.parquet",
                    "parquet",
                    fast=True,
                ),
            )
            for name in TABLES
        ]
    return writes, listed, links


def _hashed(path: Path, write: Callable[[], None] | None = None) -> Callable[[], tuple]:
    """*write* (if any), then (the name of *path*, its size and SHA-256) — in the pool of
    writes, beside the review and the report, not after them."""

    def run() -> tuple[str, dict]:
        if write is not None:
            write()
        return path.name, state.file_digest(path)

    return run


def _state_parts(
    tmp: Path, stem: str, table: pl.DataFrame, carried: dict[str, tuple[list[Path], int]]
) -> tuple[dict[str, Path], list[tuple[pl.DataFrame, str]]]:
    """(the parts linked into *tmp* and where from, the parts still to write) of one state
    table: the previous
    master's parts that hold its first rows as they are (``carried[stem]``) are linked in, and
    only the rows after them make a new part; else the whole table is one part."""
    earlier, rows = carried.get(stem, ([], 0))
    if not earlier or rows > table.height or len(earlier) >= MAX_PARTS:
        return {}, [(table, f"{stem}.parquet")]
    names = [
        f"{stem}.parquet",
        *(f"{stem}.{k}.parquet" for k in range(1, len(earlier) + 1)),
    ]  # renumbered: no gap
    for p, name in zip(earlier, names):
        try:
            os.link(
                p, tmp / name
            )  # a file is never changed in place (writes replace it): sharing it is safe
        except OSError:  # another file system, or no hard links there
            shutil.copyfile(p, tmp / name)
    added = table.slice(rows)
    return dict(zip(names, earlier)), [(added, names[-1])] if added.height else []
