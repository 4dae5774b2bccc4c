"""The page every report is: one self-contained HTML file (no script, no font, no link out),
its run told at the top (date, command, options), then its sections, each a heading and
what it shows. Readable on a laptop (a column of text, charts scaled to it) and printable
(each section on a new page, no chart cut in two).

>>> html = page("enrich master", [("date", "2026-12-04")], [Section("Rows", "<p>1</p>")])
>>> "<h2 id=\\"rows\\">Rows</h2>" in html and "break-before:page" in html and "<script" not in html
True
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

STYLE = """
:root{--ink:#1d2329;--soft:#5b6670;--rule:#dde2e6}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
 max-width:52rem;margin:2rem auto;padding:0 1.25rem}
h1{font-size:1.7rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2.2rem 0 .6rem;
 padding-bottom:.2rem;border-bottom:2px solid var(--rule)}h3{font-size:1.02rem;margin:1.4rem 0 .3rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-variant-numeric:tabular-nums}
td,th{padding:.22rem .7rem;text-align:right;border-bottom:1px solid var(--rule);vertical-align:top}
td:first-child,th:first-child{text-align:left}th{font-weight:600;color:var(--soft)}
.run td,.text td,.text th{text-align:left}.run td:first-child{color:var(--soft);white-space:nowrap}
.note{color:var(--soft);font-size:.92rem}.redacted{background:#fff4d6;padding:.5rem .8rem;border-radius:4px}
nav{font-size:.92rem;color:var(--soft);margin:.6rem 0 0}nav a{color:#3b6ea5;margin-right:.8rem}
figure{margin:.6rem 0 1.2rem}figcaption{font-size:.92rem;color:var(--soft);margin-bottom:.2rem}
svg.chart{max-width:100%;height:auto;display:block}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}svg text.small{font-size:11px;fill:var(--soft)}
svg text.value{fill:var(--soft)}svg text.inside{fill:#fff;font-size:11px}svg text.strong{font-weight:700}
svg .axis{stroke:#8a949c;stroke-width:1}
svg .threshold{stroke:#1d2329;stroke-width:1.5;stroke-dasharray:5 3}
svg text.threshold-label{fill:var(--ink);font-weight:600}
.pairs{display:grid;grid-template-columns:1fr;gap:.4rem}
"""
# in a style element of its own: the page holds no "@" (a test for e-mail addresses looks)
PRINT = """body{max-width:none;margin:0;font-size:11pt}nav{display:none}
section{break-before:page}section:first-of-type{break-before:auto}
figure,svg,table{break-inside:avoid}h2,h3{break-after:avoid}"""


@dataclass
class Section:
    title: str
    html: str  # the section's body


def page(title: str, run: list[tuple[str, str]], sections: list[Section], note: str = "") -> str:
    """The whole page: *title*, the run's facts (*run*: label, text), an optional *note*
    (what the page leaves out), a contents line, then *sections*."""
    facts = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in run)
    shown = [s for s in sections if s.html]
    nav = "".join(f'<a href="#{_anchor(s.title)}">{escape(s.title)}</a>' for s in shown)
    body = "\n".join(
        f'<section><h2 id="{_anchor(s.title)}">{escape(s.title)}</h2>\n{s.html}</section>'
        for s in shown
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>"
        f'<style media="print">{PRINT}</style></head><body>\n'
        f'<header><h1>{escape(title)}</h1><table class="run">{facts}</table>{note}'
        f"<nav>{nav}</nav></header>\n{body}\n</body></html>\n"
    )


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")


def table(header: list[str], rows: list[list], cls: str = "") -> str:
    """A table of *rows* under *header*; numbers right, the first column left (*cls* "text":
    every column left)."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    c = f' class="{cls}"' if cls else ""
    return f"<table{c}><tr>{head}</tr>{body}</table>"


def figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def run_date() -> str:
    """The day of the run (UTC), or of ``SOURCE_DATE_EPOCH`` (a reproducible build's clock):
    a day, not a time, so a run gives the same page all day long."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    now = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch.isdigit()
        else dt.datetime.now(dt.UTC)
    )
    return now.date().isoformat()


def options(job_dict: dict, redact: bool) -> str:
    """The job's options as one line: paths by their file name (the folders they sit in say
    nothing of the run and differ from machine to machine); with *redact*, no names at all.

    >>> options({"inputs": [{"path": "/h/x/crm.csv", "sheet": "A"}], "out": "o/m", "force": True}, False)
    'inputs: crm.csv (sheet A) · out: m · force'
    >>> options({"inputs": [{"path": "/h/x/crm.csv"}], "out": "o/m"}, True)
    'inputs: 1 file · out: (folder)'
    """
    parts = []
    for key, value in job_dict.items():
        if key == "inputs" and redact:
            parts.append(f"inputs: {len(value)} file{'s' if len(value) != 1 else ''}")
        elif key == "inputs":
            parts.append("inputs: " + ", ".join(_input(i) for i in value))
        elif value is True:
            parts.append(key)
        elif isinstance(value, dict):
            parts.append(
                f"{key}: " + ", ".join(f"{k} {_value(k, v, redact)}" for k, v in value.items())
            )
        elif isinstance(value, list):
            parts.append(f"{key}: " + ", ".join(_value(key, v, redact) for v in value))
        elif value not in (None, False):
            parts.append(f"{key}: {_value(key, value, redact)}")
    return " · ".join(parts)


_PATHS = {"out", "rules", "previous", "decisions", "suppress", "model", "folder", "size_file",
          "cache", "dnc", "checks", "baseline"}  # fmt: skip


def _value(key: str, value, redact: bool) -> str:
    if key in _PATHS and isinstance(value, str):
        return "(folder)" if redact and key == "out" else "(file)" if redact else Path(value).name
    return str(value)


def _input(spec: dict) -> str:
    name = Path(spec["path"]).name
    extra = [f"{k} {v}" for k, v in spec.items() if k not in ("path", "map") and v is not None]
    if spec.get("map"):
        extra.append(f"{len(spec['map'])} headers mapped by hand")
    return name + (f" ({', '.join(extra)})" if extra else "")


def file_names(files: list[str], redact: bool) -> dict[str, str]:
    """How the page names each input file: by its name, or (*redact*) as "input N"."""
    order = list(dict.fromkeys(files))
    return {f: (f"input {i}" if redact else Path(f).name) for i, f in enumerate(order, 1)}


REDACTED = (
    '<p class="redacted">Redacted copy (--redact): no names, e-mail addresses, phone numbers, '
    "addresses, row values, row numbers or file names; pairs are shown by their field "
    "verdicts and weights only.</p>"
)
