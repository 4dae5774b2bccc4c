"""The gazetteer shipped with enrich: postcodes and place names of BE, FR, NL, LU and DE.

``enrich/data/places.csv.gz`` (built by ``scripts/build_gazetteer.py`` from open postal
data and GeoNames; sources and licences in ``enrich/data/README.md``) holds one row per
place name: its country, its postcode when the postal list gives one (NL: the 4-digit
area), the postcode's region and, in Belgium, the language area (``nl``, ``fr``, ``de``;
empty for Brussels). It is read once per process; nothing is downloaded.

A city is matched by its ``place_key``: folded like every matching key, without what files
add to a place name (a ``Cedex``, a Paris or Lyon arrondissement, a postcode typed in the
city cell).

>>> place_key_one("PARIS CEDEX 08"), place_key_one("Lyon 3e"), place_key_one("B-1000 Bruxelles")
('paris', 'lyon', 'bruxelles')
>>> sorted(countries_of("Lille")), sorted(countries_of("Luik"))
(['BE', 'FR'], ['BE'])
>>> postcode_lang("BE", ["9000", "4700", "1000", "5000"])
['nl', 'de', None, 'fr']

A city typed all in capitals (or all in lower case) gets its proper case back
(:func:`proper_case`); one typed in mixed case is kept as typed:

>>> [proper_case_one(c) for c in ("LAON", "SAINT-QUENTIN", "'S-HERTOGENBOSCH", "la louvière")]
['Laon', 'Saint-Quentin', "'s-Hertogenbosch", 'La Louvière']
>>> [proper_case_one(c) for c in ("SINT-NIKLAAS", "BOULOGNE-SUR-MER", "VILLENEUVE-D'ASCQ")]
['Sint-Niklaas', 'Boulogne-sur-Mer', "Villeneuve-d'Ascq"]
>>> [proper_case_one(c) for c in ("PARIS CEDEX 08", "ALPHEN AAN DEN RIJN", "Bois-le-Duc")]
['Paris CEDEX 08', 'Alphen aan den Rijn', 'Bois-le-Duc']
"""

from __future__ import annotations

import functools
import gzip
import re
from collections import defaultdict
from importlib import resources

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .text import fold, on_unique

COUNTRIES = ("BE", "FR", "NL", "LU", "DE")
_SCHEMA = dict.fromkeys(("country", "postcode", "region", "lang", "name"), pl.String)


@functools.cache
def table() -> pl.DataFrame:
    """The whole gazetteer (country, postcode, region, lang, name), read once."""
    raw = (resources.files("enrich") / "data" / "places.csv.gz").read_bytes()
    return pl.read_csv(gzip.decompress(raw), schema=_SCHEMA)


@functools.cache
def codes() -> pl.DataFrame:
    """(country, postcode, region, lang): every postcode the gazetteer knows, once."""
    return (
        table()
        .filter(pl.col("postcode").is_not_null())
        .group_by("country", "postcode")
        .agg(pl.col("region").first(), pl.col("lang").first())
        .sort("country", "postcode")
    )


@functools.cache
def pairs() -> pl.DataFrame:
    """(country, postcode, name): the places of each postcode."""
    return table().filter(pl.col("postcode").is_not_null()).select("country", "postcode", "name")


@functools.cache
def names() -> pl.DataFrame:
    """(name, country, lang): the countries a place name is found in; ``lang`` the Belgian
    language area of that name when all its Belgian places share one (else null)."""
    return (
        table()
        .group_by("name", "country")
        .agg(pl.when(pl.col("lang").n_unique() == 1).then(pl.col("lang").first()).alias("lang"))
        .sort("name", "country")
    )


@functools.cache
def _by_initial() -> dict[str, tuple[list[str], list[tuple[str, ...]]]]:
    """First letter → (names, the countries of each), for near matches."""
    grouped: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, country in names().select("name", "country").iter_rows():
        grouped[name[0]][name].add(country)
    return {
        letter: (list(found), [tuple(sorted(c)) for c in found.values()])
        for letter, found in grouped.items()
    }


@functools.cache
def near(key: str) -> tuple[str, ...]:
    """The countries of the places nearest to *key* (a place key no place has) within one
    typo — two for a name of 10 letters or more — with the same first letter; none for a
    name under 5 letters (too many places are one typo apart).

    >>> near("pairs"), near("grneoble"), near("niec")
    (('FR',), ('FR',), ())
    """
    if len(key) < 5:
        return ()
    names_, countries = _by_initial().get(key[0], ([], []))
    allowed = 1 if len(key) < 10 else 2
    hits = process.extract(key, names_, scorer=OSA.distance, score_cutoff=allowed, limit=None)
    best = min((score for _, score, _ in hits), default=None)
    return tuple(sorted({c for _, score, i in hits if score == best for c in countries[i]}))


def place_key(expr: pl.Expr) -> pl.Expr:
    """The matching key of a city as typed: folded, without Cedex, an arrondissement or a
    postcode typed in front."""
    return (
        fold(expr)
        .str.replace(r"^(?:[a-z]{1,2} )?\d{4,5}(?: [a-z]{2})? ", "")
        .str.replace(r" (?:cedex|cdx)\b.*$", "")
        .str.replace(r" \d{1,2}(?: ?(?:e|er|eme|ieme))?$", "")
        .str.strip_chars()
        .replace("", None)
    )


def place_key_one(value: str | None) -> str | None:
    return pl.select(place_key(pl.lit(value, dtype=pl.String))).item()


def countries_of(city: str) -> set[str]:
    """The countries a place of that name is in (for doctests and one-off checks)."""
    key = place_key_one(city)
    return set(names().filter(pl.col("name") == key)["country"].to_list())


def postcode_lang(country: str, postcodes: list[str]) -> list[str | None]:
    """The language area of each postcode of *country* (BE only; null: Brussels, unknown)."""
    found = dict(
        codes().filter(pl.col("country") == country).select("postcode", "lang").iter_rows()
    )
    return [found.get(p) for p in postcodes]


# the small words of place names, lower case but at the start (FR, NL, DE)
_PARTICLES = frozenset(
    [
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "sur",
        "sous",
        "en",
        "lès",
        "lez",
        "et",
        "aux",
        "au",
        "à",
        "aan",
        "den",
        "op",
        "bij",
        "van",
        "der",
        "het",
        "ter",
        "ten",
        "in",
        "onder",
        "over",
        "am",
        "an",
        "im",
        "ob",
        "bei",
        "vor",
        "zum",
        "zur",
    ]
)
_UPPER = frozenset({"cedex"})  # La Poste's word stays as La Poste writes it
_TOKEN = re.compile(r"[^\W\d_]+|[\d_]+|\W", re.UNICODE)  # letters, digits, one other char


def proper_case_one(city: str | None) -> str | None:
    """*city* in its proper case when it was typed all in capitals or all in lower case:
    each word capitalised, the small words (``sur``, ``de``, ``aan``, ``am`` …) in lower
    case but at the start, ``'s-`` and ``'t`` (Dutch) in lower case; else as typed."""
    if not city or not (city.isupper() or city.islower()):
        return city
    tokens = _TOKEN.findall(city.lower())
    out, first = [], True
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if not token[0].isalpha():
            out.append(token)
            continue
        if token in _UPPER:
            out.append(token.upper())
        elif (
            token in ("s", "t") and before in ("'", "’") and (i == 1 or not tokens[i - 2].isalpha())
        ):
            out.append(token)  # 's-Hertogenbosch, 't Zandt: the article stays small
        elif not first and token in _PARTICLES and (after not in ("'", "’") or token in ("l", "d")):
            out.append(token)
        elif first and token in ("l", "d") and after in ("'", "’"):
            out.append(token.upper())  # L'Haÿ-les-Roses
        else:
            out.append(token[0].upper() + token[1:])
        first = first and token in ("s", "t") and before in ("'", "’")
    return "".join(out)


def proper_case(series: pl.Series) -> pl.Series:
    """:func:`proper_case_one` of each city, once per distinct value."""
    return (
        on_unique(
            series.to_frame("city"),
            ("city",),
            lambda u: u.select(
                pl.col("city").map_elements(proper_case_one, return_dtype=pl.String)
            ),
        )
        .to_series()
        .alias(series.name)
    )
