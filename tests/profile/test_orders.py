"""Order lines as exports write them: headers in four languages, amounts, dates."""

from __future__ import annotations

import datetime as dt

import polars as pl

from enrich.profile.orders import amounts, dates, map_order_headers
from enrich.ruleset import Rules


def test_headers_in_four_languages():
    rules = Rules.load()
    got = map_order_headers(
        ["Bestelnummer", "Klantnummer", "E-mailadres", "Besteldatum", "Bedrag", "Notitie"], rules
    )
    assert got == {
        "Bestelnummer": "order_id",
        "Klantnummer": "customer_key",
        "E-mailadres": "email",
        "Besteldatum": "date",
        "Bedrag": "amount",
    }
    de = map_order_headers(["Bestellnummer", "Kundennummer", "Bestelldatum", "Betrag"], rules)
    assert sorted(de.values()) == ["amount", "customer_key", "date", "order_id"]
    en = map_order_headers(["InvoiceNo", "CustomerID", "InvoiceDate", "Total", "Qty"], rules)
    assert en["Qty"] == "quantity" and en["CustomerID"] == "customer_key"


def test_amounts():
    s = pl.Series(["1.234,50", "1 234,50 €", "-0,99", "EUR 20", "12,5", "", None, "1,2,3x"])
    assert amounts(s).to_list() == [1234.5, 1234.5, -0.99, 20.0, 12.5, None, None, None]
    # a column of decimal points: "1,234" groups thousands there, "1.234" is a decimal
    english = pl.Series(["1,234", "12.50", "3.99", "$ 1,234.56", "(5.00)"])
    assert amounts(english).to_list() == [1234.0, 12.5, 3.99, 1234.56, -5.0]
    # a column of decimal commas: "1.234" groups thousands
    assert amounts(pl.Series(["1.234", "12,50"])).to_list() == [1234.0, 12.5]


def test_dates_day_first_unless_the_column_says_otherwise():
    day_first = dates(pl.Series(["03/04/2026", "25/12/2025", "2026-01-02", "45658", "x"]))
    assert day_first.to_list() == [
        dt.date(2026, 4, 3),
        dt.date(2025, 12, 25),
        dt.date(2026, 1, 2),
        dt.date(2025, 1, 1),
        None,
    ]
    month_first = dates(pl.Series(["03/04/2026", "12/25/2025 3:45 PM"]))
    assert month_first.to_list() == [dt.date(2026, 3, 4), dt.date(2025, 12, 25)]


def test_map_by_hand():
    import pytest

    from enrich.errors import InputError
    from enrich.options import order_maps

    hand = order_maps(("Ref=order_id", "Wie=customer_key"))
    got = map_order_headers(["Ref", "Wie", "Order ID"], Rules.load(), hand)
    assert got == {"Ref": "order_id", "Wie": "customer_key"}  # "Order ID" left: taken by hand
    with pytest.raises(InputError):
        order_maps(("Ref=company_name",))
