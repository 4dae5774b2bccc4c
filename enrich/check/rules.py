"""The checks file (rules/checks.toml): which checks run, with what threshold and severity.

Each ``[[check]]`` table names a ``kind`` and that kind's settings; ``name``, ``severity``
(``error`` or ``warning``) and ``files`` (glob patterns of the files it applies to) are
optional. A mistake — an unknown kind or setting, a threshold
out of range, a missing setting — is reported with the line of the file it is on.

>>> checks = parse('[[check]]\\nkind = "valid_email_rate"\\nmin = 0.9\\n', "checks.toml")
>>> checks[0].kind, checks[0].name, checks[0].severity, checks[0].settings
('valid_email_rate', 'valid_email_rate >= 0.9', 'error', {'min': 0.9, 'among': 'filled'})
>>> parse('[[check]]\\nkind = "valid_email_rate"\\nmin = 1.5\\n', "checks.toml")
Traceback (most recent call last):
...
enrich.errors.InputError: checks.toml: line 3: min must be a rate between 0 and 1, got 1.5
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field
from pathlib import PurePath

from ..errors import InputError
from ..ruleset import Rules, rules_or_default

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("error", "warning")
RATE, COUNT, DAYS = "rate", "count", "days"


def _kind(required: dict | None = None, optional: dict | None = None) -> dict:
    return {"required": required or {}, "optional": optional or {}}


# kind → its settings: name → type (and default for the optional ones)
KINDS: dict[str, dict] = {
    "readable_rows": _kind(optional={"max": (COUNT, 0)}),
    "required_columns": _kind({"columns": "columns"}),
    "forbidden_columns": _kind({"columns": "columns"}),
    "pattern": _kind({"column": "column", "regex": "regex"}, {"allow_empty": ("bool", True)}),
    "type": _kind(
        {"column": "column", "type": ("integer", "number", "date")}, {"allow_empty": ("bool", True)}
    ),
    "unique": _kind({"columns": "columns"}, {"ignore_case": ("bool", True)}),
    "valid_vat_rate": _kind({"min": RATE}, {"among": (("filled", "rows"), "filled")}),
    "valid_email_rate": _kind({"min": RATE}, {"among": (("filled", "rows"), "filled")}),
    "valid_phone_rate": _kind({"min": RATE}, {"among": (("filled", "rows"), "filled")}),
    "filled_rate": _kind({"column": "column", "min": RATE}),
    "duplicate_rate": _kind({"max": RATE}, {"level": (("auto", "company", "contact"), "auto")}),
    "allowed_values": _kind(
        {"column": "column", "values": "columns"}, {"normalised": ("bool", True)}
    ),
    "row_count": _kind(
        optional={"min": (COUNT, None), "max": (COUNT, None), "max_change": (RATE, None)}
    ),
    "freshness": _kind({"max_age_days": DAYS}, {"column": ("column", "source_date")}),
    "opt_out": _kind(),
    "no_formulas": _kind(optional={"columns": ("columns", None)}),
}
COMMON = {"kind", "name", "severity", "files"}


@dataclass
class Check:
    kind: str
    name: str
    severity: str
    settings: dict = field(default_factory=dict)
    line: int | None = None
    files: list[str] | None = (
        None  # glob patterns: the check runs on the files matching one (all files when None)
    )

    def applies_to(self, name: str) -> bool:
        """Whether this check runs on the table *name* (a path, ``#sheet`` for a workbook's)."""
        if not self.files:
            return True
        path = name.split("#", 1)[0]
        return any(
            fnmatch.fnmatch(path, p) or fnmatch.fnmatch(PurePath(path).name, p) for p in self.files
        )


def _default_name(kind: str, settings: dict) -> str:
    if kind.endswith("_rate") and "min" in settings:
        return f"{kind}{'(' + settings['column'] + ')' if 'column' in settings else ''} >= {settings['min']}"
    if kind.endswith("_rate") and "max" in settings:
        return f"{kind} <= {settings['max']}"
    target = settings.get("column") or ", ".join(settings.get("columns") or [])
    return f"{kind}({target})" if target else kind


def _lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """Per ``[[check]]`` table, in order: its header line and the line of each of its keys."""
    tables: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(r"^\[\[\s*check\s*\]\]", stripped):
            current = {}
            tables.append((number, current))
        elif stripped.startswith("["):  # another table: its keys are not a check's
            current = None
        elif current is not None and (m := re.match(r"^([A-Za-z0-9_\-\"']+)\s*=", stripped)):
            current.setdefault(m.group(1).strip("\"'"), number)
    return tables


def _check_value(kind_of: object, key: str, value: object, where: str) -> object:
    """*value* of setting *key* checked against its type; returns it (normalised)."""

    def bad(what: str) -> InputError:
        return InputError(f"{key} must be {what}, got {value!r}", file=where)

    if kind_of == RATE:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise bad("a rate between 0 and 1")
        return float(value)
    if kind_of in (COUNT, DAYS):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number, 0 or more")
        return value
    if kind_of == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind_of == "column":
        if not isinstance(value, str) or not value.strip():
            raise bad("a column name")
        return value.strip()
    if kind_of == "columns":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise bad("a list of names")
        return [v.strip() for v in value]
    if kind_of == "regex":
        if not isinstance(value, str):
            raise bad("a regular expression")
        try:
            re.compile(value)
        except re.error as exc:
            raise bad(f"a regular expression ({exc})") from None
        return value
    if isinstance(kind_of, tuple):  # a choice
        if value not in kind_of:
            raise bad("one of " + ", ".join(map(repr, kind_of)))
        return value
    raise AssertionError(kind_of)  # pragma: no cover


def parse(text: str, location: str) -> list[Check]:
    """The checks of a checks file's *text*; *location* names it in messages."""
    tables = _check_tables(text, location)
    lines = _lines(text)
    checks = [
        _check(table, location, *(lines[i] if i < len(lines) else (None, {})))
        for i, table in enumerate(tables)
    ]
    names = [c.name for c in checks]
    for c in checks:
        if names.count(c.name) > 1:
            raise InputError(
                f'two checks are named {c.name!r}: give one a name = "..."',
                file=f"{location}: line {c.line}",
            )
    return checks


def _check_tables(text: str, location: str) -> list[dict]:
    """The ``[[check]]`` tables of the TOML *text*; an error for anything else in it."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=location) from None
    unknown = set(data) - {"check"}
    if unknown:
        line = next(
            (
                n
                for n, row in enumerate(text.splitlines(), 1)
                if row.strip().startswith(tuple(unknown)) or any(f"[{u}" in row for u in unknown)
            ),
            None,
        )
        raise InputError(
            f"{'line ' + str(line) + ': ' if line else ''}unknown table or key {sorted(unknown)[0]!r} "
            "(checks are [[check]] tables)",
            file=location,
        )
    tables = data.get("check", [])
    if not isinstance(tables, list):
        raise InputError("checks are [[check]] tables (an array of tables)", file=location)
    return tables


def _check(table: dict, location: str, header: int | None, keys: dict[str, int]) -> Check:
    """One ``[[check]]`` *table*, checked; *header* and *keys* give its lines for messages."""

    def where(key: str | None = None) -> str:
        line = keys.get(key, header) if key else header
        return f"{location}: line {line}" if line else location

    kind = table.get("kind")
    if kind not in KINDS:
        raise InputError(
            f"unknown check kind {kind!r} (known: {', '.join(KINDS)})"
            if kind
            else "a check needs a kind",
            file=where("kind" if kind else None),
        )
    spec = KINDS[kind]
    settings = _settings(kind, spec, table, where)
    severity = table.get("severity", "error")
    if severity not in SEVERITIES:
        raise InputError(
            f"severity must be 'error' or 'warning', got {severity!r}", file=where("severity")
        )
    named = {k: v for k, v in settings.items() if k in spec["required"] or (k == "column" and v)}
    name = table.get("name") or _default_name(kind, named)
    if not isinstance(name, str):
        raise InputError(f"name must be text, got {name!r}", file=where("name"))
    files = (
        _check_value("columns", "files", table["files"], where("files"))
        if "files" in table
        else None
    )
    return Check(kind, name, severity, settings, header, files)


def _settings(kind: str, spec: dict, table: dict, where) -> dict:
    """The settings of a *kind* check from its *table*: each checked, defaults filled in."""
    for key in table:
        if key not in COMMON and key not in spec["required"] and key not in spec["optional"]:
            allowed = [*spec["required"], *spec["optional"], "name", "severity", "files"]
            raise InputError(
                f"unknown setting {key!r} for a {kind} check (it takes: {', '.join(allowed)})",
                file=where(key),
            )
    settings = {}
    for key, kind_of in spec["required"].items():
        if key not in table:
            raise InputError(f"a {kind} check needs {key!r}", file=where())
        settings[key] = _check_value(kind_of, key, table[key], where(key))
    for key, (kind_of, default) in spec["optional"].items():
        settings[key] = (
            _check_value(kind_of, key, table[key], where(key)) if key in table else default
        )
    if kind == "row_count" and all(settings[k] is None for k in ("min", "max", "max_change")):
        raise InputError("a row_count check needs min, max or max_change", file=where())
    return settings


def load_default(rules: Rules | None = None) -> list[Check]:
    """The checks of rules/checks.toml (the shipped one, or that of ``--rules DIR``: a checks
    file is a gate as declared, so a steward's replaces the default whole)."""
    rules = rules_or_default(rules)
    return parse(rules.text("checks"), rules.location("checks"))


def load(path: str) -> list[Check]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError("checks file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the checks file ({type(exc).__name__})", file=path) from None
    return parse(text, path)
