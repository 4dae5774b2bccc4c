"""The registry index: one folder of Parquet files built from bulk registry files, and
what is looked up in it.

    companies.parquet   one row per company: Belgian enterprise (KBO/BCE) or French legal
                        unit (SIRENE) — official name, status, legal form, creation date,
                        seat address, main NACE activity (code, version, class, section,
                        labels in FR/NL/EN), headcount band and EU SME size band
    activities.parquet  every registered activity of a Belgian enterprise (main, secondary,
                        ancillary), for the main-vs-secondary view
    names.parquet       every name of a company (legal, abbreviation, commercial) and its
                        block (``name_block``), for matching by name
    meta.json           the source files, the KBO snapshot, row counts

The index is built streaming (Polars lazy scans written with ``sink_parquet``): the full
KBO (2M enterprises, tens of millions of activities) and SIRENE (25M legal units) do not
have to fit in memory. The folder is written whole, then renamed into place.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process
from stdnum.eu import nace as eu_nace

from .. import __version__, rulefiles
from ..errors import InputError
from ..identifiers import clean_one
from ..io.write import replace_folder
from ..normalise.companies import name_keys
from . import archive, kbo, sirene
from .sizes import COLUMNS as SIZE_COLUMNS

COMPANIES = "companies.parquet"
ACTIVITIES = "activities.parquet"
NAMES = "names.parquet"
META = "meta.json"
REVISION = {"2008": "2.0", "2025": "2.1"}  # NACE version of KBO / NAF rév. 2 → stdnum revision
LANGS = ("fr", "nl", "en")


@lru_cache(maxsize=1)
def nace_table() -> pl.DataFrame:
    """Every NACE class of Rev. 2 and Rev. 2.1 (python-stdnum's tables): version, class
    (``62.01``), section letter and English label."""
    rows = []
    for version, revision in REVISION.items():
        for n in range(100, 10000):
            code = f"{n:04d}"
            try:
                info = eu_nace.info(code, revision=revision)
            except Exception:  # not a class of this revision
                continue
            if len(code) == 4 and info.get("section"):
                rows.append((version, f"{code[:2]}.{code[2:]}", info["section"], info.get("label")))
    return pl.DataFrame(
        rows, schema=["nace_version", "nace_class", "nace_section", "nace_label_en"], orient="row"
    )


def _labels(codes: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(NACE labels by version and 5-digit code, legal-form labels by code), FR/NL, from the
    KBO code table and rules/registry.toml."""
    nace = pl.DataFrame(
        schema={
            "nace_version": pl.String,
            "_nace_key": pl.String,
            "nace_label_fr": pl.String,
            "nace_label_nl": pl.String,
        }
    )
    forms = pl.DataFrame(
        schema={
            "country": pl.String,
            "legal_form_code": pl.String,
            "legal_form_fr": pl.String,
            "legal_form_nl": pl.String,
        }
    )
    if codes is not None and codes.height:
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
            pl.lit("BE").alias("country"),
            pl.col("code").alias("legal_form_code"),
            pl.col("fr").alias("legal_form_fr"),
            pl.col("nl").alias("legal_form_nl"),
        )
    french = rulefiles.load("registry")["fr_legal_forms"]
    forms = pl.concat(
        [
            forms,
            pl.DataFrame(
                {
                    "country": "FR",
                    "legal_form_code": list(french),
                    "legal_form_fr": list(french.values()),
                    "legal_form_nl": None,
                },
                schema=forms.schema,
            ),
        ]
    )
    return nace, forms


def sme_class(
    low: pl.Expr, high: pl.Expr, turnover: pl.Expr | None = None, balance: pl.Expr | None = None
) -> pl.Expr:
    """The EU SME class (Recommendation 2003/361/EC) of a staff band (fewest, most: null =
    open) and, when known, the turnover and balance-sheet total in euros: the smallest class
    whose headcount ceiling the band is under and whose turnover or balance-sheet ceiling
    a known figure is within. Null when the figures do not decide it ("more than 100" may
    be medium or large; 5 staff with a turnover of 3 M€ and no balance sheet may be micro or
    small). With neither figure known, the class is by headcount alone."""
    rules = rulefiles.load("registry")
    heads, turnovers, balances = (
        rules["sme_headcount_below"],
        rules["sme_turnover_max"],
        rules["sme_balance_sheet_max"],
    )
    turnover = pl.lit(None, pl.Float64) if turnover is None else turnover
    balance = pl.lit(None, pl.Float64) if balance is None else balance
    money_known = turnover.is_not_null() | balance.is_not_null()

    def fits(cls: str) -> pl.Expr:  # True / False / null (unknown), Kleene logic
        staff = (
            pl.when(high.is_not_null() & (high < heads[cls]))
            .then(True)
            .when(low >= heads[cls])
            .then(False)
        )
        money = (
            pl.when(money_known)
            .then((turnover <= turnovers[cls]) | (balance <= balances[cls]))
            .otherwise(True)
        )
        return staff & money

    band = pl.when(low.is_null()).then(None)
    for cls in ("micro", "small", "medium"):
        band = band.when(fits(cls)).then(pl.lit(cls)).when(fits(cls).is_null()).then(None)
    return band.otherwise(pl.lit("large"))


def sme_criteria(staff: pl.Expr, turnover: pl.Expr, balance: pl.Expr) -> pl.Expr:
    """What an SME class was decided on: *staff* ("headcount" or "FTE"), and the turnover
    and the balance-sheet total when they were known."""
    known = [
        pl.when(expr.is_not_null()).then(pl.lit(name))
        for expr, name in ((turnover, "turnover"), (balance, "balance sheet"))
    ]
    return pl.concat_str([staff, *known], separator=", ", ignore_nulls=True)


def registry_key() -> tuple[pl.Expr, pl.Expr]:
    """(country, registry id) of a row by its valid identifier: the Belgian enterprise
    number, else the SIREN."""
    country = (
        pl.when(pl.col("enterprise_number").is_not_null())
        .then(pl.lit("BE"))
        .when(pl.col("siren").is_not_null())
        .then(pl.lit("FR"))
    )
    return country, pl.coalesce("enterprise_number", "siren")


def sirene_bands() -> pl.DataFrame:
    """The SIRENE headcount bands (rules/registry.toml): employees_band, employees_min,
    employees_max (null: no upper bound)."""
    bands = rulefiles.load("registry")["sirene_bands"]
    return pl.DataFrame(
        {
            "employees_band": list(bands),
            "employees_min": [b[0] for b in bands.values()],
            "employees_max": [None if b[1] < 0 else b[1] for b in bands.values()],
        },
        schema={"employees_band": pl.String, "employees_min": pl.Int64, "employees_max": pl.Int64},
    )


def _size(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Headcount band → fewest / most employees and the EU SME class by headcount (never
    invented: no band, no class — with the reason)."""
    band = sme_class(pl.col("employees_min"), pl.col("employees_max"))
    return frame.join(sirene_bands().lazy(), on="employees_band", how="left").with_columns(
        band.alias("size_band"),
        pl.when(band.is_not_null()).then(pl.lit("headcount")).alias("size_criteria"),
        pl.when(band.is_not_null())
        .then(None)
        .when(pl.col("country") == "BE")
        .then(pl.lit("no headcount in the KBO open data"))
        .when(pl.col("employees_band").is_not_null())
        .then(pl.lit("unknown headcount band"))
        .otherwise(pl.lit("no headcount band in SIRENE"))
        .alias("size_reason"),
    )


def _firmographics(companies: pl.LazyFrame, codes: pl.DataFrame | None) -> pl.LazyFrame:
    nace_labels, forms = _labels(codes)
    digits = pl.col("nace_code").str.replace_all(r"\D", "")
    nace_class = pl.when(
        pl.col("nace_version").is_in(list(REVISION)) & (digits.str.len_chars() >= 4)
    ).then(digits.str.slice(0, 2) + "." + digits.str.slice(2, 2))
    key = (
        pl.when(pl.col("country") == "BE")
        .then(pl.col("nace_code"))
        .otherwise(digits.str.slice(0, 4) + "0")
    )
    out = (
        companies.with_columns(nace_class.alias("nace_class"), key.alias("_nace_key"))
        .join(nace_table().lazy(), on=["nace_version", "nace_class"], how="left")
        .join(nace_labels.lazy(), on=["nace_version", "_nace_key"], how="left")
        .join(forms.lazy(), on=["country", "legal_form_code"], how="left")
        .drop("_nace_key")
    )
    for c in (
        "postcode",
        "city_fr",
        "city_nl",
        "street_fr",
        "street_nl",
        "house_number",
        "employees_band",
        "employees_year",
        "enterprise_category",
        "juridical_situation",
    ):
        if c not in out.collect_schema().names():
            out = out.with_columns(
                pl.lit(None, pl.Int32 if c == "employees_year" else pl.String).alias(c)
            )
    return _size(out)


COLUMNS = [
    "country",
    "registry_id",
    "official_name",
    "registry_status",
    "kind",
    "legal_form_code",
    "legal_form_fr",
    "legal_form_nl",
    "creation_date",
    "juridical_situation",
    "nace_code",
    "nace_version",
    "nace_class",
    "nace_section",
    "nace_label_fr",
    "nace_label_nl",
    "nace_label_en",
    "postcode",
    "city_fr",
    "city_nl",
    "street_fr",
    "street_nl",
    "house_number",
    "employees_band",
    "employees_year",
    "employees_min",
    "employees_max",
    "size_band",
    "size_criteria",
    "size_reason",
    "enterprise_category",
    "employer",
]


def _reading(step):
    """*step*() with a file Polars cannot parse said as one line (exit 2), not a traceback."""
    try:
        return step()
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"cannot read the registry files ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
        ) from None


def build(
    out: str | Path,
    *,
    kbo_zip: str | None = None,
    sirene_units: str | None = None,
    sirene_establishments: str | None = None,
    limits: archive.Limits | None = None,
) -> dict:
    """Build the index folder *out* from the given bulk files; returns its meta."""
    limits = limits or archive.Limits()
    if not kbo_zip and not sirene_units:
        raise InputError(
            "give a KBO open-data zip (--kbo) and/or a SIRENE legal-unit file (--sirene)"
        )
    if sirene_establishments and not sirene_units:
        raise InputError("--sirene-establishments needs --sirene (the legal units)")
    out = Path(out)
    meta: dict = {"enrich": __version__, "sources": {}}
    with tempfile.TemporaryDirectory(
        prefix=".enrich-registry-",
        dir=out.resolve().parent if out.resolve().parent.is_dir() else None,
    ) as work:
        work = Path(work)
        companies, names, activities, codes = [], [], None, None
        if kbo_zip:
            files = kbo.extract(kbo_zip, work, limits)
            meta["sources"]["kbo"] = {"file": Path(kbo_zip).name, **kbo.meta(files)}
            codes = kbo.codes(files)
            companies.append(_reading(lambda: kbo.companies(files, work)))
            names.append(kbo.names(files))
            activities = kbo.activities(files)
        if sirene_units:
            units = sirene.scan(
                sirene_units,
                sirene.LEGAL_UNITS,
                sirene.LEGAL_UNITS_OPTIONAL,
                work,
                limits,
                "StockUniteLegale",
            )
            establishments = (
                sirene.scan(
                    sirene_establishments,
                    sirene.ESTABLISHMENTS,
                    sirene.ESTABLISHMENTS_OPTIONAL,
                    work,
                    limits,
                    "StockEtablissement",
                )
                if sirene_establishments
                else None
            )
            meta["sources"]["sirene"] = {
                "file": Path(sirene_units).name,
                **(
                    {"establishments": Path(sirene_establishments).name}
                    if sirene_establishments
                    else {}
                ),
            }
            companies.append(_reading(lambda: sirene.companies(units, establishments, work)))
            names.append(sirene.names(units))
        table = _firmographics(pl.concat(companies, how="diagonal_relaxed"), codes).select(COLUMNS)

        def fill(tmp: Path) -> None:
            def sinks() -> None:
                table.sink_parquet(tmp / COMPANIES, compression="zstd")
                pl.concat(names, how="diagonal_relaxed").with_columns(
                    name_block(pl.col("name")).alias("block")
                ).sink_parquet(tmp / NAMES, compression="zstd")
                if activities is not None:
                    activities.sink_parquet(tmp / ACTIVITIES, compression="zstd")

            _reading(sinks)
            counts = (
                pl.scan_parquet(tmp / COMPANIES)
                .group_by("country", "registry_status")
                .len()
                .collect()
                .sort("country", "registry_status")
            )
            meta["companies"] = {f"{c} {s}": n for c, s, n in counts.iter_rows()}
            (tmp / META).write_text(
                json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )

        replace_folder(out, fill)
    return meta


def check_out(folder: str | Path, inputs: list[str]) -> None:
    """Refuse an output folder that would destroy something: one holding an input, or an
    existing folder that is not a registry index."""
    real = Path(folder).resolve()
    for p in inputs:
        if real == Path(p).resolve() or real in Path(p).resolve().parents:
            raise InputError(
                "the output folder holds an input; write the index to another folder",
                file=str(folder),
            )
    if real.exists() and (
        not real.is_dir() or (any(real.iterdir()) and not (real / META).is_file())
    ):
        raise InputError(
            "the output exists and is not a registry index; choose a new or empty folder",
            file=str(folder),
        )


def check_index(folder: str | Path) -> Path:
    path = Path(folder)
    if not (path / COMPANIES).is_file() or not (path / META).is_file():
        raise InputError(
            "not a registry index (no companies.parquet or meta.json): build one with `enrich registry build`",
            file=str(folder),
        )
    return path


def keys_of(number: str) -> list[tuple[str, str]]:
    """(country, registry id) a typed number can mean: a Belgian enterprise or VAT number,
    a SIREN, a SIRET or a French VAT number — every valid reading."""
    found = []
    for field, extra in (
        ("vat", {}),
        ("enterprise_number", {"country": "BE"}),
        ("siren", {}),
        ("siret", {}),
    ):
        r = clean_one(**{field: number}, **extra)
        if r["enterprise_number"]:
            found.append(("BE", r["enterprise_number"]))
        if r["siren"]:
            found.append(("FR", r["siren"]))
    return list(dict.fromkeys(found))


def lookup(folder: str | Path, number: str) -> list[dict]:
    """What the index knows of *number* (all valid readings of it), with the activities."""
    path = check_index(folder)
    keys = keys_of(number)
    if not keys:
        raise InputError("not a valid enterprise number, SIREN, SIRET or VAT number")
    wanted = pl.DataFrame(keys, schema=["country", "registry_id"], orient="row")
    rows = (
        pl.scan_parquet(path / COMPANIES)
        .join(wanted.lazy(), on=["country", "registry_id"], how="semi")
        .collect()
    )
    out = []
    for row in rows.iter_rows(named=True):
        if (path / ACTIVITIES).is_file() and row["country"] == "BE":
            acts = (
                pl.scan_parquet(path / ACTIVITIES)
                .filter(pl.col("registry_id") == row["registry_id"])
                .collect()
            )
            row["activities"] = (
                acts.sort(
                    "classification", "nace_version", "nace_code", descending=[False, True, False]
                )
                .drop("registry_id")
                .to_dicts()
            )
        out.append(row)
    return out


def attach(
    frame: pl.DataFrame, folder: str | Path, lang: str = "fr", sizes: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``attach_with_review()`` without the review list."""
    return attach_with_review(frame, folder, lang, sizes)[0]


def name_block(name: pl.Expr) -> pl.Expr:
    """The first letters of a company name's first significant word (rules/registry.toml
    [name_match]): a cheap key that streams over tens of millions of registry names, where
    the full matching key (``name_keys``) is computed only for the few candidates it finds."""
    rule = rulefiles.load("registry")["name_match"]
    text = name.str.to_lowercase()
    for pattern, plain in (
        ("[àáâãä]", "a"),
        ("[èéêë]", "e"),
        ("[ìíîï]", "i"),
        ("[òóôõö]", "o"),
        ("[ùúûü]", "u"),
        ("ç", "c"),
    ):
        text = text.str.replace_all(pattern, plain)
    words = text.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars().str.split(" ")
    return (
        words.list.filter(~pl.element().is_in(rule["skip"]))
        .list.first()
        .str.slice(0, rule["prefix"])
    )


REVIEW_COLUMNS = [
    "company_name",
    "postcode",
    "country",
    "registry_id",
    "registry_name",
    "score",
]  # after the row's ids


def _by_name(frame: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For rows without a valid identifier (``_registry_id`` null) but with a company name
    and a postcode: the company of the registry at that postcode whose name is the same
    (rules/registry.toml [name_match]) — (per row: ``_row``, country, id, score, or
    ambiguous), and the candidates of the ambiguous rows, for review."""
    rule = rulefiles.load("registry")["name_match"]
    empty = pl.DataFrame(
        schema={
            "_row": pl.UInt32,
            "_name_country": pl.String,
            "_name_id": pl.String,
            "_score": pl.Float64,
            "_ambiguous": pl.Boolean,
        }
    )
    ids = [c for c in ("company_id", "source_file", "source_row") if c in frame.columns]
    no_review = pl.DataFrame(schema={c: pl.String for c in [*ids, *REVIEW_COLUMNS]})
    if not {"company_name", "postcode"} <= set(frame.columns) or not (path / NAMES).is_file():
        return empty, no_review
    rows = frame.with_row_index("_row").filter(
        pl.col("_registry_id").is_null()
        & pl.col("company_name").is_not_null()
        & pl.col("postcode").is_not_null()
    )
    rows = rows.select(
        "_row",
        "postcode",
        (pl.col("country") if "country" in frame.columns else pl.lit(None, pl.String)).alias(
            "_in_country"
        ),
        "company_name",
        *(["company_name_norm"] if "company_name_norm" in frame.columns else []),
        name_block(pl.col("company_name")).alias("block"),
    )
    rows = rows.filter(pl.col("block").str.len_chars() >= min(rule["prefix"], 2))
    if rows.height == 0:
        return empty, no_review
    names = (
        pl.scan_parquet(path / NAMES)
        .join(rows.select("block").unique().lazy(), on="block", how="semi")
        .select("country", "registry_id", "name", "block")
        .collect()
    )
    seats = (
        pl.scan_parquet(path / COMPANIES)
        .join(
            names.select("country", "registry_id").unique().lazy(),
            on=["country", "registry_id"],
            how="semi",
        )
        .select("country", "registry_id", "postcode", "official_name")
        .collect()
    )
    candidates = names.join(seats, on=["country", "registry_id"]).join(
        rows.select("postcode", "block").unique(), on=["postcode", "block"], how="semi"
    )
    candidates = candidates.with_columns(
        name_keys(candidates["name"]).alias("name_key")
    )  # the full key, for these few only
    rows = rows.join(
        candidates.select("postcode", "block").unique(), on=["postcode", "block"], how="semi"
    )
    rows = rows.with_columns(
        rows["company_name_norm"].alias("_key")
        if "company_name_norm" in rows.columns
        else name_keys(rows["company_name"]).alias("_key")
    )
    pairs = rows.join(candidates, on=["postcode", "block"]).filter(
        pl.col("_in_country").is_null() | (pl.col("_in_country") == pl.col("country"))
    )
    if pairs.height == 0:
        return empty, no_review
    score = (
        process.cpdist(
            pairs["_key"].to_list(),
            pairs["name_key"].to_list(),
            scorer=fuzz.token_set_ratio,
            workers=-1,
        )
        / 100.0
    )
    best = (
        pairs.with_columns(pl.Series("_score", score))
        .group_by("_row", "country", "registry_id")
        .agg(pl.col("_score").max(), pl.col("official_name").first())
        .sort(["_row", "_score", "country", "registry_id"], descending=[False, True, False, False])
    )
    ranked = best.with_columns(
        pl.int_range(pl.len()).over("_row").alias("_rank"),
        pl.col("_score").shift(-1).over("_row").alias("_next"),
    )
    top = ranked.filter((pl.col("_rank") == 0) & (pl.col("_score") >= rule["score"]))
    top = top.with_columns(
        (
            pl.col("_next").is_not_null() & (pl.col("_score") - pl.col("_next") < rule["margin"])
        ).alias("_ambiguous")
    )
    decided = top.select(
        "_row",
        pl.col("country").alias("_name_country"),
        pl.col("registry_id").alias("_name_id"),
        "_score",
        "_ambiguous",
    )
    close = ranked.join(
        top.filter("_ambiguous").select("_row", pl.col("_score").alias("_best")), on="_row"
    ).filter(pl.col("_score") >= pl.col("_best") - rule["margin"])
    source = frame.with_row_index("_row").select("_row", *ids, "company_name", "postcode")
    review = (
        close.join(source, on="_row")
        .sort("_row", "_rank")
        .select(
            *(pl.col(c).cast(pl.String) for c in ids),
            "company_name",
            "postcode",
            "country",
            "registry_id",
            pl.col("official_name").alias("registry_name"),
            pl.col("_score").round(3).cast(pl.String).alias("score"),
        )
    )
    return decided, review


def attach_with_review(
    frame: pl.DataFrame, folder: str | Path, lang: str = "fr", sizes: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """*frame* (cleaned rows or golden companies, with ``enterprise_number`` / ``siren``)
    with the registry's firmographics of each company found by its valid identifier, else
    by its name and postcode (``_by_name``): ``registry_match`` says how (or why not), and
    ``registry_match_score`` how alike the names are. The registry's values are its own
    columns; the input's are left as they were. *sizes* (``sizes.read_sizes``) gives staff
    and accounts figures by company, which decide the size band first. Also: the rows whose name fits two
    registry companies about as well (none attached), with those candidates."""
    path = check_index(folder)
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(c)
        for c in ("enterprise_number", "siren")
        if c not in frame.columns
    )
    country, registry_id = registry_key()
    key = frame.select(country.alias("_country"), registry_id.alias("_registry_id"))
    by_name, review = _by_name(pl.concat([frame, key], how="horizontal"), path)
    key = key.with_row_index("_row").join(by_name, on="_row", how="left", maintain_order="left")
    named = pl.col("_name_id").is_not_null() & ~pl.col("_ambiguous").fill_null(False)
    key = key.select(
        pl.when(named)
        .then(pl.col("_name_country"))
        .otherwise(pl.col("_country"))
        .alias("_country"),
        pl.when(named)
        .then(pl.col("_name_id"))
        .otherwise(pl.col("_registry_id"))
        .alias("_registry_id"),
        pl.when(named)
        .then(pl.lit("name and postcode"))
        .when(pl.col("_ambiguous").fill_null(False))
        .then(pl.lit("ambiguous name (see review)"))
        .alias("_by_name"),
        pl.when(pl.col("_name_id").is_not_null())
        .then(pl.col("_score"))
        .alias("registry_match_score"),
    )
    wanted = key.select("_country", "_registry_id").drop_nulls().unique()
    found = (
        pl.scan_parquet(path / COMPANIES)
        .join(
            wanted.lazy(),
            left_on=["country", "registry_id"],
            right_on=["_country", "_registry_id"],
            how="semi",
        )
        .collect()
    )
    label = (
        pl.coalesce(f"nace_label_{lang}", "nace_label_en")
        if lang in LANGS
        else pl.col("nace_label_en")
    )
    label_lang = (
        (
            pl.when(pl.col(f"nace_label_{lang}").is_not_null())
            .then(pl.lit(lang))
            .when(pl.col("nace_label_en").is_not_null())
            .then(pl.lit("en"))
        )
        if lang in ("fr", "nl")
        else pl.when(pl.col("nace_label_en").is_not_null()).then(pl.lit("en"))
    )

    def local(name: str) -> pl.Expr:  # FR/NL values: the asked language's, else the other
        return pl.coalesce(
            *([f"{name}_{lang}"] if lang in ("fr", "nl") else []), f"{name}_fr", f"{name}_nl"
        )

    form, city, street = local("legal_form"), local("city"), local("street")
    found = found.select(
        pl.col("country").alias("_country"),
        pl.col("registry_id").alias("_registry_id"),
        pl.col("official_name").alias("registry_name"),
        "registry_status",
        form.alias("registry_legal_form"),
        "creation_date",
        "nace_code",
        "nace_version",
        "nace_class",
        "nace_section",
        label.alias("nace_label"),
        label_lang.alias("nace_label_lang"),
        pl.col("postcode").alias("registry_postcode"),
        city.alias("registry_city"),
        pl.concat_str([street, pl.col("house_number")], separator=" ", ignore_nulls=True)
        .replace("", None)
        .alias("registry_street"),
        *(
            pl.col(c).alias(f"registry_{c}")
            for c in ("employees_band", "employees_year", "employees_min", "employees_max")
        ),
        pl.col("size_band").alias("_band"),
        pl.col("size_criteria").alias("_criteria"),
        pl.col("size_reason").alias("_reason"),
        "enterprise_category",
        "employer",
    )
    found = found.join(_secondary(path, found), on=["_country", "_registry_id"], how="left")
    joined = pl.concat([frame, key], how="horizontal").join(
        found, on=["_country", "_registry_id"], how="left", maintain_order="left"
    )
    joined = _declared_nace(_size_band(joined, sizes))
    match = (
        pl.when(pl.col("_by_name").is_not_null())
        .then(pl.col("_by_name"))
        .when(pl.col("registry_status").is_not_null())
        .then(
            pl.when(pl.col("_country") == "BE")
            .then(pl.lit("enterprise_number"))
            .otherwise(pl.lit("siren"))
        )
        .when(pl.col("_registry_id").is_not_null())
        .then(pl.lit("not in the registry"))
        .otherwise(pl.lit("no valid identifier, no name match"))
    )
    return joined.with_columns(
        match.alias("registry_match"), (pl.col("registry_status") == "ceased").alias("ceased")
    ).drop("_country", "_registry_id", "_by_name"), review


def _secondary(path: Path, found: pl.DataFrame) -> pl.DataFrame:
    """``nace_secondary``: a Belgian company's secondary activities in its main activity's
    NACE version ("33120, 46690"), from activities.parquet; SIRENE has none."""
    empty = pl.DataFrame(
        schema={"_country": pl.String, "_registry_id": pl.String, "nace_secondary": pl.String}
    )
    be = found.filter(pl.col("_country") == "BE").select(
        "_registry_id", pl.col("nace_version").alias("_version")
    )
    if be.height == 0 or not (path / ACTIVITIES).is_file():
        return empty
    acts = (
        pl.scan_parquet(path / ACTIVITIES)
        .filter(pl.col("classification") == "secondary")
        .join(
            be.lazy(),
            left_on=["registry_id", "nace_version"],
            right_on=["_registry_id", "_version"],
            how="semi",
        )
        .group_by("registry_id")
        .agg(pl.col("nace_code").unique().sort().str.join(", ").alias("nace_secondary"))
        .collect()
    )
    return acts.select(
        pl.lit("BE").alias("_country"),
        pl.col("registry_id").alias("_registry_id"),
        "nace_secondary",
    )


def _size_band(frame: pl.DataFrame, sizes: pl.DataFrame | None) -> pl.DataFrame:
    """The size band, from the first source that decides it: the size file (``--size``: FTE
    or headcount, turnover, balance sheet), the registry (its headcount band), the file's own
    headcount (``employees_min`` / ``employees_max`` of the clean stage) — with the source,
    the criteria, the staff band and year it stands on, and, when there is none, the reason."""
    frame = frame.with_columns(
        pl.lit(None, pl.Int64).alias(c)
        for c in ("employees_min", "employees_max")
        if c not in frame.columns
    )
    if sizes is not None:
        frame = frame.join(
            sizes.drop("size_file_row").rename(
                {"country": "_country", "registry_id": "_registry_id"}
            ),
            on=["_country", "_registry_id"],
            how="left",
            maintain_order="left",
        )
    else:
        frame = frame.with_columns(
            pl.lit(None, t).alias(c)
            for c, t in SIZE_COLUMNS.items()
            if c not in ("country", "registry_id", "size_file_row")
        )
    low_in, high_in = (
        pl.col(c).cast(pl.Int64, strict=False) for c in ("employees_min", "employees_max")
    )
    fte, turnover, balance = (
        pl.col("staff_fte"),
        pl.col("turnover_eur"),
        pl.col("balance_sheet_eur"),
    )
    file_low = pl.coalesce(fte, pl.col("size_file_employees_min").cast(pl.Float64))
    file_high = (
        pl.when(fte.is_not_null())
        .then(fte)
        .when(pl.col("size_file_employees_min").is_not_null())
        .then(pl.col("size_file_employees_max").cast(pl.Float64))
    )
    frame = frame.with_columns(
        sme_class(file_low, file_high, turnover, balance).alias("_file"),
        sme_class(low_in, high_in).alias("_declared"),
    )
    file_criteria = sme_criteria(
        pl.when(fte.is_not_null()).then(pl.lit("FTE")).otherwise(pl.lit("headcount")),
        turnover,
        balance,
    )
    source = (
        pl.when(pl.col("_file").is_not_null())
        .then(pl.lit("size file"))
        .when(pl.col("_band").is_not_null())
        .then(pl.lit("registry"))
        .when(pl.col("_declared").is_not_null())
        .then(pl.lit("input"))
    )
    by = {
        "size file": (
            file_criteria,
            pl.col("size_file_employees_min"),
            pl.col("size_file_employees_max"),
            pl.col("size_file_year"),
        ),
        "registry": (
            pl.col("_criteria"),
            pl.col("registry_employees_min"),
            pl.col("registry_employees_max"),
            pl.col("registry_employees_year").cast(pl.Int32),
        ),
        "input": (pl.lit("declared headcount"), low_in, high_in, pl.lit(None, pl.Int32)),
    }

    def chosen(i: int) -> pl.Expr:  # the i-th value of the source the band came from
        (first, values), *others = by.items()
        out = pl.when(pl.col("size_source") == first).then(values[i])
        for name, values in others:
            out = out.when(pl.col("size_source") == name).then(values[i])
        return out

    frame = frame.with_columns(
        pl.coalesce("_file", "_band", "_declared").alias("size_band"), source.alias("size_source")
    )
    file_given = (
        pl.col("size_file_employees_min").is_not_null()
        | fte.is_not_null()
        | turnover.is_not_null()
        | balance.is_not_null()
    )
    return frame.with_columns(
        chosen(0).alias("size_criteria"),
        chosen(1).alias("size_employees_min"),
        chosen(2).alias("size_employees_max"),
        chosen(3).alias("size_year"),
        pl.when(pl.col("size_band").is_not_null())
        .then(None)
        .when(file_given)
        .then(pl.lit("the size file's figures do not decide the class"))
        .when(low_in.is_not_null())
        .then(pl.lit("the file's open headcount band does not decide the class"))
        .otherwise(
            pl.coalesce("_reason", pl.lit("not in the registry, and the file gives no headcount"))
        )
        .alias("size_reason"),
    ).drop(
        "_band",
        "_criteria",
        "_reason",
        "_declared",
        "_file",
        "size_file_employees_min",
        "size_file_employees_max",
        "size_file_year",
    )


DECLARED_NACE = r"^(\d{2})\.?(\d{2})(?:\.?\d{1,2}|[A-Z])?$"  # NAF 62.01Z, NACE 62.01 / 6201, NACE-BEL 62.010 / 62010


def _rev2_class(frame: pl.DataFrame, code: pl.Expr) -> pl.DataFrame:
    """*frame* with ``_class`` ("62.01") of the activity *code* (NAF 62.01Z, NACE 62.01,
    NACE-BEL 62010: ``DECLARED_NACE``), and that NACE Rev. 2 class's ``_section`` and English
    ``_label`` (null when it is not one)."""
    parts = code.str.extract_groups(DECLARED_NACE)
    known = (
        nace_table()
        .filter(pl.col("nace_version") == "2008")
        .select(
            pl.col("nace_class").alias("_class"),
            pl.col("nace_section").alias("_section"),
            pl.col("nace_label_en").alias("_label"),
        )
    )
    return frame.with_columns(
        (parts.struct.field("1") + "." + parts.struct.field("2")).alias("_class")
    ).join(known, on="_class", how="left", maintain_order="left")


def _declared_nace(frame: pl.DataFrame) -> pl.DataFrame:
    """The activity: the registry's, else the code the file declares (``nace``: NAF rév. 2
    "62.01Z", NACE-BEL "62010", NACE "62.01"), read as NACE Rev. 2 and kept only when that
    class exists — its section and English label from python-stdnum; ``nace_source`` says
    which (an input code is what the file claims, not checked against the registry)."""
    if "nace" not in frame.columns:
        return frame.with_columns(
            pl.when(pl.col("nace_code").is_not_null()).then(pl.lit("registry")).alias("nace_source")
        )
    frame = frame.with_columns(
        pl.col("nace").cast(pl.String).str.to_uppercase().str.replace_all(r"\s", "").alias("_typed")
    )
    frame = _rev2_class(frame, pl.col("_typed"))
    use = pl.col("nace_code").is_null() & pl.col("_section").is_not_null()
    return frame.with_columns(
        pl.when(use).then(pl.col("_typed")).otherwise(pl.col("nace_code")).alias("nace_code"),
        pl.when(use).then(pl.lit("2008")).otherwise(pl.col("nace_version")).alias("nace_version"),
        pl.when(use).then(pl.col("_class")).otherwise(pl.col("nace_class")).alias("nace_class"),
        pl.when(use)
        .then(pl.col("_section"))
        .otherwise(pl.col("nace_section"))
        .alias("nace_section"),
        pl.when(use).then(pl.col("_label")).otherwise(pl.col("nace_label")).alias("nace_label"),
        pl.when(use)
        .then(pl.lit("en"))
        .otherwise(pl.col("nace_label_lang"))
        .alias("nace_label_lang"),
        pl.when(use)
        .then(pl.lit("input"))
        .when(pl.col("nace_code").is_not_null())
        .then(pl.lit("registry"))
        .alias("nace_source"),
    ).drop("_typed", "_class", "_section", "_label")


def fill_from_recherche(frame: pl.DataFrame) -> pl.DataFrame:
    """A French company the local index does not hold, found online (``recherche_*``
    columns of ``online.recherche_columns``): its name, status, activity and SIRENE
    headcount band go into the registry's columns, with ``registry_match =
    recherche-entreprises`` — the bulk file's values are never replaced."""
    if "registry_match" not in frame.columns or "recherche_status" not in frame.columns:
        return frame
    use = pl.col("registry_status").is_null() & (pl.col("recherche_status") == "found")
    bands = sirene_bands().rename(
        {
            "employees_band": "recherche_employees_band",
            "employees_min": "_low",
            "employees_max": "_high",
        }
    )
    frame = _rev2_class(
        frame.join(bands, on="recherche_employees_band", how="left", maintain_order="left"),
        pl.col("recherche_naf"),
    )
    low, high = pl.col("_low"), pl.col("_high")
    online_band = sme_class(low, high)
    naf = use & pl.col("_class").is_not_null()
    sized = (
        use & online_band.is_not_null() & (pl.col("size_source") != "size file").fill_null(True)
    )  # a size file still wins

    def fill(column: str, value: pl.Expr, when: pl.Expr = use) -> pl.Expr:
        return pl.when(when).then(value).otherwise(pl.col(column)).alias(column)

    return frame.with_columns(
        fill("registry_match", pl.lit("recherche-entreprises")),
        fill("registry_name", pl.col("recherche_name")),
        fill("registry_status", pl.col("recherche_registry_status")),
        fill("ceased", pl.col("recherche_registry_status") == "ceased"),
        fill("registry_postcode", pl.col("recherche_postcode")),
        fill("registry_city", pl.col("recherche_city")),
        fill("nace_code", pl.col("recherche_naf"), naf),
        fill("nace_version", pl.lit("2008"), naf),
        fill("nace_class", pl.col("_class"), naf),
        fill("nace_section", pl.col("recherche_section"), naf),
        fill("nace_label", pl.col("_label"), naf),
        fill("nace_label_lang", pl.lit("en"), naf),
        fill("nace_source", pl.lit("recherche-entreprises"), naf),
        fill("size_band", online_band, sized),
        fill("size_source", pl.lit("recherche-entreprises"), sized),
        fill("size_criteria", pl.lit("headcount"), sized),
        fill("size_employees_min", low, sized),
        fill("size_employees_max", high, sized),
        fill("size_year", pl.col("recherche_employees_year").cast(pl.Int32, strict=False), sized),
        fill("size_reason", pl.lit(None, pl.String), sized),
    ).drop("_class", "_section", "_label", "_low", "_high")
