"""A row's country from its own evidence, for the rows that name none.

Each piece of evidence adds its weight (``rules/countries.toml``, ``[evidence]``) to a
country, and the country with the highest total wins:

* the postcode — a country prefix (``B-1000``, ``L-1234``), its shape, and whether the
  gazetteer (``places``) knows it in that country, whole or having lost its leading 0
  (``1000`` for the French ``01000``), and with the row's city;
* the city — the countries that have a place of that name (Bruxelles, Brussel, Luik …);
* the phone and mobile numbers — a calling code (``+33``, ``0032``), a national number valid
  in a country (libphonenumber's patterns; a mobile column as a mobile) and written the
  country's way (``[phone_format]``);
* the e-mail's and website's domain (``.be``, ``.fr`` … ``[domains]``).

Every piece is worked out once per distinct postcode/city, number and address, with
vectorised expressions. ``decide`` gives per row the winner, the countries tied at the top
(for the caller to break with the default country or the file's majority) and the kind of
evidence that weighed most for the winner (``postcode``, ``city``, ``phone``, ``email``,
``website``).

>>> one(postcode="75001", city="Paris"), one(postcode="1000", city="Bruxelles")
(('FR', 'postcode'), ('BE', 'postcode'))
>>> one(postcode="1000", city="Bourg-en-Bresse")  # a French postcode that lost its 0
('FR', 'postcode')
>>> one(postcode_city="L-1417 Luxembourg"), one(city="Luik"), one(email="jan@telenet.be")
(('LU', 'postcode'), ('BE', 'city'), ('BE', 'email'))
>>> one(mobile="06 12 34 56 78"), one(phone="+32 2 512 34 56"), one(mobile="0475 12 34 56")
(('FR', 'phone'), ('BE', 'phone'), ('BE', 'phone'))
>>> one(mobile="0612345678")  # valid in France and in the Netherlands: a tie
(None, None)
"""

from __future__ import annotations

import functools

import phonenumbers
import polars as pl

from ..ruleset import Rules, rules_or_default
from . import places, scoring
from .text import column, one_row, tidy

INPUTS = ("postcode", "city", "postcode_city", "phone", "mobile", "email", "website")
# the order in which kinds of evidence of equal weight name the source
SOURCES = ("postcode", "city", "phone", "email", "website")
WEIGHTS = (
    "postcode_prefix", "postcode", "postcode_partial", "postcode_shape", "postcode_city",
    "city", "city_near", "phone_international", "phone_national", "phone_format",
    "email_domain",
)  # fmt: skip
NEAR_LIMIT = 2_000  # the most frequent unknown city names looked up for a near match
_EVIDENCE = {"_k": pl.UInt32, "country": pl.String, "source": pl.String, "w": pl.Int64}
# a postcode typed before the city in one cell: "1000 Bruxelles", "B-1000 Bruxelles", "1012 AB Amsterdam"
_PC_CITY = r"^((?:[A-Za-z]{1,2}\s?-\s?)?\d{4,5}(?:\s?[A-Za-z]{2}\b)?)(?:[\s,]+(.*))?$"
_PREFIXED = r"^([A-Za-z]{1,3})\s*-?\s*(\d.*)$"


def decide(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """Per row of *df*: ``country`` (null: no evidence, or a tie), ``tied`` (the countries
    tied at the top, on a tie only) and ``source``."""
    rules = rules_or_default(rules)
    given = rules.get("countries").get("evidence", {})
    weights = {k: int(given.get(k, 0)) for k in WEIGHTS}  # a weight left out counts for 0
    rows = pl.DataFrame({k: column(df, k) for k in INPUTS}).with_row_index("_i")
    parts = [
        _per_unique(rows, ("postcode", "city", "postcode_city"), _place, rules, weights),
        _phone_rows(rows, rules, weights),
        _domains(rows, rules, weights),
    ]
    evidence = pl.concat([p.cast(scoring.SUMMED) for p in parts]).filter(pl.col("w") > 0)
    found = scoring.verdict(evidence, df.height, list(_CODES), list(SOURCES))
    return found.rename({"winner": "country"})


def _per_unique(rows: pl.DataFrame, cols: tuple[str, ...], fn, rules, weights) -> pl.DataFrame:
    """``fn``'s evidence (``_k``, country, source, w) on each distinct combination of
    *cols*, summed per country (``scoring.summed``) and joined back to the rows (``_i``)."""
    given = rows.select("_i", *cols).filter(
        pl.any_horizontal(pl.col(c).is_not_null() for c in cols)
    )
    uniq = given.group_by(cols, maintain_order=True).agg(pl.len().alias("_n")).with_row_index("_k")
    found = (
        fn(uniq, rules, weights)
        .filter(pl.col("w") > 0)
        .select(
            "_k",
            pl.col("country")
            .replace_strict(_NUMBER, default=None, return_dtype=pl.UInt64)
            .alias("cand"),
            pl.col("source").replace_strict(_KIND, return_dtype=pl.UInt64).alias("kind"),
            "w",
        )
    )
    found = scoring.summed(found.drop_nulls("cand"), "_k")
    keyed = given.join(uniq.drop("_n"), on=list(cols), how="inner", nulls_equal=True)
    keyed = keyed.select("_i", "_k")
    return keyed.join(found, on="_k").select("_i", "cand", "w", "best")


_CODES = tuple(sorted(phonenumbers.SUPPORTED_REGIONS - {"001"}))  # the candidates
_NUMBER = scoring.numbered(_CODES)
_KIND = scoring.numbered(SOURCES)


# ------------------------------------------------------------------ postcode and city


def _prefixes(rules: Rules) -> dict[str, str]:
    """Country prefix typed before a postcode (``B``, ``NL``, ``L`` …) → country."""
    table = rules.get("addresses").get("postcode_prefix", {})
    return {p.strip(" -").upper(): cc for cc, ps in table.items() for p in ps}


def _split_place(uniq: pl.DataFrame) -> pl.LazyFrame:
    """``_k``, ``pc`` (the postcode as typed, from whichever cell holds it), ``city``."""
    t = uniq.lazy().select(
        "_k", *(tidy(pl.col(c)).alias(c) for c in ("postcode", "city", "postcode_city"))
    )
    in_city = pl.col("city").str.contains(_PC_CITY) & pl.col("postcode").is_null()
    return t.select(
        "_k",
        pl.coalesce(
            "postcode",
            pl.col("postcode_city").str.extract(_PC_CITY, 1),
            pl.when(in_city).then(pl.col("city").str.extract(_PC_CITY, 1)),
        ).alias("pc"),
        pl.coalesce(
            pl.when(in_city)
            .then(pl.col("city").str.extract(_PC_CITY, 2))
            .otherwise(pl.col("city")),
            pl.col("postcode_city").str.extract(_PC_CITY, 2),
        ).alias("city"),
    )


def _postcode_candidates(t: pl.LazyFrame, rules: Rules) -> pl.DataFrame:
    """(``_k``, country, code, kind): the countries a postcode may be of, in the gazetteer's
    form (``code``), as ``postcode_prefix``, ``postcode`` (full form) or ``postcode_partial``."""
    prefix = pl.col("pc").str.extract(_PREFIXED, 1).str.to_uppercase()
    t = t.with_columns(
        prefix.replace_strict(rules.derived(_prefixes), default=None).alias("_pre"),
    ).with_columns(
        pl.when(pl.col("_pre").is_not_null())
        .then(pl.col("pc").str.extract(_PREFIXED, 2))
        .otherwise(pl.col("pc"))
        .str.to_uppercase()
        .str.replace(r"\.0$", "")
        .str.replace_all(r"[\s\-]", "")
        .alias("_body")
    )
    body = pl.col("_body")
    shapes = [  # (shape, country, code, kind)
        (r"^\d{4}[A-Z]{2}$", "NL", body.str.slice(0, 4), "postcode"),
        (r"^\d{5}$", "FR", body, "postcode"),
        (r"^\d{5}$", "DE", body, "postcode"),
        (r"^\d{4}$", "BE", body, "postcode"),
        (r"^\d{4}$", "LU", body, "postcode_partial"),  # Luxembourg writes L-1234
        (r"^\d{4}$", "NL", body, "postcode_partial"),
        (r"^\d{4}$", "FR", pl.lit("0") + body, "postcode_partial"),
        (r"^\d{4}$", "DE", pl.lit("0") + body, "postcode_partial"),
    ]
    parts = [
        t.filter(body.str.contains(shape)).select(
            "_k",
            "_pre",
            pl.lit(cc).alias("country"),
            code.alias("code"),
            pl.lit(kind).alias("kind"),
        )
        for shape, cc, code, kind in shapes
    ]
    found = pl.concat(parts).filter(
        pl.col("_pre").is_null() | (pl.col("_pre") == pl.col("country"))
    )
    prefixed = t.filter(pl.col("_pre").is_not_null()).select(
        "_k", "_pre", pl.col("_pre").alias("country"), pl.lit(None, pl.String).alias("code"),
        pl.lit("postcode_prefix").alias("kind"),
    )  # fmt: skip
    return pl.concat([found, prefixed]).drop("_pre").collect()


def _place(uniq: pl.DataFrame, rules: Rules, w: dict) -> pl.DataFrame:
    """Evidence of the postcode and the city."""
    t = _split_place(uniq).collect()
    cand = _postcode_candidates(t.lazy(), rules)
    known = places.codes().select(
        "country", pl.col("postcode").alias("code"), pl.lit(True).alias("_known")
    )
    cand = cand.join(known, on=["country", "code"], how="left").with_columns(
        pl.col("_known").fill_null(False)
    )
    weight = (
        pl.when(pl.col("kind") == "postcode_prefix")
        .then(w["postcode_prefix"])
        .when(pl.col("_known"))
        .then(pl.col("kind").replace_strict(w, default=0, return_dtype=pl.Int64))
        .when(pl.col("kind") == "postcode")
        .then(w["postcode_shape"])
        .otherwise(0)
    )
    postcode = cand.select("_k", "country", pl.lit("postcode").alias("source"), weight.alias("w"))
    keys = _city_keys(t)
    pair = (
        cand.filter("_known")
        .join(keys, on="_k")
        .join(places.pairs(), left_on=["country", "code", "key"], right_on=["country", "postcode", "name"])
        .select("_k", "country").unique()
        .select("_k", "country", pl.lit("postcode").alias("source"), pl.lit(w["postcode_city"]).alias("w"))
    )  # fmt: skip
    city = (
        keys.join(places.names(), left_on="key", right_on="name")
        .select("_k", "country").unique()
        .select("_k", "country", pl.lit("city").alias("source"), pl.lit(w["city"]).alias("w"))
    )  # fmt: skip
    unknown = keys.join(city, on="_k", how="anti").join(uniq.select("_k", "_n"), on="_k")
    near = _near_cities(unknown, w["city_near"])
    return pl.concat([p.cast(_EVIDENCE) for p in (postcode, pair, city, near)])


def _near_cities(keys: pl.DataFrame, weight: int) -> pl.DataFrame:
    """The countries of the places one typo away (two for a long name) from a city that is
    no place of the gazetteer ("Pairs", "Grneoble"): once per distinct name that looks like
    a place (letters, up to four words), the NEAR_LIMIT most frequent at most."""
    names = (
        keys.filter(pl.col("key").str.contains(r"^[a-z]+(?: [a-z&]+){0,3}$"))
        .group_by("key")
        .agg(pl.col("_n").sum(), pl.col("_k"))
        .sort(["_n", "key"], descending=[True, False])
        .head(NEAR_LIMIT)
    )
    found = [
        (k, country, "city", weight)
        for key, ks in names.select("key", "_k").iter_rows()
        for country in places.near(key)
        for k in ks
    ]
    return pl.DataFrame(found, schema=_EVIDENCE, orient="row")


def _city_keys(t: pl.DataFrame) -> pl.DataFrame:
    """(``_k``, key): the city's place key, and that of its first part
    ("Uccle/Ukkel", "Woluwe-Saint-Lambert (Bruxelles)")."""
    first = pl.col("city").str.replace(r"\s*(?:[(/,;]|\s-\s).*$", "")
    return (
        pl.concat(
            [
                t.select("_k", places.place_key(pl.col("city")).alias("key")),
                t.select("_k", places.place_key(first).alias("key")),
            ]
        )
        .drop_nulls()
        .unique()
    )


# ------------------------------------------------------------------ phones


@functools.cache
def _number_pattern(region: str, mobile: bool) -> str:
    """An anchored regex of the national numbers in use in *region* (mobiles only, or
    mobile, fixed line and VoIP), from libphonenumber's metadata."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    kinds = ("mobile",) if mobile else ("mobile", "fixed_line", "voip")
    found = [getattr(meta, k).national_number_pattern for k in kinds if getattr(meta, k)]
    return "^(?:" + "|".join(f"(?:{p})" for p in found if p) + ")$"


def _trimmed(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().replace("", None)


def _phone_rows(rows: pl.DataFrame, rules: Rules, w: dict) -> pl.DataFrame:
    """(``_i``, country, w, best) of the phone and mobile numbers, per row: numbers are
    nearly all distinct, so they are read row by row (no distinct pass)."""
    both = pl.concat(
        [
            rows.select("_i", _trimmed("phone").alias("number"), pl.lit(False).alias("is_mobile")),
            rows.select("_i", _trimmed("mobile").alias("number"), pl.lit(True).alias("is_mobile")),
        ]
    ).drop_nulls("number")
    found = _phone(both, rules, w).with_columns(kind=pl.lit(_KIND["phone"], pl.UInt64))
    return scoring.summed(found, "_i").select("_i", "cand", "w", "best")


def _phone(numbers: pl.DataFrame, rules: Rules, w: dict) -> pl.DataFrame:
    """(``_i``, cand, w) of each number: its calling code, else the countries
    where its national number is in use (and written that country's way)."""
    t = numbers.lazy().with_columns(pl.col("number").str.replace_all(r"\s+", " ").alias("raw"))
    compact = pl.col("raw").str.replace_all(r"\(0\)", "").str.replace_all(r"[^0-9+]", "")
    t = t.with_columns(
        (compact.str.starts_with("+") | compact.str.starts_with("00")).alias("intl"),
        compact.str.replace(r"^(\+|00)", "").str.replace_all(r"\D", "").alias("d"),
    ).collect()
    number = _NUMBER
    codes = {
        str(c): number[r]
        for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        if (r := _main_region(c)) in number
    }
    cc = pl.coalesce(
        *(
            pl.col("d").str.slice(0, n).replace_strict(codes, default=None, return_dtype=pl.UInt64)
            for n in (1, 2, 3)
        )
    )
    parts = [
        t.filter("intl").select("_i", cc.alias("cand"), pl.lit(w["phone_international"], pl.Int64).alias("w")).drop_nulls()
    ]  # fmt: skip
    plain = pl.col("raw").str.contains(r"^\+?[0-9\s().\-/]+$")  # a letter: no evidence
    national = t.filter(~pl.col("intl") & plain & pl.col("d").str.len_chars().is_between(6, 12))
    formats = rules.get("countries").get("phone_format", {})
    for region in places.COUNTRIES:
        for mobile in (True, False):
            found = _national(
                national.filter(pl.col("is_mobile") == mobile),
                region,
                mobile,
                formats.get(region, []),
                w,
            )
            parts.append(found.select("_i", pl.lit(number[region], pl.UInt64).alias("cand"), "w"))
    return pl.concat(parts)


def _national(numbers: pl.DataFrame, region: str, mobile: bool, formats: list, w: dict):
    """The national *numbers* in use in *region* (as mobiles for a mobile column), with the
    weight ``w`` of a valid number and of one written the region's way."""
    prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""
    nsn = pl.col("d")
    if prefix:  # the trunk 0; a number typed without it (Excel ate it) is read as it is
        nsn = pl.when(nsn.str.starts_with(prefix)).then(nsn.str.slice(len(prefix))).otherwise(nsn)
    valid = nsn.str.contains(_number_pattern(region, mobile))
    if not prefix:  # a number with a trunk 0 is not of a country that has none
        valid = valid & ~pl.col("d").str.starts_with("0")
    styled = pl.lit(False)
    for pattern in formats:
        styled = styled | pl.col("raw").str.contains(pattern)
    weight = pl.lit(w["phone_national"]) + pl.when(styled).then(w["phone_format"]).otherwise(0)
    return numbers.filter(valid).select("_i", weight.cast(pl.Int64).alias("w"))


@functools.cache
def _main_region(code: int) -> str | None:
    region = phonenumbers.region_code_for_country_code(code)
    return None if region in ("ZZ", "001") else region


# ------------------------------------------------------------------ e-mail and website


def _domains(rows: pl.DataFrame, rules: Rules, w: dict) -> pl.DataFrame:
    """(``_i``, cand, w, best) of the e-mail's and the website's top-level domain
    (a regex per row: cheaper than finding the distinct addresses)."""
    table = rules.get("countries").get("domains", {})
    domains = {k.lower().lstrip("."): _NUMBER[v] for k, v in table.items() if v in _NUMBER}
    email = pl.col("email").str.to_lowercase().str.extract(r"@[a-z0-9.\-]*\.([a-z]{2,})\b", 1)
    site = pl.col("website").str.to_lowercase().str.strip_chars()
    site = site.str.extract(r"^(?:[a-z]+://)?[^/:?#\s]*\.([a-z]{2,})(?:[/:?#]|\.?$)", 1)
    parts = [
        rows.select(
            "_i",
            tld.replace_strict(domains, default=None, return_dtype=pl.UInt64).alias("cand"),
            pl.lit(_KIND[source], pl.UInt64).alias("kind"),
            pl.lit(w["email_domain"], pl.Int64).alias("w"),
        ).drop_nulls("cand")
        for tld, source in ((email, "email"), (site, "website"))
    ]
    return scoring.summed(pl.concat(parts), "_i").select("_i", "cand", "w", "best")


def one(**values: str | None) -> tuple[str | None, str | None]:
    """(country, source) of one row (doctests, one-off checks)."""
    row = decide(one_row(INPUTS, values)).row(0, named=True)
    return row["country"], row["source"]
