"""How often enrich gets a row's country right when the file does not say it (#18).

A messy file is generated (``generate_contacts.py``, CRM layout by default) and cleaned as
it is; each company's true country is the one its rows name or their identifiers give
(every row of a generated company is in one country). The file is then rewritten twice:

* ``as_generated`` — the country column as the generator writes it (about one row in five
  left empty);
* ``no_country_column`` — the same rows without the country column at all;
* ``no_country_no_ids`` — without the country column nor the identifiers (VAT, SIRET):
  the postcode, city, phones and e-mail alone;
* ``degraded`` — that, with a third of the postcodes and of the phones gone and two
  letters of two cities in five swapped.

Printed per variant: ``country`` — rows whose country is right; ``country_sources`` —
rows per ``country_source``; ``e164`` — phones that reach E.164, as a share of those the
file with its country column puts there; ``phone_valid`` — share of typed phones valid.

    python benchmarks/country_quality.py [--rows 20000] [--style crm] [--realism] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_contacts import generate  # noqa: E402

from enrich.clean import clean_files  # noqa: E402
from enrich.io.read import ROW, read  # noqa: E402
from enrich.job import Input  # noqa: E402

COUNTRY_HEADERS = ("Country", "Pays")
ID_HEADERS = ("VAT Number", "N° TVA", "SIRET")


def truth(out: pl.DataFrame, truth_path: Path) -> pl.DataFrame:
    """(source_row, true_country): the country a company's rows name or identify."""
    rows = pl.read_csv(truth_path, schema_overrides={"company_entity": pl.String}).rename(
        {"row": "source_row"}
    )
    named = (
        out.select(pl.col("source_row").cast(pl.Int64), "country", "country_source")
        .join(rows, on="source_row")
        .filter(pl.col("country_source").is_in(["input", "identifier"]))
        .group_by("company_entity")
        .agg(pl.col("country").mode().sort().first().alias("true_country"))
    )
    return rows.join(named, on="company_entity").select("source_row", "true_country")


def measure(path: Path, right: pl.DataFrame, base: pl.DataFrame) -> dict:
    out = clean_files([Input(str(path))]).frame
    rows = (
        out.select(pl.col("source_row").cast(pl.Int64), "country", "country_source", "phone", "phone_status")
        .join(right, on="source_row")
        .join(base, on="source_row")
    )  # fmt: skip
    # of the phones the file with its country column puts in E.164 (and still typed here)
    in_e164 = pl.col("phone_base").str.starts_with("+").fill_null(False) & (
        pl.col("phone_status") != "missing"
    )
    sources = rows["country_source"].fill_null("none").value_counts(sort=True)
    return {
        "rows": rows.height,
        "country": round(rows.filter(pl.col("country") == pl.col("true_country")).height / rows.height, 4),
        "e164": round(
            rows.filter(in_e164 & pl.col("phone").str.starts_with("+")).height
            / max(rows.filter(in_e164).height, 1),
            4,
        ),
        "phone_valid": round(
            rows.filter(pl.col("phone_status") == "valid").height
            / max(rows.filter(pl.col("phone_status") != "missing").height, 1),
            4,
        ),
        "country_sources": dict(sources.iter_rows()),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--style", default="crm", choices=("crm", "fr"))
    ap.add_argument("--keep", type=Path, help="write the files here (default: a temp dir)")
    ap.add_argument(
        "--realism", action="store_true", help="generate_contacts.py --realism (made-up towns)"
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path, truth_path = folder / "base.csv", folder / "base.truth.csv"
        generate(args.rows, path, style=args.style, truth=truth_path, realism=args.realism)
        out = clean_files([Input(str(path))]).frame
        right = truth(out, truth_path)
        base = out.select(pl.col("source_row").cast(pl.Int64), pl.col("phone").alias("phone_base"))
        print(json.dumps({"variant": "as_generated", **measure(path, right, base)}))
        raw = read(str(path))[0].frame.sort(ROW).drop(ROW)  # the rows as enrich reads them
        dropped = folder / "no_country.csv"
        raw.drop([c for c in raw.columns if c in COUNTRY_HEADERS]).write_csv(dropped)
        print(json.dumps({"variant": "no_country_column", **measure(dropped, right, base)}))
        bare = folder / "no_country_no_ids.csv"
        raw.drop([c for c in raw.columns if c in COUNTRY_HEADERS + ID_HEADERS]).write_csv(bare)
        print(json.dumps({"variant": "no_country_no_ids", **measure(bare, right, base)}))
        worse = folder / "degraded.csv"
        degrade(raw.drop([c for c in raw.columns if c in COUNTRY_HEADERS + ID_HEADERS])).write_csv(
            worse
        )
        print(json.dumps({"variant": "degraded", **measure(worse, right, base)}))
    return 0


def degrade(frame: pl.DataFrame) -> pl.DataFrame:
    """A third of the postcodes, phones and mobiles gone, a third of the cities with two
    letters swapped (a row's hash decides: the same file every run)."""
    postcode, city = ("Zip", "City") if "Zip" in frame.columns else ("Code postal", "Ville")
    phones = [c for c in ("Phone", "Mobile", "Téléphone", "Portable") if c in frame.columns]
    n = pl.int_range(pl.len()).hash(7)
    swapped = (
        pl.col(city).str.slice(0, 2)
        + pl.col(city).str.slice(3, 1)
        + pl.col(city).str.slice(2, 1)
        + pl.col(city).str.slice(4)
    )
    return frame.with_columns(
        pl.when(n % 3 == 0).then(None).otherwise(pl.col(postcode)).alias(postcode),
        pl.when(n % 5 < 2).then(swapped).otherwise(pl.col(city)).alias(city),
        *(pl.when((n // 7 + i) % 3 == 0).then(None).otherwise(pl.col(c)).alias(c) for i, c in enumerate(phones)),
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
