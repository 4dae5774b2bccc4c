"""cluster_new (a master's clusters kept, only what new records touch clustered) gives
cluster()'s result over all records."""

import numpy as np
import polars as pl
import pytest

from enrich.link.cluster import cluster, cluster_new


def _case(seed: int):
    rng = np.random.default_rng(seed)
    n, masters = 400, 300
    # the master: clusters of 1-4 records, some with a VAT number (one per cluster, or none)
    sizes = rng.integers(1, 5, size=masters)
    known = np.repeat(np.arange(sizes.size), sizes)[:masters]
    vat_of_cluster = np.where(
        rng.random(sizes.size) < 0.4, rng.integers(0, 60, size=sizes.size), -1
    )
    vat = [None if v < 0 else f"BE{v}" for v in vat_of_cluster[known]]
    # new records: some carry a VAT number (shared with a master cluster, or a new one)
    vat += [f"BE{rng.integers(0, 80)}" if rng.random() < 0.3 else None for _ in range(n - masters)]
    known_ids = [f"co-{k}" for k in known] + [None] * (n - masters)
    # candidate pairs always hold a new record
    left = rng.integers(masters, n, size=250)
    right = rng.integers(0, n, size=250)
    keep = left != right
    a, b = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
    edges = pl.DataFrame(
        {"id_l": a, "id_r": b, "match_probability": rng.random(a.size).round(3)}
    ).unique(["id_l", "id_r"], keep="first")
    apart = [
        (int(x), int(y))
        for x, y in zip(rng.integers(masters, n, 5), rng.integers(0, n, 5))
        if x != y
    ]
    frame = pl.DataFrame({"vat": vat, "known": known_ids})
    return n, edges, frame, apart


@pytest.mark.parametrize("seed", range(12))
def test_same_clusters_as_clustering_everything(seed):
    n, edges, frame, apart = _case(seed)
    full, full_report = cluster(n, edges, 0.7, frame, 6, apart, frame)
    fast, fast_report = cluster_new(n, edges, 0.7, frame, 6, apart, frame, frame["known"])
    assert fast.to_list() == full.to_list()
    for key in ("edges_above_threshold", "clusters", "largest_cluster"):
        assert fast_report[key] == full_report[key], key
    assert (
        fast_report["records_clustered"] < n
    )  # master clusters no new record touches were left alone
