"""Clusters from scored pairs: strongest edges first, never through a cannot-link, never
beyond a size bound — so one bad edge cannot chain hundreds of records together.

This is connected components built greedily (a maximum spanning forest): edges above the
match threshold are taken by decreasing probability (ties by ids, so the result does not
depend on input order); an edge that would join two groups holding different values of a
cannot-link column (two different valid VAT numbers), or make a group bigger than
``max_size``, is refused and counted. The cluster id is the smallest record id in it.

>>> import polars as pl
>>> edges = pl.DataFrame({"id_l": [0, 1, 2], "id_r": [1, 2, 3], "match_probability": [0.99, 0.97, 0.98]})
>>> keys = pl.DataFrame({"vat": ["BE1", None, None, "BE2"]})
>>> ids, report = cluster(4, edges, 0.95, keys, max_size=10)
>>> ids.to_list(), report["refused_cannot_link"]
([0, 0, 2, 2], 1)
"""

from __future__ import annotations

import numpy as np
import polars as pl


def cluster(
    n: int,
    edges: pl.DataFrame,
    threshold: float,
    cannot_link: pl.DataFrame | None = None,
    max_size: int = 50,
    apart: list[tuple[int, int]] | None = None,
) -> tuple[pl.Series, dict]:
    """(cluster id per record 0..n-1, report). *apart*: record pairs a steward said are not
    the same — they never end in one cluster, even through other records."""
    strong = edges.filter(pl.col("match_probability") >= threshold).sort(
        ["match_probability", "id_l", "id_r"], descending=[True, False, False]
    )
    parent = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    # per root: the set of cannot-link values its records carry (only for records with one)
    keys: dict[int, frozenset] = {}
    if cannot_link is not None and cannot_link.width:
        for i, row in enumerate(cannot_link.iter_rows()):
            values = frozenset((c, v) for c, v in zip(cannot_link.columns, row) if v is not None)
            if values:
                keys[i] = values

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    # per root: the records in it that have a "keep apart" partner, and those partners
    tagged: dict[int, set[int]] = {}
    banned: dict[int, set[int]] = {}
    for a, b in apart or []:
        tagged.setdefault(a, set()).add(a)
        tagged.setdefault(b, set()).add(b)
        banned.setdefault(a, set()).add(b)
        banned.setdefault(b, set()).add(a)
    refused_cl = refused_size = merged = 0
    for a, b in zip(strong["id_l"].to_list(), strong["id_r"].to_list()):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ka, kb = keys.get(ra, frozenset()), keys.get(rb, frozenset())
        if _conflict(ka, kb) or banned.get(ra, set()) & tagged.get(rb, set()) or banned.get(rb, set()) & tagged.get(ra, set()):
            refused_cl += 1
            continue
        if size[ra] + size[rb] > max_size:
            refused_size += 1
            continue
        if ra > rb:
            ra, rb = rb, ra  # keep the smaller id as the root
        parent[rb] = ra
        size[ra] += size[rb]
        if ka or kb:
            keys[ra] = ka | kb
        keys.pop(rb, None)
        for table in (tagged, banned):
            if rb in table:
                table.setdefault(ra, set()).update(table.pop(rb))
        merged += 1
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    ids = pl.Series("cluster_id", roots)
    sizes = ids.value_counts()["count"]
    report = {
        "edges_above_threshold": strong.height,
        "merges": merged,
        "refused_cannot_link": refused_cl,
        "refused_size": refused_size,
        "clusters": int(ids.n_unique()),
        "largest_cluster": int(sizes.max() or 0),
    }
    return ids, report


def _conflict(a: frozenset, b: frozenset) -> bool:
    """Two groups conflict when they hold different values of the same cannot-link column."""
    if not a or not b:
        return False
    cols_a = {c for c, _ in a}
    return any(c in cols_a and (c, v) not in a for c, v in b)


def pairwise_scores(predicted: pl.Series, truth: pl.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true entities."""

    def pairs(counts: pl.Series) -> int:
        c = counts.cast(pl.Int64)
        return int((c * (c - 1) // 2).sum())

    frame = pl.DataFrame({"p": predicted, "t": truth})
    predicted_pairs = pairs(frame.group_by("p").len()["len"])
    true_pairs = pairs(frame.group_by("t").len()["len"])
    hits = pairs(frame.group_by("p", "t").len()["len"])
    precision = hits / predicted_pairs if predicted_pairs else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted_pairs": predicted_pairs, "true_pairs": true_pairs}
