import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.link.cluster import cluster, pairwise_scores


def test_cannot_link_splits_a_chained_component():
    # two companies with different valid VAT numbers chained by one weak-but-above-threshold edge
    edges = pl.DataFrame(
        {
            "id_l": [0, 1, 2, 3, 4],
            "id_r": [1, 2, 3, 4, 5],
            "match_probability": [0.999, 0.998, 0.96, 0.997, 0.999],
        }
    )
    vat = pl.DataFrame({"vat": ["BE0403170701", None, None, None, None, "BE0417497106"]})
    ids, report = cluster(6, edges, 0.95, vat)
    assert ids.to_list() == [0, 0, 0, 3, 3, 3]
    assert report["refused_cannot_link"] == 1 and report["clusters"] == 2


def test_size_bound_and_order_invariance():
    edges = pl.DataFrame(
        {"id_l": [0, 1, 2, 3], "id_r": [1, 2, 3, 4], "match_probability": [0.99, 0.98, 0.97, 0.96]}
    )
    ids, report = cluster(5, edges, 0.95, max_size=3)
    assert ids.to_list() == [0, 0, 0, 3, 3] and report["refused_size"] == 1
    shuffled = edges.sample(fraction=1.0, shuffle=True, seed=3)
    assert cluster(5, shuffled, 0.95, max_size=3)[0].to_list() == ids.to_list()


def test_pairwise_scores():
    s = pairwise_scores(pl.Series([0, 0, 0, 3]), pl.Series(["a", "a", "b", "b"]))
    assert (s["predicted_pairs"], s["true_pairs"]) == (3, 2)
    assert abs(s["precision"] - 1 / 3) < 1e-9 and abs(s["recall"] - 0.5) < 1e-9


def test_steward_no_match_keeps_records_apart_even_through_others():
    edges = pl.DataFrame({"id_l": [0, 1], "id_r": [1, 2], "match_probability": [0.99, 0.98]})
    ids, report = cluster(3, edges, 0.95, apart=[(0, 2)])
    assert ids.to_list() == [0, 0, 2] and report["refused_cannot_link"] == 1


def test_no_match_holds_for_a_record_of_a_must_link_group_that_is_not_its_root():
    # records 0 and 1 share a valid VAT (united first, root 0); record 2 has none but
    # matches both strongly; a steward said 1 and 2 are not the same: 2 stays out
    edges = pl.DataFrame({"id_l": [0, 1], "id_r": [2, 2], "match_probability": [0.99, 0.99]})
    ids, report = cluster(
        3,
        edges,
        0.95,
        pl.DataFrame({"vat": ["BE1", "BE1", None]}),
        apart=[(1, 2)],
        must_link=pl.DataFrame({"vat": ["BE1", "BE1", None]}),
    )
    assert ids.to_list() == [0, 0, 2] and report["refused_cannot_link"] >= 1


def _greedy_reference(n, edges, threshold, vat, max_size):
    """The clustering rule spelled out edge by edge (strongest first), no shortcuts."""
    group = {i: {i} for i in range(n)}
    owner = list(range(n))
    for a, b, p in sorted(edges.rows(), key=lambda e: (-e[2], e[0], e[1])):
        ga, gb = owner[a], owner[b]
        if p < threshold or ga == gb:
            continue
        values = {vat[i] for i in group[ga] | group[gb] if vat[i] is not None}
        if len(values) > 1 or len(group[ga]) + len(group[gb]) > max_size:
            continue
        keep, drop = min(ga, gb), max(ga, gb)
        group[keep] |= group.pop(drop)
        for i in group[keep]:
            owner[i] = keep
    return [min(group[owner[i]]) for i in range(n)]


@given(
    st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29), st.floats(0.5, 1.0)), max_size=80),
    st.lists(st.sampled_from([None, None, None, "BE1", "BE2"]), min_size=30, max_size=30),
    st.integers(2, 12),
)
@settings(max_examples=200, deadline=None)
def test_clusters_equal_the_edge_by_edge_rule(raw, vat, max_size):
    """The vectorised fast path (whole components when nothing can be refused) gives exactly
    the clusters of the greedy rule."""
    pairs = {(min(a, b), max(a, b)): p for a, b, p in raw if a != b}
    edges = pl.DataFrame(
        [(a, b, p) for (a, b), p in sorted(pairs.items())],
        schema={"id_l": pl.Int64, "id_r": pl.Int64, "match_probability": pl.Float64},
        orient="row",
    )
    ids, _ = cluster(30, edges, 0.9, pl.DataFrame({"vat": vat}), max_size)
    assert ids.to_list() == _greedy_reference(30, edges, 0.9, vat, max_size)


def test_must_link_unites_beyond_the_size_bound_but_not_through_a_cannot_link():
    # records 0-4 share a valid VAT (one company, its establishments), no scored edge at all;
    # record 2 has the same VAT but another enterprise number: a data error, kept out
    vat = ["BE1", "BE1", "BE1", "BE1", "BE1", None]
    registry = ["E1", None, "E2", "E1", None, None]
    edges = pl.DataFrame({"id_l": [3], "id_r": [5], "match_probability": [0.99]})
    ids, report = cluster(
        6,
        edges,
        0.95,
        pl.DataFrame({"registry": registry}),
        max_size=2,
        must_link=pl.DataFrame({"vat": vat}),
    )
    united = [0, 1, 3, 4]  # beyond max_size=2: a shared VAT is not a chained edge
    assert [ids[i] for i in united] == [0, 0, 0, 0]
    assert (
        ids[2] == 2 and report["refused_cannot_link"] >= 1
    )  # E2 is kept out, the others are not cut off
    assert ids[5] == 5 and report["refused_size"] == 1  # a scored edge still respects the bound
