"""Survivorship rules on small hand-made entities: rule order, ties, lists, rules-file errors."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.errors import InputError
from enrich.master.survive import Attribute, ListField, contact_points, listed, load, survive
from enrich.ruleset import Rules

PHONE = Attribute(
    "phone",
    ("phone", "phone_status"),
    ("phone",),
    ("valid", "priority", "recent"),
    valid="phone_status",
)


def rows(**columns):
    n = len(next(iter(columns.values())))
    base = {
        "_id": ["ct-1"] * n,
        "source_file": [f"f{i}" for i in range(n)],
        "source_row": list(range(1, n + 1)),
        "_order": list(range(n)),
        "_priority": [0] * n,
        "_date": [None] * n,
        "_has_person": [True] * n,
        "opt_out": [False] * n,
        "email_role": [False] * n,
    }
    return pl.DataFrame(
        {**base, **columns}, schema_overrides={"_date": pl.Date, "_priority": pl.Int32}
    )


def test_rules_apply_in_order_and_each_only_breaks_the_ties_before_it():
    r = rows(
        phone=["+321", "+322", "+323"],
        phone_status=["invalid", "valid", "valid"],
        _priority=[0, 1, 1],
        _date=[date(2025, 1, 1), date(2024, 1, 1), date(2025, 6, 1)],
    )
    golden, prov = survive(r, [PHONE])
    # the invalid one is the most trusted source, but 'valid' comes first; then priority ties, recent decides
    assert golden["phone"].to_list() == ["+323"] and prov["decided_by"].to_list() == ["recent"]
    first_priority = Attribute(
        "phone", PHONE.columns, PHONE.present, ("priority", "valid"), valid="phone_status"
    )
    assert survive(r, [first_priority])[0]["phone"].to_list() == ["+321"]


def test_opt_out_in_any_row_wins_and_a_tie_follows_the_canonical_order():
    consent = Attribute("consent", ("opt_out", "consent_date"), ("opt_out",), ("opt_out", "recent"))
    r = rows(
        opt_out=[False, True, False],
        consent_date=["2025-01-01", "2020-01-01", "2026-01-01"],
        _date=[date(2026, 1, 1), date(2020, 1, 1), date(2026, 2, 1)],
    )
    golden, prov = survive(r, [consent])
    assert (
        golden.select("opt_out", "consent_date").row(0) == (True, "2020-01-01")
        and prov["decided_by"][0] == "opt_out"
    )
    same = rows(phone=["+321", "+322"], phone_status=["valid", "valid"], _order=[1, 0])
    golden, prov = survive(same, [PHONE])
    assert golden["phone"].to_list() == ["+322"] and prov["decided_by"].to_list() == ["tie"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["+321", "+322", "+323", None]),
            st.sampled_from(["valid", "invalid"]),
            st.integers(0, 3),
            st.integers(0, 4),
            st.sampled_from(["ct-1", "ct-2"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.randoms(),
)
def test_the_golden_row_does_not_depend_on_the_order_rows_come_in(raw, rnd):
    table = pl.DataFrame(
        raw, schema=["phone", "phone_status", "_priority", "day", "_id"], orient="row"
    ).with_row_index("_order")
    table = table.with_columns(
        pl.col("_priority").cast(pl.Int32),
        (pl.lit(date(2025, 1, 1)) + pl.duration(days=pl.col("day"))).alias("_date"),
        pl.col("_order").cast(pl.Int64),
        pl.lit("f").alias("source_file"),
        pl.col("_order").alias("source_row"),
        pl.lit(True).alias("_has_person"),
        pl.lit(False).alias("opt_out"),
        pl.lit(False).alias("email_role"),
    )
    order = list(range(table.height))
    rnd.shuffle(order)
    a, _ = survive(table, [PHONE])
    b, _ = survive(table[order], [PHONE])
    assert a.drop("_e").equals(b.drop("_e"))


def test_every_distinct_value_is_kept_golden_first():
    r = rows(
        phone=["+321", "+322", "+321"],
        phone_status=["valid", "valid", "valid"],
        _priority=[1, 0, 1],
        mobile=["+324", None, "+324"],
        mobile_status=["valid", None, "valid"],
    )
    golden, _ = survive(r, [PHONE])
    phones = ListField("phones", ("phone", "mobile"))
    points = contact_points(r, (phones,), golden)
    assert points.select("value", "rows", "golden").rows() == [
        ("+322", 1, True),
        ("+321", 2, False),
        ("+324", 2, False),
    ]
    assert listed(points, (phones,))["phones"].to_list() == ["+322;+321;+324"]


@pytest.mark.parametrize(
    "edit, message",
    [
        ('rules = ["valid", "priority", "recent", "frequent"]', "unknown rule 'newest'"),
        ("[company.website]", "column 'phone' is already in [company.website]"),
        ('[company.email]\ncolumns = ["email", "email_status"]', "unknown key 'colour'"),
    ],
)
def test_rules_file_errors_name_the_file_and_line(tmp_path, edit, message):
    text = Rules.load().text("survivorship")
    if "newest" in message:
        changed = text.replace(edit, 'rules = ["valid", "newest"]', 1)
        needle = '"newest"'
    elif "already" in message:
        changed = text.replace(
            '[company.website]\ncolumns = ["website"]',
            '[company.website]\ncolumns = ["website", "phone"]',
            1,
        )
        needle = '"phone"'
    else:
        changed = text.replace(edit, edit + '\ncolour = "blue"', 1)
        needle = "colour"
    assert changed != text
    (tmp_path / "survivorship.toml").write_text(changed, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(Rules.load(tmp_path))
    line = next(i for i, t in enumerate(changed.splitlines(), 1) if needle in t)
    assert message in str(err.value) and f"survivorship.toml:{line}" in str(err.value)


def test_same_value_when_every_candidate_agrees():
    r = rows(
        phone=["+321", "+321"],
        phone_status=["valid", "valid"],
        _date=[date(2024, 1, 1), date(2025, 1, 1)],
    )
    golden, prov = survive(r, [PHONE])
    assert prov.select("decided_by", "source_row", "candidates").row(0) == (
        "same value",
        2,
        2,
    )  # the recent row is named


def test_a_rules_folder_extends_the_shipped_survivorship(tmp_path):
    (tmp_path / "survivorship.toml").write_text('[sources]\npriority = ["crm*", "*"]\n')
    own, shipped = load(Rules.load(tmp_path)), load()
    assert own.sources == ("crm*", "*") != shipped.sources
    assert own.attributes == shipped.attributes and own.lists == shipped.lists


def test_a_missing_column_names_the_rules_file_that_asks_for_it(tmp_path):
    (tmp_path / "survivorship.toml").write_text(
        '[company.website]\ncolumns = ["website", "homepage"]\n'
    )
    rules = Rules.load(tmp_path)
    with pytest.raises(InputError) as err:
        load(rules).check_columns({"website"} | load().columns(), rules=rules)
    assert "no column 'homepage'" in str(err.value)
    assert f"{tmp_path / 'survivorship.toml'}:2" in str(err.value)
