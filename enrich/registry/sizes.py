"""A size file (``--size FILE``): headcounts and annual-accounts figures per company, for
the companies whose registry has none — the KBO open data has no headcount
(REGISTRIES.md §1.7), so Belgian sizes come from employer-class or annual-accounts
extracts (NBB Central Balance Sheet Office, RSZ/ONSS statistics, a data vendor).

Any table enrich reads (CSV of any dialect, XLSX, Parquet, JSON). Its columns are found by
their headers: a company key (enterprise number, VAT number, SIREN or SIRET, as
rules/headers.toml names them), and at least one of: a headcount or band (``employees``:
"12", "10 à 19", "Pas de salarié"), full-time equivalents, turnover, balance-sheet total
(in euros: "1.234.567,89", "2 500 000", "2,5 M€"; a workbook's number cells, Parquet and
JSON numbers as they are), and optionally the year of the figures
(rules/registry.toml [size_file] for these headers). Several rows of one company: the
latest year wins, then the first row.

>>> parse_amount("1.234.567,89"), parse_amount("2 500 000 €"), parse_amount("2,5 M€"), parse_amount("850k"), parse_amount("n/a")
(1234567.89, 2500000.0, 2500000.0, 850000.0, None)
"""

from __future__ import annotations

import re

import polars as pl

from ..errors import InputError
from ..identifiers import clean as clean_ids
from ..io.read import read
from ..mapping import header_key, map_headers
from ..normalise.firmographics import parse_headcount
from ..normalise.text import on_unique
from ..ruleset import Rules, rules_or_default
from . import SOURCES
from .source import registry_key, with_keys

KEYS = ("vat", "enterprise_number", "siren", "siret")
FIGURES = ("fte", "turnover", "balance_sheet")
SCALE = {"k": 1e3, "m": 1e6, "mio": 1e6, "mln": 1e6, "mn": 1e6, "md": 1e9, "mrd": 1e9, "bn": 1e9}
AMOUNT = re.compile(r"^([+-]?\d[\d.,]*)\s*(k|m|mio|mln|mn|md|mrd|bn)?$")
COLUMNS = {
    "country": pl.String,
    "registry_id": pl.String,
    "size_file_row": pl.Int64,
    "size_file_year": pl.Int32,
    "size_file_employees_min": pl.Int64,
    "size_file_employees_max": pl.Int64,
    "staff_fte": pl.Float64,
    "turnover_eur": pl.Float64,
    "balance_sheet_eur": pl.Float64,
}


MACHINE = re.compile(r"^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$")


def parse_amount(text: str | None, machine: bool = False) -> float | None:
    """A number as people type it: thousands grouped with ``.``, ``,``, spaces or ``'``; a
    decimal comma or point; a currency sign; ``k`` / ``M`` / ``Mio`` / ``Md`` multipliers.
    *machine*: the value comes from a typed cell (a workbook's number, Parquet, JSON), where
    ``1234.567`` is a decimal point, not a thousands mark.

    >>> parse_amount("1234.567"), parse_amount("1234.567", machine=True)
    (1234567.0, 1234.567)
    """
    if text is None:
        return None
    if machine and MACHINE.match(text.strip().lower()):
        return float(text)
    s = re.sub(r"[\s\u00a0\u202f'’]|eur(?:os?)?\b|€", "", text.strip().lower())
    m = AMOUNT.match(s)
    if not m:
        return None
    number, scale = m.groups()
    if "." in number and "," in number:  # the last one is the decimal mark
        thousands = "." if number.rfind(",") > number.rfind(".") else ","
        number = number.replace(thousands, "").replace(",", ".")
    elif (
        number.count(",") > 1
        or number.count(".") > 1
        or (re.search(r"[.,]\d{3}$", number) and not scale)
    ):
        number = number.replace(",", "").replace(
            ".", ""
        )  # several marks, or one before 3 digits ("1.234"): thousands
    else:
        number = number.replace(",", ".")
    try:
        return float(number) * SCALE.get(scale or "", 1.0)
    except ValueError:
        return None


def _year(text: str | None) -> int | None:
    m = re.search(r"\b(19\d\d|20\d\d)\b", text or "")
    return int(m.group(1)) if m else None


def _per_unique(series: pl.Series, fn, dtype) -> pl.Series:
    """*fn* (of one value, None included) over the distinct values of *series* only."""
    return on_unique(
        series.to_frame("v"),
        ("v",),
        lambda u: pl.DataFrame({"out": [fn(v) for v in u["v"].to_list()]}, schema={"out": dtype}),
    )["out"]


def read_sizes(path: str, *, rules: Rules | None = None) -> tuple[pl.DataFrame, dict]:
    """(one row per company: country, registry_id, the figures, their year and the file row;
    what was read: rows, companies, rows without a valid key, values that are not numbers)."""
    rule = rules_or_default(rules).get("registry")["size_file"]
    extra = {header_key(h): field for field, headers in rule.items() for h in headers}
    out, stats = [], {"rows": 0, "no_valid_key": [], "not_a_number": {}}
    for table in read(path):
        found = _found(table, extra, rules)
        frame = table.frame.select(
            pl.col("source_row").cast(pl.Int64).alias("size_file_row"),
            *(pl.col(h).alias(f) for f, h in found.items()),
        )
        frame = frame.filter(
            pl.any_horizontal(pl.col(f).str.strip_chars().fill_null("") != "" for f in found)
        )  # blank lines: not rows
        country, registry_id = registry_key(SOURCES)
        keyed = pl.concat(
            [
                frame.select("size_file_row"),
                with_keys(clean_ids(frame), SOURCES).select(
                    country.alias("country"), registry_id.alias("registry_id")
                ),
            ],
            how="horizontal",
        )
        keyed = keyed.with_columns(_figures(frame, found, table.info.get("format"), stats))
        stats["rows"] += keyed.height
        stats["no_valid_key"] += keyed.filter(pl.col("registry_id").is_null())[
            "size_file_row"
        ].to_list()
        out.append(keyed.filter(pl.col("registry_id").is_not_null()))
    sizes = pl.concat([pl.DataFrame(schema=COLUMNS), *out], how="diagonal_relaxed").select(
        list(COLUMNS)
    )
    sizes = sizes.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in list(COLUMNS)[4:]))
    sizes = sizes.sort(
        ["country", "registry_id", "size_file_year", "size_file_row"],
        descending=[False, False, True, False],
        nulls_last=True,
        maintain_order=True,
    ).unique(["country", "registry_id"], keep="first", maintain_order=True)
    stats["companies"] = sizes.height
    return sizes, stats


def _found(table, extra: dict[str, str], rules: Rules | None) -> dict[str, str]:
    """The table's columns by what they hold (a key, employees, a figure, the year) → header;
    an error naming the file when it has no key or no figure."""
    headers = [h for h in table.frame.columns if h != "source_row"]
    mapping = map_headers(headers, rules=rules, words=False)
    found = {t: h for h, t in mapping.mapped.items() if t in (*KEYS, "employees", "country")}
    for h in headers:
        field = extra.get(header_key(h))
        if field and field not in found and h not in mapping.mapped:
            found[field] = h
    if not any(k in found for k in KEYS):
        raise InputError(
            f"no enterprise number, VAT number, SIREN or SIRET column among its headers ({', '.join(headers)[:200]})",
            file=table.name,
        )
    if not any(k in found for k in ("employees", *FIGURES)):
        raise InputError(
            "no headcount, FTE, turnover or balance-sheet column (rules/registry.toml [size_file] lists the headers "
            "it knows)",
            file=table.name,
        )
    return found


def _figures(frame: pl.DataFrame, found: dict, file_format: str | None, stats: dict) -> list:
    """The size file's figures as columns (the values that are not numbers noted in *stats*)."""
    columns = []
    if "employees" in found:
        bands = _per_unique(
            frame["employees"],
            lambda v: list(parse_headcount(v) or (None, None)),
            pl.List(pl.Int64),
        )
        columns += [
            bands.list.get(0).alias("size_file_employees_min"),
            bands.list.get(1).alias("size_file_employees_max"),
        ]
        _note_bad(stats, frame, found, "employees", columns[0])
    machine = file_format != "csv"  # typed cells: 1234.567 is a decimal point
    for field, name in (
        ("fte", "staff_fte"),
        ("turnover", "turnover_eur"),
        ("balance_sheet", "balance_sheet_eur"),
    ):
        if field in found:
            values = _per_unique(
                frame[field], lambda v, machine=machine: parse_amount(v, machine), pl.Float64
            )
            values = (
                values.to_frame("v")
                .select(pl.when(pl.col("v") >= 0).then(pl.col("v")).alias(name))
                .to_series()
            )
            columns.append(values)  # a negative headcount or total is not a figure
            _note_bad(stats, frame, found, field, columns[-1])
    if "year" in found:
        columns.append(_per_unique(frame["year"], _year, pl.Int32).alias("size_file_year"))
    return columns


def _note_bad(stats: dict, frame: pl.DataFrame, found: dict, field: str, parsed: pl.Series) -> None:
    """The rows whose *field* holds text that is not a number (their row numbers, never the value)."""
    typed = frame[field].str.strip_chars().fill_null("") != ""
    bad = frame["size_file_row"].filter(typed & parsed.is_null())
    if bad.len():
        stats["not_a_number"][found[field]] = bad.to_list()


def counts(stats: dict) -> dict:
    """*stats* as counts, for run.json."""
    return {
        "rows": stats["rows"],
        "companies": stats["companies"],
        "no_valid_key": len(stats["no_valid_key"]),
        "not_a_number": {column: len(rows) for column, rows in stats["not_a_number"].items()},
    }


def summary(stats: dict, limit: int = 5) -> str:
    """One line of what the size file gave, with the row numbers of what it could not use."""

    def rows(values: list[int]) -> str:
        return ", ".join(map(str, values[:limit])) + (
            f" … ({len(values)} rows)" if len(values) > limit else ""
        )

    parts = [f"{stats['rows']} rows, {stats['companies']} companies"]
    if stats["no_valid_key"]:
        parts.append(f"no valid enterprise number or SIREN at rows {rows(stats['no_valid_key'])}")
    for column, bad in stats["not_a_number"].items():
        parts.append(f"column {column!r} not a usable number at rows {rows(bad)}")
    return "size file: " + "; ".join(parts)
