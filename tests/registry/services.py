"""For the tests of the online services: their answers in their own formats (REGISTRIES.md
§3-5), for the mocked HTTP (``responses``), and a client that never really waits."""

from enrich.registry.http import Client


def client(tmp_path, **kw):
    waits = []
    c = Client(tmp_path / "cache.sqlite", sleep=waits.append, **kw)
    return c, waits


VALID = {
    "isValid": True,
    "requestDate": "2026-11-20T10:15:02.114Z",
    "userError": "VALID",
    "name": "EXEMPLE SRL",
    "address": "Rue de l'Exemple 1\n1000 Bruxelles",
    "requestIdentifier": "",
    "originalVatNumber": "0712345630",
    "vatNumber": "0712345630",
    "viesApproximate": {
        "name": "---",
        "street": "---",
        "postalCode": "---",
        "city": "---",
        "companyType": "---",
        "matchName": 3,
        "matchStreet": 3,
        "matchPostalCode": 3,
        "matchCity": 3,
        "matchCompanyType": 3,
    },
}


SG = {
    "results": [
        {
            "siren": "552120222",
            "nom_complet": "societe generale",
            "nom_raison_sociale": "SOCIETE GENERALE",
            "sigle": None,
            "siege": {
                "siret": "55212022200013",
                "est_siege": True,
                "adresse": "29 BOULEVARD HAUSSMANN 75009 PARIS",
                "code_postal": "75009",
                "libelle_commune": "PARIS",
                "latitude": "48.873",
                "longitude": "2.333",
            },
            "activite_principale": "64.19Z",
            "section_activite_principale": "K",
            "categorie_entreprise": "GE",
            "tranche_effectif_salarie": "53",
            "annee_tranche_effectif_salarie": "2023",
            "etat_administratif": "A",
            "nature_juridique": "5599",
            "date_creation": "1900-01-01",
            "dirigeants": [],
            "matching_etablissements": [],
            "tva": ["FR27552120222"],
        }
    ],
    "total_results": 1,
    "page": 1,
    "per_page": 1,
    "total_pages": 1,
}


SG_LEI = {
    "meta": {
        "goldenCopy": {"publishDate": "2026-11-20T08:00:00Z"},
        "pagination": {"currentPage": 1, "perPage": 10, "total": 1},
    },
    "data": [
        {
            "type": "lei-records",
            "id": "O2RNE8IBXP4R0TD8PU41",
            "attributes": {
                "lei": "O2RNE8IBXP4R0TD8PU41",
                "entity": {
                    "legalName": {"name": "SOCIETE GENERALE", "language": "fr"},
                    "legalAddress": {
                        "language": "fr",
                        "addressLines": ["29 BOULEVARD HAUSSMANN"],
                        "city": "PARIS",
                        "region": None,
                        "country": "FR",
                        "postalCode": "75009",
                    },
                    "registeredAt": {"id": "RA000189", "other": None},
                    "registeredAs": "552120222",
                    "jurisdiction": "FR",
                    "category": "GENERAL",
                    "legalForm": {"id": "K65D", "other": None},
                    "status": "ACTIVE",
                },
                "registration": {
                    "initialRegistrationDate": "2012-06-05T22:00:00Z",
                    "status": "ISSUED",
                    "managingLou": "969500Q2MA9VBQ8BG884",
                    "corroborationLevel": "FULLY_CORROBORATED",
                },
                "bic": ["NEWGFRP1XXX"],
                "conformityFlag": "CONFORMING",
            },
        }
    ],
}
