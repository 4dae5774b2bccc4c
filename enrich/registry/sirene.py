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
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
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
ESTABLISHMENTS_OPTIONAL = [
    "dateDebut",
    "indiceRepetitionEtablissement",
    "complementAdresseEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
]
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


def _person_name() -> pl.Expr:
    """A sole trader's own name: the first name used and the last name used."""
    return blank_is_null(
        pl.concat_str(
            [
                pl.coalesce("prenomUsuelUniteLegale", "prenom1UniteLegale"),
                pl.coalesce("nomUsageUniteLegale", "nomUniteLegale"),
            ],
            separator=" ",
            ignore_nulls=True,
        )
    )


def _units(units: pl.LazyFrame) -> pl.LazyFrame:
    """The index's columns of each legal unit, and ``_seat``: its seat's SIRET."""
    person = _person_name()
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


def sliced_join(
    left: pl.LazyFrame, right: pl.LazyFrame, on: str, work: Path, stem: str, how: str = "left"
) -> pl.LazyFrame:
    """*left* joined to *right* on *on* (a SIREN or SIRET), both tens of millions of rows: a
    join of the two in one query held 8.5 GB, so both are first written to *work*, then
    joined slice by slice (by the key's first digit), each slice written to *work* in turn;
    a left join's last slice is the rest (no key, or not digits), joined to nothing."""
    left.sink_parquet(work / f"{stem}_left.parquet")
    right.sink_parquet(work / f"{stem}_right.parquet")
    slices = []
    digits = list("0123456789")
    for i, digit in enumerate([*digits, None] if how == "left" else digits):
        path = work / f"{stem}_{i}.parquet"
        first = (
            pl.col(on).str.starts_with(digit)
            if digit
            else ~pl.col(on).str.slice(0, 1).is_in(digits).fill_null(False)
        )
        (
            pl.scan_parquet(work / f"{stem}_left.parquet")
            .filter(first)
            .join(pl.scan_parquet(work / f"{stem}_right.parquet").filter(first), on=on, how=how)
            .sink_parquet(path)
        )
        slices.append(pl.scan_parquet(path))
    return pl.concat(slices)


def companies(units: pl.LazyFrame, establishments: pl.LazyFrame | None, work: Path) -> pl.LazyFrame:
    """One row per legal unit, with its seat's address if the establishments are given."""
    out = _units(units)
    if establishments is None:
        return out.drop("_seat")
    return sliced_join(out, _seats(establishments), "_seat", work, "sirene_units").drop("_seat")


def _unit_names(units: pl.LazyFrame) -> pl.LazyFrame:
    """Every name of every legal unit: its legal name, acronym, usual names, and a sole
    trader's own name (the first name used and the last name used), by SIREN."""
    person = _person_name()
    parts = [
        (pl.col("denominationUniteLegale"), "legal"),
        (pl.col("sigleUniteLegale"), "abbreviation"),
        *((pl.col(f"denominationUsuelle{i}UniteLegale"), "commercial") for i in (1, 2, 3)),
        (pl.when(pl.col("denominationUniteLegale").is_null()).then(person), "person"),
    ]
    active = pl.col("etatAdministratifUniteLegale") != "C"
    return pl.concat(
        [
            units.select(
                pl.col("siren"),
                pl.lit(kind).alias("kind"),
                name.alias("name"),
                active.alias("_unit"),
            )
            for name, kind in parts
        ]
    ).filter(pl.col("name").is_not_null())


def _places(establishments: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    """The open establishments, every seat (a ceased unit's too) and the establishments
    closed in the last rules/registry.toml [name_match] ``closed_years`` before the newest
    change in the file (a contact file is older than the registry), with their address and
    their own names (shop signs, usual name) as a list."""
    open_ = pl.col("etatAdministratifEtablissement").fill_null("A") == "A"
    seat = pl.col("etablissementSiege").str.to_lowercase() == "true"
    changed = pl.col("dateDebut").str.to_date("%Y-%m-%d", strict=False)
    newest = establishments.select(changed.max()).collect(engine="streaming").item()
    years = rules.get("registry")["name_match"]["closed_years"]
    recent = (
        changed >= pl.lit(newest).dt.offset_by(f"-{years}y")
        if newest is not None
        else pl.lit(False)
    )
    signs = pl.concat_list(
        "enseigne1Etablissement",
        "enseigne2Etablissement",
        "enseigne3Etablissement",
        "denominationUsuelleEtablissement",
    ).list.drop_nulls()
    return establishments.filter(open_ | seat | recent.fill_null(False)).select(
        pl.col("siret").str.slice(0, 9).alias("siren"),
        pl.col("siret").alias("site"),
        seat.alias("seat"),
        pl.col("codePostalEtablissement").alias("postcode"),
        pl.col("libelleCommuneEtablissement").alias("city_fr"),
        blank_is_null(
            pl.concat_str(
                [pl.col("typeVoieEtablissement"), pl.col("libelleVoieEtablissement")],
                separator=" ",
                ignore_nulls=True,
            )
        ).alias("street_fr"),
        blank_is_null(
            pl.concat_str(
                [pl.col("numeroVoieEtablissement"), pl.col("indiceRepetitionEtablissement")],
                separator=" ",
                ignore_nulls=True,
            )
        ).alias("house_number"),
        open_.alias("_open"),
        signs.alias("_signs"),
    )


def names(
    units: pl.LazyFrame, establishments: pl.LazyFrame | None, work: Path, rules: Rules
) -> pl.LazyFrame:
    """Every name at every place of its unit, for matching companies by name: the unit's
    names at its seat and at each open (or recently closed) establishment, a shop sign at
    its establishment.
    ``active``: the unit is not ceased and the establishment is open. Without the
    establishments, the names have no place."""
    own = _unit_names(units)
    columns = [
        "siren",
        "kind",
        "name",
        "site",
        "seat",
        "postcode",
        "city_fr",
        "street_fr",
        "house_number",
        "active",
    ]
    if establishments is None:
        own = own.with_columns(
            pl.lit(None, pl.String).alias(c)
            for c in ("site", "postcode", "city_fr", "street_fr", "house_number")
        ).with_columns(pl.lit(None, pl.Boolean).alias("seat"), pl.col("_unit").alias("active"))
        return _as_names(own.select(columns))
    _places(establishments, rules).sink_parquet(work / "sirene_places.parquet")
    places = pl.scan_parquet(work / "sirene_places.parquet")
    at_places = sliced_join(own, places.drop("_signs"), "siren", work, "sirene_names", "inner")
    signs = (
        places.filter(pl.col("_signs").list.len() > 0)
        .explode("_signs")
        .with_columns(pl.col("_signs").alias("name"), pl.lit("sign").alias("kind"))
        .drop("_signs")
    )
    status = units.select("siren", (pl.col("etatAdministratifUniteLegale") != "C").alias("_unit"))
    signs = sliced_join(signs, status, "siren", work, "sirene_signs", "inner")  # 25M units
    both = pl.concat([at_places, signs], how="diagonal_relaxed")
    return _as_names(
        both.with_columns((pl.col("_unit") & pl.col("_open")).alias("active")).select(columns)
    )


def _as_names(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.rename({"siren": "registry_id"}).with_columns(
        pl.lit("FR").alias("country"),
        pl.lit("fr").alias("language"),
        *(pl.lit(None, pl.String).alias(c) for c in ("city_nl", "street_nl")),
    )


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


def _local(frame: pl.LazyFrame, path: Path) -> pl.LazyFrame:
    """*frame* (a stock file's columns) written once to *path*: the companies, the names and
    their places each read it, and a CSV of gigabytes is parsed once, not three times."""
    archive.readable(lambda: frame.sink_parquet(path))
    return pl.scan_parquet(path)


def read(files: dict[str, str | None], work: Path, limits: archive.Limits, rules: Rules) -> Bulk:
    units_path, seats_path = files["sirene_units"], files.get("sirene_establishments")
    units = _local(
        scan(units_path, LEGAL_UNITS, LEGAL_UNITS_OPTIONAL, work, limits, "StockUniteLegale"),
        work / "sirene_stock_units.parquet",
    )
    establishments = (
        _local(
            scan(
                seats_path,
                ESTABLISHMENTS,
                ESTABLISHMENTS_OPTIONAL,
                work,
                limits,
                "StockEtablissement",
            ),
            work / "sirene_stock_establishments.parquet",
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
        names=lambda: archive.readable(lambda: names(units, establishments, work, rules)),
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
