"""The `clean` job as a library: read → map → normalise → validate, with row accounting.

``clean_files()`` returns the canonical table (one row per usable input row, with
``source_file`` and ``source_row``), the rejected rows with their reason, and a report per
input table: rows in = rows out + rows rejected, always.
"""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl

from . import identifiers, mapping
from .errors import InputError
from .io.read import ROW, Table, read
from .normalise import (
    addresses,
    companies,
    consent,
    countries,
    dates,
    emails,
    firmographics,
    persons,
    phones,
)
from .normalise.text import column, join_issues, on_unique, tidy
from .schema import EXTRA_PREFIX, OUTPUT_COLUMNS

REJECT_COLUMNS = ["source_file", "source_row", "column", "reason"]
_WORKERS = max(2, os.cpu_count() or 1)
_PASSTHROUGH = ("function", "language", "website", "consent_source", "external_id")


@dataclass
class TableReport:
    source_file: str
    info: dict
    mapping: list[str]
    rows_in: int = 0
    rows_out: int = 0
    rows_rejected: int = 0
    reject_reasons: Counter = field(default_factory=Counter)
    reject_rows: dict[str, list[int]] = field(default_factory=dict)  # the first rows per reason
    default_country: str | None = None

    def as_dict(self) -> dict:
        return {
            "source_file": self.source_file,
            **self.info,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_rejected": self.rows_rejected,
            "reject_reasons": dict(sorted(self.reject_reasons.items())),
            "default_country": self.default_country,
            "mapping": self.mapping,
        }


@dataclass
class CleanResult:
    frame: pl.DataFrame
    rejects: pl.DataFrame
    tables: list[TableReport]
    timings: dict[str, float]

    @property
    def rows_in(self) -> int:
        return sum(t.rows_in for t in self.tables)


def read_all(
    paths: list[str], *, sheet=None, encoding=None, delimiter=None, max_field=None
) -> list[Table]:
    """Read every input before any work, so one bad file stops the job before it writes."""
    kwargs = {"sheet": sheet, "encoding": encoding, "delimiter": delimiter}
    if max_field:
        kwargs["max_field"] = max_field
    return [t for p in paths for t in read(p, **kwargs)]


def _row_rejects(frame: pl.DataFrame, headers: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split off fully empty rows and repeated header rows (two exports pasted together)."""
    empty = pl.concat_str([pl.col(h).fill_null("") for h in headers]).str.strip_chars() == ""
    same = pl.sum_horizontal(
        [(pl.col(h).str.strip_chars() == h).fill_null(False).cast(pl.Int32) for h in headers]
    )
    filled = pl.sum_horizontal([(pl.col(h).fill_null("") != "").cast(pl.Int32) for h in headers])
    repeated = (same * 2 >= filled) & (same >= min(2, len(headers)))
    reason = (
        pl.when(empty).then(pl.lit("empty row")).when(repeated).then(pl.lit("repeated header row"))
    )
    frame = frame.lazy().with_columns(reason.alias("_reject")).collect()
    bad = frame.filter(pl.col("_reject").is_not_null()).select(
        pl.col(ROW).alias("source_row"),
        pl.lit(None, dtype=pl.String).alias("column"),
        pl.col("_reject").alias("reason"),
    )
    return frame.filter(pl.col("_reject").is_null()).drop("_reject"), bad


def prepare(
    table: Table, overrides: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame, TableReport]:
    """Map one table's headers and split off the rows that cannot be used."""
    headers = [c for c in table.frame.columns if c != ROW]
    m = mapping.map_headers(headers, overrides)
    if not m.mapped:
        shown = ", ".join(repr(h) for h in headers[:6]) + (" …" if len(headers) > 6 else "")
        raise InputError(
            f"no recognisable column (headers: {shown}); map them with --map 'Header=column'",
            file=table.name,
        )
    kept, bad = _row_rejects(table.frame, headers)
    read_rejects = pl.DataFrame(
        table.rejects, schema={ROW: pl.Int64, "column": pl.String, "reason": pl.String}
    ).rename({ROW: "source_row"})
    rejects = pl.concat([read_rejects, bad]).with_columns(pl.lit(table.name).alias("source_file"))
    frame = mapping.apply(kept, m).with_columns(pl.lit(table.name).alias("source_file"))
    report = TableReport(table.name, table.info, m.describe())
    report.rows_in = table.rows_in
    report.rows_out = frame.height
    report.rows_rejected = rejects.height
    report.reject_reasons = Counter(rejects["reason"].to_list())
    for reason, row in rejects.select("reason", "source_row").sort("source_row").iter_rows():
        rows = report.reject_rows.setdefault(reason, [])
        if len(rows) < 10:
            rows.append(row)
    if report.rows_in != report.rows_out + report.rows_rejected:  # the promise of the tool
        raise AssertionError(f"{table.name}: row accounting does not add up")
    return frame, rejects.select(REJECT_COLUMNS), report


def _majority_country(frame: pl.DataFrame) -> dict[str, str]:
    """The most frequent country per source file (ties: alphabetical), for rows without one."""
    counts = (
        frame.filter(pl.col("_country").is_not_null())
        .group_by("source_file", "_country")
        .len()
        .sort(["source_file", "len", "_country"], descending=[False, True, False])
    )
    return dict(
        counts.group_by("source_file", maintain_order=True)
        .first()
        .select("source_file", "_country")
        .iter_rows()
    )


def _run_side_by_side(jobs: list) -> list[pl.DataFrame]:
    """Run independent normalisers in threads: polars releases the GIL, so both cores work."""
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return list(pool.map(lambda job: job(), jobs))


def normalise(frame: pl.DataFrame, default_country: str | None = None) -> pl.DataFrame:
    """Every canonical column normalised and validated; extras passed through untouched."""
    countries_out = on_unique(frame, countries.INPUTS, countries.clean)
    frame = frame.with_columns(countries_out["country"].alias("_country"))
    majority = _majority_country(frame)
    fallback = pl.coalesce(
        pl.lit(default_country, dtype=pl.String),
        pl.col("source_file").replace_strict(majority, default=None, return_dtype=pl.String),
    )
    frame = frame.with_columns(pl.coalesce("_country", fallback).alias("_row_country"))
    with_row_country = frame.with_columns(pl.col("_row_country").alias("country"))
    # 1. what does not depend on the final country (identifiers give it, from the VAT prefix)
    first = _run_side_by_side(
        [
            lambda: on_unique(with_row_country, identifiers.INPUTS, identifiers.clean),
            lambda: on_unique(frame, persons.INPUTS, persons.clean),
            lambda: emails.clean(
                frame
            ),  # nearly one address per row: nothing to gain from unique()
            *[
                functools.partial(
                    on_unique, frame, (name,), functools.partial(dates.clean, name=name)
                )
                for name in ("birth_date", "consent_date", "source_date")
            ],
            lambda: on_unique(frame, consent.INPUTS, consent.clean),
            lambda: on_unique(frame, firmographics.INPUTS, firmographics.clean),
        ]
    )
    ids = first[0]
    frame = frame.with_columns(ids["id_country"].alias("_id_country"))
    country = pl.coalesce("_country", "_id_country", fallback)
    source = (
        pl.when(pl.col("_country").is_not_null())
        .then(pl.lit("input"))
        .when(pl.col("_id_country").is_not_null())
        .then(pl.lit("identifier"))
        .when(pl.lit(default_country, dtype=pl.String).is_not_null())
        .then(pl.lit("default"))
        .when(fallback.is_not_null())
        .then(pl.lit("file majority"))
    )
    frame = frame.with_columns(country.alias("country"), source.alias("country_source"))
    # 2. what reads the row's country: legal forms, phone numbers, postcodes
    second = _run_side_by_side(
        [
            lambda: on_unique(frame, companies.INPUTS, companies.clean),
            *[
                functools.partial(
                    on_unique,
                    frame,
                    (kind, "country"),
                    functools.partial(phones.clean, prefix=kind),
                )
                for kind in ("phone", "mobile")
            ],
            lambda: on_unique(frame, addresses.INPUTS, addresses.clean),
        ]
    )
    parts = [countries_out, *first, *second]
    issues = join_issues(*[pl.lit(p.get_column("issues")) for p in parts])
    passthrough = pl.DataFrame({c: column(frame, c) for c in _PASSTHROUGH}).select(
        tidy(pl.col(c)).alias(c) for c in _PASSTHROUGH
    )
    keep = frame.select("source_file", pl.col(ROW).alias("source_row"), "country", "country_source")
    out = pl.concat(
        [keep, passthrough, *[p.drop("issues") for p in parts[1:]]], how="horizontal"
    ).with_columns(issues.alias("issues"))
    extras = [col for col in frame.columns if col.startswith(EXTRA_PREFIX)]
    return pl.concat([out.select(OUTPUT_COLUMNS), frame.select(extras)], how="horizontal")


def clean_files(
    paths: list[str],
    *,
    overrides: dict[str, str] | None = None,
    default_country: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_field: int | None = None,
) -> CleanResult:
    """Read, map, normalise and validate *paths* into one canonical table."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tables = read_all(
        paths, sheet=sheet, encoding=encoding, delimiter=delimiter, max_field=max_field
    )
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    frames, rejects, reports = [], [], []
    for table in tables:
        frame, rej, report = prepare(table, overrides or {})
        frames.append(frame)
        rejects.append(rej)
        reports.append(report)
    frame = pl.concat(frames, how="diagonal_relaxed")
    timings["map"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = normalise(frame, default_country) if frame.height else _empty_output(frame)
    for report in reports:
        report.default_country = default_country
    timings["normalise"] = time.perf_counter() - t0
    order = {t.name: i for i, t in enumerate(tables)}
    all_rejects = (
        pl.concat(rejects)
        .with_columns(
            pl.col("source_file").replace_strict(order, return_dtype=pl.Int64).alias("_o")
        )
        .sort("_o", "source_row")
        .drop("_o")
    )
    return CleanResult(out, all_rejects, reports, timings)


def _empty_output(frame: pl.DataFrame) -> pl.DataFrame:
    """No usable row: the columns a non-empty output has, with the same types."""
    extras = [c for c in frame.columns if c.startswith(EXTRA_PREFIX)]
    typed = {
        "source_row": pl.Int64,
        "email_role": pl.Boolean,
        "email_freemail": pl.Boolean,
        "opt_out": pl.Boolean,
    }
    return pl.DataFrame(schema={c: typed.get(c, pl.String) for c in [*OUTPUT_COLUMNS, *extras]})
