"""Atomic writers: a temporary file beside the target, then a rename — an interrupted run
never leaves a half-written file, and inputs are never overwritten. Several files that
belong together (a table, its rejects, its run.json) are all written first, then renamed
in order, run.json last, holding the others' SHA-256 (``write_set``); a folder is written
whole beside its place and swapped in at once (``replace_folder``). A full or read-only
disk is one line, exit 2 (``lock.disk_error``). What a killed run leaves (``.NAME.*.tmp``,
``.NAME.*.old``) is swept by the next run on that output (``lock.session``).

CSV output is safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or carriage return) and is not a number gets a leading ``'``, so Excel
and LibreOffice show it instead of running it (OWASP "CSV injection"). Parquet keeps values
as they are.

>>> neutralise_one('=HYPERLINK("http://x","clic")'), neutralise_one("+32 2 512 34 56"), neutralise_one("-12.5")
('\\'=HYPERLINK("http://x","clic")', '+32 2 512 34 56', '-12.5')
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import InputError
from ..normalise.text import FORMULA_START, NUMBER_LIKE
from ..parallel import settle
from .lock import disk_error, fault, signals_held

FORMATS = ("csv", "parquet", "xlsx")
SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The output format: explicit, else from the extension (``.parquet`` / ``.pq``,
    ``.xlsx``), else CSV."""
    if fmt:
        return fmt
    return SUFFIXES.get(Path(path).suffix.lower(), "csv")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix formula-like text cells with ``'``; booleans as ``true``/``false``.

    The same test as ``looks_like_formula``, done in two steps: the first character of every
    cell, then the number test on the cells starting with one of those characters only (half
    of a phone column starts with +); the few cells guarded are written in place."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = (
        frame.select(pl.col(c).str.contains(f"^{FORMULA_START}").fill_null(False) for c in text)
        if text and frame.height
        else None
    )
    guarded = {}
    for name in text if starts is not None else ():
        start = starts[name]
        if not start.any():
            continue
        values = frame[name].filter(start)
        formula = ~values.str.contains(NUMBER_LIKE)
        if formula.any():
            at = np.flatnonzero(start.to_numpy())[formula.to_numpy()]
            guarded[name] = (
                frame[name].clone().scatter(at, "'" + values.filter(formula))
            )  # scatter writes in place: not into the caller's frame
    return frame.with_columns(
        *guarded.values(),
        *(
            pl.col(name).cast(pl.String)
            for name, dtype in frame.schema.items()
            if dtype == pl.Boolean
        ),
    )


def neutralise_one(value: str) -> str:
    return neutralise(pl.DataFrame({"v": [value]})).item()


_UMASK = os.umask(0)
os.umask(_UMASK)


def _stage(path: Path, write) -> str:
    """``write(tmp)`` into a temporary file beside *path* (``.NAME.XXXXXXXX.tmp``, what
    ``lock.sweep`` removes if a kill leaves it); its name. A full or read-only disk is an
    ``InputError``; the temporary is gone on any failure or interrupt."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise disk_error(exc, path.parent) or exc from None
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a written file is not
    except BaseException as exc:
        error = disk_error(exc, path)  # before the temporary goes: it may fill the disk
        Path(tmp).unlink(missing_ok=True)
        if error:
            raise error from None
        raise
    return tmp


def _atomic(path: Path, write) -> None:
    tmp = _stage(path, write)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fault(f"wrote:{path.name}")


def table_writer(
    frame: pl.DataFrame, fmt: str, *, excel: bool = False, fast: bool = False, sheet: str = "data"
):
    """The function that writes *frame* as *fmt* to the path it is given (see write_table);
    XLSX keeps text as text (``io.xlsx``: no formula guard needed), in one *sheet*."""
    if fmt == "xlsx":
        from .xlsx import write_xlsx

        return lambda tmp: write_xlsx(frame, tmp, sheet)
    if fmt == "parquet":
        options = (
            {"compression": "lz4", "statistics": False}
            if fast
            else {"compression": "zstd", "compression_level": 1, "statistics": True}
        )
        return lambda tmp: frame.write_parquet(tmp, **options)
    safe = neutralise(frame)

    def write_csv(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            if excel:
                fh.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads accents right
            safe.write_csv(fh, quote_style="necessary", null_value="")

    return write_csv


def write_table(
    frame: pl.DataFrame,
    path: str | Path,
    fmt: str | None = None,
    *,
    excel: bool = False,
    fast: bool = False,
) -> None:
    """Write *frame* to *path* (CSV, Parquet or XLSX), atomically. *fast*: a Parquet file the
    tool reads back whole itself (a state): lz4 and no column statistics, about a third faster
    to write than zstd with them, a bit bigger."""
    path = Path(path)
    writer = table_writer(frame, format_for(path, fmt), excel=excel, fast=fast, sheet=path.stem)
    _atomic(path, writer)


def write_text(text: str, path: str | Path) -> None:
    """*text* to *path* (UTF-8), atomically."""
    _atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def json_writer(data: dict):
    """The function that writes *data* as JSON to the path it is given."""
    return lambda tmp: Path(tmp).write_text(
        json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
    )


def write_json(data: dict, path: str | Path) -> None:
    _atomic(Path(path), json_writer(data))


def write_set(files: dict[Path, Callable[[str], None]], summary: Path, make) -> None:
    """Several files that belong together, and the summary that describes them (run.json),
    as near to all at once as files can be: every one is written to its temporary first
    (a failure or an interrupt leaves none of them), then they are renamed into place in
    order, the summary last. ``make(manifest)`` gives the summary, told the size and SHA-256
    of each file (by its name, as a master's run.json lists its files) — a summary next to
    files it does not describe, as a kill between two renames leaves, is found by them."""
    staged: dict[Path, str] = {}
    try:
        for path, write in files.items():
            staged[path] = _stage(path, write)
        manifest = {path.name: file_digest(staged[path]) for path in files}
        staged[summary] = _stage(summary, json_writer(make(manifest)))
        with signals_held():  # a Ctrl-C here would leave half a set
            for path in [*files, summary]:
                os.replace(staged.pop(path), path)
                fault(f"wrote:{path.name}")
    except BaseException:
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)
        raise


def file_digest(path: str | Path) -> dict:
    """The size and SHA-256 of the file *path* (read in blocks), as a run.json's manifest
    lists them."""
    with open(path, "rb") as fh:
        h = hashlib.file_digest(fh, "sha256")
        return {"bytes": fh.tell(), "sha256": h.hexdigest()}


def check_not_input(outputs: list[Path], inputs: list[str]) -> None:
    """Refuse to write over an input file."""
    real_inputs = {os.path.realpath(p) for p in inputs if p != "-"}  # a symlink loop: no error
    for out in outputs:
        if os.path.realpath(out) in real_inputs:
            raise InputError("refusing to overwrite an input file", file=str(out))


def replace_folder(folder: str | Path, write) -> None:
    """Write a whole output folder at once: ``write(tmp)`` fills a temporary folder beside
    *folder*, which then takes its place in one step (``exchange``). Where the system cannot
    swap two folders, the old one is set aside (``.NAME.XXXXXXXX.old``), the new renamed in,
    the old removed: a kill between the two renames leaves the old one set aside, which the
    next run on *folder* puts back (``lock.sweep``). Either way an interrupted run leaves the
    old folder (or none), never a half-written one; a full or read-only disk is an
    ``InputError``."""
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as exc:
        raise disk_error(exc, folder.parent) or exc from None
    old = None
    try:
        os.chmod(tmp, 0o777 & ~_UMASK)
        write(tmp)
        fault("filled")
        if not folder.exists():
            os.rename(tmp, folder)
        elif exchange(tmp, folder):  # tmp now holds the old folder
            fault("swapped")
        else:
            old = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent)
            )
            os.rmdir(old)
            with signals_held():
                os.rename(folder, old)
                fault("between-renames")
                os.rename(tmp, folder)
            fault("swapped")
        shutil.rmtree(old or tmp, ignore_errors=True)
    except BaseException as exc:
        error = disk_error(exc, folder)  # before the temporary goes: it may fill the disk
        settle()  # no step still writing into it
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists():
            if os.path.lexists(folder):  # the new folder is in: the old one goes
                shutil.rmtree(old, ignore_errors=True)
            else:  # the new folder did not get in: the old one goes back
                os.rename(old, folder)
        if error:
            raise error from None
        raise


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``, 3.15+); False where
    the system or its file system cannot (then nothing was done)."""
    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if rename is None or fault("no-exchange"):
        return False
    rename.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if rename(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
