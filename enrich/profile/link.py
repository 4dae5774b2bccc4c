"""Order lines → the master's customers: by customer key, else by e-mail, else by name and
postcode, else by a similar name at the postcode.

The key a profile is keyed by is the master's ``customer_id`` when its contacts have one,
else ``contact_id``. A line's customer key is matched against the master's source records'
``external_id`` (the customer number of the contact files: a customer typed twice under two
numbers and merged by the master has both) and against the master's own ids; its e-mail
(``consent.keys.email_form``: no display name, lower case) against every e-mail the master
holds of a customer (``contact_points``, golden or not); its buyer's folded first and last
name (either order) and postcode against every source record's. A key, e-mail or name held
by two customers matches none of them (the reason says so): a line is never given to a guess.
Last, a line whose name and postcode are not in the master is compared with the customers
of its postcode by the linking engine's name comparisons (``similar``: a typo, a variant,
initials, swapped names), and joins the one customer whose name is close — not two.
Keys from different source systems share one space: the same number given to two people in
two contact files is "on several customers", not a match.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..consent.keys import email_form
from ..errors import InputError
from .orders import distinct

NOT_FOUND, SEVERAL = "not in the master", "on several customers"


def id_column(contacts: pl.DataFrame) -> str:
    """The profile's key column: ``customer_id`` once the master has it, else ``contact_id``."""
    return "customer_id" if "customer_id" in contacts.columns else "contact_id"


def customer(columns: list[str]) -> pl.Expr:
    """Whose a row is: its ``customer_id``, else (a B2B contact, or a master without the
    consumer level) its ``contact_id``."""
    if "customer_id" in columns:
        return pl.coalesce(pl.col("customer_id"), pl.col("contact_id"))
    return pl.col("contact_id")


def key_table(path: Path, run: dict, contacts: pl.DataFrame) -> pl.DataFrame:
    """``key`` → ``customer`` (null where the key is on several customers): the source
    records' external ids, and the master's ids themselves."""
    from ..master import state
    from ..master.folder import parts

    files = state.listed(run)
    paths = parts(path, "records", (run.get("state_parts") or {}).get("records"), files)
    records = pl.scan_parquet(paths)
    have = records.collect_schema().names()
    if "contact_id" not in have:
        raise InputError("the master's records have no contact_id", file=str(path))
    whose = customer(contacts.columns)
    pairs = [
        contacts.select(pl.col(c).alias("key"), whose.alias("customer"))
        for c in ("contact_id", "customer_id")
        if c in contacts.columns
    ]
    if "external_id" in have:
        pairs.append(
            records.select(
                pl.col("external_id").str.strip_chars().alias("key"),
                customer(have).alias("customer"),
            ).collect()
        )
    return _unique_owner(pl.concat(pairs))


def email_table(points: pl.DataFrame, contacts: pl.DataFrame) -> pl.DataFrame:
    """``key`` (an e-mail's keyed form) → ``customer`` (null: on several customers). Contact
    points of the contact level are the customer's through their contact's row; those of a
    ``customer`` level (once the consumer level lands) are the customer's own."""
    mails = points.filter(pl.col("kind") == "emails")
    ids = contacts.select(
        pl.col("contact_id").alias("id"), customer(contacts.columns).alias("of_contact")
    )
    mails = mails.join(ids, on="id", how="left").select(
        pl.col("value").alias("key"),
        pl.when(pl.col("level") == "contact")
        .then(pl.col("of_contact"))
        .when(pl.col("level") == "customer")
        .then(pl.col("id"))
        .alias("customer"),
    )
    values = distinct(mails["key"])
    forms = pl.DataFrame({"key": values, "form": email_form(values)})
    return _unique_owner(
        mails.join(forms, on="key").select(pl.col("form").alias("key"), "customer")
    )


def people(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """``customer`` → ``_number`` (UInt32) of every customer the *tables* name: lines are
    linked and profiled by number (sorting and grouping ten million lines by a number is
    several times faster than by an id's text), the ids put back on the profiles."""
    ids = pl.concat([t.lazy().select("customer") for t in tables]).drop_nulls().unique()
    return ids.collect(engine="streaming").with_row_index("_number")


def numbered(frame: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """*frame* with its ``customer`` id replaced by its number in *people*."""
    return (
        frame.join(people, on="customer", how="left", maintain_order="left")
        .with_columns(pl.col("_number").alias("customer"))
        .drop("_number")
    )


def unnumbered(frame: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """*frame* with its ``customer`` number replaced by the id (``numbered``'s inverse)."""
    ids = people.select(pl.col("_number").alias("customer"), pl.col("customer").alias("_id"))
    return (
        frame.join(ids, on="customer", how="left", maintain_order="left")
        .with_columns(pl.col("_id").alias("customer"))
        .drop("_id")
    )


def _unique_owner(pairs: pl.DataFrame) -> pl.DataFrame:
    return (
        pairs.lazy()
        .drop_nulls()
        .unique()
        .group_by("key")
        .agg(pl.when(pl.len() == 1).then(pl.col("customer").first()).alias("customer"))
        .collect(engine="streaming")
    )


def named_records(path: Path, run: dict, contacts: pl.DataFrame) -> pl.DataFrame:
    """Every source record of the master with a first and last name and a postcode, and
    its ``customer``."""
    from ..master import state
    from ..master.folder import parts

    paths = parts(path, "records", (run.get("state_parts") or {}).get("records"), state.listed(run))
    records = pl.scan_parquet(paths)
    have = records.collect_schema().names()
    if not {"first_name", "last_name", "postcode", "contact_id"} <= set(have):
        return pl.DataFrame(schema=dict.fromkeys(NAMED, pl.String))
    frame = records.select(*NAMED[:3], customer(have).alias("customer"))
    return frame.drop_nulls().collect()


NAMED = ["first_name", "last_name", "postcode", "customer"]


def name_table(frame: pl.DataFrame) -> pl.DataFrame:
    """``key`` (folded last and first name, either order, and postcode) → ``customer`` (null:
    on several customers), from the master's ``named_records``."""
    keyed = [
        name_key(frame[first], frame[last], frame["postcode"]).alias("key")
        for first, last in (("first_name", "last_name"), ("last_name", "first_name"))
    ]
    return _unique_owner(pl.concat([pl.DataFrame([k, frame["customer"]]) for k in keyed]))


def name_key(first: pl.Series, last: pl.Series, postcode: pl.Series) -> pl.Series:
    """'dupont|marie|1000': folded names (``fold_values``) and the postcode's letters and
    digits; null when one of them is missing."""
    from ..normalise.text import fold_values

    code = _postcode_code(postcode)
    return pl.select(
        pl.concat_str(
            fold_values(last.cast(pl.String)),
            fold_values(first.cast(pl.String)),
            code,
            separator="|",
        )
    ).to_series()


def _postcode_code(postcode):
    """A postcode's letters and digits, upper case (a Series or an expression)."""
    return postcode.cast(pl.String).str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")


WAYS = (  # how a line is linked, in order: its column, the table's, the words of a reason
    ("customer_key", "customer key"),
    ("email", "e-mail"),
    ("name_postcode", "name and postcode"),
)


def attach(lines: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """*lines* with ``customer`` and ``matched_by`` (a way of ``WAYS``), or ``reason``;
    *tables*: a ``key`` → ``customer`` table per way. Joined on the keys alone (a narrow
    frame, in the lines' order), then set beside the lines."""
    forms = distinct(lines["email"])
    formed = pl.DataFrame({"email": forms, "_email": email_form(forms)})
    named = lines.select("first_name", "last_name", "postcode").null_count().row(0)
    name = (
        pl.Series("_name_postcode", [None] * lines.height, pl.String)
        if max(named) == lines.height  # no line has a whole name and postcode
        else name_key(lines["first_name"], lines["last_name"], lines["postcode"])
    )
    keys = lines.select(
        "email", pl.col("customer_key").replace("", None).alias("_customer_key")
    ).with_columns(name.alias("_name_postcode"))
    keys = keys.join(formed, on="email", how="left", maintain_order="left")
    for way, _ in WAYS:
        table = tables[way].select(
            pl.col("key").alias(f"_{way}"),
            pl.col("customer").alias(f"by_{way}"),
            pl.lit(True).alias(f"known_{way}"),
        )
        keys = keys.join(table, on=f"_{way}", how="left", maintain_order="left")
    return lines.hstack(keys.select(_decided()))


def _decided() -> list[pl.Expr]:
    """``customer``, ``matched_by``, ``reason`` from the joined keys."""
    found = pl.coalesce(*[f"by_{way}" for way, _ in WAYS])
    why = [
        pl.when(pl.col(f"_{way}").is_not_null()).then(
            pl.concat_str(
                pl.lit(f"{words} "),
                pl.when(pl.col(f"known_{way}")).then(pl.lit(SEVERAL)).otherwise(pl.lit(NOT_FOUND)),
            )
        )
        for way, words in WAYS
    ]
    matched_by = pl.when(False).then(pl.lit(None, pl.String))
    for way, _ in WAYS:
        matched_by = matched_by.when(pl.col(f"by_{way}").is_not_null()).then(pl.lit(way))
    reason = pl.concat_str(why, separator="; ", ignore_nulls=True).replace("", None)
    return [
        found.alias("customer"),
        matched_by.alias("matched_by"),
        pl.when(found.is_null())
        .then(reason.fill_null(pl.lit("no customer key, e-mail or name")))
        .alias("reason"),
    ]


SIMILAR = "similar_name"


def similar(matched: pl.DataFrame, records: pl.DataFrame, groups: dict[str, str]) -> pl.DataFrame:
    """*matched* (``attach``'s) with the lines whose name and postcode are not in the master
    given to the one customer of their postcode whose name is close: the surname a typo
    away (Jaro-Winkler ≥ 0.92), the first name the same, a variant (*groups*: rules'
    first_names), a typo or initials; either order. Close to two customers: still unmatched,
    the reason says so. A line with a key or e-mail on several customers is left alone.
    Compared once per distinct name and postcode, by ``enrich.link.comparisons``."""
    rows = matched.with_row_index("_row")
    todo = rows.filter(
        pl.col("customer").is_null()
    ).filter(  # few lines: the text tests run on those only
        pl.col("reason").str.contains(f"name and postcode {NOT_FOUND}", literal=True)
        & ~pl.col("reason").str.contains(SEVERAL, literal=True)
    )
    if todo.height == 0 or records.height == 0:
        return matched
    todo = todo.select("_row", *NAMED[:3]).with_columns(_key(todo).alias("_key"))
    owners = _close_owners(todo.unique("_key", keep="first", maintain_order=True), records, groups)
    found = todo.select("_row", "_key").join(owners, on="_key").drop("_key")
    keyed = rows.join(found, on="_row", how="left", maintain_order="left").drop("_row")
    now = pl.col("customer").is_null() & pl.col("_similar").is_not_null()
    several = pl.col("customer").is_null() & pl.col("_close").fill_null(False) & ~now
    return keyed.with_columns(
        pl.when(now).then(pl.col("_similar")).otherwise(pl.col("customer")).alias("customer"),
        pl.when(now).then(pl.lit(SIMILAR)).otherwise(pl.col("matched_by")).alias("matched_by"),
        pl.when(now)
        .then(None)
        .when(several)
        .then(pl.concat_str(pl.col("reason"), pl.lit(f"; a similar name {SEVERAL}")))
        .otherwise(pl.col("reason"))
        .alias("reason"),
    ).drop("_similar", "_close")


def _key(frame: pl.DataFrame) -> pl.Series:
    return name_key(frame["first_name"], frame["last_name"], frame["postcode"])


def _close_owners(todo: pl.DataFrame, records: pl.DataFrame, groups: dict[str, str]):
    """``_key`` → ``_similar`` (the one customer of the postcode with a close name; null:
    several) and ``_close`` (some customer's name is close)."""
    from ..link.comparisons import gammas, prepared, view
    from ..link.settings import Comparison, Level

    code = _postcode_code(pl.col("postcode"))
    left = todo.with_columns(code.alias("_code")).with_row_index("id_l")
    right = records.with_columns(code.alias("_code")).with_row_index("id_r")
    pairs = left.join(right, on="_code").select("id_l", pl.col("id_r") + left.height, "customer")
    first = (Level("exact"), Level("variants", groups="first_names", table=groups))
    comps = [
        Comparison(
            "last_name", (Level("exact"), Level("jaro_winkler", 0.92)), swap_with="first_name"
        ),
        Comparison("first_name", (*first, Level("jaro_winkler", 0.9), Level("initials"))),
    ]
    names = pl.concat([left.select(NAMED[:2]), right.select(NAMED[:2])])
    g = gammas(prepared(view(names, comps, set()), comps), pairs, comps)
    close = pairs.filter(
        (g["g_last_name"].is_between(0, 1) & g["g_first_name"].is_between(0, 3)).to_numpy()
    )
    owners = close.group_by("id_l").agg(
        pl.col("customer").n_unique().alias("n"), pl.first("customer")
    )
    return left.join(owners, on="id_l").select(
        "_key",
        pl.when(pl.col("n") == 1).then(pl.col("customer")).alias("_similar"),
        pl.lit(True).alias("_close"),
    )
