"""`enrich.profile.metrics.per_customer` on hand-made lines: rankings and their ties."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from enrich.profile import link, metrics
from enrich.ruleset import Rules

DAY = dt.date(2026, 3, 2)


def lines(rows: list[tuple]) -> pl.DataFrame:
    """(customer, order_id, money, product, category) → the lines per_customer reads."""
    frame = pl.DataFrame(
        rows, schema=["customer", "order_id", "money", "product", "category"], orient="row"
    )
    return frame.with_columns(pl.lit(DAY).alias("day"))


ROWS = [
    # Ann: Maison first (5.00), then Alimentation and Boissons, tied at 1.30 (by name)
    ("c-ann", "o1", 0.10, "Thé", "Boissons"),
    ("c-ann", "o2", 0.20, "Thé", "Boissons"),
    ("c-ann", "o3", 0.30, "Riz", "Alimentation"),
    ("c-ann", "o3", 5.00, "Vase", "Maison"),
    ("c-ann", "o4", 1.00, "Riz", "Alimentation"),
    ("c-ann", "o4", -1.00, "Riz", "Alimentation"),  # a refund line
    ("c-ann", "o5", 1.00, "Thé", "Boissons"),
    ("c-ann", "o5", 1.00, "Riz", "Alimentation"),
    # Bob: Riz in three orders, Café and Pain in three, Thé in two (not regular)
    ("c-bob", "p1", 2.00, "Riz", "Alimentation"),
    ("c-bob", "p2", 2.00, "Riz", "Alimentation"),
    ("c-bob", "p3", 2.00, "Riz", "Alimentation"),
    ("c-bob", "p1", 3.00, "Pain", "Alimentation"),
    ("c-bob", "p2", 3.00, "Pain", "Alimentation"),
    ("c-bob", "p4", 3.00, "Pain", "Alimentation"),
    ("c-bob", "p5", 3.00, "Pain", "Alimentation"),
    ("c-bob", "p1", 1.00, "Café", "Boissons"),
    ("c-bob", "p2", 1.00, "Café", "Boissons"),
    ("c-bob", "p3", 1.00, "Café", "Boissons"),
    ("c-bob", "p4", 1.00, "Thé", "Boissons"),
    ("c-bob", "p5", 1.00, "Thé", "Boissons"),
]


@pytest.mark.parametrize("numbered", [False, True], ids=["by id", "by number"])
def test_rankings_ties_go_by_name(numbered):
    frame = lines(ROWS)
    people = link.people([frame])
    if numbered:
        frame = link.numbered(frame, people)
    table = metrics.per_customer(frame, DAY, Rules.load(None))
    if numbered:
        table = link.unnumbered(table, people)
    rows = {r["customer"]: r for r in table.iter_rows(named=True)}
    ann, bob = rows["c-ann"], rows["c-bob"]
    assert ann["top_categories"] == "Maison;Alimentation;Boissons"
    assert ann["regular_products"] == "Riz;Thé"  # in three orders each: by name
    assert (ann["orders"], ann["revenue"], ann["refund_lines"]) == (5, 7.6, 1)
    # Pain in four orders, then Café and Riz in three (by name); Thé in two is not regular
    assert bob["regular_products"] == "Pain;Café;Riz"
    assert bob["top_categories"] == "Alimentation;Boissons"


def test_top_categories_tied_in_cents():
    frame = lines(
        [
            ("c-1", "o1", 0.10, "x", "B"),
            ("c-1", "o1", 0.20, "x", "B"),
            ("c-1", "o2", 0.30, "y", "A"),
        ]
    )
    table = metrics.per_customer(frame, DAY, Rules.load(None))
    assert table["top_categories"].to_list() == ["A;B"]  # 0.30 each: by name
