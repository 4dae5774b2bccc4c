"""Belgian KBO/BCE Open Data (a ``KboOpenData_*_Full.zip``) → the index's Belgian rows.

The files are read as published (REGISTRIES.md §1): ``,``-separated, every text quoted,
dates ``dd-mm-yyyy``, codes kept as text (leading zeros). Only active enterprises are in
the open data, without history. Per enterprise: the legal name (denomination type 001),
the legal form (``JuridicalFormCAC`` when set: the form as it must be read since the 2019
Companies Code), the start date, the seat address (``REGO``), the main activity (the
preference of ``rules/registry.toml``) and every activity, and whether it is registered as
an employer. Activities and names registered on an establishment count for its enterprise,
after its own. The open data has no headcount: Belgian sizes stay unknown unless a size
file gives them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..identifiers import clean_one
from ..ruleset import Rules
from . import archive
from .folder import ADDRESS_COLUMNS
from .source import Bulk, bands

NAME = "kbo"
COUNTRY = "BE"
KEY = "enterprise_number"
INPUTS = {"kbo_zip": "a KBO open-data zip (--kbo)"}
OPTIONS = {"kbo_zip": ("--kbo", "A KBO/BCE open-data zip (KboOpenData_*_Full.zip).")}
FILLS = (
    "country",
    "registry_id",
    "registry_status",
    "juridical_situation",
    "kind",
    "legal_form_code",
    "creation_date",
    "official_name",
    *ADDRESS_COLUMNS,
    "nace_version",
    "nace_code",
    "employer",
)
NO_SIZE = "no headcount in the KBO open data"
HAS_ACTIVITIES = True

ENTERPRISE = [
    "EnterpriseNumber",
    "Status",
    "JuridicalSituation",
    "TypeOfEnterprise",
    "JuridicalForm",
    "JuridicalFormCAC",
    "StartDate",
]
DENOMINATION = ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"]
ADDRESS = [
    "EntityNumber",
    "TypeOfAddress",
    "Zipcode",
    "MunicipalityNL",
    "MunicipalityFR",
    "StreetNL",
    "StreetFR",
    "HouseNumber",
    "Box",
    "DateStrikingOff",
]
ACTIVITY = ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"]
ESTABLISHMENT = ["EstablishmentNumber", "StartDate", "EnterpriseNumber"]
CODE = ["Category", "Code", "Language", "Description"]
META = ["Variable", "Value"]
MEMBERS = {
    "enterprise.csv": ENTERPRISE,
    "denomination.csv": DENOMINATION,
    "address.csv": ADDRESS,
    "activity.csv": ACTIVITY,
    "code.csv": CODE,
    "meta.csv": META,
}
OPTIONAL = {"establishment.csv": ESTABLISHMENT}
LANGUAGES = {"1": "fr", "2": "nl", "3": "de", "4": "en"}  # KBO Language codes (0 = unknown)
ENTERPRISE_NUMBER = r"^\d{4}\.\d{3}\.\d{3}$"


def recode(expr: pl.Expr, mapping: dict, default=None) -> pl.Expr:
    """*expr*'s values mapped (a when/then chain: it streams, where ``replace_strict`` on a
    file of tens of millions of rows took gigabytes)."""
    out = pl.when(expr == list(mapping)[0]).then(pl.lit(list(mapping.values())[0]))
    for key, value in list(mapping.items())[1:]:
        out = out.when(expr == key).then(pl.lit(value))
    return out.otherwise(default if isinstance(default, pl.Expr) else pl.lit(default))


def blank_is_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _scan(path: Path) -> pl.LazyFrame:
    """A KBO CSV as text: empty and "" both null, values stripped."""
    frame = pl.scan_csv(
        path, infer_schema=False, encoding="utf8-lossy", quote_char='"', has_header=True
    )
    return frame.with_columns(
        blank_is_null(pl.col(c).str.strip_chars()).alias(c) for c in frame.collect_schema().names()
    )


def _digits(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(r"\D", "")


def extract(zip_path: str, folder: Path, limits: archive.Limits) -> dict[str, Path]:
    """The zip's CSV files in *folder*, headers checked."""
    source = str(zip_path)
    zipped = archive.open_zip(zip_path)
    out = {}
    with zipped:
        for name, need in {**MEMBERS, **OPTIONAL}.items():
            info = archive.find(zipped, name, source, required=name in MEMBERS)
            if info is None:
                continue
            path = archive.extract(zipped, info, folder, source, limits)
            archive.header(path, f"{source}#{info.filename}", need)
            out[name] = path
    return out


def meta(files: dict[str, Path]) -> dict:
    table = pl.read_csv(files["meta.csv"], infer_schema=False, encoding="utf8-lossy")
    values = dict(
        zip(
            table["Variable"].str.strip_chars().to_list(),
            table["Value"].str.strip_chars().to_list(),
        )
    )
    return {
        "snapshot_date": values.get("SnapshotDate"),
        "extract_number": values.get("ExtractNumber"),
        "extract_type": values.get("ExtractType"),
        "version": values.get("Version"),
    }


def codes(files: dict[str, Path]) -> pl.DataFrame:
    """code.csv: category, code, language (fr/nl/de/en), label."""
    return (
        _scan(files["code.csv"])
        .select(
            pl.col("Category").alias("category"),
            pl.col("Code").alias("code"),
            pl.col("Language").str.to_lowercase().alias("language"),
            pl.col("Description").alias("label"),
        )
        .filter(pl.col("category") != "Category")
        .collect()
    )


def _owner(files: dict[str, Path]) -> pl.LazyFrame | None:
    """establishment number → its enterprise's number (digits)."""
    if "establishment.csv" not in files:
        return None
    return _scan(files["establishment.csv"]).select(
        pl.col("EstablishmentNumber").alias("EntityNumber"),
        _digits("EnterpriseNumber").alias("_owner"),
    )


def _by_enterprise(frame: pl.LazyFrame, owner: pl.LazyFrame | None) -> pl.LazyFrame:
    """Rows on an enterprise number keep it; rows on an establishment take its enterprise's
    (``_own`` = 0 for the enterprise's own rows, 1 for its establishments')."""
    own = frame.filter(pl.col("EntityNumber").str.contains(ENTERPRISE_NUMBER)).with_columns(
        _digits("EntityNumber").alias("registry_id"), pl.lit(0, pl.Int8).alias("_own")
    )
    if owner is None:
        return own
    theirs = (
        frame.join(owner, on="EntityNumber", how="inner")
        .with_columns(pl.col("_owner").alias("registry_id"), pl.lit(1, pl.Int8).alias("_own"))
        .drop("_owner")
    )
    return pl.concat([own, theirs], how="diagonal_relaxed")


def activities(files: dict[str, Path]) -> pl.LazyFrame:
    """Every activity of every enterprise: registry_id, nace_version, nace_code, activity
    group, main / secondary / ancillary, whether it is the enterprise's own (0) or an
    establishment's (1)."""
    kinds = {"MAIN": "main", "SECO": "secondary", "ANCI": "ancillary"}
    return (
        _by_enterprise(_scan(files["activity.csv"]), _owner(files))
        .select(
            "registry_id",
            pl.col("NaceVersion").alias("nace_version"),
            pl.col("NaceCode").alias("nace_code"),
            pl.col("ActivityGroup").alias("activity_group"),
            recode(
                pl.col("Classification"), kinds, pl.col("Classification").str.to_lowercase()
            ).alias("classification"),
            pl.col("_own").alias("from_establishment").cast(pl.Boolean),
        )
        .filter(pl.col("nace_code").is_not_null())
    )


def main_activity(acts: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    """One activity per enterprise by the preference of rules/registry.toml, as a minimum
    over one sortable key (a streaming group-by, not a sort of tens of millions of rows)."""
    rule = rules.get("registry")["kbo_main_activity"]
    first, last = list(rule["groups"]), list(rule["last"])
    ranks = {**{g: i for i, g in enumerate(first)}, **{g: len(first) + 1 for g in last}}
    group_rank = recode(pl.col("activity_group"), ranks, len(first)).cast(pl.Int64)
    version = pl.col("nace_version").cast(pl.Int64, strict=False).fill_null(0)
    code = pl.col("nace_code").str.replace_all(r"\D", "")
    key = (
        pl.col("from_establishment").cast(pl.Int64) * 10**15
        + group_rank * 10**14
        + (9999 - version) * 10**10
        + (pl.col("classification") != "main").cast(pl.Int64) * 10**9
        + code.str.len_chars().cast(pl.Int64) * 10**8
        + code.cast(pl.Int64, strict=False).fill_null(0)
    )
    best = acts.group_by("registry_id").agg(key.min().alias("_key"))
    return best.select(
        "registry_id",
        (9999 - (pl.col("_key") // 10**10) % 10**4).cast(pl.String).alias("nace_version"),
        (pl.col("_key") % 10**8)
        .cast(pl.String)
        .str.zfill((pl.col("_key") // 10**8 % 10).cast(pl.Int64))
        .alias("nace_code"),
    )


def _enterprises(files: dict[str, Path]) -> pl.LazyFrame:
    return _scan(files["enterprise.csv"]).select(
        _digits("EnterpriseNumber").alias("registry_id"),
        pl.when(pl.col("Status") == "AC")
        .then(pl.lit("active"))
        .otherwise(pl.col("Status"))
        .alias("registry_status"),
        pl.col("JuridicalSituation").alias("juridical_situation"),
        recode(pl.col("TypeOfEnterprise"), {"1": "natural person", "2": "legal person"}).alias(
            "kind"
        ),
        pl.coalesce("JuridicalFormCAC", "JuridicalForm").alias("legal_form_code"),
        pl.col("StartDate").str.to_date("%d-%m-%Y", strict=False).alias("creation_date"),
    )


def _official_names(files: dict[str, Path], owner: pl.LazyFrame | None) -> pl.LazyFrame:
    """The legal name (type 001): the enterprise's own before its establishments', Dutch,
    French, German, English, then the first alphabetically."""
    names = _by_enterprise(_scan(files["denomination.csv"]), owner).filter(
        pl.col("TypeOfDenomination") == "001"
    )
    rank = recode(pl.col("Language"), {"2": 0, "1": 1, "3": 2, "4": 3}, 4).cast(pl.Int64)
    return names.group_by("registry_id").agg(
        pl.col("Denomination")
        .sort_by(pl.col("_own") * 10 + rank, "Denomination")
        .first()
        .alias("official_name")
    )


def _seats(files: dict[str, Path]) -> pl.LazyFrame:
    """The registered seat (``REGO``, not struck off) of each enterprise."""
    seats = _scan(files["address.csv"]).filter(
        (pl.col("TypeOfAddress") == "REGO")
        & pl.col("DateStrikingOff").is_null()
        & pl.col("EntityNumber").str.contains(ENTERPRISE_NUMBER)
    )
    return seats.group_by(_digits("EntityNumber").alias("registry_id")).agg(
        pl.col("Zipcode").first().alias("postcode"),
        pl.col("MunicipalityFR").first().alias("city_fr"),
        pl.col("MunicipalityNL").first().alias("city_nl"),
        pl.col("StreetFR").first().alias("street_fr"),
        pl.col("StreetNL").first().alias("street_nl"),
        pl.concat_str([pl.col("HouseNumber"), pl.col("Box")], separator=" bus ", ignore_nulls=True)
        .first()
        .alias("house_number"),
    )


def _employers(acts: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    groups = rules.get("registry")["kbo_main_activity"]["employer_groups"]
    return (
        acts.filter(pl.col("activity_group").is_in(groups))
        .select("registry_id")
        .unique()
        .with_columns(pl.lit(True).alias("employer"))
    )


def companies(files: dict[str, Path], work: Path, rules: Rules) -> pl.LazyFrame:
    """One row per active enterprise (see the module's doc). Each per-enterprise table (legal
    name, seat, main activity, employer) is written to *work* first, one at a time: joined
    in one streaming query, they ran side by side and took 4 GB on a full-size file, where
    each alone takes under 0.7 GB."""
    acts = activities(files)
    out = _enterprises(files)
    for name, table in (
        ("official", _official_names(files, _owner(files))),
        ("seat", _seats(files)),
        ("main_activity", main_activity(acts, rules)),
        ("employers", _employers(acts, rules)),
    ):
        path = work / f"kbo_{name}.parquet"
        table.sink_parquet(path)
        out = out.join(pl.scan_parquet(path), on="registry_id", how="left")
    return out.with_columns(pl.lit("BE").alias("country"), pl.col("employer").fill_null(False))


def _places(files: dict[str, Path], owner: pl.LazyFrame | None) -> pl.LazyFrame:
    """Where each enterprise is (addresses not struck off): its seat (``REGO``, ``site``
    null) and its establishment units (``BAET``, ``site`` = the unit's number)."""
    address = _scan(files["address.csv"]).filter(
        pl.col("TypeOfAddress").is_in(["REGO", "BAET"]) & pl.col("DateStrikingOff").is_null()
    )
    where = [
        pl.col("Zipcode").alias("postcode"),
        pl.col("MunicipalityFR").alias("city_fr"),
        pl.col("MunicipalityNL").alias("city_nl"),
        pl.col("StreetFR").alias("street_fr"),
        pl.col("StreetNL").alias("street_nl"),
        pl.col("HouseNumber").alias("house_number"),
    ]
    own = address.filter(pl.col("EntityNumber").str.contains(ENTERPRISE_NUMBER)).select(
        _digits("EntityNumber").alias("registry_id"),
        pl.lit(None, pl.String).alias("site"),
        (pl.col("TypeOfAddress") == "REGO").alias("seat"),
        *where,
    )
    if owner is None:
        return own
    units = address.join(owner, on="EntityNumber").select(
        pl.col("_owner").alias("registry_id"),
        pl.col("EntityNumber").alias("site"),
        pl.lit(False).alias("seat"),
        *where,
    )
    return pl.concat([own, units])


def names(files: dict[str, Path]) -> pl.LazyFrame:
    """Every name (legal, abbreviation, commercial, branch; every language) at every place
    of its enterprise, for matching companies by name: an enterprise's own names at its seat
    and at each of its establishment units, a unit's names at the unit's address. KBO
    publishes active enterprises only (``active`` true)."""
    kinds = {"001": "legal", "002": "abbreviation", "003": "commercial", "004": "branch"}
    owner = _owner(files)
    places = _places(files, owner)
    named = _scan(files["denomination.csv"]).select(
        "EntityNumber",
        recode(pl.col("TypeOfDenomination"), kinds, "other").alias("kind"),
        recode(pl.col("Language"), LANGUAGES).alias("language"),
        pl.col("Denomination").alias("name"),
    )
    own = named.filter(pl.col("EntityNumber").str.contains(ENTERPRISE_NUMBER)).select(
        _digits("EntityNumber").alias("registry_id"), "kind", "language", "name"
    )
    columns = [
        "registry_id",
        "kind",
        "language",
        "name",
        "site",
        "seat",
        *ADDRESS_COLUMNS,
    ]
    at_units = named.join(
        places.filter(pl.col("site").is_not_null()), left_on="EntityNumber", right_on="site"
    ).with_columns(pl.col("EntityNumber").alias("site"))
    return (
        pl.concat([own.join(places, on="registry_id").select(columns), at_units.select(columns)])
        .filter(pl.col("name").is_not_null())
        .with_columns(pl.lit("BE").alias("country"), pl.lit(True).alias("active"))
    )


def labels(codes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(NACE labels by version and code, legal-form labels by code), FR/NL, from code.csv."""
    by_lang = codes.filter(pl.col("language").is_in(["fr", "nl"])).pivot(
        "language", index=["category", "code"], values="label", aggregate_function="first"
    )
    for lang in ("fr", "nl"):
        if lang not in by_lang.columns:
            by_lang = by_lang.with_columns(pl.lit(None, pl.String).alias(lang))
    nace = by_lang.filter(pl.col("category").str.starts_with("Nace")).select(
        pl.col("category").str.strip_prefix("Nace").alias("nace_version"),
        pl.col("code").alias("_nace_key"),
        pl.col("fr").alias("nace_label_fr"),
        pl.col("nl").alias("nace_label_nl"),
    )
    forms = by_lang.filter(pl.col("category") == "JuridicalForm").select(
        pl.lit(COUNTRY).alias("country"),
        pl.col("code").alias("legal_form_code"),
        pl.col("fr").alias("legal_form_fr"),
        pl.col("nl").alias("legal_form_nl"),
    )
    return nace, forms


# --- the source interface (source.py)


def given(files: dict[str, str | None]) -> bool:
    return bool(files.get("kbo_zip"))


def read(files: dict[str, str | None], work: Path, limits: archive.Limits, rules: Rules) -> Bulk:
    zip_path = files["kbo_zip"]
    members = extract(zip_path, work, limits)
    meta_ = {"file": Path(zip_path).name, **meta(members)}
    code_table = codes(members)
    nace, forms = labels(code_table) if code_table.height else (None, None)
    return Bulk(
        meta=meta_,
        companies=archive.readable(lambda: companies(members, work, rules)),
        names=names(members),
        activities=activities(members),
        nace_labels=nace,
        legal_forms=forms,
    )


def ids(number: str) -> list[str]:
    """>>> ids("BE 0403.170.701"), ids("403170701"), ids("0403170702")
    (['0403170701'], ['0403170701'], [])"""
    readings = (clean_one(vat=number), clean_one(enterprise_number=number, country="BE"))
    return list(dict.fromkeys(r["enterprise_number"] for r in readings if r["enterprise_number"]))


def nace_key() -> pl.Expr:
    """NACE-BEL codes are code.csv's keys as they are."""
    return pl.col("nace_code")


def size_bands(rules: Rules) -> pl.DataFrame:
    return bands({}, COUNTRY)  # the open data has no headcount


def spellings(registry_id: str) -> list[str]:
    """>>> spellings("0403170701")
    ['0403170701', '0403.170.701']"""
    if len(registry_id) != 10:
        return [registry_id]
    return [registry_id, f"{registry_id[:4]}.{registry_id[4:7]}.{registry_id[7:]}"]
