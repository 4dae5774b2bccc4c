"""Helper columns and levels as rules/link.toml declares them (enrich/link/derive.py)."""

import polars as pl
import pytest

from enrich.clean import clean_files
from enrich.errors import InputError
from enrich.link.derive import derive, helper_names, level_rows, levels
from enrich.link.files import load_settings
from enrich.link.levels import LINKED, dedupe
from enrich.ruleset import Rules

ROWS = pl.DataFrame(
    {
        "vat": ["BE0403170701", "BE0000000000", None],
        "vat_formatted": ["BE 0403.170.701", None, None],
        "enterprise_number": [None, None, None],
        "siren": [None, None, "552100554"],
        "title": ["mr", None, "mrs"],
        "email": ["jean.dupont@acme.be", "info@acme.be", "ann@gmail.com"],
        "email_status": ["valid", "valid", "valid"],
        "email_role": [False, True, False],
        "website": ["https://www.ACME.be/fr", None, None],
        "phone": ["+3221234567", None, None],
        "phone_status": ["valid", None, None],
        "mobile": [None, None, "+32470000001"],
        "mobile_status": [None, None, "valid"],
        "first_name": ["Jean", None, "Dupont"],
        "last_name": ["DUPONT", None, "Jean"],
        "company_name": ["Acme", "Acme", None],
        "city": ["Bruxelles", "Bruxelles", "Liège"],
        "street": ["Rue Haute", "Rue Haute", None],
        "house_number": ["10", "10", None],
        "postcode": ["1000", "1000", "4000"],
        "legal_form": ["BE-SPRL", "BE-SRL", "FR-SASU"],
    },
    schema_overrides={"enterprise_number": pl.String},
)


def test_the_shipped_helper_columns():
    out = derive(ROWS)
    assert out["vat_valid"].to_list() == ["BE0403170701", None, None]  # checksum-valid only
    assert out["registry_id"].to_list() == [None, None, "552100554"]
    # a customer's helpers: names by sound in either order, the address as one value (a home
    # needs a street; without one, the town is compared instead), the e-mail domain first
    assert (
        out["name_sound"][2]
        == derive(ROWS.with_columns(first_name=pl.lit("Jean"), last_name=pl.lit("Dupont")))[
            "name_sound"
        ][2]
    )
    assert out["home"].to_list() == [
        "10 1000 bruxelles haute rue",
        "10 1000 bruxelles haute rue",
        None,
    ]
    assert out["town"].to_list() == [None, None, "4000 liège"]
    assert out["mailbox"].to_list() == ["acme.be jean.dupont", None, "gmail.com ann"]
    assert out["email_domain"].to_list() == ["acme.be", "acme.be", None]  # never free-mail
    assert out["website_domain"].to_list() == ["acme.be", None, None]
    assert out["email_person"].to_list() == ["jean.dupont@acme.be", None, "ann@gmail.com"]
    assert out["email_private"].to_list() == [None, None, "ann@gmail.com"]
    assert out["person_key"].to_list() == ["dupont jean", None, "dupont jean"]  # either order
    assert out["has_company"].to_list() == [True, True, False]
    assert out["has_person"].to_list() == [True, False, True]
    # a converted / one-member form is the same company's form
    assert out["legal_form_family"].to_list() == ["BE-SRL", "BE-SRL", "FR-SAS"]
    assert out["has_contact"].to_list() == [True, False, True]
    assert "has_contact" not in helper_names() and "person_key" in helper_names()


def test_a_stewards_link_toml_declares_one_more_helper_column(tmp_path):
    (tmp_path / "link.toml").write_text(
        '[derived]\ncity_word = { kind = "words", of = ["city"], present = "company_name" }\n',
        encoding="utf-8",
    )
    rules = Rules.load(tmp_path)
    out = derive(ROWS, rules)
    assert out["city_word"].to_list() == ["bruxelles", "bruxelles", None]
    assert out["vat_valid"].to_list() == ["BE0403170701", None, None]  # the shipped ones stay
    assert "city_word" not in derive(ROWS).columns  # the defaults are untouched


def test_same_groups_must_be_lists_of_values(tmp_path):
    (tmp_path / "link.toml").write_text(
        '[derived]\nform = { kind = "value", of = "legal_form", same = ["BE-SRL"] }\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="same needs a list of groups"):
        derive(ROWS, Rules.load(tmp_path))
    (tmp_path / "link.toml").write_text(
        '[derived]\nform = { kind = "value", of = "legal_form", among = "BE-SRL" }\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="among needs a list of values"):
        derive(ROWS, Rules.load(tmp_path))


def test_a_helper_column_of_an_unknown_kind_is_refused_with_its_line(tmp_path):
    (tmp_path / "link.toml").write_text(
        '[derived]\n\nodd = { kind = "soundex", of = "last_name" }\n', encoding="utf-8"
    )
    with pytest.raises(InputError, match="soundex") as caught:
        derive(ROWS, Rules.load(tmp_path))
    assert caught.value.row == 3 and caught.value.file.endswith("link.toml")


def test_levels_and_their_rows():
    assert [(lv.name, lv.id, lv.within, lv.unite) for lv in levels()] == [
        ("company", "company_id", None, None),
        ("customer", "customer_id", None, None),
        ("contact", "contact_id", "company", "customer"),
    ]
    assert tuple(lv.name for lv in levels()) == LINKED  # the shipped levels, for callers
    rows = ROWS.select(pl.struct(level_rows().values()).alias("r")).unnest("r")
    # company, customer (a person without a company), contact (every person)
    assert rows.rows() == [(True, False, True), (True, False, False), (False, True, True)]


def test_a_level_within_another_has_its_id_as_a_cannot_link(tmp_path):
    assert load_settings()["contact"].cannot_link == ["company_id", "customer_id"]
    assert load_settings()["contact"].must_link == ["customer_id"]  # a customer is one contact
    (tmp_path / "link.toml").write_text(
        '[contact.settings]\ncannot_link = ["mobile_valid"]\n', encoding="utf-8"
    )
    assert load_settings(Rules.load(tmp_path))["contact"].cannot_link == [
        "company_id",
        "mobile_valid",
        "customer_id",
    ]


def test_one_more_level_is_configuration(tmp_path, fixtures):
    (tmp_path / "link.toml").write_text(
        """levels = ["company", "contact", "household"]

[derived]
family = { kind = "words", of = ["last_name"] }

[household]
rows = "has_person"
id = "household_id"
prefix = "hh"

[[household.blocking]]
name = "family+city"
keys = ["family", "city"]

[[household.comparison]]
field = "family"
levels = [{ kind = "exact" }]

[[household.comparison]]
field = "street"
levels = [{ kind = "exact" }]
""",
        encoding="utf-8",
    )
    rules = Rules.load(tmp_path)
    frame = clean_files([str(fixtures / "crm_export.csv")]).frame
    found = dedupe(frame, rules=rules)
    assert list(found.results) == ["company", "contact", "household"]
    ids = found.frame["household_id"]
    assert ids.drop_nulls().str.starts_with("hh-").all()
    assert ids.is_not_null().sum() == found.frame["contact_id"].is_not_null().sum()
    assert "family" not in found.frame.columns  # helper columns are not output
