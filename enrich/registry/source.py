"""What a registry source is: the small interface every adapter module (``kbo.py``,
``sirene.py``) has, and the table-driven helpers the index uses instead of naming countries.

A source reads its bulk files (``INPUTS``: the ``build()`` keywords, the main file first) into
a ``Bulk``: one row per company in the index's columns (``FILLS`` says which it fills), every
name of a company, optionally every activity, and the labels of its codes. A company of a
source is found by one clean identifier column (``KEY``: ``enterprise_number``, ``siren``),
and a typed number is read as the source's ids by ``ids()``. Its headcount classes map to
staff bands by ``size_bands()``; ``NO_SIZE`` says why a company has no band.

Adding a registry (Luxembourg's RBE, the Dutch KVK …) is one adapter module with this shape,
its entry in ``rules/registry.toml``, its line in ``enrich.registry.SOURCES`` and its tests.

>>> import polars as pl
>>> from enrich.registry import SOURCES
>>> country, registry_id = registry_key(SOURCES)
>>> pl.DataFrame({"enterprise_number": [None, "0403170701"], "siren": ["552120222", None]}).select(
...     country, registry_id).rows()
[('FR', '552120222'), ('BE', '0403170701')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from ..ruleset import Rules
from .archive import Limits


@dataclass
class Bulk:
    """What a source's bulk files give the index (frames lazy: they are written streaming).

    ``names``: every name at every place of its company (``folder.NAME_COLUMNS`` but the
    keys the index adds), or a function that makes them — a source whose names need work of
    their own (joins written slice by slice) does it after the companies are written, so the
    two do not add up in memory. ``nace_labels``: nace_version, ``_nace_key``,
    nace_label_fr, nace_label_nl (for every source's rows: NAF rév. 2 is NACE-BEL down to the
    class). ``legal_forms``: country, legal_form_code, legal_form_fr, legal_form_nl."""

    meta: dict
    companies: pl.LazyFrame
    names: pl.LazyFrame | Callable[[], pl.LazyFrame]
    activities: pl.LazyFrame | None = None
    nace_labels: pl.DataFrame | None = None
    legal_forms: pl.DataFrame | None = None


class Source(Protocol):
    """The shape of an adapter module."""

    NAME: str  # its key under "sources" in meta.json
    COUNTRY: str  # the index's ``country`` of its companies
    KEY: str  # the clean identifier column that finds its companies (also registry_match)
    INPUTS: dict[str, str]  # build() keyword → what the file is (for messages); main first
    OPTIONS: dict[str, tuple[str, str]]  # build() keyword → `registry build` option and its help
    FILLS: tuple[str, ...]  # the index columns its companies frame holds
    NO_SIZE: str  # size_reason of a company with no headcount band
    HAS_ACTIVITIES: bool  # whether it gives activities.parquet (main and secondary ones)

    def given(self, files: dict[str, str | None]) -> bool:
        """Whether *files* holds its main file; an error if only its optional ones."""

    def read(self, files: dict[str, str | None], work: Path, limits: Limits, rules: Rules) -> Bulk:
        """Its bulk files, read (temporary files go to *work*)."""

    def ids(self, number: str) -> list[str]:
        """The registry ids a typed number can mean (every valid reading)."""

    def nace_key(self) -> pl.Expr:
        """The ``_nace_key`` of its companies' activity code, to find its labels."""

    def size_bands(self, rules: Rules) -> pl.DataFrame:
        """Its headcount classes: country, employees_band, employees_min, employees_max
        (null: no upper bound). Empty when it publishes no headcount."""

    def spellings(self, registry_id: str) -> list[str]:
        """How other registries (GLEIF) may write one of its ids, the compact form first."""


def by_country(sources: Sequence[Source]) -> dict[str, Source]:
    return {s.COUNTRY: s for s in sources}


def per_source(sources: Sequence[Source], value) -> pl.Expr:
    """``value(source)`` for each row, by the row's ``country`` (null for no source's)."""
    first, *others = sources
    out = pl.when(pl.col("country") == first.COUNTRY).then(value(first))
    for source in others:
        out = out.when(pl.col("country") == source.COUNTRY).then(value(source))
    return out


def registry_key(sources: Sequence[Source]) -> tuple[pl.Expr, pl.Expr]:
    """(country, registry id) of a row by its valid identifiers: the first source's key
    that is set, in the table's order (the Belgian enterprise number, else the SIREN)."""
    first, *others = sources
    country = pl.when(pl.col(first.KEY).is_not_null()).then(pl.lit(first.COUNTRY))
    for source in others:
        country = country.when(pl.col(source.KEY).is_not_null()).then(pl.lit(source.COUNTRY))
    return country, pl.coalesce(*(s.KEY for s in sources))


def with_keys(frame: pl.DataFrame, sources: Sequence[Source]) -> pl.DataFrame:
    """*frame* with every source's key column (null where the frame has none)."""
    return frame.with_columns(
        pl.lit(None, pl.String).alias(s.KEY) for s in sources if s.KEY not in frame.columns
    )


def bands(rows: dict[str, tuple[int, int | None]], country: str) -> pl.DataFrame:
    """A ``size_bands()`` table from band code → (fewest, most: None = no bound)."""
    return pl.DataFrame(
        {
            "country": [country] * len(rows),
            "employees_band": list(rows),
            "employees_min": [low for low, _ in rows.values()],
            "employees_max": [high for _, high in rows.values()],
        },
        schema={
            "country": pl.String,
            "employees_band": pl.String,
            "employees_min": pl.Int64,
            "employees_max": pl.Int64,
        },
    )
