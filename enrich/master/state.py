"""A master folder's files checked by their content: the manifest a run writes into its
``run.json`` and what the next run verifies of it.

``manifest``: every file a run wrote into its master folder (but run.json), with its size
and SHA-256 — the state parts the next run reads, the published tables and the rest. A run
with ``--previous`` reads each state file's bytes once, checks them against that manifest
(``checked``) and parses what it checked; the earlier parts it then links into its own
folder are hashed again there and must be the bytes it read (``manifest(..., expected)``):
a previous folder replaced, a part copied in by hand, truncated or taken from another
master is an ``InputError`` naming the folder and the part — never a master with rows of
another one, or rows missing. SHA-256 runs at about 2 GB/s on a current CPU: a million-row
state (some 300 MB) costs a few tenths of a second, read and written.

``foreign``: what in a master folder the tool did not write — a steward's notes, a
suppression list kept there —, which replacing the folder would delete.

>>> digest(b"enrich")["bytes"], digest(b"enrich")["sha256"][:12]
(6, '9e7ef9e260ae')
>>> [own("records.12.parquet"), own("contacts.parquet"), own("notes.txt"), own("records.x.parquet")]
[True, True, False, False]
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.write import file_digest
from ..parallel import side_by_side

UNVERIFIED = (
    "written by an older enrich: its run.json lists no content hashes, so its files are not "
    "verified (this run's master has them)"
)
_TABLES = "companies|contacts|contact_points|provenance"
OWN = re.compile(
    rf"(?:{_TABLES})\.(?:csv|parquet)|golden_(?:{_TABLES})\.parquet"
    r"|(?:lineage|review|rejects|changes|decisions|registry_review)\.csv"
    r"|model\.json|run\.json|report\.html|register(?:_points)?\.parquet|pairs\.parquet"
    r"|(?:records|link_company|link_customer|link_contact)(?:\.\d+)?\.parquet"
)  # every name a master run writes, in either table format


class Mismatch(InputError):
    """A file of a master that is not the one its run.json lists."""


def own(name: str) -> bool:
    """Is *name* a file name a master run writes?"""
    return OWN.fullmatch(name) is not None


def foreign(folder: Path) -> list[Path]:
    """The entries of *folder* the tool did not write (files or folders of the steward's)."""
    return sorted(p for p in folder.iterdir() if not (own(p.name) and p.is_file()))


def digest(data: bytes) -> dict:
    """The size and SHA-256 of *data*, as the manifest holds them."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def listed(run: dict) -> dict | None:
    """The manifest of a run.json, or None (a master written before manifests)."""
    files = run.get("manifest")
    return files if isinstance(files, dict) else None


def checked(folder: Path, name: str, files: dict | None) -> tuple[bytes, str]:
    """(the bytes of *folder*/*name*, their SHA-256), checked against the manifest *files*
    of the folder's run.json (None: an older master, nothing to check against)."""
    try:
        data = (folder / name).read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"not a whole enrich master ({name} is missing)", file=str(folder)
        ) from None
    got = digest(data)
    if files is not None and files.get(name) != got:
        raise Mismatch(
            f"{name} is not the file this master's run.json lists (changed, truncated, replaced "
            "or copied in from another master): restore the folder, or build the master again",
            file=str(folder),
        )
    return data, got["sha256"]


def manifest(
    folder: Path, expected: dict[str, tuple[Path, str]] | None = None, known: dict | None = None
) -> dict:
    """The size and SHA-256 of every file in *folder* but run.json, by name (*known*: those
    hashed already, as they were written). *expected*: the files linked in from a previous
    master — name → (the file it was linked from, the SHA-256 of the bytes read from it);
    one that is not those bytes any more is an error."""
    known = known or {}
    names = sorted(
        (p.name for p in folder.iterdir() if p.is_file() and p.name not in known),
        key=lambda n: -(folder / n).stat().st_size,
    )  # biggest first: two threads finish together
    names = [n for n in names if n != "run.json"]
    hashed = known | dict(
        zip(names, side_by_side(*(lambda n=n: file_digest(folder / n) for n in names)))
    )  # hashlib lets go of the GIL
    for name, (source, sha) in (expected or {}).items():
        if hashed[name]["sha256"] != sha:
            raise InputError(
                f"{source.name} changed while this run read it (the folder was replaced or "
                "the file copied over): nothing was written; run again",
                file=str(source.parent),
            )
    return {name: hashed[name] for name in sorted(hashed)}


def check_lineage(records: pl.DataFrame, lineage: pl.DataFrame, folder: str) -> None:
    """Records and lineage of one master agree: every row lineage says is in the master
    (merged or kept) has its record with the same ids, and no other record has ids —
    compared as an order-free sum of row hashes, in one pass over each table."""
    key = ["source_file", "source_row", "company_id", "contact_id"]
    linked = pl.col("company_id").is_not_null() | pl.col("contact_id").is_not_null()

    def summed(frame: pl.DataFrame) -> tuple[int, int]:
        rows = frame.select(
            pl.col("source_file").cast(pl.String),
            pl.col("source_row").cast(pl.Int64),
            pl.col("company_id").cast(pl.String),
            pl.col("contact_id").cast(pl.String),
        )
        return rows.height, int(rows.hash_rows(seed=7).cast(pl.Decimal(38, 0)).sum())

    in_lineage = summed(lineage.filter(pl.col("status").is_in(["merged", "kept"])).select(key))
    in_records = summed(records.filter(linked).select(key))
    if in_lineage != in_records:
        raise InputError(
            f"records and lineage.csv do not agree ({in_lineage[0]} rows in the master by "
            f"lineage.csv, {in_records[0]} records with ids): restore the folder, or build the "
            "master again",
            file=folder,
        )
