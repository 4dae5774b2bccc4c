"""Property tests: every normaliser is idempotent on its own output and never raises."""

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich import identifiers
from enrich.normalise import (
    addresses,
    companies,
    consent,
    countries,
    dates,
    emails,
    persons,
    phones,
)

# Text the way it arrives in contact files: letters with accents, digits, punctuation, spaces
# (also no-break and zero-width ones), @, +, quotes, sometimes nothing at all.
ALPHABET = st.sampled_from(
    list("abcdeéèçàôüABCDEÉÖ0123456789 .,;:-/'&()@+_=\"")
    + ["\u00a0", "\u200b", "\t", "\n", "bte", "SPRL", "BV", "Rue "]
)
messy = st.one_of(st.none(), st.lists(ALPHABET, max_size=30).map("".join))
country = st.sampled_from([None, "BE", "FR", "NL", "LU", "DE"])
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(messy, messy, country)
def test_companies(name, form, cc):
    once = companies.clean_one(company_name=name, legal_form=form, country=cc)
    twice = companies.clean_one(company_name=once["company_name"], legal_form=form, country=cc)
    assert twice["company_name"] == once["company_name"]
    assert twice["company_name_norm"] == once["company_name_norm"]
    assert twice["legal_form"] == once["legal_form"]


@SETTINGS
@given(messy)
def test_emails(value):
    once = emails.clean_one(email=value)
    twice = emails.clean_one(email=once["email"])
    assert twice["email"] == once["email"]
    assert once["email_status"] in ("valid", "invalid", "missing")
    if once["email_status"] == "valid":
        assert twice["email_status"] == "valid"


@SETTINGS
@given(
    st.one_of(messy, st.from_regex(r"\+?(00)?3[23] ?[1-9]( ?[0-9]){7,9}", fullmatch=True)), country
)
def test_phones(value, cc):
    once = phones.clean_one(phone=value, country=cc)
    assert once["phone_status"] in ("valid", "invalid", "missing")
    if once["phone_status"] == "valid":
        assert once["phone"].startswith("+")
        assert phones.clean_one(phone=once["phone"], country=cc)["phone"] == once["phone"]


@SETTINGS
@given(messy, messy, messy, messy)
def test_persons(title, first, last, full):
    once = persons.clean_one(title=title, first_name=first, last_name=last, full_name=full)
    twice = persons.clean_one(first_name=once["first_name"], last_name=once["last_name"])
    if once["first_name"] and once["last_name"]:
        assert (twice["first_name"], twice["last_name"]) == (once["first_name"], once["last_name"])


@SETTINGS
@given(messy, messy, country)
def test_addresses(line, postcode, cc):
    once = addresses.clean_one(address=line, postcode=postcode, country=cc)
    twice = addresses.clean_one(
        street=once["street"],
        house_number=once["house_number"],
        box=once["box"],
        postcode=once["postcode"],
        country=cc,
    )
    assert (twice["street"], twice["house_number"], twice["box"], twice["postcode"]) == (
        once["street"],
        once["house_number"],
        once["box"],
        once["postcode"],
    )


@SETTINGS
@given(
    st.one_of(
        messy, st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.integers(1000, 99999).map(str)
    )
)
def test_dates(value):
    once = dates.clean_one(value=value)
    assert dates.clean_one(value=once["value"])["value"] == once["value"]


@SETTINGS
@given(messy)
def test_countries_and_consent(value):
    c = countries.clean_one(country=value)["country"]
    assert countries.clean_one(country=c)["country"] == c
    assert isinstance(consent.clean_one(opt_out=value)["opt_out"], bool)


@SETTINGS
@given(messy, messy, country)
def test_identifiers(vat, siret, cc):
    once = identifiers.clean_one(vat=vat, siret=siret, country=cc)
    twice = identifiers.clean_one(vat=once["vat"], siret=once["siret"], country=cc)
    assert (twice["vat"], twice["id_status"]) == (once["vat"], once["id_status"])


def test_frame_functions_keep_row_count_and_order():
    df = pl.DataFrame({"email": ["b@x.be", None, "a@x.be", "b@x.be"]})
    assert emails.clean(df)["email"].to_list() == ["b@x.be", None, "a@x.be", "b@x.be"]


@SETTINGS
@given(st.lists(st.one_of(messy, st.text(max_size=12)), max_size=20))
def test_fold_values_short_cut_equals_fold(values):
    from enrich.normalise.text import fold, fold_values

    series = pl.Series("v", values, dtype=pl.String)
    assert fold_values(series).to_list() == pl.select(fold(pl.lit(series))).to_series().to_list()
