"""The golden list columns (a company's e-mails, phones, addresses and SIRETs; a contact's
e-mails and phones): one canonical form per value, duplicates removed, a fixed order.

Every value is put in its canonical form before the values of an entity are counted:

* a phone in E.164 (``+3292234560``); a number clean could not read (no country known for
  its row) is read again with the entity's country; one still unreadable stays as typed;
* an e-mail trimmed, in lower case (as clean writes it);
* an address as ``street, number, box, postcode, city, country``: the street as clean
  normalised it, the postcode in its country's form (``2000`` in a French address is
  ``02000``: Excel dropped the zero), the city in its proper case (``LAON`` → ``Laon``).

``contact_points`` holds each canonical value once (so ``LAON``/``Laon`` and ``2000``/``02000``
are one), with every row that carries it. In the list columns, two values are also one when
their *keys* are equal — a phone's E.164 form (else its digits), an e-mail without white
space, an address folded (no case, accents or punctuation; ``St``, ``Sint``, ``Sankt`` and
``Saint`` alike) — and the list shows the best of the variants: a valid one, then the golden
one, then the one most rows carry, then one with accents (``Liège`` over ``Liege``), then the
first alphabetically. (``contact_points`` keeps such variants apart: an access request lists
every address as it was typed.) The list's order: the golden value first, then the value most
rows carry, then alphabetical — the same rows give the same list whatever their order.

>>> points = pl.DataFrame({"_e": [1, 1], "kind": ["addresses"] * 2, "value":
...     ["Rue St-Gilles, 58, 4000, Liege, BE", "Rue Saint-Gilles, 58, 4000, Liège, BE"],
...     "status": [None, None], "rows": [1, 1], "golden": [False, False]})
>>> distinct(points, {"addresses": ADDRESS})["value"].to_list()
['Rue Saint-Gilles, 58, 4000, Liège, BE']
"""

from __future__ import annotations

import functools

import polars as pl

from ..normalise import phones
from ..normalise.addresses import postcode_form
from ..normalise.places import proper_case
from ..normalise.text import fold_values, on_unique

E = "_e"
PHONE, EMAIL, ADDRESS, TEXT = "phone", "email", "address", "text"
ADDRESS_SEPARATOR = ", "  # between an address's parts; the lists' own separator is ';'
_SAINTS = r"\b(?:saint|sint|sankt|st)\b"


def kind_of(columns: tuple[str, ...], join: bool) -> str:
    """What a list field holds, from its columns."""
    if join and {"postcode", "city"} & set(columns):
        return ADDRESS
    if set(columns) <= {"phone", "mobile"}:
        return PHONE
    if set(columns) <= {"email", "email_other"}:
        return EMAIL
    return TEXT


def address(frame: pl.DataFrame, columns: tuple[str, ...], country: pl.Series) -> pl.Series:
    """The address of each row of *frame* as one value (its *columns* joined): in the row's
    *country* (its own, else its entity's), the postcode in that country's form
    (``postcode_form``), the city in its proper case."""
    parts = frame.select(pl.col(c).cast(pl.String) for c in columns).with_columns(
        country.alias("_country")
    )
    if "country" in columns:  # an address that names none is in the entity's country
        parts = parts.with_columns(pl.col("_country").alias("country"))
    if "postcode" in columns:  # cleaned: upper case, no prefix
        parts = parts.with_columns(postcode_form(pl.col("postcode"), pl.col("_country")))
    if "city" in columns:
        parts = parts.with_columns(proper_case(parts["city"]))
    place = [(pl.col(c) != "").fill_null(False) for c in columns if c != "country"]
    joined = pl.concat_str(
        [pl.col(c).replace("", None) for c in columns],
        separator=ADDRESS_SEPARATOR,
        ignore_nulls=True,
    )
    return parts.select(
        pl.when(pl.any_horizontal(place)).then(joined)
    ).to_series()  # a country is no address


def _phones(points: pl.DataFrame) -> pl.DataFrame:
    """Phones not valid as given, read again with the row's country (else the entity's):
    E.164 and valid where they now are."""
    todo = pl.col("status").fill_null("") != "valid"
    again = points.filter(todo).select(pl.col("value").alias("phone"), "country")
    if not again.height:
        return points
    read = on_unique(again, phones.INPUTS, functools.partial(phones.clean, prefix="phone"))
    read = read.select(
        pl.when(pl.col("phone_status") == "valid").then(pl.col("phone")).alias("_v"),
        pl.col("phone_status").alias("_s"),
    )
    fixed = points.filter(todo).hstack(read)
    fixed = fixed.with_columns(
        pl.coalesce("_v", "value").alias("value"),
        pl.when(pl.col("_v").is_not_null()).then(pl.col("_s")).otherwise("status").alias("status"),
    ).drop("_v", "_s")
    return pl.concat([points.filter(~todo), fixed])


def canonical(points: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """*points* (``_e, kind, value, status, country, golden``: one per row and value) with
    each value in its canonical form (module doc); ``country`` dropped."""
    kind = pl.col("kind").replace_strict(kinds, default=TEXT, return_dtype=pl.String)
    points = points.with_columns(kind.alias("_kind"))
    phone = points.filter(pl.col("_kind") == PHONE)
    if phone.height:
        points = pl.concat([points.filter(pl.col("_kind") != PHONE), _phones(phone)])
    value = pl.col("value")
    return points.with_columns(  # clean wrote them trimmed and in lower case: a cheap check
        pl.when(pl.col("_kind") == EMAIL)
        .then(value.str.strip_chars().str.to_lowercase())
        .otherwise(value)
    ).drop("_kind", "country")


def key(points: pl.DataFrame, kinds: dict[str, str]) -> pl.Series:
    """What makes two canonical values of *points* the same (module doc)."""
    kind = points["kind"].replace_strict(kinds, default=TEXT, return_dtype=pl.String)
    is_address = kind == ADDRESS
    folded = pl.Series("_f", [None] * points.height, pl.String)
    if is_address.any():  # folded only where a key needs it
        folded = folded.scatter(
            is_address.arg_true(),
            fold_values(points["value"].filter(is_address)).str.replace_all(_SAINTS, "st"),
        )
    value = pl.col("value")
    found = points.select(
        pl.when(pl.lit(kind) == PHONE)
        .then(
            pl.when(pl.col("status") == "valid")
            .then(value)
            .otherwise(value.str.replace_all(r"[^0-9]", ""))
        )
        .when(pl.lit(kind) == EMAIL)
        .then(value.str.replace_all(r"\s", ""))
        .when(pl.lit(kind) == ADDRESS)
        .then(pl.lit(folded))
        .otherwise(value)
        .fill_null(value)
    )
    return found.to_series().alias("_key")


def merged(points: pl.DataFrame) -> pl.DataFrame:
    """One row per entity, kind and canonical value: ``status`` (valid where one row says
    so), ``rows`` (how many rows carry it), ``golden``."""
    return points.group_by(E, "kind", "value").agg(
        pl.col("status").drop_nulls().sort_by(pl.col("status").drop_nulls() != "valid").first(),
        pl.len().cast(pl.Int64).alias("rows"),
        pl.col("golden").any(),
    )


def distinct(points: pl.DataFrame, kinds: dict[str, str]) -> pl.DataFrame:
    """The values of *points* (in the lists' order) one per entity, kind and key: the best
    variant of each (valid, golden, most rows, with accents, alphabetical), where the key's
    first variant stood."""
    points = points.with_row_index("_at").with_columns(key(points, kinds))
    points = points.with_columns(pl.col("_at").min().over(E, "kind", "_key").alias("_first"))
    accents = pl.col("value").str.count_matches(r"[^\x00-\x7f]")
    valid = (pl.col("status") == "valid").fill_null(False)
    ranked = points.sort(
        ["_first", valid, "golden", "rows", accents, "value"],
        descending=[False, True, True, True, True, False],
    )
    return ranked.unique("_first", keep="first", maintain_order=True).drop("_at", "_key", "_first")
