"""The linking part of a report (master and dedupe runs), per level: the distribution of the
scored pairs' match weights with the review and match thresholds drawn on it, the size of
the clusters, and a few merged and review pairs explained as Splink explains one — a
waterfall of per-field match weights (``LinkResult.weighed``, as ``enrich explain``).

A pair is shown by its field verdicts ("name = jaro_winkler>=0.9") and weights, never by
its values; the default page names its two entities by id (stable from run to run), a
redacted one not even that. The pairs shown are picked by what is shown (weight, ids,
verdicts), so the same run gives the same page whatever the order of the input rows.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from . import charts
from .page import figure, table

SAMPLE = 3  # pairs shown per band and level


def weight_of(p: float) -> float:
    """The match weight of a match probability (its log-odds in bits).

    >>> weight_of(0.5), round(weight_of(0.95), 2)
    (0.0, 4.25)
    """
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def level_section(linked, level: str, sizes: pl.Series, noun: str, redact: bool) -> str:
    """The HTML of one linking *level* of a ``Dedupe`` (*linked*): scores, *sizes* (records
    per entity), sample pairs."""
    res = linked.results[level]
    parts = []
    if res.pairs is None:  # a master an erasure wrote: nothing was linked
        parts.append("<p>No pairs scored by this run.</p>")
    else:
        parts.append(_scores(res, level))
    parts.append(_sizes(sizes, noun))
    if res.pairs is not None and res.pairs.height:
        parts.append(_samples(linked, level, redact))
    return "".join(parts)


def _scores(res, level: str) -> str:
    pairs = res.pairs
    held = (res.report or {}).get("thresholds") or {"match": 0.95, "review": 0.5}
    bands = dict(pairs["band"].cast(pl.String).value_counts().iter_rows())
    line = table(
        ["scored pairs", "match", "review", "non-match", "match threshold", "review threshold"],
        [
            [
                f"{pairs.height:,}",
                f"{bands.get('match', 0):,}",
                f"{bands.get('review', 0):,}",
                f"{bands.get('non_match', 0):,}",
                f"p ≥ {held['match']:g}",
                f"p ≥ {held['review']:g}",
            ]
        ],
    )
    if not pairs.height:
        return line + "<p>No candidate pairs: no blocking rule put two records together.</p>"
    w = pairs["match_weight"].fill_null(0.0).to_numpy()
    marks = {
        f"review p≥{held['review']:g}": weight_of(held["review"]),
        f"match p≥{held['match']:g}": weight_of(held["match"]),
    }
    lo = math.floor(min(w.min(), *marks.values()) - 0.5)
    hi = math.ceil(max(w.max(), *marks.values()) + 0.5)
    step = max(1, math.ceil((hi - lo) / 40))
    edges = np.arange(lo, hi + step, step, dtype=float)
    counts, _ = np.histogram(w, bins=edges)
    svg = charts.histogram(
        [int(c) for c in counts],
        [float(e) for e in edges],
        marks,
        title=f"{level}: match weight of the scored pairs",
        axis="match weight (bits; probability = 1 / (1 + 2^−weight)); count on a log scale",
    )
    return line + figure(
        f"Scored {level} pairs by match weight: grey below the review threshold, amber "
        "review, green match; dashed lines: the thresholds",
        svg,
    )


def _sizes(sizes: pl.Series, noun: str) -> str:
    per = sizes.drop_nulls()
    bands = [
        ("1 row", per == 1),
        ("2 rows", per == 2),
        ("3 rows", per == 3),
        ("4–9 rows", (per >= 4) & (per <= 9)),
        ("10+ rows", per >= 10),
    ]
    rows = [(k, int(mask.sum())) for k, mask in bands]
    return figure(
        f"{_plural(noun).title()} by the number of input rows merged into each "
        f"({per.len():,} {_plural(noun)})",
        charts.bars(rows, title=f"rows per {noun}"),
    )


def _samples(linked, level: str, redact: bool) -> str:
    """A few merged pairs and a few the steward reviews, each with its waterfall."""
    from ..link.review import pairs_table

    res = linked.results[level]
    out = []
    band = res.pairs.filter(pl.col("band") == "review")
    for label, pairs in (
        ("Merged pairs", res.pairs.filter(pl.col("band") == "match")),
        ("Review pairs (review.csv)", res.review)
        if res.review.height
        else ("Review-band pairs (joined by other matches: none for review.csv)", band),
    ):
        if not pairs.height:
            out.append(f"<h3>{label.split(' (')[0]}</h3><p>None at this level.</p>")
            continue
        shown = _pick(linked, level, pairs.select(res.pairs.columns))
        weighed = pairs_table(linked, level, shown).sort(["match_weight", "_a", "_b"])
        out.append(f"<h3>{label} ({pairs.height:,} in all; {weighed.height} shown)</h3>")
        out += [_pair(r, res.model, level, redact) for r in weighed.iter_rows(named=True)]
    return "".join(out)


def _entity(linked, level: str, ids: pl.Series) -> pl.Series:
    """The entity id (company_id …) of records *ids* of *level*, or nulls."""
    column = f"{level}_id"
    if column not in linked.frame.columns:
        return pl.Series([None] * ids.len(), dtype=pl.String)
    at = linked.rows[level].gather(ids.cast(pl.UInt32))
    return linked.frame[column].cast(pl.String).gather(at)


def _keyed(linked, level: str, pairs: pl.DataFrame) -> pl.DataFrame:
    a, b = _entity(linked, level, pairs["id_l"]), _entity(linked, level, pairs["id_r"])
    g = [c for c in pairs.columns if c.startswith("g_")]
    return pairs.with_columns(
        pl.min_horizontal(a, b).alias("_a"), pl.max_horizontal(a, b).alias("_b")
    ).sort(["match_weight", "_a", "_b", *g], nulls_last=True)


def _pick(linked, level: str, pairs: pl.DataFrame) -> pl.DataFrame:
    """The weakest, the middle and the strongest pair (by weight, then by what is shown)."""
    keyed = _keyed(linked, level, pairs)
    n = keyed.height
    at = sorted({0, n // 2, n - 1})[:SAMPLE]
    return keyed[at]


def _pair(r: dict, model, level: str, redact: bool) -> str:
    steps = [("prior (λ)", r.get("w_prior") or 0.0)]
    for f in model.fields:
        g = r.get(f"g_{f}")
        verdict = "missing" if g is None or g < 0 else model.levels[f][g]
        steps.append((f"{f} = {verdict}", r.get(f"w_{f}") or 0.0))
    who = (
        ""
        if redact or r["_a"] is None
        else (f"{r['_a']}" if r["_a"] == r["_b"] else f"{r['_a']} and {r['_b']}")
    )
    head = (
        f"match weight {charts.number(r['match_weight'] or 0.0, 2)}, probability "
        f"{r['match_probability']:.4f}, blocked by rule {r['rule']}"
        + (f" — {level} {who}" if who else "")
    )
    return figure(head, charts.waterfall(steps, f"{level} pair: per-field match weights"))


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
