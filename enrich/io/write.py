"""Atomic writers: a temporary file beside the target, then a rename — an interrupted run
never leaves a half-written file, and inputs are never overwritten.

CSV output is safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``,
``-``, ``@`` (or a tab or carriage return) and is not a number gets a leading ``'``, so Excel
and LibreOffice show it instead of running it (OWASP "CSV injection"). Parquet keeps values
as they are.

>>> neutralise_one('=HYPERLINK("http://x","clic")'), neutralise_one("+32 2 512 34 56"), neutralise_one("-12.5")
('\\'=HYPERLINK("http://x","clic")', '+32 2 512 34 56', '-12.5')
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import InputError
from ..normalise.text import FORMULA_START, NUMBER_LIKE

FORMATS = ("csv", "parquet")


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The output format: explicit, else from the extension (``.parquet`` / ``.pq``), else CSV."""
    if fmt:
        return fmt
    return "parquet" if Path(path).suffix.lower() in (".parquet", ".pq") else "csv"


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


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a written file is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(
    frame: pl.DataFrame,
    path: str | Path,
    fmt: str | None = None,
    *,
    excel: bool = False,
    fast: bool = False,
) -> None:
    """Write *frame* to *path* (CSV or Parquet), atomically. *fast*: a Parquet file the tool
    reads back whole itself (a state): lz4 and no column statistics, about a third faster to
    write than zstd with them, a bit bigger."""
    path = Path(path)
    fmt = format_for(path, fmt)
    if fmt == "parquet":
        options = (
            {"compression": "lz4", "statistics": False}
            if fast
            else {"compression": "zstd", "compression_level": 1, "statistics": True}
        )
        _atomic(path, lambda tmp: frame.write_parquet(tmp, **options))
        return
    safe = neutralise(frame)

    def write_csv(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            if excel:
                fh.write(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads accents right
            safe.write_csv(fh, quote_style="necessary", null_value="")

    _atomic(path, write_csv)


def write_text(text: str, path: str | Path) -> None:
    """*text* to *path* (UTF-8), atomically."""
    _atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_json(data: dict, path: str | Path) -> None:
    path = Path(path)

    def dump(tmp: str) -> None:
        Path(tmp).write_text(
            json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8"
        )

    _atomic(path, dump)


def check_not_input(outputs: list[Path], inputs: list[str]) -> None:
    """Refuse to write over an input file."""
    real_inputs = {Path(p).resolve() for p in inputs if p != "-"}
    for out in outputs:
        if out.resolve() in real_inputs:
            raise InputError("refusing to overwrite an input file", file=str(out))


def replace_folder(folder: str | Path, write) -> None:
    """Write a whole output folder at once: ``write(tmp)`` fills a temporary folder beside
    *folder*, which then takes its place. An interrupted run leaves the old folder (or none),
    never a half-written one."""
    import shutil

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        os.chmod(tmp, 0o777 & ~_UMASK)
        write(tmp)
        if folder.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent)
            )
            os.rmdir(old)
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
