"""Firmographics as a file declares them: a headcount (``Effectif``: "10 à 19 salariés",
"1-2", "Pas de salarié", "250+", "plus de 500", "minder dan 10", "12") and an activity
code (``Code NAF``: "62.01Z", NACE-BEL "62010", NACE "62.01").

The headcount becomes ``employees_min`` / ``employees_max`` (an open band has no maximum);
the text is kept in ``employees``. A value that is not a headcount is kept, without a
band, and said in ``issues``. Registries beat what a file declares (``registry.attach``):
these are used only where the registry has nothing.

>>> parse_headcount("10 à 19 salariés"), parse_headcount("Pas de salarié"), parse_headcount("plus de 500")
((10, 19), (0, 0), (501, None))
>>> parse_headcount("1 000 - 1 999"), parse_headcount("250+"), parse_headcount("minder dan 10"), parse_headcount("vingt")
((1000, 1999), (250, None), (0, 9), None)
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from .text import column, tidy

INPUTS = ("employees", "nace")
NONE = re.compile(
    r"\b(?:pas de salarie|aucun salarie|sans salarie|0 salarie|non employeu\w*|geen (?:werknemers|personeel)|"
    r"keine mitarbeiter|no (?:employees?|staff)|none|nn)\b"
)
RANGE = re.compile(r"(\d+)\s*(?:-|a|tot|to|bis|et|en|and|und|ou|of|or|oder)\s*(\d+)")
ABOVE = re.compile(r"(?:plus de|meer dan|more than|mehr als|over|>)\s*(\d+)")
WORDS = r"(?:\s*(?:salaries?|employees?|werknemers|mitarbeiter|personnes?|pers))?"
AT_LEAST = re.compile(
    r"(?:>=|≥|au moins|minstens|at least|mindestens)\s*(\d+)|(\d+)"
    + WORDS
    + r"\s*(?:\+|et plus|en meer|or more|und mehr|ou plus)"
)
BELOW = re.compile(r"(?:moins de|minder dan|less than|weniger als|<)\s*(\d+)")
SINGLE = re.compile(r"^\D*?(\d+)" + WORDS + r"\s*$")


def parse_headcount(text: str | None) -> tuple[int, int | None] | None:
    """(fewest, most) employees of a typed headcount or band, or None if it is not one."""
    if not text:
        return None
    s = "".join(
        c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c) != "Mn"
    ).lower()
    s = s.replace("–", "-").replace("—", "-")
    s = re.sub(r"(?<=\d)[ .'’\u00a0](?=\d{3}\b)", "", s)  # thousands: "1 000", "1.000"
    s = re.sub(r"\s+", " ", s).strip()
    if NONE.search(s):
        return 0, 0
    for pattern, make in (
        (AT_LEAST, lambda m: (int(m.group(1) or m.group(2)), None)),
        (ABOVE, lambda m: (int(m.group(1)) + 1, None)),
        (BELOW, lambda m: (0, max(int(m.group(1)) - 1, 0))),
        (
            RANGE,
            lambda m: (
                (int(m.group(1)), int(m.group(2))) if int(m.group(1)) <= int(m.group(2)) else None
            ),
        ),
        (SINGLE, lambda m: (int(m.group(1)), int(m.group(1)))),
    ):
        m = pattern.search(s)
        if m:
            return make(m)
    return None


def clean(df: pl.DataFrame) -> pl.DataFrame:
    """employees, employees_min, employees_max, nace and issues, for distinct inputs."""
    text = df.select(tidy(column(df, "employees")).alias("employees"))["employees"]
    parsed = [parse_headcount(v) for v in text.to_list()]
    low = pl.Series("employees_min", [p[0] if p else None for p in parsed], dtype=pl.Int64)
    high = pl.Series("employees_max", [p[1] if p else None for p in parsed], dtype=pl.Int64)
    issue = pl.Series(
        "issues",
        [
            "employees: not a headcount" if v and p is None else None
            for v, p in zip(text.to_list(), parsed)
        ],
        dtype=pl.String,
    )
    nace = df.select(tidy(column(df, "nace")).str.to_uppercase().alias("nace"))["nace"]
    return pl.DataFrame([text, low, high, nace, issue])
