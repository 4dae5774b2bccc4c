"""Finding a company that has no valid identifier: the words a name is matched by, and the
match itself on a small registry in the published layouts (a SIRENE stock and the KBO
snapshot, with same-name companies of two legal forms, a name in several towns, a sole
trader known by its shop sign, a shop taken over, an establishment in another town, a
Belgian natural person at a sub-municipality's postcode)."""

import polars as pl
import pytest
from stdnum import luhn

from enrich.normalise.text import fold
from enrich.registry.attach import attach_with_review
from enrich.registry.index import build
from enrich.registry.words import city_key, compared, tokens
from enrich.ruleset import Rules
from tests.conftest import FIXTURES
from tests.registry.conftest import KBO, rezip


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Brouwerij De Smet NV", ["brou", "smet"]),
        ("SA Électricité Générale", ["elec", "gene"]),
        ("Œuvres d'Art SPRL", ["oeuv", "art"]),
        ("Straßenbau Müller GmbH", ["stra", "mull"]),
        ("S.G.E.", ["sge"]),
        ("Ets Martin & Fils SARL", ["mart", "fils"]),
        ("St-Martin Boulangerie", ["sain", "mart", "boul"]),
    ],
)
def test_tokens_are_the_starts_of_the_significant_words(name, expected):
    assert pl.select(tokens(pl.lit(name))).item().to_list() == expected


def test_tokens_fold_letters_as_fold_does():
    names = ["Œnologie Dupont", "Ørsted A/S", "L'Éclair S.A.", "Groß & Co", "Ægir BV", "Ãlvaro Lda"]
    got = pl.select(tokens(pl.lit(pl.Series(names)))).to_series().to_list()
    for name, words in zip(names, got):
        folded = pl.select(fold(pl.lit(name))).item()
        assert words[0] == folded.split()[0][:4] or words[0] in folded, name


def test_a_name_is_compared_without_its_legal_form_noise_or_word_order():
    typed = ["Martin & Fils SARL", "FILS MARTIN", "Ets MARTIN ET FILS", "S.A.R.L. Martin-Fils"]
    got = pl.select(compared(pl.lit(pl.Series(typed)))).to_series().to_list()
    assert set(got) == {"fils martin"}


def test_an_address_is_its_place_number_and_street_name():
    from enrich.registry.words import address, street_words

    streets = pl.Series(
        ["BD HAUSSMANN", "Boulevard Haussmann", "AV DU GENERAL DE GAULLE", "Kerkstraat"]
    )
    got = pl.select(street_words(pl.lit(streets))).to_series().to_list()
    assert got == [["haussmann"], ["haussmann"], ["general", "gaulle"], ["kerkstraat"]]
    typed = pl.DataFrame({"street": ["12 bis", "12"], "where": ["R. de la Paix", "RUE DE LA PAIX"]})
    keys = typed.select(address(pl.lit("a75009"), pl.col("street"), pl.col("where"))).to_series()
    assert keys.to_list() == ["a75009|12|paix", "a75009|12|paix"]


def test_a_town_key_drops_arrondissements_and_cedex():
    towns = ["PARIS 11", "Paris 11e", "Lyon 3ème", "ST-ÉTIENNE CEDEX 2", "Saint Etienne"]
    got = pl.select(city_key(pl.lit(pl.Series(towns)))).to_series().to_list()
    assert got == ["paris", "paris", "lyon", "saint etienne", "saint etienne"]


# ------------------------------------------------------------------ the registry
def siren(n: int) -> str:
    stem = f"{40000000 + n}"
    return stem + luhn.calc_check_digit(stem)


def enterprise(n: int) -> str:
    stem = 8000000 + n
    number = f"{stem:08d}{97 - stem % 97:02d}"
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


UNITS = {  # siren: (legal name, form, status, NAF, person, sigle)
    1: ("CARROSSERIE FAURE", "5499", "A", "45.20A", None, None),
    2: ("CARROSSERIE FAURE", "5710", "A", "45.20B", None, None),
    3: ("CARROSSERIE FAURE", "5710", "A", "45.20A", None, None),
    4: ("PHARMACIE DU CENTRE", "5485", "A", "47.73Z", None, None),
    5: ("PHARMACIE DU CENTRE", "5485", "A", "47.73Z", None, None),
    6: ("PHARMACIE DU CENTRE", "5485", "A", "47.73Z", None, None),
    7: ("PHARMACIE DU CENTRE", "5485", "A", "47.73Z", None, None),
    8: (None, "1000", "A", "10.71C", ("MARIE", "DUPONT"), None),
    9: (None, "1000", "C", "56.30Z", ("JEAN", "PETIT"), None),
    10: ("CAFE DE LA PLACE", "5499", "A", "56.30Z", None, None),
    11: ("GIRARD LOGICIELS", "5710", "A", "62.01Z", None, None),
    12: ("SOCIETE GENERALE D'ELECTRICITE", "5599", "A", "35.14Z", None, "SGE"),
    13: ("SCI RENAUD", "6540", "A", "68.20B", None, None),
}
SITES = [  # siren, nic, seat, open, street number, type, street, postcode, town, sign
    (1, "00011", True, True, "12", "RUE", "DES LILAS", "66000", "PERPIGNAN", None),
    (2, "00012", True, True, "3", "AV", "DE GRANDE BRETAGNE", "66000", "PERPIGNAN", None),
    (3, "00013", True, True, "8", "BD", "GAMBETTA", "06000", "NICE", None),
    (4, "00014", True, True, "1", "PL", "DE L'HOTEL DE VILLE", "07200", "AUBENAS", None),
    (5, "00015", True, True, "2", "RUE", "BETEILLE", "12000", "RODEZ", None),
    (6, "00016", True, True, "40", "BD", "VOLTAIRE", "75011", "PARIS 11", None),
    (7, "00017", True, True, "5", "AV", "DAUMESNIL", "75012", "PARIS 12", None),
    (8, "00018", True, True, "7", "RUE", "DU MOULIN", "21000", "DIJON", "BOULANGERIE DU MOULIN"),
    (9, "00019", True, False, "5", "PL", "DE LA MAIRIE", "35000", "RENNES", "CAFE DE LA PLACE"),
    (10, "00010", True, True, "5", "PL", "DE LA MAIRIE", "35000", "RENNES", None),
    (11, "00011", True, True, "12", "RUE", "DES LILAS", "69003", "LYON 3EME", None),
    (11, "00029", False, True, "3", "QUAI", "DES CHARTRONS", "33000", "BORDEAUX", None),
    (12, "00013", True, True, "29", "BD", "HAUSSMANN", "75009", "PARIS 9", None),
    (13, "00013", True, True, "8", "RUE", "DE LA PAIX", "44000", "NANTES", None),
]


def _csv(path, header, rows):
    lines = [",".join(header)] + [",".join(row.get(c) or "" for c in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _sirene(tmp):
    from fixtures.make_fixtures import SIRENE_ETAB_HEADER, SIRENE_UL_HEADER

    units = [
        {
            "siren": siren(n),
            "denominationUniteLegale": name,
            "categorieJuridiqueUniteLegale": form,
            "etatAdministratifUniteLegale": status,
            "activitePrincipaleUniteLegale": naf,
            "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
            "prenom1UniteLegale": person and person[0],
            "nomUniteLegale": person and person[1],
            "sigleUniteLegale": sigle,
            "nicSiegeUniteLegale": next(s[1] for s in SITES if s[0] == n and s[2]),
        }
        for n, (name, form, status, naf, person, sigle) in UNITS.items()
    ]
    sites = [
        {
            "siren": siren(n),
            "nic": nic,
            "siret": siren(n) + nic,
            "etablissementSiege": "true" if seat else "false",
            "etatAdministratifEtablissement": "A" if open_ else "F",
            "dateDebut": "2015-01-01" if open_ else "2024-06-01",
            "numeroVoieEtablissement": number,
            "typeVoieEtablissement": kind,
            "libelleVoieEtablissement": street,
            "codePostalEtablissement": postcode,
            "libelleCommuneEtablissement": town,
            "enseigne1Etablissement": sign,
        }
        for n, nic, seat, open_, number, kind, street, postcode, town, sign in SITES
    ]
    return (
        _csv(tmp / "StockUniteLegale_utf8.csv", SIRENE_UL_HEADER, units),
        _csv(tmp / "StockEtablissement_utf8.csv", SIRENE_ETAB_HEADER, sites),
    )


def _kbo(tmp):
    """The KBO snapshot plus a natural person known only by its establishment unit's
    commercial name, at a Gent sub-municipality's postcode (9030 Mariakerke is Gent)."""
    person, unit = enterprise(1), "2.345.678.901"
    lines = {
        "enterprise.csv": f'"{person}","AC","000","1",,,01-01-2016',
        "establishment.csv": f'"{unit}",01-01-2016,"{person}"',
        "denomination.csv": f'"{unit}","2","003","Frituur De Kerk"',
        "address.csv": f'"{unit}","BAET",,,"9030","Gent","Gand","Kerkstraat","Kerkstraat","4","","",',
        "activity.csv": f'"{person}","003","2008","56102","MAIN"',
    }

    def add(name, body):
        return (name, body + (lines[name] + "\r\n").encode() if name in lines else body)

    return str(rezip(FIXTURES / "registry" / KBO, tmp / "KboOpenData_more.zip", add))


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("match")
    units, sites = _sirene(tmp)
    build(tmp / "index", kbo_zip=_kbo(tmp), sirene_units=units, sirene_establishments=sites)
    return tmp / "index"


ROWS = [  # name, street, number, postcode, town, country, legal form → expected company
    ("Carrosserie Faure SARL", None, None, "66000", None, "FR", "FR-SARL", siren(1)),
    ("CARROSSERIE FAURE S.A.S.", None, None, "66000", "Perpignan", "FR", "FR-SAS", siren(2)),
    ("Carrosserie Faure", None, None, "66000", None, "FR", None, "review"),
    ("Carrosserie Faure", "Avenue de Grande-Bretagne", "3", "66000", None, "FR", None, siren(2)),
    ("Pharmacie du Centre", None, None, "12000", "Rodez", "FR", None, siren(5)),
    ("Pharmacie du Centre", None, None, None, "Aubenas", "FR", None, siren(4)),
    ("Pharmacie du Centre", None, None, "75011", "Paris", "FR", None, siren(6)),
    ("Pharmacie du Centre", None, None, None, "Paris", "FR", None, "review"),
    ("Pharmacie du Centre", None, None, "12001", "Rodez", "FR", None, siren(5)),
    ("Pharmacie du Centre", None, None, "44000", "Nantes", "FR", None, None),
    ("Boulangerie du Moulin", None, None, "21000", "Dijon", "FR", None, siren(8)),
    ("Café de la Place", "Place de la Mairie", "5", "35000", "Rennes", "FR", None, siren(10)),
    ("Girard Logiciels", None, None, "33000", "Bordeaux", "FR", None, siren(11)),
    ("SGE", None, None, "75009", "Paris", "FR", None, siren(12)),
    ("Frituur de Kerk", None, None, "9000", "Gent", "BE", None, enterprise(1).replace(".", "")),
    ("Frituur de Kerk", None, None, "9000", None, "BE", None, enterprise(1).replace(".", "")),
    ("Garage Martin", None, None, "66000", "Perpignan", "FR", None, None),
    ("Sci Rneaud", "Rue de la Paix", "8", "44000", "Nantes", "FR", "FR-SCI", siren(13)),
    ("Frituur de Kerk", None, None, "9000", "Gent", "NL", None, None),  # a country no source has
]


def _rows():
    return pl.DataFrame(
        [(i + 1, *row[:-1]) for i, row in enumerate(ROWS)],
        schema=[
            "source_row",
            "company_name",
            "street",
            "house_number",
            "postcode",
            "city",
            "country",
            "legal_form",
        ],
        orient="row",
    ).with_columns(pl.lit(None, pl.String).alias(c) for c in ("enterprise_number", "siren"))


def test_companies_without_an_identifier_are_found_by_name_place_and_street(registry):
    rows = _rows()
    got, review = attach_with_review(rows, registry, rules=Rules.load())
    expected = [row[-1] for row in ROWS]
    matched = (
        got.select(
            pl.when(pl.col("registry_match") == "name")
            .then(pl.col("registry_number"))
            .when(pl.col("registry_match").str.contains("review"))
            .then(pl.lit("review"))
        )
        .to_series()
        .to_list()
    )
    assert matched == expected
    # a confident match records its probability; a close call lists both candidates
    scores = got.filter(pl.col("registry_match") == "name")["registry_match_score"]
    assert scores.min() >= 0.9
    faure = review.filter(pl.col("source_row") == "3")  # (the postcode alone tells Gent: 9000)
    assert set(faure["registry_id"]) == {siren(1), siren(2)}
    paris = review.filter(pl.col("source_row") == "8")
    assert set(paris["registry_id"]) == {siren(6), siren(7)} and set(
        paris["registry_postcode"]
    ) == {
        "75011",
        "75012",
    }
    # the attached company's own firmographics: the SAS twin's activity, not the SARL's
    assert got["nace_code"][1] == "45.20B" and got["nace_code"][0] == "45.20A"
    assert got.height == rows.height


def test_rows_looked_for_in_batches_give_the_same_answers(registry, tmp_path):
    (tmp_path / "registry.toml").write_text("[name_match]\nbatch_rows = 3\n")
    whole = attach_with_review(_rows(), registry, rules=Rules.load())
    batched = attach_with_review(_rows(), registry, rules=Rules.load(tmp_path))
    assert whole[0].equals(batched[0]) and whole[1].equals(batched[1])


def test_an_index_keyed_otherwise_is_refused(registry, tmp_path):
    import json
    import shutil

    from enrich.errors import InputError

    copy = shutil.copytree(registry, tmp_path / "index")
    meta = json.loads((copy / "meta.json").read_text())
    (copy / "meta.json").write_text(json.dumps({**meta, "name_keys": meta["name_keys"] + 1}))
    rows = pl.DataFrame(
        {
            "company_name": ["SGE"],
            "postcode": ["75009"],
            "enterprise_number": [None],
            "siren": [None],
        },
        schema=dict.fromkeys(("company_name", "postcode", "enterprise_number", "siren"), pl.String),
    )
    with pytest.raises(InputError, match="rebuild"):
        attach_with_review(rows, copy)


def test_sole_traders_and_establishments_are_indexed_where_they_are(registry):
    names = pl.read_parquet(registry / "names.parquet")
    sign = names.filter(pl.col("name") == "BOULANGERIE DU MOULIN")
    assert sign.select("registry_id", "kind", "postcode").row(0) == (siren(8), "sign", "21000")
    girard = names.filter(pl.col("registry_id") == siren(11))
    assert sorted(girard["postcode"]) == ["33000", "69003"]
    # a closed establishment of last year is indexed, not active; the person's own name too
    petit = names.filter(pl.col("registry_id") == siren(9))
    assert set(petit["kind"]) == {"person", "sign"} and not any(petit["active"])
