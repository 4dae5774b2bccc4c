"""The registry's firmographics attached to a file's rows: each company found by its valid
identifier (each source's ``KEY``), else by its name, place and street (``match.py``); its size
band from the first source that decides it; its activity from the registry, else as the file
declares it; and a French company the index lacks, filled from recherche-entreprises.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..ruleset import Rules, rules_or_default
from . import SOURCES, sirene
from .folder import ACTIVITIES, COMPANIES, check_index
from .match import by_name
from .nace import rev2_class
from .sizes import COLUMNS as SIZE_COLUMNS
from .sme import sme_class, sme_criteria
from .source import registry_key, with_keys

LANGS = ("fr", "nl", "en")


def attach(
    frame: pl.DataFrame,
    folder: str | Path,
    lang: str = "fr",
    sizes: pl.DataFrame | None = None,
    *,
    rules: Rules | None = None,
) -> pl.DataFrame:
    """``attach_with_review()`` without the review list."""
    return attach_with_review(frame, folder, lang, sizes, rules=rules)[0]


def attach_with_review(
    frame: pl.DataFrame,
    folder: str | Path,
    lang: str = "fr",
    sizes: pl.DataFrame | None = None,
    *,
    rules: Rules | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """*frame* (cleaned rows or golden companies, with ``enterprise_number`` / ``siren``)
    with the registry's firmographics of each company found by its valid identifier, else
    by its name, place and street (``match.by_name``): ``registry_match`` says how (or why
    not), ``registry_number`` which company it found (its enterprise number or SIREN), and
    ``registry_match_score`` how probable a match by name is. The registry's values are its own
    columns; the input's are left as they were. *sizes* (``sizes.read_sizes``) gives staff
    and accounts figures by company, which decide the size band first. Also: the rows found
    by name but not attached (two companies fit about as well, or one not surely enough),
    with their candidates (``match.REVIEW_COLUMNS``)."""
    rules = rules_or_default(rules)
    path = check_index(folder)
    frame = with_keys(frame, SOURCES)
    key, review = _keys(frame, path, rules)
    found = _found(path, key, lang)
    joined = pl.concat([frame, key], how="horizontal").join(
        found, on=["_country", "_registry_id"], how="left", maintain_order="left"
    )
    joined = _declared_nace(_size_band(joined, sizes, rules))
    return joined.with_columns(
        _match().alias("registry_match"), (pl.col("registry_status") == "ceased").alias("ceased")
    ).drop("_country", "_registry_id", "_by_name"), review


def _keys(frame: pl.DataFrame, path: Path, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per row: ``_country`` and ``_registry_id`` (by its identifier, else by its name),
    ``_by_name`` (how a name found it, or why not) and ``registry_match_score``; and the
    review list of the names that fit two companies."""
    country, registry_id = registry_key(SOURCES)
    key = frame.select(country.alias("_country"), registry_id.alias("_registry_id"))
    named_rows, review = by_name(pl.concat([frame, key], how="horizontal"), path, rules=rules)
    key = key.with_row_index("_row").join(named_rows, on="_row", how="left", maintain_order="left")
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
        .then(pl.lit("name"))
        .when(pl.col("_ambiguous").fill_null(False))
        .then(pl.lit("ambiguous name (see review)"))
        .alias("_by_name"),
        pl.when(pl.col("_name_id").is_not_null())
        .then(pl.col("_score"))
        .alias("registry_match_score"),
    )
    return key, review


def _found(path: Path, key: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The index's companies of *key*, in the attached columns (labels in *lang*)."""
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
    label, label_lang = _nace_label(lang)

    def local(name: str) -> pl.Expr:  # FR/NL values: the asked language's, else the other
        return pl.coalesce(
            *([f"{name}_{lang}"] if lang in ("fr", "nl") else []), f"{name}_fr", f"{name}_nl"
        )

    form, city, street = local("legal_form"), local("city"), local("street")
    found = found.select(
        pl.col("country").alias("_country"),
        pl.col("registry_id").alias("_registry_id"),
        pl.col("registry_id").alias("registry_number"),
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
    return found.join(_secondary(path, found), on=["_country", "_registry_id"], how="left")


def _nace_label(lang: str) -> tuple[pl.Expr, pl.Expr]:
    """(the activity's label in *lang*, else in English; the language it is in)."""
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
    return label, label_lang


def _match() -> pl.Expr:
    """How a row was matched: by name, by a source's key (its name), or why not."""
    first, *others = SOURCES
    by_key = pl.when(pl.col("_country") == first.COUNTRY).then(pl.lit(first.KEY))
    for source in others:
        by_key = by_key.when(pl.col("_country") == source.COUNTRY).then(pl.lit(source.KEY))
    return (
        pl.when(pl.col("_by_name").is_not_null())
        .then(pl.col("_by_name"))
        .when(pl.col("registry_status").is_not_null())
        .then(by_key)
        .when(pl.col("_registry_id").is_not_null())
        .then(pl.lit("not in the registry"))
        .otherwise(pl.lit("no valid identifier, no name match"))
    )


def _secondary(path: Path, found: pl.DataFrame) -> pl.DataFrame:
    """``nace_secondary``: a company's secondary activities in its main activity's NACE
    version ("33120, 46690"), from activities.parquet (KBO's; SIRENE has none)."""
    empty = pl.DataFrame(
        schema={"_country": pl.String, "_registry_id": pl.String, "nace_secondary": pl.String}
    )
    with_activities = [s.COUNTRY for s in SOURCES if s.HAS_ACTIVITIES]
    wanted = found.filter(pl.col("_country").is_in(with_activities)).select(
        "_country", "_registry_id", pl.col("nace_version").alias("_version")
    )
    if wanted.height == 0 or not (path / ACTIVITIES).is_file():
        return empty
    return (
        pl.scan_parquet(path / ACTIVITIES)
        .filter(pl.col("classification") == "secondary")
        .join(
            wanted.lazy(),
            left_on=["registry_id", "nace_version"],
            right_on=["_registry_id", "_version"],
        )
        .group_by("_country", "registry_id")
        .agg(pl.col("nace_code").unique().sort().str.join(", ").alias("nace_secondary"))
        .select("_country", pl.col("registry_id").alias("_registry_id"), "nace_secondary")
        .collect()
    )


def _size_band(frame: pl.DataFrame, sizes: pl.DataFrame | None, rules: Rules) -> pl.DataFrame:
    """The size band, from the first source that decides it: the size file (``--size``: FTE
    or headcount, turnover, balance sheet), the registry (its headcount band), the file's own
    headcount (``employees_min`` / ``employees_max`` of the clean stage) — with the source,
    the criteria, the staff band and year it stands on, and, when there is none, the reason."""
    frame = _with_size_file(frame, sizes)
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
        sme_class(file_low, file_high, turnover, balance, rules=rules).alias("_file"),
        sme_class(low_in, high_in, rules=rules).alias("_declared"),
    )
    source = (
        pl.when(pl.col("_file").is_not_null())
        .then(pl.lit("size file"))
        .when(pl.col("_band").is_not_null())
        .then(pl.lit("registry"))
        .when(pl.col("_declared").is_not_null())
        .then(pl.lit("input"))
    )
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
        *_size_grounds(low_in, high_in),
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


def _with_size_file(frame: pl.DataFrame, sizes: pl.DataFrame | None) -> pl.DataFrame:
    """*frame* with the file's own headcount columns and the size file's figures (null when
    there are none)."""
    frame = frame.with_columns(
        pl.lit(None, pl.Int64).alias(c)
        for c in ("employees_min", "employees_max")
        if c not in frame.columns
    )
    if sizes is None:
        return frame.with_columns(
            pl.lit(None, t).alias(c)
            for c, t in SIZE_COLUMNS.items()
            if c not in ("country", "registry_id", "size_file_row")
        )
    return frame.join(
        sizes.drop("size_file_row").rename({"country": "_country", "registry_id": "_registry_id"}),
        on=["_country", "_registry_id"],
        how="left",
        maintain_order="left",
    )


def _size_grounds(low_in: pl.Expr, high_in: pl.Expr) -> list[pl.Expr]:
    """``size_criteria``, ``size_employees_min`` / ``_max`` and ``size_year``: those of the
    source the band came from (``size_source``)."""
    fte, turnover, balance = (
        pl.col("staff_fte"),
        pl.col("turnover_eur"),
        pl.col("balance_sheet_eur"),
    )
    file_criteria = sme_criteria(
        pl.when(fte.is_not_null()).then(pl.lit("FTE")).otherwise(pl.lit("headcount")),
        turnover,
        balance,
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

    names = ("size_criteria", "size_employees_min", "size_employees_max", "size_year")
    return [chosen(i).alias(name) for i, name in enumerate(names)]


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
    frame = rev2_class(frame, pl.col("_typed"))
    use = pl.col("nace_code").is_null() & pl.col("_section").is_not_null()

    def fill(column: str, value: pl.Expr) -> pl.Expr:
        return pl.when(use).then(value).otherwise(pl.col(column)).alias(column)

    return frame.with_columns(
        fill("nace_code", pl.col("_typed")),
        fill("nace_version", pl.lit("2008")),
        fill("nace_class", pl.col("_class")),
        fill("nace_section", pl.col("_section")),
        fill("nace_label", pl.col("_label")),
        fill("nace_label_lang", pl.lit("en")),
        pl.when(use)
        .then(pl.lit("input"))
        .when(pl.col("nace_code").is_not_null())
        .then(pl.lit("registry"))
        .alias("nace_source"),
    ).drop("_typed", "_class", "_section", "_label")


def fill_from_recherche(frame: pl.DataFrame, *, rules: Rules | None = None) -> pl.DataFrame:
    """A French company the local index does not hold, found online (``recherche_*``
    columns of ``recherche.recherche_columns``): its name, status, activity and SIRENE
    headcount band go into the registry's columns, with ``registry_match =
    recherche-entreprises`` — the bulk file's values are never replaced."""
    if "registry_match" not in frame.columns or "recherche_status" not in frame.columns:
        return frame
    rules = rules_or_default(rules)
    use = pl.col("registry_status").is_null() & (pl.col("recherche_status") == "found")
    bands = sirene.size_bands(rules).select(  # recherche-entreprises gives SIRENE's bands
        pl.col("employees_band").alias("recherche_employees_band"),
        pl.col("employees_min").alias("_low"),
        pl.col("employees_max").alias("_high"),
    )
    frame = rev2_class(
        frame.join(bands, on="recherche_employees_band", how="left", maintain_order="left"),
        pl.col("recherche_naf"),
    )
    low, high = pl.col("_low"), pl.col("_high")
    online_band = sme_class(low, high, rules=rules)
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
