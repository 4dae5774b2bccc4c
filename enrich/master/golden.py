"""The golden tables of a master: the rows survivorship reads, each level's golden rows with
their contact points and provenance, and the companies and contacts tables as written."""

from __future__ import annotations

import fnmatch
from pathlib import PurePath

import polars as pl

from ..consent.apply import by_contact, contact_columns
from ..link.ids import first_rows, id_number
from ..link.levels import LEVELS
from ..link.state import chunked_like
from . import survive
from .ids import ID_COLUMNS, PREFIX
from .lineage import with_customer
from .survive import ID, Survivorship


def source_priority(files: pl.Series, patterns: tuple[str, ...]) -> pl.Series:
    """Per row: the rank of the first pattern its file's name matches (0 = most trusted)."""
    ranks = {}
    for f in files.unique().to_list():
        name = PurePath(str(f).split("#")[0]).name.lower() + (
            "#" + str(f).split("#", 1)[1].lower() if "#" in str(f) else ""
        )
        ranks[f] = next(
            (i for i, p in enumerate(patterns) if fnmatch.fnmatchcase(name, p.lower())),
            len(patterns),
        )
    return files.replace_strict(ranks, return_dtype=pl.Int32)


def survival_rows(
    records: pl.DataFrame, derived: pl.DataFrame, survivorship: Survivorship
) -> pl.DataFrame:
    """The columns of the linked *records* that survivorship reads, with its helper columns
    (``_order``, ``_priority``, ``_date``, ``_has_person``)."""
    helpers = pl.DataFrame(
        {
            "_order": pl.int_range(records.height, eager=True),
            "_priority": source_priority(records["source_file"], survivorship.sources),
            "_date": records["source_date"].cast(pl.String).str.to_date("%Y-%m-%d", strict=False),
            "_has_person": derived["has_person"],
        }
    )
    needed = [
        c
        for c in records.columns
        if c
        in survivorship.columns()
        | {
            "source_file",
            "source_row",
            "source_date",
            "company_id",
            "contact_id",
            "person_id",
            "opt_out",
            "email_role",
        }
    ]
    rows = pl.concat(
        [
            records.select(needed),
            helpers.select(chunked_like(records, c) for c in helpers.iter_columns()),
        ],
        how="horizontal",
    )  # narrow: every filter below copies what it keeps
    return rows.with_columns(
        chunked_like(rows, rows["source_file"].rechunk().cast(pl.Categorical))
    )  # a number per row, not a path


def golden_level(
    rows: pl.DataFrame, level: str, survivorship: Survivorship
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(golden, contact_points, provenance) of one level, keyed by ``_id``."""
    E = survive.E
    rows = survive._keyed(rows)
    golden, provenance = survive.survive(rows, survivorship.attributes[level])
    points = survive.contact_points(rows, survivorship.lists[level], golden)
    n = pl.len().over(E)
    alone = rows.filter(n == 1).select(
        E,
        pl.lit(1, pl.UInt32).alias("rows"),
        pl.col("source_file").cast(pl.String).alias("sources"),
        pl.col("_date").alias("first_seen"),
        pl.col("_date").alias("last_seen"),
    )
    several = (
        rows.filter(n > 1)
        .group_by(E)
        .agg(
            pl.len().alias("rows"),
            pl.col("source_file")
            .cast(pl.String)
            .unique()
            .sort()
            .str.join(survive.LIST_SEPARATOR)
            .alias("sources"),
            pl.col("_date").min().alias("first_seen"),
            pl.col("_date").max().alias("last_seen"),
        )
    )
    golden = golden.join(survive.listed(points, survivorship.lists[level]), on=E, how="left").join(
        pl.concat([alone, several]), on=E, how="left"
    )
    ids = golden[ID]  # sorted by _e: 1, 2 …
    points = points.sort(E, "_k", maintain_order=True)
    points = points.select(ids.gather(points[E] - 1).alias(ID), pl.exclude(E, "_k"))
    provenance = provenance.sort(E, "_a")
    provenance = provenance.select(ids.gather(provenance[E] - 1).alias(ID), pl.exclude(E, "_a"))
    return golden.drop(E), points, provenance


def companies_table(golden: pl.DataFrame, held_by: pl.DataFrame) -> pl.DataFrame:
    """The golden companies as written: with how many contacts each holds."""
    companies = (
        golden.with_columns(id_number(golden[ID], PREFIX["company"]).alias("_n"))
        .join(held_by, on="_n", how="left", maintain_order="left")
        .drop("_n")
        .with_columns(pl.col("contacts").cast(pl.UInt32).fill_null(0))
    )
    return _order_columns(companies.rename({ID: "company_id"}), ["company_id"])


def contacts_table(
    golden: pl.DataFrame,
    companies: pl.DataFrame,
    records: pl.DataFrame,
    hits: pl.DataFrame,
) -> pl.DataFrame:
    """The golden contacts as written: with their company and person ids, company name, and
    the channels each refuses — by an opt-out of its own rows, or by the do-not-contact
    register (*hits*: the entries its contact points match, ``consent.apply.matches``)."""
    records = with_customer(records)
    contacts = _with_first_row(golden, records, ["company_id", "customer_id", "person_id"])
    contacts = contacts.join(
        companies.select(pl.col(ID).alias("company_id"), "company_name"),
        on="company_id",
        how="left",
        maintain_order="left",
    )
    contacts = contact_columns(contacts, records, by_contact(hits))
    return _order_columns(
        contacts.rename({ID: "contact_id"}),
        ["contact_id", "company_id", "customer_id", "person_id", "company_name"],
    )


def _with_first_row(
    golden: pl.DataFrame, records: pl.DataFrame, columns: list[str]
) -> pl.DataFrame:
    """The contacts' *golden* rows with *columns* of each contact's first record."""
    at, _, first = first_rows(
        id_number(records["contact_id"], PREFIX["contact"]).fill_null(-1).to_numpy()
    )  # by contact number: enrich's order
    taken = records.select("contact_id", *columns)[at[first]]
    if taken["contact_id"].equals(golden[ID]):
        return golden.hstack(taken.drop("contact_id"))
    return golden.join(
        taken.rename({"contact_id": ID}), on=ID, how="left", maintain_order="left"
    )  # not in enrich's order


def contacts_per_company(records: pl.DataFrame) -> pl.DataFrame:
    """``_n`` (a company's id number) and how many contacts it holds."""
    held = (
        pl.DataFrame(
            [id_number(records[ID_COLUMNS[level]], PREFIX[level]).alias(level) for level in LEVELS]
        )
        .drop_nulls()
        .unique()
    )
    return held.group_by("company").len("contacts").rename({"company": "_n"})


def by_level(company: pl.DataFrame, contact: pl.DataFrame) -> pl.DataFrame:
    """The company and contact tables of one kind in one: ``level``, ``id``, the rest."""
    return pl.concat(
        [
            table.select(pl.lit(level).alias("level"), pl.col(ID).alias("id"), pl.exclude(ID))
            for level, table in (("company", company), ("contact", contact))
        ]
    )


def _order_columns(frame: pl.DataFrame, first: list[str]) -> pl.DataFrame:
    return frame.select(*first, pl.exclude(first))
