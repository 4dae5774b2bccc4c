"""Lineage: every input row accounted for once."""

import polars as pl
import pytest

from enrich.master.lineage import check_accounting


def test_a_row_counted_twice_stops_the_job():
    lineage = pl.DataFrame({"source_file": ["a.csv", "a.csv"], "source_row": [1, 1]})
    with pytest.raises(AssertionError, match="2 lineage rows"):
        check_accounting(lineage, 2)
    check_accounting(lineage.head(1), 1)
