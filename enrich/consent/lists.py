"""Suppression lists (``enrich master --suppress FILE``) read in the forms people export them.

A list is a text file: one e-mail address, phone number or SHA-256 digest per line, or a CSV
with a header row. What is read:

- an address in any case, with a display name (``Jan Peeters <jan@firma.be>``), as
  ``mailto:`` (``keys.email_form``); a bare SHA-256 hex digest of a lower-cased address
  (kind ``email_sha256``); a phone number, in E.164 by enrich's phone normaliser (a national
  number is read with the run's default country, else BE);
- UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with or without BOM), cp1252
  (``io.read.decode``);
- a headerless line of several cells (``;``, ``,``, tab, ``|``): every cell that holds one
  of the above; a cell holding channel words (rules/headers.toml [opt_out]: ``e-mail``,
  ``téléphone``, ``post``, ``all`` …) says which channels the line refuses;
- a CSV whose header names its columns: e-mail, phone and mobile columns by enrich's header
  synonyms, a channel column and a digest column by [opt_out] ``list_channel`` and
  ``list_hash``.

A line refuses every channel unless its channel cell or column names some. A line with
nothing readable is counted and reported by its line number — never its content.

>>> text = "email;canal\\nJan <Jan@Firma.be>;e-mail\\nmailto:an@x.be;\\n???\\n"
>>> read = read_text(text, "optout.csv")
>>> read.values.rows()
[('email', 'an@x.be', 'email;phone;post'), ('email', 'jan@firma.be', 'email')]
>>> read.lines, read.unreadable, read.unreadable_lines
(3, 1, [4])
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.read import decode, sniff_delimiter
from ..mapping import header_key, opt_out_words, synonyms
from ..normalise import phones
from ..normalise.text import fold
from ..ruleset import Rules, rules_or_default
from .keys import email_form
from .register import CHANNELS

SHOWN = 20  # unreadable line numbers kept, at most
ALL = ";".join(CHANNELS)
HEX = r"^[0-9a-fA-F]{64}$"
PHONE_LIKE = r"^\+?[\d\s./()\-]{8,20}$"  # digits and separators: read as a phone number
VALUES = {"kind": pl.String, "value": pl.String, "channels": pl.String}


@dataclass
class ListRead:
    """What a suppression list held: its (kind, value, channels), one row each — values in
    their keyed form (``keys.email_form``, E.164, a lower-case digest) —, the lines read and
    the unreadable ones (their count and first line numbers)."""

    name: str
    values: pl.DataFrame
    lines: int = 0
    unreadable: int = 0
    unreadable_lines: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        """What run.json says of the list (no value)."""
        return {
            "lines": self.lines,
            "values": self.values.height,
            "unreadable": self.unreadable,
            "unreadable_lines": self.unreadable_lines,
        }


def read_list(path: str, country: str | None = None, rules: Rules | None = None) -> ListRead:
    """The suppression list at *path* (see the module's doc); an unreadable file, or one with
    nothing readable in it, is an ``InputError``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the suppression list ({type(exc).__name__})", file=path
        ) from None
    text = decode(data, path)[0]
    read = read_text(text, Path(path).name, country, rules)
    if read.values.is_empty():
        raise InputError(
            "no e-mail address, phone number or SHA-256 digest in the suppression list",
            file=path,
        )
    return read


def read_text(
    text: str, name: str, country: str | None = None, rules: Rules | None = None
) -> ListRead:
    """A list's decoded *text* (``read_list``), named *name*."""
    lines = pl.Series("text", text.splitlines(), dtype=pl.String)
    body = lines.str.strip_chars().str.strip_chars("\ufeff")
    filled = body.str.len_chars() > 0
    first = int(filled.arg_true()[0]) if filled.any() else None
    if first is None:
        return ListRead(name, pl.DataFrame(schema=VALUES))
    delim = sniff_delimiter("\n".join(lines.slice(first, 50).to_list()) + "\n")
    table = _vocabulary(rules_or_default(rules))
    columns = _header(lines[first], delim, table)
    numbers = pl.int_range(1, lines.len() + 1, eager=True).alias("line")
    if columns:
        cells = _headed(lines, first, delim, columns)
        numbers = numbers.slice(first + 1)
    else:
        cells = _cells(body, delim)
    found = _values(cells, country or "BE", table)
    found = found.with_columns(numbers.gather(found["row"]).alias("line"))
    return _read(name, found, numbers.filter(filled.slice(numbers[0] - 1, numbers.len())))


def _read(name: str, found: pl.DataFrame, lines: pl.Series) -> ListRead:
    """The list's values (each once, with the union of the channels its lines refuse) and
    its unreadable lines: filled lines where nothing was read."""
    rows = found.filter(pl.col("kind").is_not_null())
    bad = lines.filter(~lines.is_in(rows["line"].unique().implode()))
    values = (
        rows.group_by("kind", "value")
        .agg(_joined(pl.col("channels")))
        .sort("kind", "value", "channels")
    )
    return ListRead(name, values, lines.len(), bad.len(), bad.head(SHOWN).to_list())


def _vocabulary(rules: Rules) -> dict:
    return rules.derived(_vocabulary_of)


def _vocabulary_of(rules: Rules) -> dict:
    """Channel words (folded word → channels) and the list columns' header keys."""
    words = opt_out_words(rules)
    channel = {" ".join(w): c for c in CHANNELS for w in words.get(c, ())}
    channel |= {" ".join(w): ALL for w in words.get("all", ())}
    by_key = {k: c for k, c in synonyms(rules).items() if c in ("email", "phone", "mobile")}
    for kind, what in (("list_channel", "channels"), ("list_hash", "digest")):
        by_key |= {"".join(w): what for w in words.get(kind, ())}
    return {"channel": channel, "columns": by_key}


def _header(line: str, delim: str, table: dict) -> dict[int, str]:
    """Column index → what it holds (email, phone, mobile, channels, digest), if *line* is a
    header row: it names at least one of them and holds no value."""
    cells = next(csv.reader([line], delimiter=delim), [])
    named = {i: table["columns"].get(header_key(c)) for i, c in enumerate(cells)}
    named = {i: c for i, c in named.items() if c}
    if not any(c != "channels" for c in named.values()):
        return {}
    probe = _cells(pl.Series([c.strip() for c in cells], dtype=pl.String), None)
    if _values(probe, "BE", table)["kind"].is_not_null().any():
        return {}
    return named


def _headed(lines: pl.Series, first: int, delim: str, columns: dict[int, str]) -> pl.DataFrame:
    """``row``, ``cell``, ``role`` of a list with a header row (its line *first*): each line
    split on its own (a line with a stray quote cannot swallow the next ones)."""
    body = lines.slice(first + 1)
    frame = pl.DataFrame(
        {"row": pl.int_range(body.len(), dtype=pl.UInt32, eager=True), "cells": _split(body, delim)}
    )
    return pl.concat(
        frame.select(
            "row",
            pl.col("cells").list.get(i, null_on_oob=True).str.strip_chars().alias("cell"),
            pl.lit("channels" if role == "channels" else "value").alias("role"),
        )
        for i, role in columns.items()
    )


def _split(lines: pl.Series, delim: str) -> pl.Series:
    """Each line's cells: split on *delim*; a line with quotes by the csv module (a quoted
    cell may hold the delimiter: ``"Dupont, Jean" <j.dupont@exemple.fr>``)."""
    cells = lines.str.split(delim)
    quoted = lines.str.contains('"', literal=True).arg_true()
    if quoted.len():
        parsed = [
            next(csv.reader([line], delimiter=delim, strict=False), [])
            for line in lines.gather(quoted).to_list()
        ]
        fixed = pl.DataFrame(
            {"i": quoted, "p": pl.Series(parsed, dtype=pl.List(pl.String))},
            schema={"i": pl.UInt32, "p": pl.List(pl.String)},
        )
        frame = pl.DataFrame({"c": cells}).with_row_index("i")
        joined = frame.join(fixed, on="i", how="left", maintain_order="left")
        cells = joined.select(pl.coalesce("p", "c"))["p"]
    return cells


_CELLS = {"row": pl.UInt32, "cell": pl.String, "role": pl.String}


def _cells(body: pl.Series, delim: str | None) -> pl.DataFrame:
    """``row``, ``cell``, ``role`` of headerless lines: each cell, and a whole line that holds
    an address in ``<>`` (its display name may hold the delimiter: ``"Dupont, Jean" <…>``)."""
    rows = pl.int_range(body.len(), dtype=pl.UInt32, eager=True).alias("row")
    whole = pl.DataFrame([rows, body.alias("cell")])
    split = whole.with_columns(pl.col("cell").str.replace_all(r"[;,\t|]", "\x00").str.split("\x00"))
    cells = pl.concat([whole.filter(pl.col("cell").str.contains(">")), split.explode("cell")])
    return cells.with_columns(
        pl.col("cell").str.strip_chars(" \"'"), pl.lit(None, pl.String).alias("role")
    )


def _values(cells: pl.DataFrame, country: str, table: dict) -> pl.DataFrame:
    """``row``, ``kind``, ``value``, ``channels`` — one row per value read (kind null: a row
    with nothing readable); each distinct cell read once."""
    distinct = cells.select(pl.col("cell").drop_nulls().unique())["cell"]
    read = _read_cells(distinct, country, table)
    cells = cells.join(read, on="cell", how="left")
    role = pl.col("role")
    said = (
        cells.filter(role.is_null() | (role == "channels"))
        .filter(pl.col("_channels").is_not_null())
        .group_by("row")
        .agg(_joined(pl.col("_channels")))
    )
    values = cells.filter(role.is_null() | (role == "value")).select(
        "row", pl.col("_kind").alias("kind"), pl.col("_value").alias("value")
    )
    values = values.filter(pl.col("kind").is_not_null()).unique(maintain_order=True)
    out = values.join(said, on="row", how="left").select(
        "row", "kind", "value", pl.col("_channels").fill_null(ALL).alias("channels")
    )
    empty = cells.select("row").unique().join(out, on="row", how="anti")
    return pl.concat([out, empty], how="diagonal_relaxed")


def _read_cells(cells: pl.Series, country: str, table: dict) -> pl.DataFrame:
    """Per distinct cell: ``_kind``/``_value`` (an address, digest or number) and
    ``_channels`` (the channels its words name)."""
    email = email_form(cells)
    digest = pl.select(pl.when(cells.str.contains(HEX)).then(cells.str.to_lowercase())).to_series()
    phone_like = cells.str.contains(PHONE_LIKE) & (cells.str.count_matches(r"\d") >= 8)
    number = _phones(cells.filter(phone_like & email.is_null()), country)
    frame = pl.DataFrame({"cell": cells, "_email": email, "_digest": digest}).join(
        number, on="cell", how="left"
    )
    kind = (
        pl.when(pl.col("_email").is_not_null())
        .then(pl.lit("email"))
        .when(pl.col("_digest").is_not_null())
        .then(pl.lit("email_sha256"))
        .when(pl.col("_phone").is_not_null())
        .then(pl.lit("phone"))
    )
    return frame.select(
        "cell",
        kind.alias("_kind"),
        pl.coalesce("_email", "_digest", "_phone").alias("_value"),
        _channels(cells, table["channel"]).alias("_channels"),
    )


def _phones(cells: pl.Series, country: str) -> pl.DataFrame:
    """``cell`` → ``_phone`` in E.164, where enrich's phone normaliser gives one."""
    out = phones.clean(pl.DataFrame({"phone": cells, "country": [country] * cells.len()}))
    e164 = out["phone"].str.contains(r"^\+\d{8,15}$") & (out["phone_status"] == "valid")
    return pl.DataFrame({"cell": cells, "_phone": out["phone"]}).filter(e164)


def _channels(cells: pl.Series, words: dict[str, str]) -> pl.Series:
    """The channels a cell's words name (``email;phone`` …), null where it names none — a
    cell is a channel cell only if every word of it is a channel word (``e mail``: a word)."""
    known = {w.replace(" ", "_"): c for w, c in words.items()}
    folded = pl.select(fold(pl.lit(cells))).to_series()
    for phrase in sorted((w for w in words if " " in w), key=len, reverse=True):
        folded = folded.str.replace_all(rf"\b{phrase}\b", phrase.replace(" ", "_"))
    words = (
        pl.DataFrame({"w": folded.str.split(" ")})
        .with_row_index("i")
        .explode("w")
        .with_columns(pl.col("w").replace_strict(known, default=None))
    )
    named = (
        words.group_by("i")
        .agg(
            pl.col("w").is_not_null().all().alias("whole"),
            _joined(pl.col("w").drop_nulls()).alias("channels"),
        )
        .sort("i")
    )
    return named.select(
        pl.when(pl.col("whole") & (pl.col("channels") != "")).then("channels")
    ).to_series()


def _joined(channels: pl.Expr) -> pl.Expr:
    """``;``-joined channels, each once, in the order of CHANNELS (alphabetical)."""
    return (
        channels.str.split(";")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .str.join(";")
    )
