import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.normalise.emails import _VALID, _reason, clean_one

ascii_email = st.text(alphabet="ab.-_+@x1 ", min_size=1, max_size=30)


@settings(max_examples=400, deadline=None)
@given(st.one_of(ascii_email, st.emails().map(str)))
def test_one_regex_fast_check_agrees_with_detailed_reasons(value):
    value = value.lower()
    frame = pl.DataFrame({"e": [value]})
    fast = frame.select(
        pl.col("e").str.contains(_VALID)
        & (pl.col("e").str.len_bytes() <= 254)
        & (pl.col("e").str.find("@") <= 64)
    ).item()
    detailed = frame.select(_reason(pl.col("e"))).item()
    assert fast == (detailed is None), (value, detailed)


def test_reasons_people_need():
    assert clean_one(email="jean dupont@x.be")["email_reason"] == "contains a space"
    assert clean_one(email="jean.dupont.x.be")["email_reason"] == "no @"
    assert clean_one(email="MAILTO:Jean@X.BE")["email"] == "jean@x.be"
    r = clean_one(email="a@x.be ; b@y.be, c@z.fr")
    assert (r["email"], r["email_other"]) == ("a@x.be", "b@y.be;c@z.fr")
