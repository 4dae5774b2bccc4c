"""The do-not-contact register: every refusal a master has been told of — suppression lists,
opt-out columns, erasures — kept as keyed hashes (``keys.keyed``), so the register holds no
address or number. It is part of a master's state (``register.parquet``, in its manifest):
each run adds to it and applies all of it, so a refusal once given holds in every later run.

One row per (kind, key, channels, source):

- ``kind``: what was keyed — ``email`` (``keys.email_form``), ``phone`` (E.164),
  ``email_sha256`` (a list that held bare SHA-256 digests of lower-cased addresses: the
  digest is keyed, and matched against the digests of the master's addresses);
- ``key``: HMAC-SHA-256 hex under the master's secret key;
- ``channels``: the channels refused, ``;``-joined from CHANNELS (``email;phone;post``: all);
- ``source``: where the refusal came from — ``list:NAME`` (a suppression file), ``column:NAME``
  (an opt-out column of an input), ``erased`` (an erasure: a tombstone) …;
- ``since``: the date enrich first learnt of it.

>>> key = b"0123456789abcdef-example-key"
>>> a = entries("email", pl.Series(["jan@x.be", None]), CHANNELS, "list:optouts.txt", key, "2026-01-05")
>>> b = entries("email", pl.Series(["jan@x.be"]), CHANNELS, "list:optouts.txt", key, "2026-03-01")
>>> merged = merge(a, b)
>>> merged.height, str(merged["since"][0])
(1, '2026-01-05')
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .keys import keyed

FILE = "register.parquet"
CHANNELS = ("email", "phone", "post")
KINDS = ("email", "phone", "email_sha256")
SCHEMA = {
    "kind": pl.String,
    "key": pl.String,
    "channels": pl.String,
    "source": pl.String,
    "since": pl.Date,
}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def entries(
    kind: str,
    values: pl.Series,
    channels: tuple[str, ...] | list[str],
    source: str,
    key: bytes,
    since: str | dt.date | None = None,
) -> pl.DataFrame:
    """Register rows for *values* (already in their keyed form: ``keys.email_form``, E.164 …)
    of one *kind*, refusing *channels*, learnt from *source* on *since* (default today)."""
    if kind not in KINDS:
        raise ValueError(f"unknown register kind {kind!r}")
    unknown = set(channels) - set(CHANNELS)
    if unknown or not channels:
        raise ValueError(f"unknown channels {sorted(unknown)}")
    day = dt.date.fromisoformat(str(since)) if since else dt.date.today()
    hashed = keyed(values.drop_nulls().unique(), key)
    return pl.DataFrame(
        {
            "kind": kind,
            "key": hashed,
            "channels": ";".join(c for c in CHANNELS if c in channels),
            "source": source,
            "since": day,
        },
        schema=SCHEMA,
    )


def merge(*registers: pl.DataFrame) -> pl.DataFrame:
    """One register of several (a previous master's and this run's): each refusal once, with
    the day it was first learnt; sorted, so the same refusals give the same bytes."""
    frames = [r.select(list(SCHEMA)) for r in registers if r is not None]
    if not frames:
        return empty()
    keys = ["kind", "key", "channels", "source"]
    return pl.concat(frames).group_by(keys).agg(pl.col("since").min()).sort([*keys])
