"""National do-not-call files, as their services deliver them, and the contacts they list.

- **DNCM** (Belgium, "Ne m'appelez plus / Bel me niet meer"): a text file holding only the
  phone number and its registration date, one per line (DOMAIN.md §3.7), e.g.
  ``32475123456;20250301`` or ``0475 12 34 56 2025-03-01`` (any of ``; , tab |`` or spaces
  between; a header line is skipped).
- **Bloctel** (France): the file returned to the professional after a scrub. Its layout is
  unconfirmed (DOMAIN.md §3.6), so two forms are read: one number per line (10-digit
  national ``0612345678``, ``+33…`` or ``33…``) — every number in it is **on the list** (the
  numbers to remove) —, or a CSV with a header holding a number column and a status column
  (their header words and the status words meaning "on the list" are data:
  ``rules/contactability.toml`` [dnc.bloctel]); a number whose status is another word was
  checked and is not on the list.

Numbers become E.164 (the form enrich's phone normaliser gives): ``00``→``+``, a national
``0…`` or a bare country code takes the service's country code. A file's date is a date in
its name (``YYYYMMDD`` or ``YYYY-MM-DD``), else its modification time; its age is counted
from the run's date (``--as-of``) against the service's ``max_age_days``.

>>> e164(pl.Series(["0475 12 34 56", "+32 (0)475/12.34.56", "0032475123456", "32475123456", "x"]), "32").to_list()
['+32475123456', '+32475123456', '+32475123456', '+32475123456', None]
>>> spec("bloctel:retour.csv"), spec("list.txt")
(('bloctel', 'retour.csv'), (None, 'list.txt'))
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.read import decode
from ..normalise.text import fold, fold_py
from .contactability import SERVICES, Settings, as_date

NAME_DATE = re.compile(r"(20\d{2})-?(\d{2})-?(\d{2})")
DELIMITERS = r"[;,\t|]"
# the usual line: a number in one piece, perhaps a separator and a date
QUICK = r"^(\+?\d{8,15})(?:[;,\t|]\s*(\d{8}|\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}))?$"
# a line of a file without a header: a number, then perhaps its registration date
LINE = (
    r"^\"?([+\d][\d .()/+-]*?\d)\"?(?:(?:\s*[;,\t|]\s*|\s+)\"?"
    r"(\d{4}-\d{2}-\d{2}|\d{2}[/.-]\d{2}[/.-]\d{4}|\d{8})(?:[ T][\d:.]*)?\"?)?\s*(?:[;,\t|].*)?$"
)


@dataclass(frozen=True)
class DncFile:
    """One do-not-call file as read: its service, numbers (``phone`` E.164, ``since``: the
    day registered, if the file says), its date and how it was found, its age and state."""

    service: str
    path: str
    numbers: pl.DataFrame
    dated: dt.date
    dated_by: str  # "name" | "modified"
    age_days: int
    state: str  # "fresh" | "stale"
    lines: int
    unreadable: list[int]  # line numbers (1-based) holding no number

    def summary(self) -> dict:
        """What run.json says of it (no number)."""
        return {
            "service": self.service,
            "file": Path(self.path).name,
            "date": self.dated.isoformat(),
            "dated_by": self.dated_by,
            "age_days": self.age_days,
            "state": self.state,
            "lines": self.lines,
            "listed": self.numbers.filter(pl.col("listed")).height,
            "unreadable_lines": len(self.unreadable),
        }


def spec(text: str) -> tuple[str | None, str]:
    """(service or None: detect it, path) of a ``--dnc`` value: ``FILE``, ``dncm:FILE``,
    ``bloctel:FILE``."""
    head, sep, rest = text.partition(":")
    return (head.lower(), rest) if sep and head.lower() in SERVICES else (None, text)


def e164(numbers: pl.Series, country_code: str) -> pl.Series:
    """The numbers in E.164, null where there is none."""
    d = numbers.cast(pl.String).str.replace_all(r"[^\d+]", "").str.replace(r"^00", "+")
    d = d.str.replace(r"^\+(\d{2})0", "+$1")  # +32 (0)475 …
    national = pl.col("d").str.contains(r"^0[1-9]\d{7,8}$")
    bare_cc = pl.col("d").str.contains(rf"^{country_code}[1-9]\d{{7,8}}$")
    out = (
        pl.when(pl.col("d").str.starts_with("+"))
        .then(pl.col("d"))
        .when(national)
        .then(pl.lit(f"+{country_code}") + pl.col("d").str.slice(1))
        .when(bare_cc)
        .then(pl.lit("+") + pl.col("d"))
    )
    return (
        d.to_frame("d")
        .select(pl.when(out.str.contains(r"^\+[1-9]\d{7,14}$")).then(out).alias(numbers.name))
        .to_series()
    )


def _lines(path: str) -> list[str]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the do-not-call file ({exc.strerror})", file=path) from None
    return decode(raw, path)[0].splitlines()


def _table(lines: list[str], cfg: dict) -> tuple[pl.DataFrame, list[int]]:
    """(number, since, listed) per line, and the line numbers holding no number."""
    rows = pl.Series("line", lines, dtype=pl.String).to_frame().with_row_index("n", offset=1)
    rows = rows.filter(pl.col("line").str.strip_chars() != "")
    header = _header(lines, cfg)
    if header is not None:
        number_at, status_at, delimiter = header
        split = pl.col("line").str.replace_all('"', "").str.split(delimiter)
        listed = pl.lit(True)
        if status_at is not None:
            status = fold(split.list.get(status_at, null_on_oob=True))
            listed = status.is_in(list(cfg.get("listed", []))).fill_null(False)
        table = rows.slice(1).select(
            "n",
            split.list.get(number_at, null_on_oob=True).alias("raw"),
            pl.lit(None, pl.String).alias("day"),
            listed.alias("listed"),
        )
    else:
        table = _numbers_and_dates(rows)
    number = e164(table["raw"], str(cfg.get("country_code", "")))
    table = table.with_columns(number.alias("phone"), as_date(pl.col("day")).alias("since"))
    bad = table.filter(pl.col("phone").is_null())["n"].to_list()
    if header is None and bad and bad[0] == 1 and re.search(r"[A-Za-z]", lines[0]):
        bad = bad[1:]  # a header line of a DNCM-like file
    return table.drop_nulls("phone").select("phone", "since", "listed"), bad


def _numbers_and_dates(rows: pl.DataFrame) -> pl.DataFrame:
    """(n, raw number, day, listed) of the lines of a file without a header: the usual line
    read by QUICK, LINE's backtracking kept for the others."""
    line = pl.col("line").str.strip_chars()
    quick = rows.select("n", line.str.extract_groups(QUICK).alias("p")).unnest("p")
    slow = quick["1"].is_null()
    full = rows.filter(slow).select("n", line.str.extract_groups(LINE).alias("p")).unnest("p")
    both = pl.concat([quick.filter(~slow), full]).sort("n")
    return both.select("n", pl.col("1").alias("raw"), pl.col("2").alias("day"), listed=True)


def _header(lines: list[str], cfg: dict) -> tuple[int, int | None, str] | None:
    """(number column, status column, delimiter) of a CSV with a header the rules know."""
    first = next((line for line in lines if line.strip()), "")
    found = re.search(DELIMITERS, first)
    delimiter = found.group(0) if found else ";"
    cells = [fold_py(c.strip().strip('"')) for c in first.split(delimiter)]
    numbers = [fold_py(h) for h in cfg.get("number_headers", [])]
    statuses = [fold_py(h) for h in cfg.get("status_headers", [])]
    at = next((i for i, c in enumerate(cells) if c in numbers), None)
    if at is None:
        return None
    status = next((i for i, c in enumerate(cells) if c in statuses and i != at), None)
    return at, status, delimiter


def detect(path: str, lines: list[str], settings: Settings) -> str:
    """The service of a file given without one: by its name (``[dnc.<service>] names``);
    else by its content — a CSV header of Bloctel's number words, or a registration date
    beside the numbers (only DNCM's file has one), is Bloctel's resp. DNCM's; else numbers
    under +32 are DNCM's, under +33 (or 10-digit national ones) Bloctel's."""
    name = fold_py(Path(path).name)
    for service in SERVICES:
        if any(fold_py(n) in name for n in settings.dnc.get(service, {}).get("names", [])):
            return service
    if _header(lines, settings.dnc.get("bloctel", {})) is not None:
        return "bloctel"
    sample = pl.Series([line.strip() for line in lines[:200] if line.strip()], dtype=pl.String)
    parts = sample.str.extract_groups(LINE).struct.unnest()
    digits = parts["1"].str.replace_all(r"\D", "").drop_nulls()
    if digits.len() and parts["2"].is_not_null().mean() > 0.5:
        return "dncm"
    if digits.len() and digits.str.contains(r"^(?:00)?32").all():
        return "dncm"
    if digits.len() and digits.str.contains(r"^(?:(?:00)?33|0[1-9]\d{8}$)").all():
        return "bloctel"
    raise InputError(
        "cannot tell which do-not-call service this file is from: write dncm:FILE or bloctel:FILE",
        file=path,
    )


def file_date(path: str) -> tuple[dt.date, str]:
    """(the file's date, 'name' | 'modified')."""
    for found in NAME_DATE.finditer(Path(path).name):
        try:
            return dt.date(*map(int, found.groups())), "name"
        except ValueError:
            continue
    stamp = os.stat(path).st_mtime
    return dt.datetime.fromtimestamp(stamp, tz=dt.timezone.utc).date(), "modified"


def read(text: str, settings: Settings, as_of: dt.date) -> DncFile:
    """One ``--dnc`` value read (see ``spec``)."""
    service, path = spec(text)
    lines = _lines(path)
    service = service or detect(path, lines, settings)
    cfg = settings.dnc.get(service, {})
    numbers, bad = _table(lines, cfg)
    if numbers.is_empty():
        raise InputError(f"no phone number in the {service} file", file=path)
    dated, dated_by = file_date(path)
    age = (as_of - dated).days
    state = "stale" if age > int(cfg.get("max_age_days", 0)) else "fresh"
    return DncFile(service, path, numbers, dated, dated_by, age, state, len(lines), bad)


def read_all(
    texts: list[str], settings: Settings, as_of: dt.date
) -> tuple[list[DncFile], list[str]]:
    """(the files, lines to warn): a stale file is refused (``InputError``, exit 2) or
    warned of, as [dnc] on_stale says; unreadable lines are counted by line number."""
    files, notes = [], []
    for text in texts:
        f = read(text, settings, as_of)
        label = settings.dnc.get(f.service, {}).get("label", f.service)
        if f.state == "stale":
            line = (
                f"the {label} file is {f.age_days} days old (its date from its {f.dated_by}); "
                f"the rules want at most {settings.dnc[f.service]['max_age_days']}"
            )
            if settings.dnc.get("on_stale", "refuse") == "refuse":
                raise InputError(f"{line}: download a fresh one", file=f.path)
            notes.append(f"{f.path}: {line}: nobody is phoned on the strength of it")
        if f.unreadable:
            shown = ", ".join(map(str, f.unreadable[:5])) + (" …" if len(f.unreadable) > 5 else "")
            notes.append(
                f"{f.path}: {len(f.unreadable)} lines hold no phone number (lines {shown})"
            )
        files.append(f)
    return files, notes


def states(files: list[DncFile]) -> dict[str, str]:
    """Each service's file state: stale if any of its files is."""
    out: dict[str, str] = {}
    for f in files:
        out[f.service] = "stale" if "stale" in (out.get(f.service), f.state) else f.state
    return out


def listed(points: pl.DataFrame, contacts: pl.DataFrame, files: list[DncFile]) -> pl.DataFrame:
    """Per contact holding a listed number (its golden phone or mobile, or another of its
    numbers in *points*): ``_<service>`` true and ``_<service>_since`` (the latest day one
    of its numbers was registered, if the file says)."""
    mine = [
        contacts.select("contact_id", pl.col(c).cast(pl.String).alias("phone"))
        for c in ("phone", "mobile")
        if c in contacts.columns
    ]
    if {"level", "kind", "value"} <= set(points.columns):
        mine.append(
            points.filter((pl.col("level") == "contact") & (pl.col("kind") == "phones")).select(
                pl.col("id").alias("contact_id"), pl.col("value").cast(pl.String).alias("phone")
            )
        )
    phones = pl.concat(mine).drop_nulls().unique() if mine else pl.DataFrame()
    out = contacts.select("contact_id")
    for service in SERVICES:
        on = [f.numbers.filter(pl.col("listed")) for f in files if f.service == service]
        numbers = pl.concat(on).group_by("phone").agg(pl.col("since").max()) if on else None
        if numbers is None or phones.is_empty():
            out = out.with_columns(
                pl.lit(False).alias(f"_{service}"), pl.lit(None, pl.Date).alias(f"_{service}_since")
            )
            continue
        hit = (
            phones.join(numbers, on="phone")
            .group_by("contact_id")
            .agg(
                pl.lit(True).alias(f"_{service}"), pl.col("since").max().alias(f"_{service}_since")
            )
        )
        out = out.join(hit, on="contact_id", how="left", maintain_order="left").with_columns(
            pl.col(f"_{service}").fill_null(False)
        )
    return out
