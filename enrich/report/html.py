"""The report of a master run (report.html): the run, its result, the rows of each file,
the issues found, the validity of the values, each linking level (scores, thresholds,
cluster sizes, sample pairs explained), consent, contactability, the register and the
firmographics the registry attached. One self-contained page (``page``), charts in SVG
(``charts``). Counts, file names and entity ids only — no value of any row; with the job's
``redact``, not even file names or ids (a copy to share).
"""

from __future__ import annotations

from html import escape

import polars as pl

from . import charts
from .link import level_section
from .page import REDACTED, Section, figure, file_names, page, table
from .sections import issues, rows_per_file, run_facts, validity


def render(master, summary: dict, job=None) -> str:
    """The page for a ``build.Master``, its run summary and its ``Job``."""
    redact = bool(job is not None and job.redact)
    sections = [
        Section("Result", _result(master, summary)),
        Section("Rows per file", _rows_per_file(master.lineage, redact)),
        Section("Issues found", issues(_reasons(master.lineage), master.records)),
        Section("Validity of the input values", validity(master.records, redact)),
        *_levels(master, redact),
        Section("Consent", _consent(master)),
        Section("Do-not-contact register", _register(master.counts.get("register"), redact)),
        Section(
            "Contactability per channel",
            _contactability(master.counts.get("contactability"), redact),
        ),
        Section("Erasure", _erasure(summary)),
        Section("Companies", _companies(master.companies)),
    ]
    return page(
        "enrich master report",
        run_facts("master", summary, job, redact),
        sections,
        REDACTED if redact else "",
    )


def _result(master, summary: dict) -> str:
    c = master.counts
    return table(
        ["", "count"],
        [
            ["input rows (this run and earlier ones)", f"{master.lineage.height:,}"],
            ["companies", f"{c['companies']:,}"],
            ["contacts", f"{c['contacts']:,}"],
            ["persons", f"{c['persons']:,}"],
            ["rows merged into a company or contact with others", f"{c['merged_rows']:,}"],
            ["rows kept alone", f"{c['kept_rows']:,}"],
            ["rows rejected", f"{c['rejected_rows']:,}"],
            ["review decisions waiting (review.csv)", f"{summary.get('review_rows', 0):,}"],
            ["id changes (changes.csv)", f"{c['changes']:,}"],
        ],
    )


def _reasons(lineage: pl.DataFrame) -> dict[str, int]:
    reasons = lineage.filter(pl.col("status") == "rejected")["reason"].fill_null("(none)")
    return dict(reasons.value_counts().iter_rows())


def _rows_per_file(lineage: pl.DataFrame, redact: bool) -> str:
    """Merged, kept and rejected rows per input file."""
    statuses = ["merged", "kept", "rejected"]
    statuses += ["erased"] if (lineage["status"] == "erased").any() else []  # enrich erase
    counts = lineage.group_by("source_file", "status").len()
    per_file: dict[str, dict[str, int]] = {}
    for f, status, n in counts.iter_rows():
        per_file.setdefault(f, {})[status] = int(n)
    return rows_per_file(per_file, statuses, redact)


def _levels(master, redact: bool) -> list[Section]:
    """Per linking level: the scores with the thresholds, the rows per entity, sample pairs."""
    golden = {"company": master.companies, "contact": master.contacts}
    out = []
    for level, res in master.linked.results.items():
        clusters = getattr(res, "cluster_id", None)  # an erasure's master linked nothing
        if clusters is not None and not clusters.len():  # no record of this level (no B2C row)
            continue
        if level in golden:
            sizes = golden[level]["rows"]
        elif clusters is not None:  # a level without a golden table of its own (customer)
            sizes = clusters.value_counts()["count"]
        else:
            continue
        html = level_section(master.linked, level, sizes, level, redact)
        out.append(Section(f"{level.title()} level", html))
    return out


def _consent(master) -> str:
    c = master.counts
    return table(
        ["", "contacts"],
        [
            ["opted out (in any source)", f"{c['opt_out_contacts']:,}"],
            ["on the suppression list", f"{c['suppressed_contacts']:,}"],
            ["do not contact (either)", f"{c['do_not_contact']:,}"],
            ["may be contacted", f"{master.contacts.height - c['do_not_contact']:,}"],
        ],
    )


def _contactability(counts: dict | None, redact: bool) -> str:
    """Per channel and reason, how many contacts may (or may not) be contacted
    (rules/contactability.toml explains each reason)."""
    if not counts:
        return ""
    channels = ("email", "phone", "post")
    reasons = sorted({why for ch in channels for why in counts[ch]["why"]})
    rows = [["may be contacted", *(f"{counts[ch]['ok']:,}" for ch in channels)]]
    rows += [[why, *(f"{counts[ch]['why'].get(why, 0):,}" for ch in channels)] for why in reasons]
    files = [
        f"{f['service']} {'file' if redact else f['file']}: {f['age_days']} days old ({f['state']}), {f['listed']:,} numbers listed"
        for f in counts.get("dnc_files", [])
    ]
    note = f"judged on {counts['as_of']}; " + (
        "; ".join(files) or "no national do-not-call file given"
    )
    return (
        table(["reason", "e-mail", "phone", "post"], rows) + f'<p class="note">{escape(note)}</p>'
    )


def _erasure(summary: dict) -> str:
    """What an erasure (``enrich erase``) took out: counts only."""
    erased = (summary.get("master") or {}).get("erased")
    if not erased:
        return ""
    return table(
        ["", "count"],
        [
            ["contacts erased", f"{erased['contacts']:,}"],
            [
                "source rows erased (kept in lineage as erased, without values)",
                f"{erased['source_rows']:,}",
            ],
            [
                "companies survived again without their rows",
                f"{erased['companies_survived_again']:,}",
            ],
            ["companies removed (held only by their rows)", f"{erased['companies_removed']:,}"],
            ["keyed tombstones added to the register", f"{erased['tombstones']:,}"],
        ],
    )


def _register(counts: dict | None, redact: bool) -> str:
    """The do-not-contact register: its entries by source (new this run), the contacts each
    source and each channel covers, the suppression lists' unreadable lines (by number)."""
    if not counts:
        return ""
    covered = counts["contacts"]
    sources = file_names([k.partition(":")[2] for k in counts["by_source"]], redact)
    rows = [
        [
            _source(source, sources),
            f"{n:,}",
            f"{counts['new_by_source'].get(source, 0):,}",
            f"{covered['by_source'].get(source, 0):,}",
        ]
        for source, n in counts["by_source"].items()
    ]
    channels = [[f"refused {c}", f"{n:,}"] for c, n in covered["by_channel"].items()]
    names = file_names(list(counts["lists"]), redact)
    lists = [
        f"<p>{escape(names[name].replace('input', 'list'))}: {r['lines']:,} lines, "
        f"{r['values']:,} values, {r['unreadable']:,} unreadable"
        f"{' (lines ' + ', '.join(map(str, r['unreadable_lines'])) + ')' if r['unreadable'] and not redact else ''}</p>"
        for name, r in counts["lists"].items()
    ]
    return (
        f"<p>{counts['entries']:,} entries ({counts['new_entries']:,} new this run; by kind: "
        + escape(", ".join(f"{k} {n:,}" for k, n in counts["by_kind"].items()) or "none")
        + ").</p>"
        + table(["source", "entries", "new", "contacts covered"], rows)
        + table(["channel", "contacts"], channels)
        + "".join(lists)
    )


def _source(source: str, names: dict[str, str]) -> str:
    """A register source (``column:FILE``, ``list:FILE`` …) as the page names its file."""
    kind, _, name = source.partition(":")
    return f"{kind}:{names[name]}" if name else source


_CHARTED = {"nace_section": "Sector (NACE section)", "size_band": "Size band"}
_FIRMOGRAPHICS = (
    "nace_source",
    "size_source",
    "registry_status",
    "registry_match",
    "legal_form",
    "country",
)


def _distribution(series: pl.Series) -> list[tuple[str, int]]:
    counts = (
        series.cast(pl.String)
        .fill_null("(none)")
        .value_counts()
        .sort(["count", series.name], descending=[True, False])
    )
    return [(str(k), int(n)) for k, n in counts.iter_rows()]


def _companies(companies: pl.DataFrame) -> str:
    """Sectors and size bands as charts, then the distribution of each other firmographic
    column the companies have (top 25 values)."""
    parts = []
    for col, caption in _CHARTED.items():
        if col in companies.columns:
            rows = _distribution(companies[col])[:25]
            parts.append(
                figure(
                    f"{caption} of the {companies.height:,} companies ({col})",
                    charts.bars(rows, title=caption),
                )
            )
    if "nace_section" not in companies.columns:
        parts.append(
            '<p class="note">No registry attached: sectors and size bands appear when a registry index is given.</p>'
        )
    for col in _FIRMOGRAPHICS:
        if col in companies.columns:
            rows = _distribution(companies[col])[:25]
            parts.append(
                f"<h3>{escape(col)}</h3>"
                + table(["value", "companies"], [[k, f"{n:,}"] for k, n in rows])
            )
    return "".join(parts)
