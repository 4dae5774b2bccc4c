"""What linking reads from files: a master's records, a steward's decisions, a fitted
model, and the linking rules of each level."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.read import typed_like, unguard
from ..ruleset import Rules, rules_or_default
from .derive import levels, sources
from .model import Model
from .phonetic import groups_of
from .settings import Settings, attach_groups, parse


def load_settings(rules: Rules | None = None) -> dict[str, Settings]:
    """Per declared level, its linking rules (rules/link.toml [<level>]). A level linked
    *within* another has that level's id as a cannot-link, first; one that *unites* the
    entities of another (declared) level, that level's id as a must-link and a cannot-link."""
    rules = rules_or_default(rules)
    data, where = rules.get("link"), rules.location("link")
    declared = levels(rules)
    ids = {level.name: level.id for level in declared}
    made_of = sources(rules)
    out = {}
    for level in declared:
        settings = parse(data.get(level.name, {}), f"{where} [{level.name}]")
        settings = attach_groups(settings, lambda name: groups_of(rules, name))
        settings.sources = made_of
        outer = ids.get(level.within)
        if outer is not None and outer not in settings.cannot_link:
            settings = dataclasses.replace(settings, cannot_link=[outer, *settings.cannot_link])
        one = ids.get(level.unite)
        if one is not None:
            settings = dataclasses.replace(
                settings,
                cannot_link=[*settings.cannot_link, one],
                must_link=[*settings.must_link, one],
            )
        out[level.name] = settings
    return out


def read_master(folder: str | Path, like: pl.DataFrame) -> pl.DataFrame:
    """The records of an earlier `enrich dedupe` run (records.parquet, else records.csv), typed
    like *like* (a cleaned frame). A CSV's formula guard (a leading ') is taken off again."""
    folder = Path(folder)
    parquet, csv = folder / "records.parquet", folder / "records.csv"
    try:
        if parquet.exists():
            master = pl.read_parquet(_checked(folder, parquet.name))
        elif csv.exists():
            data = _checked(folder, csv.name)
            master = unguard(pl.read_csv(data, infer_schema=False, encoding="utf8-lossy"))
        else:
            raise InputError(
                "not an enrich dedupe folder: no records.parquet or records.csv", file=str(folder)
            )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(
            f"cannot read the master records ({type(exc).__name__})", file=str(folder)
        ) from None
    missing = {"company_id", "contact_id", "source_file", "source_row"} - set(master.columns)
    if missing:
        raise InputError(
            f"not an enrich records table: missing {', '.join(sorted(missing))}", file=str(folder)
        )
    try:  # a cell that does not fit becomes null
        return typed_like(master, like.schema)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"master records do not fit the cleaned schema ({type(exc).__name__})",
            file=str(folder),
        ) from None


def _checked(folder: Path, name: str) -> bytes:
    """The bytes of *folder*/*name*, checked against the manifest of the folder's run.json
    (a dedupe folder written before manifests: not checked)."""
    from ..master import state

    try:
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run = {}
    return state.checked(folder, name, state.listed(run) if isinstance(run, dict) else None)[0]


def decisions_by_level(decided: pl.DataFrame, names: list[str]) -> dict[str, pl.DataFrame]:
    """Decisions (``level``, both sides' ``source_file``/``source_row``, ``decision``) → per
    level *names*: the same rows, rows as numbers, and ``is_match`` (what dedupe reads)."""
    decided = decided.with_columns(
        pl.col("source_row_l").cast(pl.Int64),
        pl.col("source_row_r").cast(pl.Int64),
        (pl.col("decision").str.strip_chars().str.to_lowercase() == "match").alias("is_match"),
    )
    return {name: decided.filter(pl.col("level") == name) for name in names}


def load_models(
    path: str, settings: dict[str, Settings], refit_stale: bool = False
) -> dict[str, Model]:
    """The per-level models of a model.json written by `enrich dedupe` (a level per level
    of *settings*). *refit_stale*: a level whose model no longer fits the rules (they
    changed since: a field added, other levels) is left out, so linking fits it again —
    a previous master's model, not one a user named."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read model ({type(exc).__name__})", file=path) from None
    if refit_stale:
        settings = {
            level: s
            for level, s in settings.items()
            if isinstance(data, dict) and Model.fits(data.get(level), s.comparisons)
        }
    missing = [level for level in settings if level not in data]
    if missing:
        raise InputError(f"no {', '.join(missing)} model in it", file=path)
    return {
        level: Model.from_json(data[level], s.comparisons, path) for level, s in settings.items()
    }
