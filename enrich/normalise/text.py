"""Text primitives every normaliser shares, as polars expressions and their scalar twins.

``tidy`` cleans a value for display (Unicode NFKC, no-break and zero-width spaces, control
characters, runs of white space); ``fold`` makes a matching key (no accents, no case, no
punctuation). Both are idempotent.

>>> tidy_one("  Société\\u00a0 Générale\\u200b ")
'Société Générale'
>>> fold_one("Ets. DUPONT & Fils, S.à r.l.")
'ets dupont & fils s a r l'
>>> fold_one(fold_one("L'Œuf-Dûr")) == fold_one("L'Œuf-Dûr")
True
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

# Characters people paste from Word, Excel and web pages that are not text.
_INVISIBLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]"
# Unicode white space, spelled out (faster than \s); a lone ordinary space is left alone
_WS = r"\t\n\r\x0b\x0c\x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACES = rf"[ {_WS}]{{2,}}|[{_WS}]"


def tidy(expr: pl.Expr) -> pl.Expr:
    """Display form: NFKC, invisible characters removed, white space collapsed, ''→null."""
    out = (
        expr.str.normalize("NFKC")
        .str.replace_all(_INVISIBLE, "")
        .str.replace_all(_SPACES, " ")
        .str.strip_chars()
    )
    return out.replace("", None)  # not when/then: that would evaluate *out* twice


# The folding of ``fold`` and ``fold_py``, defined once for both: letters NFKD does not take
# apart, spelled the way a matching key wants them; then lower case, and every run of what is
# not a letter, a digit or ``&`` becomes one space.
_LETTERS = {"ß": "ss", "Œ": "oe", "œ": "oe", "Æ": "ae", "æ": "ae", "Ø": "o", "ø": "o"}
_KEEP = "&"  # the one non-alphanumeric character a key keeps ("Dupont & Fils")


def strip_accents(expr: pl.Expr) -> pl.Expr:
    """Letters without their accents, ligatures spelled out (``fold``'s letters, without
    its tidying: for keys over tens of millions of values that are clean already)."""
    return expr.str.normalize("NFKD").str.replace_all(r"\p{Mn}", "").str.replace_many(_LETTERS)


def fold(expr: pl.Expr) -> pl.Expr:
    """Matching key: lower case, accents and punctuation removed (``&`` kept), one space."""
    out = (
        strip_accents(tidy(expr))
        .str.to_lowercase()
        .str.replace_all(rf"[^\p{{L}}\p{{N}}{re.escape(_KEEP)}]+", " ")
        .str.strip_chars()
    )
    return out.replace("", None)


def _one(fn, value: str | None) -> str | None:
    return pl.select(fn(pl.lit(value, dtype=pl.String))).item()


def tidy_one(value: str | None) -> str | None:
    return _one(tidy, value)


def fold_one(value: str | None) -> str | None:
    return _one(fold, value)


_LETTERS_PY = str.maketrans(_LETTERS)
_INVISIBLE_PY = re.compile(_INVISIBLE)


def fold_py(value: str) -> str:
    """Pure-Python ``fold`` for rules tables (headers, legal forms, countries …): the same
    key, ``''`` where ``fold`` gives null.

    >>> fold_py("  Œuvre\u200bs d'ART  "), fold_py(" - ")
    ('oeuvres d art', '')
    """
    s = _INVISIBLE_PY.sub("", unicodedata.normalize("NFKC", value))
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").translate(_LETTERS_PY).lower()
    return " ".join("".join(c if c.isalnum() or c in _KEEP else " " for c in s).split())


FORMULA_START = r"[=+\-@\t\r]"  # the first characters that make a spreadsheet run a cell


# a signed number or phone number, or a ';'-separated list of them (a golden list of phones:
# "+3292234560;+32475123456"): digits, signs and separators only — no function, reference
# or DDE call — so a spreadsheet shows it (a number, or text: ';' joins no constants in a
# formula), and runs nothing. Such a cell needs no guard quote.
NUMBER_LIKE = r"^[+\-]?[\d\s().,/]+(?:;[+\-]?[\d\s().,/]+)*$"


def looks_like_formula(expr: pl.Expr) -> pl.Expr:
    """A cell a spreadsheet would execute: starts with = + - @ (or tab/CR) and is not a number."""
    return expr.str.contains(f"^{FORMULA_START}") & ~expr.str.contains(NUMBER_LIKE)


def join_issues(*exprs: pl.Expr) -> pl.Expr:
    """Concatenate per-field issue texts (null where none) into one '; '-separated column."""
    return pl.concat_str(list(exprs), separator="; ", ignore_nulls=True).replace("", None)


def column(df: pl.DataFrame, name: str) -> pl.Series:
    """Column *name* of *df* as String, or an all-null column when the file has none."""
    if name in df.columns:
        return df.get_column(name).cast(pl.String)
    return pl.Series(name, [None] * df.height, dtype=pl.String)


def one_row(inputs: tuple[str, ...], values: dict) -> pl.DataFrame:
    """A one-row frame for the scalar ``clean_one`` twins of the frame normalisers."""
    unknown = set(values) - set(inputs)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return pl.DataFrame(
        {k: [values.get(k)] for k in inputs}, schema=dict.fromkeys(inputs, pl.String)
    )


def fold_values(series: pl.Series) -> pl.Series:
    """``fold`` of a column, once per distinct value (``on_unique``), with a short cut for
    printable ASCII (most e-mails, phones, ids): there only case and punctuation are left.

    >>> fold_values(pl.Series(["Jean.Dupont@X.be", "Dûrer  SA", None])).to_list()
    ['jean dupont x be', 'durer sa', None]
    """
    v = pl.col("v")
    ascii_ = v.str.contains(r"^[\x20-\x7e]*$").fill_null(False)
    quick = (
        v.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9&]+", " ")
        .str.strip_chars()
        .replace("", None)
    )

    def fold_distinct(distinct: pl.DataFrame) -> pl.DataFrame:  # rows stay in their order
        indexed = distinct.with_row_index("_i")
        parts = [
            indexed.filter(ascii_).select("_i", quick.alias("v")),
            indexed.filter(~ascii_).select("_i", fold(v).alias("v")),
        ]
        return pl.concat(parts).sort("_i").drop("_i")

    return on_unique(series.to_frame("v"), ("v",), fold_distinct).to_series().alias(series.name)


def on_unique(df: pl.DataFrame, inputs: tuple[str, ...], fn) -> pl.DataFrame:
    """Run the frame normaliser *fn* once per distinct combination of its *inputs*, then
    join the results back in row order: files repeat companies, streets and dates a lot."""
    keys = pl.DataFrame({k: column(df, k) for k in inputs})
    uniq = keys.unique()
    out = fn(uniq)
    renamed = out.rename({c: f"__out_{c}" for c in out.columns})
    mapped = pl.concat([uniq, renamed], how="horizontal")
    joined = keys.join(mapped, on=list(inputs), how="left", nulls_equal=True, maintain_order="left")
    return joined.select(pl.col(f"__out_{c}").alias(c) for c in out.columns)
