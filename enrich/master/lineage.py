"""Lineage: one row per input row — merged, kept or rejected (with the reason) — and the check
that every row is accounted for once."""

from __future__ import annotations

import polars as pl

from ..link.ids import id_number
from .ids import ID_COLUMNS, PREFIX

LINEAGE_COLUMNS = [
    "source_file",
    "source_row",
    "company_id",
    "customer_id",
    "contact_id",
    "status",
    "reason",
]
CUSTOMER = "customer_id"  # the customer level's id (a person without a company); null for B2B


def with_customer(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame* with a customer_id column (null where a master or rules have none)."""
    if CUSTOMER in frame.columns:
        return frame
    return frame.with_columns(pl.lit(None, pl.String).alias(CUSTOMER))


def row_lineage(
    records: pl.DataFrame, rejects: pl.DataFrame, earlier: pl.DataFrame | None
) -> pl.DataFrame:
    """One row per input row: where it went. A row is 'merged' when its contact (or, without
    a person, its company) holds other rows too, 'kept' when it is alone, 'rejected' with
    the reason otherwise. Rows rejected by earlier runs (*earlier*: the previous master's
    lineage) are carried over, and so are rows an erasure took out (``erased``: file and
    row only)."""
    contact, company = (
        id_number(pl.col(ID_COLUMNS[level]), PREFIX[level]) for level in ("contact", "company")
    )
    entity = (
        pl.when(contact.is_not_null()).then(contact * 2).otherwise(company * 2 + 1)
    )  # one number per contact or company
    linked = (
        with_customer(records)
        .filter(pl.col("company_id").is_not_null() | pl.col("contact_id").is_not_null())
        .select(
            "source_file",
            pl.col("source_row").cast(pl.Int64),
            "company_id",
            CUSTOMER,
            "contact_id",
            pl.when(pl.len().over(entity) > 1)
            .then(pl.lit("merged"))
            .otherwise(pl.lit("kept"))
            .alias("status"),
            pl.lit(None, pl.String).alias("reason"),
        )
    )
    rejected = (
        rejects.group_by("source_file", "source_row", maintain_order=True)
        .agg(pl.col("reason").unique(maintain_order=True).str.join("; "))
        .select(
            "source_file",
            "source_row",
            pl.lit(None, pl.String).alias("company_id"),
            pl.lit(None, pl.String).alias(CUSTOMER),
            pl.lit(None, pl.String).alias("contact_id"),
            pl.lit("rejected").alias("status"),
            "reason",
        )
    )
    parts = [linked, rejected]
    if earlier is not None:  # rows an earlier run rejected before linking (not in the records)
        earlier = (
            with_customer(earlier)
            .filter(pl.col("status").is_in(["rejected", "erased"]))
            .select(LINEAGE_COLUMNS)
            .with_columns(pl.col("source_row").cast(pl.Int64))
        )
        parts.append(
            earlier.join(
                records.select("source_file", pl.col("source_row").cast(pl.Int64)),
                on=["source_file", "source_row"],
                how="anti",
            )
        )
    lineage = pl.concat(parts)
    files = sorted(
        lineage["source_file"].unique().drop_nulls().to_list()
    )  # a few: sort numbers, not a million paths
    rank = (
        pl.col("source_file").cast(pl.Enum(files)).to_physical().cast(pl.Int64)
    )  # an enum's number is its rank in the list
    return lineage.sort(
        rank * (1 << 40) + pl.col("source_row")
    )  # (file, row) is unique: one integer key, an unstable sort


def rejected(records: pl.DataFrame, rejects: pl.DataFrame) -> pl.DataFrame:
    """The rows cleaning rejected, and the linked rows with neither a company nor a person (a
    name, or a personal e-mail or mobile on a row without a company)."""
    no_entity = records.filter(
        pl.col("company_id").is_null() & pl.col("contact_id").is_null()
    ).select(
        "source_file",
        pl.col("source_row").cast(pl.Int64),
        pl.lit(None, pl.String).alias("column"),
        pl.lit("no company or person (name, personal e-mail or mobile)").alias("reason"),
    )
    return pl.concat([rejects.with_columns(pl.col("source_row").cast(pl.Int64)), no_entity])


def check_accounting(lineage: pl.DataFrame, expected: int) -> None:
    """No row lost, none counted twice: the job stops (exit 3) rather than write a master
    that does not add up."""
    keys = lineage.select("source_file", "source_row")
    if lineage.height != expected or keys.is_duplicated().any():
        raise AssertionError(
            f"row accounting does not add up: {expected} rows in, {lineage.height} lineage rows "
            f"({int(keys.is_duplicated().sum())} repeated)"
        )
