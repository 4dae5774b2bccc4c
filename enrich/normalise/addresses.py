"""Postal addresses: street, house number and box split; abbreviations expanded; postcode
checked per country.

A whole street line is split the Belgian/Dutch/German way (``Rue de la Loi 16 bte 3``,
``Kerkstraat 12/3``) or the French way (``12 bis av. Jean Jaurès``). Street-type
abbreviations come from ``rules/addresses.toml`` (``av.`` → ``Avenue``, ``Kerkstr.`` →
``Kerkstraat``). ``1000 Bruxelles`` in one cell is split into postcode and city. Postcodes
lose their ``B-``/``F-`` prefixes, Dutch ones get their space (``1012 AB``), French ones
typed as numbers in Excel get their leading zero back (``1000`` → ``01000``), with a note.
A city typed in capitals gets its proper case (``places.proper_case``).

>>> r = clean_one(address="Rue de la Loi 16 bte 3", postcode="B-1000", city="Bruxelles", country="BE")
>>> r["street"], r["house_number"], r["box"], r["postcode"], r["postcode_status"]
('Rue de la Loi', '16', '3', '1000', 'valid')
>>> r = clean_one(address="12 bis av. Jean Jaurès", postcode="1000", country="FR")
>>> r["street"], r["house_number"], r["postcode"], r["issues"]
('Avenue Jean Jaurès', '12 bis', '01000', 'postcode: leading zero restored')
>>> r = clean_one(street="Kerkstr.", house_number="12", postcode_city="9000 Gent", country="BE")
>>> r["street"], r["postcode"], r["city"]
('Kerkstraat', '9000', 'Gent')
>>> clean_one(postcode="2000", city="LAON", country="FR")["city"]  # capitals: proper case
'Laon'
>>> clean_one(postcode="1012ab", country="NL")["postcode"]
'1012 AB'
>>> clean_one(postcode="123", country="BE")["postcode_status"]
'invalid'
"""

from __future__ import annotations

import re

import polars as pl

from ..ruleset import Rules, rules_or_default
from . import places
from .text import column, join_issues, one_row, tidy

INPUTS = (
    "address",
    "street",
    "house_number",
    "box",
    "address_line2",
    "postcode",
    "city",
    "postcode_city",
    "country",
)
OUTPUTS = ("street", "house_number", "box", "address_line2", "postcode", "postcode_status", "city")

# a house number: 12, 12A, 12 bis, 12-14 (a range); "12/3" is number 12, box 3 (Belgian usage)
_NUM = r"\d{1,5}(?:\s?[a-zA-Z]\b)?(?:\s?(?:bis|ter|quater)\b)?(?:\s?-\s?\d{1,5}[a-zA-Z]?)?"


def _box_markers(rules: Rules) -> str:
    markers = sorted(rules.get("addresses")["box"]["markers"], key=len, reverse=True)
    return "|".join(re.escape(m) for m in markers)


# Which rows a language's abbreviations apply to; rows without a country get FR and NL ones.
_LANG_COUNTRIES = {
    "fr": ["BE", "FR", "LU", "CH", "MC"],
    "nl": ["BE", "NL"],
    "de": ["DE", "AT", "CH", "LU", "LI"],
    "en": ["GB", "IE", "US", "CA", "AU", "NZ", "MT"],
}
_LANG_UNKNOWN_COUNTRY = ("fr", "nl")


def _abbreviation_rules(rules: Rules) -> list[tuple[str, str, str]]:
    """[(lang, regex, replacement)], one per street type, in file order."""
    out = []
    for rule in rules.get("addresses").get("abbreviation", []):
        long = rule["long"]
        shorts = sorted({x.rstrip(".") for x in rule["short"]}, key=len, reverse=True)
        position, glued = rule.get("position", "prefix"), rule.get("glued", True)
        if position == "prefix":
            alts = "|".join(re.escape(x) for x in shorts)
            out.append((rule["lang"], rf"(?i)^(?:{alts})\.?\s+", long[:1].upper() + long[1:] + " "))
        elif glued:  # Kerkstr. → Kerkstraat; a two-letter one only with its dot (Köln ≠ Kö-laan)
            long_alts = "|".join(re.escape(x) for x in shorts if len(x) >= 3)
            dotted = "|".join(re.escape(x) for x in shorts if len(x) < 3)
            pattern = "|".join(
                p
                for p in (
                    f"(?:{long_alts})\\.?" if long_alts else "",
                    f"(?:{dotted})\\." if dotted else "",
                )
                if p
            )
            out.append((rule["lang"], rf"(?i)(\p{{L}}{{2,}})(?:{pattern})$", "${1}" + long))
        else:  # Main St → Main Street
            alts = "|".join(re.escape(x) for x in shorts)
            out.append((rule["lang"], rf"(?i)\s(?:{alts})\.?$", " " + long[:1].upper() + long[1:]))
    return out


def expand_abbreviations(streets: pl.DataFrame, rules: Rules | None = None) -> pl.Series:
    """Expanded street names for a frame of ``street`` and ``country`` (once per distinct pair)."""
    uniq = streets.unique()
    s = uniq.with_columns(pl.col("street").alias("_x"))
    for lang, pattern, repl in rules_or_default(rules).derived(_abbreviation_rules):
        applies = pl.col("country").is_in(_LANG_COUNTRIES.get(lang, []))
        if lang in _LANG_UNKNOWN_COUNTRY:
            applies = applies | pl.col("country").is_null()
        s = s.with_columns(
            pl.when(applies)
            .then(pl.col("_x").str.replace(pattern, repl))
            .otherwise(pl.col("_x"))
            .alias("_x")
        )
    caps = pl.col("street") == pl.col("street").str.to_uppercase()
    s = s.with_columns(
        pl.when(caps).then(pl.col("_x").str.to_uppercase()).otherwise(pl.col("_x")).alias("_x")
    )
    return streets.join(
        s, on=["street", "country"], how="left", nulls_equal=True, maintain_order="left"
    )["_x"]


def _split_line(line: pl.Expr, box_markers: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(street, number, box) of a whole street line."""
    box_tail = rf"(?:\s*,?\s*(?:(?i:{box_markers})\.?\s*|/\s*)([\w.]{{1,8}}))?"
    number_last = rf"^(.*?\p{{L}}.*?)[\s,]+({_NUM}){box_tail}\s*$"
    number_first = rf"^({_NUM})[\s,]+(\p{{L}}.*)$"
    street = (
        pl.when(line.str.contains(number_last))
        .then(line.str.extract(number_last, 1))
        .when(line.str.contains(number_first))
        .then(line.str.extract(number_first, 2))
        .otherwise(line)
    )
    number = (
        pl.when(line.str.contains(number_last))
        .then(line.str.extract(number_last, 2))
        .when(line.str.contains(number_first))
        .then(line.str.extract(number_first, 1))
    )
    box = pl.when(line.str.contains(number_last)).then(line.str.extract(number_last, 3))
    return street, number, box


_EDGES = " ,;"  # separators typed around a street, never part of it


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues``. ``country`` must already be ISO alpha-2 (or null)."""
    rules = rules_or_default(rules)
    frame = (
        pl.DataFrame({k: column(df, k) for k in INPUTS})
        .lazy()
        .select(tidy(pl.col(k)).alias(k) for k in INPUTS)
    )
    frame = _street_number_box(frame, rules.derived(_box_markers))
    frame = _expand_street_types(frame, rules)
    frame = _postcode_and_city(frame, rules)
    frame = _postcode_status(frame, rules)
    out = _outputs(frame).collect()
    return out.with_columns(places.proper_case(out["city"]))  # LAON → Laon


def _street_number_box(frame: pl.LazyFrame, markers: str) -> pl.LazyFrame:
    """``_s``, ``_n``, ``_b``: street, house number and box, from a whole street line or a
    street cell that carries its number, and from a box typed in the number cell."""
    line = pl.coalesce("street", "address").str.strip_chars(_EDGES).replace("", None)
    split_street, split_number, split_box = _split_line(line, markers)
    use_split = pl.col("house_number").is_null()
    street = pl.when(use_split).then(split_street).otherwise(line)
    number = pl.when(use_split).then(split_number).otherwise(pl.col("house_number"))
    box = pl.coalesce(pl.col("box"), pl.when(use_split).then(split_box))
    # a box typed in the number cell: "16 bte 3", "16/3"
    in_number = rf"^({_NUM}?)\s*(?:(?i:{markers})\.?\s*|/\s*)([\w.]{{1,8}})$"
    frame = frame.with_columns(street.alias("_s"), number.alias("_n"), box.alias("_b"))
    box_in_number = (
        pl.col("_b").is_null()
        & pl.col("_n").str.contains(in_number)
        & ~pl.col("_n").str.contains(rf"^{_NUM}$")
    )
    return frame.with_columns(
        pl.when(box_in_number)
        .then(pl.col("_n").str.extract(in_number, 1))
        .otherwise(pl.col("_n"))
        .alias("_n"),
        pl.when(box_in_number)
        .then(pl.col("_n").str.extract(in_number, 2))
        .otherwise(pl.col("_b"))
        .alias("_b"),
    )


def _expand_street_types(frame: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    """``_s`` with its street-type abbreviations expanded per language of the row's country,
    and a capital first letter."""
    stripped = pl.col("_s").str.strip_chars(_EDGES)  # the street left of a split number too
    frame = frame.with_columns(stripped.replace("", None).alias("_s")).collect()
    expanded = expand_abbreviations(frame.select(pl.col("_s").alias("street"), "country"), rules)
    # a street name starts with a capital ("12 rue de la Paix" → "Rue de la Paix")
    first = expanded.str.slice(0, 1)
    expanded = pl.select(
        pl.when(first.str.contains(r"^\p{Ll}"))
        .then(first.str.to_uppercase() + expanded.str.slice(1))
        .otherwise(expanded)
    ).to_series()
    return frame.with_columns(expanded.alias("_s")).lazy()


def _postcode_prefix_pattern(rules: Rules) -> str:
    """A regex for a country prefix typed before a postcode (``B-1000``, ``F 75001``)."""
    prefixes = sorted(
        {
            p.strip().rstrip("-").strip()
            for ps in rules.get("addresses").get("postcode_prefix", {}).values()
            for p in ps
        },
        key=len,
        reverse=True,
    )
    if not prefixes:
        return r"^$"
    return r"(?i)^(?:" + "|".join(re.escape(p) for p in prefixes) + r")\s*-?\s*(\d)"


def _postcode_and_city(frame: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    """``_pc`` and ``_city`` (possibly from one "1000 Bruxelles" cell); the postcode without
    its country prefix, a Dutch one with its space, a French or German one with its leading
    zero back (``_zero`` says so)."""
    pc_city = r"^(?:[A-Za-z]{1,2}\s?-\s?)?(\d{4,5}(?:\s?[A-Za-z]{2}(?:\s|$))?)\s*(.*)$"
    postcode = pl.coalesce(pl.col("postcode"), pl.col("postcode_city").str.extract(pc_city, 1))
    city = pl.coalesce(
        pl.col("city"), pl.col("postcode_city").str.extract(pc_city, 2).str.strip_chars()
    )
    pc = (
        postcode.str.replace(rules.derived(_postcode_prefix_pattern), "$1")
        .str.replace_all(r"\s+", " ")
        .str.to_uppercase()
        .str.strip_chars()
    )
    pc = (
        pl.when(pc.str.contains(r"\.0$")).then(pc.str.replace(r"\.0$", "")).otherwise(pc)
    )  # Excel 1000.0
    frame = frame.with_columns(
        pc.alias("_pc"),
        pl.when(city == "").then(None).otherwise(city).alias("_city"),
    )
    return frame.with_columns(
        postcode_form(pl.col("_pc"), pl.col("country")).alias("_pc"),
        _zero_lost(pl.col("_pc"), pl.col("country")).fill_null(False).alias("_zero"),
    )


def _zero_lost(pc: pl.Expr, country: pl.Expr) -> pl.Expr:
    """A French or German postcode of 4 digits: Excel dropped its leading zero."""
    return country.is_in(["FR", "DE"]) & pc.str.contains(r"^\d{4}$")


def postcode_form(pc: pl.Expr, country: pl.Expr) -> pl.Expr:
    """*pc* (upper case, no country prefix) in its *country*'s form: a Dutch one with its
    space (``1012 AB``), a French or German one with the leading zero a spreadsheet dropped
    (``2000`` → ``02000``, FR); others as they are."""
    nl = (country == "NL") & pc.str.contains(r"^\d{4}\s?[A-Z]{2}$")
    return (
        pl.when(nl)
        .then(pc.str.slice(0, 4) + " " + pc.str.slice(-2))
        .when(_zero_lost(pc, country))
        .then(pl.lit("0") + pc)
        .otherwise(pc)
    )


def _postcode_status(frame: pl.LazyFrame, rules: Rules) -> pl.LazyFrame:
    """``_pcs``: missing, unchecked (no pattern for the country), valid or invalid."""
    country = pl.col("country")
    valid = pl.lit(None, dtype=pl.Boolean)
    for cc, pattern in rules.get("addresses").get("postcode", {}).items():
        valid = pl.when(country == cc).then(pl.col("_pc").str.contains(pattern)).otherwise(valid)
    status = (
        pl.when(pl.col("_pc").is_null())
        .then(pl.lit("missing"))
        .when(valid.is_null())
        .then(pl.lit("unchecked"))
        .when(valid)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
    )
    return frame.with_columns(status.alias("_pcs"))


def _outputs(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.select(
        pl.col("_s").alias("street"),
        pl.col("_n").str.replace_all(r"\s+", " ").alias("house_number"),
        pl.col("_b").alias("box"),
        pl.col("address_line2"),
        pl.col("_pc").alias("postcode"),
        pl.col("_pcs").alias("postcode_status"),
        pl.col("_city").alias("city"),
        join_issues(
            pl.when(pl.col("_zero")).then(pl.lit("postcode: leading zero restored")),
            pl.when(pl.col("_pcs") == "invalid").then(
                pl.lit("postcode: invalid for ") + pl.col("country")
            ),
        ).alias("issues"),
    )


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
