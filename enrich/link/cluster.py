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


def shared_value_edges(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Edges (a, b) uniting, per column of *frame*, the records that share a non-null value:
    each record to the group's first one and to the one before it (two edges per record, so
    one member that a cannot-link keeps out does not cut the others off)."""
    lefts, rights = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for c in frame.columns:
        members = frame.select(pl.col(c)).with_row_index("_i").drop_nulls(c).sort(c, "_i")
        group = members[c].rle_id().to_numpy()
        ids = members["_i"].cast(pl.Int64).to_numpy()
        if ids.size == 0:
            continue
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        first = ids[starts][group]  # rle_id numbers the groups 0, 1, 2 …
        later = np.flatnonzero(np.r_[False, group[1:] == group[:-1]])
        lefts += [first[later], ids[later - 1]]
        rights += [ids[later], ids[later]]
    return np.concatenate(lefts), np.concatenate(rights)


def cluster(
    n: int,
    edges: pl.DataFrame,
    threshold: float,
    cannot_link: pl.DataFrame | None = None,
    max_size: int = 50,
    apart: list[tuple[int, int]] | None = None,
    must_link: pl.DataFrame | None = None,
) -> tuple[pl.Series, dict]:
    """(cluster id per record 0..n-1, report). *apart*: record pairs a steward said are not
    the same — they never end in one cluster, even through other records. *must_link*:
    columns whose shared value makes records one entity (the same valid VAT number; a
    master's cluster id) — united first, whatever their scores and beyond the size bound,
    but never through a cannot-link conflict."""
    if cannot_link is not None and not cannot_link.width:
        cannot_link = None
    strong = edges.filter(pl.col("match_probability") >= threshold)
    left, right = strong["id_l"].cast(pl.Int64).to_numpy(), strong["id_r"].cast(pl.Int64).to_numpy()
    ml_left, ml_right = (
        shared_value_edges(must_link)
        if must_link is not None and must_link.width
        else (np.empty(0, np.int64),) * 2
    )
    label = components(n, np.concatenate([left, ml_left]), np.concatenate([right, ml_right]))
    slow = _needs_greedy_pass(label, cannot_link, max_size, apart)
    fast_merges = int(np.count_nonzero(~slow) - np.unique(label[~slow]).size)

    # must-link groups (records sharing a valid VAT number) without a cannot-link conflict
    # inside are united at once; only the conflicting ones go edge by edge below
    ml_label = components(n, ml_left, ml_right)
    inconsistent = np.zeros(n, dtype=bool)
    if ml_left.size and cannot_link is not None:
        inconsistent = np.isin(ml_label, _conflicting(cannot_link, ml_label))
    start = np.where(slow & ~inconsistent, ml_label, np.arange(n))
    forest = _Forest(start, max_size, _cannot_link_values(cannot_link, start, slow), apart or [])
    todo = slow[ml_left] & inconsistent[ml_left]
    forest.join_all(ml_left[todo].tolist(), ml_right[todo].tolist(), bounded=False)
    between = _edges_between_groups(forest.roots(), strong, left, right, slow)
    forest.join_all(between["a"].to_list(), between["b"].to_list(), bounded=True)

    ids = pl.Series("cluster_id", np.where(slow, forest.roots(), label))
    sizes = ids.value_counts()["count"]
    report = {
        "edges_above_threshold": int(left.size),
        "merges": forest.counts["merged"] + fast_merges,
        "refused_cannot_link": forest.counts["refused_cannot_link"],
        "refused_size": forest.counts["refused_size"],
        "clusters": int(ids.n_unique()),
        "largest_cluster": int(sizes.max() or 0),
    }
    return ids, report


def _needs_greedy_pass(
    label: np.ndarray,
    cannot_link: pl.DataFrame | None,
    max_size: int,
    apart: list[tuple[int, int]] | None,
) -> np.ndarray:
    """Per record: is its connected component (*label*) one the greedy pass must build?

    A component with no cannot-link conflict, no steward "apart" pair and within the size
    bound is exactly what the greedy pass would build (it refuses no edge there): it is
    taken whole, and only the other components go through the edge-by-edge pass."""
    slow = np.bincount(label, minlength=label.size)[label] > max_size
    if cannot_link is not None:
        slow |= np.isin(label, _conflicting(cannot_link, label))
    if apart:
        pa, pb = np.array(apart, dtype=np.int64).T
        slow |= np.isin(label, label[pa][label[pa] == label[pb]])
    return slow


def _cannot_link_values(
    cannot_link: pl.DataFrame | None, start: np.ndarray, slow: np.ndarray
) -> dict[int, frozenset]:
    """Per starting root of the greedy pass: the set of (column, value) of cannot-link
    columns its records carry (only roots with such a record, only in slow components)."""
    keys: dict[int, frozenset] = {}
    if cannot_link is None:
        return keys
    carrying = (
        cannot_link.with_columns(pl.Series("_root", start))
        .filter(
            pl.Series(slow)
            & pl.any_horizontal(pl.col(c).is_not_null() for c in cannot_link.columns)
        )
        .group_by("_root")
        .agg(pl.col(c).drop_nulls().unique() for c in cannot_link.columns)
    )
    for root, *values in carrying.iter_rows():
        keys[root] = frozenset((c, v) for c, vs in zip(cannot_link.columns, values) for v in vs)
    return keys


def _edges_between_groups(
    root: np.ndarray, strong: pl.DataFrame, left: np.ndarray, right: np.ndarray, slow: np.ndarray
) -> pl.DataFrame:
    """The scored edges between the groups formed so far (*root*: each record's group), in
    slow components only: one per pair of groups (the strongest; a weaker parallel edge
    could only be refused again), strongest first, ties by record ids."""
    return (
        pl.DataFrame(
            {
                "a": root[left],
                "b": root[right],
                "p": strong["match_probability"],
                "l": left,
                "r": right,
            }
        )
        .filter(pl.Series(slow[left]) & (pl.col("a") != pl.col("b")))
        .select(
            pl.min_horizontal("a", "b").alias("a"),
            pl.max_horizontal("a", "b").alias("b"),
            "p",
            "l",
            "r",
        )
        .sort(["p", "l", "r"], descending=[True, False, False])
        .unique(["a", "b"], keep="first", maintain_order=True)
    )


class _Forest:
    """The greedy pass's union-find: a join is refused (and counted) when the two groups
    hold different values of a cannot-link column or a steward's "apart" pair, or when
    bounded and the union would pass *max_size*. A root is its group's smallest id."""

    def __init__(
        self,
        start: np.ndarray,
        max_size: int,
        keys: dict[int, frozenset],
        apart: list[tuple[int, int]],
    ) -> None:
        self.parent = start.tolist()  # plain lists: a Python loop indexes them faster than numpy
        self.size = np.bincount(start, minlength=start.size).tolist()
        self.max_size = max_size
        self.keys = keys  # per root: its cannot-link values (see _cannot_link_values)
        self.counts = {"merged": 0, "refused_cannot_link": 0, "refused_size": 0}
        # per root: the records in it that have a "keep apart" partner, and those partners (a
        # record in a must-link group starts under the group's root, not under itself)
        self.tagged: dict[int, set[int]] = {}
        self.banned: dict[int, set[int]] = {}
        for a, b in apart:
            self.tagged.setdefault(self.find(a), set()).add(a)
            self.tagged.setdefault(self.find(b), set()).add(b)
            self.banned.setdefault(self.find(a), set()).add(b)
            self.banned.setdefault(self.find(b), set()).add(a)

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def join_all(self, lefts: list[int], rights: list[int], bounded: bool) -> None:
        """Join each pair (lefts[i], rights[i]) in order, refusing as the class says."""
        join = self.join
        for a, b in zip(lefts, rights):
            join(a, b, bounded)

    def join(self, a: int, b: int, bounded: bool) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keys, tagged, banned = self.keys, self.tagged, self.banned
        ka, kb = keys.get(ra, frozenset()), keys.get(rb, frozenset())
        if (
            _conflict(ka, kb)
            or banned.get(ra, set()) & tagged.get(rb, set())
            or banned.get(rb, set()) & tagged.get(ra, set())
        ):
            self.counts["refused_cannot_link"] += 1
            return
        size = self.size
        if bounded and size[ra] + size[rb] > self.max_size:
            self.counts["refused_size"] += 1
            return
        if ra > rb:
            ra, rb = rb, ra  # keep the smaller id as the root
        self.parent[rb] = ra
        size[ra] += size[rb]
        if ka or kb:
            keys[ra] = ka | kb
        keys.pop(rb, None)
        for table in (tagged, banned):
            if rb in table:
                table.setdefault(ra, set()).update(table.pop(rb))
        self.counts["merged"] += 1

    def roots(self) -> np.ndarray:
        """Every record's root, as an array."""
        return _jump(np.array(self.parent, dtype=np.int64))


def _conflicting(cannot_link: pl.DataFrame, label: np.ndarray) -> np.ndarray:
    """The labels whose records hold two different values of a cannot-link column."""
    return (
        cannot_link.with_columns(pl.Series("_c", label))
        .group_by("_c")
        .agg(
            pl.max_horizontal(pl.col(c).drop_nulls().n_unique() for c in cannot_link.columns).alias(
                "_k"
            )
        )
        .filter(pl.col("_k") > 1)["_c"]
        .to_numpy()
    )


def _jump(parent: np.ndarray) -> np.ndarray:
    """Pointer jumping until every record points at its root."""
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of the edges (a[i], b[i]) over records 0..n-1, vectorised: each
    record's label is the smallest record id in its component.

    >>> components(5, np.array([3, 1]), np.array([4, 3])).tolist()
    [0, 1, 2, 1, 1]
    """
    label = np.arange(n)
    while a.size:
        la, lb = label[a], label[b]
        differ = la != lb
        if not differ.any():
            break
        # hook the larger root onto the smaller, then flatten
        np.minimum.at(label, np.maximum(la, lb)[differ], np.minimum(la, lb)[differ])
        label = _jump(label)
        a, b = a[differ], b[differ]
    return label


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
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
    }


def cluster_new(
    n: int,
    edges: pl.DataFrame,
    threshold: float,
    cannot_link: pl.DataFrame | None,
    max_size: int,
    apart: list[tuple[int, int]] | None,
    must_link: pl.DataFrame,
    known: pl.Series,
) -> tuple[pl.Series, dict]:
    """``cluster()`` for new records linked to a master's (*known*: the master's cluster id,
    null for a new record; a column of *must_link* and *cannot_link* too). Only the
    components that hold a new record are clustered: the new records, the records their
    strong edges reach, every record sharing a must-link value with those (their master
    cluster, their VAT number), again until nothing is added. Every other master record
    keeps its master cluster, labelled by its smallest record id. Candidate pairs always
    hold a new record, so this is ``cluster()``'s result over far fewer records (the report's
    ``refused_cannot_link`` counts the refusals among them only)."""
    strong = edges.filter(pl.col("match_probability") >= threshold)
    active = known.is_null().to_numpy().copy()
    active[strong["id_l"].cast(pl.Int64).to_numpy()] = True
    active[strong["id_r"].cast(pl.Int64).to_numpy()] = True
    if apart:
        active[np.array(apart, dtype=np.int64).ravel()] = True
    columns = [must_link[c] for c in must_link.columns]
    while True:  # the closure under must-link values (a master cluster is one of them)
        before = int(active.sum())
        for values in columns:
            reached = values.filter(pl.Series(active)).drop_nulls().unique()
            active |= values.is_in(reached.implode()).fill_null(False).to_numpy()
        if int(active.sum()) == before:
            break
    sub = np.flatnonzero(active)
    position = np.full(n, -1, dtype=np.int64)
    position[sub] = np.arange(sub.size)
    local = strong.with_columns(
        pl.Series("id_l", position[strong["id_l"].cast(pl.Int64).to_numpy()]),
        pl.Series("id_r", position[strong["id_r"].cast(pl.Int64).to_numpy()]),
    )
    take = pl.Series(sub)
    ids, report = cluster(
        sub.size,
        local,
        threshold,
        cannot_link[take] if cannot_link is not None and cannot_link.width else None,
        max_size,
        [(int(position[a]), int(position[b])) for a, b in apart or []],
        must_link[take],
    )
    rest = pl.DataFrame({"k": known, "i": pl.int_range(n, eager=True, dtype=pl.Int64)}).filter(
        ~pl.Series(active)
    )
    rest = rest.with_columns(pl.col("i").min().over("k").alias("root"))
    roots = np.empty(n, dtype=np.int64)
    roots[sub] = sub[ids.to_numpy()]
    roots[rest["i"].to_numpy()] = rest["root"].to_numpy()
    groups = rest.group_by("k").len()
    report["merges"] += rest.height - groups.height
    report["clusters"] += groups.height
    report["largest_cluster"] = max(report["largest_cluster"], int(groups["len"].max() or 0))
    report["records_clustered"] = int(sub.size)
    return pl.Series("cluster_id", roots), report
