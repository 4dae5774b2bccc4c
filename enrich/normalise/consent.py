"""Opt-out flags: yes/no in FR, NL, EN, DE (and 1/0, x, true/false, a date of withdrawal) → a
boolean, for every channel (``opt_out``) and per channel (``opt_out_email``,
``opt_out_phone``, ``opt_out_post``).

Opt-outs always win: a filled opt-out cell that is not a recognisable "no" counts as an
opt-out, and says so; a date is the day the person withdrew, so an opt-out too (silently).

>>> [clean_one(opt_out=v)["opt_out"] for v in ("Oui", "nee", "x", "", "FALSE", "désinscrit")]
[True, False, True, False, False, True]
>>> clean_one(opt_out="peut-être")["issues"]
'opt_out: unrecognised value, treated as an opt-out'
>>> r = clean_one(opt_out_phone="12/03/2024", opt_out_email="nein")
>>> r["opt_out_phone"], r["opt_out_email"], r["opt_out_post"], r["issues"]
(True, False, False, None)
"""

from __future__ import annotations

import polars as pl

from .text import column, fold, join_issues, one_row

INPUTS = ("opt_out", "opt_out_email", "opt_out_phone", "opt_out_post")
OUTPUTS = INPUTS

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
    "wahr",
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
# a day of withdrawal (as folded: punctuation is a space): 12/03/2024, 2024-03-12, 12.03.24,
# 2024-03-12T10:00:00Z, 20240312
DATE = r"^\d{1,4} \d{1,2} \d{1,4}(?:\D.*)?$|^(?:19|20)\d{6}$"


def clean(df: pl.DataFrame) -> pl.DataFrame:
    """OUTPUTS and ``issues``."""
    frame = pl.select(fold(pl.lit(column(df, name))).alias(name) for name in INPUTS)
    flags, issues = [], []
    for name in INPUTS:
        k = pl.col(name)
        known = k.is_in(YES + NO) | k.str.contains(DATE)
        flags.append((k.is_not_null() & ~k.is_in(NO)).alias(name))
        issues.append(
            pl.when(k.is_not_null() & ~known).then(
                pl.lit(f"{name}: unrecognised value, treated as an opt-out")
            )
        )
    return frame.select(*flags, join_issues(*issues).alias("issues"))


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
