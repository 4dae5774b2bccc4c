"""Ids from clusters (``assign_ids``) and person ids (enrich/link/ids.py)."""

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.link.ids import assign_ids, id_number, id_text, person_ids


def test_master_ids_are_kept_and_new_clusters_numbered_after_the_highest_in_use():
    # 6 input rows; rows 0-4 are linked (row 5 is not at this level); clusters are named by a record
    rows = pl.Series([0, 1, 2, 3, 4], dtype=pl.UInt32)
    clusters = pl.Series([0, 0, 2, 3, 3])  # {0,1}  {2}  {3,4}
    known = pl.Series(
        ["co-7", None, None, None, "co-12", None]
    )  # row 1 joins co-7, row 3 joins co-12
    ids = assign_ids("co", rows, clusters, 6, known, used=20)
    assert ids.to_list() == ["co-7", "co-7", "co-21", "co-12", "co-12", None]
    # without a master: numbered from 0 in the order of each cluster's first row
    fresh = assign_ids("co", rows, pl.Series([3, 3, 2, 3, 3]), 6)
    assert fresh.to_list() == ["co-0", "co-0", "co-1", "co-0", "co-0", None]
    # a retired id is never given again: *used* is above every id still held
    assert (
        assign_ids(
            "ct", rows, clusters, 6, pl.Series([None] * 6, dtype=pl.String), used=4
        ).to_list()[2]
        == "ct-6"
    )
    assert known.to_list() == [
        "co-7",
        None,
        None,
        None,
        "co-12",
        None,
    ]  # the caller's series is left as it was


def test_an_id_enrich_did_not_give_is_refused():
    rows = pl.Series([0, 1], dtype=pl.UInt32)
    with pytest.raises(InputError, match="'ACME-1'"):
        assign_ids("co", rows, pl.Series([0, 0]), 2, pl.Series(["ACME-1", None]))


def test_person_ids_need_the_name_and_a_private_channel():
    data = pl.DataFrame(
        {
            "contact_id": ["ct-5", "ct-5", "ct-2", "ct-9", "ct-3", None],
            "person_key": [
                "ann dupont",
                "ann dupont",
                "ann dupont",
                "ann dupont",
                "bob martin",
                None,
            ],
            "mobile_valid": [
                "+32470000001",
                None,
                "+32470000001",
                "+32470000002",
                "+32470000001",
                None,
            ],
            "email_private": [None, "ann@gmail.com", None, "ann@gmail.com", None, None],
        }
    )
    # ct-5 (first row) and ct-2 share name + mobile, ct-9 shares name + private mail with ct-5: one
    # person, named after the contact whose first row comes first; Bob shares a mobile, not the name
    assert person_ids(data).to_list() == ["pe-5", "pe-5", "pe-5", "pe-5", "pe-3", None]


def test_id_numbers_and_texts_round_trip():
    ids = pl.Series(["co-0", "co-41", "ct-3", "co-x", None])
    number = id_number(ids, "co")
    assert number.to_list() == [0, 41, None, None, None]
    assert id_text(number.drop_nulls().to_numpy(), "co").to_list() == ["co-0", "co-41"]
