"""Name keys for blocking people: each word of a name folded (case, accents), its first-name
variant made one (``rules/first_names.toml``: Jan, John, Johann → jean), then coded by
sound, the words' codes sorted (the same key in either order: "DUPONT Jean" typed into the
wrong columns).

Codes (``code = ...`` of a ``phonetic`` helper column in ``rules/link.toml``):

- ``cologne`` (Kölner Phonetik, the ``cologne-phonetics`` package): consonant classes, vowels
  dropped, no special first letter — Catherine/Katrien, Meyer/Maier, Schmidt/Schmitt,
  Vandenberghe/Vandenberg, Lefebvre/Lefèvre get one code: fit for German, Dutch and French
  names, and English ones;
- ``nysiis``, ``metaphone``, ``soundex`` (``jellyfish``): English-made codes (Soundex keeps the
  first letter: Catherine C365, Katrien K365);
- ``none``: the folded word itself (a first-name group without a sound code).

Codes are computed once per distinct word; the rest is polars.

>>> names = pl.Series(["Catherine DUPONT", "Dupond Katrien", "Cathy Dupont", None])
>>> name_key(names, "cologne", {"katrien": "catherine", "cathy": "catherine"}).to_list()
['2162 4276', '2162 4276', '2162 4276', None]
>>> name_key(pl.Series(["Jan", "Johann", "Jean-Marie"]), "none", {"jan": "jean", "johann": "jean"}).to_list()
['jean', 'jean', 'jean marie']
"""

from __future__ import annotations

import jellyfish
import polars as pl
from cologne_phonetics import encode

from ..normalise.text import fold_values


def _cologne(word: str) -> str:
    coded = encode(word)
    return coded[0][1] if coded else word


CODES = {
    "cologne": _cologne,
    "nysiis": jellyfish.nysiis,
    "metaphone": jellyfish.metaphone,
    "soundex": jellyfish.soundex,
    "none": lambda word: word,
}


def name_key(values: pl.Series, code: str, same: dict[str, str]) -> pl.Series:
    """The sorted sound codes of the words of *values* (*same*: word → its group's word)."""
    words = fold_values(values).str.split(" ")
    distinct = words.explode().drop_nulls().unique().sort()
    canon = distinct.replace(same) if same else distinct
    coder = CODES[code]
    coded = pl.Series([coder(w) or w for w in canon.to_list()], dtype=pl.String)
    table = dict(zip(distinct.to_list(), coded.to_list()))
    return (
        words.list.eval(pl.element().replace_strict(table, default=None, return_dtype=pl.String))
        .list.drop_nulls()
        .list.sort()
        .list.join(" ")
        .replace("", None)
        .alias(values.name)
    )


def groups_of(rules, name: str) -> dict[str, str]:
    """The ``groups_table`` of the rules file *name* (``groups = [[...], ...]``: first_names)
    of a run's *rules* — a steward's groups after the shipped ones."""
    from ..errors import InputError

    groups = rules.get(name).get("groups")
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        raise InputError("a variants level needs groups = [[...], ...]", file=rules.location(name))
    return groups_table(groups)


def groups_table(groups: list[list[str]]) -> dict[str, str]:
    """Each folded name of *groups* → its group's first (a name in two groups: its first).

    >>> groups_table([["Jean", "Jan", "John"], ["Hans", "Jan"]])
    {'jean': 'jean', 'jan': 'jean', 'john': 'jean', 'hans': 'hans'}
    """
    out: dict[str, str] = {}
    for group in groups:
        folded = fold_values(pl.Series(group, dtype=pl.String)).to_list()
        for name in folded:
            if name and name not in out:
                out[name] = folded[0]
    return out
