"""The EU SME class (Recommendation 2003/361/EC) of staff and accounts figures, with the
ceilings of rules/registry.toml, as polars expressions.

>>> frame = pl.DataFrame({"low": [3, 60, 100], "high": [5, 99, None]})
>>> frame.select(sme_class(pl.col("low"), pl.col("high"))).to_series().to_list()
['micro', 'medium', None]
"""

from __future__ import annotations

import polars as pl

from ..ruleset import Rules, rules_or_default


def sme_class(
    low: pl.Expr,
    high: pl.Expr,
    turnover: pl.Expr | None = None,
    balance: pl.Expr | None = None,
    *,
    rules: Rules | None = None,
) -> pl.Expr:
    """The EU SME class of a staff band (fewest, most: null = open) and, when known, the
    turnover and balance-sheet total in euros: the smallest class whose headcount ceiling
    the band is under and whose turnover or balance-sheet ceiling a known figure is within.
    Null when the figures do not decide it ("more than 100" may be medium or large; 5 staff
    with a turnover of 3 M€ and no balance sheet may be micro or small). With neither figure
    known, the class is by headcount alone."""
    registry = rules_or_default(rules).get("registry")
    heads, turnovers, balances = (
        registry["sme_headcount_below"],
        registry["sme_turnover_max"],
        registry["sme_balance_sheet_max"],
    )
    turnover = pl.lit(None, pl.Float64) if turnover is None else turnover
    balance = pl.lit(None, pl.Float64) if balance is None else balance
    money_known = turnover.is_not_null() | balance.is_not_null()

    def fits(cls: str) -> pl.Expr:  # True / False / null (unknown), Kleene logic
        staff = (
            pl.when(high.is_not_null() & (high < heads[cls]))
            .then(True)
            .when(low >= heads[cls])
            .then(False)
        )
        money = (
            pl.when(money_known)
            .then((turnover <= turnovers[cls]) | (balance <= balances[cls]))
            .otherwise(True)
        )
        return staff & money

    band = pl.when(low.is_null()).then(None)
    for cls in ("micro", "small", "medium"):
        band = band.when(fits(cls)).then(pl.lit(cls)).when(fits(cls).is_null()).then(None)
    return band.otherwise(pl.lit("large"))


def sme_criteria(staff: pl.Expr, turnover: pl.Expr, balance: pl.Expr) -> pl.Expr:
    """What an SME class was decided on: *staff* ("headcount" or "FTE"), and the turnover
    and the balance-sheet total when they were known."""
    known = [
        pl.when(expr.is_not_null()).then(pl.lit(name))
        for expr, name in ((turnover, "turnover"), (balance, "balance sheet"))
    ]
    return pl.concat_str([staff, *known], separator=", ", ignore_nulls=True)
