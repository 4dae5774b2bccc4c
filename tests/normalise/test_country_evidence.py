"""A row's country from its own evidence (postcode, city, phones, e-mail) when it names none,
and the order of the country's sources: typed > identifier > evidence > default > majority."""

from __future__ import annotations

import polars as pl
import pytest

from enrich.clean import clean_files
from enrich.job import Input
from enrich.normalise import country_evidence
from enrich.ruleset import Rules

HEADER = "Société;N° TVA;Code postal;Ville;Pays;Prénom;Nom;E-mail;Téléphone;GSM\n"


def clean(tmp_path, body: str, header: str = HEADER, **options) -> pl.DataFrame:
    path = tmp_path / "leads.csv"
    path.write_text(header + body, encoding="utf-8")
    return clean_files([Input(str(path), **options)]).frame


def by_row(frame: pl.DataFrame, *columns: str) -> dict[int, tuple]:
    return {r[0]: r[1:] for r in frame.select("source_row", *columns).iter_rows()}


@pytest.mark.parametrize(
    ("fields", "country", "source"),
    [
        ({"postcode": "1000", "city": "Bruxelles"}, "BE", "postcode"),
        ({"postcode": "9000", "city": "Gent"}, "BE", "postcode"),
        ({"postcode": "75008", "city": "Paris"}, "FR", "postcode"),
        ({"postcode": "1012 AB", "city": "Amsterdam"}, "NL", "postcode"),
        ({"postcode": "L-1150", "city": "Luxembourg"}, "LU", "postcode"),
        ({"postcode": "1150", "city": "Luxembourg"}, "LU", "postcode"),  # and Woluwe-St-Pierre
        ({"postcode": "1150", "city": "Woluwe-Saint-Pierre"}, "BE", "postcode"),
        ({"postcode": "10115", "city": "Berlin"}, "DE", "postcode"),
        ({"postcode": "06130", "city": "Grasse"}, "FR", "postcode"),  # and Halle (Saale)
        ({"postcode": "06130", "city": "Halle (Saale)"}, "DE", "postcode"),
        ({"postcode": "6130", "city": "GRASSE"}, "FR", "postcode"),  # Excel ate the 0
        ({"postcode": "1000", "city": "Bourg-en-Bresse"}, "FR", "postcode"),
        ({"postcode_city": "B-4000 Liège"}, "BE", "postcode"),
        ({"city": "4000 Luik"}, "BE", "postcode"),  # the postcode typed in the city cell
        ({"postcode": "13008", "city": "MARSEILLE CEDEX 08"}, "FR", "postcode"),
        ({"city": "Anvers"}, "BE", "city"),
        ({"city": "Köln"}, "DE", "city"),
        ({"city": "Grneoble"}, "FR", "city"),  # one typo from Grenoble
        ({"postcode": "9000", "city": "Gnet"}, "BE", "postcode"),
    ],
)
def test_postcode_and_city(fields, country, source):
    assert country_evidence.one(**fields) == (country, source)


@pytest.mark.parametrize(
    ("fields", "country"),
    [
        ({"mobile": "06 12 34 56 78"}, "FR"),  # French pairs
        ({"mobile": "0475 12 34 56"}, "BE"),  # a Belgian mobile, written the Belgian way
        ({"mobile": "06-12345678"}, "NL"),
        ({"phone": "+49 30 1234567"}, "DE"),
        ({"phone": "00352 26 12 34 56"}, "LU"),
        ({"email": "j.dupont@orange.fr"}, "FR"),
        ({"website": "www.brasserie-dupont.be"}, "BE"),
    ],
)
def test_phones_and_domains(fields, country):
    found, source = country_evidence.one(**fields)
    assert found == country
    assert source == ("phone" if {"phone", "mobile"} & set(fields) else next(iter(fields)))


def test_no_evidence_or_a_tie_gives_no_country():
    assert country_evidence.one(email="jan@gmail.com") == (None, None)
    assert country_evidence.one(mobile="0612345678") == (None, None)  # FR and NL
    assert country_evidence.one(city="Lille") == (None, None)  # Lille (FR) and Lille (BE)
    tied = country_evidence.decide(pl.DataFrame({"mobile": ["0612345678"]}))
    assert tied["tied"].to_list() == [["FR", "NL"]]


def test_rows_with_no_country_column_reach_e164_and_valid_postcodes(tmp_path):
    header = "Firma;PLZ;Ort;E-Mail;Telefon;Handy\n"
    body = (
        "Dupont SA;1000;Bruxelles;;02 512 34 56;\n"
        "Martin SARL;6000;Charleroi;;;0475 12 34 56\n"
        "Durand SAS;;;;;06 12 34 56 78\n"
        "Lefèvre SA;;;contact@lefevre.fr;0142685300;\n"
        "Jansen BV;3011 AB;Rotterdam;;010 123 4567;\n"
        "Schmitz GmbH;50667;Köln;;0221 1234567;\n"
        "Weber Sàrl;L-2449;Luxembourg;;26 12 34 56;\n"
        "Morel SARL;1000;Bourg-en-Bresse;;04 74 12 34 56;\n"
    )
    out = clean(tmp_path, body, header)
    assert "country" not in header.lower()
    rows = by_row(
        out, "country", "country_source", "phone", "mobile", "postcode", "postcode_status"
    )
    assert rows[1] == ("BE", "postcode", "+3225123456", None, "1000", "valid")
    assert rows[2] == ("BE", "postcode", None, "+32475123456", "6000", "valid")
    assert rows[3][:2] == ("FR", "phone") and rows[3][3] == "+33612345678"
    assert rows[4][:3] == ("FR", "email", "+33142685300")
    assert rows[5] == ("NL", "postcode", "+31101234567", None, "3011 AB", "valid")
    assert rows[6] == ("DE", "postcode", "+492211234567", None, "50667", "valid")
    assert rows[7] == ("LU", "postcode", "+35226123456", None, "2449", "valid")
    # the French postcode that lost its 0 gets it back once the row is known to be French
    assert rows[8] == ("FR", "postcode", "+33474123456", None, "01000", "valid")


def test_the_file_majority_never_overrides_a_rows_own_evidence(tmp_path):
    body = (
        "A;;1000;Bruxelles;Belgique;;;;;\n"
        "B;;9000;Gent;BE;;;;;\n"
        "C;;4000;Liège;Belgique;;;;;\n"
        "D;;75008;Paris;;;;;;\n"  # no country: its postcode says France
        "E;;;;;;;;;06 12 34 56 78\n"  # a French mobile
        "F;;;;;;;j@dupont.fr;;\n"  # a .fr address
        "G;;;;;;;;;\n"  # nothing at all: the file's majority
        "H;;;;;;;;;0612345678\n"  # France or the Netherlands: not Belgium either
    )
    rows = by_row(clean(tmp_path, body), "country", "country_source")
    assert rows[4] == ("FR", "postcode")
    assert rows[5] == ("FR", "phone")
    assert rows[6] == ("FR", "email")
    assert rows[7] == ("BE", "file majority")
    assert rows[8] == (None, None)


def test_a_tie_goes_to_the_default_or_the_majority_when_it_is_one_of_the_tied(tmp_path):
    body = "A;;;;;;;;;0612345678\nB;;;;;;;;;\nC;;75001;Paris;;;;;;\n"
    rows = by_row(clean(tmp_path, body, default_country="nl"), "country", "country_source")
    assert rows[1] == ("NL", "default")  # FR or NL, and --default-country NL
    assert rows[2] == ("NL", "default")
    assert rows[3] == ("FR", "postcode")  # the default never overrides the row's evidence
    rows = by_row(clean(tmp_path, body), "country", "country_source")
    assert rows[1] == ("FR", "file majority")  # the file's other row is French


def test_the_identifier_and_the_typed_country_come_first(tmp_path):
    body = (
        "A;BE0403170701;75008;Paris;;;;;;\n"  # a Belgian VAT, a French address
        "B;;75008;Paris;Belgique;;;;;\n"  # typed Belgium wins over the address
    )
    rows = by_row(clean(tmp_path, body), "country", "country_source")
    assert rows[1] == ("BE", "identifier")
    assert rows[2] == ("BE", "input")


def test_a_steward_changes_the_weights(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "countries.toml").write_text("[evidence]\nemail_domain = 0\n")
    rules = Rules.load(tmp_path / "rules")
    frame = pl.DataFrame({"email": ["j@dupont.fr"], "postcode": ["75008"]})
    assert country_evidence.decide(frame, rules)["source"].to_list() == ["postcode"]
    alone = pl.DataFrame({"email": ["j@dupont.fr"]})
    assert country_evidence.decide(alone, rules)["country"].to_list() == [None]
    assert country_evidence.decide(alone)["country"].to_list() == ["FR"]


def test_the_rows_evidence_reaches_the_identifiers(tmp_path):
    """A 9-digit number valid as a SIREN and as a Belgian number, in a Belgian file: the
    row's French place makes it a SIREN, not a Belgian company."""
    body = (
        "A;BE0403170701;1000;Bruxelles;Belgique;;;;;\n"
        "B;BE0403170701;1000;Bruxelles;Belgique;;;;;\n"
        "C;435428941;1000;Bourg-en-Bresse;;;;;;\n"  # a French postcode that lost its 0
        "D;403170701;4000;Liège;;;;;;\n"
    )
    rows = by_row(clean(tmp_path, body), "siren", "enterprise_number", "country")
    assert rows[3] == ("435428941", None, "FR")
    assert rows[4] == (None, "0403170701", "BE")
