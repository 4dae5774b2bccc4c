"""Exports of a master for an agency or a purpose: minimised (GDPR Art. 5(1)(c): only the
columns a purpose needs — ``--keep`` or a purpose of ``rules/purposes.toml``) and, if asked,
pseudonymised (Art. 4(5)): each direct identifier ``[pseudonymise]`` lists replaced by
HMAC-SHA-256 under a key derived from the secret key (``keys``) — never a bare hash, which
anyone holding the next purchased list could compute and match. The ids (``company_id``,
``contact_id``) are left as they are, so the agency's results join back to the master.

A pseudonym is keyed value by value (a cell holding a list, ``a;b``, gives ``ka;kb``), with
one key for every column and table: the same address has the same pseudonym everywhere, in
every export made with the same key — and another under another key. The export key is
HMAC(secret key, "enrich export"): the export's pseudonyms are not the register's keyed
values (``register.parquet``), so an export cannot be matched against the register.

>>> pseudonyms(pl.Series(["a@x.be;b@y.be", None, "a@x.be"]), b"0123456789abcdef-example-key")[0].count(";")
1
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .. import __version__
from ..errors import InputError
from ..master.folder import check_beside
from ..ruleset import Rules
from . import keys
from .subject import load

TABLES = ("companies", "contacts")
IDS = {"companies": ["company_id"], "contacts": ["contact_id", "company_id"]}
SEPARATOR = ";"  # master.survive.LIST_SEPARATOR: the golden tables' lists
SUMMARY = "export.json"


@dataclass
class Plan:
    """What an export keeps and hides: the columns kept (None: all), the Boolean columns
    whose contacts are left out, whether it is pseudonymised, and under which name."""

    keep: list[str] | None = None
    if_present: tuple[str, ...] = ()
    leave_out: tuple[str, ...] = ()
    pseudonymise: bool = False
    purpose: str | None = None


def plan(rules: Rules, keep: str | None, purpose: str | None, pseudonymise: bool) -> Plan:
    """The plan of ``--keep COLS`` (a comma list) or ``--purpose NAME`` (rules/purposes.toml)."""
    if keep and purpose:
        raise InputError("give --keep or --purpose, not both")
    if keep is not None:
        columns = [c.strip() for c in keep.split(",") if c.strip()]
        if not columns:
            raise InputError("--keep names no column")
        return Plan(columns, pseudonymise=pseudonymise)
    if purpose is None:
        return Plan(pseudonymise=pseudonymise)
    purposes = rules.get("purposes").get("purposes", {})
    if purpose not in purposes:
        raise InputError(
            f"no purpose named {purpose!r} in purposes.toml (known: {', '.join(sorted(purposes))})"
        )
    spec = purposes[purpose]
    return Plan(
        list(spec.get("keep", [])),
        tuple(spec.get("if_present", [])),
        tuple(spec.get("leave_out", [])),
        pseudonymise or bool(spec.get("pseudonymise", False)),
        purpose,
    )


def export_key(key: bytes) -> bytes:
    """The key of an export's pseudonyms, derived from the secret key (not the register's)."""
    return hmac.new(key, b"enrich export", hashlib.sha256).digest()


def pseudonyms(values: pl.Series, key: bytes) -> pl.Series:
    """Each value of *values* keyed (a list cell value by value); null stays null."""
    flat = (
        pl.DataFrame({"v": values.cast(pl.String)})
        .with_row_index("i")
        .with_columns(pl.col("v").str.split(SEPARATOR))
        .explode("v")
    )
    flat = flat.with_columns(keys.keyed(flat["v"].str.strip_chars(), key).alias("k"))
    joined = flat.group_by("i", maintain_order=True).agg(pl.col("k").str.join(SEPARATOR))["k"]
    return pl.select(pl.when(values.is_not_null()).then(joined)).to_series().alias(values.name)


def tables(held_tables: dict, plan: Plan, rules: Rules, key: bytes | None) -> tuple[dict, dict]:
    """(the exported tables, what was done to each: rows, columns kept, pseudonymised,
    contacts left out and why)."""
    known = {c for name in TABLES for c in held_tables[name].columns}
    unknown = [c for c in plan.keep or [] if c not in known]
    if unknown:
        where = f"purpose {plan.purpose!r}" if plan.purpose else "--keep"
        raise InputError(
            f"{where}: no column {unknown[0]!r} in the master's companies or contacts"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
        )
    hidden = rules.get("purposes").get("pseudonymise", {})
    out, done = {}, {}
    for name in TABLES:
        table = held_tables[name]
        left_out = {}
        if name == "contacts":
            for column in plan.leave_out:
                if column in table.columns:
                    flag = pl.col(column).cast(pl.String).str.to_lowercase() == "true"
                    flag = flag.fill_null(False)
                    left_out[column] = int(table.select(flag.sum()).item())
                    table = table.filter(~flag)
        wanted = table.columns if plan.keep is None else [*IDS[name], *plan.keep, *plan.if_present]
        columns = [c for c in table.columns if c in set(wanted)]  # the master's order
        table = table.select(columns)
        keyed = [c for c in hidden.get(name, []) if c in columns] if plan.pseudonymise else []
        if keyed:
            table = table.with_columns(pseudonyms(table[c], key) for c in keyed)
        out[name] = table
        done[name] = {
            "rows": table.height,
            "columns": columns,
            "pseudonymised": keyed,
            "left_out": left_out,
        }
    return out, done


def export(
    master: str,
    out: str,
    plan: Plan,
    *,
    fmt: str = "csv",
    excel: bool = False,
    rules_dir: str | None = None,
    say=lambda line: None,
) -> dict:
    """Write the export of *master* into the folder *out* (replaced whole): companies and
    contacts tables and ``export.json`` (what was kept and hidden, the key's fingerprint —
    never the key). Returns that summary."""
    from ..io.lock import locked, session
    from ..io.write import file_digest, replace_folder, write_json, write_table

    check_beside(Path(out), Path(master), "export", SUMMARY)
    rules = Rules.load(rules_dir)
    with (
        session(out, inputs=[rules_dir] if rules_dir else [], say=say),
        locked(master, shared=True),
    ):
        held = load(master, rules)
        key = None
        if plan.pseudonymise:
            key, made = keys.secret_key()
            if made:
                say(made)
        chosen, done = tables(held.tables, plan, rules, key and export_key(key))

        def fill(tmp: Path) -> None:
            for name, table in chosen.items():
                write_table(table, tmp / f"{name}.{fmt}", fmt, excel=excel)
            summary = _summary(held, plan, done, fmt, key)
            summary["manifest"] = {
                p.name: file_digest(p) for p in sorted(tmp.iterdir()) if p.is_file()
            }
            write_json(summary, tmp / SUMMARY)

        replace_folder(out, fill)
    return json.loads((Path(out) / SUMMARY).read_text(encoding="utf-8"))


def _summary(held, plan: Plan, done: dict, fmt: str, key: bytes | None) -> dict:
    return {
        "command": "export",
        "version": __version__,
        "day": dt.date.today().isoformat(),
        "master": str(held.path),
        "master_run_sha256": held.sha256,
        "purpose": plan.purpose,
        "keep": plan.keep,
        "pseudonymised": plan.pseudonymise,
        "key_fingerprint": keys.fingerprint(key) if key else None,
        "format": fmt,
        "tables": done,
    }
