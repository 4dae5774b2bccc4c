"""What a run carries over from the previous master as it is, when the same rules (and code)
made it: its link state, and the golden rows of the entities no new row touches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import polars as pl

from ..io.read import typed_like
from ..link.derive import level_rows
from ..link.ids import id_number
from ..ruleset import Rules
from .ids import ID_COLUMNS, PREFIX
from .survive import ID

if TYPE_CHECKING:
    from .build import Previous


def state_versions() -> dict:
    """What a link state depends on besides the rules: the code that folds and derives."""
    from .. import __version__

    return {"enrich": __version__, "polars": pl.__version__}


def usable_state(
    previous: Previous, kept: pl.Series | None, rules_hash: str | None, rules: Rules | None
) -> dict[str, pl.DataFrame] | None:
    """The previous master's link state for its *kept* records (a mask over its records; None:
    all), if the same rules and code made it; else None (everything is read again)."""
    if (
        not previous.link_state
        or rules_hash is None
        or previous.rules_hash != rules_hash
        or previous.state_made_by != state_versions()
    ):
        return None
    out = {}
    for level, rows in level_rows(rules).items():
        st = previous.link_state.get(level)
        at_level = previous.records.select(rows).to_series()
        if st is None or st.height != int(at_level.sum()):
            return None
        out[level] = st if kept is None else st.filter(kept.filter(at_level))
    return out


def reusable_tables(
    previous: Previous | None,
    previous_tables: Callable[[], dict] | None,
    rules_hash: str | None,
) -> dict | None:
    """The previous master's golden tables, if the same rules built it (and they could be
    read); else None: every golden row is computed again."""
    if (
        previous is None
        or rules_hash is None
        or previous.rules_hash != rules_hash
        or previous_tables is None
    ):
        return None
    return previous_tables() or None


def carry(
    tables: dict,
    level: str,
    gone: set[str],
    golden: pl.DataFrame,
    points: pl.DataFrame,
    provenance: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The previous master's rows for the entities no new row touched — all but those
    survived again (in *golden*) and the reopened ids (*gone*) — next to the ones survived
    again, in id order; the columns computed after survivorship (contacts, company_name,
    suppressed …) are left for build() to compute."""
    old = tables["companies" if level == "company" else "contacts"].rename({ID_COLUMNS[level]: ID})
    untouched = ~pl.col(ID).is_in(
        pl.Series(sorted(gone), dtype=pl.String).append(golden[ID]).implode()
    )
    number = id_number(pl.col(ID), PREFIX[level]).alias("_n")

    def merged(
        previous: pl.DataFrame, fresh: pl.DataFrame
    ) -> pl.DataFrame:  # by id number, each id's rows in their order
        both = pl.concat(
            [typed_like(previous.filter(untouched).select(fresh.columns), fresh.schema), fresh]
        ).with_columns(number)
        if both["_n"].null_count() or (both["_n"].max() or 0) >= 2**62 // max(
            both.height, 1
        ):  # not ids as enrich gives them
            return both.sort("_n", maintain_order=True).drop("_n")
        # (id number, position) is a unique key in the order of a stable sort by id; an unstable
        # sort on one unique integer is several times faster
        return both.sort(
            pl.col("_n") * both.height + pl.int_range(both.height, dtype=pl.Int64)
        ).drop("_n")

    by_level = lambda name: tables[name][level].rename({"id": ID})  # noqa: E731
    return (
        merged(old, golden),
        merged(by_level("contact_points"), points),
        merged(by_level("provenance"), provenance),
    )
