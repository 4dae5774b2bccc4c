"""Order lines → the master's customers: by customer key, else by e-mail.

The key a profile is keyed by is the master's ``customer_id`` when its contacts have one,
else ``contact_id``. A line's customer key is matched against the master's source records'
``external_id`` (the customer number of the contact files: a customer typed twice under two
numbers and merged by the master has both) and against the master's own ids; its e-mail
(``consent.keys.email_form``: no display name, lower case) against every e-mail the master
holds of a customer (``contact_points``, golden or not). A key or e-mail held by two
customers matches none of them (the reason says so): a line is never given to a guess.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..consent.keys import email_form
from ..errors import InputError

NOT_FOUND, SEVERAL = "not in the master", "on several customers"


def id_column(contacts: pl.DataFrame) -> str:
    return "customer_id" if "customer_id" in contacts.columns else "contact_id"


def key_table(path: Path, run: dict, contacts: pl.DataFrame) -> pl.DataFrame:
    """``key`` → ``customer`` (null where the key is on several customers): the source
    records' external ids, and the master's ids themselves."""
    from ..master import state
    from ..master.folder import parts

    idc = id_column(contacts)
    files = state.listed(run)
    paths = parts(path, "records", (run.get("state_parts") or {}).get("records"), files)
    records = pl.scan_parquet(paths)
    have = records.collect_schema().names()
    if idc not in have:
        raise InputError(f"the master's records have no {idc}", file=str(path))
    pairs = [contacts.select(pl.col(idc).alias("key"), pl.col(idc).alias("customer"))]
    if "external_id" in have:
        pairs.append(
            records.select(
                pl.col("external_id").str.strip_chars().alias("key"), pl.col(idc).alias("customer")
            ).collect()
        )
    return _unique_owner(pl.concat(pairs))


def email_table(points: pl.DataFrame, contacts: pl.DataFrame) -> pl.DataFrame:
    """``key`` (an e-mail's keyed form) → ``customer`` (null: on several customers). Contact
    points of the contact level are the customer's through their contact's row; those of a
    ``customer`` level (once the consumer level lands) are the customer's own."""
    idc = id_column(contacts)
    mails = points.filter(pl.col("kind") == "emails")
    ids = contacts.select(pl.col("contact_id").alias("id"), pl.col(idc).alias("of_contact"))
    mails = mails.join(ids, on="id", how="left").select(
        pl.col("value").alias("key"),
        pl.when(pl.col("level") == "contact")
        .then(pl.col("of_contact"))
        .when(pl.col("level") == "customer")
        .then(pl.col("id"))
        .alias("customer"),
    )
    values = mails["key"].unique()
    forms = pl.DataFrame({"key": values, "form": email_form(values)})
    return _unique_owner(
        mails.join(forms, on="key").select(pl.col("form").alias("key"), "customer")
    )


def _unique_owner(pairs: pl.DataFrame) -> pl.DataFrame:
    pairs = pairs.drop_nulls().unique()
    return pairs.group_by("key").agg(
        pl.when(pl.len() == 1).then(pl.col("customer").first()).alias("customer")
    )


def attach(lines: pl.DataFrame, keys: pl.DataFrame, emails: pl.DataFrame) -> pl.DataFrame:
    """*lines* with ``customer`` and ``matched_by`` (customer_key, email), or ``reason``."""
    forms = lines["email"].unique()
    formed = pl.DataFrame({"email": forms, "email_key": email_form(forms)})
    by_key = keys.rename({"customer": "by_key"}).with_columns(pl.lit(True).alias("key_known"))
    by_mail = emails.rename({"key": "email_key", "customer": "by_mail"}).with_columns(
        pl.lit(True).alias("mail_known")
    )
    out = (
        lines.join(formed, on="email", how="left", nulls_equal=False)
        .join(by_key, left_on="customer_key", right_on="key", how="left")
        .join(by_mail, on="email_key", how="left")
    )
    has_key, has_mail = (
        pl.col("customer_key").fill_null("") != "",
        pl.col("email_key").is_not_null(),
    )
    key_why = pl.when(pl.col("key_known")).then(pl.lit(SEVERAL)).otherwise(pl.lit(NOT_FOUND))
    mail_why = pl.when(pl.col("mail_known")).then(pl.lit(SEVERAL)).otherwise(pl.lit(NOT_FOUND))
    return out.with_columns(
        pl.coalesce("by_key", "by_mail").alias("customer"),
        pl.when(pl.col("by_key").is_not_null())
        .then(pl.lit("customer_key"))
        .when(pl.col("by_mail").is_not_null())
        .then(pl.lit("email"))
        .alias("matched_by"),
        pl.when(pl.col("by_key").is_not_null() | pl.col("by_mail").is_not_null())
        .then(None)
        .when(~has_key & ~has_mail)
        .then(pl.lit("no customer key or e-mail"))
        .when(has_key & has_mail)
        .then(pl.concat_str(pl.lit("customer key "), key_why, pl.lit("; e-mail "), mail_why))
        .when(has_key)
        .then(pl.concat_str(pl.lit("customer key "), key_why))
        .otherwise(pl.concat_str(pl.lit("e-mail "), mail_why))
        .alias("reason"),
    ).drop("email_key", "by_key", "by_mail", "key_known", "mail_known")
