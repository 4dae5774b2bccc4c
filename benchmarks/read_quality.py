"""How much of a file enrich reads by what it holds, on layouts nobody tuned it for (#18).

One messy French-layout file is generated (``generate_contacts.py --realism``: namesakes,
identifiers in the wrong column, rows naming no country; with its truth), then
rewritten into other layouts: Dutch headers with qualifiers, German headers in an XLSX
sheet with no country column, a camelCase CRM export with US dates — and identifiers in
the wrong columns (SIRETs under a Belgian "enterprise number" header, SIRETs in the VAT
column where the VAT is empty). Each variant is cleaned and linked twice, out of the box
and with a hand map of every header; printed per variant:

* ``unmapped`` — headers the hand map names that the box did not map the same way;
* ``country`` — rows whose country is right (truth: the company's country in the base file);
* ``e164`` — typed phones that reach E.164 (share of those the base file puts in E.164);
* ``siren`` — French rows with a SIREN (share of those the base file has one for);
* ``dates`` — update dates read (share of those the base file reads);
* ``contact_f1`` out of the box and by hand, and their gap (the issue asks ≤ 0.01).

    python benchmarks/read_quality.py [--rows 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_contacts import FR_HEADER, generate  # noqa: E402

from enrich.clean import clean_files  # noqa: E402
from enrich.io.read import ROW, read  # noqa: E402
from enrich.job import Input  # noqa: E402
from enrich.link.cluster import pairwise_scores  # noqa: E402
from enrich.link.levels import dedupe  # noqa: E402

BASE = FR_HEADER  # the base file's headers, and what each means:
CANONICAL = [
    "company_name", "legal_form", "vat", "siret", "address", "postcode", "city", "country",
    "title", "last_name", "first_name", "function", "email", "phone", "mobile", "source_date",
    "opt_out",
]  # fmt: skip

# variant: (headers in the base order, None = column dropped; format; US dates; SIRET moves)
VARIANTS = {
    "nl_qualified": (
        [
            "Bedrijfsnaam", "Rechtsvorm", "BTW / Ondernemingsnr", "Ondernemingsnummer",
            "Adres", "Postcode", "Gemeente", "Land", "Aanspreking", "Familienaam contactpersoon",
            "Voornaam contactpersoon", "Functie", "E-mail contactpersoon", "Tel. algemeen",
            "GSM", "Datum wijziging", "Geen mailing gewenst",
        ],
        "csv",
        False,
        None,
    ),
    "de_sheet_no_country": (
        [
            "Firma", "Rechtsform", "USt-IdNr.", "Siret", "Straße", "PLZ", "Ort", None,
            "Anrede", "Ansprechpartner Nachname", "Ansprechpartner Vorname", "Position",
            "E-Mail Ansprechpartner", "Telefon Zentrale", "Handy", "Geändert am", "Werbesperre",
        ],
        "xlsx",
        True,
        None,
    ),
    "en_camel_siret_in_vat": (
        [
            "companyName", "legalForm", "vatNumber", "companyRegNo", "streetAddress",
            "postalCode", "cityName", "countryName", "salutation", "contactLastName",
            "contactFirstName", "jobTitle", "contactEmail", "mainPhone", "mobilePhone",
            "lastModifiedDate", "emailOptOut",
        ],
        "csv",
        True,
        "vat",
    ),
}  # fmt: skip


def _us_date(col: str) -> pl.Expr:
    """``dd/mm/yyyy`` or ISO in the base → ``m/d/yyyy`` (what a US-locale export writes)."""
    d = pl.col(col).str.slice(0, 10)
    dmy = d.str.to_date("%d/%m/%Y", strict=False)
    iso = d.str.to_date("%Y-%m-%d", strict=False)
    day = pl.coalesce(dmy, iso)
    text = (
        day.dt.month().cast(pl.String)
        + "/"
        + day.dt.day().cast(pl.String)
        + "/"
        + day.dt.year().cast(pl.String)
    )
    return pl.when(day.is_not_null()).then(text).otherwise(pl.col(col)).alias(col)


def write_variant(base: pl.DataFrame, name: str, folder: Path) -> tuple[Path, dict[str, str]]:
    """The base rows under *name*'s layout; its path and the hand map of its headers."""
    headers, fmt, us_dates, siret_to = VARIANTS[name]
    frame = base
    if us_dates:
        frame = frame.with_columns(_us_date("Date de mise à jour"))
    if siret_to == "vat":  # the SIRET typed where the VAT is, when there is no VAT
        frame = frame.with_columns(
            pl.when(pl.col("N° TVA").is_null() & pl.col("SIRET").is_not_null())
            .then(pl.col("SIRET"))
            .otherwise(pl.col("N° TVA"))
            .alias("N° TVA"),
            pl.when(pl.col("N° TVA").is_null())
            .then(None)
            .otherwise(pl.col("SIRET"))
            .alias("SIRET"),
        )
    keep = [(b, h, c) for b, h, c in zip(BASE, headers, CANONICAL, strict=True) if h]
    frame = frame.select(pl.col(b).alias(h) for b, h, _ in keep)
    hand = {h: c for _, h, c in keep}
    if siret_to == "vat":
        hand["vatNumber"] = "vat"
    path = folder / f"{name}.{fmt}"
    if fmt == "xlsx":
        frame.write_excel(path, worksheet="Kontakte")
    else:
        text = frame.write_csv(separator=";" if name.startswith("nl") else ",")
        path.write_bytes(text.encode("cp1252" if name.startswith("nl") else "utf-8", "replace"))
    return path, hand


def _contact_f1(clean: pl.DataFrame, truth: pl.DataFrame) -> float:
    found = dedupe(clean).frame
    rows = (
        found.select(pl.col("source_row").cast(pl.Int64), "contact_id")
        .join(truth, on="source_row")
        .filter(pl.col("contact_id").is_not_null() & pl.col("person_entity").is_not_null())
    )
    return round(pairwise_scores(rows["contact_id"], rows["person_entity"])["f1"], 4)


def _share(part: pl.DataFrame, hit: pl.Expr, of: pl.Expr) -> float | None:
    n = part.filter(of).height
    return round(part.filter(of & hit).height / n, 4) if n else None


def _same(column: str | None) -> str | None:
    """Identifier columns count as one (values are routed by what they are, not by their
    header); a whole address line as its street."""
    ids = {"vat", "enterprise_number", "siren", "siret", "kvk"}
    return "identifier" if column in ids else "street" if column == "address" else column


def measure(path: Path, hand: dict[str, str], base_out: pl.DataFrame, truth: pl.DataFrame) -> dict:
    auto = clean_files([Input(str(path))])
    by_hand = clean_files([Input(str(path), map=hand)])
    got = {d["header"]: d.get("column") for d in auto.tables[0].mapping_details}
    unmapped = sorted(h for h, c in hand.items() if _same(c) != _same(got.get(h)))
    rows = (
        auto.frame.select(
            pl.col("source_row").cast(pl.Int64),
            "country",
            "phone",
            "mobile",
            "siren",
            "source_date",
        )  # fmt: skip
        .join(base_out, on="source_row", suffix="_base")
        .join(truth, on="source_row")
    )
    e164 = pl.col("phone_base").str.starts_with("+")
    return {
        "rows": auto.frame.height,
        "unmapped": unmapped,
        "country": _share(rows, pl.col("country") == pl.col("true_country"), pl.lit(True)),
        "e164": _share(rows, pl.col("phone").str.starts_with("+").fill_null(False), e164),
        "siren": _share(
            rows,
            pl.col("siren").is_not_null(),
            pl.col("siren_base").is_not_null() & (pl.col("true_country") == "FR"),
        ),
        "dates": _share(
            rows, pl.col("source_date").is_not_null(), pl.col("source_date_base").is_not_null()
        ),
        "contact_f1_auto": (f_auto := _contact_f1(auto.frame, truth)),
        "contact_f1_hand": (f_hand := _contact_f1(by_hand.frame, truth)),
        "contact_f1_gap": round(f_hand - f_auto, 4),
    }


def base_file(rows: int, folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The base rows (strings), its clean output, and the truth with each row's country."""
    path, truth_path = folder / "base.csv", folder / "base.truth.csv"
    generate(rows, path, style="fr", truth=truth_path, realism=True)
    base = read(str(path))[0].frame.sort(ROW)  # the rows as enrich reads them
    out = clean_files([Input(str(path))]).frame
    truth = pl.read_csv(
        truth_path, schema_overrides={"company_entity": pl.String, "person_entity": pl.String}
    ).rename({"row": "source_row"})
    country = (
        out.select(pl.col("source_row").cast(pl.Int64), "country", "country_source")
        .join(truth, on="source_row")
        .filter(pl.col("country_source").is_in(["input", "identifier"]))
        .group_by("company_entity")
        .agg(pl.col("country").mode().sort().first().alias("true_country"))
    )
    truth = truth.join(country, on="company_entity", how="left").filter(
        pl.col("true_country").is_not_null()
    )
    base_out = out.select(
        pl.col("source_row").cast(pl.Int64), "phone", "siren", "source_date"
    ).rename({"phone": "phone_base", "siren": "siren_base", "source_date": "source_date_base"})
    return base, base_out, truth


def renumber(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """*frame* keyed by the base file's row → keyed by the variant's row."""
    return frame.rename({"source_row": "base_row"}).join(rows, on="base_row").drop("base_row")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--keep", type=Path, help="write the variants here (default: a temp dir)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        base, base_out, truth = base_file(args.rows, folder)
        # a variant's n-th row is the base's n-th row read: its truth is that row's
        rows = base.select(pl.col(ROW).alias("base_row")).with_row_index("source_row", 1)
        rows = rows.with_columns(pl.col("source_row").cast(pl.Int64))
        for name in VARIANTS:
            path, hand = write_variant(base.drop(ROW), name, folder)
            found = measure(path, hand, renumber(base_out, rows), renumber(truth, rows))
            print(json.dumps({"variant": name, **found}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
