"""The language of correspondence: typed, the Belgian language area, the country's one
language, else clues — Brussels left unknown without any."""

from __future__ import annotations

import polars as pl
import pytest

from enrich.clean import clean_files
from enrich.job import Input
from enrich.normalise import languages


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Français", "fr"), ("NL", "nl"), ("Nederlands", "nl"), ("Deutsch", "de"),
     ("néerlandais", "nl"), ("F", "fr"), ("english", "en"), ("FR-BE", "fr")],
)  # fmt: skip
def test_a_typed_language_becomes_its_code_and_wins(typed, code):
    assert languages.one(language=typed, country="BE", postcode="9000") == (code, "input")


def test_an_unknown_typed_language_is_kept_with_an_issue():
    row = languages.clean(pl.DataFrame({"language": ["Klingon"]})).row(0, named=True)
    assert (row["language"], row["language_source"]) == ("Klingon", "input")
    assert row["issues"] == "language: unrecognised"


@pytest.mark.parametrize(
    ("postcode", "lang"),
    [("9000", "nl"), ("2000", "nl"), ("3500", "nl"), ("8400", "nl"), ("1500", "nl"),
     ("4000", "fr"), ("5000", "fr"), ("6700", "fr"), ("7000", "fr"), ("1300", "fr"),
     ("4700", "de"), ("4780", "de"), ("4790", "de"), ("4800", "fr"), ("4960", "fr")],
)  # fmt: skip
def test_belgium_by_the_postcodes_language_area(postcode, lang):
    assert languages.one(country="BE", postcode=postcode) == (lang, "region")


def test_a_belgian_city_without_a_postcode():
    assert languages.one(country="BE", city="Kortrijk") == ("nl", "region")
    assert languages.one(country="BE", city="Namur") == ("fr", "region")


def test_countries_of_one_language_and_the_others():
    assert languages.one(country="FR") == ("fr", "country")
    assert languages.one(country="NL") == ("nl", "country")
    assert languages.one(country="DE") == ("de", "country")
    assert languages.one(country="LU") == (None, None)  # Luxembourg: by evidence only
    assert languages.one(country="LU", title="Herr") == ("de", "title")


def test_brussels_is_left_unknown_without_evidence():
    for postcode in ("1000", "1050", "1180", "1210"):
        assert languages.one(country="BE", postcode=postcode) == (None, None)
    # English job titles and free-mail addresses say nothing
    assert languages.one(
        country="BE", postcode="1000", function="Sales Manager", email="jan@gmail.com"
    ) == (None, None)


@pytest.mark.parametrize(
    ("clues", "expected"),
    [
        ({"city": "Elsene"}, ("nl", "address")),
        ({"city": "Ixelles"}, ("fr", "address")),
        ({"street": "Wetstraat"}, ("nl", "address")),
        ({"street": "Rue de la Loi"}, ("fr", "address")),
        ({"title": "Mevrouw"}, ("nl", "title")),
        ({"full_name": "M. Jean Dupont"}, ("fr", "title")),
        ({"first_name": "Katrien"}, ("nl", "first name")),
        ({"first_name": "Jean-Pierre"}, ("fr", "first name")),
        ({"email": "comptabilite@dupont.be"}, ("fr", "email")),
        ({"function": "Zaakvoerder"}, ("nl", "function")),
        ({"title": "Mme", "first_name": "Katrien"}, ("fr", "title")),  # 2 against 1
        ({"title": "Mme", "email": "boekhouding@x.be"}, (None, None)),  # a tie
    ],
)
def test_brussels_by_its_clues(clues, expected):
    assert languages.one(country="BE", postcode="1000", **clues) == expected


def test_the_files_language_decides_brussels(tmp_path):
    flemish = "Naam;Postcode;Gemeente;Land\n" + "".join(
        f"Firma {i};{pc};X;België\n" for i, pc in enumerate(["9000", "2000", "8000", "3000"])
    )
    path = tmp_path / "vlaams.csv"
    path.write_text(flemish + "Firma Brussel;1000;;België\n", encoding="utf-8")
    out = clean_files([Input(str(path))]).frame
    assert out.select("language", "language_source").row(-1) == ("nl", "file")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(flemish + "F;4000;;BE\nG;5000;;BE\nBrussel;1000;;BE\n", encoding="utf-8")
    out = clean_files([Input(str(mixed))]).frame
    assert out.select("language", "language_source").row(-1) == (None, None)
