"""Dates read in a column's order: day-first, month-first or year-first."""

import polars as pl
import pytest

from enrich.normalise import dates


@pytest.mark.parametrize(
    "value,order,iso",
    [
        ("03/04/2024", "dmy", "2024-04-03"),
        ("03/04/2024", "mdy", "2024-03-04"),
        ("8/20/2025", "mdy", "2025-08-20"),
        ("8/20/2025", "dmy", "2025-08-20"),  # only one reading: month-first
        ("20/08/2025", "mdy", "2025-08-20"),  # only one reading: day-first
        ("12/31/2024 11:59 PM", "mdy", "2024-12-31"),
        ("1.2.99", "mdy", "1999-01-02"),
        ("24.03.14", "ymd", "2024-03-14"),
        ("14/03/2024", "ymd", "2024-03-14"),  # a four-digit year last: not year-first
        ("2024/03/14", "mdy", "2024-03-14"),  # a four-digit year first: always y-m-d
        ("2024.3.4", "dmy", "2024-03-04"),
        ("13/13/2024", "mdy", None),
        ("31/02/2024", "dmy", None),
    ],
)
def test_orders(value, order, iso):
    assert dates.clean_one(value=value, order=order)["value"] == iso


def test_each_row_its_own_order_and_null_is_day_first():
    frame = pl.DataFrame({"value": ["03/04/2024"] * 3, "order": ["dmy", "mdy", None]})
    assert dates.clean(frame)["value"].to_list() == ["2024-04-03", "2024-03-04", "2024-04-03"]


def test_evidence():
    values = ["25/12/2024", "12/25/2024", "3.4.24", "2024-12-25", "20241225", "45365", "Q4"]
    got = pl.select(dates.evidence(pl.Series(values))).to_series().to_list()
    assert got == ["day_first", "month_first", "either", "iso", "compact", "serial", None]
