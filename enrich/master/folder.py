"""A master folder on disk: what `enrich master` writes, and reads back with ``--previous``.

companies / contacts / contact_points / provenance (CSV or Parquet), lineage.csv,
review.csv, rejects.csv, changes.csv, decisions.csv, run.json, report.html, model.json and
records.parquet: every linked row with its ids — the state the next incremental run links to
— and link_company/link_contact.parquet: what linking read of those rows (derived, folded
values), so that the next run does not compute it again.
The state grows by parts: ``records.parquet``, ``records.1.parquet`` … each run adds the part
of its own rows and hard-links (or copies) the earlier parts, which it did not change — an
incremental run does not rewrite a million records. A run that changes earlier records (a
steward decision reopens clusters), or that would make more than ``MAX_PARTS`` parts, writes
the state whole again, in one part.
The folder is written whole into a temporary folder, then renamed into place.
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

from ..errors import InputError
from ..io.read import unguard
from ..io.write import replace_folder, write_json, write_table
from ..link.files import load_models
from ..link.levels import LEVELS
from ..parallel import beside, side_by_side
from .build import Master, Previous
from .carry import state_versions
from .decisions import DECISION_COLUMNS
from .lineage import LINEAGE_COLUMNS

TABLES = ("companies", "contacts", "contact_points", "provenance")
LINK_STATE = {
    level: f"link_{level}" for level in LEVELS
}  # what linking read of the records (optional)
STATE = ("records.parquet", "lineage.csv", "model.json", "run.json")
MAX_PARTS = 16  # then a run writes the state in one part again


def parts(folder: Path, stem: str, listed: list[str] | None = None) -> list[Path]:
    """The parts of one state table, in order: ``stem.parquet``, ``stem.1.parquet`` … — those
    *listed* in its run.json (``state_parts``), else those on disk. A missing part, or none,
    is an error (rows would be lost)."""
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
    return [folder / name for name in listed]


def read_parts(paths: list[Path]) -> pl.DataFrame:
    """A state table from its parts (a later part may have columns an earlier one lacks)."""
    tables = [pl.read_parquet(p) for p in paths]
    return tables[0] if len(tables) == 1 else pl.concat(tables, how="diagonal_relaxed")


def is_master(folder: Path) -> bool:
    try:
        return (
            json.loads((folder / "run.json").read_text(encoding="utf-8")).get("command") == "master"
        )
    except (OSError, ValueError, AttributeError):
        return False


def check_out(folder: Path, inputs: list[str], previous: str | None) -> None:
    """Refuse an output folder that would destroy something: an input inside it, the
    previous master itself, or an existing folder that is not an enrich master."""
    real = folder.resolve()
    for p in [*inputs, *([previous] if previous else [])]:
        if p != "-" and (Path(p).resolve() == real or real in Path(p).resolve().parents):
            raise InputError(
                "the output folder holds an input; write the master to another folder",
                file=str(folder),
            )
    if folder.exists() and not folder.is_dir():
        raise InputError("the output exists and is not a folder", file=str(folder))
    if folder.is_dir() and any(folder.iterdir()) and not is_master(folder):
        raise InputError(
            "the output folder exists and is not an enrich master; choose a new or empty folder",
            file=str(folder),
        )


def check_previous(folder: str) -> None:
    """A folder that is not an earlier master is an error (exit 2) — found at once, before the
    inputs are cleaned; ``read_previous`` then reads it (and finds what is damaged inside)."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError("--previous is not a folder", file=folder)
    missing = [n for n in STATE if not (path / n).is_file()]
    if missing or not is_master(path):
        what = f"no {', '.join(missing)}" if missing else "its run.json is not a master run's"
        raise InputError(f"not an enrich master folder ({what})", file=folder)


def read_previous(folder: str, settings) -> Previous:
    """An earlier master folder, checked: a folder that is not one is an error (exit 2)."""
    check_previous(folder)
    path = Path(folder)
    try:
        run = json.loads((path / "run.json").read_text(encoding="utf-8"))
        listed = (
            run.get("state_parts") or {}
        )  # the parts the run wrote (older masters: those on disk)
        record_parts = parts(path, "records", listed.get("records"))
        records = read_parts(record_parts)
        lineage = pl.read_csv(path / "lineage.csv", infer_schema=False).with_columns(
            pl.col("source_row").cast(pl.Int64)
        )
        decisions = (
            pl.read_csv(path / "decisions.csv", infer_schema=False)
            if (path / "decisions.csv").is_file()
            else pl.DataFrame(schema={c: pl.String for c in DECISION_COLUMNS})
        )
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
    last = run.get("last_ids", {})
    link_state, state_parts = {}, {"records": record_parts}
    for level, stem in LINK_STATE.items():  # optional: without it the records are read again
        try:
            state_parts[stem] = parts(path, stem, listed.get(stem))
            link_state[level] = read_parts(state_parts[stem])
        except (OSError, InputError, pl.exceptions.PolarsError):
            link_state = {}
            break
    return Previous(
        records=records,
        lineage=lineage,
        decisions=decisions.with_columns(
            pl.col("source_row_l").cast(pl.Int64), pl.col("source_row_r").cast(pl.Int64)
        ),
        last_ids={level: int(last.get(level, -1)) for level in LEVELS},
        models=load_models(str(path / "model.json"), settings, refit_stale=True),
        rules_hash=run.get("rules_hash"),
        link_state=link_state,
        state_made_by=run.get("link_state_made_by") or {},
        parts=state_parts,
    )


def read_golden_tables(folder: str | Path) -> dict:
    """An earlier master's golden tables, for the entities no new row touches (contact
    points and provenance by level) — ``build(previous_tables=...)``; {} if one is missing or
    unreadable (then every golden row is computed again). Slow on a big master: read them
    beside cleaning and linking (``with beside(...)``). A CSV master's Parquet copy
    (``golden_<table>.parquet``) is read instead of its CSV when the CSV is the one written
    with it (its size and time, in run.json) — read faster, and typed as computed; a CSV
    changed since is read itself."""
    path = Path(folder)
    try:
        copies = json.loads((path / "run.json").read_text(encoding="utf-8")).get("golden_copies")
    except (OSError, ValueError, AttributeError):
        return {}
    return _golden_tables(path, copies or {})


def _golden_tables(path: Path, copies: dict) -> dict:
    """The golden tables of the master in *path* (see read_golden_tables); *copies*: the
    size and time of each CSV when its Parquet copy was written."""
    tables = {}
    for name in TABLES:
        csv = path / f"{name}.csv"
        try:
            if (path / f"{name}.parquet").is_file():
                tables[name] = pl.read_parquet(path / f"{name}.parquet")
            elif (
                csv.is_file()
                and (path / f"golden_{name}.parquet").is_file()
                and _stamp(csv) == copies.get(name)
            ):
                tables[name] = pl.read_parquet(path / f"golden_{name}.parquet")
            elif csv.is_file():
                tables[name] = unguard(pl.read_csv(csv, infer_schema=False, encoding="utf8-lossy"))
        except (OSError, pl.exceptions.PolarsError):
            return {}
    if len(tables) < len(TABLES):
        return {}
    tables = {
        name: t.rechunk() for name, t in tables.items()
    }  # one chunk (a Parquet file gives one per row group): filtered and sorted twice as fast
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


def _stamp(path: Path) -> list[int]:
    """A file's size and modification time: changed by any edit or replacement."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def write(master: Master, folder: str | Path, fmt: str, *, excel: bool, finish) -> None:
    """Every output of a master run, all at once (see the module's doc). ``finish()`` gives
    (review, summary, report): it runs while the big tables are being written."""

    def fill(tmp: Path) -> None:
        writes, listed = _table_writes(master, tmp, fmt, excel)
        with beside(
            lambda: side_by_side(*writes, workers=2)
        ) as writing:  # polars writes without the GIL: both cores work
            review, summary, report = finish()
            write_table(review, tmp / "review.csv", "csv", excel=excel)
            writing.result()  # raises what a write raised
        write_json(
            {level: master.linked.results[level].model.to_json() for level in LEVELS},
            tmp / "model.json",
        )
        stamps = (
            {"golden_copies": {name: _stamp(tmp / f"{name}.csv") for name in TABLES}}
            if fmt == "csv"
            else {}
        )
        write_json(
            {**summary, "link_state_made_by": state_versions(), "state_parts": listed, **stamps},
            tmp / "run.json",
        )
        (tmp / "report.html").write_text(report, encoding="utf-8")

    replace_folder(folder, fill)


def _table_writes(
    master: Master, tmp: Path, fmt: str, excel: bool
) -> tuple[list[Callable[[], None]], dict[str, list[str]]]:
    """(the writes of the tables of *master* into *tmp*, the parts of each state table): the
    golden tables, the CSV side tables, the state tables' new parts (their earlier parts are
    linked in here) and, for a CSV master, the golden tables' Parquet copies."""
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
    writes = [partial(write_table, table, path, kind, excel=excel) for table, path, kind in jobs]
    state = [
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
    listed = {}
    for stem, table in state:
        linked, new = _state_parts(tmp, stem, table, master.carried)
        listed[stem] = [*linked, *(name for _, name in new)]
        writes += [
            partial(write_table, part, tmp / name, "parquet", fast=True) for part, name in new
        ]
    if fmt == "csv":  # read by the next run
        writes += [
            partial(
                write_table,
                getattr(master, name),
                tmp / f"golden_{name}.parquet",
                "parquet",
                fast=True,
            )
            for name in TABLES
        ]
    return writes, listed


def _state_parts(
    tmp: Path, stem: str, table: pl.DataFrame, carried: dict[str, tuple[list[Path], int]]
) -> tuple[list[str], list[tuple[pl.DataFrame, str]]]:
    """(the parts linked into *tmp*, the parts still to write) of one state table: the previous
    master's parts that hold its first rows as they are (``carried[stem]``) are linked in, and
    only the rows after them make a new part; else the whole table is one part."""
    earlier, rows = carried.get(stem, ([], 0))
    if not earlier or rows > table.height or len(earlier) >= MAX_PARTS:
        return [], [(table, f"{stem}.parquet")]
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
    return names[: len(earlier)], [(added, names[-1])] if added.height else []
