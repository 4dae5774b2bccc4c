"""Contactability as the law reads (DOMAIN.md §3.8, rules/contactability.toml): a grid of
cases per country, person kind and channel, each with the reason that decides it."""

import datetime as dt

import polars as pl
import pytest

from enrich.consent.contactability import contactability, counts, load
from enrich.errors import InputError
from enrich.ruleset import Rules

DAY = dt.date(2026, 12, 1)  # after the French phone switch of 2026-08-11
BEFORE_SWITCH = dt.date(2026, 8, 10)

FR_PRO = dict(country="FR", company_id="co-1", email="jean.dupont@acme.fr")
BE_PRO = dict(country="BE", company_id="co-2", email="jan.peeters@firma.be")
FR_CONSUMER = dict(country="FR", company_id=None, email="paul.martin@orange.fr", freemail=True)
BE_CONSUMER = dict(country="BE", company_id=None, email="an.claes@telenet.be", freemail=True)


def contact(**given) -> dict:
    """A golden contact as `enrich master` writes it (the columns contactability reads)."""
    row = {
        "contact_id": "ct-1",
        "company_id": None,
        "country": None,
        "email": None,
        "email_status": "valid",
        "email_role": False,
        "email_freemail": False,
        "phone": None,
        "phone_status": "valid",
        "mobile": None,
        "mobile_status": None,
        "street": "Rue de la Loi",
        "city": "Bruxelles",
        "opt_out": False,
        "do_not_contact": False,
        "consent_date": None,
        "consent_source": None,
        "email_consent": None,
        "phone_consent": None,
        "last_purchase_date": None,
    }
    given = dict(given)
    row["email_freemail"] = given.pop("freemail", False)
    row["email_role"] = given.pop("role", False)
    row.update(given)
    return row


def judge(channel, *, as_of=DAY, listed=None, files=None, rules=None, companies=None, **given):
    frame = pl.DataFrame([contact(**given)], infer_schema_length=None)
    out = contactability(frame, companies, listed, files, rules, as_of)
    return out[f"{channel}_ok"][0], out[f"{channel}_why"][0]


# --- e-mail ---------------------------------------------------------------------------------

EMAIL = [
    # (case, contact, expected)
    ("FR consumer, no consent", FR_CONSUMER, (False, "no_consent")),
    (
        "FR consumer, consent column 'oui'",
        {**FR_CONSUMER, "email_consent": "oui"},
        (True, "consent"),
    ),
    (
        "FR consumer, consent given as a date",
        {**FR_CONSUMER, "email_consent": "12/03/2026"},
        (True, "consent"),
    ),
    (
        "FR consumer, consent column 'non'",
        {**FR_CONSUMER, "email_consent": "non"},
        (False, "no_consent"),
    ),
    (
        "FR consumer, an opt-in date alone (general consent)",
        {**FR_CONSUMER, "consent_date": "2026-02-01"},
        (True, "consent"),
    ),
    (
        "FR consumer, consent older than 36 months",
        {**FR_CONSUMER, "email_consent": "ja", "consent_date": "2022-01-15"},
        (False, "consent_expired"),
    ),
    ("FR named professional address", FR_PRO, (True, "b2b_function")),
    (
        "FR professional at a free-mail address",
        {**FR_PRO, "email": "jean@gmail.com", "freemail": True},
        (False, "no_consent"),
    ),
    (
        "FR generic company address",
        {**FR_PRO, "email": "info@acme.fr", "role": True},
        (True, "generic_address"),
    ),
    ("BE named professional address, no consent", BE_PRO, (False, "no_consent")),
    (
        "BE named professional address, consent",
        {**BE_PRO, "email_consent": "yes"},
        (True, "consent"),
    ),
    (
        "BE generic company address",
        {**BE_PRO, "email": "info@firma.be", "role": True},
        (True, "generic_address"),
    ),
    ("BE consumer, no consent", BE_CONSUMER, (False, "no_consent")),
    (
        "BE customer, last purchase 2 years ago",
        {**BE_CONSUMER, "last_purchase_date": "2024-11-20"},
        (True, "soft_opt_in"),
    ),
    (
        "BE customer, last purchase over 3 years ago",
        {**BE_CONSUMER, "last_purchase_date": "2023-11-20"},
        (False, "no_consent"),
    ),
    (
        "FR customer, last purchase within 3 years",
        {**FR_CONSUMER, "last_purchase_date": "2024-01-05"},
        (True, "soft_opt_in"),
    ),
    (
        "FR customer, last purchase over 3 years ago",
        {**FR_CONSUMER, "last_purchase_date": "2023-06-30"},
        (False, "no_consent"),
    ),
    (
        "a consumer's role-like address is no legal person's",
        {**BE_CONSUMER, "email": "info@famille.be", "role": True},
        (False, "no_consent"),
    ),
    (
        "opted out (the contact's opt-out), even with consent",
        {**FR_CONSUMER, "email_consent": "oui", "opt_out": True},
        (False, "opted_out"),
    ),
    ("no e-mail address", {**FR_PRO, "email": None}, (False, "no_address")),
    (
        "an invalid e-mail address",
        {**FR_PRO, "email": "jean.acme.fr", "email_status": "invalid"},
        (False, "invalid_address"),
    ),
    (
        "country unknown: the strict default (no B2B exception)",
        {**FR_PRO, "country": None},
        (False, "no_consent"),
    ),
    (
        "another country (DE): the strict default",
        {**FR_PRO, "country": "DE"},
        (False, "no_consent"),
    ),
]


@pytest.mark.parametrize("case,given,expected", EMAIL, ids=[c[0] for c in EMAIL])
def test_email(case, given, expected):
    assert judge("email", **given) == expected


def test_a_contact_without_a_country_takes_its_company_s():
    companies = pl.DataFrame(
        {"company_id": ["co-1"], "country": ["FR"], "street": ["Rue X"], "city": ["Paris"]}
    )
    assert judge("email", companies=companies, **{**FR_PRO, "country": None}) == (
        True,
        "b2b_function",
    )


def test_the_register_s_channel_columns_decide_per_channel():
    """With the register's golden columns, an opt-out on e-mail leaves phone and post open
    (the contact's own opt_out — an "Email Opt Out" column — is read through them)."""
    given = {**FR_PRO, "email_opt_out": True, "phone_opt_out": False, "post_opt_out": False}
    given["opt_out"] = True
    given["phone"] = "+33145678901"
    assert judge("email", **given) == (False, "opted_out")
    assert judge("phone", **given) == (True, "legitimate_interest")
    assert judge("post", **given) == (True, "legitimate_interest")
    assert judge("post", **{**given, "do_not_contact": True}) == (False, "opted_out")


# --- phone ----------------------------------------------------------------------------------

BE_NUMBER, FR_NUMBER = "+32475123456", "+33612345678"


def listing(service, since=None):
    row = {
        "contact_id": "ct-1",
        "_dncm": False,
        "_bloctel": False,
        "_dncm_since": None,
        "_bloctel_since": None,
    }
    row[f"_{service}"], row[f"_{service}_since"] = True, since
    return pl.DataFrame([row], schema_overrides={"_dncm_since": pl.Date, "_bloctel_since": pl.Date})


PHONE = [
    # (case, contact, listed, files, as_of, expected)
    (
        "BE consumer on the DNCM list",
        {**BE_CONSUMER, "mobile": BE_NUMBER, "mobile_status": "valid"},
        listing("dncm"),
        {"dncm": "fresh"},
        DAY,
        (False, "dncm"),
    ),
    (
        "BE professional on the DNCM list (it holds businesses)",
        {**BE_PRO, "phone": "+3222268888"},
        listing("dncm"),
        {"dncm": "fresh"},
        DAY,
        (False, "dncm"),
    ),
    (
        "BE, DNCM scrubbed, not listed",
        {**BE_PRO, "phone": "+3222268888"},
        None,
        {"dncm": "fresh"},
        DAY,
        (True, "legitimate_interest"),
    ),
    (
        "BE, no DNCM file given",
        {**BE_PRO, "phone": "+3222268888"},
        None,
        {},
        DAY,
        (False, "no_dnc_file"),
    ),
    (
        "BE, the DNCM file is stale (warned)",
        {**BE_PRO, "phone": "+3222268888"},
        None,
        {"dncm": "stale"},
        DAY,
        (False, "dnc_file_stale"),
    ),
    (
        "BE, listed in 2019, consented in 2025 (latest action prevails)",
        {**BE_CONSUMER, "phone": BE_NUMBER, "phone_consent": "2025-05-01"},
        listing("dncm", dt.date(2019, 4, 15)),
        {"dncm": "fresh"},
        DAY,
        (True, "consent"),
    ),
    (
        "BE, consented in 2018, listed in 2019",
        {**BE_CONSUMER, "phone": BE_NUMBER, "phone_consent": "2018-05-01"},
        listing("dncm", dt.date(2019, 4, 15)),
        {"dncm": "fresh"},
        DAY,
        (False, "dncm"),
    ),
    (
        "FR consumer before 2026-08-11, Bloctel scrub clean",
        {**FR_CONSUMER, "phone": FR_NUMBER},
        None,
        {"bloctel": "fresh"},
        BEFORE_SWITCH,
        (True, "legitimate_interest"),
    ),
    (
        "FR consumer before 2026-08-11, on Bloctel",
        {**FR_CONSUMER, "phone": FR_NUMBER},
        listing("bloctel"),
        {"bloctel": "fresh"},
        BEFORE_SWITCH,
        (False, "bloctel"),
    ),
    (
        "FR consumer before 2026-08-11, no Bloctel file",
        {**FR_CONSUMER, "phone": FR_NUMBER},
        None,
        {},
        BEFORE_SWITCH,
        (False, "no_dnc_file"),
    ),
    (
        "FR consumer from 2026-08-11 without consent, Bloctel clean",
        {**FR_CONSUMER, "phone": FR_NUMBER},
        None,
        {"bloctel": "fresh"},
        dt.date(2026, 8, 11),
        (False, "no_consent"),
    ),
    (
        "FR consumer after the switch, consent with date and source",
        {
            **FR_CONSUMER,
            "phone": FR_NUMBER,
            "phone_consent": "oui",
            "consent_date": "2026-09-01",
            "consent_source": "web form",
        },
        None,
        {},
        DAY,
        (True, "consent"),
    ),
    (
        "FR consumer after the switch, consent without proof",
        {**FR_CONSUMER, "phone": FR_NUMBER, "phone_consent": "oui"},
        None,
        {},
        DAY,
        (False, "unproven_consent"),
    ),
    (
        "FR professional: not covered by Bloctel",
        {**FR_PRO, "phone": "+33145678901"},
        listing("bloctel"),
        {},
        DAY,
        (True, "legitimate_interest"),
    ),
    (
        "FR phone refused",
        {**FR_PRO, "phone": "+33145678901", "do_not_contact": True},
        None,
        {},
        DAY,
        (False, "opted_out"),
    ),
    ("no number", FR_PRO, None, {}, DAY, (False, "no_address")),
    (
        "only an invalid number",
        {**FR_PRO, "phone": "+331", "phone_status": "invalid"},
        None,
        {},
        DAY,
        (False, "invalid_address"),
    ),
    (
        "unknown country: consent required",
        {**FR_PRO, "country": "NL", "phone": "+31201234567"},
        None,
        {},
        DAY,
        (False, "no_consent"),
    ),
]


@pytest.mark.parametrize("case,given,listed,files,as_of,expected", PHONE, ids=[c[0] for c in PHONE])
def test_phone(case, given, listed, files, as_of, expected):
    assert judge("phone", listed=listed, files=files, as_of=as_of, **given) == expected


# --- post -----------------------------------------------------------------------------------

POST = [
    ("FR consumer with an address", FR_CONSUMER, (True, "legitimate_interest")),
    ("BE professional", BE_PRO, (True, "legitimate_interest")),
    ("opted out", {**BE_CONSUMER, "opt_out": True}, (False, "opted_out")),
    (
        "a consumer without an address",
        {**FR_CONSUMER, "street": None, "city": None},
        (False, "no_address"),
    ),
]


@pytest.mark.parametrize("case,given,expected", POST, ids=[c[0] for c in POST])
def test_post(case, given, expected):
    assert judge("post", **given) == expected


def test_a_professional_is_posted_at_the_company_s_address():
    companies = pl.DataFrame(
        {"company_id": ["co-2"], "country": ["BE"], "street": ["Wetstraat 16"], "city": ["Brussel"]}
    )
    given = {**BE_PRO, "street": None, "city": None}
    assert judge("post", **given) == (False, "no_address")
    assert judge("post", companies=companies, **given) == (True, "legitimate_interest")


# --- the rules as data ----------------------------------------------------------------------


def test_every_reason_is_explained_and_every_rule_names_one():
    s = load()
    assert all(text for _, text in s.reasons.values())
    used = {r.then for channels in s.rules.values() for rules in channels.values() for r in rules}
    assert used <= set(s.reasons)
    assert {"BE", "FR", "default"} <= set(s.rules)


def test_a_steward_can_change_the_law_in_the_rules_file(tmp_path):
    """A Belgian steward who widens soft opt-in to 5 years: the 4-year-old customer is in."""
    (tmp_path / "contactability.toml").write_text("[customer]\nyears = 5\n", encoding="utf-8")
    given = {**BE_CONSUMER, "last_purchase_date": "2022-12-15"}
    assert judge("email", **given) == (False, "no_consent")
    assert judge("email", rules=Rules.load(tmp_path), **given) == (True, "soft_opt_in")


def test_an_unknown_condition_is_refused_with_its_line(tmp_path):
    (tmp_path / "contactability.toml").write_text(
        '[rules.FR]\nemail = [\n  { when = { mood = "good" }, then = "consent" },\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load(Rules.load(tmp_path))
    assert "mood" in str(err.value) and "contactability.toml:3" in str(err.value)


def test_counts_per_channel_and_reason():
    frame = pl.DataFrame([contact(**FR_PRO), contact(**{**BE_PRO, "contact_id": "ct-2"})])
    out = counts(contactability(frame, as_of=DAY))
    assert out["email"] == {"ok": 1, "not_ok": 1, "why": {"b2b_function": 1, "no_consent": 1}}
    assert out["post"]["why"] == {"legitimate_interest": 2}
