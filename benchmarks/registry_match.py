"""Registry match without an identifier, measured: a synthetic KBO + SIRENE registry whose
names are as skewed as a real one's, and a contact file of its companies typed the way
people type them, with no identifier at all.

    python benchmarks/registry_match.py                       # 300k FR units, 100k BE enterprises, 20k rows
    python benchmarks/registry_match.py --fr 2000000 --be 500000 --rows 100000   # the time and memory run

The registry (written in the published layouts, REGISTRIES.md: a KboOpenData zip, a
StockUniteLegale and a StockEtablissement CSV):
- names of trade + surname ("BOULANGERIE MARTIN"), trade + place ("PHARMACIE DU CENTRE",
  "GARAGE DE LA GARE"), surname + "ET FILS", invented brands, SCIs; surnames, trades and
  towns drawn from Zipf-like weights, so the commonest names repeat hundreds of times;
- each legal form (SARL, SAS, EI, SA, SCI; BV/SRL, NV/SA, legacy BVBA/SPRL, VZW/ASBL, natural
  persons); some twins at one address (a ceased EI and the SARL that took it over);
- sole traders with no company name: SIRENE's EI (a person's name; a shop sign on their
  establishments), KBO's natural persons (no name and no seat: a commercial name and an
  address on their establishment units);
- acronyms (sigle, KBO abbreviation), usual and commercial names, establishments in
  other towns, Belgian sub-municipality postcodes (9030 is Gent too).

The rows: each company of a sample (and companies left out of the registry, which must not
be attached) typed with its legal form before, after, missing or spelled otherwise,
accents dropped, "&"/"et"/"en", its acronym or trade name, typos; at its seat's or one of
its establishments' postcode, sometimes with a typo'd postcode and the right town, or no
postcode and only the town, or a Belgian sub-municipality's name or postcode; with its
street and number, or not.

Prints how many in-registry rows were found right, attached wrongly, sent to review or not
found, how many out-of-registry rows were attached, NACE right, and the attach time and
peak memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import zipfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from registry import UL_HEADER, be_numbers, sirens  # noqa: E402
from run import DATA, ENRICH, measure  # noqa: E402

from fixtures.make_fixtures import SIRENE_ETAB_HEADER  # noqa: E402

# ---------------------------------------------------------------- vocabularies


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FR_TRADES = [  # the shop word, its NAF code
    ("BOULANGERIE", "10.71C"),
    ("PHARMACIE", "47.73Z"),
    ("GARAGE", "45.20A"),
    ("BOULANGERIE PATISSERIE", "10.71C"),
    ("CARROSSERIE", "45.20B"),
    ("BOUCHERIE", "47.22Z"),
    ("PLOMBERIE", "43.22A"),
    ("ELECTRICITE", "43.21A"),
    ("MENUISERIE", "43.32A"),
    ("TRANSPORTS", "49.41A"),
    ("RESTAURANT", "56.10A"),
    ("CAFE", "56.30Z"),
    ("COIFFURE", "96.02A"),
    ("AGENCE IMMOBILIERE", "68.31Z"),
    ("CABINET", "69.20Z"),
    ("TAXI", "49.32Z"),
    ("FLEURS", "47.76Z"),
    ("OPTIQUE", "47.78A"),
    ("MACONNERIE", "43.99C"),
    ("PEINTURE", "43.34Z"),
    ("CHAUFFAGE", "43.22B"),
    ("AUTO ECOLE", "85.53Z"),
    ("LIBRAIRIE", "47.61Z"),
    ("HOTEL", "55.10Z"),
    ("CHARCUTERIE", "47.22Z"),
    ("TRAITEUR", "56.21Z"),
    ("PATISSERIE", "10.71D"),
    ("AMBULANCES", "86.90A"),
    ("PIZZERIA", "56.10C"),
    ("TABAC PRESSE", "47.26Z"),
]
FR_PLACES = [
    "DU CENTRE",
    "DE LA GARE",
    "DE LA PLACE",
    "DE LA POSTE",
    "DU MARCHE",
    "DE L'EGLISE",
    "DU PORT",
    "DES HALLES",
    "DU CHATEAU",
    "DE LA MAIRIE",
    "DU LAC",
    "DU MIDI",
    "DE LA PAIX",
    "DU PARC",
    "DES ALPES",
]
FR_SURNAMES = _words(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
    "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
    "ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER "
    "FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU "
    "GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR MEUNIER BRUN "
    "BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD ROCHE "
    "RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS"
)
FR_FIRST = _words(
    "JEAN PIERRE MICHEL ANDRE PHILIPPE ALAIN NICOLAS CHRISTOPHE LAURENT FREDERIC MARIE NATHALIE "
    "ISABELLE SYLVIE CATHERINE SANDRINE VALERIE CHRISTINE SOPHIE STEPHANIE JULIEN SEBASTIEN"
)
BE_SURNAMES_NL = _words(
    "PEETERS,JANSSENS,MAES,JACOBS,MERTENS,WILLEMS,CLAES,GOOSSENS,WOUTERS,DE SMET,DE VOS,"
    "HERMANS,VERMEULEN,PAUWELS,VAN DAMME,DE CLERCQ,VANDENBERGHE,LAMBRECHTS,DE BACKER,VERHAEGEN,"
    "COOLS,AERTS,VAN DE VELDE,DESMET,SMETS,BOGAERTS,DE WOLF,VERSTRAETE,MICHIELS",
    ",",
)
BE_SURNAMES_FR = _words(
    "DUBOIS LAMBERT DUPONT MARTIN SIMON LAURENT LECLERCQ DUMONT RENARD LEJEUNE HENRY MATHIEU "
    "LEROY FRANCOIS MASSON DENIS COLLARD HUBERT GILLET GOFFIN WILLEM MICHEL DELVAUX DEPREZ"
)
BE_TRADES = [  # Dutch word, French word, NACE-BEL
    ("BAKKERIJ", "BOULANGERIE", "10711"),
    ("APOTHEEK", "PHARMACIE", "47730"),
    ("GARAGE", "GARAGE", "45201"),
    ("SLAGERIJ", "BOUCHERIE", "47220"),
    ("SCHRIJNWERKERIJ", "MENUISERIE", "43320"),
    ("TRANSPORT", "TRANSPORTS", "49410"),
    ("BOUWWERKEN", "CONSTRUCTIONS", "41201"),
    ("ELEKTRO", "ELECTRICITE", "43211"),
    ("LOODGIETERIJ", "PLOMBERIE", "43221"),
    ("KAPSALON", "COIFFURE", "96021"),
    ("IMMO", "IMMO", "68311"),
    ("BOEKHOUDKANTOOR", "FIDUCIAIRE", "69201"),
    ("FRITUUR", "FRITERIE", "56102"),
    ("CAFE", "CAFE", "56301"),
    ("BLOEMEN", "FLEURS", "47761"),
    ("OPTIEK", "OPTIQUE", "47782"),
    ("BROUWERIJ", "BRASSERIE", "11050"),
    ("DRUKKERIJ", "IMPRIMERIE", "18120"),
]
BE_PLACES_NL = ["CENTRUM", "DE MARKT", "HET STATION", "DE KERK", "DE HAVEN"]
BE_PLACES_FR = ["DU CENTRE", "DE LA GARE", "DE LA PLACE", "DU MARCHE", "DE L'EGLISE"]
BRAND_PARTS = _words(
    "AX EL IS NO VA TEK OR ION AL TIS KA RO ME DIA SYS LUX PRO VI TA NE O BRI CO DEL FI GA HU "
    "JO KI LU MA NU PA QUI RA SU TRI VO XE ZA"
)
BRAND_WORDS = [
    ("CONSEIL", "70.22Z", "70220"),
    ("SERVICES", "82.99Z", "82990"),
    ("INVEST", "64.20Z", "64200"),
    ("SOLUTIONS", "62.02A", "62020"),
    ("INFORMATIQUE", "62.01Z", "62010"),
    ("DISTRIBUTION", "46.90Z", "46900"),
    ("INGENIERIE", "71.12B", "71121"),
    ("CONSULTING", "70.22Z", "70220"),
    ("GROUP", "70.10Z", "70100"),
    ("LOGISTICS", "52.29B", "52290"),
]
FR_STREET_TYPES = [  # typeVoie code, the word people type
    ("RUE", "rue"),
    ("AV", "avenue"),
    ("CHE", "chemin"),
    ("BD", "boulevard"),
    ("RTE", "route"),
    ("IMP", "impasse"),
    ("PL", "place"),
    ("ALL", "allée"),
    ("QUAI", "quai"),
]
FR_STREET_NAMES = _words(
    "DE LA REPUBLIQUE,DE LA GARE,VICTOR HUGO,JEAN JAURES,PASTEUR,DU GENERAL DE GAULLE,"
    "DE L'EGLISE,DES ECOLES,DU MOULIN,CARNOT,GAMBETTA,DE LA LIBERTE,NATIONALE,DES LILAS,"
    "DES ROSES,DES CHENES,DU STADE,DE PARIS,SAINT MARTIN,DU CHATEAU,DE LA MAIRIE,FOCH,"
    "CLEMENCEAU,JEAN MOULIN,DES TILLEULS,DU PORT,DES VIGNES,DU COMMERCE,DE LA PAIX,VOLTAIRE,"
    "EMILE ZOLA,DES ACACIAS,DU MARCHE,DE BELLEVUE,DES PRES,DU PUITS,DE LA FONTAINE,DES JARDINS",
    ",",
)
BE_STREET_STEMS = _words(
    "Kerk Stations Dorps Molen Nieuw School Kapel Hoog Linden Beuken Eiken Konings Veld Bosch "
    "Heide Zand Water Berg Hof Markt Brug Vaart Smids Meers Spoorweg Lange Korte Oude Nieuwe"
)
BE_STREET_KINDS = [
    ("straat", "Rue de la {}"),
    ("laan", "Avenue de la {}"),
    ("weg", "Chemin de la {}"),
]
BE_STREET_FR = _words(
    "Gare,Station,Chapelle,Fontaine,Poste,Paix,Liberté,Justice,Croix,Forge,Ferme,Barrière,"
    "Colline,Source,Cense,Station,Place,Vallée,Sablière,Brasserie",
    ",",
)
# town, [(postcode, SIRENE's libelleCommune)]: big towns have many postcodes
FR_BIG_TOWNS = [
    ("Paris", [(f"750{i:02d}", f"PARIS {i}") for i in range(1, 21)]),
    (
        "Lyon",
        [(f"6900{i}", f"LYON {i}{'ER' if i == 1 else 'EME'}") for i in range(1, 10)],
    ),
    (
        "Marseille",
        [(f"130{i:02d}", f"MARSEILLE {i}{'ER' if i == 1 else 'EME'}") for i in range(1, 17)],
    ),
    ("Toulouse", [(p, "TOULOUSE") for p in ("31000", "31100", "31200", "31300", "31400", "31500")]),
    ("Nice", [(p, "NICE") for p in ("06000", "06100", "06200", "06300")]),
    ("Nantes", [(p, "NANTES") for p in ("44000", "44100", "44200", "44300")]),
    ("Bordeaux", [(p, "BORDEAUX") for p in ("33000", "33100", "33200", "33300", "33800")]),
    ("Lille", [(p, "LILLE") for p in ("59000", "59160", "59260", "59800")]),
    ("Strasbourg", [(p, "STRASBOURG") for p in ("67000", "67100", "67200")]),
    ("Montpellier", [(p, "MONTPELLIER") for p in ("34000", "34070", "34080", "34090")]),
    ("Perpignan", [(p, "PERPIGNAN") for p in ("66000", "66100")]),
    ("Saint-Étienne", [(p, "SAINT-ETIENNE") for p in ("42000", "42100")]),
]
FR_TOWN_PARTS = _words(
    "Saint-Martin Villeneuve Saint-Jean Beaumont Montigny Châteauneuf Fontaine Saint-Pierre "
    "Bourg Neuville Villiers Champagne Mont Sainte-Marie Roche Bel-Air"
)
FR_TOWN_TAILS = _words(
    "sur-Loire sur-Mer en-Bresse les-Bains sur-Seine la-Forêt le-Château d'Azur sur-Marne "
    "en-Vexin la-Rivière du-Lac"
)
# Belgian municipality (Dutch, French), its postcodes and their sub-municipalities
BE_TOWNS = [
    (
        "Gent",
        "Gand",
        [
            ("9000", "Gent"),
            ("9030", "Mariakerke"),
            ("9031", "Drongen"),
            ("9032", "Wondelgem"),
            ("9040", "Sint-Amandsberg"),
            ("9041", "Oostakker"),
            ("9050", "Gentbrugge"),
            ("9051", "Sint-Denijs-Westrem"),
            ("9052", "Zwijnaarde"),
        ],
    ),
    (
        "Antwerpen",
        "Anvers",
        [
            ("2000", "Antwerpen"),
            ("2018", "Antwerpen"),
            ("2020", "Antwerpen"),
            ("2030", "Antwerpen"),
            ("2060", "Antwerpen"),
            ("2100", "Deurne"),
            ("2140", "Borgerhout"),
            ("2170", "Merksem"),
            ("2180", "Ekeren"),
            ("2600", "Berchem"),
            ("2610", "Wilrijk"),
            ("2660", "Hoboken"),
        ],
    ),
    (
        "Brussel",
        "Bruxelles",
        [("1000", "Bruxelles"), ("1020", "Laeken"), ("1120", "Neder-Over-Heembeek")],
    ),
    ("Schaarbeek", "Schaerbeek", [("1030", "Schaerbeek")]),
    ("Elsene", "Ixelles", [("1050", "Ixelles")]),
    ("Ukkel", "Uccle", [("1180", "Uccle")]),
    (
        "Luik",
        "Liège",
        [
            ("4000", "Liège"),
            ("4020", "Liège"),
            ("4030", "Grivegnée"),
            ("4031", "Angleur"),
            ("4032", "Chênée"),
        ],
    ),
    (
        "Charleroi",
        "Charleroi",
        [
            ("6000", "Charleroi"),
            ("6001", "Marcinelle"),
            ("6010", "Couillet"),
            ("6020", "Dampremy"),
            ("6030", "Marchienne-au-Pont"),
            ("6040", "Jumet"),
            ("6041", "Gosselies"),
            ("6042", "Lodelinsart"),
            ("6043", "Ransart"),
            ("6044", "Roux"),
        ],
    ),
    (
        "Namen",
        "Namur",
        [
            ("5000", "Namur"),
            ("5001", "Belgrade"),
            ("5002", "Saint-Servais"),
            ("5004", "Bouge"),
            ("5100", "Jambes"),
        ],
    ),
    (
        "Brugge",
        "Bruges",
        [("8000", "Brugge"), ("8200", "Sint-Andries"), ("8310", "Assebroek")],
    ),
    (
        "Leuven",
        "Louvain",
        [("3000", "Leuven"), ("3001", "Heverlee"), ("3010", "Kessel-Lo"), ("3012", "Wilsele")],
    ),
    ("Bergen", "Mons", [("7000", "Mons"), ("7011", "Ghlin"), ("7012", "Jemappes")]),
    ("Kortrijk", "Courtrai", [("8500", "Kortrijk"), ("8501", "Heule"), ("8510", "Marke")]),
    ("Mechelen", "Malines", [("2800", "Mechelen"), ("2811", "Hombeek")]),
    ("Hasselt", "Hasselt", [("3500", "Hasselt"), ("3510", "Kermt"), ("3511", "Kuringen")]),
    ("Aalst", "Alost", [("9300", "Aalst"), ("9320", "Erembodegem")]),
    ("Doornik", "Tournai", [("7500", "Tournai"), ("7503", "Froyennes")]),
    ("Waver", "Wavre", [("1300", "Wavre"), ("1301", "Bierges")]),
    ("Nijvel", "Nivelles", [("1400", "Nivelles"), ("1401", "Baulers")]),
    ("Verviers", "Verviers", [("4800", "Verviers"), ("4801", "Stembert")]),
    ("Oostende", "Ostende", [("8400", "Oostende")]),
    ("Genk", "Genk", [("3600", "Genk")]),
]
BE_TOWN_PARTS = _words("Sint- Oost West Neder Over Hoog Laag Groot Klein")
BE_TOWN_STEMS = _words("kerke dorp hout berg dijk veld broek linde hove gem")
BE_TOWN_FR = _words("Saint- Fontaine Mont Villers Ville Bois Chapelle Braine")
BE_TOWN_FR_TAILS = _words("-sur-Sambre -le-Château -la-Ville -lez-Namur -sur-Meuse l'Abbaye")
# a company's legal form: INSEE code, how people type it, share
FR_FORMS = [
    ("5499", ["SARL", "S.A.R.L.", "Sarl", "EURL"], 28),
    ("5710", ["SAS", "S.A.S.", "SASU", "Sas"], 27),
    ("1000", [], 30),  # EI: a person's name, no form typed
    ("5599", ["SA", "S.A."], 3),
    ("5202", ["SNC"], 2),
    ("6540", ["SCI"], 5),
    ("9220", [], 5),  # "Association" is in the name
]
BE_FORMS = [  # KBO code, (Dutch, French) as typed, legacy spellings, share
    ("610", ["BV", "SRL", "B.V."], ["BVBA", "SPRL", "bvba"], 40),
    ("014", ["NV", "SA", "N.V."], [], 12),
    ("017", ["VZW", "ASBL"], [], 8),
    ("706", ["CV", "SC"], ["CVBA", "SCRL"], 5),
    ("", [], [], 35),  # a natural person
]


def zipf(n: int, s: float = 1.0) -> list[float]:
    return [1 / (i + 1) ** s for i in range(n)]


def tail(rng: random.Random, parts: list[str], n: int) -> list[str]:
    """*n* made-up distinct words from syllables (the long tail of surnames, brands)."""
    most = 4 if n <= len(parts) ** 4 // 2 else 5  # syllables a word has at most
    out: dict[str, None] = {}
    while len(out) < n:
        out["".join(rng.choice(parts) for _ in range(rng.randint(2, most))).upper()] = None
    return list(out)


# ---------------------------------------------------------------- the world
class World:
    """Companies with their names, places and activity: the registry's truth."""

    def __init__(self, n_fr: int, n_be: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self._cumulative: dict[tuple[int, float], list[float]] = {}
        rng = self.rng
        syll = _words(
            "ba be bi bo ma me mi mo la le li lo ra re ri ro da de di do ne ni no va ve vi "
            "ga ge gu lu mu nu ru su tu po"
        )
        self.fr_names = FR_SURNAMES + tail(rng, syll, max(2000, n_fr // 8))
        self.be_names_nl = BE_SURNAMES_NL + tail(rng, syll, max(1000, n_be // 8))
        self.be_names_fr = BE_SURNAMES_FR + tail(rng, syll, max(1000, n_be // 8))
        self.brands = tail(rng, BRAND_PARTS, max(2 * (n_fr + n_be), 1000))
        people = [f"{f} {n}" for f in FR_FIRST[:8] for n in self.fr_names[:150]]
        self.fr_streets = FR_STREET_NAMES + rng.sample(people, 400)
        self.be_streets_nl = [f"{s}{k}" for s in BE_STREET_STEMS for k, _ in BE_STREET_KINDS] + [
            f"{n.title().replace(' ', '')}straat" for n in self.be_names_nl[:300]
        ]
        self.be_streets_fr = [f.format(s) for s in BE_STREET_FR for _, f in BE_STREET_KINDS] + [
            f"Rue {n.title()}" for n in self.be_names_fr[:300]
        ]
        self.fr_towns = self._fr_towns(min(max(200, n_fr // 150), 6000))  # France: ~6,000 postcodes
        self.be_towns = self._be_towns(min(max(100, n_be // 400), 1100))  # Belgium: ~1,150
        self.fr = [self._fr_unit(i) for i in range(n_fr)]
        self.fr += [self._successor(u) for u in self.fr if u["sign"] and u["form"] == "1000"][
            : n_fr // 50
        ]
        self.be = [self._be_enterprise(i) for i in range(n_be)]

    def _pick(self, items: list, s: float):
        """One of *items*, the first ones likelier (Zipf-like weights, exponent *s*)."""
        key = (id(items), s)
        if key not in self._cumulative:
            self._cumulative[key] = list(itertools.accumulate(zipf(len(items), s)))
        return self.rng.choices(items, cum_weights=self._cumulative[key])[0]

    def _surname(self, common: list[str], names: list[str]) -> str:
        """A surname: one of the *common* ones a quarter of the time (the commonest likelier:
        MARTIN is about 1 % of French companies' surnames), else one of the long tail of
        *names*, each about as rare as the others."""
        if self.rng.random() < 0.25:
            return self._pick(common, 0.6)
        return self.rng.choice(names)

    def _fr_towns(self, n: int) -> list[tuple[str, list[tuple[str, str]]]]:
        rng, towns = self.rng, list(FR_BIG_TOWNS)
        used = {p for _, ps in FR_BIG_TOWNS for p, _ in ps}
        names = {t for t, _ in towns}
        while len(towns) < n:
            name = f"{rng.choice(FR_TOWN_PARTS)}-{rng.choice(FR_TOWN_TAILS)}"
            if rng.random() < 0.4:
                name = f"{rng.choice(FR_TOWN_PARTS)}-{rng.choice(self.fr_names).title()}"
            code = f"{rng.randint(1, 95):02d}{rng.randint(0, 999):03d}"
            if code in used or name in names:
                continue
            used.add(code)
            names.add(name)
            label = name.upper().replace("-", " ").replace("Â", "A").replace("Ê", "E")
            label = label.replace("È", "E").replace("É", "E").replace("Ô", "O").replace("'", " ")
            towns.append((name, [(code, label)]))
        return towns

    def _be_towns(self, n: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
        rng, towns = self.rng, list(BE_TOWNS)
        used = {p for *_, ps in BE_TOWNS for p, _ in ps}
        names = {t[0] for t in towns}
        while len(towns) < n:
            if rng.random() < 0.55:
                name = (
                    rng.choice(BE_TOWN_PARTS)
                    + rng.choice(self.be_names_nl).title().replace(" ", "")
                    + rng.choice(BE_TOWN_STEMS)
                )
                name = name.replace("--", "-")
            else:
                name = rng.choice(BE_TOWN_FR) + rng.choice(BE_TOWN_FR_TAILS)
            code = str(rng.randint(1000, 9999))
            if code in used or name in names:
                continue
            used.add(code)
            names.add(name)
            towns.append((name, name, [(code, name)]))
        return towns

    def _fr_place(self) -> dict:
        rng = self.rng
        town, codes = self._pick(self.fr_towns, 0.9)
        code, label = rng.choice(codes)
        kind, word = self._pick(FR_STREET_TYPES, 1.2)
        street = self._pick(self.fr_streets, 0.8)
        return {
            "town": town,
            "postcode": code,
            "city": label,
            "number": str(rng.randint(1, 150)),
            "type": kind,
            "type_word": word,
            "street": street,
        }

    def _fr_unit(self, i: int) -> dict:
        rng = self.rng
        form = rng.choices(FR_FORMS, [f[2] for f in FR_FORMS])[0]
        code = form[0]
        trade, naf = self._pick(FR_TRADES, 0.8)
        surname = self._surname(FR_SURNAMES, self.fr_names)
        u = {"country": "FR", "form": code, "naf": naf, "sigle": None, "usual": None}
        u["first"], u["last"] = rng.choice(FR_FIRST), surname
        pattern = rng.random()
        if code == "6540":
            place = self._pick(FR_PLACES, 0.7).replace("DU ", "").replace("DE LA ", "")
            name = f"SCI {surname if rng.random() < 0.8 else place}"
            u["naf"] = "68.20B"
        elif code == "9220":
            name = f"ASSOCIATION {rng.choice(['SPORTIVE', 'CULTURELLE', 'DES AMIS DE'])} {surname}"
            u["naf"] = "94.99Z"
        elif pattern < 0.5:
            name = f"{trade} {surname}"
        elif pattern < 0.56:
            name = f"{trade} {self._pick(FR_PLACES, 0.7)}"
        elif pattern < 0.76:
            name = f"{surname} {rng.choice(['ET FILS', 'FRERES', '& ASSOCIES', 'ET CIE'])}"
        else:
            word, naf_, _ = rng.choice(BRAND_WORDS)
            name, u["naf"] = f"{self.brands[i]} {word}", naf_
        if code == "1000":  # EI: no name, a sign on the shop (or not)
            u["denomination"] = None
            u["sign"] = name if rng.random() < 0.65 else None
        else:
            u["denomination"], u["sign"] = name, (name if rng.random() < 0.1 else None)
            if rng.random() < 0.05:
                u["denomination"] = (
                    f"{name} {rng.choice(['SARL', 'SAS'])}" if code in ("5499", "5710") else name
                )
            words = [
                w
                for w in name.replace("'", " ").split()
                if w not in ("DE", "DU", "LA", "L", "DES", "ET", "&")
            ]
            if len(words) >= 3 and rng.random() < 0.08:
                u["sigle"] = "".join(w[0] for w in words)
            if rng.random() < 0.04:
                u["usual"] = f"{self.brands[-i - 1]}"
        u["ceased"] = rng.random() < 0.12
        u["closed_on"] = f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-01"
        u["places"] = [self._fr_place()]
        if rng.random() < 0.15:
            u["places"] += [self._fr_place() for _ in range(rng.randint(1, 3))]
        return u

    def _successor(self, u: dict) -> dict:
        """A company that took over a sole trader's shop: its sign is its name, at the same
        address; the sole trader has ceased."""
        u["ceased"] = True
        form = self.rng.choice(["5499", "5710"])
        return {
            **u,
            "form": form,
            "denomination": u["sign"],
            "ceased": False,
            "places": u["places"][:1],
        }

    def _be_place(self) -> dict:
        rng = self.rng
        nl, fr, codes = self._pick(self.be_towns, 0.9)
        code, sub = rng.choice(codes)
        french = rng.random() < 0.4
        street = self._pick(self.be_streets_fr if french else self.be_streets_nl, 0.8)
        return {
            "town_nl": nl,
            "town_fr": fr,
            "sub": sub,
            "main": codes[0][0],
            "postcode": code,
            "street_nl": street,
            "street_fr": street,
            "number": str(rng.randint(1, 250)),
            "french": french,
        }

    def _be_enterprise(self, i: int) -> dict:
        rng = self.rng
        form = rng.choices(BE_FORMS, [f[3] for f in BE_FORMS])[0]
        seat = self._be_place()
        french = seat["french"]
        nl, fr_, nace = self._pick(BE_TRADES, 0.8)
        trade = fr_ if french else nl
        names = self.be_names_fr if french else self.be_names_nl
        surname = self._surname(BE_SURNAMES_FR if french else BE_SURNAMES_NL, names)
        pattern = rng.random()
        if pattern < 0.5:
            name = f"{trade} {surname}"
        elif pattern < 0.6:
            name = f"{trade} {rng.choice(BE_PLACES_FR if french else BE_PLACES_NL)}"
        elif pattern < 0.72:
            name = f"{surname} {'& FILS' if french else '& ZONEN'}"
        else:
            word, _, nace_ = rng.choice(BRAND_WORDS)
            name, nace = f"{self.brands[len(self.fr) + i]} {word}", nace_
        e = {"country": "BE", "form": form[0], "nace": nace, "french": french, "abbr": None}
        e["typed_forms"], e["legacy_forms"] = form[1], form[2]
        e["last"] = surname
        if form[0] == "":  # a natural person: no name, no seat
            e["legal"] = None
            e["sites"] = [seat] + ([self._be_place()] if rng.random() < 0.1 else [])
            e["commercial"] = name.title() if rng.random() < 0.85 else None
            e["seat"] = None
        else:
            e["legal"] = name.title()
            e["seat"] = seat
            e["sites"] = (
                [self._be_place() for _ in range(rng.randint(1, 2))] if rng.random() < 0.12 else []
            )
            e["commercial"] = f"{self.brands[-i - 1].title()}" if rng.random() < 0.05 else None
            words = [w for w in name.split() if w not in ("DE", "DU", "LA", "&", "HET")]
            if len(words) >= 3 and rng.random() < 0.06:
                e["abbr"] = "".join(w[0] for w in words)
        return e


# ---------------------------------------------------------------- the registry files
def number(world: World) -> None:
    """Each company's SIREN or enterprise number (valid check digits), in place."""
    ids = sirens(pl.Series(range(10_000_000, 10_000_000 + len(world.fr))).to_numpy())
    for u, siren in zip(world.fr, ids):
        u["id"] = str(siren)
    numbers = be_numbers(pl.Series(range(20_000_000, 20_000_000 + len(world.be))).to_numpy())
    for e, n in zip(world.be, numbers):
        e["id"] = str(n)


def _columns(rows: list[tuple], names: list[str], header: list[str], fixed: dict) -> pl.DataFrame:
    """A frame in *header*'s column order from *rows* (tuples of *names*), *fixed* values
    and empty text elsewhere: built by column (millions of rows)."""
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(
        *(pl.lit(v).alias(c) for c, v in fixed.items()),
        *(pl.lit("").alias(c) for c in header if c not in names and c not in fixed),
    ).select(header)


def write_sirene(world: World, keep: list[bool], folder: Path) -> tuple[Path, Path]:
    """StockUniteLegale and StockEtablissement CSVs of the kept French units."""
    unit_names = ["siren", "sigleUniteLegale", "prenom1UniteLegale", "nomUniteLegale"]
    unit_names += ["etatAdministratifUniteLegale", "denominationUniteLegale"]
    unit_names += ["denominationUsuelle1UniteLegale", "categorieJuridiqueUniteLegale"]
    unit_names += ["activitePrincipaleUniteLegale"]
    site_names = ["siren", "nic", "siret", "etablissementSiege", "numeroVoieEtablissement"]
    site_names += ["typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement"]
    site_names += ["libelleCommuneEtablissement", "dateDebut", "etatAdministratifEtablissement"]
    site_names += ["enseigne1Etablissement", "activitePrincipaleEtablissement"]
    units_rows, sites_rows = [], []
    for u, kept in zip(world.fr, keep):
        if not kept:
            continue
        person = u["form"] == "1000"
        units_rows.append(
            (u["id"], u["sigle"], person and u["first"] or None, person and u["last"] or None)
            + ("C" if u["ceased"] else "A", u["denomination"], u["usual"], u["form"], u["naf"])
        )
        for k, p in enumerate(u["places"]):
            nic = f"{12 + 7 * k:05d}"
            sites_rows.append(
                (u["id"], nic, u["id"] + nic, "true" if k == 0 else "false", p["number"])
                + (p["type"], p["street"], p["postcode"], p["city"])
                + (u["closed_on"] if u["ceased"] else "2012-03-01", "F" if u["ceased"] else "A")
                + (u["sign"], u["naf"])
            )
    unit_fixed = {
        "statutDiffusionUniteLegale": "O",
        "dateCreationUniteLegale": "2012-03-01",
        "trancheEffectifsUniteLegale": "01",
        "anneeEffectifsUniteLegale": "2023",
        "categorieEntreprise": "PME",
        "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2",
        "nicSiegeUniteLegale": "00012",
        "caractereEmployeurUniteLegale": "O",
    }
    site_fixed = {
        "statutDiffusionEtablissement": "O",
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
    }
    units, sites = folder / "StockUniteLegale_utf8.csv", folder / "StockEtablissement_utf8.csv"
    _columns(units_rows, unit_names, UL_HEADER, unit_fixed).write_csv(units)
    _columns(sites_rows, site_names, SIRENE_ETAB_HEADER, site_fixed).write_csv(sites)
    return units, sites


def _dotted(number: str) -> str:
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


def write_kbo(world: World, keep: list[bool], path: Path) -> Path:
    """A KboOpenData zip of the kept Belgian enterprises."""
    q = lambda s: f'"{s}"'  # noqa: E731
    ent, den, adr, act, est = [], [], [], [], []
    unit = 2_000_000_000
    for e, kept in zip(world.be, keep):
        if not kept:
            continue
        n = q(_dotted(e["id"]))
        kind = "1" if e["form"] == "" else "2"
        form = q(e["form"]) if e["form"] else ""
        ent.append(f'{n},"AC","000","{kind}",{form},,01-01-2015')
        lang = "1" if e["french"] else "2"
        if e["legal"]:
            den.append(f'{n},"{lang}","001",{q(e["legal"])}')
            if e["seat"]["postcode"].startswith("1") and e["seat"]["postcode"] < "1300":
                den.append(f'{n},"{"2" if lang == "1" else "1"}","001",{q(e["legal"])}')
        if e["abbr"]:
            den.append(f'{n},"{lang}","002",{q(e["abbr"])}')
        if e["commercial"] and e["legal"]:
            den.append(f'{n},"{lang}","003",{q(e["commercial"])}')
        places = ([("REGO", n, e["seat"])] if e["seat"] else []) + []
        for s in e["sites"]:
            unit += 97
            u = f"{unit:010d}"
            un = q(f"{u[0]}.{u[1:4]}.{u[4:7]}.{u[7:]}")
            est.append(f"{un},01-01-2015,{n}")
            places.append(("BAET", un, s))
            if e["commercial"] and not e["legal"]:
                den.append(f'{un},"{lang}","003",{q(e["commercial"])}')
        for kind_, who, p in places:
            adr.append(
                f'{who},"{kind_}",,,{q(p["postcode"])},{q(p["town_nl"])},{q(p["town_fr"])},'
                f'{q(p["street_nl"])},{q(p["street_fr"])},{q(p["number"])},"","",'
            )
        act.append(f'{n},"003","2008",{q(e["nace"])},"MAIN"')
    codes = [
        '"JuridicalForm","610","FR","Société à responsabilité limitée"',
        '"JuridicalForm","610","NL","Besloten vennootschap"',
        '"JuridicalForm","014","FR","Société anonyme"',
        '"JuridicalForm","014","NL","Naamloze vennootschap"',
        '"JuridicalForm","017","FR","Association sans but lucratif"',
        '"JuridicalForm","017","NL","Vereniging zonder winstoogmerk"',
        '"JuridicalForm","706","FR","Société coopérative"',
        '"JuridicalForm","706","NL","Coöperatieve vennootschap"',
    ]
    files = {
        "meta.csv": ['"Variable","Value"', '"SnapshotDate","03-10-2025"', '"ExtractNumber","140"'],
        "code.csv": ['"Category","Code","Language","Description"', *codes],
        "enterprise.csv": [
            '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm","JuridicalFormCAC","StartDate"',
            *ent,
        ],
        "establishment.csv": ['"EstablishmentNumber","StartDate","EnterpriseNumber"', *est],
        "denomination.csv": ['"EntityNumber","Language","TypeOfDenomination","Denomination"', *den],
        "address.csv": [
            '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode","MunicipalityNL","MunicipalityFR",'
            '"StreetNL","StreetFR","HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
            *adr,
        ],
        "activity.csv": [
            '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
            *act,
        ],
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, lines in files.items():
            z.writestr(name, "\r\n".join(lines) + "\r\n")
    return path


# ---------------------------------------------------------------- rows typed by people
ACCENTS = str.maketrans("éèêëàâîïôûùçÉÈÊÀÂÎÔÛÇ", "eeeeaaiiouucEEEAAIOUC")


def _typo(rng: random.Random, text: str) -> str:
    """One slip of the keyboard in a word of five letters or more."""
    words = text.split(" ")
    long_ = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long_:
        return text
    i = rng.choice(long_)
    w, k = words[i], rng.randint(1, len(words[i]) - 2)
    op = rng.random()
    if op < 0.35:
        w = w[:k] + w[k + 1 :]
    elif op < 0.7:
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    else:
        w = w[:k] + rng.choice("aeiourstln") + w[k + 1 :]
    words[i] = w
    return " ".join(words)


def _case(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.4:
        return text.title().replace("'S ", "'s ").replace("D'", "d'").replace("L'", "l'")
    if r < 0.7:
        return text.upper()
    if r < 0.8:
        return text.lower()
    return text.capitalize()


def typed_name(rng: random.Random, name: str, forms: list[str], legacy: list[str]) -> str:
    """*name* as a person types it: legal form before/after/missing/other spelling, case,
    accents, "&"/"et"/"en", "Ets", "St", typos."""
    name = _case(rng, name)
    if rng.random() < 0.3:
        name = name.translate(ACCENTS)
    swaps = [(" & ", " et "), (" ET ", " & "), (" et ", " & "), (" & ", " en "), (" & ", " and ")]
    a, b = rng.choice(swaps)
    if rng.random() < 0.4:
        name = name.replace(a, b)
    if rng.random() < 0.3:
        name = name.replace("Saint ", "St ").replace("SAINT ", "ST ")
    spellings = forms + legacy * 2 if legacy and rng.random() < 0.5 else forms
    if spellings and rng.random() < 0.6:
        form = rng.choice(spellings)
        name = f"{form} {name}" if rng.random() < 0.3 else f"{name} {form}"
    elif rng.random() < 0.04:
        name = f"Ets {name}"
    if rng.random() < 0.15:
        name = _typo(rng, name)
    return name


def _fr_row(rng: random.Random, u: dict) -> dict:
    """A French unit as a row: which name, which place, how typed."""
    forms = next(f[1] for f in FR_FORMS if f[0] == u["form"])
    names = [n for n in (u["denomination"], u["sign"]) if n]
    if u["sigle"] and rng.random() < 0.3:
        name = u["sigle"]
    elif u["usual"] and rng.random() < 0.5:
        name = u["usual"]
    elif names:
        name = rng.choice(names)
        for form in ("SARL", "SAS"):
            name = name.removesuffix(f" {form}")
    else:  # an EI with no sign: the person's name
        name = f"{u['first']} {u['last']}" if rng.random() < 0.5 else f"{u['last']} {u['first']}"
    place = (
        u["places"][0]
        if len(u["places"]) == 1 or rng.random() < 0.5
        else rng.choice(u["places"][1:])
    )
    row = {
        "name": typed_name(rng, name, forms, []),
        "country": rng.choice(["France", "FR", "France"]),
    }
    row.update(_typed_place(rng, place["postcode"], place["town"], "fr"))
    if rng.random() < 0.7:
        word = place["type_word"] if rng.random() < 0.8 else place["type"].lower()
        row["address"] = f"{place['number']} {word} {_case(rng, place['street'])}"
    return row


def _be_row(rng: random.Random, e: dict) -> dict:
    if e["abbr"] and rng.random() < 0.3:
        name = e["abbr"]
    elif e["commercial"] and (not e["legal"] or rng.random() < 0.4):
        name = e["commercial"]
    else:
        name = e["legal"] or f"{e['last'].title()} {rng.choice(['Jan', 'Marc', 'Luc', 'Anne'])}"
    places = ([e["seat"]] if e["seat"] else []) + e["sites"]
    p = places[0] if len(places) == 1 or rng.random() < 0.5 else rng.choice(places[1:])
    row = {
        "name": typed_name(rng, name, e["typed_forms"], e["legacy_forms"]),
        "country": rng.choice(["Belgique", "BE", "België", "Belgium"]),
    }
    town = p["town_fr"] if p["french"] else p["town_nl"]
    r = rng.random()
    if p["sub"] != town and r < 0.3:  # the sub-municipality's name
        row.update(_typed_place(rng, p["postcode"], p["sub"], "be"))
    elif p["postcode"] != p["main"] and r < 0.6:  # the main postcode of the municipality
        row.update({"postcode": p["main"], "city": town})
    else:
        row.update(_typed_place(rng, p["postcode"], town, "be"))
    if rng.random() < 0.7:
        row["address"] = f"{p['street_fr'] if p['french'] else p['street_nl']} {p['number']}"
    return row


def _typed_place(rng: random.Random, postcode: str, town: str, country: str) -> dict:
    r = rng.random()
    if r < 0.08:  # only the town
        return {"postcode": "", "city": town}
    if r < 0.13:  # a typo'd postcode, the right town
        k = rng.randint(1, len(postcode) - 1)
        return {
            "postcode": postcode[:k] + str((int(postcode[k]) + 1) % 10) + postcode[k + 1 :],
            "city": town,
        }
    city = town if rng.random() < 0.85 else ""
    return {"postcode": postcode, "city": city.translate(ACCENTS) if rng.random() < 0.2 else city}


def typed_rows(
    world: World, keep_fr: list[bool], keep_be: list[bool], n: int, seed: int, blank_country: float
) -> pl.DataFrame:
    """*n* rows of companies (a tenth of them not in the registry; a ceased company a third
    as likely as a live one), with the truth."""
    rng = random.Random(seed)
    rows = []
    fr_in = [u for u, k in zip(world.fr, keep_fr) if k]
    fr_out = [u for u, k in zip(world.fr, keep_fr) if not k]
    be_in = [e for e, k in zip(world.be, keep_be) if k]
    be_out = [e for e, k in zip(world.be, keep_be) if not k]
    share_fr = len(world.fr) / max(len(world.fr) + len(world.be), 1)
    for _ in range(n):
        french, inside = rng.random() < share_fr, rng.random() < 0.9
        pool = (fr_in if inside else fr_out) if french else (be_in if inside else be_out)
        c = rng.choice(pool)
        while c.get("ceased") and rng.random() < 2 / 3:  # a contact file is mostly live companies
            c = rng.choice(pool)
        row = _fr_row(rng, c) if french else _be_row(rng, c)
        if rng.random() < blank_country:
            row["country"] = ""
        row.update(
            truth_country=c["country"],
            truth_id=c["id"],
            truth_nace=c["naf"] if french else c["nace"],
            in_registry=inside,
        )
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("address", "city", "postcode").fill_null("")
    )


# ---------------------------------------------------------------- measure
def attached_ids(attached: pl.DataFrame, index: Path) -> pl.Series:
    """The registry id each row was attached to: the ``registry_number`` column, or (an
    enrich before it) the company whose name, postcode and street were attached."""
    if "registry_number" in attached.columns:
        return attached["registry_number"]
    keys = ["registry_name", "registry_postcode", "registry_street"]
    companies = pl.read_parquet(index / "companies.parquet").select(
        pl.col("registry_id").alias("_id"),
        pl.col("official_name").alias("registry_name"),
        pl.col("postcode").alias("registry_postcode"),
        pl.concat_str(
            pl.coalesce("street_fr", "street_nl"), "house_number", separator=" ", ignore_nulls=True
        )
        .replace("", None)
        .alias("registry_street"),
    )
    unique = companies.filter(pl.len().over(keys) == 1)
    return attached.select(keys).join(
        unique, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )["_id"]


def score(attached: pl.DataFrame, truth: pl.DataFrame, index: Path) -> dict:
    """In-registry rows found right / attached wrongly / sent to review / not found, NACE
    right; out-of-registry rows attached."""
    got = attached.select(
        (pl.col("source_row").cast(pl.Int64) - 1).alias("i"),
        pl.col("registry_match").alias("how"),
        attached_ids(attached, index).alias("got_id"),
        "nace_code",
    ).sort("i")
    got = pl.concat([truth, got], how="horizontal")
    named = pl.col("how").is_in(["name", "name and postcode"])
    review = pl.col("how").str.contains("review")
    right = named & (pl.col("got_id") == pl.col("truth_id"))
    nace = pl.col("nace_code").str.replace_all(r"\D", "") == pl.col("truth_nace").str.replace_all(
        r"\D", ""
    )
    inside, outside = got.filter("in_registry"), got.filter(~pl.col("in_registry"))

    def count(frame: pl.DataFrame, expr: pl.Expr) -> int:
        return int(frame.select(expr.fill_null(False).sum()).item())

    n = max(inside.height, 1)
    found, wrong = count(inside, right), count(inside, named & ~right)
    named_ids = pl.scan_parquet(index / "names.parquet").select("registry_id").unique().collect()
    nameless = inside.join(named_ids, left_on="truth_id", right_on="registry_id", how="anti")
    return {
        "rows": got.height,
        "in_registry": inside.height,
        "found_right": f"{found / n:.3f}",
        "attached_wrong": f"{wrong / n:.3f}",
        "precision": f"{found / max(found + wrong, 1):.4f}",
        "to_review": f"{count(inside, review) / n:.3f}",
        "not_found": f"{1 - (found + wrong + count(inside, review)) / n:.3f}",
        "nace_right": f"{count(inside, named & nace) / n:.3f}",
        "no_name_in_registry": f"{nameless.height / n:.3f}",  # KBO natural persons without one
        "out_of_registry": outside.height,
        "out_attached": f"{count(outside, named) / max(outside.height, 1):.3f}",
    }


def skew(world: World) -> dict:
    """How often the commonest names recur in the registry (legal names and shop signs)."""
    names = pl.Series(
        [n for u in world.fr for n in {u["denomination"], u["sign"]} if n]
        + [n.upper() for e in world.be for n in {e["legal"], e["commercial"]} if n]
    )
    counts = names.value_counts(sort=True)
    top = dict(counts.head(5).iter_rows())
    wanted = ["PHARMACIE DU CENTRE", "BOULANGERIE MARTIN", "GARAGE DE LA GARE"]
    return {
        "names": names.len(),
        "names_shared": int(counts.filter(pl.col("count") > 1)["count"].sum()),
        "commonest": top,
        **{n: int(counts.filter(pl.col("") == n)["count"].sum()) for n in wanted},
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--fr", type=int, default=300_000, help="SIRENE legal units")
    ap.add_argument("--be", type=int, default=100_000, help="KBO enterprises")
    ap.add_argument("--rows", type=int, default=20_000, help="typed rows")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--blank-country",
        type=float,
        default=0.2,
        help="share of rows whose country cell is empty (default 0.2)",
    )
    ap.add_argument("--out", default=str(DATA / "registry_match"))
    ap.add_argument(
        "--keep-index", action="store_true", help="reuse the index of an earlier run (no build)"
    )
    args = ap.parse_args()
    out = Path(args.out) / f"{args.fr}_{args.be}_{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    world = World(args.fr, args.be, args.seed)
    rng = random.Random(args.seed + 1)
    keep_fr = [rng.random() < 0.97 for _ in world.fr]
    keep_be = [rng.random() < 0.97 for _ in world.be]
    number(world)
    index = out / "index"
    build = (0.0, 0.0, "")
    if not (args.keep_index and (index / "meta.json").exists()):
        units, sites = write_sirene(world, keep_fr, out)
        kbo = write_kbo(world, keep_be, out / "KboOpenData_0140_2025_10_05_Full.zip")
        build = measure(
            [*ENRICH, "registry", "build", "--kbo", str(kbo), "--sirene", str(units)]
            + ["--sirene-establishments", str(sites), "-o", str(index), "-q"]
        )
    rows = typed_rows(world, keep_fr, keep_be, args.rows, args.seed + 2, args.blank_country)
    contacts = out / f"contacts_{args.rows}_{args.blank_country}.csv"
    rows.write_parquet(out / f"truth_{args.rows}_{args.blank_country}.parquet")
    rows.select(
        pl.col("name").alias("Raison sociale"),
        pl.col("address").alias("Adresse"),
        pl.col("postcode").alias("Code postal"),
        pl.col("city").alias("Ville"),
        pl.col("country").alias("Pays"),
    ).write_csv(contacts, separator=";")
    attached_path = out / "attached.parquet"
    attach = measure(
        [*ENRICH, "attach", str(contacts), "--registry", str(index), "-o", str(attached_path), "-q"]
    )
    attached = pl.read_parquet(attached_path)
    result = score(attached, rows, index)
    result["build_s"], result["build_rss_mb"] = round(build[0], 1), round(build[1])
    result["attach_s"], result["attach_rss_mb"] = round(attach[0], 1), round(attach[1])
    print(json.dumps({"registry": skew(world), **result}, indent=2))


if __name__ == "__main__":
    main()
