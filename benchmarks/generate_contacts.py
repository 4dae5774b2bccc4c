"""Generate a synthetic, deterministic B2B contact file from Belgium and France.

The file looks like what lands on a data steward's desk: a purchased prospect list
(``--style fr``: cp1252, ``;``, CRLF, French headers) or a CRM export (``--style crm``:
UTF-8, ``,``, LF, English headers). It is meant for benchmarks of ``enrich`` (speed, and
with ``--truth`` the quality of deduplication), so it carries the usual mess:

* ~55 % Belgian, ~45 % French companies; about ``rows / 6`` companies, several contacts
  each, some companies with two or three sites (FR: one SIRET per site);
* ~15 % of the rows are near-duplicates of another row (typos, case changes, legal-form
  variants, other VAT/phone formats, missing fields, accents dropped, first/last name
  swapped, a moved address);
* identifiers with valid check digits (BE mod 97, FR Luhn / TVA key) typed in many
  formats; ~3 % wrong check digit, ~2 % garbage (``N/A``, ``en cours``), ~20 % empty;
* phones valid per the BE/FR numbering plans in a dozen notations, ~3 % invalid;
* emails (personal, initials, role, free-mail), ~3 % malformed, some upper case/padded;
* traps: fully empty rows, the header repeated every ~200k rows (concatenated files),
  values containing the separator or quotes, an embedded newline, formula-looking cells.

Everything is drawn from one ``random.Random(seed)``: the same arguments give the same
bytes. ``--truth`` writes ``row,company_entity,person_entity`` where ``row`` is the 1-based
CSV *record* number after the header (a record with an embedded newline spans two
physical lines but is one row; empty and repeated-header rows count and have empty ids).

Usage::

    python benchmarks/generate_contacts.py --rows 1000000 --out bench-data/contacts_1m.csv \\
        --truth bench-data/contacts_1m.truth.csv
    python benchmarks/generate_contacts.py --rows 2000 --style crm --out /tmp/crm.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import io
import sys
import time
import unicodedata
from bisect import bisect
from contextlib import ExitStack
from pathlib import Path
from random import Random

# --------------------------------------------------------------------------- layouts

FR_HEADER = [
    "Raison sociale", "Forme juridique", "N° TVA", "SIRET", "Adresse", "Code postal", "Ville",
    "Pays", "Civilité", "Nom", "Prénom", "Fonction", "E-mail", "Téléphone", "Portable",
    "Date de mise à jour", "Désinscrit",
]  # fmt: skip
CRM_HEADER = [
    "Record ID", "Account Name", "VAT Number", "Street", "Zip", "City", "Country", "Salutation",
    "First Name", "Last Name", "Title", "Email", "Phone", "Mobile", "Last Modified Date",
    "Email Opt Out",
]  # fmt: skip
# a Dutch-language export of a Belgian list: no country column, qualified person headers,
# one column for "the number" (BTW or KBO for BE rows, whatever was typed for FR ones) and a
# mobile column whose header says nothing
NL_HEADER = [
    "Bedrijf", "Rechtsvorm", "BTW / Ondernemingsnr", "Adres", "Postcode", "Gemeente",
    "Aanspreking", "Contact Voornaam", "Contact Achternaam", "Functie", "E-mailadres",
    "Telefoon", "Veld 1", "Datum wijziging", "Geen mailing gewenst",
]  # fmt: skip
# a US-made CRM export: qualified person headers, US dates (m/d/yyyy), a country column
# often left empty, and a "Company ID" that holds the SIRET or the enterprise number
HUB_HEADER = [
    "Record ID", "Contact first name", "Contact last name", "Email Address", "Phone Number",
    "Mobile Phone Number", "Job Title", "Company Name", "Company VAT", "Company ID",
    "Street Address", "Postal Code", "City", "Country/Region", "Last Activity Date",
    "Unsubscribed from all email",
]  # fmt: skip
STYLES = {
    # style: (header, encoding, delimiter, line terminator)
    "fr": (FR_HEADER, "cp1252", ";", "\r\n"),
    "crm": (CRM_HEADER, "utf-8", ",", "\n"),
    "nl": (NL_HEADER, "cp1252", ";", "\r\n"),
    "hub": (HUB_HEADER, "utf-8", ",", "\n"),
}
# the canonical field each header of the new styles holds (rows are built by field)
STYLE_FIELDS = {
    "nl": [
        "name", "form", "vat", "line", "postcode", "city", "civ", "first", "last", "function",
        "email", "phone", "mobile", "date", "optout",
    ],
    "hub": [
        "record", "first", "last", "email", "phone", "mobile", "function", "name", "vat",
        "siret", "line", "postcode", "city", "country", "date", "optout",
    ],
}  # fmt: skip

# --------------------------------------------------------------------------- word lists

FIRST_FR_M = [
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "François", "Jérôme", "Stéphane",
    "Sébastien", "Frédéric", "Laurent", "Olivier", "Thierry", "Christophe", "Éric", "Julien",
    "Mathieu", "Benoît", "Gaëtan", "Raphaël", "Noël", "Hervé", "René", "André", "Cédric", "Loïc",
    "Grégory", "Antoine", "Thomas", "Maxime", "Hugo", "Lucas", "Louis", "Arnaud", "Yves",
    "Jacques", "Guillaume", "Xavier", "Vincent", "Bernard", "Didier", "Patrick", "Pascal", "Régis",
    "Joël", "Jean-Marc", "Jean-François", "Jean-Luc", "Bruno", "Damien", "Quentin", "Romain",
    "Fabrice", "Serge", "Daniel", "Claude", "Marcel", "Théo", "Adrien",
]  # fmt: skip
FIRST_FR_F = [
    "Marie", "Hélène", "Isabelle", "Nathalie", "Sylvie", "Catherine", "Françoise", "Véronique",
    "Sophie", "Céline", "Aurélie", "Émilie", "Valérie", "Christine", "Anne", "Julie", "Camille",
    "Léa", "Chloé", "Manon", "Inès", "Zoé", "Mélanie", "Stéphanie", "Brigitte", "Monique",
    "Geneviève", "Agnès", "Bénédicte", "Anaïs", "Noémie", "Maëlle", "Élodie", "Delphine",
    "Sandrine", "Laurence", "Virginie", "Claire", "Caroline", "Anne-Sophie", "Marie-Claire",
    "Marie-Hélène", "Pascale", "Dominique", "Martine", "Florence", "Muriel", "Corinne", "Audrey",
    "Justine", "Pauline", "Margaux", "Océane", "Solène",
]  # fmt: skip
FIRST_NL_M = [
    "Jan", "Pieter", "Koen", "Bart", "Wim", "Tom", "Dirk", "Geert", "Luc", "Marc", "Kris", "Stijn",
    "Joris", "Wouter", "Jeroen", "Bram", "Sander", "Thijs", "Lars", "Maarten", "Filip", "Hendrik",
    "Jens", "Pieterjan", "Niels", "Ruben", "Jef", "Gert", "Steven", "Kurt", "Frank", "Jürgen",
    "Wannes", "Seppe", "Arne", "Dries", "Glenn", "Kevin", "Yannick", "Sven", "Bert", "Hans", "Rik",
    "Ward", "Jonas",
]  # fmt: skip
FIRST_NL_F = [
    "An", "Els", "Griet", "Katrien", "Liesbeth", "Sofie", "Lies", "Evi", "Inge", "Veerle", "Hilde",
    "Annelies", "Nele", "Lotte", "Femke", "Ine", "Eline", "Marieke", "Sarah", "Lien", "Ilse",
    "Kristel", "Martine", "Mieke", "Joke", "Chloë", "Anneleen", "Leen", "Ann", "Karolien", "Tine",
    "Elke", "Sien", "Jolien", "Nathalie", "Saskia", "Kim", "Lore", "Febe", "Margot",
]  # fmt: skip
LAST_FR = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
    "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun",
    "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Arnaud", "Rolland",
    "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard",
    "Gaillard", "Philippe", "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez",
    "Hubert", "Guillot", "Rivière", "Deschamps", "Lebrun", "Bouvier", "Collet", "Prévost",
    "Hébert", "Lejeune", "Maréchal", "Collard", "Piron", "Gilson", "Goffin", "Wilmotte", "Lhoest",
    "Mathy", "Delvaux", "Dethier", "Henrard", "Jacquet", "Hennebert", "Lecomte", "Dierickx",
    "Châtelain", "Bécart", "Lévêque", "Jourdain", "Mallet", "Besnard", "Poirier", "Carré",
    "Ménard", "Tessier", "Le Gall", "Le Goff", "Le Roux", "Da Silva", "d'Artois", "de la Fontaine",
    "Du Pont", "de Villiers", "Saint-Pierre", "Le Bihan", "Dos Santos", "de Ligne",
]  # fmt: skip
LAST_NL = [
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
    "Hermans", "Aerts", "Pauwels", "Vermeulen", "Vandenberghe", "Verstraete", "Desmet", "Declercq",
    "Vercammen", "Verhoeven", "Michiels", "Smets", "Claeys", "Martens", "Lambrechts", "Dewulf",
    "Cools", "Coppens", "Segers", "Baert", "Geerts", "Verbruggen", "Vandamme", "Verschueren",
    "Vanderstraeten", "Bogaert", "Deprez", "Vermeersch", "Lievens", "Müller", "Schmitz",
    "Vandewalle", "Hendrickx", "Jansen", "Leemans", "Stevens", "Thys", "Nijs", "Wuyts", "Luyten",
    "Boeckx", "Heylen", "Moens", "Verlinden", "Bosmans", "Van Hove", "De Smet", "Van Damme",
    "Van den Broeck", "Van den Berghe", "De Clercq", "De Backer", "Van de Velde", "De Vos",
    "Van Hoof", "Van Dyck", "De Wilde", "Van Acker", "Van der Linden", "Van Looy", "D'Hondt",
    "De Meyer", "Van Hecke", "Van Steen", "De Coster", "Van Mechelen", "Op de Beeck",
    "Vanden Bossche",
]  # fmt: skip
FUNCTIONS_FR = [
    "Gérant", "Gérant", "Directeur général", "Directeur commercial", "Responsable achats",
    "Comptable", "Assistant de direction", "Responsable RH", "DAF", "Président", "PDG",
    "Chef de projet", "Responsable logistique", "Office manager", "Secrétaire", "Technicien",
    "Responsable marketing", "Directeur technique", "Associé", "Chargé de communication",
    "Responsable informatique", "Administrateur délégué",
]  # fmt: skip
# titles women often (not always) use in the feminine form
FEMININE = {
    "Gérant": "Gérante",
    "Directeur général": "Directrice générale",
    "Directeur commercial": "Directrice commerciale",
    "Président": "Présidente",
    "Assistant de direction": "Assistante de direction",
    "Technicien": "Technicienne",
    "Directeur technique": "Directrice technique",
    "Associé": "Associée",
    "Chargé de communication": "Chargée de communication",
    "Administrateur délégué": "Administratrice déléguée",
}
FUNCTIONS_NL = [
    "Zaakvoerder", "Bestuurder", "Boekhouder", "Aankoper", "Verkoopsdirecteur",
    "Algemeen directeur", "Office manager", "HR-verantwoordelijke", "Projectleider",
    "Logistiek manager", "Marketing manager", "Commercieel directeur", "Secretariaat", "Technicus",
    "Afgevaardigd bestuurder", "Verantwoordelijke aankoop", "IT-verantwoordelijke",
]  # fmt: skip
FUNCTIONS_EN = [
    "CEO", "CFO", "COO", "Sales Manager", "Purchasing Manager", "IT Manager", "Managing Director",
    "Account Manager", "Owner", "Head of Procurement",
]  # fmt: skip

TRADE_FR = [
    "Boulangerie", "Pâtisserie", "Boucherie", "Garage", "Pharmacie", "Brasserie", "Café",
    "Restaurant", "Immo", "Immobilière", "Transports", "Menuiserie", "Plomberie", "Électricité",
    "Toitures", "Cabinet", "Fiduciaire", "Imprimerie", "Librairie", "Quincaillerie", "Carrosserie",
    "Taxis", "Fleurs", "Optique", "Chauffage", "Peintures", "Jardins", "Nettoyage", "Ambulances",
    "Pompes funèbres", "Auto-école", "Coiffure", "Atelier", "Agence", "Clinique vétérinaire",
    "Laboratoire", "Maison", "Domaine", "Ferme", "Hôtel", "Traiteur", "Fromagerie", "Cave",
    "Cuisines", "Carrelages", "Matériaux", "Ferronnerie", "Informatique", "Construction",
    "Rénovation", "Charpente", "Maçonnerie",
]  # fmt: skip
TRADE_NL_PREFIX = [
    "Bakkerij", "Slagerij", "Garage", "Apotheek", "Brouwerij", "Immo", "Café", "Restaurant",
    "Drukkerij", "Schrijnwerkerij", "Loodgieterij", "Kapsalon", "Tuincentrum", "Boekhandel",
    "Dierenartsenpraktijk", "Optiek", "Taxi", "Bloemen", "Frituur", "Hotel", "Advocatenkantoor",
]  # fmt: skip
TRADE_NL_SUFFIX = [
    "Bouw", "Transport", "Elektro", "Schilderwerken", "Dakwerken", "Tuinaanleg", "Verhuur",
    "Metaal", "Hout", "Keukens", "Interieur", "Logistiek", "Installaties", "Verwarming", "Vloeren",
    "Ramen", "Grondwerken", "Accountancy", "Consult", "Bouwwerken", "Sanitair",
]  # fmt: skip
TRADE_EN_SUFFIX = [
    "Services", "Consulting", "Solutions", "Logistics", "Group", "Partners", "Trading", "Invest",
    "Distribution", "Systems", "Engineering", "Technologies",
]  # fmt: skip
PLACE_FR = [
    "du Centre", "de la Gare", "du Parc", "de la Place", "du Marché", "de l'Église", "des Alpes",
    "du Midi", "du Nord", "de la Poste", "du Château", "du Lac", "Saint-Martin", "des Halles",
    "de la Croix", "du Moulin", "des Tilleuls", "de la Vallée",
]  # fmt: skip
PLACE_NL = [
    "'t Centrum", "De Markt", "Het Anker", "De Zwaan", "'t Hoekske", "De Linde", "Den Engel",
    "De Kroon", "Het Park", "De Molen", "Sint-Jan", "De Kouter",
]  # fmt: skip
BRAND_A = [
    "Techno", "Data", "Euro", "Bel", "Flandria", "Wallo", "Alpha", "Omega", "Nova", "Info", "Med",
    "Eco", "Agro", "Bio", "Pro", "Inter", "Trans", "Multi", "Top", "Star", "Green", "Smart", "Net",
    "Cyber", "Proxi", "Logi", "Qualit", "Optim", "Securi", "Hexa", "Neo", "Sun", "Atlas", "Delta",
    "Vita", "Terra", "Aqua", "Lumi",
]  # fmt: skip
BRAND_B = [
    "tech", "line", "com", "nova", "soft", "med", "lux", "plus", "land", "net", "pro", "sys",
    "gest", "ware", "dis", "bat", "elec", "form", "log", "vision",
]  # fmt: skip

# canonical legal form -> spellings seen in files
FORM_SPELLINGS = {
    "SRL": ["SRL", "SRL", "srl", "S.R.L.", "Srl"],
    "BV": ["BV", "BV", "B.V.", "bv"],
    "SPRL": ["SPRL", "SPRL", "sprl", "S.P.R.L.", "Sprl"],
    "BVBA": ["BVBA", "BVBA", "B.V.B.A.", "bvba"],
    "SA": ["SA", "SA", "S.A.", "sa", "s.a."],
    "NV": ["NV", "NV", "N.V.", "nv"],
    "SC": ["SC", "SC", "SCRL", "scrl"],
    "CV": ["CV", "CV", "CVBA"],
    "ASBL": ["ASBL", "asbl", "A.S.B.L."],
    "VZW": ["VZW", "vzw", "V.Z.W."],
    "SComm": ["SComm", "SCS"],
    "CommV": ["CommV", "GCV"],
    "SAS": ["SAS", "SAS", "S.A.S.", "sas", "Sas"],
    "SASU": ["SASU", "S.A.S.U."],
    "SARL": ["SARL", "SARL", "S.A.R.L.", "Sarl", "sarl", "S.à r.l."],
    "EURL": ["EURL", "E.U.R.L.", "Eurl"],
    "SNC": ["SNC", "S.N.C."],
    "SCI": ["SCI", "S.C.I."],
    "EI": ["EI"],
}
FORM_LONG = {
    "SRL": "Société à responsabilité limitée", "BV": "Besloten vennootschap",
    "SPRL": "Société privée à responsabilité limitée",
    "BVBA": "Besloten vennootschap met beperkte aansprakelijkheid",
    "SA": "Société anonyme", "NV": "Naamloze vennootschap", "SC": "Société coopérative",
    "CV": "Coöperatieve vennootschap", "ASBL": "Association sans but lucratif",
    "VZW": "Vereniging zonder winstoogmerk", "SAS": "Société par actions simplifiée",
    "SARL": "Société à responsabilité limitée", "EURL": "Entreprise unipersonnelle à responsabilité limitée",
}  # fmt: skip
# the same company typed with an equivalent or former form (other language, pre-2019 form)
FORM_ALIASES = {
    "SRL": ["SPRL", "BV"],
    "SPRL": ["SRL", "BVBA"],
    "BV": ["BVBA", "SRL"],
    "BVBA": ["BV", "SPRL"],
    "SA": ["NV"],
    "NV": ["SA"],
    "SC": ["CV"],
    "CV": ["SC"],
    "ASBL": ["VZW"],
    "VZW": ["ASBL"],
    "SAS": ["SASU"],
    "SASU": ["SAS"],
    "SARL": ["EURL"],
    "EURL": ["SARL"],
}
FORMS_BE_FR = (
    ["SRL"] * 30 + ["SPRL"] * 12 + ["SA"] * 14 + ["SC"] * 3 + ["ASBL"] * 4 + ["SComm"] + [""] * 12
)
FORMS_BE_NL = (
    ["BV"] * 30 + ["BVBA"] * 12 + ["NV"] * 14 + ["CV"] * 3 + ["VZW"] * 4 + ["CommV"] + [""] * 12
)
FORMS_FR = (
    ["SAS"] * 28
    + ["SARL"] * 26
    + ["SASU"] * 8
    + ["EURL"] * 8
    + ["SA"] * 6
    + ["SNC"] * 2
    + ["SCI"] * 3
    + ["EI"] * 4
    + [""] * 12
)

# BE (postcode, FR name, NL name, language area, weight); Eupen is German-speaking
BE_PLACES = [
    ("1000", "Bruxelles", "Brussel", "bi", 30), ("1020", "Laeken", "Laken", "bi", 3),
    ("1030", "Schaerbeek", "Schaarbeek", "bi", 5), ("1040", "Etterbeek", "Etterbeek", "bi", 4),
    ("1050", "Ixelles", "Elsene", "bi", 6), ("1060", "Saint-Gilles", "Sint-Gillis", "bi", 3),
    ("1070", "Anderlecht", "Anderlecht", "bi", 5),
    ("1080", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek", "bi", 3),
    ("1090", "Jette", "Jette", "bi", 2), ("1140", "Evere", "Evere", "bi", 2),
    ("1150", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", "bi", 2),
    ("1160", "Auderghem", "Oudergem", "bi", 2),
    ("1170", "Watermael-Boitsfort", "Watermaal-Bosvoorde", "bi", 1),
    ("1180", "Uccle", "Ukkel", "bi", 4), ("1190", "Forest", "Vorst", "bi", 2),
    ("1200", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe", "bi", 3),
    ("1210", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node", "bi", 1),
    ("1300", "Wavre", "Waver", "fr", 3), ("1348", "Louvain-la-Neuve", "Louvain-la-Neuve", "fr", 2),
    ("1400", "Nivelles", "Nijvel", "fr", 2), ("1410", "Waterloo", "Waterloo", "fr", 2),
    ("1500", "Hal", "Halle", "nl", 2), ("1700", "Dilbeek", "Dilbeek", "nl", 2),
    ("1800", "Vilvorde", "Vilvoorde", "nl", 2), ("1930", "Zaventem", "Zaventem", "nl", 3),
    ("2000", "Anvers", "Antwerpen", "nl", 14), ("2018", "Anvers", "Antwerpen", "nl", 5),
    ("2100", "Deurne", "Deurne", "nl", 2), ("2300", "Turnhout", "Turnhout", "nl", 3),
    ("2500", "Lierre", "Lier", "nl", 2), ("2600", "Berchem", "Berchem", "nl", 2),
    ("2800", "Malines", "Mechelen", "nl", 4), ("3000", "Louvain", "Leuven", "nl", 6),
    ("3500", "Hasselt", "Hasselt", "nl", 5), ("3600", "Genk", "Genk", "nl", 3),
    ("3800", "Saint-Trond", "Sint-Truiden", "nl", 2), ("4000", "Liège", "Luik", "fr", 10),
    ("4020", "Liège", "Luik", "fr", 3), ("4100", "Seraing", "Seraing", "fr", 2),
    ("4500", "Huy", "Hoei", "fr", 2), ("4700", "Eupen", "Eupen", "fr", 1),
    ("4800", "Verviers", "Verviers", "fr", 3), ("5000", "Namur", "Namen", "fr", 6),
    ("5100", "Jambes", "Jambes", "fr", 2), ("5500", "Dinant", "Dinant", "fr", 1),
    ("6000", "Charleroi", "Charleroi", "fr", 7), ("6700", "Arlon", "Aarlen", "fr", 2),
    ("6900", "Marche-en-Famenne", "Marche-en-Famenne", "fr", 1),
    ("7000", "Mons", "Bergen", "fr", 5), ("7100", "La Louvière", "La Louvière", "fr", 3),
    ("7500", "Tournai", "Doornik", "fr", 3), ("7700", "Mouscron", "Moeskroen", "fr", 2),
    ("8000", "Bruges", "Brugge", "nl", 6), ("8400", "Ostende", "Oostende", "nl", 3),
    ("8500", "Courtrai", "Kortrijk", "nl", 5), ("8800", "Roulers", "Roeselare", "nl", 3),
    ("8900", "Ypres", "Ieper", "nl", 2), ("9000", "Gand", "Gent", "nl", 12),
    ("9100", "Saint-Nicolas", "Sint-Niklaas", "nl", 3), ("9200", "Termonde", "Dendermonde", "nl", 2),
    ("9300", "Alost", "Aalst", "nl", 4), ("9400", "Ninove", "Ninove", "nl", 1),
    ("9700", "Audenarde", "Oudenaarde", "nl", 1),
]  # fmt: skip
# FR (postcode, city, weight); leading zeros and Corsica's 20xxx on purpose
FR_PLACES = [
    ("75001", "Paris", 3), ("75002", "Paris", 3), ("75008", "Paris", 8), ("75009", "Paris", 4),
    ("75011", "Paris", 5), ("75015", "Paris", 5), ("75017", "Paris", 5),
    ("92100", "Boulogne-Billancourt", 4), ("92200", "Neuilly-sur-Seine", 2),
    ("93100", "Montreuil", 2), ("94300", "Vincennes", 1), ("69002", "Lyon", 4),
    ("69003", "Lyon", 5), ("69007", "Lyon", 3), ("13001", "Marseille", 3),
    ("13008", "Marseille", 4), ("59000", "Lille", 6), ("59100", "Roubaix", 2),
    ("59200", "Tourcoing", 2), ("01000", "Bourg-en-Bresse", 2), ("02100", "Saint-Quentin", 2),
    ("03100", "Montluçon", 1), ("06000", "Nice", 4), ("06400", "Cannes", 2), ("07000", "Privas", 1),
    ("08000", "Charleville-Mézières", 1), ("20000", "Ajaccio", 1), ("20200", "Bastia", 1),
    ("31000", "Toulouse", 6), ("33000", "Bordeaux", 6), ("34000", "Montpellier", 4),
    ("35000", "Rennes", 4), ("44000", "Nantes", 5), ("67000", "Strasbourg", 4),
    ("51100", "Reims", 2), ("57000", "Metz", 2), ("54000", "Nancy", 2), ("21000", "Dijon", 2),
    ("37000", "Tours", 2), ("45000", "Orléans", 2), ("76000", "Rouen", 2), ("80000", "Amiens", 2),
    ("62000", "Arras", 1), ("29200", "Brest", 2), ("38000", "Grenoble", 3),
    ("42000", "Saint-Étienne", 2), ("63000", "Clermont-Ferrand", 2), ("87000", "Limoges", 1),
    ("86000", "Poitiers", 1), ("64000", "Pau", 1), ("66000", "Perpignan", 1), ("84000", "Avignon", 1),
    ("74000", "Annecy", 2), ("73000", "Chambéry", 1), ("25000", "Besançon", 1),
    ("68100", "Mulhouse", 1), ("14000", "Caen", 2), ("49000", "Angers", 2), ("72000", "Le Mans", 1),
]  # fmt: skip

STREETS_BE_FR = [
    "Rue de la Loi", "Rue Neuve", "Avenue Louise", "Chaussée de Waterloo", "Boulevard Anspach",
    "Rue du Marché", "Place Saint-Lambert", "Rue de Namur", "Avenue de Tervueren",
    "Chaussée de Louvain", "Rue des Alliés", "Rue de l'Église", "Rue de la Station",
    "Rue du Moulin", "Avenue des Combattants", "Rue Haute", "Chaussée de Mons", "Rue de Fragnée",
    "Boulevard d'Avroy", "Rue Grande", "Rue de Bruxelles", "Rue du Commerce", "Rue Royale",
    "Rue Léopold", "Quai de la Batte", "Avenue du Roi Albert", "Rue de France",
    "Chaussée de Charleroi", "Rue des Champs", "Avenue Reine Astrid", "Rue Saint-Gilles",
    "Rue de l'Industrie", "Boulevard Tirou", "Rue Émile Vandervelde", "Rue des Tanneurs",
]  # fmt: skip
STREETS_BE_NL = [
    "Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat",
    "Kapelstraat", "Meir", "Veldstraat", "Grote Markt", "Industrieweg", "Brusselsesteenweg",
    "Gentsesteenweg", "Leuvensesteenweg", "Kortrijksesteenweg", "Antwerpsesteenweg", "Bredabaan",
    "Turnhoutsebaan", "Koning Albertlaan", "Lindenlaan", "Beukenlaan", "Hoogstraat", "Bosstraat",
    "Kouter", "Zuidstraat", "Noordlaan", "Diestsestraat", "Mechelsesteenweg", "Liersesteenweg",
    "Ringlaan", "Vaartstraat", "Sint-Pietersnieuwstraat", "Nijverheidslaan", "Boomsesteenweg",
]  # fmt: skip
STREET_TYPES_FR = (
    ["rue"] * 10
    + ["avenue"] * 4
    + ["boulevard"] * 2
    + ["place", "allée", "impasse", "chemin", "route", "quai", "cours"]
)
STREET_NAMES_FR = [
    "de la Paix", "Jean Jaurès", "Victor Hugo", "du Général de Gaulle", "de la République",
    "Pasteur", "Gambetta", "Voltaire", "des Lilas", "de Verdun", "Nationale", "du Maréchal Foch",
    "Saint-Honoré", "Émile Zola", "de la Liberté", "du 8 Mai 1945", "de Paris", "des Écoles",
    "du Stade", "des Acacias", "Carnot", "Molière", "de la Gare", "Aristide Briand", "Jean Moulin",
    "des Frères Lumière", "de l'Hôtel de Ville", "du Faubourg Saint-Antoine",
]  # fmt: skip
ZONES_FR = [
    "ZI des Alouettes", "ZA du Moulin", "Zone industrielle Nord", "Parc d'activités de la Vallée",
    "ZAC des Portes de l'Ouest", "Lieu-dit La Croix", "ZI de la Plaine", "Technopole Sud",
    "ZA Les Pins",
]  # fmt: skip
STREET_ABBREV = [  # (full, abbreviations) applied to street lines
    ("Avenue ", ["Av. ", "Ave ", "Av "]),
    ("avenue ", ["av. ", "ave "]),
    ("Boulevard ", ["Bd ", "Bld ", "Boul. "]),
    ("boulevard ", ["bd ", "bld "]),
    ("Chaussée ", ["Chée ", "Chaus. "]),
    ("Rue ", ["R. "]),
    ("rue ", ["r. "]),
    ("Place ", ["Pl. "]),
    ("straat", ["str.", "str"]),
    ("steenweg", ["stwg", "stwg."]),
    ("laan", ["ln."]),
    ("Saint-", ["St-"]),
    ("Sint-", ["St.-"]),
]
GARBAGE_IDS = ["N/A", "n/a", "en cours", "-", "0", "?", "NC", "nvt", "/", "000000000", "xxx"]
GARBAGE_PHONES = ["NC", "n/a", "tel", "voir site", "0", "-", "pas de tel", "nvt", "???"]
FREEMAIL_BE = [
    "gmail.com", "hotmail.com", "skynet.be", "telenet.be", "outlook.com", "proximus.be",
    "hotmail.be", "yahoo.fr", "scarlet.be", "live.be",
]  # fmt: skip
FREEMAIL_FR = [
    "gmail.com", "hotmail.com", "orange.fr", "wanadoo.fr", "free.fr", "hotmail.fr", "sfr.fr",
    "laposte.net", "yahoo.fr", "outlook.fr",
]  # fmt: skip
ROLES_FR = [
    "info", "contact", "accueil", "compta", "direction", "commercial", "secretariat", "admin",
    "sales", "facturation",
]  # fmt: skip
ROLES_NL = [
    "info", "verkoop", "boekhouding", "administratie", "onthaal", "sales", "office", "info",
    "contact",
]  # fmt: skip


# --------------------------------------------------------------------------- --realism
# A real registry's names are skewed: the commonest trade + place and trade + surname names
# ("Pharmacie du Centre", "Boulangerie Martin", "Garage de la Gare") are hundreds of distinct
# companies each (other forms, towns, SIRENs, switchboards). With --realism a share
# P_COMMON of the companies take such a name, drawn with Zipf weights rank ** -ZIPF_S, so
# the repeats grow with the file: ~10 of the top name at 10k rows, ~500 at 1M.
P_COMMON = 0.2
ZIPF_S = 0.6
COMMON_TRADES_FR = [
    "Pharmacie", "Boulangerie", "Garage", "Carrosserie", "Boucherie", "Coiffure", "Café",
    "Restaurant", "Hôtel", "Taxis", "Auto-école", "Optique", "Plomberie", "Électricité",
    "Menuiserie", "Transports", "Pâtisserie", "Fleurs", "Brasserie", "Immobilière", "Ambulances",
    "Tabac", "Cabinet",
]  # fmt: skip
COMMON_TRADES_NL = [
    "Apotheek", "Bakkerij", "Garage", "Slagerij", "Kapsalon", "Café", "Frituur", "Taxi",
    "Optiek", "Bloemen", "Restaurant", "Immo", "Hotel", "Drukkerij", "Tuincentrum",
]  # fmt: skip
COMMON_FIRST_FR = [
    "Pharmacie du Centre", "Garage de la Gare", "Boulangerie Martin", "Carrosserie Faure",
    "Pharmacie de la Gare", "Café de la Place", "Boulangerie du Centre", "Garage du Centre",
]  # fmt: skip
COMMON_FIRST_NL = ["Apotheek De Markt", "Bakkerij Peeters", "Garage 't Centrum", "Frituur De Kroon"]
# network / franchise domains: many distinct companies mail from one domain
FRANCHISE = {
    "Pharmacie": ["giphar.fr", "pharmavie.fr", "pharmaciesreunies.com"],
    "Apotheek": ["multipharma.be", "apotheek-netwerk.be"],
    "Optique": ["krys.com", "opticien-atol.fr"],
    "Optiek": ["pearle.be"],
    "Garage": ["ad-garage.fr", "motrio.fr", "garage-partner.be"],
    "Carrosserie": ["ad-carrosserie.fr", "carrosserie-five-star.fr"],
    "Immobilière": ["century21.fr", "orpi.com", "laforet.com"],
    "Immo": ["century21.be", "era.be"],
    "Boulangerie": ["ange.fr", "banette.fr"],
    "Bakkerij": ["bakkersgilde.be"],
    "Coiffure": ["franckprovost.com", "tchip.fr"],
    "Kapsalon": ["hairnet-salons.be"],
    "Auto-école": ["ecf.fr", "cer-reseau.fr"],
    "Taxis": ["taxis-g7.fr"],
    "Hôtel": ["logishotels.com"],
    "Tabac": ["buralistes.fr"],
}
NETWORK_DOMAINS = {d for ds in FRANCHISE.values() for d in ds}
# synthetic towns for --realism (a registry has thousands of towns, the lists above ~120):
# a postcode anywhere in the country, its town name built from it
TOWN_FR_A = [
    "Saint-Martin", "Villeneuve", "Beaumont", "Châteauneuf", "Fontaine", "Montigny", "Rochefort",
    "Bourg", "Pont", "Vaux", "Champagne", "Moulins", "Sainte-Marie", "Clairvaux", "Belleville",
    "Mont", "Val", "Bois", "Neuville", "Lachapelle",
]  # fmt: skip
TOWN_FR_B = [
    "-sur-Loire", "-le-Vieux", "-en-Bresse", "-les-Bains", "-la-Forêt", "-sur-Mer", "-du-Lac",
    "", "-sur-Saône", "-en-Vexin", "-lès-Nancy", "-le-Château", "-d'Aunis", "-sur-Marne",
]  # fmt: skip
TOWN_NL_A = [
    "Oost", "Wester", "Zand", "Berg", "Lin", "Moer", "Hou", "Mol", "Kes", "Her", "Sint-Ma",
    "Ede", "Wijn", "Ros", "Beve", "Lo",
]  # fmt: skip
TOWN_NL_B = ["kerke", "zele", "gem", "hout", "beek", "donk", "lare", "hem", "dijk", "broek", "rode"]
TOWN_WA_A = [
    "Mont", "Ville", "Fon", "Beau", "Chap", "Her", "Mar", "Thi", "Flo", "Sain", "Rochef", "Ger",
]  # fmt: skip
TOWN_WA_B = [
    "-sur-Sambre", "ville", "court", "fontaine", "mont", "ries", "champs", "-lez-Huy", "elle",
]  # fmt: skip


def _town(pc: int, first: list[str], second: list[str]) -> str:
    """A stable made-up town name for postcode *pc* ('Villeneuve-sur-Loire').

    >>> _town(66110, TOWN_FR_A, TOWN_FR_B) == _town(66110, TOWN_FR_A, TOWN_FR_B)
    True
    """
    h = pc * 2654435761 % 4294967296
    return first[h % len(first)] + second[(h >> 8) % len(second)]


def far_place(rnd: Random, country: str, lang: str) -> tuple:
    """A place tuple shaped like BE_PLACES' / FR_PLACES' anywhere in the country."""
    if country == "FR":
        pc = f"{rnd.choice(FR_DEPTS)}{rnd.randrange(100) * 10:03d}"
        if pc.endswith("000"):
            pc = pc[:-1] + "1"
        return pc, _town(int(pc), TOWN_FR_A, TOWN_FR_B)
    if lang == "nl":  # Flanders: 1500-3999, 8000-9999
        n = rnd.randrange(150, 400) if rnd.random() < 0.55 else rnd.randrange(800, 1000)
        town = _town(n, TOWN_NL_A, TOWN_NL_B)
        area = "nl"
    else:  # Wallonia: 1300-1499, 4000-7999
        n = rnd.randrange(130, 150) if rnd.random() < 0.1 else rnd.randrange(400, 800)
        town = _town(n, TOWN_WA_A, TOWN_WA_B)
        area = "fr"
    return f"{n * 10}", town, town, area


def _zipf_pool(trades: list[str], places: list[str], surnames: list[str], first: list[str]):
    """(names, cumulative Zipf weights): *first* at the top ranks, then trade + place and
    trade + surname names in a fixed shuffled order."""
    names = [f"{t} {p}" for t in trades for p in places] + [
        f"{t} {s}" for t in trades for s in surnames
    ]
    Random(7).shuffle(names)
    names = first + [n for n in names if n not in first]
    return names, _cum(1 / (k + 1) ** ZIPF_S for k in range(len(names)))


# --------------------------------------------------------------------------- helpers


def _weighted_pairs(*pairs: tuple[str, int]) -> tuple[str, ...]:
    """Each value repeated by its weight: a uniform pick from the tuple is a weighted pick."""
    return tuple(v for v, w in pairs for _ in range(w))


CIV_FR_M = _weighted_pairs(("M.", 30), ("Monsieur", 10), ("Mr", 8), ("M", 5), ("MR", 3), ("", 8))
CIV_FR_F = _weighted_pairs(
    ("Mme", 30), ("Madame", 10), ("Mme.", 4), ("MME", 3), ("Mlle", 1), ("", 8)
)
CIV_NL_M = _weighted_pairs(("Dhr.", 30), ("De heer", 6), ("Mr", 6), ("M.", 4), ("", 8))
CIV_NL_F = _weighted_pairs(("Mevr.", 30), ("Mevrouw", 6), ("Mw.", 4), ("Mme", 4), ("", 8))
CIV_CRM_M = _weighted_pairs(("Mr.", 30), ("M.", 5), ("Dr.", 1), ("", 8))
CIV_CRM_F = _weighted_pairs(("Ms.", 25), ("Mrs.", 6), ("Mme", 4), ("Dr.", 1), ("", 8))
OPTOUT_FR_NO = _weighted_pairs(("Non", 50), ("", 30), ("0", 10), ("non", 5), ("NON", 2))
OPTOUT_FR_YES = _weighted_pairs(("Oui", 45), ("1", 20), ("x", 15), ("X", 8), ("oui", 10))
OPTOUT_NL_NO = _weighted_pairs(("nee", 40), ("", 40), ("0", 10), ("Nee", 10))
OPTOUT_NL_YES = _weighted_pairs(("ja", 45), ("x", 20), ("1", 15), ("Ja", 20))
OPTOUT_CRM_NO = _weighted_pairs(("false", 70), ("FALSE", 10), ("0", 10), ("", 10))
OPTOUT_CRM_YES = _weighted_pairs(("true", 70), ("TRUE", 15), ("1", 15))
COUNTRY_BE = _weighted_pairs(
    ("", 22),
    ("Belgique", 30),
    ("België", 12),
    ("BE", 15),
    ("Belgium", 10),
    ("BELGIQUE", 6),
    ("Belgie", 2),
    ("B", 1),
)
COUNTRY_FR = _weighted_pairs(
    ("", 22), ("France", 45), ("FR", 15), ("FRANCE", 12), ("france", 3), ("F", 1), ("Fr", 1)
)
FORMULA_JUNK = [
    '=HYPERLINK("http://x","Promo")',
    "=1+2",
    "=SUM(A1:A3)",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+33 OFFRE SPECIALE",
    "-2+3",
]

EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()
DATE_LO = dt.date(2015, 1, 1).toordinal()
DATE_HI = dt.date(2025, 10, 31).toordinal()
DATES = [  # (dd/mm/yyyy, yyyy-mm-dd, d/m/yyyy) per day, formatted once
    (f"{d.day:02d}/{d.month:02d}/{d.year}", d.isoformat(), f"{d.day}/{d.month}/{d.year}")
    for d in map(dt.date.fromordinal, range(DATE_LO, DATE_HI + 1))
]

# accent stripping for slugs and "typed without accents" variants (fast str.translate)
_STRIP = {}
for _cp in range(0xC0, 0x180):
    _ch = chr(_cp)
    _base = "".join(c for c in unicodedata.normalize("NFKD", _ch) if not unicodedata.combining(c))
    if _base != _ch and _base.isascii():
        _STRIP[_cp] = _base
_STRIP.update({ord("Œ"): "OE", ord("œ"): "oe", ord("ß"): "ss", ord("’"): "'"})
STRIP_ACCENTS = str.maketrans(_STRIP)
SLUG = str.maketrans(
    {**_STRIP, " ": "", "'": "", "’": "", "&": "", ".": "", ",": "", "(": "", ")": ""}
)
NEIGHBOURS = "azertyuiopqsdfghjklmwxcvbn"


class FastRandom(Random):
    """``random.Random`` with ``choice``/``randrange`` built on one ``random()`` call.

    The stdlib versions are exact but cost ~1 µs each (rejection sampling in Python); a
    float draw is plenty for picking words, and it is still fully seeded/deterministic.
    """

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))


# --------------------------------------------------------------------------- identifiers


def _pool(weights: list[int]) -> list[int]:
    """Indices repeated by weight, for a fast weighted ``rnd.choice``."""
    return [i for i, w in enumerate(weights) for _ in range(w)]


def be_check(base8: int) -> int:
    """Mod-97 check of a Belgian enterprise number: 97 - base % 97 (so 1..97)."""
    return 97 - base8 % 97


_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_digit(digits: str) -> str:
    """The digit that makes ``digits + d`` pass the Luhn check.

    >>> luhn_digit("55212022"), luhn_digit("5521202220001")
    ('2', '3')
    """
    # once the check digit is appended, the last digit of ``digits`` is doubled
    total = sum(map(_LUHN_DOUBLE.__getitem__, map(int, digits[::-1][::2])))
    total += sum(map(int, digits[::-1][1::2]))
    return str(-total % 10)


def fr_tva_key(siren: str) -> int:
    return (12 + 3 * (int(siren) % 97)) % 97


def new_be_number(rnd: Random) -> str:
    """A 10-digit enterprise number with a valid check (0-series mostly, a few 1-series)."""
    base = (
        rnd.randrange(10_000_000, 10_300_000)
        if rnd.random() < 0.04
        else rnd.randrange(2_000_000, 9_999_999)
    )
    return f"{base:08d}{be_check(base):02d}"


def new_siren(rnd: Random) -> str:
    body = str(rnd.randrange(30_000_000, 99_999_999))
    if body == "35600000":  # La Poste has its own SIRET rule; keep clear of it
        body = "35600001"
    return body + luhn_digit(body)


def new_siret(rnd: Random, siren: str, site: int) -> str:
    # real NICs are mostly small sequence numbers (00010, 00028 ...): 4 digits + Luhn digit
    nic4 = f"{site + 1:04d}" if rnd.random() < 0.7 else f"{rnd.randrange(10000):04d}"
    return siren + nic4 + luhn_digit(siren + nic4)


def corrupt_check(number: str, rnd: Random, is_valid) -> str:
    """Change the last (check) digit(s) until ``is_valid`` says no."""
    while True:
        wrong = number[:-1] + str(rnd.randrange(10))
        if not is_valid(wrong):
            return wrong


def be_number_ok(n: str) -> bool:
    return len(n) == 10 and n.isdigit() and n[0] in "01" and (int(n[:8]) + int(n[8:])) % 97 == 0


def luhn_ok(n: str) -> bool:
    return n.isdigit() and luhn_digit(n[:-1]) == n[-1]


def format_be_vat(n: str, style: int) -> str:
    """Ways people type BE0403170701 (style 0-11).

    >>> [format_be_vat("0403170701", i) for i in (0, 1, 2, 3, 4)]
    ['BE0403170701', 'BE 0403.170.701', '0403.170.701', 'BE403170701', 'be 0403 170 701']
    """
    if style == 0:
        return f"BE{n}"
    if style == 3:
        return f"BE{n[1:] if n[0] == '0' else n}"
    if style == 5:
        return n
    if style == 6:
        return f"BE {n}"
    if style == 10:
        return f"BTW BE{n}"
    a, b, c = n[:4], n[4:7], n[7:]
    if style == 1:
        return f"BE {a}.{b}.{c}"
    if style == 2:
        return f"{a}.{b}.{c}"
    if style == 4:
        return f"be {a} {b} {c}"
    if style == 7:
        return f"BE-{a}.{b}.{c}"
    if style == 8:
        return f"BE{a}.{b}.{c}"
    if style == 9:
        return f"TVA BE {a}.{b}.{c}"
    return f"{a} {b} {c}"


BE_VAT_STYLES = _pool([22, 14, 18, 5, 4, 12, 5, 3, 5, 2, 2, 3])


def format_fr_tva(siren: str, key: int, style: int) -> str:
    """Ways people type FR40303265045 (style 0-7; 7 is the bare SIREN, no key).

    >>> [format_fr_tva("303265045", 40, i) for i in (0, 1, 2)]
    ['FR40303265045', 'FR 40 303265045', 'FR40 303 265 045']
    """
    if style == 0:
        return f"FR{key:02d}{siren}"
    if style == 1:
        return f"FR {key:02d} {siren}"
    if style == 3:
        return f"fr{key:02d}{siren}"
    if style == 5:
        return f"FR-{key:02d}-{siren}"
    if style == 6:
        return f"{key:02d}{siren}"
    s = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    if style == 2:
        return f"FR{key:02d} {s}"
    if style == 4:
        return f"FR {key:02d} {s}"
    return s


FR_TVA_STYLES = _pool([50, 14, 12, 4, 10, 2, 3, 2])


def format_siret(siret: str, style: int) -> str:
    """'73282932000074', '732 829 320 00074', '732829320 00074', '732.829.320.00074'."""
    if style == 0:
        return siret
    if style == 1:
        return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    if style == 2:
        return f"{siret[:9]} {siret[9:]}"
    return f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}.{siret[9:]}"


SIRET_STYLES = _pool([60, 20, 15, 5])


# --------------------------------------------------------------------------- phones

BE_ZONES_1 = {"2": "2345678", "3": "2345678", "4": "23", "9": "234"}
BE_ZONES_2 = (
    ["10", "11", "13", "14", "15", "16", "19"]
    + [str(z) for z in range(50, 61)]
    + ["63", "64", "65", "67", "69", "71"]
    + [str(z) for z in range(80, 88)]
    + ["89"]
)
BE_MOBILE = ["460", "465", "466", "467", "468"] + [str(p) for p in range(470, 500)]
FR_FIXED_2 = (
    ["1" + d for d in "23456789"] * 3
    + ["2" + d for d in "0123457"]
    + ["3" + d for d in "123456789"]
    + ["4" + d for d in "123456789"]
    + ["5" + d for d in "0123456"]
    + ["9" + d for d in "5789"]
)
FR_MOBILE_2 = ["6" + d for d in "0124578"] * 3 + ["7" + d for d in "3456789"]


def digits(rnd: Random, n: int) -> str:
    return str(rnd.randrange(10**n)).zfill(n)


# BE zone code by postcode: (first postcode, zone), e.g. 1300 Wavre 010, 4800 Verviers 087
BE_ZONE_BY_POSTCODE = [
    (1000, "2"), (1300, "10"), (1400, "67"), (1410, "2"), (2000, "3"), (2300, "14"), (2500, "3"),
    (2800, "15"), (3000, "16"), (3500, "11"), (3600, "89"), (3800, "11"), (4000, "4"),
    (4500, "85"), (4700, "87"), (5000, "81"), (5500, "82"), (6000, "71"), (6700, "63"),
    (6900, "84"), (7000, "65"), (7100, "64"), (7500, "69"), (7700, "56"), (8000, "50"),
    (8400, "59"), (8500, "56"), (8800, "51"), (8900, "57"), (9000, "9"), (9100, "3"),
    (9200, "52"), (9300, "53"), (9400, "54"), (9700, "55"),
]  # fmt: skip
_BE_ZONE_STARTS = [start for start, _ in BE_ZONE_BY_POSTCODE]
# FR geographic prefix (01-05) by département (first two digits of the postcode)
_FR_REGIONS = {
    "1": "75 77 78 91 92 93 94 95",
    "2": "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85",
    "3": "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
    "4": "01 03 04 05 06 07 11 13 15 20 26 30 34 38 42 43 48 63 66 69 73 74 83 84",
    "5": "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87",
}
FR_REGION_DIGIT = {dep: digit for digit, deps in _FR_REGIONS.items() for dep in deps.split()}
FR_DEPTS = sorted(FR_REGION_DIGIT)  # --realism: towns anywhere in France
# second digits that are valid geographic ranges per first digit (02 6x, 040, 059x partly not)
FR_FIXED_SECOND = {
    "1": "0123456789",
    "2": "01234578",
    "3": "0123456789",
    "4": "123456789",
    "5": "012345678",
    "9": "5789",
}


def be_zone(postcode: str) -> str:
    """'4800' -> '87' (Verviers); the zone a switchboard number there starts with."""
    return BE_ZONE_BY_POSTCODE[bisect(_BE_ZONE_STARTS, int(postcode)) - 1][1]


def new_be_fixed(rnd: Random, zone: str | None = None) -> str:
    """National significant number (8 digits, no trunk 0), in ``zone`` when given."""
    if zone is None:
        zone = rnd.choice(("2", "2", "2", "3", "4", "9") if rnd.random() < 0.55 else BE_ZONES_2)
    if zone in BE_ZONES_1:
        return zone + rnd.choice(BE_ZONES_1[zone]) + digits(rnd, 6)
    return zone + rnd.choice("2345678" if zone == "80" else "23456789") + digits(rnd, 5)


def new_be_mobile(rnd: Random) -> str:
    return rnd.choice(BE_MOBILE) + digits(rnd, 6)


def new_fr_fixed(rnd: Random, first: str | None = None) -> str:
    """National significant number (9 digits): 01-05 by region (``first``) or 09 (VoIP box)."""
    if first is None:
        return rnd.choice(FR_FIXED_2) + digits(rnd, 7)
    return first + rnd.choice(FR_FIXED_SECOND[first]) + digits(rnd, 7)


def new_fr_mobile(rnd: Random) -> str:
    return rnd.choice(FR_MOBILE_2) + digits(rnd, 7)


def format_be_phone(nsn: str, style: int) -> str:
    """BE notations; ``nsn`` has 8 (fixed) or 9 (mobile) digits. Builds only the one asked."""
    if len(nsn) == 9:  # mobile: 0475 12 34 56
        a, b, c, d = nsn[:3], nsn[3:5], nsn[5:7], nsn[7:]
        if style == 0:
            return f"0{a} {b} {c} {d}"
        if style == 1:
            return f"0{a}/{b}.{c}.{d}"
        if style == 2:
            return f"+32{nsn}"
        if style == 3:
            return f"+32 {a} {b} {c} {d}"
        if style == 4:
            return f"0{nsn}"
        if style == 5:
            return f"0032{nsn}"
        if style == 6:
            return f"0{a}/{b}{c}{d}"
        if style == 7:
            return f"0032 {a} {b} {c} {d}"
        if style == 8:
            return f"+32 (0){a} {b} {c} {d}"
        return f"0{a}.{b}.{c}.{d}"
    # fixed: one-digit zones 2, 3, 4, 9 unless the two digits are a zone of their own
    z = 1 if nsn[0] in "2349" and nsn[:2] not in BE_ZONES_2 else 2
    zone, sub = nsn[:z], nsn[z:]
    a, b, c = sub[:-4], sub[-4:-2], sub[-2:]
    if style == 0:
        return f"0{zone} {a} {b} {c}"
    if style == 1:
        return f"0{zone}/{a}.{b}.{c}"
    if style == 2:
        return f"+32 {zone} {a} {b} {c}"
    if style == 3:
        return f"0032 {zone} {a} {b} {c}"
    if style == 4:
        return f"0{nsn}"
    if style == 5:
        return f"+32{nsn}"
    if style == 6:
        return f"0{zone}/{sub}"
    if style == 7:
        return f"+32 (0){zone} {a} {b} {c}"
    if style == 8:
        return f"0{zone} {sub}"
    return f"0{zone}.{a}.{b}{c}"


BE_PHONE_STYLES = _pool([30, 14, 14, 4, 8, 6, 5, 3, 4, 2])


def format_fr_phone(nsn: str, style: int) -> str:
    """FR notations of a 9-digit national significant number."""
    if style == 3:
        return f"0{nsn}"
    if style == 4:
        return f"0033{nsn}"
    if style == 7:
        return f"+33{nsn}"
    a, b, c, d, e = nsn[0], nsn[1:3], nsn[3:5], nsn[5:7], nsn[7:]
    if style == 0:
        return f"0{a} {b} {c} {d} {e}"
    if style == 1:
        return f"0{a}.{b}.{c}.{d}.{e}"
    if style == 2:
        return f"+33 {a} {b} {c} {d} {e}"
    if style == 5:
        return f"+33 (0){a} {b} {c} {d} {e}"
    if style == 6:
        return f"0{a}-{b}-{c}-{d}-{e}"
    return f"0{a}{b} {c}{d} {e}"


FR_PHONE_STYLES = _pool([45, 16, 12, 10, 3, 3, 3, 5, 3])


def bad_phone(nsn: str, rnd: Random) -> str:
    r = rnd.random()
    if r < 0.45:  # digits lost
        return "0" + nsn[: rnd.randrange(4, len(nsn) - 1)]
    if r < 0.7:  # a letter typed for a digit
        i = rnd.randrange(2, len(nsn))
        return "0" + nsn[:i] + rnd.choice("OlIxa") + nsn[i + 1 :]
    return rnd.choice(GARBAGE_PHONES)


# --------------------------------------------------------------------------- text helpers


def typo(s: str, rnd: Random) -> str:
    if len(s) < 4:
        return s
    i = rnd.randrange(1, len(s) - 1)
    r = rnd.random()
    if r < 0.3:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if r < 0.55:
        return s[:i] + s[i + 1 :]
    if r < 0.8:
        return s[:i] + s[i] + s[i:]
    return s[:i] + rnd.choice(NEIGHBOURS) + s[i + 1 :]


def abbreviate(street: str, rnd: Random) -> str:
    for full, abbr in STREET_ABBREV:
        if full in street:
            return street.replace(full, rnd.choice(abbr), 1)
    return street


def swap_and(name: str, rnd: Random) -> str:
    for a, b in (
        (" & ", " et "),
        (" et ", " & "),
        (" en ", " & "),
        ("Ets ", "Établissements "),
        ("Établissements ", "Ets "),
        ("Saint-", "St-"),
        ("Sint-", "St-"),
    ):
        if a in name:
            return name.replace(a, b, 1)
    return name


# --------------------------------------------------------------------------- the world


class World:
    """Companies, sites and persons, drawn once; rows are renderings of them."""

    def __init__(
        self,
        rnd: Random,
        n_companies: int,
        n_persons: int,
        style: str,
        realism: bool = False,
        wrong_column: float = 0.0,
    ):
        self.rnd, self.style = rnd, style
        self.realism, self.wrong_column = realism, wrong_column
        self.taken: set[str] = set()  # --realism: identifiers and domains given out
        if realism:  # name -> (names, cumulative Zipf weights) by language
            self.common = {
                "fr": _zipf_pool(COMMON_TRADES_FR, PLACE_FR, LAST_FR[:40], COMMON_FIRST_FR),
                "nl": _zipf_pool(COMMON_TRADES_NL, PLACE_NL, LAST_NL[:30], COMMON_FIRST_NL),
            }
        self.be_places = [p[:4] for p in BE_PLACES]
        self.be_cum = _cum(p[4] for p in BE_PLACES)
        self.fr_places = [p[:2] for p in FR_PLACES]
        self.fr_cum = _cum(p[2] for p in FR_PLACES)
        # company: [country, lang, core name, form, id, domain or "", freemail?, case, placement]
        self.companies: list[list] = []
        # site: (company, street line, place tuple, phone nsn, siret, moved street, moved place)
        self.sites: list[tuple] = []
        for c in range(n_companies):
            self._new_company(c)
        # persons: (site, female, first, last, function, email, mobile, direct, date, optout)
        self.persons: list[tuple] = []
        self._new_persons(n_persons)
        self.primary: list = [None] * len(self.sites)  # cached site rendering
        crm = style in ("crm", "hub")
        # civilities[female][nl]
        self.civilities = (
            (CIV_CRM_M, CIV_CRM_M) if crm else (CIV_FR_M, CIV_NL_M),
            (CIV_CRM_F, CIV_CRM_F) if crm else (CIV_FR_F, CIV_NL_F),
        )
        self.optouts = (OPTOUT_CRM_NO, OPTOUT_CRM_YES) if crm else (OPTOUT_FR_NO, OPTOUT_FR_YES)
        if style == "nl":
            self.optouts = (OPTOUT_NL_NO, OPTOUT_NL_YES)

    # ---- companies
    def _new_company(self, c: int) -> None:
        rnd = self.rnd
        r = rnd.random
        if r() < 0.55:
            country = "BE"
            lang = "nl" if r() < 0.55 else "fr"
            form = rnd.choice(FORMS_BE_NL if lang == "nl" else FORMS_BE_FR)
            ident = new_be_number(rnd)
        else:
            country, lang = "FR", "fr"
            form = rnd.choice(FORMS_FR)
            ident = new_siren(rnd)
        if self.realism:  # one number, one company (drawn again on a collision)
            while ident in self.taken:
                ident = new_be_number(rnd) if country == "BE" else new_siren(rnd)
            self.taken.add(ident)
        common = self.realism and r() < P_COMMON
        if common:
            names, cum = self.common[lang]
            core = names[bisect(cum, r() * cum[-1])]
        else:
            core = self._company_name(lang, country)
        freemail = r() < (0.35 if form in ("", "EI") else 0.08)
        if freemail:
            domain = rnd.choice(FREEMAIL_BE if country == "BE" else FREEMAIL_FR)
        else:
            slug = core.lower().translate(SLUG).replace("-", "")
            if r() < 0.3:
                slug = core.lower().translate(STRIP_ACCENTS).replace(" & ", "-").replace(" ", "-")
                slug = "".join(ch for ch in slug if ch.isalnum() or ch == "-").strip("-")
            tld = (
                (".be" if r() < 0.8 else rnd.choice((".com", ".eu")))
                if country == "BE"
                else (".fr" if r() < 0.75 else ".com")
            )
            domain = slug[:28] + tld
            if self.realism:  # a domain has one owner: a namesake takes another
                k = 1
                while domain in self.taken:
                    k += 1
                    domain = f"{slug[:26]}{k}{tld}"
                self.taken.add(domain)
        case = 1 if r() < (0.35 if country == "FR" else 0.15) else (2 if r() < 0.03 else 0)
        placement = rnd.choice((0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4)) if form else 4
        if form in ("NV", "BV", "BVBA", "SARL", "SAS") and placement == 0 and r() < 0.3:
            placement = 1  # "NV Janssens Bouw", "SARL DUPONT"
        self.companies.append([country, lang, core, form, ident, domain, freemail, case, placement])
        n_sites = 1 if r() < 0.9 else rnd.choice((2, 2, 3))
        for s in range(n_sites):
            self.sites.append(self._new_site(c, country, lang, ident, s, common))
        if common:
            self._common_domain(self.companies[-1], self.sites[-1][2])

    def _common_domain(self, company: list, place: tuple) -> None:
        """A common-name company mails from a network (franchise) domain shared with
        other companies, from a free-mail box, or from its own domain with its town in it
        (the bare name is taken: 'boulangerie-martin-perpignan.fr')."""
        rnd = self.rnd
        x = rnd.random()
        networks = FRANCHISE.get(company[2].split(" ")[0])
        if networks and x < 0.4:
            company[5], company[6] = rnd.choice(networks), False
        elif not company[6]:
            town = place[1].lower().translate(SLUG).replace("-", "")[:12]
            stem = company[2].lower().translate(SLUG).replace("-", "")[:20] + "-" + town
            tld = ".be" if company[0] == "BE" else ".fr"
            domain = stem + tld
            k = 1
            while domain in self.taken:
                k += 1
                domain = f"{stem}{k}{tld}"
            self.taken.add(domain)
            company[5] = domain

    def _company_name(self, lang: str, country: str) -> str:
        rnd = self.rnd
        r = rnd.random()
        last = rnd.choice(LAST_NL if lang == "nl" and rnd.random() < 0.85 else LAST_FR)
        last2 = rnd.choice(LAST_NL if lang == "nl" else LAST_FR)
        if lang == "nl":
            if r < 0.30:
                return f"{last} {rnd.choice(TRADE_NL_SUFFIX)}"
            if r < 0.50:
                return f"{rnd.choice(TRADE_NL_PREFIX)} {last}"
            if r < 0.60:
                return f"{rnd.choice(TRADE_NL_PREFIX)} {rnd.choice(PLACE_NL)}"
            if r < 0.68:
                return f"{last} & {last2}"
            if r < 0.74:
                return f"{last} en Zonen"
        else:
            if r < 0.32:
                return f"{rnd.choice(TRADE_FR)} {last}"
            if r < 0.44:
                return f"{rnd.choice(TRADE_FR)} {rnd.choice(PLACE_FR)}"
            if r < 0.52:
                return f"Ets {last} & Fils" if rnd.random() < 0.6 else f"{last} Frères"
            if r < 0.60:
                return f"Cabinet {last} & {last2}" if rnd.random() < 0.5 else f"{last} & Associés"
            if r < 0.66:
                return f"{last} {rnd.choice(TRADE_EN_SUFFIX)}"
            if r < 0.70 and country == "BE":
                return f"{last} {rnd.choice(TRADE_NL_SUFFIX)}"
        brand = rnd.choice(BRAND_A) + rnd.choice(BRAND_B)
        return brand if rnd.random() < 0.5 else f"{brand} {rnd.choice(TRADE_EN_SUFFIX)}"

    def _new_site(self, c, country, lang, ident, s, spread=False):
        rnd = self.rnd
        street, place = self._new_address(country, lang, spread)
        # the switchboard matches the area (a few companies keep a number from elsewhere)
        local = rnd.random() < 0.95
        if country == "BE":
            phone = new_be_fixed(rnd, be_zone(place[0]) if local else None)
        else:
            phone = new_fr_fixed(
                rnd, FR_REGION_DIGIT[place[0][:2]] if local and rnd.random() < 0.88 else "9"
            )
        siret = new_siret(rnd, ident, s) if country == "FR" else ""
        moved = self._new_address(country, lang, spread) if rnd.random() < 0.06 else (None, None)
        return (c, street, place, phone, siret, moved[0], moved[1])

    def _new_address(self, country: str, lang: str, spread: bool = False):
        """(street, number, box, nl), place; *spread*: mostly a town anywhere in the country
        (--realism: the companies of a common name are all over it)."""
        rnd = self.rnd
        r = rnd.random
        far = spread and r() < 0.8
        if country == "BE":
            while not far:
                place = self.be_places[bisect(self.be_cum, r() * self.be_cum[-1])]
                if place[3] == "bi" or place[3] == lang or r() < 0.05:
                    break
            if far:
                place = far_place(rnd, country, lang)
            nl = place[3] == "nl" or (place[3] == "bi" and lang == "nl")
            street = rnd.choice(STREETS_BE_NL if nl else STREETS_BE_FR)
            num = str(rnd.randrange(1, 250) if r() < 0.9 else rnd.randrange(250, 1500))
            if r() < 0.05:
                num += rnd.choice("ABC")
            box = str(rnd.randrange(1, 30)) if r() < 0.22 else ""
            return (street, num, box, nl), place
        if far:
            place = far_place(rnd, country, lang)
        else:
            place = self.fr_places[bisect(self.fr_cum, r() * self.fr_cum[-1])]
        if r() < 0.08:
            return (rnd.choice(ZONES_FR), "", "", False), place
        num = str(rnd.randrange(1, 180))
        if r() < 0.06:
            num += rnd.choice((" bis", " ter", "bis", " B"))
        return (
            f"{rnd.choice(STREET_TYPES_FR)} {rnd.choice(STREET_NAMES_FR)}",
            num,
            "",
            False,
        ), place

    # ---- persons
    def _new_persons(self, n: int) -> None:
        rnd = self.rnd
        r = rnd.random
        n_sites = len(self.sites)
        # contacts per site: 1 + exponential tail, then trimmed/topped up to exactly n
        sizes = [1 + int(rnd.expovariate(1 / 4.2)) for _ in range(n_sites)]
        diff = n - sum(sizes)
        while diff > 0:
            sizes[rnd.randrange(n_sites)] += 1
            diff -= 1
        while diff < 0:
            i = rnd.randrange(n_sites)
            if sizes[i] > 0:
                sizes[i] -= 1
                diff += 1
        append = self.persons.append
        companies, sites = self.companies, self.sites
        slug = self._slug
        lo, span = DATE_LO, DATE_HI - DATE_LO
        for site, k in enumerate(sizes):
            company = companies[sites[site][0]]
            country, lang, domain, freemail = company[0], company[1], company[5], company[6]
            be = country == "BE"
            mobiles = BE_MOBILE if be else FR_MOBILE_2
            for _ in range(k):
                female = r() < 0.42
                nl = (lang == "nl") if r() < 0.9 else (lang != "nl")
                if nl:
                    names = FIRST_NL_F if female else FIRST_NL_M
                    lasts = LAST_NL if r() < 0.85 else LAST_FR
                    functions = FUNCTIONS_NL if r() < 0.8 else FUNCTIONS_EN
                else:
                    names = FIRST_FR_F if female else FIRST_FR_M
                    lasts = LAST_FR if not be or r() < 0.8 else LAST_NL
                    functions = FUNCTIONS_FR if r() < 0.85 else FUNCTIONS_EN
                first = names[int(r() * len(names))]
                last = lasts[int(r() * len(lasts))]
                function = functions[int(r() * len(functions))] if r() >= 0.12 else ""
                if female and function in FEMININE and r() < 0.8:
                    function = FEMININE[function]
                # email: 10 % none, 10 % role / free-mail alias, else a personal pattern
                x = r()
                if x < 0.10:
                    email = ""
                elif x < 0.20:
                    if freemail:
                        email = f"{slug(last)}{1 + int(r() * 98)}@{domain}"
                    else:
                        roles = ROLES_NL if nl else ROLES_FR
                        email = f"{roles[int(r() * len(roles))]}@{domain}"
                        if domain in NETWORK_DOMAINS:  # info.66000@giphar.fr
                            email = email.replace("@", f".{sites[site][2][0]}@")
                else:
                    f, lst = slug(first), slug(last)
                    x = r()
                    if freemail:
                        if x < 0.4:
                            email = f"{f}.{lst}@{domain}"
                        elif x < 0.6:
                            email = f"{f}{lst}@{domain}"
                        elif x < 0.8:
                            email = f"{f}.{lst}{1 + int(r() * 98)}@{domain}"
                        elif x < 0.9:
                            email = f"{f[0]}{lst}@{domain}"
                        else:
                            email = f"{lst}.{f}@{domain}"
                    elif x < 0.62:
                        email = f"{f}.{lst}@{domain}"
                    elif x < 0.78:
                        email = f"{f[0]}.{lst}@{domain}"
                    elif x < 0.86:
                        email = f"{f[0]}{lst}@{domain}"
                    elif x < 0.93:
                        email = f"{f}@{domain}"
                    elif x < 0.97:
                        email = f"{f}_{lst}@{domain}"
                    else:
                        email = f"{lst}@{domain}"
                if r() < 0.6:
                    mobile = f"{mobiles[int(r() * len(mobiles))]}{int(r() * 1e6):06d}"
                    if not be:
                        mobile += str(int(r() * 10))
                else:
                    mobile = ""
                direct = f"{int(r() * 100):02d}" if r() < 0.25 else ""
                date = lo + int(r() * span)
                optout = 1 if r() < 0.07 else 0
                append((site, female, first, last, function, email, mobile, direct, date, optout))

    def _slug(self, name: str, _cache: dict = {}) -> str:  # noqa: B006 - deliberate memo
        """'Van den Broeck' -> 'vandenbroeck' (email local parts, domains)."""
        out = _cache.get(name)
        if out is None:
            out = _cache[name] = name.lower().translate(SLUG)
        return out

    # ---- rendering
    def site_fields(self, site_id: int, fresh: bool, dup: bool):
        """(name, form, vat, siret, street line, postcode, city, country) of a site."""
        if not fresh:
            cached = self.primary[site_id]
            if cached is not None:
                return cached
        rnd = self.rnd
        r = rnd.random
        c, street, place, _phone, siret, moved_street, moved_place = self.sites[site_id]
        company = self.companies[c]
        country, lang, core, form, ident, _d, _f, case, placement = company
        primary = not fresh
        if dup:
            if moved_street is not None and r() < 0.6:
                street, place = moved_street, moved_place
            if r() < 0.25:
                core = typo(core, rnd)
            if r() < 0.15:
                core = swap_and(core, rnd)
            if r() < 0.3:
                case = rnd.choice((0, 1, 2))
            if form and r() < 0.3:
                form = rnd.choice(FORM_ALIASES.get(form, [form]))
        if fresh:
            placement = rnd.choice((0, 0, 1, 2, 3, 3, 4)) if form else 4
        # legal form in the name or in its own column
        spelled = rnd.choice(FORM_SPELLINGS[form]) if form else ""
        name, form_col = core, ""
        if placement == 0:
            name = f"{core} {spelled}"
        elif placement == 1:
            name = f"{spelled} {core}"
        elif placement == 2:
            name = f"{core} ({spelled})"
        elif placement == 3:
            if self.style in ("crm", "hub"):  # no legal-form column
                name = f"{core} {spelled}" if r() < 0.7 else core
            elif form in FORM_LONG and r() < 0.15:
                form_col = FORM_LONG[form]
            else:
                form_col = spelled
        if case == 1:
            name = name.upper()
        elif case == 2:
            name = name.lower()
        vat, siret_txt = self._ids(country, ident, siret)
        line = self._street_line(country, street, dup)
        postcode, city = self._place(country, lang, place, dup)
        country_txt = self._country(country)
        out = (name, form_col, vat, siret_txt, line, postcode, city, country_txt)
        if primary:
            self.primary[site_id] = out
        return out

    def _ids(self, country, ident, siret):
        rnd = self.rnd
        if self.wrong_column and rnd.random() < self.wrong_column:
            return self._wrong_ids(country, ident, siret)
        r = rnd.random()
        if r < 0.20:
            vat = ""
        elif r < 0.22:
            vat = rnd.choice(GARBAGE_IDS)
        elif country == "BE":
            n = corrupt_check(ident, rnd, be_number_ok) if r < 0.25 else ident
            vat = format_be_vat(n, rnd.choice(BE_VAT_STYLES))
        else:
            key = fr_tva_key(ident)
            if r < 0.25:
                key = (key + rnd.randrange(1, 96)) % 97
            vat = format_fr_tva(ident, key, rnd.choice(FR_TVA_STYLES))
        if country != "FR":
            return vat, ""
        r = rnd.random()
        if r < 0.20:
            return vat, ""
        if r < 0.22:
            return vat, rnd.choice(GARBAGE_IDS)
        s = corrupt_check(siret, rnd, luhn_ok) if r < 0.25 else siret
        return vat, format_siret(s, rnd.choice(SIRET_STYLES))

    def _wrong_ids(self, country, ident, siret):
        """(vat, siret) with the identifier typed in the wrong column: a French SIRET or
        SIREN in the VAT column (the SIRET column then mostly empty), a Belgian enterprise
        number in the SIRET column (the VAT column empty)."""
        rnd = self.rnd
        x = rnd.random()
        if country == "BE":
            if self.style in ("crm", "nl"):  # no other column: the bare number
                return format_be_vat(ident, 5), ""
            return "", format_be_vat(ident, rnd.choice((2, 5, 11)))
        if x < 0.6:
            vat = format_siret(siret, rnd.choice(SIRET_STYLES))
        else:
            vat = format_fr_tva(ident, 0, 7) if x < 0.8 else ident
        keep = rnd.random() < 0.2  # the SIRET column filled as well
        return vat, (format_siret(siret, rnd.choice(SIRET_STYLES)) if keep else "")

    def _street_line(self, country, street, dup):
        rnd = self.rnd
        r = rnd.random
        name, num, box, nl = street
        if dup and r() < 0.05:
            return ""
        if country == "BE":
            line = f"{name} {num}"
            if box:
                b = rnd.choice(
                    ("bus", "bus", "b", "/") if nl else ("bte", "bte", "boîte", "bt", "/")
                )
                line += f"/{box}" if b == "/" else f" {b} {box}"
            if r() < 0.08:
                line = f"{name}, {num}" + line[len(name) + 1 + len(num) :]
        elif num:
            line = f"{num} {name}" if r() < 0.93 else f"{num}, {name}"
            if r() < 0.03:
                line += f" BP {rnd.randrange(1, 400)}"
        else:
            line = name
        if r() < 0.12:
            line = abbreviate(line, rnd)
        if r() < 0.06:
            line = line.upper()
        return line

    def _place(self, country, lang, place, dup):
        rnd = self.rnd
        r = rnd.random()
        if country == "BE":
            pc, fr_name, nl_name, area = place
            if area == "bi":
                city = nl_name if (lang == "nl") ^ (r < 0.1) else fr_name
            else:
                city = nl_name if area == "nl" else fr_name
                if r < 0.06:
                    city = fr_name if area == "nl" else nl_name
            r = rnd.random()
            if r < 0.03:
                pc = f"B-{pc}"
            elif r < 0.055:
                pc = ""
            elif r < 0.065:
                pc, city = "", f"{pc} {city}"
        else:
            pc, city = place
            r = rnd.random()
            if pc[0] == "0" and r < 0.3:  # Excel ate the leading zero
                pc = pc[1:]
            elif r < 0.03:
                pc = ""
            elif r < 0.04:
                pc = f"{pc[:2]} {pc[2:]}"
            elif r < 0.05 and city == "Paris":
                city = f"Paris {int(pc[3:])}{'er' if pc.endswith('01') else 'e'}"
            elif r < 0.06:
                city += " Cedex"
            if rnd.random() < 0.3:
                city = city.upper()
            if dup and rnd.random() < 0.3:
                city = city.translate(STRIP_ACCENTS).replace("Saint-", "St-")
        if rnd.random() < 0.04:
            city = city.upper()
        return pc, city

    def _country(self, country):
        if self.realism and self.rnd.random() < 0.15:
            return ""  # rows that name no country
        names = COUNTRY_BE if country == "BE" else COUNTRY_FR
        return names[int(self.rnd.random() * len(names))]

    def person_fields(self, pid: int, dup: bool):
        """(civility, last, first, function, email, phone, mobile, date, optout)."""
        rnd = self.rnd
        r = rnd.random
        site_id, female, first, last, function, email, mobile, direct, date, optout = self.persons[
            pid
        ]
        site = self.sites[site_id]
        company = self.companies[site[0]]
        be, nl = company[0] == "BE", company[1] == "nl"
        if dup:
            x = r()
            if x < 0.2:
                last = typo(last, rnd)
            elif x < 0.3:
                first = typo(first, rnd)
            elif x < 0.45:
                first, last = first.translate(STRIP_ACCENTS), last.translate(STRIP_ACCENTS)
            elif x < 0.5:
                first, last = last, first
            elif x < 0.55:
                first = first[0] + "."
            elif x < 0.6:
                first = ""
            elif x < 0.65 and " " in last:
                last = last.replace(" ", "")  # "Van den Broeck" -> "Vandenbroeck"
                last = last[0] + last[1:].lower()
            if r() < 0.15:
                email = ""
            if r() < 0.2:
                mobile = ""
            if r() < 0.15:
                function = rnd.choice(
                    FUNCTIONS_EN if r() < 0.5 else (FUNCTIONS_NL if nl else FUNCTIONS_FR)
                )
            date = max(DATE_LO, min(DATE_HI, date + rnd.randrange(-400, 700)))
            if r() < 0.1:
                optout = 1 - optout
        # name case
        x = r()
        if x < 0.22:
            if x < 0.14:
                last = last.upper()
            elif x < 0.18:
                first, last = first.upper(), last.upper()
            else:
                first, last = first.lower(), last.lower()
        civs = self.civilities[female][nl]
        civ = civs[int(r() * len(civs))]
        # email: case, padding, malformed
        if email:
            x = r()
            if x < 0.10:
                if x < 0.03:
                    email = self._malformed(email)
                elif x < 0.07:
                    email = email.upper()
                else:
                    local, _, dom = email.partition("@")
                    email = ".".join(p.capitalize() for p in local.split(".")) + "@" + dom
            if r() < 0.03:
                email = rnd.choice((" ", "  ", "\t")) + email + rnd.choice(("", " "))
        # phones: the site's switchboard, or a direct line on it, in one of many notations
        if be:
            fmt, styles = format_be_phone, BE_PHONE_STYLES
        else:
            fmt, styles = format_fr_phone, FR_PHONE_STYLES
        x = r()
        if x < 0.1:
            phone = ""
        else:
            nsn = site[3]
            if direct and x < 0.6:
                nsn = nsn[:-2] + direct
            bad = r() < 0.03
            phone = bad_phone(nsn, rnd) if bad else fmt(nsn, styles[int(r() * len(styles))])
        if mobile:
            if r() < 0.03:
                mobile = bad_phone(mobile, rnd)
            else:
                mobile = fmt(mobile, styles[int(r() * len(styles))])
            if r() < 0.02:
                phone, mobile = mobile, phone  # mobile typed in the phone column
        # date
        x = r()
        dmy, iso, short = DATES[date - DATE_LO]
        if self.style == "crm":
            hh, mm, ss = 7 + int(r() * 12), int(r() * 60), int(r() * 60)
            if x < 0.5:
                date_txt = f"{iso}T{hh:02d}:{mm:02d}:{ss:02d}.000Z"
            elif x < 0.85:
                date_txt = f"{dmy} {hh:02d}:{mm:02d}"
            else:
                date_txt = iso
        elif self.style == "hub":  # US: m/d/yyyy, some ISO
            y, m, d = iso.split("-")
            date_txt = iso if x < 0.2 else f"{int(m)}/{int(d)}/{y}"
        elif self.style == "nl" and x < 0.74:
            date_txt = dmy.replace("/", "-")
        elif x < 0.74:
            date_txt = dmy
        elif x < 0.86:
            date_txt = iso
        elif x < 0.93:
            date_txt = str(date - EXCEL_EPOCH)  # Excel serial day number
        elif x < 0.96:
            date_txt = short
        elif x < 0.98:
            date_txt = dmy.replace("/", "-")
        else:
            date_txt = ""
        opts = self.optouts[optout]
        return (
            civ,
            last,
            first,
            function,
            email,
            phone,
            mobile,
            date_txt,
            opts[int(r() * len(opts))],
        )

    def _malformed(self, email: str) -> str:
        local, _, dom = email.partition("@")
        r = self.rnd.random()
        if r < 0.2:
            return local + "@"
        if r < 0.4:
            return local.replace(".", " ", 1).replace("_", " ") + "@" + dom
        if r < 0.55:
            return local + "@@" + dom
        if r < 0.7:
            return local + "@" + dom.rsplit(".", 1)[0]
        if r < 0.85:
            return local + "." + dom
        return local + "@" + dom.replace(".", ",", 1)


def _cum(weights):
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


# --------------------------------------------------------------------------- rows

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def record_id(row_no: int, rnd: Random) -> str:
    """An 18-character Salesforce-looking contact id, unique per row."""
    n = (row_no * 2654435761) % 16**10  # odd multiplier: a bijection modulo 16**10
    r = rnd.random
    return f"0035g{n:010X}{B62[int(r() * 62)]}{B62[int(r() * 62)]}{B62[int(r() * 62)]}"


K_BASE, K_DUP, K_EMPTY, K_JUNK, K_NEWLINE, K_SEPARATOR = range(6)


def plan(rnd: Random, rows: int, dup_rate: float):
    """Kinds of the data rows (without repeated headers) and where headers repeat."""
    header_every = min(200_000, rows // 2) if rows >= 1000 else 0
    n_headers = (rows - 1) // header_every if header_every else 0
    n = rows - n_headers
    n_empty = round(rows * 0.001) if rows >= 1000 else 0
    n_junk = max(1, rows // 200_000) if rows >= 1000 else 0
    n_newline = max(1, rows // 100_000) if rows >= 1000 else 0
    n_sep = max(1, rows // 5_000) if rows >= 1000 else 0
    n_dup = round(rows * dup_rate)
    n_base = n - n_empty - n_junk - n_newline - n_sep - n_dup
    if n_base < 1:
        n_base, n_dup = max(1, n - n_empty - n_junk - n_newline - n_sep), 0
    kinds = (
        [K_BASE] * n_base
        + [K_DUP] * n_dup
        + [K_EMPTY] * n_empty
        + [K_JUNK] * n_junk
        + [K_NEWLINE] * n_newline
        + [K_SEPARATOR] * n_sep
    )[:n]
    rnd.shuffle(kinds)
    # the first data row is an ordinary one: readers sniff the first lines
    for i, k in enumerate(kinds):
        if k in (K_BASE,):
            kinds[0], kinds[i] = kinds[i], kinds[0]
            break
    n_persons = n_base + n_newline + n_sep
    return kinds, header_every, n_persons


class LineFormatter:
    """One CSV record as text, exactly as ``csv.writer`` (QUOTE_MINIMAL) would write it.

    ``sep.join`` is several times faster than ``csv.writer``; rows that need quoting (a
    separator, quote or line break inside a value) go through the csv module.
    """

    def __init__(self, sep: str, n_fields: int):
        self.sep, self.n_sep = sep, n_fields - 1
        self.buf = io.StringIO()
        # "\r\n" as terminator: Python 3.11's writer only quotes line breaks it knows of
        self.writer = csv.writer(
            self.buf, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )

    def __call__(self, row: list[str]) -> str:
        line = self.sep.join(row)
        if (
            line.count(self.sep) == self.n_sep
            and '"' not in line
            and "\n" not in line
            and "\r" not in line
        ):
            return line
        self.buf.seek(0)
        self.buf.truncate()
        self.writer.writerow(row)
        return self.buf.getvalue()[:-2]


SITE_KEYS = ("name", "form", "vat", "siret", "line", "postcode", "city", "country")
PERSON_KEYS = ("civ", "last", "first", "function", "email", "phone", "mobile", "date", "optout")


def styled_row(fields: list[str], row_no: int, site: tuple, person: tuple) -> list[str]:
    """A row of a style of STYLE_FIELDS: its fields in its header's order."""
    values = dict(zip(SITE_KEYS, site)) | dict(zip(PERSON_KEYS, person))
    values["record"] = str(51_000_000_000 + row_no * 7)
    return [values[f] for f in fields]


def _write_rows(
    world: World, kinds: list[int], header_every: int, rows: int, style: str, fh, tfh
) -> int:
    """Render and write every row (and its truth line); returns the number of rows."""
    header, _encoding, delimiter, eol = STYLES[style]
    rnd = world.rnd
    persons, sites = world.persons, world.sites
    n_persons = len(persons)
    crm = style == "crm"
    fields = STYLE_FIELDS.get(style)
    empty = [""] * len(header)
    to_line = LineFormatter(delimiter, len(header))
    header_line = to_line(header)
    fh.write(header_line + eol)
    if tfh is not None:
        tfh.write("row,company_entity,person_entity\n")
    chunk, tchunk = [], []
    next_person = 0
    row_no = 0
    next_header = header_every or -1
    r = rnd.random
    site_fields, person_fields = world.site_fields, world.person_fields
    for kind in kinds:
        row_no += 1
        if row_no == next_header and next_header < rows:
            chunk.append(header_line)
            tchunk.append(f"{row_no},,")
            row_no += 1
            next_header += header_every
        if kind in (K_EMPTY, K_JUNK):
            if kind == K_EMPTY:
                row = empty
            else:
                row = list(empty)
                junk = FORMULA_JUNK[0] if rnd.random() < 0.5 else rnd.choice(FORMULA_JUNK)
                if fields:
                    row[fields.index("name")], row[fields.index("email")] = junk, "promo@x.com"
                else:
                    row[1 if crm else 0] = junk
                    row[-5] = "promo@x.com"
                if crm:
                    row[0] = record_id(row_no, rnd)
            chunk.append(to_line(row))
            tchunk.append(f"{row_no},,")
        else:
            if kind == K_DUP:
                pid = rnd.randrange(n_persons)
                dup = True
            else:
                pid = next_person
                next_person += 1
                dup = False
            site_id = persons[pid][0]
            comp = site_fields(site_id, fresh=dup or r() < 0.15, dup=dup)
            civ, last, first, function, email, phone, mobile, date, optout = person_fields(pid, dup)
            name, form_col, vat, siret, line, pc, city, country = comp
            if kind == K_NEWLINE:
                line = f"{line}\n2e étage" if line else "Bâtiment B\nentrée C"
            elif kind == K_SEPARATOR:
                x = rnd.random()
                if x < 0.4:
                    name = f'{name} "{rnd.choice(("Le Coq", "De Zwaan", "Chez Nous"))}"'
                elif x < 0.7:
                    line = f"{line}{delimiter} 2e étage"
                else:
                    function = f"{function or 'Gérant'}{delimiter} {rnd.choice(FUNCTIONS_FR)}"
            if fields:
                be = world.companies[sites[site_id][0]][0] == "BE"
                if style == "hub" and be and not siret and r() < 0.5:
                    siret = vat  # a BE row: its number in "Company ID" too
                row = styled_row(
                    fields,
                    row_no,
                    (name, form_col, vat, siret, line, pc, city, country),
                    (civ, last, first, function, email, phone, mobile, date, optout),
                )
            elif crm:
                rec = record_id(row_no, rnd)
                row = [
                    rec,
                    name,
                    vat,
                    line,
                    pc,
                    city,
                    country,
                    civ,
                    first,
                    last,
                    function,
                    email,
                    phone,
                    mobile,
                    date,
                    optout,
                ]
            else:
                row = [
                    name,
                    form_col,
                    vat,
                    siret,
                    line,
                    pc,
                    city,
                    country,
                    civ,
                    last,
                    first,
                    function,
                    email,
                    phone,
                    mobile,
                    date,
                    optout,
                ]
            chunk.append(to_line(row))
            tchunk.append(f"{row_no},{sites[site_id][0] + 1},{pid + 1}")
        if len(chunk) >= 20_000:
            fh.write(eol.join(chunk) + eol)
            chunk.clear()
            if tfh is not None:
                tfh.write("\n".join(tchunk) + "\n")
            tchunk.clear()
    if chunk:
        fh.write(eol.join(chunk) + eol)
    if tfh is not None and tchunk:
        tfh.write("\n".join(tchunk) + "\n")
    return row_no


def generate(
    rows: int,
    out: Path,
    seed: int = 42,
    style: str = "fr",
    truth: Path | None = None,
    dup_rate: float = 0.15,
    realism: bool = False,
    wrong_column: float | None = None,
) -> dict:
    """Write ``rows`` data rows to ``out`` (and the truth file); returns counts.
    *realism*: skewed names, spread towns, shared domains, rows naming no country;
    *wrong_column*: share of site renderings with an identifier in the wrong column
    (default 0.15 with *realism*, else 0)."""
    if wrong_column is None:
        wrong_column = 0.15 if realism else 0.0
    encoding = STYLES[style][1]
    rnd = FastRandom(seed)
    kinds, header_every, n_persons = plan(rnd, rows, dup_rate)
    # about rows / 6 companies (~10 % of them with 2-3 sites): several contacts each
    world = World(rnd, max(1, rows // 6), n_persons, style, realism, wrong_column)
    out.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as files:
        fh = files.enter_context(open(out, "w", encoding=encoding, newline=""))
        tfh = None
        if truth is not None:
            truth.parent.mkdir(parents=True, exist_ok=True)
            tfh = files.enter_context(open(truth, "w", encoding="utf-8", newline=""))
        row_no = _write_rows(world, kinds, header_every, rows, style, fh, tfh)
    return {
        "rows": row_no,
        "companies": len(world.companies),
        "sites": len(world.sites),
        "persons": len(world.persons),
        "duplicates": kinds.count(K_DUP),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Generate a deterministic synthetic BE/FR B2B contact file for benchmarks.",
        epilog="Example: python benchmarks/generate_contacts.py --rows 1000000 "
        "--out bench-data/contacts_1m.csv --truth bench-data/contacts_1m.truth.csv",
    )
    p.add_argument("--rows", type=int, required=True, help="number of data rows (after the header)")
    p.add_argument("--out", type=Path, required=True, help="CSV file to write")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument(
        "--style",
        choices=sorted(STYLES),
        default="fr",
        help="fr: purchased list, cp1252 ';' CRLF French headers (default); "
        "crm: CRM export, UTF-8 ',' English headers; "
        "nl: Dutch export, cp1252 ';', no country column, qualified person headers; "
        "hub: US CRM export, UTF-8 ',', m/d/yyyy dates, qualified person headers",
    )
    p.add_argument("--truth", type=Path, help="also write row,company_entity,person_entity")
    p.add_argument(
        "--dup-rate",
        type=float,
        default=0.15,
        help="share of rows that are near-duplicates of another row (default 0.15)",
    )
    p.add_argument(
        "--realism",
        action="store_true",
        help="a registry's skew: common trade + place / trade + surname names shared by "
        "hundreds of distinct companies all over the country, network and free-mail domains "
        "shared between companies, identifiers in the wrong column, rows naming no country "
        "(off: the same bytes as before)",
    )
    p.add_argument(
        "--wrong-column",
        type=float,
        help="share of renderings with an identifier in the wrong column "
        "(default 0.15 with --realism, else 0)",
    )
    args = p.parse_args(argv)
    if args.rows < 1:
        p.error("--rows must be at least 1")
    t0 = time.perf_counter()
    # millions of small, acyclic tuples: the cyclic GC would only rescan them over and over
    gc.disable()
    try:
        stats = generate(
            args.rows,
            args.out,
            args.seed,
            args.style,
            args.truth,
            args.dup_rate,
            args.realism,
            args.wrong_column,
        )
    finally:
        gc.enable()
    secs = time.perf_counter() - t0
    size = args.out.stat().st_size
    print(
        f"wrote {args.out} ({stats['rows']:,} rows, {size / 1e6:.1f} MB) in {secs:.1f} s; "
        f"{stats['companies']:,} companies, {stats['sites']:,} sites, "
        f"{stats['persons']:,} persons, {stats['duplicates']:,} duplicate rows",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
