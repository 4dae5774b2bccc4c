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

import functools
import re
from dataclasses import dataclass, field
from itertools import combinations

import polars as pl

from .errors import InputError
from .ruleset import Rules, rules_or_default
from .schema import EXTRA_PREFIX, INPUT_COLUMNS


@functools.lru_cache(maxsize=8192)  # asked again and again of the same headers (check)
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


EXACT, WITHOUT_QUALIFIERS, WORDS_PRESENT = 1.0, 0.9, 0.8  # the confidence of each pass
MAX_WORDS, MAX_CHARS = 12, 200  # the longest header matched by its words
PERSON_NAMES = {"first_name", "last_name", "full_name"}


def header_words(header: str) -> list[str]:
    """'contactFirstName' → ['contact', 'first', 'name']: folded words, camelCase, digits,
    spaces and punctuation apart."""
    from .normalise.text import fold_py

    chars = []
    for i, c in enumerate(header):
        prev, nxt = header[i - 1 : i], header[i + 1 : i + 2]
        camel = prev.islower() and c.isupper() and nxt.islower()  # contact|First|Name, not KvK
        digit = prev.isalnum() and c.isalnum() and prev.isdigit() != c.isdigit()  # Tel|2
        chars.append(" " + c if camel or digit else c)
    return [w for w in re.split(r"[^a-z0-9]+", fold_py("".join(chars))) if w]


@dataclass(frozen=True)
class Vocabulary:
    """What the word pass matches with, derived from ``rules/headers.toml``."""

    by_key: dict[str, str]  # header key → column (``synonyms()``)
    by_words: dict[tuple[str, ...], frozenset[str]]  # a synonym's words, sorted → its columns
    phrases: list[tuple[frozenset[str], str, str]]  # (words, column, synonym) that say something
    qualifiers: frozenset[str]
    generic: frozenset[str]
    person: frozenset[str]  # qualifiers that say the column is about the contact person

    def weak(self, word: str) -> bool:
        """A word that does not say which column on its own (a qualifier, a number, 'name')."""
        return word in self.qualifiers or word in self.generic or word.isdigit()


def vocabulary(rules: Rules | None = None) -> Vocabulary:
    return rules_or_default(rules).derived(_vocabulary)


def _vocabulary(rules: Rules) -> Vocabulary:
    data = rules.get("headers")

    def words_of(table: str, key: str = "words") -> frozenset[str]:
        return frozenset(w for name in data.get(table, {}).get(key, []) for w in header_words(name))

    names = [(c, c) for c in INPUT_COLUMNS]
    names += [(n, c) for c, listed in data["columns"].items() for n in listed]
    by_words: dict[tuple[str, ...], set[str]] = {}
    for name, column in names:
        by_words.setdefault(tuple(sorted(header_words(name))), set()).add(column)
    vocab = Vocabulary(
        synonyms(rules),
        {k: frozenset(v) for k, v in by_words.items()},
        [],
        words_of("qualifiers") | words_of("qualifiers", "person"),
        words_of("generic"),
        words_of("qualifiers", "person"),
    )
    for name, column in names:
        words = frozenset(header_words(name))
        if not all(vocab.weak(w) for w in words):
            vocab.phrases.append((words, column, name))
    return vocab


def match_words(words: list[str], vocab: Vocabulary) -> tuple[list[str], float, str]:
    """(candidate columns, confidence, reason) for a header's *words*; no candidate: ``[]``.

    A synonym once the qualifiers are dropped (the fewest first) is worth 0.9; failing that,
    the synonyms whose words are all present (the most specific ones) are worth 0.8."""
    if len(words) > MAX_WORDS:  # a sentence, not a column name (and 2^n ways to drop words)
        return [], WORDS_PRESENT, f"more than {MAX_WORDS} words: not matched by its words"
    optional = [i for i, w in enumerate(words) if w in vocab.qualifiers or w.isdigit()]
    for k in range(len(optional) + 1):
        found: dict[str, str] = {}
        for dropped in combinations(optional, k):
            rest = [w for i, w in enumerate(words) if i not in dropped]
            # only generic words left: a name, if a dropped word says it is the contact's
            unlocked = bool(k) and not _says_something(rest, vocab)
            if unlocked and not any(words[i] in vocab.person for i in dropped):
                continue
            columns = {vocab.by_key.get("".join(rest))} | vocab.by_words.get(
                tuple(sorted(rest)), set()
            )
            if unlocked:  # "Contact Nom" → last_name, never "Contact date" → source_date
                columns &= PERSON_NAMES
            gone = f" without {' '.join(words[i] for i in dropped)}" if dropped else ""
            for column in sorted(columns - {None}):
                found.setdefault(column, f"synonym {' '.join(rest)!r}{gone}")
        if found:
            return sorted(found), WITHOUT_QUALIFIERS, "; ".join(found.values())
    present = set(words)
    hits = [(ws, column, name) for ws, column, name in vocab.phrases if ws <= present]
    best = [(ws, c, n) for ws, c, n in hits if not any(ws < other for other, _, _ in hits)]
    found: dict[str, str] = {}
    for _, column, name in sorted(best, key=lambda hit: (hit[1], -len(hit[0]))):
        found.setdefault(column, f"words of synonym {name!r}")
    if len(found) == 1 and max(len(ws) for ws, _, _ in best) < 2:
        # one word of a longer header ("Other Street", "Account Owner") is too weak alone
        return [], WORDS_PRESENT, f"only {'; '.join(found.values())}: one word, too weak"
    return sorted(found), WORDS_PRESENT, "; ".join(found.values())


def _says_something(rest: list[str], vocab: Vocabulary) -> bool:
    """Not only qualifiers ("Primary contact"), not only generic words ("Client number")."""
    return not all(w in vocab.qualifiers for w in rest) and not all(
        w in vocab.generic or w.isdigit() for w in rest
    )


@dataclass
class Mapping:
    headers: list[str]
    target: dict[str, str] = field(default_factory=dict)  # header → canonical or extra.<header>
    confidence: dict[str, float] = field(default_factory=dict)  # mapped header → 1.0 … 0.8
    reason: dict[str, str] = field(default_factory=dict)  # header → why it went where it went
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # header → its candidates
    content: dict[str, dict] = field(default_factory=dict)  # header → its values' profile
    by_content: dict[str, dict] = field(default_factory=dict)  # header → what they decided

    @property
    def mapped(self) -> dict[str, str]:
        return {h: t for h, t in self.target.items() if not t.startswith(EXTRA_PREFIX)}

    def describe(self) -> list[str]:
        return [f"{h} → {self.target[h]}" for h in self.headers]

    def details(self) -> list[dict]:
        """One entry per header: where it went, how sure, why (``run.json`` "mapping_details");
        an ambiguous header also lists its candidate columns; the profile of its values and
        what it decided (``enrich.content``), where the values were looked at."""
        out = []
        for h in self.headers:
            entry = {
                "header": h,
                "column": self.target[h],
                "confidence": self.confidence.get(h),
                "reason": self.reason.get(h, "no synonym"),
            }
            if h in self.ambiguous:
                entry["candidates"] = self.ambiguous[h]
            for key, table in (("content", self.content), ("by_content", self.by_content)):
                if h in table:
                    entry[key] = table[h]
            out.append(entry)
        return out


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
    headers: list[str],
    overrides: dict[str, str] | None = None,
    rules: Rules | None = None,
    *,
    words: bool = True,
) -> Mapping:
    """Decide where each header goes; each canonical column is taken at most once: overrides
    first, then exact synonyms, then (*words*) the headers still unmapped by their words."""
    overrides = overrides or {}
    by_key = {header_key(k): v for k, v in overrides.items()}
    table = synonyms(rules)
    mapping = Mapping(list(headers))
    taken: dict[str, str] = {}  # column → the header that took it
    for h in headers:  # explicit overrides first
        target = overrides.get(h) or by_key.get(header_key(h))
        if target:
            _assign(mapping, taken, h, target, EXACT, "--map")
    # exact synonyms first, then synonyms without a trailing number ("Téléphone 2")
    for strip_number, reason in ((False, "synonym"), (True, "synonym without its number")):
        for h in headers:
            if h in mapping.target:
                continue
            key = header_key(h)
            target = table.get(re.sub(r"\d+$", "", key) if strip_number else key)
            if target and target not in taken:
                _assign(mapping, taken, h, target, EXACT, reason)
    if words:
        _map_by_words(mapping, taken, vocabulary(rules))
        _map_opt_outs(mapping, taken, opt_out_words(rules))
    for h in headers:
        mapping.target.setdefault(h, EXTRA_PREFIX + h)
    return mapping


def _assign(
    mapping: Mapping, taken: dict, header: str, target: str, confidence: float, reason: str
):
    mapping.target[header] = target
    mapping.confidence[header] = confidence
    mapping.reason[header] = reason
    taken.setdefault(target, header)


def _map_by_words(mapping: Mapping, taken: dict[str, str], vocab: Vocabulary) -> None:
    """The second pass: each unmapped header's best word match claims its column; a header
    whose words point to two columns, or two headers claiming one column equally, stay extra
    and are listed as ambiguous."""
    claims: dict[str, list[tuple[float, str, str]]] = {}  # column → (confidence, header, reason)
    for h in mapping.headers:
        if h in mapping.target:
            continue
        if len(h) > MAX_CHARS:  # a pasted text, not a column name
            mapping.reason[h] = f"more than {MAX_CHARS} characters: not matched by its words"
            continue
        columns, confidence, reason = match_words(header_words(h), vocab)
        if not columns and reason:
            mapping.reason[h] = reason
        if len(columns) > 1:
            mapping.ambiguous[h] = columns
            mapping.reason[h] = f"ambiguous: {reason}"
        elif columns:
            claims.setdefault(columns[0], []).append((confidence, h, reason))
    for column, claim in claims.items():
        best = max(c for c, _, _ in claim)
        first = [h for c, h, _ in claim if c == best]
        for confidence, h, reason in claim:
            if column in taken:
                mapping.reason[h] = f"{reason}; {column} already taken by {taken[column]!r}"
            elif len(first) > 1:
                mapping.ambiguous[h] = [column]
                others = ", ".join(repr(o) for o in first if o != h)
                mapping.reason[h] = f"ambiguous: {reason}; {others} match {column} as well"
            elif confidence < best:
                mapping.reason[h] = f"{reason}; {column} already taken by {first[0]!r}"
        if column not in taken and len(first) == 1:
            h = first[0]
            _assign(mapping, taken, h, column, best, dict((x, r) for _, x, r in claim)[h])


OPT_OUT_COLUMNS = ("opt_out", "opt_out_email", "opt_out_phone", "opt_out_post")
OPT_OUT_LEFT = "opt-out words, not read"  # the reason of an opt-out header left unmapped


def opt_out_words(rules: Rules | None = None) -> dict[str, tuple[str, ...]]:
    """rules/headers.toml [opt_out], each entry folded into words joined by one space."""
    return rules_or_default(rules).derived(_opt_out_words)


def _opt_out_words(rules: Rules) -> dict[str, tuple[tuple[str, ...], ...]]:
    table = rules.get("headers").get("opt_out", {})
    return {k: tuple(tuple(header_words(w)) for w in v) for k, v in table.items()}


def _at(phrases: tuple[tuple[str, ...], ...], words: list[str]) -> int:
    """The index of the first header word where one of *phrases* is (-1: none); a one-word
    phrase of five letters or more is also found inside a longer word ("newsletterabmeldung")."""
    for i, word in enumerate(words):
        for p in phrases:
            if tuple(words[i : i + len(p)]) == p or (
                len(p) == 1 and len(p[0]) >= 5 and p[0] in word
            ):
                return i
    return -1


def opt_out_target(header: str, table: dict) -> str | None:
    """The opt-out column a header says by its words (``opt_out_words``), or None: an
    opt-out word, or a negation before a channel or contact word; the channel by its words
    (one channel: its column; none or several: ``opt_out``).

    >>> t = opt_out_words()
    >>> [opt_out_target(h, t) for h in ("Désinscrit le", "Niet mailen", "Telefoon", "Afgemeld post")]
    ['opt_out', 'opt_out_email', None, 'opt_out_post']
    """
    words = header_words(header)
    at = {c: _at(table.get(c, ()), words) for c in ("email", "phone", "post", "topics")}
    said = [c for c in ("email", "phone", "post") if at[c] >= 0]
    negation = _at(table.get("negations", ()), words)
    negated = negation >= 0 and max(at.values()) > negation
    if _at(table.get("words", ()), words) < 0 and not negated:
        return None
    return f"opt_out_{said[0]}" if len(said) == 1 else "opt_out"


def _map_opt_outs(mapping: Mapping, taken: dict[str, str], table: dict) -> None:
    """The headers still unmapped that say opt-out by their words take their opt-out column;
    one whose column is taken is left as extra with a reason that says so (never silently)."""
    for h in mapping.headers:
        if h in mapping.target and not (
            h in mapping.ambiguous and set(mapping.ambiguous[h]) <= set(OPT_OUT_COLUMNS)
        ):
            continue
        target = opt_out_target(h, table) if len(h) <= MAX_CHARS else None
        if target is None:
            continue
        if target in taken:
            mapping.reason[h] = (
                f"{OPT_OUT_LEFT}: {target} is taken by {taken[target]!r} (map it with --map, "
                "or join the two columns)"
            )
            continue
        mapping.ambiguous.pop(h, None)
        _assign(
            mapping,
            taken,
            h,
            target,
            WORDS_PRESENT,
            "opt-out words (rules/headers.toml [opt_out])",
        )


def apply(frame: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """Rename *frame*'s columns to their targets (other columns, e.g. source_row, kept)."""
    columns = set(frame.columns)
    return frame.rename({h: t for h, t in mapping.target.items() if h in columns})
