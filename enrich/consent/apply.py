"""The do-not-contact register of a master run: made (the previous master's register, this
run's suppression lists and opt-out columns) and applied to every golden contact.

A contact is refused a channel when one of its rows says so (``opt_out`` — every channel —
or ``opt_out_email`` / ``opt_out_phone`` / ``opt_out_post``), or when an address or a number
it holds — its golden value or another among its contact points — is in the register for
that channel. Opt-out columns become register entries (source ``column:FILE``): the row's
e-mail address for every channel the row refuses, its numbers for the phone channel (a
number is often a switchboard several people share); a refusal with no address to key
(a post opt-out on a row with neither e-mail nor phone) holds for that row's contact only.

Keys are computed on distinct values only: the master's addresses and numbers once each,
whatever the size of the register — and only the new ones: ``point_keys`` finds the keys
the previous run computed (``register_points.parquet``: by a 128-bit hash of each value,
seeded from the secret key; no value, no bare hash) and keys the rest.

>>> key = b"0123456789abcdef-example-key"
>>> points = pl.DataFrame({"_id": ["ct-1", "ct-2", "ct-3"], "kind": ["emails", "emails", "phones"],
...                        "value": ["Jan@X.be", "an@y.be", "+32475123456"]})
>>> reg = register.entries("email", pl.Series(["jan@x.be"]), ("email",), "list:stop.txt", key)
>>> refusals(points, reg, key).rows()
[('ct-1', True, False, False, True, 'list')]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl

from . import register
from .keys import email_form, hmac_hex
from .lists import ListRead
from .register import CHANNELS

ID = "_id"
FLAGS = [f"{c}_opt_out" for c in CHANNELS]
REFUSALS = {
    ID: pl.String,
    **dict.fromkeys(FLAGS, pl.Boolean),
    "suppressed": pl.Boolean,
    "refused_by": pl.String,
}
SUPPRESSING = ("list", "erased")  # the kinds of source that make a contact "suppressed"


@dataclass
class Consent:
    """What a master run applies: the secret *key*, the suppression lists read, the day."""

    key: bytes
    lists: list[ListRead] = field(default_factory=list)
    since: dt.date | None = None  # the day refusals are learnt (default: today)


def list_entries(consent: Consent) -> pl.DataFrame:
    """Register entries of the run's suppression lists (source ``list:NAME``)."""
    parts = [
        register.entries(
            kind,
            group["value"],
            channels.split(";"),
            f"list:{read.name}",
            consent.key,
            consent.since,
        )
        for read in consent.lists
        for (kind, channels), group in read.values.group_by("kind", "channels")
    ]
    return register.merge(*parts)


def column_entries(rows: pl.DataFrame, consent: Consent) -> pl.DataFrame:
    """Register entries of the opt-out columns of *rows* (cleaned rows of this run)."""
    refused = refused_channels(rows).alias("_channels")
    taken = [c for c in ("source_file", "email", "phone", "mobile") if c in rows.columns]
    rows = rows.select(*taken, refused).filter(pl.col("_channels").is_not_null())
    if rows.is_empty():
        return register.empty()
    source = rows["source_file"].cast(pl.String)
    names = {f: "column:" + PurePath(f.split("#")[0]).name for f in source.unique().to_list()}
    rows = rows.with_columns(source.replace_strict(names).alias("_source"))
    keys = []
    if "email" in rows.columns:
        form = email_form(rows["email"]).alias("v")
        keys.append(rows.select(pl.lit("email").alias("kind"), form, "_channels", "_source"))
    by_phone = rows.filter(pl.col("_channels").str.contains("phone"))
    keys += [
        by_phone.select(
            pl.lit("phone").alias("kind"),
            pl.col(number).alias("v"),
            pl.lit("phone").alias("_channels"),
            "_source",
        )
        for number in ("phone", "mobile")
        if number in rows.columns
    ]
    if not keys:
        return register.empty()
    found = pl.concat(keys).filter(pl.col("v").is_not_null())
    parts = [
        register.entries(kind, group["v"], channels.split(";"), source, consent.key, consent.since)
        for (kind, channels, source), group in found.group_by("kind", "_channels", "_source")
    ]
    return register.merge(*parts)


def refused_channels(rows: pl.DataFrame) -> pl.Expr:
    """Per row, the channels its opt-out columns refuse (``email;post`` …), null for none."""
    every = _flag(rows, "opt_out")
    said = [pl.when(every | _flag(rows, f"opt_out_{c}")).then(pl.lit(c)) for c in CHANNELS]
    return pl.concat_str(said, separator=";", ignore_nulls=True).replace("", None)


def _flag(rows: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).fill_null(False) if name in rows.columns else pl.lit(False)


def refusals(points: pl.DataFrame, reg: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Per contact (``_id``) whose contact points are in the register *reg*: each channel
    refused, ``suppressed`` and ``refused_by`` (the kinds of source: ``column;list`` …)."""
    return by_contact(matches(points, reg, key))


def by_contact(hits: pl.DataFrame) -> pl.DataFrame:
    """``refusals`` of the register entries contacts match (``matches``)."""
    kind = pl.col("source").str.extract(r"^([a-z_]+)", 1)
    return (
        hits.with_columns(kind.alias("_kind"))
        .group_by(ID)
        .agg(
            *(pl.col("channels").str.contains(c).any().alias(f"{c}_opt_out") for c in CHANNELS),
            pl.col("_kind").is_in(SUPPRESSING).any().alias("suppressed"),
            pl.col("_kind").unique().sort().str.join(";").alias("refused_by"),
        )
        .sort(ID)
        .match_to_schema(REFUSALS)
    )


def contact_columns(
    contacts: pl.DataFrame, records: pl.DataFrame, refused: pl.DataFrame
) -> pl.DataFrame:
    """*contacts* (keyed by ``_id``) with ``email_opt_out``, ``phone_opt_out``,
    ``post_opt_out``, ``do_not_contact`` (all three), ``suppressed`` and ``refused_by``: by
    their own rows' opt-out columns (and the golden ``opt_out``) or by the register
    (*refused*: ``refusals``)."""
    flags = [c for c in ("opt_out", *(f"opt_out_{c}" for c in CHANNELS)) if c in records.columns]
    refusing = (
        records.filter(pl.any_horizontal(pl.col(flags).fill_null(False)))
        if flags
        else records.clear()
    )
    own = (
        refusing.select(pl.col("contact_id").alias(ID), refused_channels(refusing).alias("_own"))
        .group_by(ID)
        .agg(pl.col("_own").str.join(";"))
    )
    joined = contacts.join(own, on=ID, how="left", maintain_order="left").join(
        refused.rename({c: f"_{c}" for c in refused.columns if c != ID}),
        on=ID,
        how="left",
        maintain_order="left",
    )
    every = pl.col("opt_out").fill_null(False) if "opt_out" in contacts.columns else pl.lit(False)
    flags = [
        (
            every
            | pl.col("_own").str.contains(c).fill_null(False)
            | pl.col(f"_{c}_opt_out").fill_null(False)
        ).alias(f"{c}_opt_out")
        for c in CHANNELS
    ]
    kinds = pl.concat_str(
        pl.when(pl.col("_own").is_not_null() | every).then(pl.lit("column")),
        pl.col("_refused_by"),
        separator=";",
        ignore_nulls=True,
    )
    out = joined.with_columns(
        *flags,
        pl.col("_suppressed").fill_null(False).alias("suppressed"),
        kinds.alias("refused_by"),
    )
    return out.with_columns(
        pl.all_horizontal(FLAGS).alias("do_not_contact"),
        pl.col("refused_by")
        .str.split(";")
        .list.unique()
        .list.sort()
        .list.join(";")
        .replace("", None),
    ).drop("_own", *(f"_{c}" for c in refused.columns if c != ID))


def covered(hits: pl.DataFrame, contacts: pl.DataFrame) -> dict:
    """How many contacts each source of refusal covers (the register's sources, and
    ``rows``: the contacts' own opt-out columns), and each channel refused."""
    by_source = hits.group_by("source").agg(pl.col(ID).n_unique()).sort("source")
    return {
        "by_source": dict(by_source.iter_rows()),
        "by_channel": {c: int(contacts[f"{c}_opt_out"].sum()) for c in CHANNELS},
        "do_not_contact": int(contacts["do_not_contact"].sum()),
        "suppressed": int(contacts["suppressed"].sum()),
    }


POINTS = {"kind": pl.String, "h1": pl.UInt64, "h2": pl.UInt64, "key": pl.String}
POINTS_FILE = "register_points.parquet"  # the keyed contact points of the last run


def point_keys(
    points: pl.DataFrame, reg: pl.DataFrame, key: bytes, known: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The keys of the contacts' distinct addresses and numbers, for each kind the register
    *reg* holds: ``kind``, ``h1``/``h2`` (the raw value's 128-bit hash, seeded from the key —
    no value, no bare hash), ``key``; a value that is no address has no row. Those *known*
    from the previous run (``register_points.parquet``) are taken as they are: only new
    values are keyed. Sorted (kind, then hashes): the same points give the same bytes."""
    seeds, held = _seeds(key), {}
    out = [pl.DataFrame(schema=POINTS)]
    for kind in sorted(set(reg["kind"].unique().to_list())):
        source = "phones" if kind == "phone" else "emails"
        if source not in held:  # each value hashed once, for the kinds that read it
            raw = points.filter(pl.col("kind") == source)["value"].drop_nulls().unique()
            held[source] = pl.DataFrame({"value": raw}).with_row_index("_i")
            held[source] = held[source].with_columns(_hashes("value", seeds))
        frame = held[source]
        cached = pl.DataFrame(schema=POINTS)
        if known is not None:
            cached = known.filter(pl.col("kind") == kind).select("h1", "h2", "key")
        found = _on_hashes(frame, cached)  # joined on one u64, then checked: several times faster
        todo = frame.join(found.select("_i"), on="_i", how="anti")
        done = todo.with_columns(_form(kind, todo["value"]).alias("form"))
        done = done.filter(pl.col("form").is_not_null())
        done = done.with_columns(pl.Series("key", hmac_hex(done["form"].to_list(), key)))
        got = pl.concat([found.select("h1", "h2", "key"), done.select("h1", "h2", "key")])
        out.append(got.sort("h1", "h2").select(pl.lit(kind).alias("kind"), "h1", "h2", "key"))
    return pl.concat(out)


def _on_hashes(frame: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """The rows of *frame* whose (``h1``, ``h2``) are in *table*, with *table*'s columns."""
    joined = frame.join(table, on="h1", suffix="_t")
    return joined.filter(pl.col("h2") == pl.col("h2_t")).drop("h2_t")


def _seeds(key: bytes) -> tuple[int, int]:
    """Two 64-bit seeds of the key (and of the polars version: another version's hashes,
    which may differ, are simply not found)."""
    made = hmac.new(key, f"enrich point hashes {pl.__version__}".encode(), hashlib.sha256)
    return int.from_bytes(made.digest()[:8], "big"), int.from_bytes(made.digest()[8:16], "big")


def _hashes(column: str, seeds: tuple[int, int]) -> list[pl.Expr]:
    return [pl.col(column).hash(seeds[0]).alias("h1"), pl.col(column).hash(seeds[1]).alias("h2")]


def _form(kind: str, values: pl.Series) -> pl.Series:
    """What is keyed of each raw contact point value for a register *kind*."""
    if kind == "phone":
        return values
    forms = email_form(values)
    if kind == "email":
        return forms
    present = forms.drop_nulls()
    digests = pl.DataFrame({"f": present, "d": _sha256(present)}).unique("f")
    return forms.to_frame("f").join(digests, on="f", how="left", maintain_order="left")["d"]


def matches(
    points: pl.DataFrame, reg: pl.DataFrame, key: bytes, keyed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``_id``, ``channels``, ``source`` of each register entry a contact point matches:
    the keys of the points' distinct values (*keyed*: ``point_keys``, computed here if not
    given) looked up in the register, and only the points of the values found joined back."""
    empty = pl.DataFrame(schema={ID: pl.String, "channels": pl.String, "source": pl.String})
    if reg.is_empty():
        return empty
    keyed = point_keys(points, reg, key) if keyed is None else keyed
    keyed = keyed.filter(pl.col("key").is_in(reg["key"].implode()))  # few: then joined
    entries = reg.filter(pl.col("key").is_in(keyed["key"].implode()))
    hits = keyed.join(entries.select("kind", "key", "channels", "source"), on=["kind", "key"])
    if hits.is_empty():
        return empty
    held = points.filter(pl.col("kind").is_in(["emails", "phones"])).select(ID, "value")
    held = held.with_columns(_hashes("value", _seeds(key)))
    found = _on_hashes(held, hits.select("h1", "h2", "channels", "source"))
    return found.select(ID, "channels", "source")


def _sha256(values: pl.Series) -> pl.Series:
    """SHA-256 hex of each (distinct) address: how a list of digests names it."""
    return pl.Series(
        [hashlib.sha256(v.encode("utf-8")).hexdigest() for v in values.to_list()], dtype=pl.String
    )


def counts(
    before: pl.DataFrame,
    after: pl.DataFrame,
    hits: pl.DataFrame,
    contacts: pl.DataFrame,
    consent: Consent | None,
) -> dict:
    """run.json's ``master.register``: the register's entries by kind and by source, those
    new this run, the contacts each source and each channel covers, and the lists read
    (lines, values, unreadable lines by number)."""
    new = after.join(before, on=["kind", "key", "channels", "source"], how="anti")

    def tally(frame: pl.DataFrame, column: str) -> dict:
        return dict(frame.group_by(column).len().sort(column).iter_rows())

    return {
        "entries": after.height,
        "by_kind": tally(after, "kind"),
        "by_source": tally(after, "source"),
        "new_entries": new.height,
        "new_by_source": tally(new, "source"),
        "contacts": covered(hits, contacts),
        "lists": {read.name: read.summary() for read in consent.lists} if consent else {},
        "applied": consent is not None,
    }
