import polars as pl
import pytest

from enrich.link.comparisons import gammas, prepared
from enrich.link.settings import Comparison, Level


def levels_of(left, right, *levels):
    frame = pl.DataFrame({"v": [*left, *right]})
    n = len(left)
    pairs = pl.DataFrame({"id_l": list(range(n)), "id_r": list(range(n, 2 * n))})
    comp = Comparison("v", tuple(levels))
    return gammas(prepared(frame, [comp]), pairs, [comp])["g_v"].to_list()


def test_exact_after_folding_and_missing():
    assert levels_of(["Dupont", "Dupont", None, "x"], ["DUPONT", "Dupond", "Dupont", None], Level("exact")) == [0, 1, -1, -1]


def test_jaro_winkler_levels_in_order():
    got = levels_of(["martha", "dupont", "dupont"], ["marhta", "dupond", "lambert"],
                    Level("exact"), Level("jaro_winkler", 0.95), Level("jaro_winkler", 0.8))
    assert got == [1, 2, 3]  # JW(martha, marhta) = 0.961; JW(dupont, dupond) = 0.933
    assert levels_of(["dupont"], ["dupond"], Level("jaro_winkler", 0.95), Level("jaro_winkler", 0.8)) == [1]


def test_levenshtein_token_set_dates_numbers():
    assert levels_of(["19560409", "19560409"], ["19560490", "19650409"], Level("levenshtein", 1), Level("levenshtein", 2)) == [1, 1]
    assert levels_of(["jean pierre dupont"], ["dupont jean pierre"], Level("exact"), Level("token_set", 0.95)) == [1]
    assert levels_of(["1971-06-24", "1971-06-24"], ["1971-07-01", "1973-06-24"], Level("date_days", 30)) == [0, 1]
    assert levels_of(["12", "12"], ["13", "20"], Level("numeric_abs", 1)) == [0, 1]


@pytest.mark.parametrize("n", [0, 1, 1000])
def test_batch_sizes(n):
    assert len(levels_of(["a"] * n, ["a"] * n, Level("exact"))) == n
