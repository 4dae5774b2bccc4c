"""fold (polars) and fold_py (Python) are one mapping: they must give the same key."""

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrich.normalise.text import fold, fold_py


def fold_polars(values: list[str]) -> list[str]:
    """fold of each value, with '' for null (fold_py's empty key)."""
    out = pl.select(fold(pl.Series(values, dtype=pl.String))).to_series().to_list()
    return [v or "" for v in out]


SAMPLES = [
    # French, Dutch, German accents and ligatures
    "Société Générale",
    "ÉTS. DUPONT & FILS, S.à r.l.",
    "Œuvre d'Art",
    "cœur ŒUF",
    "Ærø Æble æbleskiver",
    "Straße STRASSE Grüße Größe ẞ",
    "Ångström Øresund ø",
    "Ève Noël Çà Là Où Naïve Hôtel façade",
    "Brouwerij De Smet Ĳsselmeer ĳs",
    "Müller-Lüdenscheidt GmbH & Co. KG",
    "Kerkstr. 12/3",
    "L'Œuf-Dûr",
    # compatibility forms NFKC takes apart
    "ﬁnance ﬂ ﬀ",
    "Ｆｕｌｌｗｉｄｔｈ １２３",
    "½ ² ³ № ™ ℡",
    "e\u0301cole",  # a decomposed accent
    # punctuation and spaces of every kind
    "  a\u00a0b\u2003c\u3000d\t\ne  ",
    "a\u200bb\u200cc\u200dd\ufeffe\u2060f",
    "a\x00b\x07c\x0bd\x1fe\x7ff",
    "a\u2028b\u2029c\u202ad",
    "«quoted» “curly” ‘single’ — – … · • ¶ §",
    "a--b__c..d,,e;;f::g!!h??i",
    "@#$%^*()[]{}<>/\\|~`+=",
    "&&& & a&b",
    "",
    " ",
    "-",
    # other scripts
    "ΟΔΟΣ ΑΘΗΝΑΣ Σ",
    "Москва ЁЛКА",
    "İstanbul ıIiİ",
    "東京 ３丁目",
    "مرحبا ١٢٣",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_fold_and_fold_py_agree_on_samples(value):
    assert fold_py(value) == fold_polars([value])[0]


# Every assigned character of the Basic Multilingual Plane, alone and in words: the two
# implementations share their tables, but Unicode's own (NFKD, letter/digit classes, case)
# come from Python and from polars. Unassigned code points (Cn) are left out: polars may know
# characters a given Python's Unicode database does not yet.
ANY_TEXT = st.text(
    alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Co", "Cn")),
    max_size=40,
)
WESTERN = st.text(alphabet=st.sampled_from(list("aeoAEO ßŒœÆæØøéèêëàâäçîïôöùûüÿÉÈÀÇÖÜ.-'&,")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(ANY_TEXT, WESTERN), min_size=1, max_size=50))
def test_fold_and_fold_py_agree(values):
    assert [fold_py(v) for v in values] == fold_polars(values)


def test_fold_py_is_idempotent_and_removes_what_fold_removes():
    assert fold_py("Straße Œuf Æ Ø") == "strasse oeuf ae o"
    assert fold_py("ab\u200bcd") == "abcd"  # invisible: removed, as tidy does, not a space
    assert fold_py(fold_py("L'Œuf-Dûr")) == fold_py("L'Œuf-Dûr") == "l oeuf dur"
