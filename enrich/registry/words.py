"""The words a company name is matched by, and the key of a town: the same expressions
read the registry's tens of millions of names when the index is built (streaming) and a
file's names when they are matched.

A name's *words* are its words folded (no case, no accents; "S.G.E." is "sge"), the
abbreviations of rules/registry.toml [name_match.same_words] spelled out ("St" is
"saint"), without the words that do not tell companies apart: articles, "société", "ets",
"et"/"en"/"&" ([name_match] ``skip``) and the legal forms of rules/legal_forms.toml (a
separate piece of evidence). Its *tokens* are the first letters of its words (blocking
keys: a typo in one word leaves the others); its *compared* form is its words sorted
("Martin & Fils" and "FILS MARTIN" are one value).

>>> names = pl.Series(["SARL Boulangerie Martin", "Ets Martin & Fils", "S.G.E.", "L'Œuf d'Or SA"])
>>> pl.select(tokens(pl.lit(names))).to_series().to_list()
[['boul', 'mart'], ['mart', 'fils'], ['sge'], ['oeuf', 'or']]
>>> pl.select(compared(pl.lit(names))).to_series().to_list()
['boulangerie martin', 'fils martin', 'sge', 'oeuf or']
>>> pl.select(city_key(pl.lit(pl.Series(["PARIS 9", "Lyon 3ème", "ST-ÉTIENNE CEDEX 2", "Gand"])))).to_series().to_list()
['paris', 'lyon', 'saint etienne', 'gand']
"""

from __future__ import annotations

import polars as pl

from ..normalise.text import fold_py, strip_accents
from ..ruleset import Rules, rules_or_default


def _skip(rules: Rules) -> list[str]:
    """[name_match] skip, and every one-word legal form of rules/legal_forms.toml, folded."""
    forms = [
        fold_py(text).replace(" ", "")
        for form in rules.get("legal_forms")["form"]
        for text in form.get("variants", [])
    ]
    skip = [fold_py(w) for w in rules.get("registry")["name_match"]["skip"]]
    return sorted({w for w in [*skip, *forms] if w})


def words(name: pl.Expr, *, rules: Rules | None = None) -> pl.Expr:
    """The significant words of a name (a list; see the module's doc), in their order."""
    rules = rules_or_default(rules)
    same = {
        fold_py(k): fold_py(v) for k, v in rules.get("registry")["name_match"]["same_words"].items()
    }
    text = (
        strip_accents(name.str.to_lowercase())
        .str.replace_all(r"\b(\p{L})\.", "$1")  # "s.g.e." → "sge"
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )
    split = text.str.split(" ").list.eval(pl.element().replace(same))
    skip = rules.derived(_skip)
    return split.list.filter((pl.element().str.len_chars() >= 2) & ~pl.element().is_in(skip))


def tokens(name: pl.Expr, *, rules: Rules | None = None) -> pl.Expr:
    """The first [name_match] ``prefix`` letters of each significant word, once each."""
    prefix = rules_or_default(rules).get("registry")["name_match"]["prefix"]
    return (
        words(name, rules=rules)
        .list.eval(pl.element().str.slice(0, prefix))
        .list.unique(maintain_order=True)
    )


def compared(name: pl.Expr, *, rules: Rules | None = None) -> pl.Expr:
    """The significant words sorted and joined: the value whose likeness is scored."""
    joined = words(name, rules=rules).list.unique().list.sort().list.join(" ")
    return pl.when(joined != "").then(joined)


def city_key(city: pl.Expr) -> pl.Expr:
    """A town's name without case, accents, punctuation, arrondissement or CEDEX ("PARIS 9",
    "Paris 9e" and "Paris" are one town; "St" is "saint")."""
    text = (
        strip_accents(city.str.to_lowercase())
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.replace(r"\s+cedex(\s+\d+)?\s*$", "")
        .str.replace(r"\s+\d+\s*(er|e|eme|me)?\s*$", "")
        .str.replace_all(r"\bst\b", "saint")
        .str.replace_all(r"\bste\b", "sainte")
        .str.strip_chars()
    )
    return pl.when(text != "").then(text)
