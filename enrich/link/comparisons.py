"""Comparison levels of record pairs, scored in batches with rapidfuzz (``process.cpdist`` on
aligned arrays — no Python loop per pair).

Each compared field gets a level per pair: 0 for the first (strictest) level the pair meets,
1 for the next …, ``len(levels)`` for "else", and -1 when either value is missing (a missing
value is no evidence either way).

>>> import polars as pl
>>> from enrich.link.settings import Comparison, Level
>>> f = pl.DataFrame({"name": ["dupont", "dupond", "martin", None]})
>>> pairs = pl.DataFrame({"id_l": [0, 0, 0], "id_r": [1, 2, 3]})
>>> c = Comparison("name", (Level("exact"), Level("jaro_winkler", 0.9)))
>>> gammas(f, pairs, [c])["g_name"].to_list()
[1, 2, -1]
"""

from __future__ import annotations

import functools

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Jaro, JaroWinkler, Levenshtein

from ..normalise.text import fold_values, on_unique, tidy
from ..parallel import side_by_side
from .settings import SIMILARITY_KINDS, Comparison, Level

_SCORERS = {
    "jaro_winkler": JaroWinkler.normalized_similarity,
    "jaro": Jaro.normalized_similarity,
    "levenshtein": Levenshtein.distance,
    # a swap of two neighbours is one edit (4117 / 4171); restricted to an edit per letter
    # (optimal string alignment): the same as Damerau's within a distance of 1, faster
    "damerau_levenshtein": OSA.distance,
    "token_set": fuzz.token_set_ratio,  # 0..100
    "ratio": fuzz.ratio,  # 0..100
}


FOLDED, TIDIED = "folded:", "tidied:"
SIDE_BY_SIDE_PAIRS = 5_000_000  # up to this many pairs, two fields are compared at once


def view(
    frame: pl.DataFrame,
    comparisons: list[Comparison],
    keyed: set[str],
    given: dict[str, pl.Series] | None = None,
) -> dict[str, pl.Series]:
    """What linking reads of the records, computed once per column: each blocking-key and
    text-compared column folded (case, accents, punctuation: ``folded:<column>``), each
    compared column whose levels read dates or numbers only tidied (``tidied:<field>``: their
    punctuation means something). *given*: some of these for the first rows already (a
    master's records, from its state), or for all: only the rows after them are computed."""
    given = given or {}
    out = {}

    def part(name: str, column: str, compute) -> pl.Series:
        if name not in given:
            return compute(frame).alias(column)
        first = given[name].cast(pl.String).alias(column)
        if first.len() == frame.height:
            return first
        return pl.concat([first, compute(frame.slice(first.len())).cast(pl.String).alias(column)])

    textual = {c.field for c in comparisons if not c.reads_numbers}
    for column in sorted(keyed | textual):
        out[FOLDED + column] = part(FOLDED + column, column, lambda f, c=column: fold_values(f[c]))
    for c in comparisons:
        if c.reads_numbers:
            out[TIDIED + c.field] = part(
                TIDIED + c.field,
                c.field,
                lambda f, c=c.field: on_unique(
                    f, (c,), lambda u: u.select(tidy(pl.col(c)))
                ).to_series(),
            )
    return out


def prepared(seen: dict[str, pl.Series], comparisons: list[Comparison]) -> pl.DataFrame:
    """The compared columns of a ``view()``, one per comparison."""
    return pl.DataFrame(
        [
            seen[(TIDIED if c.reads_numbers else FOLDED) + c.field].alias(c.field)
            for c in comparisons
        ]
    )


def _scores(level: Level, distinct: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The raw score of each pair of values (distinct[a[i]], distinct[b[i]]) for a *level*:
    a similarity in 0..1, or a distance (edits, days, units; 0 or 1 for the kinds without a
    threshold). Dates, numbers, groups and initials are worked out once per distinct value."""
    kind = level.kind
    if kind in ("date_days", "numeric_abs"):
        x = _numbers(kind, distinct)
        with np.errstate(invalid="ignore"):
            return np.abs(x[a] - x[b])
    if kind == "date_swapped":  # 0: one date is the other with day and month swapped
        return (_day_month_swapped(distinct)[a] != distinct[b]).astype(np.int8)
    if kind == "variants":  # 0: one group of variants (Jan, Jean, John)
        group = _groups(level, distinct)
        return (group[a] != group[b]).astype(np.int8)
    if kind == "initials":  # 0: one is the other's initials (J. P. / Jean-Pierre)
        only, letters = _initials(distinct)
        return (~_initials_agree(only[a], letters[a], only[b], letters[b])).astype(np.int8)
    scores = process.cpdist(distinct[a], distinct[b], scorer=_SCORERS[kind], workers=-1)
    return scores / 100.0 if kind in ("token_set", "ratio") else scores


def level_matrix(
    comp: Comparison, distinct: np.ndarray, start: int = 0, stop: int | None = None
) -> np.ndarray:
    """The level (Int8) of every pair of *distinct* values (``prepared()``, no missing) of
    rows ``start:stop`` against columns ``start:`` (the upper part of the symmetric matrix,
    by row blocks): the same levels as ``gammas`` gives record pairs, scored with
    ``process.cdist`` (much faster per pair than aligned arrays) — for estimating u."""
    stop = len(distinct) if stop is None else stop
    rows, cols = distinct[start:stop], distinct[start:]
    level = np.full((len(rows), len(cols)), len(comp.levels), dtype=np.int8)
    todo = np.ones(level.shape, dtype=bool)
    scored: dict[str, np.ndarray] = {}
    for i, lv in enumerate(comp.levels):
        if lv.kind == "exact":
            ok = np.eye(
                len(rows), len(cols), dtype=bool
            )  # distinct values: only a value and itself
        else:
            if lv.kind not in scored:
                if lv.kind in ("date_days", "numeric_abs"):
                    x = _numbers(lv.kind, cols)
                    with np.errstate(invalid="ignore"):
                        scored[lv.kind] = np.abs(np.subtract.outer(x[: len(rows)], x))
                elif lv.kind == "date_swapped":
                    swapped = _day_month_swapped(rows)
                    scored[lv.kind] = (swapped[:, None] != cols[None, :]).astype(np.int8)
                elif lv.kind in ("variants", "initials"):
                    scored[lv.kind] = _outer(lv, rows, cols)
                else:
                    raw = process.cdist(rows, cols, scorer=_SCORERS[lv.kind], workers=-1)
                    scored[lv.kind] = raw / 100.0 if lv.kind in ("token_set", "ratio") else raw
            ok = _meets(lv, scored[lv.kind])
        ok &= todo
        level[ok] = i
        todo &= ~ok
    return level


def _meets(level: Level, scores: np.ndarray) -> np.ndarray:
    """Boolean array: does each score meet *level*'s threshold? (NaN never does.)"""
    with np.errstate(invalid="ignore"):
        return (
            scores >= level.threshold
            if level.kind in SIMILARITY_KINDS
            else scores <= (level.threshold or 0)  # date_swapped: 0, the swap itself
        )


def _day_month_swapped(values: np.ndarray) -> np.ndarray:
    """Each ISO date YYYY-MM-DD with its day and month swapped (other values: as they are).

    >>> _day_month_swapped(np.array(["1971-06-05", "1971-06-24", "x"], dtype=object)).tolist()
    ['1971-05-06', '1971-24-06', 'x']
    """
    s = pl.Series(values, dtype=pl.String)
    return s.str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", "${1}-${3}-${2}").to_numpy()


def _groups(level: Level, values: np.ndarray) -> np.ndarray:
    """Each (folded) value's group of variants; a value in no group is its own."""
    table = level.table
    if table is None:  # a level made outside a run's rules: the shipped groups
        from ..ruleset import rules_or_default
        from .phonetic import groups_of

        table = groups_of(rules_or_default(None), level.groups)
    return pl.Series(values, dtype=pl.String).replace(table).to_numpy()


def _initials(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(is each folded value initials only — 'j', 'j p' —, the first letters of its words).

    >>> only, letters = _initials(np.array(["j p", "jean pierre", "k"], dtype=object))
    >>> only.tolist(), letters.tolist()
    ([True, False, True], ['jp', 'jp', 'k'])
    """
    words = pl.Series(values, dtype=pl.String).str.split(" ")
    only = words.list.eval(pl.element().str.len_chars() == 1).list.all()
    letters = words.list.eval(pl.element().str.slice(0, 1)).list.join("")
    return only.to_numpy(), letters.to_numpy()


def _initials_agree(only_a, letters_a, only_b, letters_b) -> np.ndarray:
    """Per pair: one side is initials only, and the other's words start with them."""
    frame = pl.DataFrame({"oa": only_a, "la": letters_a, "ob": only_b, "lb": letters_b})
    return (
        frame.select(
            (pl.col("oa") & pl.col("lb").str.starts_with(pl.col("la")))
            | (pl.col("ob") & pl.col("la").str.starts_with(pl.col("lb")))
        )
        .to_series()
        .to_numpy()
    )


def _outer(level: Level, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """0/1 scores of every (row, column) pair of distinct values for the kinds without a
    threshold that read groups or initials (0: the level is met)."""
    if level.kind == "variants":
        group = _groups(level, cols)  # rows are cols' first values
        return (group[: len(rows), None] != group[None, :]).astype(np.int8)
    only, letters = _initials(cols)  # few values are initials: a loop over those
    letters = letters.astype(str)
    miss = np.ones((len(rows), len(cols)), dtype=np.int8)
    for i in np.flatnonzero(only[: len(rows)]):
        miss[i, np.char.startswith(letters, letters[i])] = 0
    for j in np.flatnonzero(only):
        miss[np.char.startswith(letters[: len(rows)], letters[j]), j] = 0
    return miss


def _numbers(kind: str, values: np.ndarray) -> np.ndarray:
    s = pl.Series(values, dtype=pl.String)
    if kind == "date_days":
        from ..normalise.dates import parse

        days = pl.select(parse(pl.lit(s)).cast(pl.Int64)).to_series()
        return days.cast(pl.Float64).fill_null(np.nan).to_numpy()
    return (
        s.str.replace_all(r"[^0-9.\-]", "")
        .cast(pl.Float64, strict=False)
        .fill_null(np.nan)
        .to_numpy()
    )


def _encode(series: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, -1 when missing; the distinct values, indexed by code)."""
    distinct = series.drop_nulls().unique().sort()
    codes = (
        series.to_frame("v")
        .join(
            distinct.to_frame("v").with_row_index("code"), on="v", how="left", maintain_order="left"
        )["code"]
        .cast(pl.Int64)
        .fill_null(-1)
        .to_numpy()
    )
    return codes, distinct.to_numpy()


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, index of each key among them) — like ``np.unique(return_inverse=True)``
    but by polars' parallel dense rank, several times faster on tens of millions of pairs."""
    if keys.size == 0:
        return keys, keys
    inverse = pl.Series(keys).rank("dense").cast(pl.Int64).to_numpy() - 1
    distinct = np.empty(int(inverse.max()) + 1, dtype=keys.dtype)
    distinct[inverse] = keys
    return distinct, inverse


def gammas(
    values: pl.DataFrame, pairs: pl.DataFrame, comparisons: list[Comparison]
) -> pl.DataFrame:
    """``id_l, id_r`` and one ``g_<field>`` Int8 column per comparison. *values* is indexed by
    record id (row i = id i), already ``prepared()``.

    Each field is compared once per distinct pair of values, not once per record pair: the
    values become dictionary codes, exact equality is code equality, and the scorers run on
    the distinct (unordered) code pairs only — "bruxelles"/"bruxelle" is scored once however
    many record pairs carry it.

    A comparison with ``swap_with`` (first and last name) is also compared crosswise: where
    the crossed values agree better (the sum of both fields' levels is lower), the pair gets
    the crossed levels — "Jean Dupont" / "Dupont Jean" agree on both names. A comparison
    ``shared_by`` another takes its levels "at one home" (``Comparison.split`` on) where that
    other is at one of its first ``shared_levels`` levels (a family's surname tells little
    there: those levels have an m and u of their own)."""
    left_idx = pairs["id_l"].cast(pl.Int64).to_numpy()
    right_idx = pairs["id_r"].cast(pl.Int64).to_numpy()
    out = {"id_l": pairs["id_l"], "id_r": pairs["id_r"]}
    seen = np.zeros(values.height, dtype=bool)
    seen[left_idx] = True
    seen[right_idx] = True
    used = np.flatnonzero(seen)  # sorted
    if (
        used.size < values.height // 2
    ):  # few records in pairs (linking a new file to a master): encode only those
        values = values[used]
        position = np.cumsum(seen) - 1  # a record's place among the used ones
        left_idx, right_idx = position[left_idx], position[right_idx]

    def field_levels(comp: Comparison) -> np.ndarray:
        codes, distinct = _encode(values[comp.field])
        return _pair_levels(comp, codes[left_idx], codes[right_idx], distinct)

    # two fields side by side when the pairs are few (a new file against a master): much of a
    # field's work is numpy on one core; tens of millions of pairs are too many to hold twice
    workers = 2 if pairs.height <= SIDE_BY_SIDE_PAIRS else 1
    steps = [functools.partial(field_levels, comp) for comp in comparisons]
    level = dict(zip((c.field for c in comparisons), side_by_side(*steps, workers=workers)))
    by_field = {c.field: c for c in comparisons}
    for comp in comparisons:
        if comp.swap_with:
            _swap(comp, by_field[comp.swap_with], values, left_idx, right_idx, level)
    for comp in comparisons:
        if comp.shared_by:  # levels of their own where the sharing field agrees
            whole, own = level[comp.shared_by], level[comp.field]
            shared = (whole >= 0) & (whole < comp.shared_levels) & (own >= 0)
            level[comp.field] = np.where(shared, own + comp.split, own).astype(np.int8)
        out[f"g_{comp.field}"] = pl.Series(level[comp.field], dtype=pl.Int8)
    return pl.DataFrame(out)


def _pair_levels(
    comp: Comparison, cl: np.ndarray, cr: np.ndarray, distinct: np.ndarray
) -> np.ndarray:
    """The level (Int8, -1 when a value is missing) of each pair of value codes (cl[i], cr[i])."""
    present = (cl >= 0) & (cr >= 0)
    if all(lv.kind == "exact" for lv in comp.levels):  # code equality is all it takes
        return np.where(present, np.where(cl == cr, 0, len(comp.levels)), -1).astype(np.int8)
    level = np.full(len(cl), -1, dtype=np.int8)
    if comp.levels[0].kind == "exact":  # equal values need no scorer (often most pairs)
        same = present & (cl == cr)
        level[same] = 0
        present &= ~same
    # every scorer is symmetric: order each pair so (a, b) and (b, a) are scored once
    lo, hi = np.minimum(cl[present], cr[present]), np.maximum(cl[present], cr[present])
    width = max(len(distinct), 1)
    key, inverse = _distinct(lo * width + hi)
    a, b = key // width, key % width
    unique_level = np.full(len(key), len(comp.levels), dtype=np.int8)
    todo = np.arange(len(key))
    scored: dict[str, np.ndarray] = {}  # per scorer, over all pairs: several thresholds, one pass
    for i, lv in enumerate(comp.levels):
        if todo.size == 0:
            break
        if lv.kind == "exact":
            ok = a[todo] == b[todo]
        else:
            if lv.kind not in scored:  # the pairs still to place: later levels only shrink them
                raw = _scores(lv, distinct, a[todo], b[todo])
                # the scorer's own dtype and precision; only positions in todo are ever read
                scored[lv.kind] = np.zeros(len(key), dtype=raw.dtype)
                scored[lv.kind][todo] = raw
            ok = _meets(lv, scored[lv.kind][todo])
        unique_level[todo[ok]] = i
        todo = todo[~ok]
    level[present] = unique_level[inverse.ravel()]
    return level


def _swap(
    comp: Comparison,
    other: Comparison,
    values: pl.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
    level: dict[str, np.ndarray],
) -> None:
    """Give the pairs whose two fields agree better crosswise (left's *comp* with right's
    *other*, left's *other* with right's *comp*), both of them at a level, the crossed levels,
    in place."""
    f, o = comp.field, other.field
    lf, lo = level[f], level[o]
    todo = np.flatnonzero((lf > 0) & (lo > 0))  # both present, neither exact: else in place wins
    if todo.size == 0:
        return
    n = values.height
    codes, distinct = _encode(pl.concat([values[f], values[o]]))  # one code space for both
    code_f, code_o = codes[:n], codes[n:]
    a, b = left[todo], right[todo]
    cf = _pair_levels(comp, code_f[a], code_o[b], distinct)
    co = _pair_levels(other, code_o[a], code_f[b], distinct)
    better = cf.astype(np.int16) + co < lf[todo].astype(np.int16) + lo[todo]
    # both must agree crosswise: "Manva Pieter" (swapped) and "Jens Manva" share a surname
    # only — a family's, not one person's names
    better &= (cf < len(comp.levels)) & (co < len(other.levels))
    lf[todo[better]] = cf[better]
    lo[todo[better]] = co[better]
