"""A contact's language of correspondence: as typed, else from where the contact is, else
from the row's clues (``rules/languages.toml``).

A typed language ("Français", "NL", "Deutsch") becomes its ISO 639-1 code ([names]); a
value the rules do not know is kept as typed, with an issue. A row that types none gets:

* in Belgium, the language area of its postcode (else of its city) in the gazetteer:
  Flanders ``nl``, Wallonia ``fr``, the German-speaking community ``de`` — ``region``;
* in a country that writes to its contacts in one language, that language ([country]:
  France ``fr``, the Netherlands ``nl``, Germany ``de`` …) — ``country``;
* else (Brussels, Luxembourg, the other countries) the language its clues point to
  ([evidence]): a Brussels city or street written in one language (``address``), a
  civility (``title``), a first name, words of the e-mail's local part (``email``) and of
  the function, the language most of the file's other contacts have (``file``). No clue,
  or a tie: no language.

``language_source`` says which of these decided.

>>> one(language="Néerlandais"), one(language="FR")
(('nl', 'input'), ('fr', 'input'))
>>> one(country="BE", postcode="9000"), one(country="BE", postcode="4700"), one(country="FR")
(('nl', 'region'), ('de', 'region'), ('fr', 'country'))
>>> one(country="BE", postcode="1000")  # Brussels, and nothing else to go by
(None, None)
>>> one(country="BE", postcode="1050", title="Mevr.", email="boekhouding@x.be")
('nl', 'title')
>>> one(country="BE", postcode="1050", title="Mevr.", email="comptabilite@x.be")  # a tie
(None, None)
>>> one(country="BE", postcode="1000", city="Bruxelles", street="Rue de la Loi")
('fr', 'address')
"""

from __future__ import annotations

import functools
import re

import polars as pl

from ..ruleset import Rules, rules_or_default
from . import places, scoring
from .text import column, fold, fold_py, fold_values, join_issues, on_unique, one_row, tidy

INPUTS = (
    "language", "country", "postcode", "city", "street", "title", "full_name", "first_name",
    "function", "email", "source_file",
)  # fmt: skip
OUTPUTS = ("language", "language_source")
# the order in which clues of equal weight name the source
CLUES = ("address", "title", "first_name", "email", "function", "file")


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues``. ``country``, ``postcode``, ``city`` and ``street`` must be
    the cleaned ones."""
    rules = rules_or_default(rules)
    frame = pl.DataFrame({k: column(df, k) for k in INPUTS})
    typed = on_unique(frame, ("language",), functools.partial(_typed, rules=rules))
    placed = on_unique(
        frame, ("country", "postcode", "city"), functools.partial(_placed, rules=rules)
    )
    frame = frame.with_columns(
        pl.coalesce(typed["language"], placed["language"]).alias("_lang"),
        pl.when(typed["language"].is_not_null())
        .then(pl.lit("input"))
        .otherwise(placed["source"])
        .alias("_source"),
    )
    clued = _clues(frame.with_row_index("_i"), rules)
    return pl.DataFrame(
        {
            "language": frame.select(pl.coalesce("_lang", clued["winner"])).to_series(),
            "language_source": frame.select(
                pl.coalesce("_source", clued["source"].str.replace("_", " "))
            ).to_series(),
            "issues": typed["issues"],
        }
    )


def _names(rules: Rules) -> dict[str, str]:
    return {fold_py(v): code for code, vs in rules.get("languages")["names"].items() for v in vs}


def _typed(uniq: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``language``: the code of a typed language (as typed when unknown), ``issues``."""
    raw = tidy(pl.col("language"))
    code = fold(pl.col("language")).replace_strict(rules.derived(_names), default=None)
    return uniq.select(
        pl.coalesce(code, raw).alias("language"),
        join_issues(
            pl.when(raw.is_not_null() & code.is_null()).then(pl.lit("language: unrecognised"))
        ).alias("issues"),
    )


def _placed(uniq: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``language`` and ``source`` from where the contact is: the Belgian language area of
    the postcode (else the city), else the country's one language."""
    by_country = rules.get("languages").get("country", {})
    areas = places.codes().filter(pl.col("country") == "BE").select("postcode", "lang")
    named = (
        places.names()
        .filter(pl.col("country") == "BE")
        .select("name", pl.col("lang").alias("_city_lang"))
    )
    t = (
        uniq.with_columns(places.place_key(pl.col("city")).alias("_key"))
        .join(areas, on="postcode", how="left")
        .join(named, left_on="_key", right_on="name", how="left")
    )
    area = pl.when(pl.col("country") == "BE").then(pl.coalesce("lang", "_city_lang"))
    one = pl.col("country").replace_strict(by_country, default=None, return_dtype=pl.String)
    return t.select(
        pl.coalesce(area, one).alias("language"),
        pl.when(area.is_not_null()).then(pl.lit("region")).when(one.is_not_null()).then(pl.lit("country")).alias("source"),
    )  # fmt: skip


# ------------------------------------------------------------------ clues


def _languages(rules: Rules) -> list[str]:
    """Every language the rules name, in order: the candidates of the clues."""
    data = rules.get("languages")
    found = set(data.get("country", {}).values())
    for key in ("names", "titles", "first_names", "words", "places", "streets"):
        found |= set(data.get(key, {}))
    return sorted(found)


def _tables(rules: Rules) -> dict[str, pl.DataFrame]:
    """(word, cand) per clue kind: the words folded, their language numbered."""
    data = rules.get("languages")
    number = scoring.numbered(rules.derived(_languages))
    out = {}
    for kind, key in (
        ("title", "titles"),
        ("first_name", "first_names"),
        ("word", "words"),
        ("place", "places"),
    ):
        pairs = {(fold_py(v), number[lang]) for lang, vs in data.get(key, {}).items() for v in vs}
        out[kind] = pl.DataFrame(
            sorted(pairs), schema={"word": pl.String, "cand": pl.UInt64}, orient="row"
        )
    return out  # fmt: skip


def _street_patterns(rules: Rules) -> dict[str, str]:
    """lang → regex on a folded street: fr by its first word, nl by the end of its name."""
    streets = rules.get("languages").get("streets", {})
    words = {lang: "|".join(re.escape(fold_py(w)) for w in ws) for lang, ws in streets.items()}
    return {
        lang: (rf"^(?:{alt})\b" if lang != "nl" else rf"(?:{alt})$") for lang, alt in words.items()
    }


def _clues(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``winner``, ``tied``, ``source`` (``scoring.verdict``) of the clues of the rows
    with no language yet (null on the others)."""
    weights = rules.get("languages").get("evidence", {})
    tables = rules.derived(_tables)
    todo = _folded(frame.filter(pl.col("_lang").is_null()))
    brussels = todo.filter(pl.col("country") == "BE")
    first_word = pl.col("first_name").str.extract(r"^(\S+) ")
    parts = [
        _matches(brussels, pl.col("city"), tables["place"], "address"),
        *_street_clues(brussels, rules),
        _matches(todo, pl.col("title"), tables["title"], "title"),
        _matches(todo, pl.col("first_name"), tables["first_name"], "first_name"),
        _matches(todo, first_word, tables["first_name"], "first_name"),
        _words(todo, pl.col("email"), tables["word"], "email"),
        _words(todo, pl.col("function"), tables["word"], "function"),
        _file_clue(frame, todo, float(weights.get("file_share", 1.0)), rules),
    ]
    weight = [int(weights.get(k, 0)) for k in CLUES]
    evidence = (
        pl.concat(parts)
        .unique()
        .with_columns(
            pl.col("kind").replace_strict(dict(enumerate(weight)), return_dtype=pl.Int64).alias("w")
        )
    )
    found = scoring.summed(evidence.filter(pl.col("w") > 0), "_i")
    return scoring.verdict(found, frame.height, rules.derived(_languages), list(CLUES))


def _folded(rows: pl.DataFrame) -> pl.DataFrame:
    """The clue columns as matching keys, each folded once per distinct value: the city's
    place key, the civility (else the first word of a whole name), the first name, the
    e-mail's local part, the function and the street."""
    title = pl.coalesce("title", pl.col("full_name").str.extract(r"^(\S+)\s"))
    raw = rows.select(title.alias("title"), "first_name", "function", "street")
    city = on_unique(rows, ("city",), lambda u: u.select(places.place_key(pl.col("city"))))
    # an e-mail's local part is ASCII and nearly unique: lower case and words, row by row
    local = pl.col("email").str.extract(r"^\s*([^@]+)@").str.to_lowercase()
    return rows.select(
        "_i",
        "country",
        "source_file",
        local.str.replace_all(r"[^a-z0-9&]+", " ").str.strip_chars().alias("email"),
    ).with_columns(
        city.to_series().alias("city"), *(fold_values(raw[c]).alias(c) for c in raw.columns)
    )


_CLUE = {"_i": pl.UInt32, "cand": pl.UInt64, "kind": pl.UInt64}


def _kind(kind: str) -> pl.Expr:
    return pl.lit(CLUES.index(kind), pl.UInt64).alias("kind")


def _matches(rows: pl.DataFrame, key: pl.Expr, table: pl.DataFrame, kind: str) -> pl.DataFrame:
    """A clue of *kind* where *key* of a row is a word of *table*."""
    keyed = rows.select("_i", key.alias("word")).drop_nulls()
    return keyed.join(table, on="word").select("_i", "cand", _kind(kind)).cast(_CLUE)


def _words(rows: pl.DataFrame, text: pl.Expr, table: pl.DataFrame, kind: str) -> pl.DataFrame:
    """A clue of *kind* for each word of *text* that is a word of *table*."""
    words = rows.select("_i", text.str.split(" ").alias("word")).drop_nulls().explode("word")
    return words.join(table, on="word").select("_i", "cand", _kind(kind)).cast(_CLUE)


def _street_clues(rows: pl.DataFrame, rules: Rules) -> list[pl.DataFrame]:
    number = scoring.numbered(rules.derived(_languages))
    return [
        rows.filter(pl.col("street").str.contains(pattern)).select("_i", pl.lit(number[lang]).alias("cand"), _kind("address")).cast(_CLUE)
        for lang, pattern in rules.derived(_street_patterns).items()
    ]  # fmt: skip


def _file_clue(frame: pl.DataFrame, todo: pl.DataFrame, share: float, rules: Rules):
    """The language of the row's file: the one at least *share* of the file's contacts with
    a known language (typed, or from their region or country) have."""
    known = frame.filter(pl.col("_lang").is_not_null())
    counts = known.group_by("source_file", "_lang").len()
    top = counts.with_columns((pl.col("len") / pl.col("len").sum().over("source_file")).alias("s"))
    number = scoring.numbered(rules.derived(_languages))
    cand = pl.col("_lang").replace_strict(number, default=None, return_dtype=pl.UInt64)
    files = top.filter(pl.col("s") >= share).select("source_file", cand.alias("cand"))
    found = todo.join(files.drop_nulls(), on="source_file").select("_i", "cand", _kind("file"))
    return found.cast(_CLUE)


def one(**values: str | None) -> tuple[str | None, str | None]:
    """(language, language_source) of one row (doctests, one-off checks)."""
    row = clean(one_row(INPUTS, values)).row(0, named=True)
    return row["language"], row["language_source"]
