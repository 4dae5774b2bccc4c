import pytest

from enrich.errors import InputError
from enrich.mapping import header_key, map_headers, parse_overrides


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
