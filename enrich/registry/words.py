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
    """[name_match] skip, and every legal form of rules/legal_forms.toml that is one word
    ("SARL", "S.A.R.L.", "BVBA", "Association", "Stichting"), folded."""
    forms = [
        fold_py(text).replace(" ", "")
        for form in rules.get("legal_forms")["form"]
        for text in form.get("variants", [])
    ] + [
        fold_py(text)
        for form in rules.get("legal_forms")["form"]
        for text in form.get("names", [])
        if " " not in fold_py(text)
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


MIX = 0x9E3779B97F4A7C15  # an odd 64-bit constant: a token's hash times it, plus the place's
EMPTY = pl.lit([], pl.List(pl.UInt64))


def block_keys(
    tokens_: pl.Expr, places: dict[str, list[pl.Expr]], addresses: list[pl.Expr]
) -> pl.Expr:
    """The blocks a name is in, as 64-bit hashes (a list): each of its tokens at each of
    its places (``places`` maps a kind of place — "p": a postcode, "t": a town key — to the
    columns that hold one), and each of its *addresses* (``address``). Hashes, not strings:
    a streaming pass over tens of millions of names stays cheap. They are Polars' own,
    stable within one Polars version (``probe()`` tells an index made by another)."""
    hashed = tokens_.list.eval(pl.element().hash())
    parts = [
        pl.when(place.is_not_null())
        .then(hashed * MIX + (pl.lit(kind) + place).hash())
        .otherwise(EMPTY)
        for kind, columns in places.items()
        for place in columns
    ]
    single = [
        pl.when(a.is_not_null()).then(pl.concat_list(a.hash())).otherwise(EMPTY) for a in addresses
    ]
    return pl.concat_list([*parts, *single])


def street_words(street: pl.Expr, *, rules: Rules | None = None) -> pl.Expr:
    """A street's significant words (a list): folded, without its type ("rue", "bd",
    "chaussée": rules/addresses.toml) and articles — "BD HAUSSMANN" and "Boulevard
    Haussmann" are ["haussmann"]."""
    rules = rules_or_default(rules)
    return (
        strip_accents(street.str.to_lowercase())
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.filter(
            (pl.element().str.len_chars() >= 2) & ~pl.element().is_in(rules.derived(_street_words))
        )
    )


def address(
    place: pl.Expr, number: pl.Expr, street: pl.Expr, *, rules: Rules | None = None
) -> pl.Expr:
    """An address as a block: a postcode or town key, the house number's digits and the
    first letters of the street's last significant word ("rue de la République 12" and
    "12 R. DE LA REPUBLIQUE" are one address; "Kerkstraat 5" and "Kerkstr. 5" too)."""
    rules = rules_or_default(rules)
    digits = number.cast(pl.String).str.extract(r"^\s*(\d+)")
    prefix = rules.get("registry")["name_match"]["prefix"]
    last = street_words(street, rules=rules).list.last().str.slice(0, prefix)
    return pl.concat_str([place, digits, last], separator="|")


def _street_words(rules: Rules) -> list[str]:
    """Street-type words in front of a street's name (rules/addresses.toml: "rue", "av",
    "chaussée" …), and the words [name_match] skips."""
    types = [
        fold_py(text)
        for entry in rules.get("addresses")["abbreviation"]
        if entry["position"] == "prefix"
        for text in [entry["long"], *entry["short"]]
    ]
    return sorted({w for w in [*types, *rules.derived(_skip)] if w and " " not in w})


def probe() -> int:
    """The block key of one fixed name and place: an index's (meta.json) must be this."""
    frame = pl.DataFrame({"t": [["prob"]], "p": ["1000"]})
    return int(frame.select(block_keys(pl.col("t"), {"p": [pl.col("p")]}, [])).item()[0])


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
