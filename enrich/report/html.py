"""One self-contained HTML page about a master run: counts, row accounting per file, validity
rates, match-score histograms, cluster sizes, consent, and the firmographics that are
attached. No script, no external file, no personal data: counts and file names only. The
page holds no clock time, so the same run gives the same bytes.
"""

from __future__ import annotations

from html import escape

import numpy as np
import polars as pl

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:62em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .8em;text-align:right;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}.bar{background:#4a7bb7;height:.9em;display:inline-block}
.note{color:#666}
"""


def _table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _bars(rows: list[tuple[str, int]]) -> str:
    top = max([n for _, n in rows] + [1])
    body = "".join(
        f'<tr><td>{escape(k)}</td><td>{n:,}</td><td><span class="bar" style="width:{round(240 * n / top)}px"></span></td></tr>'
        for k, n in rows
    )
    return f"<table><tr><th></th><th>count</th><th></th></tr>{body}</table>"


def _distribution(series: pl.Series) -> list[tuple[str, int]]:
    counts = (
        series.cast(pl.String)
        .fill_null("(none)")
        .value_counts()
        .sort(["count", series.name], descending=[True, False])
    )
    return [(str(k), int(n)) for k, n in counts.iter_rows()]


def _histogram(p: np.ndarray) -> list[tuple[str, int]]:
    counts, edges = np.histogram(p, bins=10, range=(0.0, 1.0))
    return [(f"{edges[i]:.1f}–{edges[i + 1]:.1f}", int(c)) for i, c in enumerate(counts)]


def _sizes(per: pl.Series) -> list[tuple[str, int]]:
    """*per*: the rows of each entity (the golden tables' ``rows``)."""
    bands = [
        ("1 row", per == 1),
        ("2", per == 2),
        ("3", per == 3),
        ("4–9", (per >= 4) & (per <= 9)),
        ("10+", per >= 10),
    ]
    return [(k, int(mask.sum())) for k, mask in bands]


def render(master, summary: dict) -> str:
    """The page for a ``build.Master`` and its run summary."""
    parts = [
        f"<h1>enrich master — {escape(str(summary.get('version', '')))}</h1>",
        _result(master, summary),
        *_rows_per_file(master.lineage),
        _validity(master.records),
        *_levels(master),
        _consent(master),
        _register(master.counts.get("register")),
        _contactability(master.counts.get("contactability")),
        *_erasure(summary),
        *_companies(master.companies),
    ]
    body = "\n".join(parts)
    return f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>enrich master report</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n'


def _result(master, summary: dict) -> str:
    c = master.counts
    return "<h2>Result</h2>" + _table(
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


def _rows_per_file(lineage: pl.DataFrame) -> list[str]:
    """Merged, kept and rejected rows per input file, and why rows were rejected."""
    statuses = ["merged", "kept", "rejected"]
    statuses += ["erased"] if (lineage["status"] == "erased").any() else []  # enrich erase
    per_file = (
        lineage.group_by("source_file")
        .agg(pl.len().alias("rows"), *(((pl.col("status") == s).sum()).alias(s) for s in statuses))
        .sort("source_file")
    )
    parts = [
        "<h2>Rows per file</h2>"
        + _table(["file", "rows", *statuses], [list(r) for r in per_file.iter_rows()])
    ]
    reasons = lineage.filter(pl.col("status") == "rejected")["reason"]
    if reasons.len():
        parts.append("<h2>Why rows were rejected</h2>" + _bars(_distribution(reasons)))
    return parts


def _validity(records: pl.DataFrame) -> str:
    rates = []
    for col in ("id_status", "email_status", "phone_status", "mobile_status", "postcode_status"):
        if col in records.columns:
            s = records[col].cast(pl.String)
            given = s.is_not_null() & (s != "missing")
            n = int(given.sum())
            valid = int((s == "valid").sum())
            rates.append(
                [
                    col.removesuffix("_status"),
                    f"{n:,}",
                    f"{valid:,}",
                    f"{100 * valid / n:.1f} %" if n else "–",
                ]
            )
    return "<h2>Validity of the input values</h2>" + _table(
        ["value", "given", "valid", "valid rate"], rates
    )


def _levels(master) -> list[str]:
    """Per linking level: the match-probability histogram and the rows per entity."""
    parts = []
    for level, per in (("company", master.companies["rows"]), ("contact", master.contacts["rows"])):
        pairs = master.linked.results[level].pairs
        if pairs is None:  # a master an erasure wrote: nothing was linked
            parts.append(f"<h2>{level.title()} level</h2><p>No pairs scored by this run.</p>")
        else:
            p = pairs["match_probability"].to_numpy()
            parts.append(
                f"<h2>{level.title()} level</h2><p>{len(p):,} candidate pairs scored; match probability:</p>"
                + _bars(_histogram(p))
            )
        parts.append(f"<p>Rows per {level}:</p>" + _bars(_sizes(per)))
    return parts


def _consent(master) -> str:
    c = master.counts
    return "<h2>Consent</h2>" + _table(
        ["", "contacts"],
        [
            ["opted out (in any source)", f"{c['opt_out_contacts']:,}"],
            ["on the suppression list", f"{c['suppressed_contacts']:,}"],
            ["do not contact (either)", f"{c['do_not_contact']:,}"],
            ["may be contacted", f"{master.contacts.height - c['do_not_contact']:,}"],
        ],
    )


def _contactability(counts: dict | None) -> str:
    """Per channel and reason, how many contacts may (or may not) be contacted
    (rules/contactability.toml explains each reason)."""
    if not counts:
        return ""
    channels = ("email", "phone", "post")
    reasons = sorted({why for ch in channels for why in counts[ch]["why"]})
    rows = [["may be contacted", *(f"{counts[ch]['ok']:,}" for ch in channels)]]
    rows += [[why, *(f"{counts[ch]['why'].get(why, 0):,}" for ch in channels)] for why in reasons]
    files = [
        f"{f['service']} {f['file']}: {f['age_days']} days old ({f['state']}), {f['listed']:,} numbers listed"
        for f in counts.get("dnc_files", [])
    ]
    note = f"judged on {counts['as_of']}; " + (
        "; ".join(files) or "no national do-not-call file given"
    )
    return (
        "<h2>Contactability per channel</h2>"
        + _table(["reason", "e-mail", "phone", "post"], rows)
        + f'<p class="note">{escape(note)}</p>'
    )


def _erasure(summary: dict) -> list[str]:
    """What an erasure (``enrich erase``) took out: counts only."""
    erased = (summary.get("master") or {}).get("erased")
    if not erased:
        return []
    return [
        "<h2>Erasure</h2>"
        + _table(
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
    ]


def _register(counts: dict | None) -> str:
    """The do-not-contact register: its entries by source (new this run), the contacts each
    source and each channel covers, the suppression lists' unreadable lines (by number)."""
    if not counts:
        return ""
    covered = counts["contacts"]
    rows = [
        [
            source,
            f"{n:,}",
            f"{counts['new_by_source'].get(source, 0):,}",
            f"{covered['by_source'].get(source, 0):,}",
        ]
        for source, n in counts["by_source"].items()
    ]
    channels = [[f"refused {c}", f"{n:,}"] for c, n in covered["by_channel"].items()]
    lists = [
        f"<p>{escape(name)}: {r['lines']:,} lines, {r['values']:,} values, {r['unreadable']:,} "
        f"unreadable{' (lines ' + ', '.join(map(str, r['unreadable_lines'])) + ')' if r['unreadable'] else ''}</p>"
        for name, r in counts["lists"].items()
    ]
    return (
        f"<h2>Do-not-contact register</h2><p>{counts['entries']:,} entries "
        f"({counts['new_entries']:,} new this run; by kind: "
        + escape(", ".join(f"{k} {n:,}" for k, n in counts["by_kind"].items()) or "none")
        + ").</p>"
        + _table(["source", "entries", "new", "contacts covered"], rows)
        + _table(["channel", "contacts"], channels)
        + "".join(lists)
    )


_FIRMOGRAPHICS = (
    "nace_section",
    "nace_source",
    "size_band",
    "size_source",
    "registry_status",
    "registry_match",
    "legal_form",
    "country",
)


def _companies(companies: pl.DataFrame) -> list[str]:
    """The distribution of each firmographic column the companies have (top 25 values)."""
    parts = ["<h2>Companies</h2>"]
    for col in _FIRMOGRAPHICS:
        if col in companies.columns:
            parts.append(f"<p>{escape(col)}:</p>" + _bars(_distribution(companies[col])[:25]))
    if "nace_section" not in companies.columns:
        parts.append(
            '<p class="note">No registry attached: sectors and size bands appear when a registry index is given.</p>'
        )
    return parts
