"""The engine end to end on the public FEBRL benchmark (true matches known)."""

from pathlib import Path

import polars as pl
import pytest

from enrich.io.read import read
from enrich.link import settings
from enrich.link.cluster import pairwise_scores
from enrich.link.engine import explain, link
from enrich.link.model import Model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "datasets"
RULES = ROOT / "benchmarks" / "rules" / "febrl.toml"
pytestmark = pytest.mark.skipif(
    not (DATA / "dataset3.csv").exists(), reason="../shared/datasets not beside the repo"
)


def test_febrl_dedupe_quality_explain_and_order_invariance():
    rules = settings.load(RULES)
    frame = read(str(DATA / "dataset3.csv"))[0].frame
    result = link(frame, rules)
    truth = frame["rec_id"].str.extract(r"rec-(\d+)-", 1)
    scores = pairwise_scores(result.cluster_id, truth)
    assert scores["f1"] > 0.98, scores
    pair = result.pairs.filter(pl.col("band") == "match").row(0, named=True)
    why = explain(result, pair["id_r"], pair["id_l"])
    total = why["prior_weight"] + sum(f["weight"] for f in why["fields"].values())
    assert abs(total - why["match_weight"]) < 1e-9
    # the same records in another order give the same clusters (as sets of rec_ids)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=5)
    again = link(shuffled, rules, model=result.model)

    def groups(f, ids):
        return set(
            f.with_columns(ids.alias("c"))
            .group_by("c")
            .agg(pl.col("rec_id").sort().str.join("|"))["rec_id"]
            .to_list()
        )

    assert groups(frame, result.cluster_id) == groups(shuffled, again.cluster_id)


def test_model_round_trip(tmp_path):
    rules = settings.load(RULES)
    frame = read(str(DATA / "dataset3.csv"))[0].frame.head(800)
    result = link(frame, rules)
    result.model.save(tmp_path / "model.json")
    from enrich.link.model import Model

    loaded = Model.load(tmp_path / "model.json", rules.comparisons)
    assert loaded.weights() == result.model.weights()
    assert link(frame, rules, model=loaded).cluster_id.to_list() == result.cluster_id.to_list()


def test_known_clusters_are_kept_and_never_merged():
    """Link-only against a master: master records are not compared with each other, a master
    cluster stays whole, and a new record that matches two master clusters joins one only."""
    rules = settings.parse(
        {
            "blocking": [{"name": "pc", "keys": ["pc"]}],
            "comparison": [
                {"field": "name", "levels": [{"kind": "exact"}]},
                {"field": "pc", "levels": [{"kind": "exact"}]},
            ],
            "settings": {"match_threshold": 0.9, "review_threshold": 0.5},
        },
        "test",
    )
    model = Model(
        ["name", "pc"],
        {"name": ["exact", "else"], "pc": ["exact", "else"]},
        {"name": [0.999, 0.001], "pc": [0.9, 0.1]},
        {"name": [0.001, 0.999], "pc": [0.5, 0.5]},
        0.01,
    )
    frame = pl.DataFrame(
        {
            "name": [
                "jean dupont",
                "jean dupont",
                "j dupont",
                "jean dupont",
                "marie curie",
                "marie curie",
            ],
            "pc": ["1000"] * 6,
            # a master that kept two Jean Duponts apart (0 and 1), and knew 2 is 0
            "known": ["m-A", "m-B", "m-A", None, None, None],
        }
    )
    result = link(frame, rules, model=model, known="known")
    compared = set(result.pairs.select("id_l", "id_r").rows())
    assert not compared & {(0, 1), (0, 2), (1, 2)}  # the master is not re-deduplicated
    ids = result.cluster_id.to_list()
    assert ids[0] == ids[2] and ids[0] != ids[1]  # kept whole, kept apart
    assert ids[3] in (ids[0], ids[1])  # the new Jean Dupont joins one of them, not both
    assert ids[4] == ids[5] and ids[4] not in (ids[0], ids[1])  # new records link among themselves


def test_review_lists_one_pair_per_two_clusters_and_none_inside_one():
    from enrich.link.engine import review_pairs

    pairs = pl.DataFrame(
        {
            "id_l": [0, 0, 1, 0, 2],
            "id_r": [1, 2, 3, 3, 4],
            "match_probability": [0.99, 0.7, 0.8, 0.75, 0.4],
            "band": ["match", "review", "review", "review", "non_match"],
        }
    )
    clusters = pl.Series([0, 0, 2, 3, 4])
    got = review_pairs(pairs, clusters)
    # 0~2 joins clusters 0 and 2; 1~3 and 0~3 both join clusters 0 and 3: the stronger is listed
    assert got.select("id_l", "id_r", "pairs_between").rows() == [(0, 2, 1), (1, 3, 2)]
    inside = review_pairs(pairs, pl.Series([0, 0, 0, 0, 4]))  # all review pairs inside cluster 0
    assert inside.height == 0


def test_review_leaves_out_the_pairs_a_match_could_not_join():
    """A review pair between two clusters holding different valid VAT numbers, two clusters
    too big together, or two a steward kept apart is not offered: its `match` could not
    take effect. Each is counted by why."""
    from enrich.link.engine import Bounds, review_pairs

    pairs = pl.DataFrame(
        {
            "id_l": [0, 2, 4, 6, 0],
            "id_r": [1, 3, 5, 7, 6],
            "match_probability": [0.7, 0.8, 0.75, 0.65, 0.9],
            "band": ["review", "review", "review", "review", "match"],
        }
    )
    # clusters: {0}, {1}, {2}, {3, 8, 9}, {4}, {5}, {6, 0...}: 6 joined 0 by the match edge
    clusters = pl.Series([0, 1, 2, 3, 4, 5, 0, 7, 3, 3])
    vat = pl.DataFrame({"vat": ["BE1", "BE2", None, None, None, None, None, None, None, None]})
    bounds = Bounds(vat, max_size=3, apart=[(5, 4)])
    got = review_pairs(pairs, clusters, bounds)
    # 0~1: BE1 against BE2; 2~3: 1 + 3 records > 3; 4~5: kept apart; 6~7 (cluster 0 with 7) is fine
    assert got.select("id_l", "id_r").rows() == [(6, 7)]
    assert bounds.not_offered == {"cannot_link": 1, "cluster_size": 1, "kept_apart": 1}
    # the same pairs without bounds: all four offered
    assert review_pairs(pairs, clusters).height == 4
