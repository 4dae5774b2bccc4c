"""The `clean` job as a library: read → map → normalise → validate, with row accounting.

``clean_files()`` returns the canonical table (one row per usable input row, with
``source_file`` and ``source_row``), the rejected rows with their reason, and a report per
input table: rows in = rows out + rows rejected, always.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from dataclasses import dataclass, field

import polars as pl
import polars.selectors as cs

from . import content, identifiers, mapping, progress
from .errors import InputError
from .io.read import ROW, Table, looks_like_value, read
from .job import Input
from .normalise import (
    addresses,
    companies,
    consent,
    countries,
    country_evidence,
    dates,
    emails,
    firmographics,
    languages,
    persons,
    phones,
)
from .normalise.text import column, join_issues, on_unique, tidy
from .parallel import side_by_side
from .ruleset import Rules, rules_or_default
from .schema import EXTRA_PREFIX, OUTPUT_COLUMNS

REJECT_COLUMNS = ["source_file", "source_row", "column", "reason"]
_PASSTHROUGH = (
    "function",
    "website",
    "consent_source",
    "external_id",
    "email_consent",  # read by consent.contactability (yes words, a date)
    "phone_consent",
)


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
    mapping_details: list[dict] = field(
        default_factory=list
    )  # per header: column, confidence, reason, what its values are
    identifier_columns: list[dict] = field(default_factory=list)  # what each one really held
    country_sources: dict[str, int] = field(default_factory=dict)  # rows per country_source
    language_sources: dict[str, int] = field(default_factory=dict)  # rows per language_source
    date_orders: dict[str, dict] = field(default_factory=dict)  # date column → its order, why

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
            "mapping_details": self.mapping_details,
            "identifier_columns": self.identifier_columns,
            "country_sources": self.country_sources,
            "language_sources": self.language_sources,
            "date_orders": self.date_orders,
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


def read_all(inputs: list[Input]) -> list[tuple[Input, Table]]:
    """Read every input before any work, so one bad file stops the job before it writes."""
    out = []
    with progress.stage("read", total=len(inputs)) as step:
        for i in inputs:
            tables = read(i.path, **i.read_options())
            out += [(i, t) for t in tables]
            step.advance(rows=sum(t.frame.height for t in tables))
    return out


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


def split_rows(
    table: Table, overrides: dict[str, str], rules: Rules | None = None
) -> tuple[mapping.Mapping, pl.DataFrame, pl.DataFrame]:
    """(header mapping, the usable rows under their mapped names, the rejected rows with
    ``source_row``, ``column``, ``reason``): what every command does with a table it read.
    The mapping by the headers' words is then checked against a sample of the values."""
    headers = [c for c in table.frame.columns if c != ROW]
    m = mapping.map_headers(headers, overrides, rules)
    kept, bad = _row_rejects(table.frame, headers)
    content.judge(m, content.profile(kept, headers, rules), rules)
    read_rejects = pl.DataFrame(
        table.rejects, schema={ROW: pl.Int64, "column": pl.String, "reason": pl.String}
    ).rename({ROW: "source_row"})
    return m, mapping.apply(kept, m), pl.concat([read_rejects, bad])


def prepare(
    table: Table,
    overrides: dict[str, str],
    rules: Rules | None = None,
    date_order: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, TableReport]:
    """Map one table's headers, decide its date columns' order (*date_order* forces it)
    and split off the rows that cannot be used."""
    m, frame, rejects = split_rows(table, overrides, rules)
    if not m.mapped:
        headers = m.headers
        shown = ", ".join(repr(h) for h in headers[:6]) + (" …" if len(headers) > 6 else "")
        if table.info.get("header", "").startswith("none"):
            shown = f"no header line, the first holds values: columns {shown}"
        raise InputError(
            f"no recognisable column (headers: {shown}); map them with --map 'Header=column'",
            file=table.name,
        )
    rejects = rejects.with_columns(pl.lit(table.name).alias("source_file"))
    frame = frame.with_columns(pl.lit(table.name).alias("source_file"))
    report = TableReport(table.name, table.info, m.describe(), mapping_details=m.details())
    report.date_orders = content.date_orders(m, date_order, rules)
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
    """The most frequent country per source file (ties: alphabetical) among the rows' own
    countries (typed, else from their evidence), for the rows that have none."""
    own = pl.coalesce("_country", "_ev_country")
    counts = (
        frame.filter(own.is_not_null())
        .group_by("source_file", own.alias("_own"))
        .len()
        .sort(["source_file", "len", "_own"], descending=[False, True, False])
    )
    return dict(
        counts.group_by("source_file", maintain_order=True)
        .first()
        .select("source_file", "_own")
        .iter_rows()
    )


def normalise(
    frame: pl.DataFrame,
    defaults: dict[str, str] | None = None,
    rules: Rules | None = None,
    date_orders: dict[str, dict[str, str]] | None = None,
) -> pl.DataFrame:
    """Every canonical column normalised and validated; extras passed through untouched.
    A row's country: the one it names, else its identifiers', else its own evidence
    (postcode, city, phones, e-mail), else *defaults* (per source file), else the file's
    most frequent one — which never overrides the row's evidence (``_country_choice``).
    *date_orders*: date column → source file → its order (else day-first)."""
    return normalised(frame, defaults, rules, date_orders)[0]


def normalised(
    frame: pl.DataFrame,
    defaults: dict[str, str] | None = None,
    rules: Rules | None = None,
    date_orders: dict[str, dict[str, str]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`normalise`, and per row what each identifier column held (``source_file`` and
    ``held.*``: identifiers.held)."""
    rules = rules_or_default(rules)
    frame, countries_out, default, majority = _evidenced(frame, defaults, rules)
    first = _before_country(frame, rules, date_orders or {})
    frame = _countried(frame, first[0], default, majority)
    second = _after_country(frame, rules)
    held = pl.concat(
        [frame.select("source_file"), first[0].select(cs.starts_with(identifiers.held.PREFIX))],
        how="horizontal",
    )
    spoken = _language(frame, second[-1], rules)
    return _assemble(frame, [countries_out, *first, *second, spoken]), held


def verdicts(
    frame: pl.DataFrame, defaults: dict[str, str] | None = None, rules: Rules | None = None
) -> pl.DataFrame:
    """Per row of a mapped *frame* (with ``source_file``): ``country`` and ``country_source``
    as :func:`normalise` decides them, and the identifiers' verdicts (``identifiers.OUTPUTS``
    and ``held.*``) — without the rest of the cleaning. ``enrich check`` reads its verdicts
    here and in :func:`phone_verdicts` / :func:`email_verdicts`: the gate and the tool agree."""
    rules = rules_or_default(rules)
    frame, _, default, majority = _evidenced(frame, defaults, rules)
    ids = _identified(frame)
    frame = _countried(frame, ids, default, majority)
    return pl.concat([frame.select("country", "country_source"), ids], how="horizontal")


def phone_verdicts(frame: pl.DataFrame, kind: str = "phone") -> pl.DataFrame:
    """``phones.clean`` of the *kind* column (phone, mobile) with each row's ``country``."""
    return on_unique(frame, (kind, "country"), functools.partial(phones.clean, prefix=kind))


def email_verdicts(frame: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """``emails.clean`` of the rows (nearly one address per row: unique() gains nothing)."""
    return emails.clean(frame, rules_or_default(rules))


def _evidenced(
    frame: pl.DataFrame, defaults: dict[str, str] | None, rules: Rules
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Expr, pl.Expr]:
    """(*frame* with ``_country`` (typed), ``_ev_*`` (its evidence) and ``_row_country``,
    the countries' cleaning, the default country, the file's majority) of each row."""
    countries_out = on_unique(
        frame, countries.INPUTS, functools.partial(countries.clean, rules=rules)
    )
    frame = frame.with_columns(countries_out["country"].alias("_country"))
    frame = frame.with_columns(_evidence(frame, rules))
    majority = pl.col("source_file").replace_strict(
        _majority_country(frame), default=None, return_dtype=pl.String
    )
    default = pl.col("source_file").replace_strict(
        defaults or {}, default=None, return_dtype=pl.String
    )
    row_country, _ = _country_choice(pl.lit(None, pl.String), default, majority)
    return frame.with_columns(row_country.alias("_row_country")), countries_out, default, majority


def _identified(frame: pl.DataFrame) -> pl.DataFrame:
    """The identifiers of the rows, with the row's own country (typed, else its postcode /
    city / phone / e-mail evidence) and the one it is given (a VAT typed without prefix)."""
    ids = identifiers.keyed(
        frame.with_columns(
            pl.coalesce("_country", "_ev_country").alias("country"),
            pl.col("_row_country").alias("default_country"),
        )
    )
    return on_unique(ids, identifiers.INPUTS, functools.partial(identifiers.clean, report=True))


def _countried(
    frame: pl.DataFrame, ids: pl.DataFrame, default: pl.Expr, majority: pl.Expr
) -> pl.DataFrame:
    """*frame* with each row's final ``country`` and ``country_source``."""
    frame = frame.with_columns(ids["id_country"].alias("_id_country"))
    country, source = _country_choice(pl.col("_id_country"), default, majority)
    return frame.with_columns(country.alias("country"), source.alias("country_source"))


def _evidence(frame: pl.DataFrame, rules: Rules) -> list[pl.Series]:
    """``_ev_country``, ``_ev_tied``, ``_ev_source`` (country_evidence.decide) of the rows
    that name no country (null on the others)."""
    todo = frame.with_row_index("_r").filter(pl.col("_country").is_null())
    found = country_evidence.decide(todo, rules).with_columns(todo["_r"])
    out = frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_r")).join(
        found, on="_r", how="left", maintain_order="left"
    )
    return [out[c].alias(f"_ev_{c}") for c in ("country", "tied", "source")]


def _country_choice(
    identifier: pl.Expr, default: pl.Expr, majority: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """(country, country_source): typed > identifier > the row's evidence > the default
    country > the file's majority; a tie in the evidence goes to the default or the majority
    only when it is one of the tied countries."""
    tied = pl.col("_ev_tied")
    no_evidence = tied.is_null() & pl.col("_ev_country").is_null()
    picks = [
        (pl.col("_country"), pl.lit("input")),
        (identifier, pl.lit("identifier")),
        (pl.col("_ev_country"), pl.col("_ev_source")),
        (pl.when(no_evidence | tied.list.contains(default)).then(default), pl.lit("default")),
        (
            pl.when(no_evidence | tied.list.contains(majority)).then(majority),
            pl.lit("file majority"),
        ),
    ]
    country, source = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for value, label in reversed(picks):
        country = pl.when(value.is_not_null()).then(value).otherwise(country)
        source = pl.when(value.is_not_null()).then(label).otherwise(source)
    return country, source


def _before_country(frame: pl.DataFrame, rules: Rules, orders: dict) -> list[pl.DataFrame]:
    """What does not depend on the final country (identifiers give it, from the VAT prefix)."""
    dated = [
        functools.partial(
            on_unique,
            _dated(frame, name, orders.get(name, {})),
            (name, "order"),
            functools.partial(dates.clean, name=name),
        )
        for name in content.DATE_COLUMNS
    ]
    return side_by_side(
        lambda: _identified(frame),
        lambda: on_unique(frame, persons.INPUTS, functools.partial(persons.clean, rules=rules)),
        lambda: email_verdicts(frame, rules),
        *dated,
        lambda: on_unique(frame, consent.INPUTS, consent.clean),
        lambda: on_unique(frame, firmographics.INPUTS, firmographics.clean),
    )


def _dated(frame: pl.DataFrame, name: str, orders: dict[str, str]) -> pl.DataFrame:
    """The date column *name* and each row's ``order`` (its source file's)."""
    order = pl.col("source_file").replace_strict(orders, default=None, return_dtype=pl.String)
    return frame.select(pl.lit(column(frame, name)).alias(name), order.alias("order"))


def _after_country(frame: pl.DataFrame, rules: Rules) -> list[pl.DataFrame]:
    """What reads the row's country: legal forms, phone numbers, postcodes."""
    phoned = [functools.partial(phone_verdicts, frame, kind) for kind in ("phone", "mobile")]
    return side_by_side(
        lambda: on_unique(frame, companies.INPUTS, functools.partial(companies.clean, rules=rules)),
        *phoned,
        lambda: on_unique(frame, addresses.INPUTS, functools.partial(addresses.clean, rules=rules)),
    )


def _language(frame: pl.DataFrame, address: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The language of correspondence, from the typed one, the row's country and cleaned
    address, and its clues (``normalise.languages``)."""
    cleaned = address.select("postcode", "city", "street")
    given = frame.select(
        [column(frame, c).alias(c) for c in ("language", "title", "full_name", "first_name")]
        + [column(frame, c).alias(c) for c in ("function", "email")]
        + [pl.col("country"), pl.col("source_file")]
    )
    return languages.clean(pl.concat([given, cleaned], how="horizontal"), rules)


def _assemble(frame: pl.DataFrame, parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The output columns in their order, the parts' issues joined, extras at the end."""
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


def check_country(code: str | None, rules: Rules | None = None) -> str | None:
    """*code* upper-cased if it is an ISO 3166 alpha-2 code, else an InputError."""
    if not code:
        return None
    if code.upper() not in countries.iso_codes(rules):
        raise InputError(f"--default-country {code.upper()!r} is not an ISO 3166 alpha-2 code")
    return code.upper()


def check_maps(tables: list[tuple[Input, Table]]) -> None:
    """A hand mapping (``--map``) must name a header of at least one table it applies to: a
    typo would otherwise be ignored and its column silently left unmapped (exit 2)."""
    seen: dict[str, bool] = {}
    for given, table in tables:
        keys = {mapping.header_key(c) for c in table.frame.columns if c != ROW}
        for header in given.map:
            seen[header] = seen.get(header, False) or (
                header in table.frame.columns or mapping.header_key(header) in keys
            )
    missing = [h for h, found in seen.items() if not found]
    if missing and looks_like_value(missing[0]):  # a value typed as a header: not echoed
        raise InputError(
            "--map names a value (an e-mail, a number …), not a header: a file without a "
            "header line has columns 'column 1', 'column 2' …"
        )
    if missing:
        raise InputError(f"--map {missing[0]!r}: no input has a header of that name")


def clean_files(inputs: list[Input | str], rules: Rules | None = None) -> CleanResult:
    """Read, map, normalise and validate *inputs* (each with its read options; a plain path
    is read with the defaults) into one canonical table."""
    inputs = [i if isinstance(i, Input) else Input(i) for i in inputs]
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tables = read_all(inputs)
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    step = progress.begin("map")
    check_maps(tables)
    frames, rejects, reports, defaults, orders = [], [], [], {}, {}
    for given, table in tables:
        frame, rej, report = prepare(table, given.map, rules, given.date_order)
        report.default_country = check_country(given.default_country, rules)
        if report.default_country:
            defaults[table.name] = report.default_country
        for name, decided in report.date_orders.items():
            orders.setdefault(name, {})[table.name] = decided["order"]
        frames.append(frame)
        rejects.append(rej)
        reports.append(report)
    frame = pl.concat(frames, how="diagonal_relaxed")
    timings["map"] = time.perf_counter() - t0
    progress.end(step, rows=frame.height)
    t0 = time.perf_counter()
    step = progress.begin("normalise")
    if frame.height:
        out, held = normalised(frame, defaults, rules, orders)
        _held_report(held, reports)
    else:
        out = _empty_output(frame)
    timings["normalise"] = time.perf_counter() - t0
    progress.end(step, rows=out.height)
    _count_sources(out, reports)
    order = {t.name: i for i, (_, t) in enumerate(tables)}
    all_rejects = (
        pl.concat(rejects)
        .with_columns(
            pl.col("source_file").replace_strict(order, return_dtype=pl.Int64).alias("_o")
        )
        .sort("_o", "source_row")
        .drop("_o")
    )
    return CleanResult(out, all_rejects, reports, timings)


def _held_report(held: pl.DataFrame, reports: list[TableReport]) -> None:
    """Each table's report says what its identifier columns really held."""
    for report in reports:
        headers: dict[str, str] = {}
        for d in report.mapping_details:
            headers.setdefault(d["column"], d["header"])
        rows = held.filter(pl.col("source_file") == report.source_file)
        report.identifier_columns = identifiers.held.counts(rows, headers)


def _count_sources(out: pl.DataFrame, reports: list[TableReport]) -> None:
    """Each table's rows per ``country_source`` and ``language_source`` ("none": no value)."""
    for name in ("country_source", "language_source"):
        counts = out.group_by("source_file", pl.col(name).fill_null("none")).len()
        for report in reports:
            mine = counts.filter(pl.col("source_file") == report.source_file)
            found = dict(sorted(mine.select(name, "len").iter_rows()))
            setattr(report, name.replace("_source", "_sources"), found)


def _empty_output(frame: pl.DataFrame) -> pl.DataFrame:
    """No usable row: the columns a non-empty output has, with the same types."""
    extras = [c for c in frame.columns if c.startswith(EXTRA_PREFIX)]
    typed = {
        "source_row": pl.Int64,
        "email_role": pl.Boolean,
        "email_freemail": pl.Boolean,
        **{c: pl.Boolean for c in consent.OUTPUTS},
    }
    return pl.DataFrame(schema={c: typed.get(c, pl.String) for c in [*OUTPUT_COLUMNS, *extras]})
