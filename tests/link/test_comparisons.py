import polars as pl
import pytest

from enrich.link.comparisons import gammas, level_matrix, prepared, view
from enrich.link.settings import Comparison, Level


def levels_of(left, right, *levels):
    frame = pl.DataFrame({"v": [*left, *right]})
    n = len(left)
    pairs = pl.DataFrame({"id_l": list(range(n)), "id_r": list(range(n, 2 * n))})
    comp = Comparison("v", tuple(levels))
    return gammas(prepared(view(frame, [comp], set()), [comp]), pairs, [comp])["g_v"].to_list()


def test_exact_after_folding_and_missing():
    assert levels_of(
        ["Dupont", "Dupont", None, "x"], ["DUPONT", "Dupond", "Dupont", None], Level("exact")
    ) == [0, 1, -1, -1]


def test_jaro_winkler_levels_in_order():
    got = levels_of(
        ["martha", "dupont", "dupont"],
        ["marhta", "dupond", "lambert"],
        Level("exact"),
        Level("jaro_winkler", 0.95),
        Level("jaro_winkler", 0.8),
    )
    assert got == [1, 2, 3]  # JW(martha, marhta) = 0.961; JW(dupont, dupond) = 0.933
    assert levels_of(
        ["dupont"], ["dupond"], Level("jaro_winkler", 0.95), Level("jaro_winkler", 0.8)
    ) == [1]


def test_levenshtein_token_set_dates_numbers():
    assert levels_of(
        ["19560409", "19560409"],
        ["19560490", "19650409"],
        Level("levenshtein", 1),
        Level("levenshtein", 2),
    ) == [1, 1]
    # a swap of two neighbours (a postcode, a birth year typed fast) is one edit, not two
    assert levels_of(
        ["4117", "1972", "4117"],
        ["4171", "1927", "4711"],
        Level("damerau_levenshtein", 1),
        Level("levenshtein", 2),
    ) == [0, 0, 1]  # 4117 / 4711: not neighbours, two edits
    assert levels_of(
        ["jean pierre dupont"], ["dupont jean pierre"], Level("exact"), Level("token_set", 0.95)
    ) == [1]
    assert levels_of(
        ["1971-06-24", "1971-06-24"], ["1971-07-01", "1973-06-24"], Level("date_days", 30)
    ) == [0, 1]
    assert levels_of(["12", "12"], ["13", "20"], Level("numeric_abs", 1)) == [0, 1]


@pytest.mark.parametrize("n", [0, 1, 1000])
def test_batch_sizes(n):
    assert len(levels_of(["a"] * n, ["a"] * n, Level("exact"))) == n


def test_swapped_first_and_last_names_agree_crosswise():
    first = Comparison("first", (Level("exact"), Level("jaro_winkler", 0.88)), swap_with="last")
    last = Comparison("last", (Level("exact"), Level("jaro_winkler", 0.88)))
    frame = pl.DataFrame(
        {
            "first": ["Jean", "Dupont", "Laura", "Webf", "Marie", "Martin", "Anne", "Anne"],
            "last": ["Dupont", "Jean", "Webb", "Laura", "Martin", "Marie", "Lambert", "Lambert"],
        }
    )
    pairs = pl.DataFrame({"id_l": [0, 2, 0, 6], "id_r": [1, 3, 4, 7]})
    g = gammas(prepared(view(frame, [first, last], set()), [first, last]), pairs, [first, last])
    # swapped: both exact; swapped with a typo: exact + close; not swapped and different:
    # else; in place and equal: exact (the crossed reading is not looked at)
    assert list(zip(g["g_first"], g["g_last"])) == [(0, 0), (0, 1), (2, 2), (0, 0)]


def test_a_family_member_typed_with_swapped_names_is_not_read_crosswise():
    """ "Manva Pieter" (Pieter Manva, swapped) and "Jens Manva" share the surname only:
    crosswise, one name agrees and the other does not, so the names stay compared in place
    (read crosswise, the shared surname became an exact first name: spouses were merged)."""
    first = Comparison("first", (Level("exact"), Level("jaro_winkler", 0.88)), swap_with="last")
    last = Comparison("last", (Level("exact"), Level("jaro_winkler", 0.88)))
    frame = pl.DataFrame({"first": ["Manva", "Jens"], "last": ["Pieter", "Manva"]})
    pairs = pl.DataFrame({"id_l": [0], "id_r": [1]})
    g = gammas(prepared(view(frame, [first, last], set()), [first, last]), pairs, [first, last])
    assert list(zip(g["g_first"], g["g_last"])) == [(2, 2)]


def test_swap_with_must_name_another_compared_text_field():
    from enrich.errors import InputError
    from enrich.link.settings import parse

    def rules(swap):
        return {
            "blocking": [{"keys": ["a"]}],
            "comparison": [
                {"field": "a", "swap_with": swap, "levels": [{"kind": "exact"}]},
                {"field": "b", "levels": [{"kind": "exact"}]},
                {"field": "d", "levels": [{"kind": "date_days", "threshold": 3}]},
            ],
        }

    assert parse(rules("b"), "x.toml").comparisons[0].swap_with == "b"
    for bad in ("zzz", "a", "d"):
        with pytest.raises(InputError, match="swap_with"):
            parse(rules(bad), "x.toml")


def test_a_field_shared_by_the_home_has_levels_of_its_own_where_the_homes_agree():
    """The postcode and a family's surname are shared by the home: where the homes agree (at
    one of their first shared_levels levels) they take their levels "at one home" (split
    on), which have an m and u of their own; where the homes differ, their usual levels."""
    home = Comparison("home", (Level("exact"), Level("token_set", 0.85)))
    postcode = Comparison("postcode", (Level("exact"),), shared_by="home")
    last = Comparison("last", (Level("exact"),), shared_by="home", shared_levels=2)
    assert last.level_names() == ["exact", "else", "exact at one home", "else at one home"]
    frame = pl.DataFrame(
        {
            "home": ["kerkstraat 3 2800 mechelen"] * 2
            + ["kerkstraat 3a 2800 mechelen", "veldstraat 9 2800 mechelen", None],
            "postcode": ["2800"] * 5,
            "last": ["peeters"] * 5,
        }
    )
    pairs = pl.DataFrame({"id_l": [0, 0, 0, 0], "id_r": [1, 2, 3, 4]})
    comps = [home, postcode, last]
    g = gammas(prepared(view(frame, comps, set()), comps), pairs, comps)
    assert g["g_home"].to_list() == [0, 1, 2, -1]
    assert g["g_postcode"].to_list() == [2, 0, 0, 0]  # at one home where the homes are exact
    assert g["g_last"].to_list() == [2, 2, 0, 0]  # ... and where they are a typo apart


def test_first_names_agree_by_variants_and_initials():
    """Jan and Jean are one group (rules/first_names.toml); J.-P. is Jean-Pierre's initials;
    a typo of a name in a group is still a typo of it (compared on the name, not the group)."""
    comp = Comparison(
        "first",
        (
            Level("exact"),
            Level("variants", groups="first_names"),
            Level("jaro_winkler", 0.9),
            Level("initials"),
        ),
    )
    frame = pl.DataFrame(
        {"first": ["Jean", "Jan", "Jeann", "J.", "Jean-Pierre", "J.-P.", "Marc", "K."]}
    )
    pairs = pl.DataFrame({"id_l": [0, 0, 1, 0, 4, 4, 0, 6], "id_r": [1, 2, 2, 3, 5, 3, 6, 7]})
    g = gammas(prepared(view(frame, [comp], set()), [comp]), pairs, [comp])
    #   Jean/Jan variants, Jean/Jeann typo, Jan/Jeann typo of a variant (jw 0.8: else),
    #   Jean/J. initial, Jean-Pierre/J.-P. initials, Jean-Pierre/J. initial, Jean/Marc, Marc/K.
    assert g["g_first"].to_list() == [1, 2, 4, 3, 3, 3, 4, 4]


def test_level_matrix_scores_variants_and_initials_as_pairs_do():
    """u is estimated on the matrix of distinct values: it must give the pairs' levels."""
    comp = Comparison(
        "first", (Level("exact"), Level("variants", groups="first_names"), Level("initials"))
    )
    values = pl.DataFrame({"first": ["Jean", "Jan", "J.", "Marc", "K.", "Jean-Pierre"]})
    distinct = prepared(view(values, [comp], set()), [comp])["first"].unique().sort().to_numpy()
    matrix = level_matrix(comp, distinct)
    ids = {v: i for i, v in enumerate(distinct)}
    frame = pl.DataFrame({"first": distinct})
    n = len(distinct)
    pairs = pl.DataFrame(
        {
            "id_l": [i for i in range(n) for j in range(i, n)],
            "id_r": [j for i in range(n) for j in range(i, n)],
        }
    )
    g = gammas(frame, pairs, [comp])["g_first"].to_list()
    assert [matrix[i, j] for i in range(n) for j in range(i, n)] == g
    assert matrix[ids["j"], ids["jean pierre"]] == 2 and matrix[ids["jan"], ids["jean"]] == 1


def test_shared_by_variants_and_train_are_checked_when_read():
    from enrich.errors import InputError
    from enrich.link.settings import parse

    def rules(shared_by, train=False, levels=1, groups="first_names"):
        return {
            "blocking": [{"keys": ["home"], "train": train}],
            "comparison": [
                {"field": "home", "levels": [{"kind": "exact"}]},
                {
                    "field": "pc",
                    "shared_by": shared_by,
                    "shared_levels": levels,
                    "levels": [{"kind": "exact"}],
                },
                {"field": "dob", "levels": [{"kind": "date_days", "threshold": 3}]},
                {"field": "first", "levels": [{"kind": "variants", "groups": groups}]},
            ],
        }

    read = parse(rules("home"), "x.toml")
    assert read.comparisons[1].shared_by == "home" and read.blocking[0].train is False
    assert read.comparisons[3].levels[0].groups == "first_names"
    for bad in ("zzz", "pc", "dob"):
        with pytest.raises(InputError, match="shared_by"):
            parse(rules(bad), "x.toml")
    with pytest.raises(InputError, match="shared_by"):
        parse(rules("home", levels=2), "x.toml")  # home has one level only
    with pytest.raises(InputError, match="shared_levels"):
        parse(rules("home", levels=0), "x.toml")
    with pytest.raises(InputError, match="groups"):
        parse(rules("home", groups=None), "x.toml")
    with pytest.raises(InputError, match="train must be true or false"):
        parse(rules("home", train="no"), "x.toml")


def test_level_matrix_gives_the_levels_gammas_gives():
    import numpy as np

    from enrich.link.comparisons import level_matrix

    comp = Comparison(
        "v",
        (
            Level("exact"),
            Level("jaro_winkler", 0.9),
            Level("token_set", 0.8),
            Level("damerau_levenshtein", 1),
            Level("levenshtein", 3),
        ),
    )
    values = np.array(
        ["dupont", "dupond", "jean dupont", "dupont jean", "lambert", "lamberts", "lamebrt", "x"],
        dtype=object,
    )
    n = len(values)
    pairs = pl.DataFrame(
        {
            "id_l": [i for i in range(n) for j in range(n)],
            "id_r": [j for i in range(n) for j in range(n)],
        }
    )
    expected = gammas(pl.DataFrame({"v": values}), pairs, [comp])["g_v"].to_numpy().reshape(n, n)
    assert (level_matrix(comp, values) == expected).all()
    for start in range(n):  # a block of rows against the columns from it on
        assert (
            level_matrix(comp, values, start, start + 2) == expected[start : start + 2, start:]
        ).all()


def test_a_view_given_for_the_first_rows_is_completed_not_recomputed():
    comps = [Comparison("name", (Level("exact"),)), Comparison("born", (Level("date_days", 30),))]
    frame = pl.DataFrame(
        {
            "name": ["Dûrer SA", "DURER s.a.", None, "Peeters"],
            "born": ["1970-01-02", "02/01/1970", None, "1980-05-06"],
            "pc": ["1000", "1000", "9000", None],
        }
    )
    whole = view(frame, comps, {"pc"})
    assert sorted(whole) == ["folded:name", "folded:pc", "tidied:born"]
    assert whole["folded:name"].to_list() == ["durer sa", "durer s a", None, "peeters"]
    first = {
        k: s.head(2).alias(k) for k, s in view(frame.head(2), comps, {"pc"}).items()
    }  # as read back from a state
    first["folded:name"] = pl.Series(
        "folded:name", ["kept", "as given"]
    )  # given values are used, not folded again
    again = view(frame, comps, {"pc"}, first)
    assert again["folded:name"].to_list() == ["kept", "as given", None, "peeters"]
    assert again["tidied:born"].to_list() == whole["tidied:born"].to_list()


def test_a_variants_level_reads_its_groups_from_the_rules_folder(tmp_path):
    """A steward's groups extend the shipped ones (a group starting with Joseph adds Sjef to
    Joseph's: Sjef = Jozef); a variants level naming a
    rules file without groups is a one-line error naming that file."""
    from enrich.errors import InputError
    from enrich.link.files import load_settings
    from enrich.ruleset import Rules

    (tmp_path / "first_names.toml").write_text('groups = [["Joseph", "Sjef"]]\n', encoding="utf-8")
    customer = load_settings(Rules(tmp_path))["customer"]
    first = next(c for c in customer.comparisons if c.field == "first_name")
    frame = pl.DataFrame({"first_name": ["Sjef", "Jozef", "Jan", "Jean"]})
    pairs = pl.DataFrame({"id_l": [0, 2], "id_r": [1, 3]})
    g = gammas(prepared(view(frame, [first], set()), [first]), pairs, [first])
    assert g["g_first_name"].to_list() == [1, 1]  # both a variant: the steward's and a shipped one
    (tmp_path / "link.toml").write_text(
        '[[customer.comparison]]\nfield = "first_name"\n'
        'levels = [{ kind = "variants", groups = "titles" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="variants level needs groups"):
        load_settings(Rules(tmp_path))
