"""What `enrich check` prints: a human table (coloured on a terminal), JSON, JUnit XML (CI
systems show each check as a test case) or GitHub workflow annotations (``::error
file=…,line=…::``). Failing rows are named by row number, column and, for CSV, line;
values are never printed.

>>> print(github([Result("leads.csv", "no_formulas", "no_formulas", "error", "failed", "2 cells: a, b", examples=[{"row": 3, "column": "Nom", "line": 4}])], 5))
::error file=leads.csv,title=no_formulas::2 cells: a, b
::error file=leads.csv,line=4,title=no_formulas::row 3, column Nom
"""

from __future__ import annotations

import json
import platform
import xml.etree.ElementTree as ET
from pathlib import Path

import click

from .run import Result

MARK = {"passed": ("PASS", "green"), "skipped": ("SKIP", "cyan")}


def _mark(r: Result) -> tuple[str, str]:
    if r.status == "failed":
        return ("FAIL", "red") if r.severity == "error" else ("WARN", "yellow")
    return MARK[r.status]


def _where(example: dict) -> str:
    parts = [f"row {example['row']}"] if example.get("row") is not None else []
    if example.get("line"):
        parts.append(f"line {example['line']}")
    if example.get("column"):
        parts.append(f"column {example['column']}")
    if example.get("reason"):
        parts.append(example["reason"])
    return ", ".join(parts)


def summary(results: list[Result], unreadable: list[str]) -> dict:
    return {
        "files": len({r.file for r in results}) + len(unreadable),
        "checks": len(results),
        "passed": sum(r.status == "passed" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "errors": sum(r.blocking for r in results),
        "warnings": sum(r.status == "failed" and r.severity == "warning" for r in results),
        "unreadable": len(unreadable),
    }


def human(
    results: list[Result], unreadable: list[tuple[str, str]], max_examples: int, colour: bool
) -> str:
    lines, current = [], None
    width = max([len(r.check) for r in results] + [10])
    for r in results:
        if r.file != current:
            current = r.file
            lines.append(click.style(r.file, bold=True) if colour else r.file)
        label, tint = _mark(r)
        label = click.style(label, fg=tint, bold=True) if colour else label
        lines.append(f"  {label}  {r.check:<{width}}  {r.message}")
        for e in r.examples[:max_examples]:
            lines.append(f"        {'':<{width}}  {_where(e)}")
        if r.failing > len(r.examples[:max_examples]) and r.examples:
            lines.append(
                f"        {'':<{width}}  … {r.failing - len(r.examples[:max_examples])} more"
            )
    for name, message in unreadable:
        lines.append(
            (click.style(name, bold=True) if colour else name)
            + f"\n  {'ERROR':<4}  cannot be read: {message}"
        )
    s = summary(results, [n for n, _ in unreadable])
    tail = (
        f"{s['checks']} checks on {s['files']} file{'s' if s['files'] != 1 else ''}: {s['passed']} passed, {s['errors']} failed, "
        f"{s['warnings']} warnings, {s['skipped']} skipped"
        + (f", {s['unreadable']} unreadable" if s["unreadable"] else "")
    )
    lines.append(tail)
    return "\n".join(lines)


def as_json(results: list[Result], unreadable: list[tuple[str, str]], max_examples: int) -> str:
    return json.dumps(
        {
            "summary": summary(results, [n for n, _ in unreadable]),
            "results": [
                {
                    "file": r.file,
                    "check": r.check,
                    "kind": r.kind,
                    "severity": r.severity,
                    "status": r.status,
                    "message": r.message,
                    "value": r.value,
                    "threshold": r.threshold,
                    "failing": r.failing,
                    "examples": r.examples[:max_examples],
                    "rules_line": r.line,
                    "seconds": r.seconds,
                }
                for r in results
            ],
            "unreadable": [{"file": n, "message": m} for n, m in unreadable],
        },
        indent=2,
        ensure_ascii=False,
    )


def junit(results: list[Result], unreadable: list[tuple[str, str]], max_examples: int) -> str:
    """One <testsuite> per file, one <testcase> per check: a failed error-check is a
    <failure>, a failed warning-check passes with its message in <system-out>, a skipped
    check is <skipped>, an unreadable file is a test case with an <error>."""
    root = ET.Element("testsuites", name="enrich check")
    files = list(dict.fromkeys([r.file for r in results] + [n for n, _ in unreadable]))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for name in files:
        mine = [r for r in results if r.file == name]
        broken = [m for n, m in unreadable if n == name]
        counts = {
            "tests": len(mine) + len(broken),
            "failures": sum(r.blocking for r in mine),
            "errors": len(broken),
            "skipped": sum(r.status == "skipped" for r in mine),
            "time": round(sum(r.seconds for r in mine), 3),
        }
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            hostname=platform.node() or "localhost",
            **{k: str(v) for k, v in counts.items()},
        )
        for k in totals:
            totals[k] += counts[k]
        for r in mine:
            case = ET.SubElement(
                suite,
                "testcase",
                name=r.check,
                classname=f"enrich.check.{r.kind}",
                time=f"{r.seconds:.3f}",
            )
            details = "\n".join(_where(e) for e in r.examples[:max_examples])
            if r.blocking:
                failure = ET.SubElement(case, "failure", message=r.message, type=r.kind)
                failure.text = details or r.message
            elif r.status == "skipped":
                ET.SubElement(case, "skipped", message=r.message)
            elif r.status == "failed":  # a warning
                ET.SubElement(case, "system-out").text = f"WARNING: {r.message}" + (
                    f"\n{details}" if details else ""
                )
        for message in broken:
            case = ET.SubElement(
                suite, "testcase", name="readable", classname="enrich.check.read", time="0"
            )
            ET.SubElement(case, "error", message=message, type="unreadable").text = message
    for k, v in totals.items():
        root.set(k, str(round(v, 3) if k == "time" else v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _path(name: str) -> str:
    """The file of a table: a workbook's, without its ``#sheet``."""
    return name.split("#", 1)[0] if "#" in name and not Path(name).exists() else name


def _escape(text: str, prop: bool = False) -> str:
    """GitHub's workflow-command escaping (data; properties also escape ``:`` and ``,``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(
    results: list[Result],
    max_examples: int,
    unreadable: list[tuple[str, str]] | None = None,
    header_lines: dict | None = None,
) -> str:
    """``::error`` / ``::warning`` annotations: one per failed check (on the file, or its
    header line for a column check) and one per example row (on its line, for CSV)."""
    out = []
    for r in results:
        if r.status != "failed":
            continue
        level = "error" if r.severity == "error" else "warning"
        at = f"file={_escape(_path(r.file), True)}"
        title = _escape(
            r.check + (f" [{r.file.split('#', 1)[1]}]" if _path(r.file) != r.file else ""), True
        )  # the sheet
        head = (
            (header_lines or {}).get(r.file)
            if r.kind in ("required_columns", "forbidden_columns")
            else None
        )
        out.append(
            f"::{level} {at}{f',line={head}' if head else ''},title={title}::{_escape(r.message)}"
        )
        for e in r.examples[:max_examples]:
            line = f",line={e['line']}" if e.get("line") else ""
            out.append(
                f"::{level} {at}{line},title={title}::{_escape(_where({**e, 'line': None}))}"
            )
    for name, message in unreadable or []:
        out.append(
            f"::error file={_escape(_path(name), True)},title=unreadable::{_escape(message)}"
        )
    return "\n".join(out)


def render(
    fmt: str,
    results: list[Result],
    unreadable: list[tuple[str, str]],
    max_examples: int,
    header_lines: dict[str, int | None],
    colour: bool = False,
) -> str:
    """The report in *fmt*: human, json, junit or github."""
    if fmt == "json":
        return as_json(results, unreadable, max_examples)
    if fmt == "junit":
        return junit(results, unreadable, max_examples)
    if fmt == "github":
        return github(results, max_examples, unreadable, header_lines)
    return human(results, unreadable, max_examples, colour)


def said(results: list[Result], unreadable: list[tuple[str, str]], path: str) -> str:
    """The one line a run that wrote its report to *path* says."""
    counts = summary(results, [n for n, _ in unreadable])
    return (
        f"{counts['checks']} checks: {counts['passed']} passed, {counts['errors']} failed, "
        f"{counts['warnings']} warnings"
        + (f"; {counts['unreadable']} file(s) unreadable" if unreadable else "")
        + f"; wrote {path}"
    )
