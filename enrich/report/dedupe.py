"""The report of a dedupe run (report.html in its folder): the run, the rows of each file,
the issues found, the validity of the values, and each linking level — the scores with
the thresholds, the cluster sizes, sample pairs explained. The same page as a master's
(``page``), without what only a master has (golden tables, consent, firmographics).
"""

from __future__ import annotations

from collections import Counter

from .link import level_section
from .page import REDACTED, Section, page, table
from .sections import issues, rows_per_file, run_facts, validity


def render(found, cleaned, summary: dict, job=None) -> str:
    """The page for a ``link.levels.Dedupe`` (*found*), the ``CleanResult`` it was linked
    from (*cleaned*), the run summary and the ``Job``."""
    redact = bool(job is not None and job.redact)
    per_file = {
        t.source_file: {"kept": t.rows_out, "rejected": t.rows_rejected} for t in cleaned.tables
    }
    reasons = Counter()
    for t in cleaned.tables:
        reasons.update(t.reject_reasons)
    sections = [
        Section("Result", _result(found, cleaned)),
        Section("Rows per file", rows_per_file(per_file, ["kept", "rejected"], redact)),
        Section("Issues found", issues(dict(reasons), cleaned.frame)),
        Section("Validity of the input values", validity(cleaned.frame, redact)),
    ]
    for level, res in found.results.items():
        if not res.cluster_id.len():  # no record of this level (no B2C row: no customer)
            continue
        sizes = res.cluster_id.value_counts()["count"]
        sections.append(
            Section(f"{level.title()} level", level_section(found, level, sizes, level, redact))
        )
    return page(
        "enrich dedupe report",
        run_facts("dedupe", summary, job, redact),
        sections,
        REDACTED if redact else "",
    )


def _result(found, cleaned) -> str:
    rows = [
        ["input rows", f"{cleaned.rows_in:,}"],
        ["rows kept (records)", f"{cleaned.frame.height:,}"],
        ["rows rejected (rejects.csv)", f"{cleaned.rejects.height:,}"],
    ]
    if found.frame.height != cleaned.frame.height:
        rows.append(["records with the earlier run's (--previous)", f"{found.frame.height:,}"])
    for level, res in found.results.items():
        if not res.cluster_id.len():  # no record of this level
            continue
        rows.append([f"{level} clusters", f"{res.cluster_id.n_unique():,}"])
        rows.append([f"{level} pairs to review (review.csv)", f"{res.review.height:,}"])
    return table(["", "count"], rows)
