"""The registry index: one folder of Parquet files (``folder.py``) built from the bulk files
of the sources (``SOURCES``: KBO/BCE, SIRENE), and what is looked up in it.

The index is built streaming (Polars lazy scans written with ``sink_parquet``): the full
KBO (2M enterprises, tens of millions of activities) and SIRENE (25M legal units) do not
have to fit in memory. The folder is written whole, then renamed into place.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from .. import __version__
from ..errors import InputError
from ..io.write import replace_folder
from ..ruleset import Rules, rules_or_default
from . import SOURCES, archive
from .folder import (
    ACTIVITIES,
    COLUMNS,
    COMPANIES,
    META,
    NAME_COLUMNS,
    NAME_KEYS,
    NAMES,
    TOWNS,
    check_index,
)
from .nace import nace_class, nace_table
from .sme import sme_class
from .source import Bulk, Source, per_source
from .words import address, block_keys, city_key, probe, tokens

NACE_LABELS = dict.fromkeys(
    ("nace_version", "_nace_key", "nace_label_fr", "nace_label_nl"), pl.String
)
LEGAL_FORMS = dict.fromkeys(
    ("country", "legal_form_code", "legal_form_fr", "legal_form_nl"), pl.String
)
TYPES = {"employees_year": pl.Int32, "creation_date": pl.Date, "employer": pl.Boolean}  # else text


def build(
    out: str | Path,
    *,
    limits: archive.Limits | None = None,
    rules: Rules | None = None,
    **files: str | None,
) -> dict:
    """Build the index folder *out* from the bulk files *files* (each source's ``INPUTS``:
    ``kbo_zip``, ``sirene_units``, ``sirene_establishments``); returns its meta."""
    rules = rules_or_default(rules)
    limits = limits or archive.Limits()
    used = _sources_given(files)
    out = Path(out)
    meta: dict = {"enrich": __version__, "sources": {}}
    with tempfile.TemporaryDirectory(
        prefix=".enrich-registry-",
        dir=out.resolve().parent if out.resolve().parent.is_dir() else None,
    ) as work:
        bulks = [source.read(files, Path(work), limits, rules) for source in used]
        meta["sources"] = {source.NAME: bulk.meta for source, bulk in zip(used, bulks)}
        table = _firmographics(used, bulks, rules).select(COLUMNS)
        replace_folder(out, lambda tmp: _write(tmp, table, bulks, meta, rules))
    return meta


def _sources_given(files: dict[str, str | None]) -> list[Source]:
    """The sources whose main file *files* holds (at least one)."""
    unknown = set(files) - {name for source in SOURCES for name in source.INPUTS}
    if unknown:
        raise TypeError(f"build() got unexpected files: {', '.join(sorted(unknown))}")
    if not any(files.get(next(iter(source.INPUTS))) for source in SOURCES):
        mains = (next(iter(source.INPUTS.values())) for source in SOURCES)
        raise InputError(f"give {' and/or '.join(mains)}")
    return [source for source in SOURCES if source.given(files)]


def _firmographics(used: Sequence[Source], bulks: list[Bulk], rules: Rules) -> pl.LazyFrame:
    """Every source's companies, with their activity's class and labels, their legal form's
    label and their size band."""
    companies = pl.concat([bulk.companies for bulk in bulks], how="diagonal_relaxed")
    nace_labels = pl.concat(
        [
            pl.DataFrame(schema=NACE_LABELS),
            *(b.nace_labels for b in bulks if b.nace_labels is not None),
        ]
    )
    forms = pl.concat(
        [
            pl.DataFrame(schema=LEGAL_FORMS),
            *(b.legal_forms for b in bulks if b.legal_forms is not None),
        ]
    )
    out = (
        companies.with_columns(
            nace_class().alias("nace_class"),
            per_source(used, lambda source: source.nace_key()).alias("_nace_key"),
        )
        .join(nace_table().lazy(), on=["nace_version", "nace_class"], how="left")
        .join(nace_labels.lazy(), on=["nace_version", "_nace_key"], how="left")
        .join(forms.lazy(), on=["country", "legal_form_code"], how="left")
        .drop("_nace_key")
    )
    present = out.collect_schema().names()
    for column in dict.fromkeys(c for source in SOURCES for c in source.FILLS):
        if column not in present:  # a column no source given fills
            out = out.with_columns(pl.lit(None, TYPES.get(column, pl.String)).alias(column))
    return _size(out, used, rules)


def _size(frame: pl.LazyFrame, used: Sequence[Source], rules: Rules) -> pl.LazyFrame:
    """Headcount band → fewest / most employees and the EU SME class by headcount (never
    invented: no band, no class — with the reason)."""
    bands = pl.concat([source.size_bands(rules) for source in used])
    band = sme_class(pl.col("employees_min"), pl.col("employees_max"), rules=rules)
    return frame.join(bands.lazy(), on=["country", "employees_band"], how="left").with_columns(
        band.alias("size_band"),
        pl.when(band.is_not_null()).then(pl.lit("headcount")).alias("size_criteria"),
        pl.when(band.is_not_null())
        .then(None)
        .when(pl.col("employees_band").is_not_null())
        .then(pl.lit("unknown headcount band"))
        .otherwise(per_source(used, lambda source: pl.lit(source.NO_SIZE)))
        .alias("size_reason"),
    )


def _write(tmp: Path, table: pl.LazyFrame, bulks: list[Bulk], meta: dict, rules: Rules) -> None:
    """The index's files in *tmp*, and the companies counted into *meta*."""

    def sinks() -> None:
        table.sink_parquet(tmp / COMPANIES, compression="zstd")
        _names(bulks, rules).sink_parquet(tmp / NAMES, compression="zstd")
        activities = [bulk.activities for bulk in bulks if bulk.activities is not None]
        if activities:
            pl.concat(activities, how="diagonal_relaxed").sink_parquet(
                tmp / ACTIVITIES, compression="zstd"
            )

    archive.readable(sinks)
    _towns(tmp)
    counts = (
        pl.scan_parquet(tmp / COMPANIES)
        .group_by("country", "registry_status")
        .len()
        .collect()
        .sort("country", "registry_status")
    )
    meta["companies"] = {f"{c} {s}": n for c, s, n in counts.iter_rows()}
    meta["name_keys"] = probe()  # words.block_keys of a fixed name: match.py checks it
    (tmp / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _names(bulks: list[Bulk], rules: Rules) -> pl.LazyFrame:
    """Every name at every place of its company (``NAME_COLUMNS``), with the tokens, town
    keys and block keys that find it (``match.by_name``): each token at the place's postcode
    and in its town, and the place's address."""
    made = [bulk.names() if callable(bulk.names) else bulk.names for bulk in bulks]
    names = pl.concat(made, how="diagonal_relaxed")
    fr, nl = city_key(pl.col("city_fr")), city_key(pl.col("city_nl"))
    names = names.select(
        *(c for c in NAME_COLUMNS if c not in NAME_KEYS),
        tokens(pl.col("name"), rules=rules).alias("tokens"),
        fr.alias("city_key"),
        pl.when(nl != fr).then(nl).alias("city_key_nl"),
    )
    towns = [pl.col("city_key"), pl.col("city_key_nl")]
    addresses = [
        address(place, pl.col("house_number"), pl.col(street), rules=rules)
        for place in [pl.lit("a") + pl.col("postcode"), *(pl.lit("b") + t for t in towns)]
        for street in ("street_fr", "street_nl")
    ]
    keys = block_keys(pl.col("tokens"), {"p": [pl.col("postcode")], "t": towns}, addresses)
    return names.with_columns(keys.alias("keys"))


def _towns(tmp: Path) -> None:
    """towns.parquet: every postcode of names.parquet with the town keys at it."""
    names = pl.scan_parquet(tmp / NAMES)
    pl.concat(
        [
            names.select("country", "postcode", pl.col(c).alias("town"))
            for c in ("city_key", "city_key_nl")
        ]
    ).drop_nulls().unique().sort("country", "postcode", "town").sink_parquet(tmp / TOWNS)


def keys_of(number: str) -> list[tuple[str, str]]:
    """(country, registry id) a typed number can mean — every valid reading of it by every
    source (a Belgian enterprise or VAT number, a SIREN, a SIRET, a French VAT number)."""
    return list(dict.fromkeys((s.COUNTRY, rid) for s in SOURCES for rid in s.ids(number)))


def lookup(folder: str | Path, number: str) -> list[dict]:
    """What the index knows of *number* (all valid readings of it), with the activities."""
    path = check_index(folder)
    keys = keys_of(number)
    if not keys:
        raise InputError("not a valid enterprise number, SIREN, SIRET or VAT number")
    wanted = pl.DataFrame(keys, schema=["country", "registry_id"], orient="row")
    rows = (
        pl.scan_parquet(path / COMPANIES)
        .join(wanted.lazy(), on=["country", "registry_id"], how="semi")
        .collect()
    )
    with_activities = {s.COUNTRY for s in SOURCES if s.HAS_ACTIVITIES}
    out = []
    for row in rows.iter_rows(named=True):
        if (path / ACTIVITIES).is_file() and row["country"] in with_activities:
            row["activities"] = _activities(path, row["registry_id"])
        out.append(row)
    return out


def _activities(path: Path, registry_id: str) -> list[dict]:
    acts = pl.scan_parquet(path / ACTIVITIES).filter(pl.col("registry_id") == registry_id).collect()
    return (
        acts.sort("classification", "nace_version", "nace_code", descending=[False, True, False])
        .drop("registry_id")
        .to_dicts()
    )
