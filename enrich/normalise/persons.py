"""Person names: civility as a code, first and last name split and cased.

A whole name in one cell is split: capitals mark the family name (``DUPONT Jean``,
``Jean VAN DEN BROECK``), a comma puts it first (``Dupont, Jean``), else the first word is the
given name (``Jean Van den Broeck``). A civility typed in front (``M.``, ``Mevr.``, ``Herr``)
is moved to ``title`` (codes from ``rules/titles.toml``). Names typed all in capitals or all
in lower case are re-cased (``VAN DEN BROECK`` → ``Van den Broeck``); mixed case is kept.

>>> r = clean_one(full_name="DUPONT Jean-Pierre")
>>> r["first_name"], r["last_name"]
('Jean-Pierre', 'Dupont')
>>> r = clean_one(full_name="Mevr. An VAN DEN BROECK")
>>> r["title"], r["first_name"], r["last_name"]
('mrs', 'An', 'Van den Broeck')
>>> r = clean_one(title="Monsieur", first_name="jérôme", last_name="d'ARTOIS")
>>> r["title"], r["first_name"], r["last_name"]
('mr', 'Jérôme', "D'Artois")
>>> clean_one(full_name="Dupont, Marie")["first_name"]
'Marie'
"""

from __future__ import annotations

import re

import polars as pl

from ..ruleset import Rules, rules_or_default
from .text import column, fold_py, join_issues, one_row, tidy

INPUTS = ("title", "first_name", "last_name", "full_name")
OUTPUTS = ("title", "first_name", "last_name")

_PARTICLES = {
    "de",
    "den",
    "der",
    "van",
    "von",
    "du",
    "des",
    "la",
    "le",
    "het",
    "ter",
    "ten",
    "te",
    "vande",
    "vanden",
    "vander",
    "di",
    "da",
    "dos",
    "del",
    "zu",
}


def titles(rules: Rules | None = None) -> dict[str, str]:
    """Folded civility → code."""
    return rules_or_default(rules).derived(_titles)


def _titles(rules: Rules) -> dict[str, str]:
    out = {}
    for code, variants in rules.get("titles")["titles"].items():
        for v in variants:
            out[fold_py(v)] = code
    return out


def recase(name: str) -> str:
    """Re-case a name typed all in capitals or all in lower case.

    >>> recase("VAN DEN BROECK"), recase("jean-pierre"), recase("D'ARTOIS"), recase("McAdam")
    ('Van den Broeck', 'Jean-Pierre', "D'Artois", 'McAdam')
    """
    letters = re.sub(r"^[dlDL]['’]", "", name)
    if not (letters.isupper() or letters.islower()) or len(name) < 2:
        return name
    words = name.lower().split(" ")
    out = []
    for i, w in enumerate(words):
        if i > 0 and w in _PARTICLES:
            out.append(w)
            continue
        out.append(re.sub(r"(^|[-\s'’])(\w)", lambda m: m.group(1) + m.group(2).upper(), w))
    return " ".join(out)


def _split(full: str) -> tuple[str | None, str | None]:
    """(first, last) of a whole name."""
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip() or None, last.strip() or None
    words = full.split(" ")
    if len(words) == 1:
        return None, full
    caps = [w.isupper() and len(w.strip(".-'")) > 1 for w in words]
    if any(caps) and not all(caps):
        last = " ".join(w for w, c in zip(words, caps) if c)
        first = " ".join(w for w, c in zip(words, caps) if not c)
        return first, last
    return words[0], " ".join(words[1:])


def _leading_title(value: str, table: dict[str, str]) -> tuple[str | None, str]:
    """A civility typed in front of a name: ('mr', 'Jean Dupont') from 'M. Jean Dupont'."""
    words = value.split(" ")
    for n in (2, 1):  # "De heer", "Mevr."
        if len(words) > n:
            code = table.get(fold_py(" ".join(words[:n])))
            if code and (
                n == 2 or words[0].endswith(".") or len(fold_py(words[0])) > 2 or words[0].istitle()
            ):
                return code, " ".join(words[n:])
    return None, value


def _person(
    table: dict[str, str], title: str | None, first: str | None, last: str | None, full: str | None
) -> tuple:
    found = None
    if full and not (first or last):
        found, full = _leading_title(full, table)
        first, last = _split(full)
    elif last and not first and " " in last:
        words = last.split(" ")
        caps = [w.isupper() and len(w) > 1 for w in words]
        if any(caps) and not all(caps):  # "DUPONT Jean" typed in the family-name column
            first, last = _split(last)
    if first:
        t, first = _leading_title(first, table) if " " in first else (None, first)
        found = found or t
    elif last and " " in last:
        t, rest = _leading_title(last, table)
        if t:
            found, last = t, rest
    code = table.get(fold_py(title)) if title else None
    return (
        code or found,
        recase(first) if first else None,
        recase(last) if last else None,
        "title: unrecognised" if title and not code else None,
    )


def _map_unique(values: pl.Series, fn) -> pl.Series:
    """Apply the Python function *fn* once per distinct non-null value."""
    uniq = values.drop_nulls().unique()
    mapping = dict(zip(uniq.to_list(), [fn(v) for v in uniq.to_list()]))
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues``. Python runs once per distinct value; whole names that need
    splitting once per distinct combination of name cells."""
    frame = pl.DataFrame({k: column(df, k) for k in INPUTS}).select(
        tidy(pl.col(k)).alias(k) for k in INPUTS
    )
    table = titles(rules)
    complex_ = (
        (
            pl.col("full_name").is_not_null()
            & pl.col("first_name").is_null()
            & pl.col("last_name").is_null()
        )
        | (pl.col("last_name").str.contains(" ") & pl.col("first_name").is_null())
        | pl.col("first_name").str.contains(" ")
    ).fill_null(False)
    frame = frame.with_columns(complex_.alias("_complex"))
    hard = frame.filter("_complex").select(INPUTS).unique()
    rows = [(*key, *_person(table, *key)) for key in hard.iter_rows()]
    schema = {
        **dict.fromkeys(INPUTS, pl.String),
        "_t": pl.String,
        "_f": pl.String,
        "_l": pl.String,
        "_i": pl.String,
    }
    lookup = pl.DataFrame(rows, schema=schema, orient="row")
    frame = frame.join(lookup, on=list(INPUTS), how="left", nulls_equal=True, maintain_order="left")
    title_code = _map_unique(frame["title"], lambda t: table.get(fold_py(t)))
    first = _map_unique(frame["first_name"], recase)
    last = _map_unique(frame["last_name"], recase)
    frame = frame.with_columns(title_code.alias("_tc"), first.alias("_rf"), last.alias("_rl"))
    easy = ~pl.col("_complex")
    return frame.select(
        pl.when(easy).then(pl.col("_tc")).otherwise(pl.col("_t")).alias("title"),
        pl.when(easy).then(pl.col("_rf")).otherwise(pl.col("_f")).alias("first_name"),
        pl.when(easy).then(pl.col("_rl")).otherwise(pl.col("_l")).alias("last_name"),
        join_issues(
            pl.when(easy & pl.col("title").is_not_null() & pl.col("_tc").is_null())
            .then(pl.lit("title: unrecognised"))
            .otherwise(pl.col("_i"))
        ).alias("issues"),
    )


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
