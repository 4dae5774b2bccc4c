"""Reopened ids given back after relinking (reopen.settle)."""

import polars as pl

from enrich.master.reopen import settle


def test_a_reopened_record_joining_a_kept_cluster_does_not_rename_it():
    # co-1 was reopened by a steward decision: two of its rows now sit in a new cluster
    # (co-9), one joined the master's co-5, which no decision touched
    frame = pl.DataFrame(
        {
            "company_id": ["co-5", "co-5", "co-5", "co-9", "co-9", "co-5"],
            "_old_company": [None, None, None, "co-1", "co-1", "co-1"],
        }
    )
    out, changes = settle(frame, "company", "_old_company", pl.Series(["co-5"]))
    assert out["company_id"].to_list() == ["co-5", "co-5", "co-5", "co-1", "co-1", "co-5"]
    assert [(c["old_id"], c["new_id"], c["change"]) for c in changes] == [("co-1", "co-5", "split")]


def test_the_part_with_most_rows_keeps_the_old_id():
    frame = pl.DataFrame(
        {
            "contact_id": ["ct-7", "ct-8", "ct-8", "ct-8"],
            "_old_contact": ["ct-2", "ct-2", "ct-2", "ct-3"],
        }
    )
    out, changes = settle(frame, "contact", "_old_contact", pl.Series([], dtype=pl.String))
    # ct-8 holds two rows of ct-2: it becomes ct-2; ct-3's row went there too (merged), ct-7 split off
    assert out["contact_id"].to_list() == ["ct-7", "ct-2", "ct-2", "ct-2"]
    assert sorted((c["old_id"], c["new_id"], c["change"]) for c in changes) == [
        ("ct-2", "ct-7", "split"),
        ("ct-3", "ct-2", "merged"),
    ]
