"""Dates → ISO ``YYYY-MM-DD``: ``dd/mm/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy`` (or month first),
ISO (with ``-``, ``/`` or ``.``, with or without a time, or compact ``yyyymmdd`` from 1900
on), two-digit years, and Excel serial numbers (days since 1899-12-30).

A column's *order* says how to read three numbers with the year last (or a two-digit year):
``dmy`` (day first, as in Belgium and France: ``03/04/2024`` is 3 April, the default),
``mdy`` (month first, as US exports write: ``4/3/2024`` is 3 April) or ``ymd``
(``24.04.03``). A four-digit year first is always year-month-day. A value that can only be
read the other way (``8/20/2025`` in a day-first column) is read that way: there is no
other reading. A value that is no date is kept out of the column and reported, never guessed.

>>> [clean_one(value=v)["value"] for v in ("14/03/2024", "2024-03-14T09:12:00Z", "45365", "14.3.24", "20240314")]
['2024-03-14', '2024-03-14', '2024-03-14', '2024-03-14', '2024-03-14']
>>> [clean_one(value=v, order="mdy")["value"] for v in ("3/4/2024", "8/20/2025 3:45 PM", "20/08/2025")]
['2024-03-04', '2025-08-20', '2025-08-20']
>>> clean_one(value="31/02/2024")["issues"]
'date: not a date'

:func:`evidence` says what a value tells of its column's order: ``day_first`` (a first
number over 12), ``month_first`` (a second number over 12), ``either`` (both 12 or less),
``iso`` (year first), ``compact``, ``serial``; null when it is no date.

>>> pl.select(evidence(pl.Series(["25/12/2024", "12/25/2024", "03/04/2024", "2024-12-25", "x"]))).to_series().to_list()
['day_first', 'month_first', 'either', 'iso', None]
"""

from __future__ import annotations

import polars as pl

from .text import column, join_issues, one_row, tidy

INPUTS = ("value", "order")
OUTPUTS = ("value",)
DEFAULT_ORDER = "dmy"

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?)?"
_DMY = rf"^(\d{{1,2}})[/\-.](\d{{1,2}})[/\-.](\d{{2}}|\d{{4}}){_TIME}$"
_ISO = r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[ T].*)?$"
_BASIC = r"^((?:19|20)\d{2})(\d{2})(\d{2})$"  # ISO 8601 basic: 20240314
_SERIAL = r"^\d{4,5}(?:\.\d+)?$"  # Excel: 1000 ≈ 1902, 99999 ≈ 2173


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A date from text parts; null where it does not exist (31/02)."""
    text = y + "-" + m.str.zfill(2) + "-" + d.str.zfill(2)
    return text.str.to_date("%Y-%m-%d", strict=False)


def _year(y: pl.Expr) -> pl.Expr:
    """A two-digit year in 1930–2029; a four-digit one as it is."""
    short = y.str.len_chars() == 2
    century = (
        pl.when(y.cast(pl.Int32, strict=False) < 30).then(pl.lit("20")).otherwise(pl.lit("19"))
    )
    return pl.when(short).then(century + y).otherwise(y)


def _three(s: pl.Expr) -> dict[str, pl.Expr]:
    """The three readings of ``a/b/c`` (null where that reading is no date)."""
    a, b, c = (s.str.extract(_DMY, i) for i in (1, 2, 3))
    return {
        "dmy": _ymd(_year(c), b, a),
        "mdy": _ymd(_year(c), a, b),
        "ymd": pl.when(c.str.len_chars() == 2).then(_ymd(_year(a), b, c)),
    }


def parse(expr: pl.Expr, order: str | pl.Expr = DEFAULT_ORDER) -> pl.Expr:
    """The date in *expr* as ``pl.Date`` (null when it is not one), ``a/b/c`` read in
    *order* (a str, or an expression giving each row's), else the way it can be read."""
    s = tidy(expr)
    order = pl.lit(order) if isinstance(order, str) else order
    read = _three(s)
    three = (
        pl.when(order == "mdy")
        .then(pl.coalesce(read["mdy"], read["dmy"]))
        .when(order == "ymd")
        .then(pl.coalesce(read["ymd"], read["dmy"], read["mdy"]))
        .otherwise(pl.coalesce(read["dmy"], read["mdy"]))
    )
    iso = _ymd(s.str.extract(_ISO, 1), s.str.extract(_ISO, 2), s.str.extract(_ISO, 3))
    basic = _ymd(s.str.extract(_BASIC, 1), s.str.extract(_BASIC, 2), s.str.extract(_BASIC, 3))
    serial = s.str.extract(r"^(\d{4,5})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False)
    excel = (pl.date(1899, 12, 30) + pl.duration(days=serial)).cast(pl.Date)
    return pl.coalesce(
        pl.when(s.str.contains(_DMY)).then(three),
        pl.when(s.str.contains(_ISO)).then(iso),
        pl.when(s.str.contains(_BASIC)).then(basic),
        pl.when(s.str.contains(_SERIAL)).then(excel),
    )


def evidence(expr: pl.Expr) -> pl.Expr:
    """What each value says of its column's order (see the module's doc)."""
    s = tidy(expr)
    read = _three(s)
    day_first, month_first = read["dmy"].is_not_null(), read["mdy"].is_not_null()
    iso = _ymd(s.str.extract(_ISO, 1), s.str.extract(_ISO, 2), s.str.extract(_ISO, 3))
    basic = _ymd(s.str.extract(_BASIC, 1), s.str.extract(_BASIC, 2), s.str.extract(_BASIC, 3))
    return (
        pl.when(day_first & month_first)
        .then(pl.lit("either"))
        .when(day_first)
        .then(pl.lit("day_first"))
        .when(month_first)
        .then(pl.lit("month_first"))
        .when(iso.is_not_null())
        .then(pl.lit("iso"))
        .when(basic.is_not_null())
        .then(pl.lit("compact"))
        .when(s.str.contains(_SERIAL))
        .then(pl.lit("serial"))
    )


def clean(df: pl.DataFrame, name: str = "value") -> pl.DataFrame:
    """The column *name* as ISO text, and ``issues``; each row's order from the column
    ``order`` (day first where it is null or absent)."""
    raw = pl.DataFrame({"raw": column(df, name), "order": column(df, "order")})
    out = raw.select(
        parse(pl.col("raw"), pl.col("order").fill_null(DEFAULT_ORDER)).alias("_d"),
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
