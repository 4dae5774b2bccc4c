"""French SIRENE stock files (INSEE, data.gouv.fr) → the index's French rows.

``StockUniteLegale`` (legal units, active and ceased) as published: the zip, the CSV in it,
or the Parquet edition; columns are read by name (REGISTRIES.md §2.2: the 33- and
35-column headers both work). ``StockEtablissement`` is optional: it gives the seat's
address (the establishment ``siren + nicSiegeUniteLegale``). Values hidden for privacy
(``[ND]``) are missing. The NAF code is kept as published; NAF rév. 2 is NACE Rev. 2 down
to the class (its first five characters). The headcount band (``trancheEffectifs``) is
kept with its year; ``NN`` (no employee) and an empty band (unknown) stay distinct.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..errors import InputError
from ..identifiers import clean_one
from ..ruleset import Rules
from . import archive
from .kbo import blank_is_null, recode
from .source import Bulk, bands

NAME = "sirene"
COUNTRY = "FR"
KEY = "siren"
INPUTS = {
    "sirene_units": "a SIRENE legal-unit file (--sirene)",
    "sirene_establishments": "a SIRENE establishment file (--sirene-establishments)",
}
OPTIONS = {
    "sirene_units": (
        "--sirene",
        "SIRENE legal units: StockUniteLegale*.zip, its .csv, or the .parquet edition.",
    ),
    "sirene_establishments": (
        "--sirene-establishments",
        "SIRENE establishments (StockEtablissement*.zip/.csv/.parquet): gives each company "
        "its seat's address.",
    ),
}
FILLS = (
    "country",
    "registry_id",
    "official_name",
    "registry_status",
    "kind",
    "legal_form_code",
    "creation_date",
    "nace_code",
    "nace_version",
    "employees_band",
    "employees_year",
    "enterprise_category",
    "employer",
    "postcode",  # with the establishments
    "city_fr",
    "street_fr",
)
NO_SIZE = "no headcount band in SIRENE"
HAS_ACTIVITIES = False

LEGAL_UNITS = [
    "siren",
    "dateCreationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "categorieEntreprise",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "denominationUniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
]
LEGAL_UNITS_OPTIONAL = [
    "prenom1UniteLegale",
    "prenomUsuelUniteLegale",
    "nomUsageUniteLegale",
    "sigleUniteLegale",
    "denominationUsuelle1UniteLegale",
    "caractereEmployeurUniteLegale",
    "anneeCategorieEntreprise",
]
ESTABLISHMENTS = [
    "siret",
    "etablissementSiege",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
]
ESTABLISHMENTS_OPTIONAL = ["indiceRepetitionEtablissement", "complementAdresseEtablissement"]
HIDDEN = "[ND]"  # statutDiffusion P: a natural person's data not to be published


def scan(
    path: str, need: list[str], optional: list[str], folder: Path, limits: archive.Limits, stem: str
) -> pl.LazyFrame:
    """A SIRENE file (zip, CSV or Parquet) as text columns: *need* checked, *optional*
    added empty when absent."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=path)
    if p.suffix.lower() == ".parquet":
        try:
            frame = pl.scan_parquet(p)
            columns = frame.collect_schema().names()
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise InputError(
                f"not a readable Parquet file ({type(exc).__name__})", file=path
            ) from None
        lost = [c for c in need if c not in columns]
        if lost:
            raise InputError(
                f"unexpected columns: no {', '.join(lost)} (the layout has changed, or this is another file)",
                file=path,
            )
    else:
        if p.suffix.lower() == ".zip":
            zipped = archive.open_zip(p)
            with zipped:
                csvs = [n for n, i in archive.members(zipped).items() if n.endswith(".csv")]
                preferred = [n for n in csvs if n.startswith(stem.lower())] or csvs
                if not preferred:
                    raise InputError(f"the archive holds no {stem} CSV file", file=path)
                info = archive.find(zipped, sorted(preferred)[0], path)
                csv_path = archive.extract(zipped, info, folder, path, limits)
                where = f"{path}#{info.filename}"
        else:
            csv_path, where = p, path
        columns = archive.header(csv_path, where, need)
        frame = pl.scan_csv(csv_path, infer_schema=False, encoding="utf8-lossy", has_header=True)
    present = [c for c in [*need, *optional] if c in columns]
    frame = frame.select(pl.col(c).cast(pl.String).str.strip_chars() for c in present)
    frame = frame.with_columns(
        pl.when((pl.col(c) == "") | (pl.col(c) == HIDDEN)).then(None).otherwise(pl.col(c)).alias(c)
        for c in present
    )
    return frame.with_columns(
        pl.lit(None, pl.String).alias(c) for c in optional if c not in columns
    )


def _units(units: pl.LazyFrame) -> pl.LazyFrame:
    """The index's columns of each legal unit, and ``_seat``: its seat's SIRET."""
    person = blank_is_null(
        pl.concat_str(
            [
                pl.coalesce("prenomUsuelUniteLegale", "prenom1UniteLegale"),
                pl.coalesce("nomUsageUniteLegale", "nomUniteLegale"),
            ],
            separator=" ",
            ignore_nulls=True,
        )
    )
    return units.select(
        pl.lit("FR").alias("country"),
        pl.col("siren").alias("registry_id"),
        pl.coalesce("denominationUniteLegale", person).alias("official_name"),
        recode(pl.col("etatAdministratifUniteLegale"), {"A": "active", "C": "ceased"}).alias(
            "registry_status"
        ),
        pl.when(pl.col("categorieJuridiqueUniteLegale") == "1000")
        .then(pl.lit("natural person"))
        .otherwise(pl.lit("legal person"))
        .alias("kind"),
        pl.col("categorieJuridiqueUniteLegale").alias("legal_form_code"),
        pl.col("dateCreationUniteLegale")
        .str.to_date("%Y-%m-%d", strict=False)
        .alias("creation_date"),
        pl.col("activitePrincipaleUniteLegale").alias("nace_code"),
        pl.when(pl.col("nomenclatureActivitePrincipaleUniteLegale") == "NAFRev2")
        .then(pl.lit("2008"))
        .otherwise(pl.col("nomenclatureActivitePrincipaleUniteLegale"))
        .alias("nace_version"),
        pl.col("trancheEffectifsUniteLegale").alias("employees_band"),
        pl.col("anneeEffectifsUniteLegale").cast(pl.Int32, strict=False).alias("employees_year"),
        pl.col("categorieEntreprise").alias("enterprise_category"),
        (pl.col("caractereEmployeurUniteLegale") == "O").alias("employer"),
        (pl.col("siren") + pl.col("nicSiegeUniteLegale")).alias("_seat"),
    )


def _seats(establishments: pl.LazyFrame) -> pl.LazyFrame:
    """The seat establishments' addresses, by SIRET (``_seat``)."""
    street = blank_is_null(
        pl.concat_str(
            [
                pl.col("numeroVoieEtablissement"),
                pl.col("indiceRepetitionEtablissement"),
                pl.col("typeVoieEtablissement"),
                pl.col("libelleVoieEtablissement"),
            ],
            separator=" ",
            ignore_nulls=True,
        )
    )
    return establishments.filter(pl.col("etablissementSiege").str.to_lowercase() == "true").select(
        pl.col("siret").alias("_seat"),
        pl.col("codePostalEtablissement").alias("postcode"),
        pl.col("libelleCommuneEtablissement").alias("city_fr"),
        street.alias("street_fr"),
    )


def companies(units: pl.LazyFrame, establishments: pl.LazyFrame | None, work: Path) -> pl.LazyFrame:
    """One row per legal unit, with its seat's address if the establishments are given.
    Units and seats are both tens of millions of rows: a join of the two in one query held
    8.5 GB, so the seats are first written narrow to *work*, then joined slice by slice (by
    the SIREN's first digit), each slice written to *work* in turn."""
    out = _units(units)
    if establishments is None:
        return out.drop("_seat")
    _seats(establishments).sink_parquet(work / "sirene_seats.parquet")
    out.sink_parquet(work / "sirene_units.parquet")
    slices = []
    digits = list("0123456789")
    for i, digit in enumerate(
        [*digits, None]
    ):  # the last slice: the rest (no seat number, or not digits), joined to nothing
        path = work / f"sirene_units_{i}.parquet"
        first = (
            pl.col("_seat").str.starts_with(digit)
            if digit
            else ~pl.col("_seat").str.slice(0, 1).is_in(digits).fill_null(False)
        )
        (
            pl.scan_parquet(work / "sirene_units.parquet")
            .filter(first)
            .join(
                pl.scan_parquet(work / "sirene_seats.parquet").filter(first), on="_seat", how="left"
            )
            .drop("_seat")
            .sink_parquet(path)
        )
        slices.append(pl.scan_parquet(path))
    return pl.concat(slices)


def names(units: pl.LazyFrame) -> pl.LazyFrame:
    """Every name of every legal unit: its legal name, acronym and usual name."""
    parts = [
        ("denominationUniteLegale", "legal"),
        ("sigleUniteLegale", "abbreviation"),
        ("denominationUsuelle1UniteLegale", "commercial"),
    ]
    return pl.concat(
        [
            units.select(
                pl.lit("FR").alias("country"),
                pl.col("siren").alias("registry_id"),
                pl.lit(kind).alias("kind"),
                pl.lit("fr").alias("language"),
                pl.col(c).alias("name"),
            )
            for c, kind in parts
        ]
    ).filter(pl.col("name").is_not_null())


def legal_forms(rules: Rules) -> pl.DataFrame:
    """INSEE's catégories juridiques (rules/registry.toml [fr_legal_forms]), French labels."""
    french = rules.get("registry")["fr_legal_forms"]
    return pl.DataFrame(
        {
            "country": COUNTRY,
            "legal_form_code": list(french),
            "legal_form_fr": list(french.values()),
            "legal_form_nl": None,
        },
        schema=dict.fromkeys(
            ("country", "legal_form_code", "legal_form_fr", "legal_form_nl"), pl.String
        ),
    )


# --- the source interface (source.py)


def given(files: dict[str, str | None]) -> bool:
    if files.get("sirene_establishments") and not files.get("sirene_units"):
        raise InputError("--sirene-establishments needs --sirene (the legal units)")
    return bool(files.get("sirene_units"))


def read(files: dict[str, str | None], work: Path, limits: archive.Limits, rules: Rules) -> Bulk:
    units_path, seats_path = files["sirene_units"], files.get("sirene_establishments")
    units = scan(units_path, LEGAL_UNITS, LEGAL_UNITS_OPTIONAL, work, limits, "StockUniteLegale")
    establishments = (
        scan(
            seats_path,
            ESTABLISHMENTS,
            ESTABLISHMENTS_OPTIONAL,
            work,
            limits,
            "StockEtablissement",
        )
        if seats_path
        else None
    )
    return Bulk(
        meta={
            "file": Path(units_path).name,
            **({"establishments": Path(seats_path).name} if seats_path else {}),
        },
        companies=archive.readable(lambda: companies(units, establishments, work)),
        names=names(units),
        legal_forms=legal_forms(rules),
    )


def ids(number: str) -> list[str]:
    """>>> ids("552 120 222"), ids("55212022200013"), ids("FR40303265045")
    (['552120222'], ['552120222'], ['303265045'])"""
    readings = (clean_one(vat=number), clean_one(siren=number), clean_one(siret=number))
    return list(dict.fromkeys(r["siren"] for r in readings if r["siren"]))


def nace_key() -> pl.Expr:
    """NAF rév. 2 "62.01Z" → the NACE-BEL key of its class, "62010" (code.csv's labels)."""
    return pl.col("nace_code").str.replace_all(r"\D", "").str.slice(0, 4) + "0"


def size_bands(rules: Rules) -> pl.DataFrame:
    """The SIRENE headcount bands (rules/registry.toml [sirene_bands]; -1: no upper bound)."""
    rows = rules.get("registry")["sirene_bands"]
    return bands({code: (b[0], None if b[1] < 0 else b[1]) for code, b in rows.items()}, COUNTRY)


def spellings(registry_id: str) -> list[str]:
    return [registry_id]
