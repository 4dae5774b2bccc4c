"""The figures of each customer's orders, their RFM scores and segment — all ``group_by``.

Conventions (DOMAIN.md §2): ``revenue`` is the net sum of the lines (refunds negative,
credit notes included); ``orders`` counts the distinct order ids with a positive line (a
credit note alone is no order); an order's day is the day of its first positive line, and
``first_order`` / ``last_order`` the first and last of those; ``frequency_days`` the mean gap between distinct order days (null with
one); ``top_categories`` the categories of the largest net revenue (positive only, ties by
name); ``regular_products`` the products bought in at least N distinct orders (most orders
first, ties by name). Scores and segments: ``rules/segments.toml``.

>>> scores(pl.Series([1, 1, 1, 2, 9, 3, 4, 5, 6, 7]), 5).to_list()
[1, 1, 1, 2, 5, 3, 3, 4, 4, 5]
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ..ruleset import Rules


def per_customer(lines: pl.DataFrame, as_of: dt.date, rules: Rules) -> pl.DataFrame:
    """One row per customer of the matched *lines* (``customer``, ``order_id``, ``day``,
    ``money``, ``product``, ``category``). The sums are one lazy plan run by the streaming
    engine (on 10M lines its group_by is two to four times faster than the eager one); the
    rankings run eagerly, whose sort is the faster one. Fastest with ``customer`` a number
    (``link.numbered``)."""
    settings = rules.get("orders").get("profile", {})
    lazy = lines.lazy()
    positive = pl.col("money") > 0
    per_order = lazy.group_by("customer", "order_id").agg(
        pl.col("money").sum().alias("net"),
        pl.col("day").filter(positive).min().alias("day"),  # null: no positive line
        (pl.col("money") < 0).sum().alias("refunds"),
    )
    main = per_order.group_by("customer").agg(
        pl.col("day").is_not_null().sum().alias("orders"),
        pl.col("net").sum().round(2).alias("revenue"),
        pl.col("refunds").sum().alias("refund_lines"),
        pl.col("day").min().alias("first_order"),
        pl.col("day").max().alias("last_order"),
        pl.col("day").drop_nulls().n_unique().alias("_days"),
    )
    days = (pl.col("last_order") - pl.col("first_order")).dt.total_days()
    main = main.with_columns(
        pl.when(pl.col("orders") > 0)
        .then((pl.col("revenue") / pl.col("orders")).round(2))
        .alias("average_basket"),
        (pl.lit(as_of) - pl.col("last_order")).dt.total_days().alias("recency_days"),
        pl.when(pl.col("_days") > 1)
        .then((days / (pl.col("_days") - 1)).round(1))
        .alias("frequency_days"),
    ).drop("_days")
    main, categories, products = pl.collect_all(
        [main, _category_revenue(lazy), _product_orders(lazy)], engine="streaming"
    )
    top = _ranked(categories, "category", "_r", int(settings.get("top_categories", 3)))
    regular = products.filter(pl.col("_n") >= int(settings.get("regular_min_orders", 3)))
    return main.join(top.rename({"category": "top_categories"}), on="customer", how="left").join(
        _ranked(regular, "product", "_n").rename({"product": "regular_products"}),
        on="customer",
        how="left",
    )


def _category_revenue(lines: pl.LazyFrame) -> pl.LazyFrame:
    """``customer``, ``category``, ``_r``: the net revenue of a customer's category, where
    positive. In cents: a float sum's last bit, which depends on the order it was summed in,
    is no tie-break."""
    return (
        lines.filter(pl.col("category").fill_null("") != "")
        .group_by("customer", "category")
        .agg(pl.col("money").sum().round(2).alias("_r"))
        .filter(pl.col("_r") > 0)
    )


def _product_orders(lines: pl.LazyFrame) -> pl.LazyFrame:
    """``customer``, ``product``, ``_n``: the distinct orders a positive line of it is in."""
    return (
        lines.filter((pl.col("product").fill_null("") != "") & (pl.col("money") > 0))
        .group_by("customer", "product")
        .agg(pl.col("order_id").n_unique().alias("_n"))
    )


def _ranked(frame: pl.DataFrame, name: str, by: str, n: int | None = None) -> pl.DataFrame:
    """``customer`` → its *name*s joined by ";", largest *by* first, ties by *name*; the
    first *n* only if given. One sort of the whole frame by numbers (the customer, *by*,
    each name's rank among the sorted distinct names), then each customer's run of rows:
    sorting within each of a million small groups is several times slower."""
    names = frame.select(pl.col(name).unique().sort()).with_row_index("_order")
    ordered = (
        frame.join(names, on=name)
        .sort(["customer", by, "_order"], descending=[False, True, False])
        .with_columns(pl.col("customer").set_sorted())
    )
    picked = pl.col(name) if n is None else pl.col(name).head(n)
    return ordered.group_by("customer").agg(picked).with_columns(pl.col(name).list.join(";"))


def scores(values: pl.Series, bins: int) -> pl.Series:
    """1…*bins* by quantile of *values* (higher value, higher score; nulls stay null): the
    rank from the lowest, ties sharing their lowest rank, cut into *bins* equal parts."""
    n = values.is_not_null().sum()
    rank = values.rank("min")
    return ((rank - 1) * bins // max(n, 1) + 1).cast(pl.Int8).alias(values.name)


def rfm(profiles: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """*profiles* with ``r_score``, ``f_score``, ``m_score``, ``rfm`` ("545") and ``segment``."""
    table = rules.get("segments")
    bins = int(table.get("scores", {}).get("bins", 5))
    scored = pl.col("orders") > 0
    enough = profiles.filter(scored).height >= int(table.get("scores", {}).get("min_customers", 5))
    frame = profiles.with_columns(
        pl.when(scored).then(-pl.col("recency_days")).alias("_r"),
        pl.when(scored).then(pl.col("orders")).alias("_f"),
        pl.when(scored & (pl.col("revenue") > 0)).then(pl.col("revenue")).alias("_m"),
    )
    if not enough:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias(c) for c in ("_r", "_f", "_m"))
    frame = frame.with_columns(
        scores(frame["_r"], bins).alias("r_score"),
        scores(frame["_f"], bins).alias("f_score"),
        scores(frame["_m"], bins).alias("m_score"),
    ).drop("_r", "_f", "_m")
    return frame.with_columns(
        pl.concat_str(pl.col("r_score", "f_score", "m_score").cast(pl.String)).alias("rfm"),
        _segment(table.get("segment", [])).alias("segment"),
    )


def _segment(segments: list[dict]) -> pl.Expr:
    """The name of the first segment whose ranges hold the scores; ``other``; null unscored."""
    out = pl.when(pl.col("r_score").is_null() | pl.col("f_score").is_null()).then(
        pl.lit(None, pl.String)
    )
    for seg in segments:
        held = pl.lit(True)
        for score in ("r", "f", "m"):
            if score in seg:
                low, high = seg[score]
                held = held & pl.col(f"{score}_score").is_between(low, high)
        out = out.when(held).then(pl.lit(seg["name"]))
    return out.otherwise(pl.lit("other"))


def carried(contacts: pl.DataFrame, whose: pl.Expr, as_of: dt.date, rules: Rules) -> pl.DataFrame:
    """What a profile carries of its customer's golden row (*whose*: the customer's key),
    where the master has it: the
    age band (from ``birth_date`` at *as_of*) and ``[carry] columns``; never invented."""
    carry = rules.get("segments").get("carry", {})
    ids = ("customer_id", "contact_id")
    keep = [c for c in carry.get("columns", []) if c in contacts.columns and c not in ids]
    exprs = [whose.alias("customer"), *[pl.col(c) for c in keep]]
    if "birth_date" in contacts.columns:
        born = pl.col("birth_date").cast(pl.String).str.to_date("%Y-%m-%d", strict=False)
        age = (
            pl.lit(as_of.year)
            - born.dt.year()
            - (
                (pl.lit(as_of.month * 100 + as_of.day))
                < born.dt.month().cast(pl.Int32) * 100 + born.dt.day()
            ).cast(pl.Int32)
        )
        edges = [int(e) for e in carry.get("age_bands", [18, 25, 35, 45, 55, 65])]
        exprs.append(_band(age, edges).alias("age_band"))
    # one row per customer: a customer of several contacts takes the first carried values;
    # lazy, so that the birth date the age band reads a dozen times is parsed once
    return (
        contacts.lazy()
        .select(exprs)
        .filter(pl.col("customer").is_not_null())
        .group_by("customer", maintain_order=True)
        .agg(pl.all().first(ignore_nulls=True))
        .collect()
    )


def _band(age: pl.Expr, edges: list[int]) -> pl.Expr:
    """'<18', '18-24' … '65+' of the *edges*; null where the age is unknown."""
    band = pl.when(age.is_null()).then(pl.lit(None, pl.String))
    band = band.when(age < edges[0]).then(pl.lit(f"<{edges[0]}"))
    for low, high in zip(edges, edges[1:]):
        band = band.when(age < high).then(pl.lit(f"{low}-{high - 1}"))
    return band.otherwise(pl.lit(f"{edges[-1]}+"))
