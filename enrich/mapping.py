"""Map a file's headers onto the canonical columns, from ``rules/headers.toml``.

Matching ignores case, accents, punctuation and spacing (``N° TVA`` = ``n°tva`` = ``N. TVA``);
a header with a trailing number maps when its base name is still free (``Téléphone 1``).
Headers nobody knows pass through as ``extra.<header>``; ``--map 'Col X=email'`` overrides.

>>> m = map_headers(["Raison sociale", "N° TVA", "Code postal", "Téléphone 1", "Téléphone 2", "Notes"])
>>> [(h, m.target[h]) for h in m.headers]  # doctest: +NORMALIZE_WHITESPACE
[('Raison sociale', 'company_name'), ('N° TVA', 'vat'), ('Code postal', 'postcode'),
 ('Téléphone 1', 'phone'), ('Téléphone 2', 'extra.Téléphone 2'), ('Notes', 'extra.Notes')]
>>> map_headers(["Bedrijfsnaam", "BTW-nummer"], {"BTW-nummer": "enterprise_number"}).target["BTW-nummer"]
'enterprise_number'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from .errors import InputError
from .ruleset import Rules, rules_or_default
from .schema import EXTRA_PREFIX, INPUT_COLUMNS


def header_key(header: str) -> str:
    """'N° TVA' → 'ntva': no case, accents, punctuation or spaces."""
    from .normalise.text import fold_py

    return re.sub(r"[^a-z0-9]", "", fold_py(header))


def synonyms(rules: Rules | None = None) -> dict[str, str]:
    """header key → canonical column (the canonical names themselves included)."""
    return rules_or_default(rules).derived(_synonyms)


def _synonyms(rules: Rules) -> dict[str, str]:
    table = {header_key(c): c for c in INPUT_COLUMNS}
    for column, names in rules.get("headers")["columns"].items():
        if column not in INPUT_COLUMNS:
            raise InputError(f"unknown canonical column {column!r}", file=rules.location("headers"))
        for name in names:
            table[header_key(name)] = column
    return table


@dataclass
class Mapping:
    headers: list[str]
    target: dict[str, str] = field(default_factory=dict)  # header → canonical or extra.<header>

    @property
    def mapped(self) -> dict[str, str]:
        return {h: t for h, t in self.target.items() if not t.startswith(EXTRA_PREFIX)}

    def describe(self) -> list[str]:
        return [f"{h} → {self.target[h]}" for h in self.headers]


def parse_overrides(specs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``('Col X=email',)`` → ``{'Col X': 'email'}``, checked against the canonical names."""
    out = {}
    for spec in specs:
        header, sep, target = spec.rpartition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header:
            raise InputError(f"--map takes 'Header=column', got {spec!r}")
        if target not in INPUT_COLUMNS and not target.startswith(EXTRA_PREFIX):
            raise InputError(
                f"--map {spec!r}: unknown column {target!r} (known: {', '.join(INPUT_COLUMNS)})"
            )
        out[header] = target
    return out


def map_headers(
    headers: list[str], overrides: dict[str, str] | None = None, rules: Rules | None = None
) -> Mapping:
    """Decide where each header goes; each canonical column is taken at most once."""
    overrides = overrides or {}
    by_key = {header_key(k): v for k, v in overrides.items()}
    table = synonyms(rules)
    mapping = Mapping(list(headers))
    taken = set()
    for h in headers:  # explicit overrides first
        target = overrides.get(h) or by_key.get(header_key(h))
        if target:
            mapping.target[h] = target
            taken.add(target)
    # exact synonyms first, then synonyms without a trailing number ("Téléphone 2")
    for strip_number in (False, True):
        for h in headers:
            if h in mapping.target:
                continue
            key = header_key(h)
            target = table.get(re.sub(r"\d+$", "", key) if strip_number else key)
            if target and target not in taken:
                mapping.target[h] = target
                taken.add(target)
    for h in headers:
        mapping.target.setdefault(h, EXTRA_PREFIX + h)
    return mapping


def apply(frame: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Rename *frame*'s columns to their targets (other columns, e.g. source_row, kept)."""
    return frame.rename({h: t for h, t in mapping.target.items() if h in frame.columns})
