import pytest

from enrich.errors import InputError
from enrich.mapping import header_key, header_words, map_headers, parse_overrides


@pytest.mark.parametrize(
    "header,target",
    [
        ("Raison sociale", "company_name"),
        ("Bedrijfsnaam", "company_name"),
        ("Account Name", "company_name"),
        ("N° TVA", "vat"),
        ("n°tva", "vat"),
        ("BTW-nummer", "vat"),
        ("Ondernemingsnummer", "enterprise_number"),
        ("Code postal", "postcode"),
        ("PLZ", "postcode"),
        ("E-mailadres", "email"),
        ("Civilité", "title"),
        ("Salutation", "title"),
        ("Title", "function"),  # Salesforce: job title
        ("GSM", "mobile"),
        ("Désinscrit", "opt_out"),
    ],
)
def test_synonyms_in_four_languages(header, target):
    assert map_headers([header]).target[header] == target


def test_key_ignores_case_accents_punctuation_spacing():
    assert header_key(" N° T.V.A. ") == header_key("ntva") == "ntva"


def test_each_canonical_column_taken_once_and_numbered_headers():
    m = map_headers(["Email", "E-mail", "Téléphone 2", "Téléphone"])
    assert m.target == {
        "Email": "email",
        "E-mail": "extra.E-mail",
        "Téléphone": "phone",  # the exact name wins over a numbered one
        "Téléphone 2": "extra.Téléphone 2",
    }


def test_overrides_by_name_or_key():
    m = map_headers(["Col X", "Société"], parse_overrides(["col x=email", "Société=extra.Société"]))
    assert m.target == {"Col X": "email", "Société": "extra.Société"}
    with pytest.raises(InputError, match="unknown column 'mail'"):
        parse_overrides(["Col X=mail"])
    with pytest.raises(InputError, match="takes 'Header=column'"):
        parse_overrides(["email"])


# The word pass: headers that match no synonym whole, as CRM exports write them.
@pytest.mark.parametrize(
    "header,target,confidence",
    [
        ("Contact Email", "email", 0.9),  # HubSpot
        ("contact first name", "first_name", 1.0),  # a synonym whole
        ("contactFirstName", "first_name", 1.0),  # camelCase, the same key
        ("Primary Contact First Name", "first_name", 0.9),
        ("billingEmail", "email", 0.9),  # camelCase
        ("Voornaam klant", "first_name", 0.9),  # Teamleader
        ("Klant e-mailadres", "email", 0.9),
        ("Client - Prénom", "first_name", 0.9),  # Odoo
        ("Nom de famille du contact", "last_name", 0.9),
        ("Numéro de TVA du client", "vat", 0.9),
        ("Tel. algemeen", "phone", 0.9),  # a "which one" qualifier (general, switchboard)
        ("Telefon Zentrale", "phone", 0.9),
        ("cityName", "city", 1.0),  # camelCase of a synonym whole
        ("Datum wijziging", "source_date", 1.0),
        ("Werbesperre", "opt_out", 1.0),
        ("Ansprechpartner Vorname", "first_name", 0.9),
        ("Kunde E-Mail", "email", 0.9),
        ("Contact Mobile", "mobile", 0.9),
        ("Email Address (primary)", "email", 0.9),  # Salesforce
        ("Adresse e-mail du contact principal (pro)", "email", 0.9),
        ("Société - Nom", "company_name", 0.9),  # a synonym's words in another order
        ("Nom société client", "company_name", 0.9),  # fewest qualifiers dropped first
        ("Customer Company Name", "company_name", 0.9),
        ("Client Code", "external_id", 0.9),
        ("Geen mailing gewenst", "opt_out", 0.8),  # words of "Geen mailing"
        ("BTW / Ondernemingsnr", "vat", 1.0),
        ("Date modif.", "source_date", 1.0),
        ("Company Name", "company_name", 1.0),
        ("Nom de la société", "company_name", 1.0),
        ("Bedrijfsnaam", "company_name", 1.0),
        ("Contact Nom", "last_name", 0.9),  # a name word, and the column is the contact's
        ("Nom contact", "last_name", 0.9),
        ("Ansprechpartner Name", "full_name", 0.9),
    ],
)
def test_headers_mapped_by_their_words(header, target, confidence):
    m = map_headers([header])
    assert (m.target[header], m.confidence[header]) == (target, confidence)
    assert m.reason[header]


@pytest.mark.parametrize(
    "header",
    [
        "Client",  # qualifiers alone
        "Klant",
        "Primary Contact",
        "Contact owner",
        "Client number",  # only a generic word left: number of what?
        "Customer Name",
        "Client Name",  # a person or a company? not guessed
        "Contact date",  # the contact qualifier unlocks names only
        "Contact number",
        "Numéro de fax",
        "Date de création",  # deliberately absent from source_date, by words too
        "Created date",
        "Other Street",  # one word of a longer header is too weak
        "Account Owner",
        "Home Phone",
    ],
)
def test_headers_not_mapped_by_words(header):
    assert map_headers([header]).target[header] == f"extra.{header}"


def test_qualifiers_alone_are_not_mapped_but_contact_stays_a_synonym():
    assert map_headers(["Contact"]).target["Contact"] == "full_name"
    assert map_headers(["Contact client"]).target["Contact client"] == "extra.Contact client"


def test_a_header_whose_words_point_to_two_columns_is_ambiguous():
    m = map_headers(["Téléphone / e-mail", "Société"])
    assert m.target["Téléphone / e-mail"] == "extra.Téléphone / e-mail"
    assert m.ambiguous == {"Téléphone / e-mail": ["email", "phone"]}
    entry = m.details()[0]
    assert entry["candidates"] == ["email", "phone"] and entry["reason"].startswith("ambiguous")


def test_two_headers_claiming_one_column_equally_are_ambiguous():
    m = map_headers(["Contact Email", "Client Email", "Voornaam klant", "Geen mailing gewenst"])
    assert m.mapped == {"Voornaam klant": "first_name", "Geen mailing gewenst": "opt_out"}
    assert m.ambiguous == {"Contact Email": ["email"], "Client Email": ["email"]}
    assert "'Client Email'" in m.reason["Contact Email"]


def test_exact_matches_first_and_the_higher_confidence_wins():
    m = map_headers(["Contact Email", "E-mail", "Billing Phone", "Téléphone fixe siège"])
    assert m.target == {
        "Contact Email": "extra.Contact Email",  # the exact "E-mail" took email
        "E-mail": "email",
        "Billing Phone": "phone",
        "Téléphone fixe siège": "extra.Téléphone fixe siège",
    }
    assert "already taken by 'E-mail'" in m.reason["Contact Email"]
    assert "already taken by 'Billing Phone'" in m.reason["Téléphone fixe siège"]
    assert m.ambiguous == {}


def test_details_one_entry_per_header_and_describe_unchanged():
    m = map_headers(["Raison sociale", "Voornaam klant", "Notes"], {"Notes": "extra.Notes"})
    assert m.describe() == [
        "Raison sociale → company_name",
        "Voornaam klant → first_name",
        "Notes → extra.Notes",
    ]
    assert m.details() == [
        {
            "header": "Raison sociale",
            "column": "company_name",
            "confidence": 1.0,
            "reason": "synonym",
        },
        {
            "header": "Voornaam klant",
            "column": "first_name",
            "confidence": 0.9,
            "reason": "synonym 'voornaam' without klant",
        },
        {"header": "Notes", "column": "extra.Notes", "confidence": 1.0, "reason": "--map"},
    ]


def test_words_off_maps_as_before():
    assert map_headers(["Contact Email"], words=False).target == {
        "Contact Email": "extra.Contact Email"
    }


def test_a_stewards_qualifiers_extend_the_defaults(tmp_path):
    from enrich.ruleset import Rules

    (tmp_path / "headers.toml").write_text(
        '[qualifiers]\nwords = ["Lieferant"]\n', encoding="utf-8"
    )
    rules = Rules.load(tmp_path)
    m = map_headers(["Lieferant Vorname", "Klant Achternaam"], rules=rules)
    assert m.mapped == {"Lieferant Vorname": "first_name", "Klant Achternaam": "last_name"}
    assert (
        map_headers(["Lieferant Vorname"]).target["Lieferant Vorname"] == "extra.Lieferant Vorname"
    )


def test_header_words():
    assert header_words("contactFirstName") == ["contact", "first", "name"]
    assert header_words("Tél.2 (pro)") == ["tel", "2", "pro"]
    assert header_words("KvK-nummer") == ["kvk", "nummer"]
    assert header_words("BTW / Ondernemingsnr") == ["btw", "ondernemingsnr"]


def test_mapping_details_reach_run_json(tmp_path):
    from enrich.job import Input, Job
    from enrich.pipeline import run_clean

    data = tmp_path / "crm.csv"
    data.write_text(
        "Company Name;Voornaam klant;Contact Email;Téléphone / e-mail\n"
        "Brouwerij Test;Jan;jan@test.be;+32 2 123 45 67\n",
        encoding="utf-8",
    )
    result = run_clean(Job([Input(str(data))], str(tmp_path / "out.csv")))
    assert result.frame.row(0, named=True)["first_name"] == "Jan"
    details = result.tables[0].as_dict()["mapping_details"]
    assert [(d["header"], d["column"], d["confidence"]) for d in details] == [
        ("Company Name", "company_name", 1.0),
        ("Voornaam klant", "first_name", 0.9),
        ("Contact Email", "email", 0.9),
        ("Téléphone / e-mail", "extra.Téléphone / e-mail", None),
    ]
    assert details[3]["candidates"] == ["email", "phone"]


def test_the_run_says_which_headers_it_mapped_by_words_and_which_are_ambiguous(tmp_path):
    from enrich.clean import clean_files
    from enrich.messages import file_accounting

    data = tmp_path / "crm.csv"
    data.write_text(
        "Contact Nom;Contact Email;Téléphone / e-mail;Company Name\nPeeters;jan@x.be;x;ACME\n",
        encoding="utf-8",
    )
    lines = file_accounting(clean_files([str(data)]))
    assert "  mapped by its words: 'Contact Email' → email (0.9)" in lines
    assert "  mapped by its words: 'Contact Nom' → last_name (0.9)" in lines
    assert any(
        line.startswith("  ambiguous header 'Téléphone / e-mail': email or phone?")
        for line in lines
    )
    assert not any("Company Name" in line for line in lines[2:])  # an exact synonym: nothing to say
