import polars as pl
import pytest

from enrich.normalise.firmographics import clean, parse_headcount


@pytest.mark.parametrize(
    "typed, band",
    [
        ("20 à 49 salariés", (20, 49)),
        ("1 ou 2 salariés", (1, 2)),
        ("1-2", (1, 2)),
        ("10 – 19", (10, 19)),
        ("Pas de salarié", (0, 0)),
        ("Unité non employeuse", (0, 0)),
        ("geen werknemers", (0, 0)),
        ("NN", (0, 0)),
        ("entre 10 et 49", (10, 49)),
        ("tussen 50 en 99", (50, 99)),
        ("van 5 tot 9", (5, 9)),
        ("250+", (250, None)),
        ("500 et plus", (500, None)),
        ("10 000 salariés et plus", (10000, None)),
        (">= 250", (250, None)),
        ("plus de 500", (501, None)),
        ("meer dan 1.000", (1001, None)),
        ("> 1000", (1001, None)),
        ("moins de 10", (0, 9)),
        ("minder dan 10", (0, 9)),
        ("< 50", (0, 49)),
        ("12", (12, 12)),
        ("12 employees", (12, 12)),
        ("1 000", (1000, 1000)),
        ("vingt", None),
        ("Micro", None),
        ("", None),
        (None, None),
        ("49 - 10", None),
    ],
)
def test_headcounts_as_files_type_them(typed, band):
    assert parse_headcount(typed) == band


def test_clean_keeps_the_text_and_says_what_is_not_a_headcount():
    out = clean(
        pl.DataFrame(
            {
                "employees": [" 10 à 19 salariés ", "beaucoup", None],
                "nace": ["62.01z", " 62010 ", None],
            }
        )
    )
    assert out.select("employees", "employees_min", "employees_max", "nace").rows() == [
        ("10 à 19 salariés", 10, 19, "62.01Z"),
        ("beaucoup", None, None, "62010"),
        (None, None, None, None),
    ]
    assert out["issues"].to_list() == [None, "employees: not a headcount", None]
