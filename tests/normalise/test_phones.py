import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.normalise.phones import clean_one


@settings(max_examples=400, deadline=None)
@given(
    st.from_regex(r"0[1-9]\d{6,9}", fullmatch=True), st.sampled_from(["BE", "FR", "NL", "LU", "DE"])
)
def test_vectorised_verdict_agrees_with_phonenumbers(number, region):
    ours = clean_one(phone=number, country=region)
    parsed = phonenumbers.parse(number, region)
    assert (ours["phone_status"] == "valid") == phonenumbers.is_valid_number(parsed)
    if ours["phone_status"] == "valid":
        assert ours["phone"] == phonenumbers.format_number(
            parsed, phonenumbers.PhoneNumberFormat.E164
        )


def test_international_forms_and_types():
    assert clean_one(phone="0032 475 12 34 56", country="FR")["phone"] == "+32475123456"
    assert clean_one(phone="+32 (0)2 512 34 56", country=None)["phone_type"] == "fixed_line"
    assert clean_one(phone="475123456", country="BE")["phone_type"] == "mobile"  # Excel ate the 0
    assert clean_one(phone="0800 12 345", country="BE")["phone_type"] == "toll_free"
