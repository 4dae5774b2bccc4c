"""`enrich profile`: read order exports, link them to a master's customers, write the folder
OUT (replaced whole) — ``profiles.csv`` and ``profiles.parquet`` (one row per customer who
ordered), ``unmatched_orders.csv`` (every line that counts for no customer, with its reason)
and ``run.json`` (counts only: nothing personal).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import polars as pl

from .. import __version__
from ..errors import InputError
from ..link.phonetic import groups_of
from ..master.folder import check_beside
from ..ruleset import Rules
from . import link, metrics, orders

PROFILE_COLUMNS = [
    "orders",
    "revenue",
    "average_basket",
    "first_order",
    "last_order",
    "recency_days",
    "frequency_days",
    "refund_lines",
    "top_categories",
    "regular_products",
    "r_score",
    "f_score",
    "m_score",
    "rfm",
    "segment",
]
UNMATCHED = ["source_file", "source_row", "order_id", "reason"]
SUMMARY = "run.json"


def profile(
    lines: pl.DataFrame, master: Path, run: dict, tables: dict, as_of: dt.date, rules: Rules
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """(profiles, unmatched lines, counts) of the read order *lines* against a master."""
    contacts, idc = tables["contacts"], link.id_column(tables["contacts"])
    lines = orders.typed(lines)
    named = link.named_records(master, run, contacts)
    ways = {
        "customer_key": link.key_table(master, run, contacts),
        "email": link.email_table(tables["contact_points"], contacts),
        "name_postcode": link.name_table(named),
    }
    people = link.people([*ways.values(), named])
    ways = {way: link.numbered(table, people) for way, table in ways.items()}
    named = link.numbered(named, people)
    matched = link.attach(lines.filter(pl.col("problem").is_null()), ways)
    groups = groups_of(rules, "first_names")
    matched = link.similar(matched, named, groups)
    good = matched.select(
        "customer", "matched_by", "order_id", "day", "money", "product", "category"
    ).filter(pl.col("customer").is_not_null())
    unmatched = pl.concat(
        [
            lines.filter(pl.col("problem").is_not_null()).select(
                *UNMATCHED[:3], pl.col("problem").alias("reason")
            ),
            matched.filter(pl.col("customer").is_null()).select(UNMATCHED),
        ]
    ).sort("source_file", "source_row")
    table = link.unnumbered(metrics.rfm(metrics.per_customer(good, as_of, rules), rules), people)
    whose = link.customer(contacts.columns)
    table = table.join(metrics.carried(contacts, whose, as_of, rules), on="customer", how="left")
    extra = [c for c in table.columns if c not in PROFILE_COLUMNS and c != "customer"]
    table = table.sort("customer").select(*_keys(contacts), *PROFILE_COLUMNS, *extra)
    counts = {
        "lines_read": lines.height,
        "lines_matched": good.height,
        "orders": good["order_id"].n_unique(),  # matched, refund-only ids included
        "matched_by": _counted(good, "matched_by"),
        "unmatched_lines": unmatched.height,
        "unmatched_by_reason": _counted(unmatched, "reason"),
        "customers_profiled": table.height,
        "key": idc,
        "segments": _counted(
            table.with_columns(pl.col("segment").fill_null("unscored")), "segment"
        ),
    }
    return table, unmatched, counts


def _keys(contacts: pl.DataFrame) -> list[pl.Expr]:
    """The profile's key columns: ``contact_id``; or, once the master has the consumer
    level, ``customer_id`` and, for a B2B buyer (no customer id), ``contact_id``."""
    if "customer_id" not in contacts.columns:
        return [pl.col("customer").alias("contact_id")]
    consumer = pl.col("customer").is_in(contacts["customer_id"].drop_nulls().unique().implode())
    return [
        pl.when(consumer).then(pl.col("customer")).alias("customer_id"),
        pl.when(~consumer).then(pl.col("customer")).alias("contact_id"),
    ]


def _counted(frame: pl.DataFrame, column: str) -> dict:
    if not frame.height:
        return {}
    counts = frame.group_by(column).len().sort(column, nulls_last=True)
    return {str(k): int(n) for k, n in counts.iter_rows()}


def run_profile(
    paths: list[str],
    master: str,
    out: str,
    *,
    as_of: str | None = None,
    rules_dir: str | None = None,
    maps: dict | None = None,
    say=lambda line: None,
    warn=None,
) -> dict:
    """Profile the order exports *paths* against *master*, into the folder *out*; returns
    the run.json summary. *out* ``-``: the profiles on stdout (CSV), nothing else written:
    the unmatched lines are counted to *warn* (default: *say*)."""
    from ..io.lock import check_inputs, locked, session
    from ..io.stdout import is_stdout
    from ..io.write import replace_folder, write_json, write_table
    from ..master.folder import previous_run, read_golden_tables

    day = _day(as_of)
    to_stdout = is_stdout(out)
    if not to_stdout:
        check_beside(Path(out), Path(master), "profile", SUMMARY)
    rules = Rules.load(rules_dir)
    inputs = [*paths, *([rules_dir] if rules_dir else [])]
    if to_stdout:
        check_inputs(inputs)
    with (
        contextlib.nullcontext() if to_stdout else session(out, inputs=inputs, say=say),
        locked(master, shared=True),
    ):
        run, sha = previous_run(master)
        tables = read_golden_tables(master, sha, split=False)
        if not tables:
            raise InputError("cannot read the master's golden tables", file=master)
        lines, mapped, rejects = orders.read_orders(paths, rules, maps)
        if lines is None or "order_id" not in {f for m in mapped for f in m["mapped"].values()}:
            raise InputError("no order id column found in the order files (rules/orders.toml)")
        table, unmatched, counts = profile(lines, Path(master), run, tables, day, rules)
        if rejects:
            unmatched = pl.concat([unmatched, _rejected(rejects)]).sort("source_file", "source_row")
            counts["unmatched_by_reason"]["not read"] = len(rejects)
            counts["unmatched_lines"] += len(rejects)
        summary = {
            "command": "profile",
            "version": __version__,
            "as_of": day.isoformat(),
            "master": master,
            "master_run_sha256": sha,
            "inputs": mapped,
            "counts": counts,
        }
        if to_stdout:
            _to_stdout(table, unmatched, warn or say)
            return summary

        def fill(tmp: Path) -> None:
            write_table(table, tmp / "profiles.csv", "csv")
            write_table(table, tmp / "profiles.parquet", "parquet")
            write_table(unmatched, tmp / "unmatched_orders.csv", "csv")
            write_json(summary, tmp / SUMMARY)

        replace_folder(out, fill)
    say(
        f"{counts['lines_read']} order lines → {counts['customers_profiled']} customers profiled "
        f"({counts['lines_matched']} lines matched, {counts['unmatched_lines']} unmatched: "
        f"see unmatched_orders.csv); wrote {out}"
    )
    return json.loads((Path(out) / SUMMARY).read_text(encoding="utf-8"))


def _to_stdout(table: pl.DataFrame, unmatched: pl.DataFrame, warn) -> None:
    from ..io.stdout import left_out, write_stdout

    lost = left_out(unmatched.height, "unmatched order lines", ": give -o FOLDER to keep them")
    if lost:
        warn(lost)
    write_stdout(table, "csv")


def _rejected(rejects: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_file": [r["source_file"] for r in rejects],
            "source_row": [int(r["source_row"]) for r in rejects],
            "order_id": [None] * len(rejects),
            "reason": ["not read: " + str(r["reason"]) for r in rejects],
        },
        schema={
            "source_file": pl.String,
            "source_row": pl.Int64,
            "order_id": pl.String,
            "reason": pl.String,
        },
    )


def _day(as_of: str | None) -> dt.date:
    if not as_of:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise InputError("--as-of takes a day as YYYY-MM-DD") from None
