"""The scored pairs of a dedupe run as tables: all of them (pairs.parquet), and the grey-zone
decisions a steward makes (review.csv)."""

from __future__ import annotations

import polars as pl

from .levels import Dedupe

FIRST = (
    "source_file_l",
    "source_row_l",
    "source_file_r",
    "source_row_r",
    "match_probability",
    "match_weight",
    "band",
    "rule",
)


def pairs_table(
    result: Dedupe,
    level: str,
    pairs: pl.DataFrame | None = None,
    fields: tuple[str, ...] = (),
    with_ids: bool = False,
) -> pl.DataFrame:
    """Scored pairs of *level* (all, or *pairs*, some of them) with both records named by
    source file and row, in input order (the record ids follow it), and the values of
    *fields* of both records (``<field>_l``, ``<field>_r``); *with_ids*: the records' ids
    in the level too (``_id_l``, ``_id_r``, last). The records are taken by
    position: work in proportion to the pairs, not to the records."""
    res, rows = result.results[level], result.rows[level]
    pairs = res.weighed(res.pairs if pairs is None else pairs)
    pairs = pairs.with_columns(pl.col("id_l").cast(pl.UInt32), pl.col("id_r").cast(pl.UInt32)).sort(
        "id_l", "id_r"
    )
    sides = []
    for side in ("l", "r"):
        at = rows.gather(pairs[f"id_{side}"])  # the records' rows in the result
        sides.append(
            result.frame.select("source_file", pl.col("source_row").cast(pl.Int64))
            .select(pl.all().gather(at))
            .rename({"source_file": f"source_file_{side}", "source_row": f"source_row_{side}"})
        )
        if fields:
            sides.append(
                result.derived.select(pl.col(f).gather(at).alias(f"{f}_{side}") for f in fields)
            )
    pairs = pl.concat([pairs, *sides], how="horizontal")
    # each level has its own rule names
    pairs = pairs.with_columns(pl.col("rule").cast(pl.Categorical))
    ids = [pl.col("id_l").alias("_id_l"), pl.col("id_r").alias("_id_r")] if with_ids else []
    return pairs.select(
        pl.lit(level).alias("level"), *FIRST, pl.exclude(["id_l", "id_r", *FIRST]), *ids
    )


def review_table(result: Dedupe) -> pl.DataFrame:
    """The grey-zone decisions: one pair per two clusters that review-band pairs join
    (``LinkResult.review``, see ``engine.review_pairs``), led by an empty ``decision``
    column for the steward (match / no_match), the pair (level, both sides' file and row),
    the two records' key fields side by side (``a_company``, ``b_company`` … ``KEYS``), then
    the score, how many review pairs it stands for and the per-field evidence."""
    tables = []
    for level, res in result.results.items():
        fields = res.model.fields
        pairs = pairs_table(result, level, res.review, tuple(fields), with_ids=True)
        keys = _key_fields(result, level, pairs)
        evidence = [c for f in fields for c in (f"{f}_l", f"{f}_r", f"w_{f}")]
        tables.append(
            pairs.select(
                pl.lit("").alias("decision"),
                "level",
                *FIRST[:4],
            )
            .hstack(keys)
            .hstack(
                pairs.select(
                    pl.col("match_probability").round(4),
                    pl.col("match_weight").round(2),
                    "pairs_between",
                    *[pl.col(c).round(2) if c.startswith("w_") else pl.col(c) for c in evidence],
                )
            )
        )
    return pl.concat(tables, how="diagonal_relaxed") if tables else pl.DataFrame()


KEYS = {  # the key fields review.csv shows of both records: column → its value
    "company": pl.col("company_name"),
    "person": pl.concat_str("first_name", "last_name", separator=" ", ignore_nulls=True),
    "email": pl.col("email"),
    "phone": pl.concat_str("phone", "mobile", separator=" ; ", ignore_nulls=True),
    "address": pl.concat_str(
        pl.concat_str("street", "house_number", "box", separator=" ", ignore_nulls=True),
        pl.concat_str("postcode", "city", separator=" ", ignore_nulls=True),
        "country",
        separator=", ",
        ignore_nulls=True,
    ),
    "ids": pl.concat_str(
        pl.coalesce("vat_formatted", "vat", "enterprise_number", "siren"),
        "siret",
        "kvk",
        separator=" ; ",
        ignore_nulls=True,
    ),
}


def _key_fields(result: Dedupe, level: str, pairs: pl.DataFrame) -> pl.DataFrame:
    """The KEYS of both records of each of *pairs* (in its order), ``a_<key>`` beside
    ``b_<key>``; a key whose columns the rows do not have (another schema) is left out."""
    have = set(result.frame.columns)
    keys = {name: expr for name, expr in KEYS.items() if set(expr.meta.root_names()) <= have}
    rows = result.rows[level]
    at = {"a": rows.gather(pairs["_id_l"]), "b": rows.gather(pairs["_id_r"])}
    sides = {
        side: result.frame.select(pl.all().gather(idx)).select(
            expr.alias(f"{side}_{name}") for name, expr in keys.items()
        )
        for side, idx in at.items()
    }
    return pl.DataFrame(
        [sides[side][f"{side}_{name}"].replace("", None) for name in keys for side in ("a", "b")]
    )


def all_pairs(result: Dedupe) -> pl.DataFrame:
    """The scored pairs of every level in one table."""
    return pl.concat(
        [pairs_table(result, level) for level in result.results], how="diagonal_relaxed"
    )


def kept_pairs(result: Dedupe) -> pl.DataFrame:
    """The scored pairs a master keeps for ``enrich explain`` (pairs.parquet): those in the
    review band or above — a small share of all candidate pairs — with their evidence, the
    weights as 32-bit floats (explain shows two decimals): half the bytes."""
    kept = pl.concat(
        [
            pairs_table(result, level, res.pairs.filter(pl.col("band") != "non_match"))
            for level, res in result.results.items()
        ],
        how="diagonal_relaxed",
    )
    return kept.with_columns(pl.col(pl.Float64).cast(pl.Float32))
