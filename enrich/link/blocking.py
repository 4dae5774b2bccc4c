"""Candidate pairs from blocking rules: records that share a key are compared, others not.

Several rules are OR-ed and their pairs de-duplicated: a pair keeps the first rule that
found it (``rule``) and a bit mask of every rule that found it (``rules``, bit i = rule i), so
a model can learn from each rule's own pairs without the earlier rules' pairs missing.

A block bigger than ``max_block_size`` (the rule's own, else the level's) is skipped and
reported: one key shared by thousands of records ("info@", an empty-looking value) would
otherwise explode the pairs. A loose key (a name prefix in a postcode) deserves a small
bound: its blocks grow with the file, and their pairs with the square of it.

>>> import polars as pl
>>> from enrich.link.settings import Blocking
>>> f = pl.DataFrame({"__id": [0, 1, 2, 3], "pc": ["1000", "1000", "9000", None], "name": ["Dupont", "DUPOND", "Dupont", "Dupont"]})
>>> pairs, report = candidate_pairs(f, [Blocking("pc+name", ("pc", "prefix(name, 3)"))], 100)
>>> pairs.rows(), report["rules"]["pc+name"]["pairs"]
([(0, 1, 'pc+name', 1)], 1)
"""

from __future__ import annotations

import functools

import numpy as np
import polars as pl

from ..normalise.text import fold_values
from ..parallel import side_by_side
from .settings import STEWARD, Blocking, parse_key

ID = "__id"


def key_expr(key: str) -> pl.Expr:
    """The polars expression of one blocking key, on a column already folded (case and
    accents do not split blocks: see ``candidate_pairs``)."""
    fn, column, arg = parse_key(key)
    col = pl.col(column)
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


def _block_pairs(
    keyed: pl.DataFrame, flag: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of ids inside each block of ``keyed`` (``__id, _k``), lower id first —
    generated straight from the sorted blocks, without a self-join. With *flag* (a boolean
    per id): only the pairs holding a flagged id, each once — a block of 100 master
    records and one new record gives 100 pairs, not 5,050."""
    keyed = keyed.sort("_k", ID)
    ids = keyed[ID].to_numpy().astype(np.int64)
    block = keyed["_k"].rle_id().to_numpy()
    if ids.size == 0:
        return ids, ids
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    sizes = np.diff(np.r_[starts, ids.size])
    if flag is not None:
        new = flag[ids]
        mine = np.flatnonzero(new)  # each flagged record against every other of its block
        span = sizes[block[mine]]
        left_pos = np.repeat(mine, span)
        right_pos = np.repeat(starts[block[mine]] - np.cumsum(span) + span, span) + np.arange(
            left_pos.size
        )
        keep = (right_pos != left_pos) & (
            ~new[right_pos] | (right_pos > left_pos)
        )  # two flagged: once
        left, right = ids[left_pos[keep]], ids[right_pos[keep]]
        return np.minimum(left, right), np.maximum(left, right)
    position = np.arange(ids.size) - np.repeat(starts, sizes)
    later = np.repeat(sizes, sizes) - position - 1  # records after each one in its block
    left_pos = np.repeat(np.arange(ids.size), later)
    first_of_run = np.repeat(np.cumsum(later) - later, later)
    right_pos = left_pos + 1 + (np.arange(left_pos.size) - first_of_run)
    left, right = ids[left_pos], ids[right_pos]  # ids ascend inside a block: left < right
    return left, right


def candidate_pairs(
    frame: pl.DataFrame,
    rules: list[Blocking],
    max_block_size: int,
    only_with: pl.Series | None = None,
    folded: dict[str, pl.Series] | None = None,
) -> tuple[pl.DataFrame, dict]:
    """(pairs ``id_l < id_r`` with the first rule that found them and the mask of all, report per rule).

    *only_with* (a boolean per record): only pairs with at least one such record — a new file
    against a master: blocks without a new record are never expanded (nor reported). *folded*: key columns
    already folded (by ``fold_values``), shared with the comparisons."""
    if len(rules) > 64 or frame.height >= 1 << 28:
        raise ValueError("at most 64 blocking rules and 2^28 records")  # the mask is 64 bits
    n = max(frame.height, 1)
    columns = sorted({parse_key(k)[1] for rule in rules for k in rule.keys})
    folded = folded or {}
    frame = pl.DataFrame(
        [frame[ID], *(folded[c] if c in folded else fold_values(frame[c]) for c in columns)]
    )
    flag = None
    if only_with is not None:
        frame = frame.with_columns(only_with.alias("_new"))
        flag = only_with.to_numpy()
    # the rules side by side when pairs hold a flagged record (they are few): part of each
    # rule's work is numpy on one core; a whole file's pairs are too many to hold two rules' at once
    steps = [
        functools.partial(_rule_pairs, frame, i, rule, max_block_size, n, flag)
        for i, rule in enumerate(rules)
    ]
    done = side_by_side(*steps, workers=2 if flag is not None else 1)
    report: dict = {"rules": {rule.name: counts for rule, (_, counts) in zip(rules, done)}}
    all_pairs = _first_rule_and_mask([pairs for pairs, _ in done], rules, n)
    report["pairs"] = all_pairs.height
    return all_pairs, report


def _rule_pairs(
    frame: pl.DataFrame,
    bit: int,
    rule: Blocking,
    max_block_size: int,
    n: int,
    flag: np.ndarray | None,
) -> tuple[np.ndarray, dict]:
    """The pairs one rule finds in *frame* (``__id``, the folded key columns, ``_new`` with
    *flag*), each with the rule's *bit* in one int64 (n < 2^28), and the rule's counts."""
    parts = [key_expr(k) for k in rule.keys]
    # the key's 64-bit hash: sorting and grouping numbers is much faster than strings (two
    # keys colliding would only put two blocks together: more pairs compared, none lost)
    key = pl.when(pl.all_horizontal([p.is_not_null() & (p != "") for p in parts])).then(
        pl.concat_str(parts, separator="\x1f").hash(seed=0)
    )
    keyed = (
        frame.lazy()
        .select(ID, key.alias("_k"), *(["_new"] if flag is not None else []))
        .drop_nulls("_k")
    )
    if (
        flag is not None
    ):  # the blocks holding a flagged record, whole; the others are never looked at
        keyed = keyed.filter(
            pl.col("_k").is_in(keyed.filter("_new").select("_k").unique().collect()["_k"].implode())
        )
    keyed = keyed.collect()
    sizes = keyed.group_by("_k").len()
    too_big = sizes.filter(pl.col("len") > (rule.max_block_size or max_block_size))
    keyed = keyed.join(too_big.select("_k"), on="_k", how="anti")
    left, right = _block_pairs(keyed, flag)
    counts = {
        "pairs": int(left.size),
        "blocks_skipped": too_big.height,
        "records_in_skipped_blocks": int(too_big["len"].sum() or 0),
    }
    return (left * n + right) * 64 + bit, counts


def _first_rule_and_mask(found: list[np.ndarray], rules: list[Blocking], n: int) -> pl.DataFrame:
    """One row per pair out of every rule's (pair, bit) numbers: the first rule that found
    it and the mask of all that did."""
    # sorted by pair then rule, the first row of each run has the first rule that found it,
    # and the OR of the runs' bits is the mask (faster than a group-by)
    ordered = pl.Series(np.concatenate(found) if found else np.empty(0, np.int64)).sort().to_numpy()
    pair, rule = ordered >> 6, ordered & 63
    starts = (
        np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if pair.size else np.empty(0, np.int64)
    )
    mask = (
        np.bitwise_or.reduceat(np.left_shift(np.uint64(1), rule.astype(np.uint64)), starts)
        if pair.size
        else np.empty(0, np.uint64)
    )
    names = [r.name for r in rules]
    rule_names = pl.Series(names, dtype=pl.Enum([*names, STEWARD]))
    return pl.DataFrame(
        {
            "id_l": (pair[starts] // n).astype(np.uint32),
            "id_r": (pair[starts] % n).astype(np.uint32),
            # an enum: tens of millions of pairs share a handful of rule names
            "rule": rule_names.gather(rule[starts]),
            "rules": mask,
        }
    )
