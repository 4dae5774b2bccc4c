"""Company names: a tidy display name, a matching key, and the legal form as a code.

The legal form is found at the end (``Dupont SPRL``), at the start (``NV Agfa-Gevaert``) or
in parentheses, with or without dots and spaces, and coded per country from
``rules/legal_forms.toml`` (``SA`` is BE-SA in Belgium, FR-SA in France). It is stripped
from the matching key only, never from the display name.

>>> clean_one(company_name="Ets Dupont & Fils SPRL", country="BE")["company_name_norm"]
'dupont fils'
>>> clean_one(company_name="DUPONT ET FILS bvba", country="BE")["company_name_norm"]
'dupont fils'
>>> r = clean_one(company_name="NV Brouwerij De Smet", country="BE")
>>> r["legal_form"], r["company_name"], r["company_name_norm"]
('BE-SA', 'NV Brouwerij De Smet', 'brouwerij de smet')
>>> clean_one(company_name="Dupont S.A.", country="FR")["legal_form"]
'FR-SA'
>>> clean_one(company_name="Kaffee Haus", legal_form="GmbH", country="DE")["legal_form"]
'DE-GMBH'
"""

from __future__ import annotations

import polars as pl

from ..ruleset import Rules, rules_or_default
from .text import column, fold, fold_py, join_issues, looks_like_formula, one_row, tidy

INPUTS = ("company_name", "legal_form", "country")
OUTPUTS = ("company_name", "company_name_norm", "legal_form")

# Words that say nothing about which company it is (kept in the display name).
_NOISE = {"ets", "etablissements", "etabl", "sté", "ste", "societe", "et", "en", "and", "und", "&"}


def _forms(rules: Rules | None = None) -> tuple[dict[str, list[tuple[str, str]]], str]:
    """(token → [(country, code)], regex alternation of all tokens, longest first)."""
    return rules_or_default(rules).derived(_build_forms)


def _build_forms(rules: Rules) -> tuple[dict[str, list[tuple[str, str]]], str]:
    table: dict[str, list[tuple[str, str]]] = {}
    for form in rules.get("legal_forms")["form"]:
        for text in [*form.get("variants", []), *form.get("names", [])]:
            token = fold_py(text).replace(" ", "")
            entry = (form["country"], form["code"])
            if token and entry not in table.setdefault(token, []):
                table[token].append(entry)
    tokens = sorted(table, key=len, reverse=True)
    # allow an optional space between any two characters: "s a r l", "sarl", "s ar l"
    alternation = "|".join(" ?".join(_escape(c) for c in t) for t in tokens)
    return table, alternation


def _escape(ch: str) -> str:
    return "\\" + ch if ch in "&.+*?()[]{}|^$\\" else ch


def code_for(token: str | None, country: str | None, rules: Rules | None = None) -> str | None:
    """The legal-form code of a folded *token* (spaces removed) in *country*.

    >>> code_for("sa", "BE"), code_for("sa", "LU"), code_for("gmbh", "DE"), code_for("sprl", None)
    ('BE-SA', 'LU-SA', 'DE-GMBH', 'BE-SPRL')
    >>> code_for("sa", None), code_for("xyz", "BE")  # ambiguous without a country; unknown
    (None, None)
    """
    if not token:
        return None
    entries = _forms(rules)[0].get(token.replace(" ", ""))
    if not entries:
        return None
    for c, code in entries:
        if c == country:
            return code
    codes = {code for _, code in entries}
    return codes.pop() if len(codes) == 1 else None


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues`` for a frame with the INPUTS columns (missing ones count as empty)."""
    _, alternation = _forms(rules)
    frame = pl.DataFrame(
        {
            "name": column(df, "company_name"),
            "form_in": column(df, "legal_form"),
            "country": column(df, "country"),
        }
    )
    folded = fold(pl.col("name"))
    end = rf"(?:^|\s)({alternation})$"  # fold() already turned dots and brackets into spaces
    start = rf"^({alternation})\s"
    frame = (
        frame.with_columns(
            tidy(pl.col("name")).alias("company_name"),
            folded.alias("_fold"),
            fold(pl.col("form_in")).str.replace_all(" ", "").alias("_form_in"),
        )
        .lazy()
        .with_columns(
            pl.col("_fold").str.extract(end, 1).alias("_end"),
            pl.col("_fold").str.extract(start, 1).alias("_start"),
        )
    )
    frame = frame.with_columns(
        pl.coalesce("_end", "_start").str.replace_all(" ", "").alias("_token"),
        pl.when(pl.col("_end").is_not_null())
        .then(pl.col("_fold").str.replace(end, ""))
        .when(pl.col("_start").is_not_null())
        .then(pl.col("_fold").str.replace(start, ""))
        .otherwise(pl.col("_fold"))
        .alias("_key"),
    ).collect()
    frame = _with_legal_form_codes(frame, rules)
    words = pl.col("_key").str.split(" ").list.filter(~pl.element().is_in(list(_NOISE)))
    key = words.list.join(" ").str.strip_chars()
    key = pl.when(key == "").then(pl.col("_key")).otherwise(key)  # never an empty key
    key = pl.when(key.is_null() | (key == "")).then(pl.col("_fold")).otherwise(key)
    return (
        frame.lazy()
        .select(
            "company_name",
            key.alias("company_name_norm"),
            pl.coalesce("_code_in", "_code_name").alias("legal_form"),
            join_issues(
                pl.when(pl.col("_form_in").is_not_null() & pl.col("_code_in").is_null()).then(
                    pl.lit("legal_form: unrecognised value")
                ),
                pl.when(looks_like_formula(pl.col("company_name"))).then(
                    pl.lit("company_name: looks like a spreadsheet formula")
                ),
            ).alias("issues"),
        )
        .collect()
    )


def _with_legal_form_codes(frame: pl.DataFrame, rules: Rules | None) -> pl.DataFrame:
    """``_code_in`` (of the legal-form cell) and ``_code_name`` (of the form found in the
    name): Python once per distinct (token, country)."""
    pairs = frame.select(
        pl.coalesce("_form_in", "_token").alias("t"), pl.col("_token"), "country"
    ).unique()
    codes = {
        (t, c): code_for(t, c, rules)
        for t, c in set(pairs.select("t", "country").iter_rows())
        | set(pairs.select("_token", "country").iter_rows())
    }
    lookup = pl.DataFrame(
        [(t, c, code) for (t, c), code in codes.items()],
        schema={"t": pl.String, "country": pl.String, "code": pl.String},
        orient="row",
    )
    return frame.join(
        lookup.rename({"t": "_form_in", "code": "_code_in"}),
        on=["_form_in", "country"],
        how="left",
        nulls_equal=True,
    ).join(
        lookup.rename({"t": "_token", "code": "_code_name"}),
        on=["_token", "country"],
        how="left",
        nulls_equal=True,
    )


def name_keys(names: pl.Series, rules: Rules | None = None) -> pl.Series:
    """``company_name_norm`` of each name: the same key ``clean()`` gives, for names from
    elsewhere (a registry's)."""
    frame = pl.DataFrame({"company_name": names.cast(pl.String)})
    return clean(frame, rules)["company_name_norm"]


def clean_one(**values: str | None) -> dict:
    """Clean one company (keyword arguments named as INPUTS)."""
    return clean(one_row(INPUTS, values)).row(0, named=True)
