"""The master's ids: each level's id column and prefix ('co-12', 'ct-3'), and the highest id
number given so far, which the next run goes on from."""

from __future__ import annotations

import polars as pl

from ..link.ids import id_number
from ..link.levels import LEVELS

# rules/link.toml declares these too (derive.levels); fixed here like LEVELS: the files name them
# (a customer's rows are one contact: the master's golden rows are companies and contacts)
ID_COLUMNS = {"company": "company_id", "customer": "customer_id", "contact": "contact_id"}
PREFIX = {"company": "co", "customer": "cu", "contact": "ct"}


def _number(ids: pl.Series, prefix: str) -> int:
    top = id_number(ids, prefix).max()
    return -1 if top is None else int(top)


def highest_ids(
    records: pl.DataFrame, master: pl.DataFrame | None, used: dict[str, int] | None
) -> dict[str, int]:
    """The highest id number ever given, per level, for the next run."""
    fresh_ids = (
        records if master is None else records.slice(master.height)
    )  # the master's ids are all within `used`
    return {
        level: max(
            _number(fresh_ids[ID_COLUMNS[level]].drop_nulls(), PREFIX[level]),
            (used or {}).get(level, -1),
        )
        for level in LEVELS
    }
