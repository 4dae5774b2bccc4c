"""Countries: names and codes in FR/NL/EN/DE → ISO 3166-1 alpha-2.

Names come from ``rules/countries.toml``; any ISO alpha-2 code is accepted as it is.

>>> [clean_one(country=c)["country"] for c in ("Belgique", "BELGIË", "be", "Pays-Bas", "UK")]
['BE', 'BE', 'BE', 'NL', 'GB']
>>> clean_one(country="Atlantis")["issues"]
'country: unrecognised'
"""

from __future__ import annotations

import phonenumbers
import polars as pl

from ..ruleset import Rules, rules_or_default
from .text import column, fold, fold_py, join_issues, one_row

INPUTS = ("country",)
OUTPUTS = ("country",)


def names(rules: Rules | None = None) -> dict[str, str]:
    """Folded name or code → ISO alpha-2."""
    return rules_or_default(rules).derived(_names)


def _names(rules: Rules) -> dict[str, str]:
    table = {r.lower(): r for r in phonenumbers.SUPPORTED_REGIONS if r != "001"}
    for code, variants in rules.get("countries")["names"].items():
        for v in variants:
            table[fold_py(v)] = code
        table[code.lower()] = code
    return table


def iso_codes(rules: Rules | None = None) -> set[str]:
    return set(names(rules).values())


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues``."""
    table = names(rules)
    raw = column(df, "country")
    key = pl.select(fold(pl.lit(raw))).to_series()
    uniq = key.drop_nulls().unique().to_list()
    lookup = pl.DataFrame(
        {"k": uniq, "code": [table.get(k) for k in uniq]},
        schema={"k": pl.String, "code": pl.String},
    )
    frame = pl.DataFrame({"k": key}).join(lookup, on="k", how="left", maintain_order="left")
    return frame.select(
        pl.col("code").alias("country"),
        join_issues(
            pl.when(pl.col("k").is_not_null() & pl.col("code").is_null()).then(
                pl.lit("country: unrecognised")
            )
        ).alias("issues"),
    )


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
