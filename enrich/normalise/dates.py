"""Dates → ISO ``YYYY-MM-DD``: ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``, ISO (with or
without a time, or compact ``yyyymmdd`` from 1900 on), two-digit years, and Excel serial
numbers (days since 1899-12-30).

Day first, as in Belgium and France: ``03/04/2024`` is 3 April. A value that is no date is
kept out of the column and reported, never guessed.

>>> [clean_one(value=v)["value"] for v in ("14/03/2024", "2024-03-14T09:12:00Z", "45365", "14.3.24", "20240314")]
['2024-03-14', '2024-03-14', '2024-03-14', '2024-03-14', '2024-03-14']
>>> clean_one(value="31/02/2024")["issues"]
'date: not a date'
"""

from __future__ import annotations

import polars as pl

from .text import column, join_issues, one_row, tidy

INPUTS = ("value",)
OUTPUTS = ("value",)

_DMY = r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"
_BASIC = r"^((?:19|20)\d{2})(\d{2})(\d{2})$"  # ISO 8601 basic: 20240314
_SERIAL = r"^\d{4,5}(?:\.\d+)?$"  # Excel: 1000 ≈ 1902, 99999 ≈ 2173


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A date from text parts; null where it does not exist (31/02)."""
    text = y + "-" + m.str.zfill(2) + "-" + d.str.zfill(2)
    return text.str.to_date("%Y-%m-%d", strict=False)


def parse(expr: pl.Expr) -> pl.Expr:
    """The date in *expr* as ``pl.Date`` (null when it is not one)."""
    s = tidy(expr)
    y2 = s.str.extract(_DMY, 3)
    year = (
        pl.when(y2.str.len_chars() == 2)
        .then(
            pl.when(y2.cast(pl.Int32, strict=False) < 30)
            .then(pl.lit("20") + y2)
            .otherwise(pl.lit("19") + y2)
        )
        .otherwise(y2)
    )
    dmy = _ymd(year, s.str.extract(_DMY, 2), s.str.extract(_DMY, 1))
    iso = _ymd(s.str.extract(_ISO, 1), s.str.extract(_ISO, 2), s.str.extract(_ISO, 3))
    basic = _ymd(s.str.extract(_BASIC, 1), s.str.extract(_BASIC, 2), s.str.extract(_BASIC, 3))
    serial = s.str.extract(r"^(\d{4,5})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False)
    excel = (pl.date(1899, 12, 30) + pl.duration(days=serial)).cast(pl.Date)
    return pl.coalesce(
        pl.when(s.str.contains(_DMY)).then(dmy),
        pl.when(s.str.contains(_ISO)).then(iso),
        pl.when(s.str.contains(_BASIC)).then(basic),
        pl.when(s.str.contains(_SERIAL)).then(excel),
    )


def clean(df: pl.DataFrame, name: str = "value") -> pl.DataFrame:
    """The column *name* as ISO text, and ``issues``."""
    raw = pl.DataFrame({"raw": column(df, name)})
    out = raw.select(
        parse(pl.col("raw")).alias("_d"),
        tidy(pl.col("raw")).alias("_raw"),
    )
    return out.select(
        pl.col("_d").dt.strftime("%Y-%m-%d").alias(name),
        join_issues(
            pl.when(pl.col("_raw").is_not_null() & pl.col("_d").is_null()).then(
                pl.lit(f"{'date' if name == 'value' else name}: not a date")
            )
        ).alias("issues"),
    )


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
