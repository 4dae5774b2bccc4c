"""Columns judged by their values (enrich/content.py): kinds, what they decide of the header
mapping, date orders per column, and `enrich clean` on real-layout exports."""

import json

import polars as pl
import pytest

from enrich.content import classify, date_orders, decide_order, judge, profile
from enrich.mapping import map_headers, parse_overrides


def kinds_of(values: list[str]) -> list[str]:
    frame = pl.DataFrame({"column": ["c"] * len(values), "v": values, "n": [1] * len(values)})
    return classify(frame)["kind"].to_list()


@pytest.mark.parametrize(
    "value,kind",
    [
        ("jan.peeters@brouwerij-peeters.be", "email"),
        ("www.brouwerij-peeters.be", "url"),
        ("https://www.dupont.fr/contact", "url"),
        ("14/03/2024", "date"),
        ("8/20/2025", "date"),
        ("2024-03-14", "date"),
        ("2025-03-14T09:12:00Z", "date"),  # a CRM export's timestamp
        ("BE 0403.170.701", "vat"),  # a valid Belgian VAT number
        ("FR 40 303265045", "vat"),
        ("BE 0403.170.702", "id_shape"),  # its checksum is wrong: only its shape fits
        ("552 120 222 00013", "siret"),
        ("0403.170.701", "enterprise_number"),
        ("552 120 222", "siren"),
        ("0475 12 34 56", "mobile"),
        ("+33 6 12 34 56 78", "mobile"),
        ("02/512.34.56", "phone"),  # nine digits from 0: a phone before a SIREN
        ("+32 (0)2 512 34 56", "phone"),
        ("1000", "postcode"),
        ("1012 AB", "postcode"),
        ("B-4000", "postcode"),
        ("Ja", "yes_no"),
        ("désinscrit", "yes_no"),
        ("S.P.R.L.", "legal_form"),
        ("GmbH", "legal_form"),
        ("Mevr.", "title"),
        ("Herr", "title"),
        ("Belgique", "country"),
        ("Nederland", "country"),
        ("BE", "text"),  # two letters: a language as often as a country
        ("12,5", "number"),
        ("10 à 19 salariés", "headcount"),
        ("Rue de la Loi 16", "text"),
        ("Peeters", "text"),
    ],
)
def test_each_value_gets_the_first_kind_that_fits(value, kind):
    assert kinds_of([value]) == [kind]


def test_profile_samples_rows_spread_over_the_table_and_counts_distinct_values():
    frame = pl.DataFrame({"E-mail": [f"p{i % 47}@acme.be" for i in range(100_000)]})
    p = profile(frame, ["E-mail"])["E-mail"]
    assert p.values == 47 and p.rows == 20_000  # the sample: 20 000 rows, 47 distinct values
    assert p.shares == {"email": 1.0}


def _mapped(headers: list[str], columns: dict[str, list[str]], overrides=None):
    frame = pl.DataFrame(columns)
    m = map_headers(headers, overrides)
    judge(m, profile(frame, headers))
    return m


EMAILS = ["an@peeters.be", "bo@maes.be", "cy@claes.be", "dirk@wouters.be", "els@jacobs.be"]
PHONES = ["02 512 34 56", "09 233 44 55", "03 201 22 33", "011 22 33 44", "04 342 11 22"]
NAMES = ["Peeters", "Maes", "Claes", "Wouters", "Jacobs"]


def test_a_column_whose_header_says_nothing_is_mapped_by_its_content():
    m = _mapped(["Naam", "Unnamed: 4"], {"Naam": NAMES, "Unnamed: 4": EMAILS})
    assert m.target["Unnamed: 4"] == "email"
    assert m.reason["Unnamed: 4"] == "mapped by content: 100 % e-mail addresses"
    assert m.confidence["Unnamed: 4"] == 0.85
    entry = m.details()[1]
    assert entry["content"]["kinds"] == {"email": 1.0}
    assert entry["by_content"] == {
        "verdict": "mapped",
        "note": "100 % e-mail addresses",
        "column": "email",
    }


def test_a_column_is_not_mapped_by_content_onto_a_column_already_taken_or_when_kept_out():
    m = _mapped(["E-mail", "Col5", "Fax"], {"E-mail": EMAILS, "Col5": EMAILS[::-1], "Fax": PHONES})
    assert m.target == {"E-mail": "email", "Col5": "extra.Col5", "Fax": "extra.Fax"}
    assert m.by_content["Col5"]["kept"] == "email is taken by 'E-mail'"
    assert m.by_content["Fax"]["verdict"] == "guess" and "keep_out" in m.by_content["Fax"]["kept"]


def test_mixed_fixed_and_mobile_numbers_map_as_phones():
    mixed = PHONES[:3] + ["0475 12 34 56", "0486 22 33 44"]
    m = _mapped(["Col1"], {"Col1": mixed})
    assert m.target == {"Col1": "phone"}
    assert m.reason["Col1"] == "mapped by content: 60 % phone numbers, 40 % mobile phone numbers"
    mobiles = ["0475 12 34 56", "0486 22 33 44", "+32 497 11 22 33", "06 12 34 56 78", "0470102030"]
    assert _mapped(["Col1"], {"Col1": mobiles}).target == {"Col1": "mobile"}


def test_a_column_of_mixed_identifiers_takes_a_free_identifier_slot():
    # a CRM's "Company ID": SIRETs of French rows, enterprise numbers of Belgian ones — no
    # kind reaches the share alone, together they do; each value is routed by what it is
    mixed = ["552 120 222 00013", "73282932000074", "0403.170.701", "BE 0403.170.701"] * 3
    m = _mapped(["N° TVA", "Company ID"], {"N° TVA": ["BE0403170701"] * 12, "Company ID": mixed})
    assert m.target == {"N° TVA": "vat", "Company ID": "enterprise_number"}
    assert m.reason["Company ID"].startswith("mapped by content: 50 % SIRET numbers")
    half = mixed[:2] * 3 + ["Rue de la Loi 16", "Peeters", "x y", "Gent", "Liège", "Mons"]
    assert _mapped(["Company ID"], {"Company ID": half}).target == {
        "Company ID": "extra.Company ID"
    }


def test_the_clearest_claim_on_a_column_wins():
    nine = [f"02 512 34 {i:02d}" for i in range(9)] + ["onbekend"]
    ten = [f"09 233 44 {i:02d}" for i in range(10)]
    m = _mapped(["Col1", "Col2"], {"Col1": nine, "Col2": ten})
    assert m.target == {"Col1": "extra.Col1", "Col2": "phone"}  # 100 % beats 90 %
    assert m.by_content["Col1"]["kept"] == "phone is taken by 'Col2'"


def test_content_confirms_a_mapping_by_words():
    m = _mapped(["Contact Email", "Naam"], {"Contact Email": EMAILS, "Naam": NAMES})
    assert m.confidence["Contact Email"] == 0.95
    assert m.reason["Contact Email"].endswith("; content confirms (100 % e-mail addresses)")
    assert "Naam" not in m.by_content  # free text confirms nothing, contradicts nothing


def test_a_phone_header_holding_emails_moves_to_email_when_it_is_free():
    m = _mapped(["Naam", "Telefoon"], {"Naam": NAMES, "Telefoon": EMAILS})
    assert m.target["Telefoon"] == "email"
    assert m.by_content["Telefoon"] == {
        "verdict": "contradicts",
        "note": "100 % e-mail addresses",
        "was": "phone",
        "column": "email",
    }
    assert m.reason["Telefoon"] == (
        "content contradicts the header (synonym → phone): 100 % e-mail addresses"
    )


def test_a_contradicted_header_stays_when_its_column_is_taken_an_identifier_or_mapped_by_hand():
    m = _mapped(["E-mail", "Telefoon"], {"E-mail": EMAILS, "Telefoon": EMAILS[::-1]})
    assert m.target["Telefoon"] == "phone"
    assert m.by_content["Telefoon"]["kept"] == "email is taken by 'E-mail'"
    sirets = [
        "55212022200013",
        "73282932000074",
        "55210055400013",
        "44306184100047",
        "55203253400646",
    ]
    vat = ["BE0403170701", "BE0451239842", "BE0778881294", "BE0543210094", "BE0432198742"]
    m = _mapped(["SIRET", "Col9", "N° TVA"], {"SIRET": vat, "Col9": sirets, "N° TVA": EMAILS})
    # Belgian VAT numbers in a SIRET column: identifiers are routed by what they are and
    # reported per column by identifiers.held, not here
    assert m.target["SIRET"] == "siret" and "SIRET" not in m.by_content
    assert m.content["SIRET"]["kinds"] == {"vat": 1.0}
    # a column of SIRETs, siret taken: another identifier slot; its values are routed
    assert m.target["Col9"] == "enterprise_number"
    assert m.target["N° TVA"] == "vat"  # e-mail addresses in an identifier column: reported
    assert m.by_content["N° TVA"]["kept"] == "an identifier column: reported, not moved"
    m = _mapped(["Col X"], {"Col X": EMAILS}, parse_overrides(["Col X=phone"]))
    assert m.target["Col X"] == "phone" and m.confidence["Col X"] == 1.0  # --map wins
    assert m.by_content["Col X"]["kept"] == "mapped with --map"


def test_an_ambiguous_header_goes_where_its_content_is():
    m = _mapped(["Téléphone / e-mail", "Nom"], {"Téléphone / e-mail": EMAILS, "Nom": NAMES})
    assert m.target["Téléphone / e-mail"] == "email" and m.ambiguous == {}
    assert m.by_content["Téléphone / e-mail"]["verdict"] == "resolved"


def test_unmapped_columns_get_their_best_guess_never_a_weak_one():
    m = _mapped(
        ["Nieuwsbrief", "Opmerking", "Aantal"],
        {
            "Nieuwsbrief": ["ja", "nee", "nee", "ja", "nee"],
            "Opmerking": ["bellen", "geen interesse", "later", "ok", "beurs"],
            "Aantal": ["1", "12", "31", "7", "250"],
        },
    )
    assert m.mapped == {}  # yes/no words could be any flag: guessed, never mapped
    assert m.by_content["Nieuwsbrief"] == {
        "verdict": "guess",
        "note": "100 % yes/no words",
        "column": "opt_out",
    }
    assert "Opmerking" not in m.by_content and "Aantal" not in m.by_content


def test_too_few_values_are_not_judged():
    m = _mapped(["Col1"], {"Col1": ["an@peeters.be", None, None, None, None]})
    assert m.target["Col1"] == "extra.Col1" and m.content == {}


def test_a_stewards_content_rules_extend_the_defaults(tmp_path):
    from enrich.ruleset import Rules

    (tmp_path / "content.toml").write_text(
        '[kinds.iban]\nlabel = "IBANs"\nform = "identifier"\n'
        'pattern = "^[A-Z]{2}\\\\d{2}[0-9A-Z]{10,30}$"\nfits = ["external_id"]\n'
        '[kinds.email]\nfits = ["external_id"]\n',
        encoding="utf-8",
    )
    rules = Rules.load(tmp_path)
    frame = pl.DataFrame({"column": ["c"], "v": ["BE68 5390 0754 7034"], "n": [1]})
    assert classify(frame, rules)["kind"].to_list() == ["iban"]
    assert rules.get("content")["kinds"]["email"]["fits"] == ["email", "external_id"]


# --- date orders -------------------------------------------------------------------------


def test_decide_order():
    assert decide_order({"day_first": 5, "either": 9})["order"] == "dmy"
    assert decide_order({"month_first": 5, "either": 9}) == {
        "order": "mdy",
        "how": "values",
        "month_first": 5,
        "either": 9,
    }
    assert decide_order({"either": 9})["how"] == "assumed"
    assert decide_order({"iso": 9}) == {"order": "ymd", "how": "values", "iso": 9}
    assert decide_order({"day_first": 1, "month_first": 30})["how"] == "values"  # one stray
    assert decide_order({"day_first": 10, "month_first": 30}) == {
        "order": "mdy",
        "how": "mixed",
        "day_first": 10,
        "month_first": 30,
    }
    assert decide_order({"day_first": 10}, forced="mdy")["how"] == "--date-order"
    assert decide_order({})["how"] == "no dates"


def test_date_orders_per_date_column():
    columns = {
        "Geboortedatum": ["25/12/1980", "03/04/1975", "14/07/1990"],
        "Inschrijvingsdatum": ["8/20/2025", "3/4/2025", "12/31/2024"],
        "Laatst gewijzigd": ["03-04-2024", "05-06-2024", "11-12-2023"],
        "Notities": ["25/12/1980", "x", "y"],  # not a date column: no order
    }
    m = _mapped(list(columns), columns)
    orders = date_orders(m)
    assert {c: (o["header"], o["order"], o["how"]) for c, o in orders.items()} == {
        "birth_date": ("Geboortedatum", "dmy", "values"),
        "consent_date": ("Inschrijvingsdatum", "mdy", "values"),
        "source_date": ("Laatst gewijzigd", "dmy", "assumed"),
    }
    assert orders["consent_date"]["month_first"] == 2
    assert {o["order"] for o in date_orders(m, "ymd").values()} == {"ymd"}


# --- enrich clean on real layouts ---------------------------------------------------------

DUTCH = [  # a Belgian CRM's relation export: Dutch headers, ';', Windows-1252
    "Relatienr;Bedrijfsnaam;Rechtsvorm;Ondernemingsnummer;Straat;Postcode;Gemeente;Voornaam;"
    "Achternaam;;GSM;Nieuwsbrief;Geboortedatum;Inschrijvingsdatum;Laatst gewijzigd",
    "R-1001;Brouwerij Peeters;BV;0451.239.842;Kerkstraat 12;9000;Gent;Jan;Peeters;"
    "jan.peeters@brouwerij-peeters.be;0475 12 34 56;ja;25/12/1980;8/20/2025;03-04-2024",
    "R-1002;Boulangerie Dupré;SRL;0778.881.294;Rue de la Loi 16;1000;Bruxelles;Hélène;Dupré;"
    "helene@dupre.be;0486 22 33 44;nee;03/04/1975;3/4/2025;05-06-2024",
    "R-1003;Garage Maes;NV;0543.210.094;Stationsstraat 3;2000;Antwerpen;Karel;Maes;"
    "karel.maes@garagemaes.be;0497 11 22 33;nee;14/07/1990;12/31/2024;11-12-2023",
    "R-1004;Drukkerij Claes;BV;0432.198.742;Markt 1;3000;Leuven;An;Claes;"
    "an@drukkerijclaes.be;0472 55 66 77;ja;01/02/1985;1/15/2025;02-01-2024",
    "R-1005;Bureau Wouters;CommV;0765.432.146;Grote Markt 9;8000;Brugge;Els;Wouters;"
    "els.wouters@bureauwouters.be;0478 99 88 77;nee;30/11/1970;6/7/2025;07-08-2024",
    "R-1006;Liège Conseil;SRL;0654.321.022;Place Saint-Lambert 2;4000;Liège;Léa;Renard;"
    "lea.renard@liegeconseil.be;0470 10 20 30;ja;17/05/1988;10/30/2024;09-10-2024",
]
GERMAN = [  # a German trade-fair sheet whose 'Telefon' column holds e-mail addresses
    "Firma;Vorname;Nachname;E-Mail;Telefon;PLZ;Ort",
    "Müller GmbH;Hans;Müller;hans.mueller@mueller-gmbh.de;info@mueller-gmbh.de;10115;Berlin",
    "Schäfer AG;Anna;Schäfer;anna@schaefer-ag.de;kontakt@schaefer-ag.de;80331;München",
    "Becker KG;Jörg;Becker;joerg.becker@becker-kg.de;office@becker-kg.de;50667;Köln",
    "Wagner OHG;Petra;Wagner;p.wagner@wagner-ohg.de;info@wagner-ohg.de;20095;Hamburg",
]


def _write(path, lines):
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def test_clean_reads_columns_by_their_content(run_cli, tmp_path):
    dutch = _write(tmp_path / "relaties_export.csv", DUTCH)
    german = _write(tmp_path / "messe_kontakte.csv", GERMAN)
    out = tmp_path / "clean.csv"
    result = run_cli("clean", dutch, german, "-o", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "clean.run.json").read_text())
    nl, de = summary["files"]
    details = {d["header"]: d for d in nl["mapping_details"]}
    assert (nl["encoding"], nl["delimiter"]) == ("cp1252", ";")
    # the column with no header is mapped by its content, with a note
    assert details["column 10"]["column"] == "email"
    assert details["column 10"]["reason"] == "mapped by content: 100 % e-mail addresses"
    assert details["GSM"]["by_content"]["verdict"] == "confirms"
    assert details["Nieuwsbrief"]["column"] == "extra.Nieuwsbrief"
    assert details["Nieuwsbrief"]["by_content"]["column"] == "opt_out"
    # the date order of each date column, in run.json
    assert {c: (o["order"], o["how"]) for c, o in nl["date_orders"].items()} == {
        "birth_date": ("dmy", "values"),
        "consent_date": ("mdy", "values"),
        "source_date": ("dmy", "assumed"),
    }
    t = pl.read_csv(out, infer_schema=False).filter(pl.col("source_file") == str(dutch))
    assert t["email"].to_list()[:2] == ["jan.peeters@brouwerij-peeters.be", "helene@dupre.be"]
    assert set(t["email_status"]) == {"valid"}
    assert t["birth_date"].to_list()[:3] == ["1980-12-25", "1975-04-03", "1990-07-14"]
    assert t["consent_date"].to_list()[:3] == ["2025-08-20", "2025-03-04", "2024-12-31"]
    assert t["source_date"].to_list()[:2] == ["2024-04-03", "2024-06-05"]  # day-first assumed
    assert t["extra.Nieuwsbrief"].to_list()[:2] == ["ja", "nee"]
    # the German 'Telefon' of e-mail addresses: reported, kept (e-mail is taken)
    telefon = [d for d in de["mapping_details"] if d["header"] == "Telefon"][0]
    assert telefon["column"] == "phone" and telefon["by_content"]["verdict"] == "contradicts"
    lines = result.stderr.splitlines()
    at = lines.index(next(x for x in lines if x.startswith(f"{german}:")))
    assert (
        "  content contradicts header 'Telefon' (phone): 100 % e-mail addresses; "
        "kept as phone (email is taken by 'E-Mail')" in lines[at:]
    )
    for line in (
        "  mapped by content: 'column 10' → email (100 % e-mail addresses)",
        "  unmapped 'Nieuwsbrief': 100 % yes/no words — opt_out? "
        "(map it with --map 'Nieuwsbrief=opt_out')",
        "  dates: 'Inschrijvingsdatum' (consent_date) read month-first: "
        "4 values can only be month-first",
        "  dates: 'Laatst gewijzigd' (source_date) ambiguous: no day over 12 in 6 values; "
        "read day-first, an assumption (force it with --date-order)",
    ):
        assert line in lines[:at], line
    # no value of either file in any message
    for raw in DUTCH[1:] + GERMAN[1:]:
        for value in raw.split(";"):
            if len(value) > 3:
                assert value not in result.output, value


def test_date_order_forced_and_a_map_by_hand_wins(run_cli, tmp_path):
    dutch = _write(tmp_path / "relaties_export.csv", DUTCH)
    out = tmp_path / "clean.csv"
    result = run_cli(
        "clean", dutch, "-o", out, "--date-order", "mdy", "--map", "column 10=extra.Mail"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "clean.run.json").read_text())
    orders = summary["files"][0]["date_orders"]
    assert {o["how"] for o in orders.values()} == {"--date-order"}
    t = pl.read_csv(out, infer_schema=False)
    # month-first where a value can be read both ways; a day over 12 still reads day-first
    assert t["birth_date"].to_list()[:2] == ["1980-12-25", "1975-03-04"]
    assert t["source_date"].to_list()[:2] == ["2024-03-04", "2024-05-06"]
    assert t["email"].null_count() == t.height and "extra.Mail" in t.columns
    assert (
        "  dates: 'Geboortedatum' (birth_date) read month-first (--date-order), "
        "though 4 values can only be read the other way"
    ) in result.stderr.splitlines()
    bad = run_cli("clean", dutch, "-o", out, "--date-order", "ydm")
    assert bad.exit_code == 2


def test_a_job_file_input_carries_its_date_order():
    from enrich.errors import InputError
    from enrich.job import Input, Job

    job = Job.from_dict({"inputs": [{"path": "a.csv", "date_order": "mdy"}], "out": "o"})
    assert job.inputs[0] == Input("a.csv", date_order="mdy")
    assert job.as_dict()["inputs"][0] == {"path": "a.csv", "date_order": "mdy"}
    with pytest.raises(InputError, match="date_order 'usa'"):
        Job([Input("a.csv", date_order="usa")], "o").check()


def test_a_stewards_broken_kind_is_an_error_that_names_it(tmp_path):
    from enrich.content import settings
    from enrich.errors import InputError
    from enrich.ruleset import Rules

    (tmp_path / "content.toml").write_text(
        '[kinds.iban]\nlabel = "IBANs"\nfits = ["bank_account"]\npattern = "^X"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="kind 'iban' has an unknown column 'bank_account'"):
        settings(Rules.load(tmp_path))


def test_the_run_says_what_the_values_decided(tmp_path):
    from enrich.clean import clean_files
    from enrich.messages import file_accounting

    day_first = ["25/12/2024", "14/03/2024", "30/01/2025", "13/05/2024"]
    month_first = ["12/25/2024", "3/14/2024", "1/30/2025", "5/13/2024", "8/20/2025"]
    rows = zip(
        NAMES * 2, EMAILS * 2, EMAILS[::-1] * 2, PHONES * 2, day_first + month_first + ["1/2/2025"]
    )
    data = tmp_path / "leads.csv"
    data.write_text(
        "Nom;Téléphone / e-mail;Tel;Col4;Modifié le\n" + "".join(";".join(r) + "\n" for r in rows),
        encoding="utf-8",
    )
    lines = file_accounting(clean_files([str(data)]))
    assert lines[2:] == [
        "  ambiguous header 'Téléphone / e-mail' → email by its content (100 % e-mail addresses)",
        "  content contradicts header 'Tel' (phone): 100 % e-mail addresses; kept as phone "
        "(email is taken by 'Téléphone / e-mail')",
        "  unmapped 'Col4': 100 % phone numbers — phone? (phone is taken by 'Tel')",
        "  dates: 'Modifié le' (source_date) mixed: 4 values can only be day-first, 5 only "
        "month-first; read month-first where a value can be read both ways",
    ]
