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
"""

from __future__ import annotations

import functools
import gzip
from collections import defaultdict
from importlib import resources

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .text import fold

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
