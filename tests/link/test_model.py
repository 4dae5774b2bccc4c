import json

import numpy as np
import polars as pl
import pytest

from enrich.errors import InputError
from enrich.link.files import load_models, load_settings
from enrich.link.model import Model, fit, score, term_frequencies
from enrich.link.settings import Comparison, Level

COMPS = [Comparison(f, (Level("exact"), Level("jaro_winkler", 0.9))) for f in ("a", "b", "c")]


def simulate(n_match, n_non, m, u, seed=1):
    """Level patterns of simulated pairs with known m and u (3 levels per field)."""
    rng = np.random.default_rng(seed)
    cols = {}
    for f in ("a", "b", "c"):
        matches = rng.choice(3, size=n_match, p=m[f])
        non = rng.choice(3, size=n_non, p=u[f])
        cols[f"g_{f}"] = pl.Series(np.concatenate([matches, non]).astype(np.int8))
    n = n_match + n_non
    return pl.DataFrame({"id_l": np.arange(n), "id_r": np.arange(n) + n, **cols})


def test_em_recovers_known_m_and_prior():
    m = {"a": [0.85, 0.1, 0.05], "b": [0.7, 0.2, 0.1], "c": [0.9, 0.05, 0.05]}
    u = {"a": [0.02, 0.08, 0.9], "b": [0.05, 0.1, 0.85], "c": [0.01, 0.04, 0.95]}
    g = simulate(3000, 7000, m, u)
    model = fit(g, COMPS, u, max_iter=100)
    assert abs(model.prior - 0.3) < 0.02
    for f in m:
        assert np.allclose(model.m[f], m[f], atol=0.03), (f, model.m[f])


def test_labels_pin_pairs():
    u = {f: [0.02, 0.08, 0.9] for f in "abc"}
    g = simulate(50, 50, {f: [0.8, 0.1, 0.1] for f in "abc"}, u)
    labels = pl.DataFrame({"id_l": [0], "id_r": [100], "is_match": [False]})
    model = fit(g, COMPS, u, labels=labels)
    assert model.converged and 0 < model.prior < 1


def test_term_frequency_adjustment_favours_rare_values():
    u = {f: [0.05, 0.1, 0.85] for f in "abc"}
    model = fit(simulate(500, 500, {f: [0.8, 0.1, 0.1] for f in "abc"}, u), COMPS, u)
    model.tf_fields = ["a"]
    values = pl.DataFrame(
        {"a": ["dupont"] * 8 + ["vandenbempt", "x"], "b": ["q"] * 10, "c": ["r"] * 10}
    )
    tf = term_frequencies(values, ["a"])
    g = pl.DataFrame(
        {"id_l": [0, 8], "id_r": [1, 8], "g_a": [0, 0], "g_b": [2, 2], "g_c": [2, 2]},
        schema_overrides={"g_a": pl.Int8, "g_b": pl.Int8, "g_c": pl.Int8},
    )
    scored = score(g, model, tf)
    common, rare = scored["w_a"].to_list()
    assert rare > common  # an exact match on a rare surname is stronger evidence


def test_weights_sum_to_the_score():
    u = {f: [0.05, 0.1, 0.85] for f in "abc"}
    model = fit(simulate(300, 700, {f: [0.8, 0.1, 0.1] for f in "abc"}, u), COMPS, u)
    g = simulate(5, 5, {f: [0.8, 0.1, 0.1] for f in "abc"}, u, seed=9)
    s = score(g, model)
    total = model.prior_weight + s.select(pl.sum_horizontal("w_a", "w_b", "w_c")).to_series()
    assert np.allclose(total.to_numpy(), s["match_weight"].to_numpy())


def test_a_cannot_link_field_keeps_a_fixed_m():
    """Look-alikes (same name, two valid VAT numbers) must not teach the model that matches
    often differ on a cannot-link field: its m is fixed, the other fields are still learnt."""
    m = {"a": [0.85, 0.1, 0.05], "b": [0.7, 0.2, 0.1], "c": [0.9, 0.05, 0.05]}
    u = {"a": [0.02, 0.08, 0.9], "b": [0.05, 0.1, 0.85], "c": [0.01, 0.04, 0.95]}
    g = simulate(3000, 7000, m, u)
    free = fit(g, COMPS, u, max_iter=100)
    fixed = fit(g, COMPS, u, max_iter=100, distinct={"a"})
    assert free.m["a"][2] > 0.01 and fixed.m["a"][2] < 1e-3  # learnt vs fixed
    assert fixed.weights()["a"][2] < -10  # two different values: strong evidence against
    assert np.allclose(fixed.m["b"], m["b"], atol=0.05) and np.allclose(
        fixed.m["c"], m["c"], atol=0.05
    )


def test_u_from_a_sample_that_covers_every_record_is_the_exact_u():
    from itertools import combinations

    from enrich.link.comparisons import gammas
    from enrich.link.model import U_PRIOR_PAIRS, _start_u, estimate_u

    comp = Comparison("name", (Level("exact"), Level("jaro_winkler", 0.9)))
    names = (
        ["dupont"] * 5 + ["dupond"] * 3 + ["martin"] * 4 + ["lambert", None, "janssens", "peeters"]
    )
    values = pl.DataFrame({"name": names})
    u = estimate_u(values, [comp], n_pairs=10**6, seed=1)["name"]  # the sample is every record
    present = [i for i, v in enumerate(names) if v is not None]
    pairs = pl.DataFrame(list(combinations(present, 2)), schema=["id_l", "id_r"], orient="row")
    counts = np.bincount(gammas(values, pairs, [comp])["g_name"].to_numpy(), minlength=3)
    # the counts of all pairs, smoothed towards the default u
    assert np.allclose(
        u, (counts + U_PRIOR_PAIRS * np.array(_start_u(3))) / (counts.sum() + U_PRIOR_PAIRS)
    )


def test_a_model_fitted_before_the_rules_changed_is_refitted_for_a_previous_master(tmp_path):
    """A master built before a comparison was added (rules/link.toml changed, e.g. an
    upgrade) is extended: its stale level model is fitted again; a model a user names
    must still fit."""
    settings = load_settings()
    models = {
        level: Model(
            [c.field for c in s.comparisons],
            {c.field: c.level_names() for c in s.comparisons},
            {c.field: [1.0 / len(c.level_names())] * len(c.level_names()) for c in s.comparisons},
            {c.field: [1.0 / len(c.level_names())] * len(c.level_names()) for c in s.comparisons},
            0.1,
        ).to_json()
        for level, s in settings.items()
    }
    del models["company"]["fields"]["legal_form_family"]  # fitted before that comparison
    path = tmp_path / "model.json"
    path.write_text(json.dumps(models), encoding="utf-8")
    assert Model.fits(models["contact"], settings["contact"].comparisons)
    assert not Model.fits(models["company"], settings["company"].comparisons)
    assert set(load_models(str(path), settings, refit_stale=True)) == {"customer", "contact"}
    with pytest.raises(InputError, match="does not fit the rules"):
        load_models(str(path), settings)


def test_a_blocking_rule_teaches_no_field_made_of_its_keys_columns():
    """Pairs found by the sound of both names agree on the names by construction, pairs of one
    postcode on the home that holds it: a rule's EM session leaves out every compared field
    made of its keys' cleaned columns (else namesakes and neighbours look like matches); a
    household key (train = false) teaches nothing."""
    from enrich.link.engine import _blocked_fields
    from enrich.link.files import load_settings

    customer = load_settings()["customer"]
    rule = {r.name: r for r in customer.blocking}
    assert {"last_name", "first_name"} <= _blocked_fields(rule["names"], customer)
    assert "birth_date" not in _blocked_fields(rule["names"], customer)
    assert {"first_name", "home", "postcode"} <= _blocked_fields(rule["first+postcode"], customer)
    assert _blocked_fields(rule["postcode+number"], customer) is None


def test_the_prior_is_fitted_without_the_fields_a_pair_was_found_by():
    """Candidates found by key *a* agree on *a* whether or not they match (2 % of them do):
    counting that agreement makes most candidates look like matches. With every rule's key
    fields (*keyed*), each pair is weighed on the other fields and the prior comes out right."""
    m = {"a": [0.85, 0.1, 0.05], "b": [0.8, 0.15, 0.05], "c": [0.9, 0.05, 0.05]}
    u = {"a": [0.002, 0.008, 0.99], "b": [0.01, 0.04, 0.95], "c": [0.01, 0.04, 0.95]}
    g = simulate(400, 19_600, m, u, seed=3).with_columns(
        pl.lit(0, dtype=pl.Int8).alias("g_a"),  # the key: every candidate agrees on it
        pl.lit(1, dtype=pl.UInt64).alias("rules"),  # found by rule "key-a" (bit 0)
    )
    blocked = {"key-a": {"a"}}
    naive = fit(g, COMPS, u, max_iter=200, blocked=blocked)
    keyed = fit(g, COMPS, u, max_iter=200, blocked=blocked, keyed=blocked)
    assert naive.prior > 0.2  # ten times the truth: a λ that merges look-alikes
    assert abs(keyed.prior - 0.02) < 0.005


def _households(families: int, seed: int = 5) -> pl.DataFrame:
    """Level patterns of candidate pairs: 1,000 duplicates (60 % typed at one home), 20,000
    strangers, and *families* relatives at one home (the surname and the home agree; the
    first name and birth date do not). Levels of "last" at one home are 2 (exact), 3 (else)."""
    rng = np.random.default_rng(seed)
    n_dup, n_far = 1000, 20_000
    home = np.concatenate(
        [(rng.random(n_dup) > 0.6).astype(int), np.zeros(families, int), np.ones(n_far, int)]
    )
    last = np.concatenate(
        [
            (rng.random(n_dup) > 0.95).astype(int),
            (rng.random(families) > 0.9).astype(int),
            (rng.random(n_far) > 0.01).astype(int),
        ]  # fmt: skip
    )
    last = np.where(home == 0, last + 2, last)
    other = [
        np.concatenate([(rng.random(n_dup) > 0.9), np.ones(families), rng.random(n_far) > 0.01])
        for _ in range(2)
    ]
    n = n_dup + families + n_far
    cols = {"g_home": home, "g_last": last, "g_first": other[0], "g_dob": other[1]}
    return pl.DataFrame(
        {"id_l": np.arange(n), "id_r": np.arange(n) + n}
        | {k: pl.Series(v.astype(np.int8)) for k, v in cols.items()}
    )


def test_what_a_surname_tells_at_one_home_is_learnt_from_the_pairs_there():
    """Between two rows of one home, agreeing surnames are a spouse as often as a duplicate
    in a family file (the surname tells nothing there), but a duplicate in a file of single
    people (it tells as much as anywhere): u at one home is learnt, not assumed."""
    comps = [
        Comparison("home", (Level("exact"),)),
        Comparison("last", (Level("exact"),), shared_by="home"),
        Comparison("first", (Level("exact"),)),
        Comparison("dob", (Level("exact"),)),
    ]
    u = {"home": [0.001, 0.999], "last": [0.002, 0.998] * 2, "first": [0.01, 0.99]}
    u["dob"] = [0.001, 0.999]
    with_families = fit(_households(3000), comps, u, max_iter=200).weights()["last"]
    singles = fit(_households(0), comps, u, max_iter=200).weights()["last"]
    assert with_families[0] > 6 and singles[0] > 6  # apart: the surname is strong evidence
    assert abs(with_families[2]) < 1  # at one home with families: next to none
    # at one home, single people: nearly the weight it has apart. The few duplicates typed
    # there with another first name and birth date look like strangers: a handful of pairs'
    # worth, against 100 of the random pairs' u (learnt from them alone it fell to +3.8)
    assert singles[2] > 6
