"""A job: what to run, as plain data — the inputs and their read options, the rules folder,
the previous master, decisions, suppression, registry, online lookups and the outputs.

The command line builds one from its options; a job file (``enrich run job.toml``) or a
scheduler builds the same object; ``enrich.pipeline.run(job)`` runs it. Paths are strings,
as given (relative to the working directory); nothing here reads a file.

>>> job = Job(inputs=[Input("crm.csv"), Input("leads.xlsx", sheet="Leads")], out="out/master")
>>> job.as_dict()["inputs"][1]
{'path': 'leads.xlsx', 'sheet': 'Leads'}
>>> Job.from_dict(job.as_dict()) == job
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

FORMATS = ("csv", "parquet", "xlsx")
LANGS = ("fr", "nl", "en")
DELIMITERS = (",", ";", "\t", "|")
DATE_ORDERS = ("dmy", "mdy", "ymd")
MAX_FIELD_LENGTH = 32767  # Excel's own limit on a cell
DEFAULT_CACHE = str(Path.home() / ".cache" / "enrich" / "online.sqlite")


@dataclass(frozen=True)
class Input:
    """One contact file and how to read it (``None``: detected)."""

    path: str  # '-' for standard input
    sheet: str | None = None  # XLSX: only this sheet (default: all sheets)
    encoding: str | None = None  # CSV: forced encoding
    delimiter: str | None = None  # CSV: one of , ; \t |
    map: dict[str, str] = field(default_factory=dict)  # header → canonical column, by hand
    default_country: str | None = None  # ISO code for rows that name none
    date_order: str | None = None  # dmy, mdy or ymd for every date column (None: per column)
    max_field_length: int = MAX_FIELD_LENGTH  # a longer value rejects its row

    def read_options(self) -> dict:
        return {
            "sheet": self.sheet,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "max_field": self.max_field_length,
        }


@dataclass(frozen=True)
class Registry:
    """A registry index (``enrich registry build``) to attach firmographics from."""

    folder: str
    lang: str = "fr"  # language of the labels: fr, nl, en
    size_file: str | None = None  # sizes keyed by enterprise number or SIREN (decide first)


@dataclass(frozen=True)
class Online:
    """Online lookups (VIES, recherche-entreprises, and GLEIF with ``lei``), cached."""

    lei: bool = False
    offline: bool = False  # answer from the cache only
    cache: str = DEFAULT_CACHE


@dataclass(frozen=True)
class Job:
    """The master job: *inputs* in, the master folder *out*."""

    inputs: list[Input]
    out: str
    format: str = "csv"  # of the golden tables: csv or parquet; xlsx: csv + xlsx copies
    excel: bool = False  # CSV with a UTF-8 BOM
    rules: str | None = None  # a rules folder that extends the shipped rules
    previous: str | None = None  # an earlier master to link onto
    decisions: str | None = None  # a review.csv with its decision column filled
    suppress: list[str] = field(default_factory=list)  # do-not-contact lists
    model: str | None = None  # a model.json to reuse instead of training
    registry: Registry | None = None
    online: Online | None = None
    force: bool = False  # replace a master folder that holds files the tool did not write
    dnc: list[str] = field(
        default_factory=list
    )  # national do-not-call files ([dncm:|bloctel:]FILE)
    as_of: str | None = None  # the day contactability is judged on (YYYY-MM-DD; default today)
    redact: bool = False  # report.html as a shareable copy: no names, values, rows or files

    def check(self) -> Job:
        """The job itself, or an InputError naming what does not fit."""
        if not self.inputs:
            raise InputError("a job needs at least one input")
        if self.format not in FORMATS:
            raise InputError(f"format {self.format!r}: one of {', '.join(FORMATS)}")
        if self.registry and self.registry.lang not in LANGS:
            raise InputError(f"lang {self.registry.lang!r}: one of {', '.join(LANGS)}")
        if self.as_of is not None:
            try:
                dt.date.fromisoformat(self.as_of)
            except ValueError:
                raise InputError(f"as_of {self.as_of!r}: a date YYYY-MM-DD") from None
        for i in self.inputs:
            if i.delimiter is not None and i.delimiter not in DELIMITERS:
                raise InputError(f"delimiter {i.delimiter!r}: one of , ; tab |", file=i.path)
            if i.date_order is not None and i.date_order not in DATE_ORDERS:
                raise InputError(f"date_order {i.date_order!r}: one of dmy, mdy, ymd", file=i.path)
            if i.max_field_length < 1:
                raise InputError("max_field_length must be 1 or more", file=i.path)
        return self

    def as_dict(self) -> dict:
        """The job as plain data (what ``run.json`` and a job file hold); defaults left out."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> Job:
        """A job from plain data (``as_dict``'s form); unknown keys are an error."""
        data = dict(data)
        data["inputs"] = [
            Input(**i) if isinstance(i, dict) else Input(str(i)) for i in data.get("inputs", [])
        ]
        if isinstance(data.get("suppress"), str):  # one list, as older jobs gave it
            data["suppress"] = [data["suppress"]]
        for key, kind in (("registry", Registry), ("online", Online)):
            if isinstance(data.get(key), dict):
                data[key] = kind(**data[key])
        try:
            return cls(**data)
        except TypeError as exc:
            raise InputError(f"job: {exc}") from None


def _plain(value):
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            if f.name in ("path", "inputs", "out", "folder") or v != default:
                out[f.name] = _plain(v)
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
