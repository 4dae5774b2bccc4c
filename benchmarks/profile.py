"""`enrich profile` on 10M order lines for 1M customers, timed (issue #21: ≤ 60 s).

    python benchmarks/profile.py                               # 1M customers, 10M lines, Parquet
    python benchmarks/profile.py --lines 10000000 --orders-format csv
    python benchmarks/profile.py --customers 100000 --lines 1000000

Generates in ``bench-data/profile/`` (kept between runs; ``--fresh`` makes them again):
a master-like folder (what ``enrich profile`` reads of a master: run.json, golden contacts
with birth dates and countries, contact points with one or two e-mails per customer, source
records with a customer number each — 5 % of customers typed twice under two numbers and
merged —, and empty companies and provenance) and an order export: orders of one to six
lines, 70 % keyed by customer number, 29 % by e-mail only (in mixed case), 1 % of unknown
customers; amounts written ``1234,50`` (5 % refund lines, negative), dates ``dd/mm/yyyy``,
2 000 products in 30 categories. Then runs ``enrich profile`` as a user would (a fresh
process) and prints one JSON line: the sizes, the seconds, the counts of its run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path("bench-data") / "profile"


def master(folder: Path, n: int, seed: int = 11) -> None:
    """A master-like folder of *n* customers (contact ids ``ct-0`` …)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = pl.Series("contact_id", [f"ct-{i}" for i in range(n)])
    number = pl.int_range(n, eager=True)
    born = pl.Series(rng.integers(-20000, 5000, n)).cast(pl.Date)  # 1915 … 1983
    countries = pl.Series(np.array(["BE", "FR", "NL", "LU", "DE"])[rng.integers(0, 5, n)])
    contacts = pl.DataFrame(
        {"contact_id": ids, "birth_date": born.dt.strftime("%Y-%m-%d"), "country": countries}
    )
    mail = "p" + number.cast(pl.String) + "@mail" + (number % 97).cast(pl.String) + ".be"
    second = pl.Series(rng.random(n) < 0.2)
    points = pl.concat(
        [
            pl.DataFrame({"id": ids, "value": mail}),
            pl.DataFrame({"id": ids, "value": "o." + mail}).filter(second),
        ]
    ).select(pl.lit("contact").alias("level"), "id", pl.lit("emails").alias("kind"), "value")
    twice = pl.Series(rng.random(n) < 0.05)
    records = pl.concat(
        [
            pl.DataFrame({"external_id": "K" + number.cast(pl.String), "contact_id": ids}),
            pl.DataFrame({"external_id": "D" + number.cast(pl.String), "contact_id": ids}).filter(
                twice
            ),
        ]
    ).with_columns(
        pl.lit("customers.csv").alias("source_file"),
        pl.int_range(1, pl.len() + 1).alias("source_row"),
    )
    contacts.write_parquet(folder / "contacts.parquet")
    points.write_parquet(folder / "contact_points.parquet")
    records.write_parquet(folder / "records.parquet")
    for name in ("companies", "provenance"):
        pl.DataFrame({"id": []}, schema={"id": pl.String}).write_parquet(folder / f"{name}.parquet")
    records.select("source_file", "source_row", "contact_id").write_csv(folder / "lineage.csv")
    (folder / "model.json").write_text("{}")
    (folder / "run.json").write_text(json.dumps({"command": "master"}))


def orders(path: Path, customers: int, lines: int, fmt: str, seed: int = 12) -> None:
    """An order export of about *lines* lines for *customers* customers."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, lines // 3 + 1)  # 1–6 lines per order, 3.5 on average
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), lines) + 1]
    n_orders = len(sizes)
    who = rng.integers(0, customers, n_orders)
    how = rng.random(n_orders)
    day = rng.integers(0, 730, n_orders)
    order = pl.DataFrame({"o": np.arange(n_orders), "who": who, "how": how, "day": day})
    order = order.with_columns(
        pl.when(pl.col("how") < 0.70)
        .then(pl.format("K{}", pl.col("who")))
        .when(pl.col("how") < 0.99)
        .then(None)
        .otherwise(pl.format("Z{}", pl.col("who")))
        .alias("Customer number"),
        pl.when((pl.col("how") >= 0.70) & (pl.col("how") < 0.99))
        .then(pl.format("P{}@Mail{}.be", pl.col("who"), pl.col("who") % 97))
        .alias("Email"),
        (pl.date(2024, 1, 1) + pl.duration(days=pl.col("day")))
        .dt.strftime("%d/%m/%Y")
        .alias("Date"),
        pl.format("W{}", pl.col("o")).alias("Order"),
    )
    frame = order.select(pl.all().repeat_by(pl.Series(sizes)).explode()).head(lines)
    m = frame.height
    product = rng.integers(0, 2000, m)
    cents = rng.integers(100, 20000, m) * np.where(rng.random(m) < 0.05, -1, 1)
    frame = frame.with_columns(
        ("SKU" + pl.Series("Product", product).cast(pl.String).str.zfill(5)).alias("Product"),
        ("Cat " + pl.Series(product % 30).cast(pl.String)).alias("Category"),
        pl.Series("_c", cents),
    ).with_columns(
        pl.format(
            "{},{}",
            (pl.col("_c") // 100).cast(pl.String),
            (pl.col("_c").abs() % 100).cast(pl.String).str.zfill(2),
        ).alias("Amount")
    )
    frame = frame.select(
        "Order", "Customer number", "Email", "Date", "Amount", "Product", "Category"
    )
    if fmt == "csv":
        frame.write_csv(path, separator=";")
    else:
        frame.write_parquet(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--orders-format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--fresh", action="store_true", help="Generate the data again.")
    a = ap.parse_args()
    base = DATA / f"{a.customers}-{a.lines}"
    folder, path = base / "master", base / f"orders.{a.orders_format}"
    if a.fresh or not (folder / "run.json").is_file():
        master(folder, a.customers)
    if a.fresh or not path.is_file():
        orders(path, a.customers, a.lines, a.orders_format)
    out = base / "profiles"
    cmd = [sys.executable, "-m", "enrich.cli", "profile", str(path), "--master", str(folder)]
    cmd += ["-o", str(out), "--as-of", "2026-01-01", "-q"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env={**os.environ})
    seconds = time.perf_counter() - start
    counts = json.loads((out / "run.json").read_text())["counts"]
    print(
        json.dumps(
            {
                "customers": a.customers,
                "lines": a.lines,
                "orders_format": a.orders_format,
                "seconds": round(seconds, 1),
                "counts": counts,
            }
        )
    )


if __name__ == "__main__":
    main()
