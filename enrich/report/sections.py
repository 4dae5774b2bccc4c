"""The sections a master and a dedupe report share: the run, the rows of each file, the
validity of the values per field and per file, and the issues found by kind. Counts only:
a file is named by its name (or, redacted, as "input N"), a row never.
"""

from __future__ import annotations

from html import escape

import polars as pl

from . import charts
from .page import figure, file_names, options, run_date, table

STATUSES = {
    "id_status": "company number",
    "email_status": "e-mail",
    "phone_status": "phone",
    "mobile_status": "mobile",
    "postcode_status": "postcode",
}


def run_facts(command: str, summary: dict, job, redact: bool) -> list[tuple[str, str]]:
    """The run at the top of the page: date, command, options, versions."""
    facts = [
        ("date", run_date()),
        ("command", f"enrich {command}"),
        ("options", options(job.as_dict(), redact) if job is not None else "–"),
        ("enrich", str(summary.get("version", ""))),
    ]
    if summary.get("rules_hash"):
        facts.append(("rules", f"hash {summary['rules_hash']}"))
    return facts


def rows_per_file(per_file: dict[str, dict[str, int]], statuses: list[str], redact: bool) -> str:
    """*per_file*: file → {status: rows}; a stacked bar per file and the table."""
    names = file_names(sorted(per_file), redact)
    rows = [(names[f], [per_file[f].get(s, 0) for s in statuses]) for f in sorted(per_file)]
    totals = [sum(p[i] for _, p in rows) for i in range(len(statuses))]
    return figure(
        "Rows of each input file, by what became of them",
        charts.stacked(rows, statuses, title="rows per file"),
    ) + table(
        ["file", "rows", *statuses],
        [[n, f"{sum(p):,}", *(f"{x:,}" for x in p)] for n, p in rows]
        + [["all files", f"{sum(totals):,}", *(f"{x:,}" for x in totals)]],
    )


def _given(frame: pl.DataFrame, col: str) -> tuple[pl.Expr, pl.Expr]:
    s = pl.col(col).cast(pl.String)
    return (s.is_not_null() & (s != "missing")), (s == "valid")


def validity(records: pl.DataFrame, redact: bool) -> str:
    """The valid share of each field's given values (a bar per field), then per file (a
    stacked bar per file and field: valid, not valid), and the table of both."""
    cols = [c for c in STATUSES if c in records.columns]
    if not cols or not records.height:
        return "<p>No values to validate.</p>"
    whole, per_file = [], []
    for col in cols:
        given, valid = _given(records, col)
        n, v = records.select(given.sum().alias("n"), valid.sum().alias("v")).row(0)
        whole.append((STATUSES[col], int(n), int(v)))
        if "source_file" in records.columns:
            by = (
                records.group_by("source_file")
                .agg(given.sum().alias("n"), valid.sum().alias("v"))
                .sort("source_file")
            )
            per_file += [(f, STATUSES[col], int(n), int(v)) for f, n, v in by.iter_rows()]
    rates = [(name, 100 * v / n if n else 0.0) for name, n, v in whole]
    parts = [
        figure(
            "Valid share of the values given, per field (all files)",
            charts.bars(rates, title="valid rate per field", digits=1, suffix=" %", top=100),
        )
    ]
    files = sorted({f for f, *_ in per_file})
    if files:
        names, fields = file_names(files, redact), [name for name, _, _ in whole]
        at = {(f, field): (v / n, n) for f, field, n, v in per_file if n}
        parts.append(
            figure(
                "Valid share per file and field (green: all valid, amber: 90 % or more, red: "
                "less; –: no value given)",
                charts.grid(
                    [names[f] for f in files],
                    fields,
                    [[at.get((f, field)) for field in fields] for f in files],
                    title="validity per file and field",
                ),
            )
        )
    parts.append(
        table(
            ["field", "given", "valid", "valid rate"],
            [[f, f"{n:,}", f"{v:,}", f"{100 * v / n:.1f} %" if n else "–"] for f, n, v in whole],
        )
    )
    return "".join(parts)


def issues(rejected: dict[str, int], records: pl.DataFrame) -> str:
    """The issues found, by kind: rows rejected (by reason) and values not valid (by field
    and verdict), largest first."""
    found = [(f"row rejected: {why}", n) for why, n in rejected.items() if n]
    for col, name in STATUSES.items():
        if col in records.columns:
            counts = records[col].cast(pl.String).drop_nulls().value_counts()
            found += [
                (f"{name}: {verdict}", int(n))
                for verdict, n in counts.iter_rows()
                if verdict not in ("valid", "missing") and n
            ]
    if not found:
        return "<p>No issues: every row was kept and every value given is valid.</p>"
    found.sort(key=lambda kv: (-kv[1], kv[0]))
    return figure(
        "Issues found, by kind (rows rejected, values that are not valid)",
        charts.bars(found[:30], title="issues by kind", colour=charts.RED),
    ) + (f'<p class="note">{len(found) - 30} more kinds not shown.</p>' if len(found) > 30 else "")


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'
