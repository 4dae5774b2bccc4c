"""Finding a company that has no valid identifier by its name at its postcode.

The registry's names (legal, abbreviation, commercial) of the companies at the row's
postcode whose first significant word starts with the same letters (``name_block``) are
compared with the row's name (token-set similarity of the matching keys: legal form and
noise words dropped). The best company is attached when it scores at least
rules/registry.toml [name_match] ``score`` and beats the next one by ``margin``; when two
are that close, none is attached and both go to the review list.

>>> blocks = pl.DataFrame({"name": ["SA Brouwerij De Smet", "Brouwerij De Smet NV", "Société Œuvre"]})
>>> blocks.select(name_block(pl.col("name"))).to_series().to_list()
['brou', 'brou', 'oeuv']
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from ..normalise.companies import name_keys
from ..normalise.text import strip_accents
from ..ruleset import Rules, rules_or_default
from .folder import COMPANIES, NAMES

REVIEW_COLUMNS = [
    "company_name",
    "postcode",
    "country",
    "registry_id",
    "registry_name",
    "score",
]  # after the row's ids
DECIDED = {
    "_row": pl.UInt32,
    "_name_country": pl.String,
    "_name_id": pl.String,
    "_score": pl.Float64,
    "_ambiguous": pl.Boolean,
}


def name_block(name: pl.Expr, *, rules: Rules | None = None) -> pl.Expr:
    """The first letters of a company name's first significant word (rules/registry.toml
    [name_match]): a cheap key that streams over tens of millions of registry names, where
    the full matching key (``name_keys``) is computed only for the few candidates it finds."""
    rule = rules_or_default(rules).get("registry")["name_match"]
    text = strip_accents(name.str.to_lowercase())
    words = text.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars().str.split(" ")
    return (
        words.list.filter(~pl.element().is_in(rule["skip"]))
        .list.first()
        .str.slice(0, rule["prefix"])
    )


def by_name(
    frame: pl.DataFrame, path: Path, *, rules: Rules | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For rows without a valid identifier (``_registry_id`` null) but with a company name
    and a postcode: the company of the registry at that postcode whose name is the same —
    (per row: ``_row``, country, id, score, or ambiguous), and the candidates of the
    ambiguous rows, for review."""
    rule = rules_or_default(rules).get("registry")["name_match"]
    ids = [c for c in ("company_id", "source_file", "source_row") if c in frame.columns]
    nothing = (
        pl.DataFrame(schema=DECIDED),
        pl.DataFrame(schema={c: pl.String for c in [*ids, *REVIEW_COLUMNS]}),
    )
    if not {"company_name", "postcode"} <= set(frame.columns) or not (path / NAMES).is_file():
        return nothing
    rows = _unnamed_rows(frame, rule, rules)
    if rows.height == 0:
        return nothing
    candidates = _candidates(rows, path)
    rows = rows.join(
        candidates.select("postcode", "block").unique(), on=["postcode", "block"], how="semi"
    )
    rows = rows.with_columns(
        rows["company_name_norm"].alias("_key")
        if "company_name_norm" in rows.columns
        else name_keys(rows["company_name"]).alias("_key")
    )
    pairs = rows.join(candidates, on=["postcode", "block"]).filter(
        pl.col("_in_country").is_null() | (pl.col("_in_country") == pl.col("country"))
    )
    if pairs.height == 0:
        return nothing
    ranked = _ranked(pairs)
    top = ranked.filter((pl.col("_rank") == 0) & (pl.col("_score") >= rule["score"]))
    top = top.with_columns(
        (
            pl.col("_next").is_not_null() & (pl.col("_score") - pl.col("_next") < rule["margin"])
        ).alias("_ambiguous")
    )
    decided = top.select(
        "_row",
        pl.col("country").alias("_name_country"),
        pl.col("registry_id").alias("_name_id"),
        "_score",
        "_ambiguous",
    )
    return decided, _review(frame, ids, ranked, top, rule["margin"])


def _unnamed_rows(frame: pl.DataFrame, rule: dict, rules: Rules | None) -> pl.DataFrame:
    """The rows to find by name (no registry id, a name and a postcode), with their block."""
    rows = frame.with_row_index("_row").filter(
        pl.col("_registry_id").is_null()
        & pl.col("company_name").is_not_null()
        & pl.col("postcode").is_not_null()
    )
    rows = rows.select(
        "_row",
        "postcode",
        (pl.col("country") if "country" in frame.columns else pl.lit(None, pl.String)).alias(
            "_in_country"
        ),
        "company_name",
        *(["company_name_norm"] if "company_name_norm" in frame.columns else []),
        name_block(pl.col("company_name"), rules=rules).alias("block"),
    )
    return rows.filter(pl.col("block").str.len_chars() >= min(rule["prefix"], 2))


def _candidates(rows: pl.DataFrame, path: Path) -> pl.DataFrame:
    """The registry's names in the rows' blocks, at the rows' postcodes, with their full key."""
    names = (
        pl.scan_parquet(path / NAMES)
        .join(rows.select("block").unique().lazy(), on="block", how="semi")
        .select("country", "registry_id", "name", "block")
        .collect()
    )
    seats = (
        pl.scan_parquet(path / COMPANIES)
        .join(
            names.select("country", "registry_id").unique().lazy(),
            on=["country", "registry_id"],
            how="semi",
        )
        .select("country", "registry_id", "postcode", "official_name")
        .collect()
    )
    candidates = names.join(seats, on=["country", "registry_id"]).join(
        rows.select("postcode", "block").unique(), on=["postcode", "block"], how="semi"
    )
    return candidates.with_columns(
        name_keys(candidates["name"]).alias("name_key")
    )  # the full key, for these few only


def _ranked(pairs: pl.DataFrame) -> pl.DataFrame:
    """Each row's companies by their best-scoring name, best first (``_rank``), with the
    next one's score (``_next``)."""
    score = (
        process.cpdist(
            pairs["_key"].to_list(),
            pairs["name_key"].to_list(),
            scorer=fuzz.token_set_ratio,
            workers=-1,
        )
        / 100.0
    )
    best = (
        pairs.with_columns(pl.Series("_score", score))
        .group_by("_row", "country", "registry_id")
        .agg(pl.col("_score").max(), pl.col("official_name").first())
        .sort(["_row", "_score", "country", "registry_id"], descending=[False, True, False, False])
    )
    return best.with_columns(
        pl.int_range(pl.len()).over("_row").alias("_rank"),
        pl.col("_score").shift(-1).over("_row").alias("_next"),
    )


def _review(
    frame: pl.DataFrame, ids: list[str], ranked: pl.DataFrame, top: pl.DataFrame, margin: float
) -> pl.DataFrame:
    """The ambiguous rows' candidates within *margin* of the best, for review."""
    close = ranked.join(
        top.filter("_ambiguous").select("_row", pl.col("_score").alias("_best")), on="_row"
    ).filter(pl.col("_score") >= pl.col("_best") - margin)
    source = frame.with_row_index("_row").select("_row", *ids, "company_name", "postcode")
    return (
        close.join(source, on="_row")
        .sort("_row", "_rank")
        .select(
            *(pl.col(c).cast(pl.String) for c in ids),
            "company_name",
            "postcode",
            "country",
            "registry_id",
            pl.col("official_name").alias("registry_name"),
            pl.col("_score").round(3).cast(pl.String).alias("score"),
        )
    )
