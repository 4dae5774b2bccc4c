"""Concrete cases from real BE/FR/NL/DE/LU files, one normaliser at a time."""

import pytest

from enrich.normalise import addresses, companies, consent, countries, dates, persons


@pytest.mark.parametrize(
    "name,country,form,key",
    [
        ("Ets Dupont & Fils SPRL", "BE", "BE-SPRL", "dupont fils"),
        ("DUPONT ET FILS bvba", "BE", "BE-SPRL", "dupont fils"),
        ("NV AGFA-GEVAERT", "BE", "BE-SA", "agfa gevaert"),
        ("Brouwerij De Smet (BV)", "BE", "BE-SRL", "brouwerij de smet"),
        ("Les Amis du Quartier ASBL", "BE", "BE-ASBL", "les amis du quartier"),
        ("Vereniging Het Anker vzw", "BE", "BE-ASBL", "vereniging het anker"),
        ("Girard Logiciels S.A.S.", "FR", "FR-SAS", "girard logiciels"),
        ("SARL Hôtel du Lac", "FR", "FR-SARL", "hotel du lac"),
        ("Kaas & Co B.V.", "NL", "NL-BV", "kaas co"),
        ("Müller Maschinenbau GmbH & Co. KG", "DE", "DE-GMBH-CO-KG", "muller maschinenbau"),
        ("Luxtrans S.à r.l.", "LU", "LU-SARL", "luxtrans"),
        ("Pharmacie du Centre", "FR", None, "pharmacie du centre"),
        ("SA", "BE", "BE-SA", "sa"),  # a name that is only a form keeps a key
    ],
)
def test_legal_forms_and_keys(name, country, form, key):
    r = companies.clean_one(company_name=name, country=country)
    assert (r["legal_form"], r["company_name_norm"], r["company_name"]) == (form, key, name)


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"full_name": "DUPONT Jean"}, (None, "Jean", "Dupont")),
        ({"full_name": "Jean Dupont"}, (None, "Jean", "Dupont")),
        ({"full_name": "M. Jean-Pierre LE GALL"}, ("mr", "Jean-Pierre", "Le Gall")),
        ({"full_name": "Dhr. Jan Van den Broeck"}, ("mr", "Jan", "Van den Broeck")),
        ({"full_name": "Frau Anna Müller"}, ("mrs", "Anna", "Müller")),
        ({"title": "Mevr.", "first_name": "AN", "last_name": "CLAES"}, ("mrs", "An", "Claes")),
        (
            {"title": "Herr", "first_name": "Jürgen", "last_name": "Schmidt"},
            ("mr", "Jürgen", "Schmidt"),
        ),
        ({"last_name": "DE SMET Pieter"}, (None, "Pieter", "De Smet")),
        ({"first_name": "Marie", "last_name": "van der Berg"}, (None, "Marie", "van der Berg")),
    ],
)
def test_person_names(fields, expected):
    r = persons.clean_one(**fields)
    assert (r["title"], r["first_name"], r["last_name"]) == expected


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"address": "Rue de la Loi 16 bte 3", "country": "BE"}, ("Rue de la Loi", "16", "3")),
        ({"address": "Kerkstraat 12 bus 4", "country": "BE"}, ("Kerkstraat", "12", "4")),
        ({"address": "Kerkstraat 12/3", "country": "BE"}, ("Kerkstraat", "12", "3")),
        (
            {"address": "Chée de Waterloo 1120", "country": "BE"},
            ("Chaussée de Waterloo", "1120", None),
        ),
        ({"address": "12 rue de la Paix", "country": "FR"}, ("Rue de la Paix", "12", None)),
        (
            {"address": "3 bis av. Jean Jaurès", "country": "FR"},
            ("Avenue Jean Jaurès", "3 bis", None),
        ),
        ({"address": "Hauptstr. 5", "country": "DE"}, ("Hauptstraße", "5", None)),
        (
            {"street": "Stationsstr.", "house_number": "7 bus 2", "country": "BE"},
            ("Stationsstraat", "7", "2"),
        ),
    ],
)
def test_street_lines(fields, expected):
    r = addresses.clean_one(**fields)
    assert (r["street"], r["house_number"], r["box"]) == expected


@pytest.mark.parametrize(
    "postcode,country,value,status",
    [
        ("B-1000", "BE", "1000", "valid"),
        ("1000", "FR", "01000", "valid"),
        ("75009", "FR", "75009", "valid"),
        ("L-1234", "LU", "1234", "valid"),
        ("1012ab", "NL", "1012 AB", "valid"),
        ("999", "BE", "999", "invalid"),
        ("12345", "BE", "12345", "invalid"),
        ("SW1A 1AA", None, "SW1A 1AA", "unchecked"),
    ],
)
def test_postcodes(postcode, country, value, status):
    r = addresses.clean_one(postcode=postcode, country=country)
    assert (r["postcode"], r["postcode_status"]) == (value, status)


def test_countries_dates_consent():
    assert [
        countries.clean_one(country=c)["country"]
        for c in ("Belgique", "Nederland", "Allemagne", "L", "GR")
    ] == ["BE", "NL", "DE", "LU", "GR"]
    assert dates.clean_one(value="03/04/2024")["value"] == "2024-04-03"  # day first
    assert dates.clean_one(value="29/02/2023")["value"] is None  # not a date
    assert dates.clean_one(value="1.2.99")["value"] == "1999-02-01"
    assert (
        consent.clean_one(opt_out="Ja")["opt_out"] is True
        and consent.clean_one(opt_out=None)["opt_out"] is False
    )
