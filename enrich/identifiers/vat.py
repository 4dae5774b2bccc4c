"""The VAT field: its country prefix picks the adapter that checks it.

The prefix is the one typed, else the row's country (GR is written EL), else BE for ten
digits starting 0/1. An adapter with a vectorised ``check_vat`` (BE, FR) checks its rows
in one pass; the others, and the rows a vectorised one leaves (FR letter keys), go through
the adapter's ``validate_vat`` once per distinct value — ``eu`` for any prefix not in the
table.

>>> import polars as pl
>>> from . import be, eu, fr
>>> frame = pl.LazyFrame({"vat": ["BE0403170701", "FR40303265045", "ATU13585627", "12345"],
...                       "country": [None, None, None, None]})
>>> out = check(frame, "vat", "_v", {"BE": be, "FR": fr}).collect()
>>> out["_v_formatted"].to_list()
['BE 0403.170.701', 'FR 40 303 265 045', 'ATU13585627', None]
>>> out["_v_status"].to_list(), out["_v_siren"].to_list()[1]
(['valid', 'valid', 'valid', 'invalid_format'], '303265045')
"""

from __future__ import annotations

from types import ModuleType

import polars as pl

from . import eu

NO_COUNTRY = "no country prefix and no country for the row"
_CHECKED = {"_full": pl.String, "_xc": pl.String, "_xs": pl.String, "_xr": pl.String}


def _split(frame: pl.LazyFrame, src: str, out: str) -> pl.LazyFrame:
    """``{out}_prefix`` (the country) and ``{out}_number`` (what follows the prefix)."""
    vat = pl.col(src)
    has_prefix = vat.str.contains(r"^[A-Z]{2}")
    prefix = (
        pl.when(has_prefix)
        .then(vat.str.slice(0, 2))
        .when(pl.col("country").is_in(eu.PREFIXES + ["GR"]))
        .then(pl.col("country"))
        .when(vat.str.contains(r"^[01][0-9]{9}$"))
        .then(pl.lit("BE"))
    ).replace({"GR": "EL"})
    number = pl.when(has_prefix).then(vat.str.slice(2)).otherwise(vat)
    return frame.with_columns(prefix.alias(f"{out}_prefix"), number.alias(f"{out}_number"))


def _vectorised(frame: pl.LazyFrame, out: str, adapters: dict[str, ModuleType]) -> pl.LazyFrame:
    """Each vectorised adapter over every row; kept where the prefix is its country."""
    routes = {cc: a for cc, a in adapters.items() if hasattr(a, "check_vat")}
    for cc, adapter in routes.items():
        frame = adapter.check_vat(frame, f"{out}_number", f"{out}_{cc}")
    taken = {
        cc: (pl.col(f"{out}_prefix") == cc) & pl.col(f"{out}_{cc}_value").is_not_null()
        for cc in routes
    }

    def pick(column: str) -> pl.Expr:  # the prefixes differ: at most one adapter takes a row
        return pl.coalesce(
            [pl.when(taken[cc]).then(pl.col(f"{out}_{cc}_{column}")) for cc in routes]
        ).alias(f"{out}_{column}")

    gives = sorted({t for a in routes.values() for t in a.VAT_GIVES})
    return frame.with_columns(
        *[pick(c) for c in ("value", "status", "reason", "formatted")],
        *[
            pl.coalesce(
                [
                    pl.when(taken[cc]).then(pl.col(f"{out}_{cc}_{t}"))
                    for cc, a in routes.items()
                    if t in a.VAT_GIVES
                ]
            ).alias(f"{out}_{t}")
            for t in gives
        ],
    )


def _per_value(
    frame: pl.DataFrame, src: str, out: str, adapters: dict[str, ModuleType]
) -> pl.DataFrame:
    """The rows with a prefix the vectorised adapters left, once per distinct value."""
    full = (pl.col(f"{out}_prefix") + pl.col(f"{out}_number")).alias("_full")
    todo = frame.filter(
        pl.col(src).is_not_null()
        & pl.col(f"{out}_status").is_null()
        & pl.col(f"{out}_prefix").is_not_null()
    )
    rows = []
    for number in todo.select(full)["_full"].unique().to_list():
        adapter = adapters.get(number[:2], eu)
        rows.append((number, *eu.checked(number, adapter.validate_vat, adapter.format_vat)))
    lookup = pl.DataFrame(rows, schema={**_CHECKED, "_xf": pl.String}, orient="row")
    return frame.with_columns(full).join(lookup, on="_full", how="left", maintain_order="left")


def check(frame: pl.LazyFrame, src: str, out: str, adapters: dict[str, ModuleType]) -> pl.LazyFrame:
    """``{out}_value`` (the compact VAT with its prefix), ``{out}_status``, ``{out}_reason``,
    ``{out}_formatted``, and what a valid one gives (``{out}_enterprise_number`` …)."""
    frame = _vectorised(_split(frame, src, out), out, adapters)
    frame = _per_value(frame.collect(), src, out, adapters).lazy()
    no_country = pl.col(src).is_not_null() & pl.col(f"{out}_prefix").is_null()
    return frame.with_columns(
        pl.coalesce(f"{out}_value", "_xc", src).alias(f"{out}_value"),
        pl.when(no_country)
        .then(pl.lit("invalid_format"))
        .otherwise(pl.coalesce(f"{out}_status", "_xs"))
        .alias(f"{out}_status"),
        pl.when(no_country)
        .then(pl.lit(NO_COUNTRY))
        .otherwise(pl.coalesce(f"{out}_reason", "_xr"))
        .alias(f"{out}_reason"),
        pl.coalesce(f"{out}_formatted", "_xf").alias(f"{out}_formatted"),
    )
