"""Registry files as they are published: a zip of CSV files (KBO/BCE Open Data, SIRENE
stock files), or the CSV/Parquet file itself — read safely.

A member is found by its name, case-insensitively (KBO writes ``Branch.CSV`` and
``contact_insert.Csv``), and copied to a temporary file of *our* naming: an archive's own
paths are never used on disk, and one holding a path that climbs out (``../``) or is
absolute is refused. A member's size is bounded, and so is its compression ratio (a
zip bomb is refused before it is inflated, and the copy stops if a member inflates beyond
what it declared). A corrupt archive, a missing member or a header that lacks a column
the parser reads is an error naming the file and what is wrong (exit 2).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polars as pl

from ..errors import InputError

CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How big a member may be once inflated, and how much smaller it may be in the zip.
    Real registry CSVs compress about 5–15 times; the full SIRENE establishment file is
    about 8 GB."""

    max_bytes: int = 40 << 30
    max_ratio: float = 200.0


def open_zip(path: str | Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"not a readable zip archive ({type(exc).__name__})", file=str(path)
        ) from None
    for info in archive.infolist():
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise InputError(
                f"unsafe member path {info.filename!r} in the archive: refused", file=str(path)
            )
    return archive


def members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by lower-cased base name."""
    return {
        PurePosixPath(i.filename.replace("\\", "/")).name.lower(): i
        for i in archive.infolist()
        if not i.is_dir()
    }


def find(
    archive: zipfile.ZipFile, name: str, source: str, required: bool = True
) -> zipfile.ZipInfo | None:
    info = members(archive).get(name.lower())
    if info is None and required:
        present = ", ".join(sorted(members(archive))) or "nothing"
        raise InputError(f"the archive has no {name} (it holds: {present[:300]})", file=source)
    return info


def extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, folder: Path, source: str, limits: Limits
) -> Path:
    """Copy one member to a file in *folder* (named by us), within *limits*."""
    where = f"{source}#{info.filename}"
    if info.file_size > limits.max_bytes:
        raise InputError(
            f"member declares {info.file_size:,} bytes, more than the limit of {limits.max_bytes:,}",
            file=where,
        )
    if info.file_size and info.file_size / max(info.compress_size, 1) > limits.max_ratio:
        raise InputError(
            f"member inflates {info.file_size / max(info.compress_size, 1):,.0f} times: refused as a zip bomb "
            f"(limit {limits.max_ratio:g})",
            file=where,
        )
    target = folder / f"member-{len(list(folder.iterdir()))}.csv"
    written = 0
    try:
        with archive.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > max(info.file_size, 0) or written > limits.max_bytes:
                    raise InputError(
                        "member inflates beyond the size it declares: refused", file=where
                    )
                dst.write(chunk)
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as exc:  # bad CRC, truncated, encrypted
        target.unlink(missing_ok=True)
        raise InputError(
            f"corrupt member ({type(exc).__name__}: {str(exc)[:80]})", file=where
        ) from None
    return target


def header(path: Path, source: str, need: list[str], delimiter: str = ",") -> list[str]:
    """The columns of a CSV file's first line, checked: every column in *need* must be
    there (by name: registries add columns over the years, and order can change)."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 16)
    except OSError as exc:
        raise InputError(f"cannot read ({type(exc).__name__})", file=source) from None
    if not first.strip():
        raise InputError("empty file: no header", file=source)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            "the header is not UTF-8 (registry files are)", file=source, row=0
        ) from None
    columns = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    lost = [c for c in need if c not in columns]
    if lost:
        raise InputError(
            f"unexpected header: no {', '.join(lost)} (the layout has changed, or this is another file)",
            file=source,
            row=0,
        )
    return columns


def readable(step):
    """*step*() with a file Polars cannot parse said as one line (exit 2), not a traceback."""
    try:
        return step()
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"cannot read the registry files ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
        ) from None
