"""The chunk layout helpers and the link state (enrich/link/state.py)."""

import polars as pl

from enrich.link.comparisons import FOLDED
from enrich.link.derive import derive
from enrich.link.state import chunked_like, from_state, lined_up, link_state


def test_a_new_column_is_cut_into_the_frames_chunks():
    frame = pl.concat([pl.DataFrame({"a": [1, 2, 3]}), pl.DataFrame({"a": [4, 5]})], rechunk=False)
    column = chunked_like(frame, pl.Series("b", [10, 20, 30, 40, 50]))
    assert [len(c) for c in column.get_chunks()] == [3, 2] and column.to_list() == [
        10,
        20,
        30,
        40,
        50,
    ]
    lined = frame.with_columns(column)
    assert lined_up(lined) is lined  # lined up: nothing to copy
    off = frame.with_columns(pl.Series("b", [10, 20, 30, 40, 50]))  # one chunk beside two
    assert lined_up(off).n_chunks("all") == [1, 1] and lined_up(off).equals(off)


def test_a_link_state_reads_back_what_linking_read():
    master = pl.DataFrame(
        {
            "source_file": ["a.csv", "a.csv", "a.csv"],
            "source_row": [1, 2, 3],
            "company_name": ["Acme", None, None],
            "vat": [None, None, None],
            "first_name": ["Ann", "Bob", None],
            "last_name": ["Dupont", "Martin", None],
            "mobile": ["+32470000001", None, None],
            "mobile_status": ["valid", None, None],
            "company_id": ["co-0", None, None],
            "email": [None, None, None],
            "email_status": [None, None, None],
            "email_role": [None, None, None],
        },
        schema_overrides={
            "vat": pl.String,
            "email": pl.String,
            "email_status": pl.String,
            "email_role": pl.Boolean,
        },
    )
    cleaned = master.with_columns(
        pl.lit(None, pl.String).alias(c) for c in MISSING if c not in master.columns
    )
    rows = derive(cleaned)
    company = rows.filter("has_company")
    customer = rows.filter("has_customer")
    contact = rows.filter("has_contact")
    seen = {FOLDED + "company_id": pl.Series(["co 0", None])}
    state = {
        "company": link_state("company", company, {}, {"vat_valid"}),
        "customer": link_state("customer", customer, {}, {"name_sound", "birth_date"}),
        "contact": link_state("contact", contact, seen, {"company_id", "person_key"}),
    }
    # the ids linking gives are folded again, never kept; person_id's channels are
    assert "person_key" in state["contact"].columns and "mobile_valid" in state["contact"].columns
    assert FOLDED + "company_id" not in state["contact"].columns
    back, given = from_state(master, state)
    assert back["person_key"].to_list() == ["ann dupont", "bob martin", None]
    assert back["has_company"].to_list() == [True, False, False]
    assert back["mobile_valid"].to_list() == ["+32470000001", None, None]
    assert set(given) == {"company", "customer", "contact"}
    # a state of other rows is not read
    assert from_state(master.slice(1), state) is None


MISSING = (
    "vat_formatted",
    "enterprise_number",
    "siren",
    "email",
    "email_status",
    "website",
    "phone",
    "phone_status",
    "legal_form",
    "street",
    "house_number",
    "postcode",
    "city",
)
