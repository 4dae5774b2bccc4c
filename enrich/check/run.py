"""Running the checks on one table (a CSV file, or one sheet of a workbook).

The table is read and its headers mapped as every command does (``enrich.io.read``,
``enrich.mapping``); each check then reads only what it needs, and what needs work —
validating VAT numbers, e-mails, phones, countries, opt-outs — is done once per distinct
value and shared between checks. ``duplicate_rate`` runs the linking engine on the whole
cleaned table (``enrich clean`` + ``enrich dedupe``).

A result names the rows that fail — their ``source_row`` (the data row as a spreadsheet
shows it), the column's header and, for a CSV file, its line — never their values.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..clean import split_rows
from ..errors import InputError
from ..io.read import ROW, Table, read
from ..mapping import header_key
from ..normalise.text import looks_like_formula, on_unique
from ..parallel import side_by_side
from ..ruleset import Rules, rules_or_default
from .rules import Check


@dataclass
class Result:
    file: str
    check: str
    kind: str
    severity: str
    status: str  # passed / failed / skipped
    message: str
    value: float | None = None
    threshold: str | None = None
    failing: int = 0  # rows (or columns) that fail
    examples: list[dict] = field(default_factory=list)  # {"row", "column", "line"}: never the value
    line: int | None = None  # of the check in the checks file
    seconds: float = 0.0

    @property
    def blocking(self) -> bool:
        return self.status == "failed" and self.severity == "error"


class Data:
    """One table as the checks see it: mapped headers, the rows kept, the reader's rejects,
    and what was worked out of it (shared between checks)."""

    def __init__(self, table: Table, overrides: dict[str, str], rules: Rules | None = None):
        self.table, self.name = table, table.name
        self.headers = [c for c in table.frame.columns if c != ROW]
        self.rules = rules_or_default(rules)
        self.mapping, self.frame, self.rejects = split_rows(table, overrides, self.rules)
        self.header_of = {target: h for h, target in self.mapping.target.items()}
        self._cache: dict[str, object] = {}
        self.spent: dict[str, float] = {}  # seconds of work done ahead for a check kind (warm)

    @property
    def rows(self) -> int:
        return self.table.rows_in

    def find(self, name: str) -> str | None:
        """The frame column of *name*: a canonical column the file maps, else a header."""
        if name in self.header_of:
            return name
        key = header_key(name)
        for h in self.headers:
            if header_key(h) == key:
                return self.mapping.target[h]
        return None

    def shown(self, column: str) -> str:
        return self.header_of.get(column, column)

    def cached(self, key: str, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def country(self) -> pl.Series:
        from ..normalise import countries

        return self.cached(
            "country",
            lambda: on_unique(
                self.frame,
                countries.INPUTS,
                lambda u: countries.clean(u, self.rules).select("country"),
            )["country"],
        )

    def _mapped(self) -> pl.DataFrame:
        return self.frame.with_columns(pl.lit(self.name).alias("source_file"))

    def verdicts(self) -> pl.DataFrame:
        """Each row's country and identifiers as ``enrich clean`` decides them (its own
        functions: ``clean.verdicts``), so the gate and the tool give the same verdicts."""
        from ..clean import verdicts

        return self.cached("verdicts", lambda: verdicts(self._mapped(), rules=self.rules))

    def vat_status(self) -> pl.Series:
        """The VAT column's own verdict, as clean's: ``valid`` where clean found a VAT
        number in it (a SIRET typed there is not one), else what it was (``identifiers.held``)."""
        from ..identifiers import held

        def status() -> pl.Series:
            found, name = self.verdicts(), f"{held.PREFIX}vat"
            if name not in found.columns:  # an empty VAT column
                return pl.Series(name, [None] * found.height, pl.String)
            return found.select(held.vat_verdict(name)).to_series()

        return self.cached("vat_status", status)

    def email_status(self) -> pl.Series:
        from ..clean import email_verdicts

        return self.cached(
            "email_status",
            lambda: email_verdicts(self.frame, self.rules)["email_status"],
        )

    def phone_status(self, column: str) -> pl.Series:
        """*column* (phone or mobile) checked as clean checks it: with the row's country as
        clean decides it (typed, identifiers, postcode / phone / e-mail evidence, the file's
        majority), not only a typed one."""
        from ..clean import phone_verdicts

        return self.cached(
            f"{column}_status",
            lambda: phone_verdicts(self.frame.with_columns(self.verdicts()["country"]), column)[
                f"{column}_status"
            ],
        )

    def dates(self, column: str) -> pl.Expr:
        """*column* read as dates in the order clean reads them (the file's own: day- or
        month-first as its values say, ``content.date_orders``)."""
        from ..content import date_orders
        from ..normalise import dates

        orders = self.cached("date_orders", lambda: date_orders(self.mapping, None, self.rules))
        return dates.parse(pl.col(column), orders.get(column, {}).get("order", dates.DEFAULT_ORDER))

    def warm(self, kinds: set[str]) -> None:
        """Validate VAT numbers and e-mails side by side (Polars releases the GIL) before
        the checks that need them run."""
        jobs = {}
        if "valid_vat_rate" in kinds and self.find("vat"):
            jobs["valid_vat_rate"] = self.vat_status
        if "valid_email_rate" in kinds and self.find("email"):
            jobs["valid_email_rate"] = self.email_status
        if len(jobs) < 2:
            return

        def timed(kind: str) -> None:
            t0 = time.perf_counter()
            jobs[kind]()
            self.spent[kind] = time.perf_counter() - t0

        side_by_side(*[functools.partial(timed, kind) for kind in jobs])


def plural(n: int, what: str = "row") -> str:
    """*n* rows, said right.

    >>> plural(1), plural(3, "cell")
    ('1 row', '3 cells')
    """
    return f"{n} {what}{'' if n == 1 else 's'}"


def rows_where(
    data: Data, mask: pl.Series, column: str | None, limit: int
) -> tuple[int, list[dict]]:
    """(how many rows *mask* marks, the first *limit* of them as examples)."""
    rows = data.frame[ROW].filter(mask.fill_null(False))
    shown = data.shown(column) if column else None
    return rows.len(), [{"row": r, "column": shown} for r in rows.head(limit).to_list()]


# --- the checks ------------------------------------------------------------------------------


def readable_rows(data: Data, check: Check, ctx: dict) -> dict:
    n = data.rejects.height
    examples = [
        {"row": r, "column": None, "reason": reason}
        for r, reason in data.rejects.sort(ROW)
        .select(ROW, "reason")
        .head(ctx["max_examples"])
        .iter_rows()
    ]
    reasons = data.rejects["reason"].value_counts().sort("reason")
    detail = ", ".join(f"{c} × {r}" for r, c in reasons.iter_rows())
    return {
        "ok": n <= check.settings["max"],
        "value": n,
        "threshold": f"<= {check.settings['max']}",
        "failing": n,
        "examples": examples,
        "message": f"{plural(n)} the reader rejected" + (f" ({detail})" if n else ""),
    }


def required_columns(data: Data, check: Check, ctx: dict) -> dict:
    missing = [c for c in check.settings["columns"] if data.find(c) is None]
    return {
        "ok": not missing,
        "failing": len(missing),
        "message": f"missing: {', '.join(missing)}" if missing else "all present",
    }


def forbidden_columns(data: Data, check: Check, ctx: dict) -> dict:
    keys = [header_key(c) for c in check.settings["columns"]]
    found = [h for h in data.headers if any(k and k in header_key(h) for k in keys)]
    return {
        "ok": not found,
        "failing": len(found),
        "message": f"forbidden column{'s' if len(found) > 1 else ''} present: {', '.join(found)}"
        if found
        else "none present",
    }


def _column_or_missing(data: Data, check: Check) -> tuple[str | None, dict | None]:
    column = data.find(check.settings["column"])
    if column is None:
        return None, {"ok": False, "message": f"no column {check.settings['column']!r}"}
    return column, None


def _each_value(data: Data, check: Check, ctx: dict, fits, what: str) -> dict:
    """The rows whose value of the check's column *fits* (a function of the stripped values
    and the column) does not accept; empty values pass when ``allow_empty``."""
    column, missing = _column_or_missing(data, check)
    if missing:
        return missing
    value = data.frame[column].str.strip_chars()
    bad = ~fits(value, column).fill_null(False)
    if check.settings["allow_empty"]:
        bad = bad & ~(value.is_null() | (value == ""))
    n, examples = rows_where(data, bad, column, ctx["max_examples"])
    return {
        "ok": n == 0,
        "failing": n,
        "examples": examples,
        "value": n,
        "message": f"{plural(n)} where {data.shown(column)!r} {what}",
    }


def pattern(data: Data, check: Check, ctx: dict) -> dict:
    return _each_value(
        data,
        check,
        ctx,
        lambda value, _: value.str.contains(f"^(?:{check.settings['regex']})$"),
        "does not match the pattern",
    )


INTEGER = r"^[+-]?\d+$"
NUMBER = r"^[+-]?(?:\d{1,3}(?:[ .,'\u00a0]\d{3})+|\d+)(?:[.,]\d+)?$"


def type_(data: Data, check: Check, ctx: dict) -> dict:
    kind = check.settings["type"]
    if kind == "date":

        def fits(value, column):
            return data.frame.select(data.dates(column).is_not_null()).to_series()
    else:

        def fits(value, column):
            return value.str.contains(INTEGER if kind == "integer" else NUMBER)

    return _each_value(
        data, check, ctx, fits, f"is not {'an' if kind == 'integer' else 'a'} {kind}"
    )


def unique(data: Data, check: Check, ctx: dict) -> dict:
    columns = [data.find(c) for c in check.settings["columns"]]
    if None in columns:
        return {
            "ok": False,
            "message": f"no column {check.settings['columns'][columns.index(None)]!r}",
        }
    key = [
        pl.col(c).str.strip_chars().str.to_lowercase()
        if check.settings["ignore_case"]
        else pl.col(c).str.strip_chars()
        for c in columns
    ]
    keyed = data.frame.select(*(k.alias(f"_k{i}") for i, k in enumerate(key)))
    filled = keyed.select(
        pl.all_horizontal(pl.col(c).is_not_null() & (pl.col(c) != "") for c in keyed.columns)
    ).to_series()
    repeated = ~keyed.select(pl.struct(pl.all()).is_first_distinct()).to_series() & filled
    n, examples = rows_where(data, repeated, columns[0], ctx["max_examples"])
    return {
        "ok": n == 0,
        "failing": n,
        "examples": examples,
        "value": n,
        "message": f"{plural(n)} repeating an earlier row's {' + '.join(data.shown(c) for c in columns)}",
    }


def _rate(
    data: Data,
    check: Check,
    ctx: dict,
    status: pl.Series,
    filled: pl.Series,
    column: str | None,
    what: str,
) -> dict:
    among = check.settings.get("among", "rows")
    base = int(filled.sum()) if among == "filled" else data.frame.height
    valid = int((status == "valid").fill_null(False).sum())
    rate = valid / base if base else 1.0
    n, examples = rows_where(data, filled & (status != "valid"), column, ctx["max_examples"])
    return {
        "ok": rate >= check.settings["min"],
        "value": round(rate, 4),
        "threshold": f">= {check.settings['min']}",
        "failing": n,
        "examples": examples,
        "message": f"{rate:.1%} of {'filled ' + what if among == 'filled' else 'rows have a valid ' + what} "
        f"{'are valid ' if among == 'filled' else ''}({valid} of {base}); {n} invalid",
    }


def valid_vat_rate(data: Data, check: Check, ctx: dict) -> dict:
    if data.find("vat") is None:
        return {"ok": False, "message": "no VAT column"}
    filled = data.frame["vat"].str.strip_chars().fill_null("") != ""
    return _rate(data, check, ctx, data.vat_status(), filled, "vat", "VAT numbers")


def valid_email_rate(data: Data, check: Check, ctx: dict) -> dict:
    if data.find("email") is None:
        return {"ok": False, "message": "no e-mail column"}
    filled = data.frame["email"].str.strip_chars().fill_null("") != ""
    return _rate(data, check, ctx, data.email_status(), filled, "email", "e-mail addresses")


def valid_phone_rate(data: Data, check: Check, ctx: dict) -> dict:
    column = data.find("phone") or data.find("mobile")
    if column is None:
        return {"ok": False, "message": "no phone column"}
    filled = data.frame[column].str.strip_chars().fill_null("") != ""
    return _rate(data, check, ctx, data.phone_status(column), filled, column, "phone numbers")


def filled_rate(data: Data, check: Check, ctx: dict) -> dict:
    column, missing = _column_or_missing(data, check)
    if missing:
        return missing
    filled = data.frame[column].str.strip_chars().fill_null("") != ""
    rate = float(filled.mean()) if data.frame.height else 1.0
    n = data.frame.height - int(filled.sum())
    return {
        "ok": rate >= check.settings["min"],
        "value": round(rate, 4),
        "threshold": f">= {check.settings['min']}",
        "failing": n,
        "message": f"{rate:.1%} of rows fill {data.shown(column)!r}; {n} empty",
    }


def duplicate_rate(data: Data, check: Check, ctx: dict) -> dict:
    from ..clean import normalise
    from ..link.levels import dedupe

    frame = data.frame.with_columns(pl.lit(data.name).alias("source_file"))
    linked = dedupe(normalise(frame, None, data.rules), rules=data.rules).frame.sort(ROW)
    level = check.settings["level"]
    if level == "auto":
        level = "contact" if linked["contact_id"].drop_nulls().len() else "company"
    ids = linked[f"{level}_id"]
    at_level = ids.is_not_null()
    repeated = at_level & ~ids.is_first_distinct()
    base = int(at_level.sum())
    n = int(repeated.sum())
    rate = n / base if base else 0.0
    rows = linked[ROW].filter(repeated).head(ctx["max_examples"]).to_list()
    return {
        "ok": rate <= check.settings["max"],
        "value": round(rate, 4),
        "threshold": f"<= {check.settings['max']}",
        "failing": n,
        "examples": [{"row": r, "column": None} for r in rows],
        "message": f"{rate:.1%} of {level} rows duplicate an earlier one ({n} of {base}; the linking engine, rules/link.toml)",
    }


def allowed_values(data: Data, check: Check, ctx: dict) -> dict:
    column, missing = _column_or_missing(data, check)
    if missing:
        return missing
    allowed, normalised = check.settings["values"], check.settings["normalised"]
    raw = data.frame[column].str.strip_chars()
    filled = raw.fill_null("") != ""
    if not normalised:
        ok = raw.is_in(allowed)
    else:
        wanted = [a.upper() for a in allowed]
        ok = raw.str.to_uppercase().is_in(wanted)
        if column == "country":  # "Belgique", "NL" → ISO codes
            ok = ok | data.country().str.to_uppercase().is_in(wanted)
        elif (
            column == "legal_form"
        ):  # "S.A.", "Société anonyme" → FR-SA: allowed as "FR-SA" or "SA"
            from ..normalise import companies

            code = data.cached(
                "legal_form_code",
                lambda: on_unique(
                    data.frame.with_columns(data.verdicts()["country"]),
                    companies.INPUTS,
                    functools.partial(companies.clean, rules=data.rules),
                )["legal_form"],
            )
            ok = (
                ok
                | code.str.to_uppercase().is_in(wanted)
                | code.str.split("-").list.last().str.to_uppercase().is_in(wanted)
            )
    n, examples = rows_where(data, filled & ~ok.fill_null(False), column, ctx["max_examples"])
    return {
        "ok": n == 0,
        "failing": n,
        "examples": examples,
        "value": n,
        "message": f"{plural(n)} where {data.shown(column)!r} is not among {', '.join(allowed[:8])}{' …' if len(allowed) > 8 else ''}",
    }


def row_count(data: Data, check: Check, ctx: dict) -> dict:
    n, s = data.rows, check.settings
    problems, bounds = [], []
    if s["min"] is not None:
        bounds.append(f">= {s['min']}")
        if n < s["min"]:
            problems.append(f"fewer than {s['min']}")
    if s["max"] is not None:
        bounds.append(f"<= {s['max']}")
        if n > s["max"]:
            problems.append(f"more than {s['max']}")
    message = f"{n} rows"
    if s["max_change"] is not None:
        baseline = ctx.get("baseline_rows")
        if baseline is None:
            if s["min"] is None and s["max"] is None:
                return {
                    "skip": True,
                    "message": "no --baseline given: the change in rows is not checked",
                }
            message += " (no --baseline: change not checked)"
        else:
            change = abs(n - baseline) / baseline if baseline else (0.0 if n == 0 else 1.0)
            bounds.append(f"change <= {s['max_change']:.0%}")
            message += f", {n - baseline:+d} ({change:.1%}) against the baseline's {baseline}"
            if change > s["max_change"]:
                problems.append(f"changed by more than {s['max_change']:.0%}")
    return {
        "ok": not problems,
        "value": n,
        "threshold": ", ".join(bounds),
        "message": message + (": " + ", ".join(problems) if problems else ""),
    }


def freshness(data: Data, check: Check, ctx: dict) -> dict:
    column, missing = _column_or_missing(data, check)
    if missing:
        return missing
    newest = (
        data.frame.select(pl.col(column).unique()).select(data.dates(column).max()).item()
    )  # few distinct dates
    today: dt.date = ctx["today"]
    if newest is None:
        return {"ok": False, "message": f"no date in {data.shown(column)!r}"}
    age = (today - newest).days
    limit = check.settings["max_age_days"]
    return {
        "ok": age <= limit,
        "value": age,
        "threshold": f"<= {limit} days",
        "message": f"the newest {data.shown(column)!r} is {newest.isoformat()}, {age} days before {today.isoformat()}",
    }


def opt_out(data: Data, check: Check, ctx: dict) -> dict:
    from ..normalise import consent

    column = data.find("opt_out")
    if column is None:
        return {
            "ok": False,
            "message": "no opt-out column (a marketing file must say who opted out)",
        }
    issues = data.cached(
        "opt_out_issues",
        lambda: on_unique(data.frame, consent.INPUTS, lambda u: consent.clean(u).select("issues"))[
            "issues"
        ],
    )
    n, examples = rows_where(data, issues.is_not_null(), column, ctx["max_examples"])
    return {
        "ok": n == 0,
        "failing": n,
        "examples": examples,
        "value": n,
        "message": f"{plural(n)} where {data.shown(column)!r} is neither a yes nor a no (enrich reads it as an opt-out)"
        if n
        else f"{data.shown(column)!r} present, every value understood",
    }


def no_formulas(data: Data, check: Check, ctx: dict) -> dict:
    wanted = check.settings["columns"]
    if wanted:
        columns = [data.find(c) for c in wanted]
        columns = [c for c in columns if c is not None]
    else:
        columns = [data.mapping.target[h] for h in data.headers]
    columns = [c for c in columns if data.frame.schema.get(c) == pl.String]
    if not columns:
        return {"ok": True, "message": "no column to check"}
    flags = data.frame.select(
        looks_like_formula(pl.col(c)).fill_null(False).alias(c) for c in columns
    )
    counts = flags.sum().row(0)
    hit = [(c, n) for c, n in zip(columns, counts) if n]
    examples = []
    if hit:
        cells = flags.select(c for c, _ in hit).with_columns(data.frame[ROW])
        long = (
            cells.unpivot(index=ROW, on=[c for c, _ in hit])
            .filter(pl.col("value"))
            .sort(ROW, "variable")
        )
        examples = [
            {"row": r, "column": data.shown(c)}
            for r, c in long.select(ROW, "variable").head(ctx["max_examples"]).iter_rows()
        ]
    n = sum(n for _, n in hit)
    return {
        "ok": n == 0,
        "failing": n,
        "examples": examples,
        "value": n,
        "message": (
            f"{plural(n, 'cell')} starting like a formula (=, +, -, @) a spreadsheet would run: "
            + ", ".join(f"{data.shown(c)} × {k}" for c, k in hit)
        )
        if n
        else "no formula-like cell",
    }


RUN = {
    "readable_rows": readable_rows,
    "required_columns": required_columns,
    "forbidden_columns": forbidden_columns,
    "pattern": pattern,
    "type": type_,
    "unique": unique,
    "valid_vat_rate": valid_vat_rate,
    "valid_email_rate": valid_email_rate,
    "valid_phone_rate": valid_phone_rate,
    "filled_rate": filled_rate,
    "duplicate_rate": duplicate_rate,
    "allowed_values": allowed_values,
    "row_count": row_count,
    "freshness": freshness,
    "opt_out": opt_out,
    "no_formulas": no_formulas,
}


def run_checks(data: Data, checks: list[Check], ctx: dict) -> list[Result]:
    out = []
    checks = [c for c in checks if c.applies_to(data.name)]
    data.warm({c.kind for c in checks})
    for check in checks:
        t0 = time.perf_counter()
        got = RUN[check.kind](data, check, ctx)
        status = "skipped" if got.get("skip") else "passed" if got["ok"] else "failed"
        out.append(
            Result(
                data.name,
                check.name,
                check.kind,
                check.severity,
                status,
                got["message"],
                got.get("value"),
                got.get("threshold"),
                got.get("failing", 0),
                got.get("examples", []) if status == "failed" else [],
                check.line,
                round(time.perf_counter() - t0 + data.spent.pop(check.kind, 0.0), 3),
            )
        )
    if data.table.info.get("format") == "csv":
        add_lines(data, out)
    return out


# --- CSV lines --------------------------------------------------------------------------------


def add_lines(data: Data, results: list[Result]) -> None:
    """The file line where each example row starts (a quoted value may hold line breaks,
    so the line is counted, not computed), for CSV files read from disk."""
    wanted = {e["row"] for r in results for e in r.examples if e.get("row")}
    path = Path(data.name)
    if not wanted or not path.is_file():
        return
    info = data.table.info
    line_of, top = {}, max(wanted)
    try:
        with (
            path.open("rb") as raw,
            io.TextIOWrapper(
                raw, encoding=info.get("encoding") or "utf-8", errors="replace", newline=""
            ) as f,
        ):
            first = f.readline()
            hint = (
                re.match(r"\ufeff?sep=.\r?\n?$", first) is not None
            )  # Excel's "sep=;" line: the reader drops it
            reader = csv.reader(
                f if hint else itertools.chain([first], f), delimiter=info.get("delimiter", ",")
            )
            row, start = (
                -info.get("lines_before_header", 0) + ("header" in info),
                2 if hint else 1,
            )  # the header record is row 0 (a file without one: its first line is row 1)
            for _ in reader:
                if row >= 1 and row in wanted:
                    line_of[row] = start
                if row >= top:
                    break
                row += 1
                start = reader.line_num + 1 + (1 if hint else 0)
    except (
        OSError,
        UnicodeError,
        csv.Error,
        LookupError,
    ):  # lines are a help, not the result: without them, rows still name the place
        return
    for r in results:
        for e in r.examples:
            if e.get("row") in line_of:
                e["line"] = line_of[e["row"]]


def header_line(data: Data) -> int | None:
    """The line of a CSV file's header (for annotations about columns)."""
    if data.table.info.get("format") != "csv" or "header" in data.table.info:
        return None
    return data.table.info.get("lines_before_header", 0) + 1


def read_tables(path: str, **kwargs) -> list[Table]:
    return read(path, **kwargs)


def baseline_rows(path: str, **kwargs) -> int:
    """Rows of a baseline file (all its tables), as ``row_count``'s ``max_change`` compares."""
    try:
        return sum(t.rows_in for t in read(path, **kwargs))
    except InputError as exc:
        raise InputError(f"the --baseline file cannot be read: {exc.message}", file=path) from None


@dataclass
class Plan:
    """What a check run runs: the checks, their context, how to read and map the files."""

    checks: list[Check]
    ctx: dict
    read_options: dict
    overrides: dict[str, str] = field(default_factory=dict)
    rules: Rules | None = None


def plan(
    checks_file: str | None = None,
    rules_path: str | None = None,
    *,
    skip: tuple[str, ...] = (),
    as_of: str | None = None,
    max_examples: int = 10,
    baseline: str | None = None,
    overrides: dict[str, str] | None = None,
    read_options: dict | None = None,
) -> Plan:
    """The checks to run (*checks_file*, else the rules folder's checks.toml, else the
    shipped one; less *skip*), checked before any file is read."""
    from .rules import load, load_default

    read_options = read_options or {}
    path = Path(rules_path) if rules_path else None
    if path is not None and not path.is_dir():  # a checks file given as --rules (the old form)
        checks_file, path = checks_file or rules_path, None
    rules = Rules.load(path) if path is not None else None
    checks = load(checks_file) if checks_file else load_default(rules)
    unknown = [s for s in skip if s not in {c.name for c in checks} | {c.kind for c in checks}]
    if unknown:
        raise InputError(f"--skip {unknown[0]!r}: no check of that name or kind in the checks file")
    checks = [c for c in checks if c.name not in skip and c.kind not in skip]
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    rows = baseline_rows(baseline, **read_options) if baseline else None
    ctx = {"max_examples": max_examples, "today": today, "baseline_rows": rows}
    return Plan(checks, ctx, read_options, overrides or {}, rules)


def check_files(
    paths: list[str], plan: Plan, say=None, accounting: list[dict] | None = None
) -> tuple[list[Result], list[tuple[str, str]], dict[str, int | None]]:
    """Run the *plan*'s checks on every table of *paths*: (results, unreadable files with the
    reason, each table's header line). An unreadable file is said (*say*); the others go on.
    *accounting* (a list) receives each table's rows in, kept and rejected by the reader."""
    results, unreadable, header_lines = [], [], {}
    for path in paths:
        try:
            tables = read_tables(path, **plan.read_options)
        except InputError as exc:
            unreadable.append((path, exc.message if exc.file == path else str(exc)))
            if say:
                say(f"enrich: error: {exc}")
            continue
        for table in tables:
            data = Data(table, plan.overrides, plan.rules)
            header_lines[data.name] = header_line(data)
            if accounting is not None:
                accounting.append(
                    {"file": data.name, "rows_in": data.rows, "rows_out": data.frame.height,
                     "rows_rejected": data.rejects.height}
                )  # fmt: skip
            results += run_checks(data, plan.checks, plan.ctx)
    return results, unreadable, header_lines


def check_and_report(
    paths: list[str], plan: Plan, fmt: str, out: str | None, colour: bool = False, say=None
) -> tuple[list[Result], list[tuple[str, str]], str]:
    """Run the *plan* on *paths* and make the report in *fmt*: (results, unreadable files,
    the report's text). With *out*, the report is written there (atomically) and a one-line
    summary said."""
    from ..io.write import check_not_input, write_text
    from . import output

    if out:
        check_not_input([Path(out)], list(paths))
    tables: list[dict] = []
    results, unreadable, header_lines = check_files(list(paths), plan, say, tables)
    if fmt == "html":
        text = _html(paths, plan, results, unreadable, tables)
    else:
        text = output.render(
            fmt, results, unreadable, plan.ctx["max_examples"], header_lines, colour
        )
    if out:
        write_text(text if text.endswith("\n") else text + "\n", out)
        if say:
            say(output.said(results, unreadable, out))
    return results, unreadable, text


def _html(paths, plan: Plan, results, unreadable, tables) -> str:
    """The HTML report (``report.check``), its options told as names and counts."""
    from ..report.check import render

    redact = plan.ctx.get("redact", False)
    files = f"{len(paths)} files" if redact else ", ".join(Path(p).name for p in paths)
    options = f"files: {files} · checks: {len(plan.checks)}" + (" · redact" if redact else "")
    return render(results, unreadable, tables, options, redact)
