"""The suppression list (``--suppress``): e-mail addresses, plain or as SHA-256 digests of the
lower-cased address, whose contacts must not be contacted."""

from __future__ import annotations

import hashlib
import re

import polars as pl

from ..errors import InputError
from .survive import ID

HASH = re.compile(r"^[0-9a-f]{64}$")


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
