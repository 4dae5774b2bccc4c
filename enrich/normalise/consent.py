"""Opt-out flags: yes/no in FR, NL, EN, DE (and 1/0, x, true/false) → a boolean.

Opt-outs always win: a filled opt-out cell that is not a recognisable "no" counts as an
opt-out, and says so.

>>> [clean_one(opt_out=v)["opt_out"] for v in ("Oui", "nee", "x", "", "FALSE", "désinscrit")]
[True, False, True, False, False, True]
>>> clean_one(opt_out="peut-être")["issues"]
'opt_out: unrecognised value, treated as an opt-out'
"""

from __future__ import annotations

import polars as pl

from .text import column, fold, join_issues, one_row

INPUTS = ("opt_out",)
OUTPUTS = ("opt_out",)

YES = [
    "oui",
    "o",
    "yes",
    "y",
    "ja",
    "j",
    "1",
    "true",
    "vrai",
    "waar",
    "x",
    "opt out",
    "optout",
    "desinscrit",
    "desinscrite",
    "desabonne",
    "desabonnee",
    "uitgeschreven",
    "afgemeld",
    "unsubscribed",
    "abgemeldet",
    "stop",
    "bloctel",
    "robinson",
]
NO = [
    "non",
    "n",
    "no",
    "nee",
    "nein",
    "0",
    "false",
    "faux",
    "onwaar",
    "falsch",
    "opt in",
    "optin",
    "inscrit",
    "ingeschreven",
]


def clean(df: pl.DataFrame) -> pl.DataFrame:
    """OUTPUTS and ``issues``."""
    key = fold(pl.lit(column(df, "opt_out")))
    frame = pl.select(key.alias("k"))
    known = pl.col("k").is_in(YES + NO)
    return frame.select(
        (pl.col("k").is_not_null() & ~pl.col("k").is_in(NO)).alias("opt_out"),
        join_issues(
            pl.when(pl.col("k").is_not_null() & ~known).then(
                pl.lit("opt_out: unrecognised value, treated as an opt-out")
            )
        ).alias("issues"),
    )


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
