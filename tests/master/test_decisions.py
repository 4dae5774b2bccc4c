"""Steward decisions remembered across runs: one per pair, the newest winning."""

import polars as pl

from enrich.master.decisions import DECISION_COLUMNS, merge_decisions


def test_a_new_decision_replaces_the_old_one_on_the_same_pair_either_way_round():
    old = pl.DataFrame(
        [["company", "a.csv", 3, "b.csv", 7, "match"]], schema=DECISION_COLUMNS, orient="row"
    )
    new = {
        "company": pl.DataFrame(
            {
                "source_file_l": ["b.csv"],
                "source_row_l": [7],
                "source_file_r": ["a.csv"],
                "source_row_r": [3],
                "is_match": [False],
            }
        )
    }
    merged = merge_decisions(old, new)
    assert merged.rows() == [("company", "a.csv", 3, "b.csv", 7, "no_match")]


def test_no_decisions_give_an_empty_table_of_the_decision_columns():
    assert merge_decisions(None, None).columns == DECISION_COLUMNS
