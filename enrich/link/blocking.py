"""Candidate pairs from blocking rules: records that share a key are compared, others not.

Several rules are OR-ed and their pairs de-duplicated (a pair keeps the first rule that
found it). A block bigger than ``max_block_size`` is skipped and reported: one key shared by
thousands of records ("info@", an empty-looking value) would otherwise explode the pairs.

>>> import polars as pl
>>> from enrich.link.settings import Blocking
>>> f = pl.DataFrame({"__id": [0, 1, 2, 3], "pc": ["1000", "1000", "9000", None], "name": ["Dupont", "DUPOND", "Dupont", "Dupont"]})
>>> pairs, report = candidate_pairs(f, [Blocking("pc+name", ("pc", "prefix(name, 3)"))], 100)
>>> pairs.rows(), report["rules"]["pc+name"]["pairs"]
([(0, 1, 'pc+name')], 1)
"""

from __future__ import annotations

import polars as pl

from ..normalise.text import fold
from .settings import Blocking, parse_key

ID = "__id"


def key_expr(key: str) -> pl.Expr:
    """The polars expression of one blocking key (folded: case and accents do not split blocks)."""
    fn, column, arg = parse_key(key)
    col = fold(pl.col(column).cast(pl.String))
    if fn is None:
        return col
    if fn == "prefix":
        return col.str.slice(0, arg or 3)
    if fn == "suffix":
        return col.str.slice(-(arg or 3))
    if fn == "digits":
        return col.str.replace_all(r"[^0-9]", "").replace("", None)
    if fn == "first_token":
        return col.str.split(" ").list.first()
    if fn == "last_token":
        return col.str.split(" ").list.last()
    if fn == "sorted_tokens":
        return col.str.split(" ").list.sort().list.join(" ")
    raise ValueError(f"unknown key function {fn}")  # settings.parse() has checked already


def candidate_pairs(frame: pl.DataFrame, rules: list[Blocking], max_block_size: int) -> tuple[pl.DataFrame, dict]:
    """(pairs ``id_l < id_r`` with the rule that found them, report per rule)."""
    found = []
    report: dict = {"rules": {}}
    for rule in rules:
        parts = [key_expr(k) for k in rule.keys]
        key = pl.when(pl.all_horizontal([p.is_not_null() & (p != "") for p in parts])).then(
            pl.concat_str(parts, separator="\x1f")
        )
        keyed = frame.lazy().select(ID, key.alias("_k")).drop_nulls("_k").collect()
        sizes = keyed.group_by("_k").len()
        too_big = sizes.filter(pl.col("len") > max_block_size)
        keyed = keyed.join(too_big.select("_k"), on="_k", how="anti")
        pairs = (
            keyed.join(keyed, on="_k", suffix="_r")
            .filter(pl.col(ID) < pl.col(f"{ID}_r"))
            .select(pl.col(ID).alias("id_l"), pl.col(f"{ID}_r").alias("id_r"))
            .with_columns(pl.lit(rule.name).alias("rule"))
        )
        report["rules"][rule.name] = {
            "pairs": pairs.height,
            "blocks_skipped": too_big.height,
            "records_in_skipped_blocks": int(too_big["len"].sum() or 0),
        }
        found.append(pairs)
    all_pairs = (
        pl.concat(found)
        .unique(["id_l", "id_r"], keep="first", maintain_order=True)
        .sort("id_l", "id_r")
    )
    report["pairs"] = all_pairs.height
    return all_pairs, report
