import polars as pl

from enrich.link.blocking import candidate_pairs
from enrich.link.settings import Blocking


def test_rules_are_ored_and_pairs_deduplicated():
    f = pl.DataFrame(
        {"__id": [0, 1, 2], "pc": ["1000", "1000", "1000"], "email": ["a@x.be", "a@x.be", None]}
    )
    pairs, report = candidate_pairs(
        f, [Blocking("email", ("email",)), Blocking("pc", ("pc",))], 100
    )
    assert pairs.rows() == [
        (0, 1, "email", 0b11),
        (0, 2, "pc", 0b10),
        (1, 2, "pc", 0b10),
    ]  # first rule, mask of all
    assert (
        report["rules"]["email"]["pairs"] == 1
        and report["rules"]["pc"]["pairs"] == 3
        and report["pairs"] == 3
    )


def test_oversized_blocks_are_skipped_and_reported():
    f = pl.DataFrame({"__id": list(range(6)), "k": ["info"] * 5 + ["x"]})
    pairs, report = candidate_pairs(f, [Blocking("k", ("k",))], 4)
    assert pairs.height == 0
    assert report["rules"]["k"] == {"pairs": 0, "blocks_skipped": 1, "records_in_skipped_blocks": 5}


def test_key_functions():
    f = pl.DataFrame(
        {"__id": [0, 1, 2], "name": ["Van den Berg", "van DEN berghe", "Berg van den"]}
    )
    pairs, _ = candidate_pairs(f, [Blocking("p", ("prefix(name, 5)",))], 100)
    assert pairs.select("id_l", "id_r").rows() == [(0, 1)]
    pairs, _ = candidate_pairs(f, [Blocking("s", ("sorted_tokens(name)",))], 100)
    assert pairs.select("id_l", "id_r").rows() == [(0, 2)]


def test_blocking_rule_names_are_unique():
    import pytest

    from enrich.errors import InputError
    from enrich.link.settings import parse

    comparison = [{"field": "a", "levels": [{"kind": "exact"}]}]
    for names in (["same", "same"], ["steward"]):
        with pytest.raises(InputError, match="rule name"):
            parse(
                {"blocking": [{"name": n, "keys": ["a"]} for n in names], "comparison": comparison},
                "x.toml",
            )


def test_pairs_with_new_records_are_those_of_all_pairs_holding_one():
    import numpy as np

    rng = np.random.default_rng(3)
    n = 600
    f = pl.DataFrame(
        {
            "__id": range(n),
            "pc": rng.choice(["1000", "1050", "9000", "4000", None], n).tolist(),
            "name": rng.choice(["dupont", "dupond", "peeters", "janssens", "maes"], n).tolist(),
        }
    )
    new = pl.Series(rng.random(n) < 0.1)
    rules = [
        Blocking("pc", ("pc",)),
        Blocking("name+pc", ("prefix(name, 4)", "pc")),
        Blocking("name", ("name",)),
    ]
    every, _ = candidate_pairs(f, rules, 150)  # blocks of about 120 records
    flagged = new.to_numpy()
    expected = every.filter(
        pl.Series(flagged[every["id_l"].to_numpy()] | flagged[every["id_r"].to_numpy()])
    )
    only, report = candidate_pairs(f, rules, 150, only_with=new)
    assert only.rows() == expected.rows()  # the same pairs, first rule and mask
    assert report["pairs"] == expected.height > 0
