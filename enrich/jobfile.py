"""Job files: a master job declared in TOML (``enrich run JOB.toml``), and the job a master's
run.json recorded (``enrich run MASTER/run.json``), both read into an ``enrich.job.Job``.

The smallest job file is two keys; every other key is named as `enrich master`'s option::

    inputs = ["crm.csv", "leads.xlsx"]
    out = "out/master"

Paths are relative to the job file's folder (``Loaded.folder``): the job runs there, so
``source_file`` in the master reads as the job file says. A mistake names the file, the line
and the key, with the closest known key for a misspelt one:

>>> load_text('inputs = ["a.csv"]\\nouput = "o"', "job.toml", check_files=False)
Traceback (most recent call last):
enrich.errors.InputError: job.toml, line 2: unknown key 'ouput' (did you mean 'out'?)
>>> job = load_text('inputs = ["a.csv"]\\nout = "o"\\nsheet = "Dag 1"', "j.toml", check_files=False)
>>> job.job.inputs[0].sheet, job.job.out
('Dag 1', 'o')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .job import DATE_ORDERS, DELIMITERS, FORMATS, LANGS, Input, Job, Online, Registry

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

STR, BOOL, INT, PATHS, TABLE = "a string", "true or false", "a whole number", "a list", "a table"
READ_KEYS = {  # per input, or at the top for every input
    "sheet": STR,
    "encoding": STR,
    "delimiter": STR,
    "map": TABLE,
    "default_country": STR,
    "date_order": STR,
    "max_field_length": INT,
}
INPUT_KEYS = {"path": STR, **READ_KEYS}
KEYS = {
    "inputs": PATHS,
    "input": PATHS,  # [[input]] tables
    "out": STR,
    **READ_KEYS,
    "rules": STR,
    "previous": STR,
    "decisions": STR,
    "suppress": PATHS,
    "dnc": PATHS,
    "model": STR,
    "registry": STR,
    "size": STR,
    "lang": STR,
    "online": BOOL,
    "lei": BOOL,
    "offline": BOOL,
    "cache": STR,
    "format": STR,
    "excel": BOOL,
    "as_of": STR,
    "force": BOOL,
    "redact": BOOL,
}
CHOICES = {
    "format": FORMATS,
    "lang": LANGS,
    "date_order": DATE_ORDERS,
    "delimiter": (*DELIMITERS, "tab"),
}
MUST_EXIST = ("rules", "previous", "decisions", "model", "registry", "size")


@dataclass
class Loaded:
    """A job read from *source*, its paths relative to *folder* (where it runs)."""

    job: Job
    folder: Path
    source: Path


class _Lines:
    """Where keys stand in a TOML text, for messages: top-level keys before the first
    table header, the keys of the n-th ``[[input]]``, an input given by its path."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.lines = name, text.splitlines()
        self.headers = [i for i, line in enumerate(self.lines) if line.lstrip().startswith("[")]

    def error(self, line: int | None, message: str) -> InputError:
        return InputError(message, file=f"{self.name}, line {line}" if line else self.name)

    def key(self, key: str, start: int = 0) -> int | None:
        """The 1-based line of *key* in the section that starts at line index *start* (0:
        the top level, where a key may also be a table of its own: ``[map]``, ``[[input]]``)."""
        end = next((h for h in self.headers if h > start), len(self.lines))
        pattern = re.compile(rf'(^|[{{,\s])"?{re.escape(key)}"?\s*=')
        for i in range(start, end):
            if pattern.search(self.lines[i]):
                return i + 1
        table = re.compile(rf"\s*\[\[?\s*{re.escape(key)}\s*\]")
        found = [h + 1 for h in self.headers if table.match(self.lines[h])] if start == 0 else []
        return found[0] if found else start + 1 if start else None

    def input(self, n: int, path: str | None, from_table: bool) -> int:
        """The line index where the n-th input (of ``inputs`` or ``[[input]]``) starts."""
        if from_table:
            tables = [h for h in self.headers if re.match(r"\s*\[\[\s*input\s*\]\]", self.lines[h])]
            return tables[n] if n < len(tables) else 0
        start = (self.key("inputs") or 1) - 1
        for i in range(start, len(self.lines)):
            if path and (f'"{path}"' in self.lines[i] or f"'{path}'" in self.lines[i]):
                return i
        return start


def load(path: str | os.PathLike, check_files: bool = True) -> Loaded:
    """The job of a job file (TOML) or of a master's run.json."""
    source = Path(path)
    if source.is_dir():  # a master folder: the job its run.json recorded
        source = source / "run.json"
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such job file", file=str(source)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(f"cannot read the job file: {reason}", file=str(source)) from None
    if source.suffix.lower() == ".json":
        return _recorded(source, text)
    return load_text(text, str(path), source.resolve().parent, check_files)


def load_text(text: str, name: str, folder: Path | None = None, check_files: bool = True) -> Loaded:
    """The job of the TOML *text* of the job file *name* (in *folder*)."""
    where = _Lines(name, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        reason = re.sub(r"\s*\(at line.*\)", "", str(exc))
        line = int(found.group(1)) if found else None
        raise where.error(
            line, f"not TOML: {reason}" + (f" (column {found.group(2)})" if found else "")
        ) from None
    folder = folder or Path.cwd()
    job = _job(data, where)
    try:
        job.check()
    except InputError as exc:
        raise where.error(None, exc.message) from None
    if check_files:
        _check_files(data, job, where, folder)
    return Loaded(job, folder, Path(name))


def _recorded(source: Path, text: str) -> Loaded:
    """The job a master's run.json recorded, to run again where it ran."""
    try:
        run = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", file=str(source)) from None
    if not isinstance(run, dict) or "job" not in run or "job_folder" not in run:
        raise InputError(
            "records no job (a master made before job files, or not a master's run.json)",
            file=str(source),
        )
    return Loaded(Job.from_dict(run["job"]).check(), Path(run["job_folder"]), source)


def _kind(value) -> str:
    return {bool: BOOL, int: INT, str: STR, list: PATHS, dict: TABLE}.get(type(value), "a date")


def _checked(table: dict, known: dict, where: _Lines, start: int) -> None:
    """Each key of *table* known and of its type; the closest known key for a misspelt one."""
    for key, value in table.items():
        line = where.key(key, start)
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
            raise where.error(line, f"unknown key {key!r}{hint}")
        wanted = known[key]
        if key == "as_of":
            _day(value, where, line)
            continue
        if key in ("suppress", "dnc") and isinstance(value, str):
            continue
        if _kind(value) != wanted:
            raise where.error(line, f"{key} must be {wanted}, not {_kind(value)}")
        items = (str, dict) if key in ("inputs", "input") else (str,)
        bad = [v for v in value if not isinstance(v, items)] if wanted == PATHS else []
        if bad:
            raise where.error(line, f"{key} must be a list of paths, not of {_kind(bad[0])}s")
        if wanted == TABLE and not all(isinstance(v, str) for v in value.values()):
            raise where.error(line, f'{key} maps a header to a column name: "Header" = "column"')
        if key in CHOICES and value not in CHOICES[key]:
            shown = ", ".join(repr(c) for c in CHOICES[key] if c != "\t")
            raise where.error(line, f"{key} {value!r}: one of {shown}")
        if key == "map":
            _map(value, where, line)


def _map(value: dict, where: _Lines, line: int | None) -> None:
    """map: each header onto a canonical column (as --map checks it)."""
    from .mapping import parse_overrides

    for header, column in value.items():
        try:
            parse_overrides([f"{header}={column}"])
        except InputError as exc:
            at = where.key(header, line - 1) if line else None
            raise where.error(at, f"map: {exc.message.removeprefix('--map ')}") from None


def _day(value, where: _Lines, line: int | None) -> None:
    """as_of: a TOML date (2026-12-01) or a string of one."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise where.error(line, f"as_of must be a date YYYY-MM-DD, not {value!r}") from None


def _inputs(data: dict, where: _Lines) -> list[Input]:
    """The inputs: ``inputs`` (paths or inline tables), then ``[[input]]`` tables, each
    reading with the top-level read options unless it says otherwise."""
    common = {k: data[k] for k in READ_KEYS if k in data}
    given = [(i, v, False) for i, v in enumerate(data.get("inputs", []))]
    given += [(i, v, True) for i, v in enumerate(data.get("input", []))]
    out = []
    for n, value, from_table in given:
        table = value if isinstance(value, dict) else {"path": value}
        start = where.input(n, table.get("path"), from_table)
        _checked(table, INPUT_KEYS, where, start)
        if "path" not in table:
            raise where.error(start + 1, 'an input needs its path: path = "leads.xlsx"')
        read = {**common, **table}
        if read.get("delimiter") == "tab":
            read["delimiter"] = "\t"
        out.append(Input(**read))
    return out


def _job(data: dict, where: _Lines) -> Job:
    _checked(data, KEYS, where, 0)
    if not all(isinstance(t, dict) for t in data.get("input", [])):
        raise where.error(where.key("input"), "input: use [[input]] tables, or inputs = [...]")
    inputs = _inputs(data, where)
    if not inputs:
        raise where.error(None, 'no inputs: add inputs = ["crm.csv", "leads.xlsx"]')
    if "out" not in data:
        raise where.error(None, 'no out: add out = "out/master" (the master folder to write)')
    for needs, option in (
        ("size", "registry"),
        ("lang", "registry"),
        ("lei", "online"),
        ("offline", "online"),
    ):
        if data.get(needs) and not data.get(option):
            raise where.error(where.key(needs), f"{needs} goes with {option}")
    listed = {
        k: [data[k]] if isinstance(data.get(k), str) else data.get(k, [])
        for k in ("suppress", "dnc")
    }
    as_of = data.get("as_of")
    online = data.get("online")
    return Job(
        inputs=inputs,
        out=data["out"],
        format=data.get("format", "csv"),
        excel=data.get("excel", False),
        rules=data.get("rules"),
        previous=data.get("previous"),
        decisions=data.get("decisions"),
        suppress=listed["suppress"],
        dnc=listed["dnc"],
        model=data.get("model"),
        registry=Registry(data["registry"], data.get("lang", "fr"), data.get("size"))
        if data.get("registry")
        else None,
        online=Online(data.get("lei", False), data.get("offline", False), **_cache(data))
        if online
        else None,
        force=data.get("force", False),
        as_of=as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
        redact=data.get("redact", False),
    )


def _cache(data: dict) -> dict:
    return {"cache": data["cache"]} if "cache" in data else {}


def _check_files(data: dict, job: Job, where: _Lines, folder: Path) -> None:
    """Every file the job reads is there (relative to *folder*), named with its line."""
    from .consent.dnc import spec

    def there(path: str, line: int | None, key: str) -> None:
        if path != "-" and not (folder / path).exists():
            raise where.error(line, f"{key}: no such file or folder {path!r} (in {folder})")

    for n, (i, from_table) in enumerate(_input_origins(data)):
        line = where.input(i, job.inputs[n].path, from_table) + 1
        there(job.inputs[n].path, where.key("path", line - 1) if from_table else line, "input")
    for key in MUST_EXIST:
        if data.get(key):
            there(data[key], where.key(key), key)
    for path in job.suppress:
        there(path, where.key("suppress"), "suppress")
    for given in job.dnc:
        there(spec(given)[1], where.key("dnc"), "dnc")


def _input_origins(data: dict) -> list[tuple[int, bool]]:
    return [(i, False) for i in range(len(data.get("inputs", [])))] + [
        (i, True) for i in range(len(data.get("input", [])))
    ]


STARTER = """\
# An enrich job: `enrich run {name}` builds the master it declares.
# Paths are relative to this file's folder. Only `inputs` and `out` are needed; every other
# key is optional and named as the `enrich master` option of the same meaning (see
# `enrich master --help`): remove the leading # to use one.

inputs = [{inputs}]  # the contact files: CSV, XLSX, Parquet, JSON
out = "out/master"  # the master folder (replaced whole at the end of a run)

# Read options for every input (an input may override them, see [[input]] below):
# sheet = "Leads"  # XLSX: read only this sheet (default: every sheet)
# encoding = "cp1252"  # CSV: force the encoding (default: detected)
# delimiter = ";"  # CSV: one of , ; | tab (default: detected)
# default_country = "BE"  # ISO country of rows that name none
# date_order = "dmy"  # dmy, mdy or ymd for every date column (default: per column)
# max_field_length = 32767  # a row with a longer value is rejected
# map = {{ "Col X" = "email" }}  # a header mapped by hand onto a canonical column

# rules = "rules"  # a rules folder extending the shipped rules (source priority is its
#                  # survivorship.toml [sources] priority)
# previous = "out/master-last-month"  # an earlier master: link onto it, keeping its ids
# decisions = "out/master-last-month/review.csv"  # a review.csv with decisions filled
# suppress = ["optouts.txt"]  # do-not-contact lists
# dnc = ["dncm:ne_m_appelez_plus.csv"]  # national do-not-call files ([dncm:|bloctel:]FILE)
# as_of = 2026-12-01  # the day contactability is judged on (default: today)
# model = "model.json"  # reuse a fitted model instead of training one
# registry = "out/registry"  # a registry index (enrich registry build): firmographics
# size = "comptes_annuels_be.csv"  # with registry: a size file that decides the size band
# lang = "fr"  # with registry: language of its labels: fr, nl or en
# online = true  # ask VIES and recherche-entreprises (cached, bounded in time)
# lei = true  # with online: also find each company's LEI in GLEIF
# offline = true  # with online: answer from the cache only
# cache = "online.sqlite"  # with online: the answers' cache
# format = "parquet"  # of the golden tables: csv (default), parquet, or xlsx (CSV and
#                    # companies.xlsx, contacts.xlsx, review.xlsx beside, for Excel)
# excel = true  # CSV with a UTF-8 BOM, so Excel shows accents right
# redact = true  # report.html as a copy to share: no names, values, rows or file names
# force = true  # replace out even if it holds files enrich did not write

# An input with options of its own (instead of listing it in `inputs`); tables come last:
# [[input]]
# path = "salon_leads_nl.xlsx"
# sheet = "Dag 1"
# default_country = "NL"
"""
GUESSED = (".csv", ".xlsx")


def starter(job_file: str | os.PathLike) -> str:
    """The text of a commented starter job file for *job_file*: its inputs guessed from the
    contact files beside it (the CSV, XLSX … of its folder), else two examples to replace."""
    folder = Path(job_file).resolve().parent
    found = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in GUESSED and not p.name.startswith(".")
    )
    names = found or ["crm.csv", "leads.xlsx"]
    return STARTER.format(name=Path(job_file).name, inputs=", ".join(json.dumps(n) for n in names))


@contextlib.contextmanager
def working_in(folder: Path) -> Iterator[None]:
    """Run the block in *folder* (a job's paths are relative to it), then come back."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
