"""The report of a check run (``enrich check --report-format html``): the run, the checks'
outcome per file, the rows of each file, the failing checks by kind and the valid rates the
rate checks measured, against their thresholds. Like every other check report it names
files, checks, columns and counts, never a value (nor, here, a row).
"""

from __future__ import annotations

from . import charts
from .page import REDACTED, Section, figure, file_names, page, run_date, table
from .sections import rows_per_file

RATES = {"valid_vat_rate": "VAT", "valid_email_rate": "e-mail", "valid_phone_rate": "phone"}
OUTCOMES = ["passed", "failed (error)", "failed (warning)", "skipped"]


def _outcome(r) -> str:
    if r.status == "failed":
        return "failed (error)" if r.severity == "error" else "failed (warning)"
    return r.status


def render(results, unreadable, tables: list[dict], options: str, redact: bool = False) -> str:
    """The page for a check run: its *results* (``check.run.Result``), the *unreadable*
    files, the accounting of each table read (*tables*: file, rows_in, rows_out,
    rows_rejected) and the run's *options* (one line)."""
    names = file_names([t["file"] for t in tables] + [n for n, _ in unreadable], redact)
    names.update({r.file: names.get(r.file, r.file) for r in results})
    facts = [("date", run_date()), ("command", "enrich check"), ("options", options)]
    sections = [
        Section("Result", _outcomes(results, unreadable, names)),
        Section(
            "Rows per file",
            rows_per_file(
                {
                    t["file"]: {"kept": t["rows_out"], "rejected": t["rows_rejected"]}
                    for t in tables
                },
                ["kept", "rejected"],
                redact,
            ),
        ),
        Section("Issues found", _issues(results, names)),
        Section("Validity of the input values", _rates(results, names)),
        Section("Every check", _every(results, [] if redact else unreadable, names)),
    ]
    return page("enrich check report", facts, sections, REDACTED if redact else "")


def _outcomes(results, unreadable, names: dict[str, str]) -> str:
    files = list(dict.fromkeys(r.file for r in results))
    rows = [
        (names[f], [sum(_outcome(r) == o for r in results if r.file == f) for o in OUTCOMES])
        for f in files
    ]
    counts = [sum(p[i] for _, p in rows) for i in range(len(OUTCOMES))]
    line = (
        f"<p>{len(results):,} checks on {len(files) + len(unreadable):,} files: "
        + ", ".join(f"{n:,} {o}" for o, n in zip(OUTCOMES, counts, strict=True))
        + (f", {len(unreadable):,} files unreadable" if unreadable else "")
        + ".</p>"
    )
    if not rows:
        return line
    return line + figure(
        "Checks per file, by outcome",
        charts.stacked(
            rows, OUTCOMES, title="checks per file",
            colours=(charts.GREEN, charts.RED, charts.AMBER, charts.GREY),
        ),
    )  # fmt: skip


def _issues(results, names: dict[str, str]) -> str:
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return "<p>No check failed.</p>"
    rows = sorted(
        ((f"{names[r.file]} · {r.check}", r.failing) for r in failed), key=lambda kv: -kv[1]
    )
    by_kind: dict[str, int] = {}
    for r in failed:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    return figure(
        "Failed checks, by the rows (or columns) that fail them",
        charts.bars(rows[:30], title="failing rows per check", colour=charts.RED),
    ) + table(["kind of check", "failed"], sorted(by_kind.items(), key=lambda kv: -kv[1]))


def _rates(results, names: dict[str, str]) -> str:
    measured = [r for r in results if r.kind in RATES and r.value is not None]
    if not measured:
        return "<p>No valid-rate check ran.</p>"
    files = list(dict.fromkeys(r.file for r in measured))
    kinds = [k for k in RATES if any(r.kind == k for r in measured)]
    at = {(r.file, r.kind): (float(r.value), r.failing) for r in measured}
    grid = charts.grid(
        [names[f] for f in files],
        [RATES[k] for k in kinds],
        [[at.get((f, k)) for k in kinds] for f in files],
        title="valid rate per file and field",
    )
    return figure(
        "Valid share of the filled values, per file and field (green: all valid, amber: 90 % "
        "or more, red: less)",
        grid,
    ) + table(
        ["file", "field", "valid rate", "threshold", "outcome"],
        [
            [names[r.file], RATES[r.kind], f"{100 * r.value:.1f} %", r.threshold or "", _outcome(r)]
            for r in measured
        ],
    )


def _every(results, unreadable, names: dict[str, str]) -> str:
    rows = [[names[r.file], r.check, _outcome(r), r.message] for r in results]
    rows += [[names[n], "readable", "unreadable", m] for n, m in unreadable]
    return table(["file", "check", "outcome", "message"], rows, "text")
