"""Linking rules as declared data (``rules/link.toml``, ``benchmarks/rules/febrl.toml``).

A rules file names the blocking rules (several, OR-ed), the compared fields with their
levels, and the thresholds. It is checked when loaded: an unknown level kind, a threshold
outside 0..1 or a missing column is reported with the rules file and the key.

>>> s = parse({"blocking": [{"name": "pc", "keys": ["postcode"]}],
...            "comparison": [{"field": "surname", "levels": [{"kind": "exact"},
...                            {"kind": "jaro_winkler", "threshold": 0.9}]}]}, "x.toml")
>>> s.comparisons[0].level_names()
['exact', 'jaro_winkler>=0.9', 'else']
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..ruleset import tomllib

LEVEL_KINDS = (
    "exact",
    "jaro_winkler",
    "jaro",
    "levenshtein",
    "damerau_levenshtein",
    "token_set",
    "ratio",
    "date_days",
    "numeric_abs",
    "date_swapped",
    "variants",
    "initials",
)
# kinds that take no threshold: the value equals the other one's as a whole, or swapped; one
# of a group of variants (Jan = Jean, a rules file of groups); initials (J. = Jean-Pierre)
NO_THRESHOLD = ("exact", "date_swapped", "variants", "initials")
# kinds whose threshold is a similarity in 0..1; the others take a distance (an integer)
SIMILARITY_KINDS = ("jaro_winkler", "jaro", "token_set", "ratio")
STEWARD = "steward"  # the rule of a pair a steward decided: no blocking rule may be named so
KEY_FUNCTIONS = ("prefix", "suffix", "digits", "first_token", "last_token", "sorted_tokens")


@dataclass(frozen=True)
class Level:
    kind: str
    threshold: float | None = None  # similarity (0..1) or distance, by kind
    groups: str | None = None  # variants: the rules file of groups (first_names)
    # variants: each folded value → its group, from the run's rules (attach_groups)
    table: dict[str, str] | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        if self.kind in NO_THRESHOLD:
            return self.kind
        op = ">=" if self.kind in SIMILARITY_KINDS else "<="
        return f"{self.kind}{op}{self.threshold:g}"


@dataclass(frozen=True)
class Comparison:
    field: str
    levels: tuple[Level, ...]
    tf: bool = False  # term-frequency adjustment of the exact level
    swap_with: str | None = (
        None  # another compared field whose values may be swapped with this one's
    )
    # another compared field whose agreement this one shares (the home's postcode; a family's
    # surname and e-mail): where that field is at one of its first ``shared_levels`` levels,
    # this one has levels of its own, whose u is learnt from the pairs there
    shared_by: str | None = None
    shared_levels: int = 1

    def level_names(self) -> list[str]:
        """Its levels' names and "else" — then, ``shared_by`` another, the same again
        between two rows of one home ("exact at one home" …): levels with m and u of their
        own (a spouse shares the surname: agreeing there tells less)."""
        names = [lv.name for lv in self.levels] + ["else"]
        if self.shared_by:
            names += [f"{n} at one {self.shared_by}" for n in names]
        return names

    @property
    def split(self) -> int | None:
        """Where the levels at one home begin (``shared_by``), else None."""
        return len(self.levels) + 1 if self.shared_by else None

    @property
    def reads_numbers(self) -> bool:
        """A level reads dates or numbers: the values are tidied, not folded (their
        punctuation means something)."""
        return any(lv.kind in ("date_days", "numeric_abs", "date_swapped") for lv in self.levels)


@dataclass(frozen=True)
class Blocking:
    name: str
    keys: tuple[str, ...]  # column names or functions of one: "prefix(surname, 3)"
    max_block_size: int | None = None  # this rule's own bound (a loose key: smaller blocks)
    train: bool = True  # its pairs teach the model (false: a household key, see link.toml)


@dataclass
class Settings:
    blocking: list[Blocking]
    comparisons: list[Comparison]
    match_threshold: float = 0.95  # match probability from which a pair is a match
    review_threshold: float = 0.5  # pairs between this and match_threshold go to review
    max_block_size: int = 2_000  # bigger blocks are skipped (and reported): they explode pairs
    max_cluster_size: int = 50
    u_sample_pairs: int = 1_000_000
    em_max_iterations: int = 30
    seed: int = 42
    cannot_link: list[str] = field(default_factory=list)  # columns: two different values never link
    must_link: list[str] = field(default_factory=list)  # columns: a shared value is one entity
    source: str = ""
    # a helper column → the cleaned columns it is made of (derive.sources): a blocking key
    # made of first_name says nothing about the first names its pairs compare (not learnt)
    sources: dict[str, frozenset[str]] = field(default_factory=dict)

    def made_of(self, column: str) -> frozenset[str]:
        return self.sources.get(column, frozenset({column}))

    @property
    def columns(self) -> list[str]:
        cols = {c.field for c in self.comparisons} | set(self.cannot_link) | set(self.must_link)
        for b in self.blocking:
            cols |= {parse_key(k)[1] for k in b.keys}
        return sorted(cols)


def parse_key(key: str) -> tuple[str | None, str, int | None]:
    """(function, column, argument) of a blocking key: 'prefix(surname, 3)' or 'postcode'."""
    m = re.fullmatch(r"\s*(\w+)\s*\(\s*([^,()]+?)\s*(?:,\s*(\d+)\s*)?\)\s*", key)
    if m:
        return m.group(1), m.group(2), int(m.group(3)) if m.group(3) else None
    return None, key.strip(), None


def parse(data: dict, source: str) -> Settings:
    """The settings of a rules file's parsed TOML (*data*), checked: an error names *source*
    and the key."""
    blocking = [_blocking_rule(b, i, source) for i, b in enumerate(data.get("blocking", []))]
    _check_rule_names(blocking, source)
    comparisons = [_comparison(c, i, source) for i, c in enumerate(data.get("comparison", []))]
    if not comparisons:
        raise _error(source, "[[comparison]]", "at least one comparison is needed")
    _check_swaps(comparisons, source)
    s = data.get("settings", {})
    out = Settings(
        blocking,
        comparisons,
        source=source,
        cannot_link=list(s.get("cannot_link", [])),
        must_link=list(s.get("must_link", [])),
    )
    _set_numbers(out, s, source)
    return out


def _error(source: str, where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}", file=source)


def _blocking_rule(b: dict, i: int, source: str) -> Blocking:
    """The *i*-th ``[[blocking]]`` table: keys (known key functions only), bound, name."""
    where = f"[[blocking]] #{i + 1}"
    keys = b.get("keys")
    if not keys or not isinstance(keys, list):
        raise _error(source, where, "needs keys = [...]")
    for k in keys:
        fn, _, _ = parse_key(k)
        if fn is not None and fn not in KEY_FUNCTIONS:
            raise _error(
                source, where, f"unknown key function {fn!r} (known: {', '.join(KEY_FUNCTIONS)})"
            )
    bound = b.get("max_block_size")
    if bound is not None and (not isinstance(bound, int) or bound < 2):
        raise _error(source, where, "max_block_size must be an integer >= 2")
    train = b.get("train", True)
    if not isinstance(train, bool):
        raise _error(source, where, "train must be true or false")
    return Blocking(b.get("name", f"rule{i + 1}"), tuple(keys), bound, train)


def _check_rule_names(blocking: list[Blocking], source: str) -> None:
    """At least one rule; names unique and not the steward's (a pair's rule names its origin)."""
    if not blocking:
        raise _error(source, "[[blocking]]", "at least one blocking rule is needed")
    names = [b.name for b in blocking]
    for name in names:
        if names.count(name) > 1 or name == STEWARD:
            raise _error(
                source,
                "[[blocking]]",
                f"rule name {name!r} is used twice or reserved ('{STEWARD}' marks decided pairs)",
            )


def _comparison(c: dict, i: int, source: str) -> Comparison:
    """The *i*-th ``[[comparison]]`` table: a field and at least one level."""
    where = f"[[comparison]] #{i + 1} ({c.get('field', '?')})"
    if "field" not in c:
        raise _error(source, where, "needs field = '...'")
    levels = [_level(lv, where, source) for lv in c.get("levels", [])]
    if not levels:
        raise _error(source, where, "needs at least one level")
    shared_levels = c.get("shared_levels", 1)
    if type(shared_levels) is not int or shared_levels < 1:
        raise _error(
            source, where, f"shared_levels must be a whole number >= 1, got {shared_levels!r}"
        )
    return Comparison(
        c["field"],
        tuple(levels),
        bool(c.get("tf", False)),
        c.get("swap_with"),
        c.get("shared_by"),
        shared_levels,
    )


def _level(lv: dict, where: str, source: str) -> Level:
    """One level: a known kind, and a threshold that fits it (a similarity or a distance)."""
    kind = lv.get("kind")
    if kind not in LEVEL_KINDS:
        raise _error(
            source, where, f"unknown level kind {kind!r} (known: {', '.join(LEVEL_KINDS)})"
        )
    t = lv.get("threshold")
    if kind not in NO_THRESHOLD and t is None:
        raise _error(source, where, f"level {kind} needs a threshold")
    if kind in SIMILARITY_KINDS and not 0 < t <= 1:
        raise _error(source, where, f"{kind} threshold must be in (0, 1], got {t}")
    if kind not in SIMILARITY_KINDS and kind not in NO_THRESHOLD and t < 0:
        raise _error(source, where, f"{kind} threshold is a distance (>= 0), got {t}")
    groups = lv.get("groups")
    if (kind == "variants") != isinstance(groups, str):
        raise _error(source, where, "groups = '<rules file>' goes with kind = 'variants' only")
    return Level(kind, t, groups)


def _check_swaps(comparisons: list[Comparison], source: str) -> None:
    """A ``swap_with`` names another compared text field, and only one of the two says so;
    ``shared_by`` another compared field whose first level is exact, within its levels."""
    fields = {c.field: c for c in comparisons}
    for i, c in enumerate(comparisons):
        whole = fields.get(c.shared_by) if c.shared_by else None
        if c.shared_by and (
            whole is None
            or whole is c
            or whole.levels[0].kind != "exact"
            or c.shared_levels > len(whole.levels)
        ):
            raise _error(
                source,
                f"[[comparison]] #{i + 1} ({c.field})",
                "shared_by must name another compared field whose first level is exact "
                "(and shared_levels at most its number of levels)",
            )
        other = fields.get(c.swap_with) if c.swap_with else None
        if c.swap_with and (
            other is None or other is c or other.swap_with or c.reads_numbers or other.reads_numbers
        ):
            raise _error(
                source,
                f"[[comparison]] #{i + 1} ({c.field})",
                "swap_with must name another compared text field (declared on one of the two only)",
            )


def _set_numbers(out: Settings, s: dict, source: str) -> None:
    """The ``[settings]`` thresholds (probabilities, review not above match) and counts."""
    for key in ("match_threshold", "review_threshold"):
        if key in s:
            if not 0 < s[key] < 1:
                raise _error(
                    source, "[settings]", f"{key} must be a probability strictly between 0 and 1"
                )
            setattr(out, key, float(s[key]))
    if out.review_threshold > out.match_threshold:
        raise _error(source, "[settings]", "review_threshold must not be above match_threshold")
    for key in (
        "max_block_size",
        "max_cluster_size",
        "u_sample_pairs",
        "em_max_iterations",
        "seed",
    ):
        if key in s:
            if not isinstance(s[key], int) or s[key] < 1:
                raise _error(source, "[settings]", f"{key} must be a positive integer")
            setattr(out, key, s[key])


def attach_groups(settings: Settings, groups_of) -> Settings:
    """*settings* with each ``variants`` level's table of groups: ``groups_of(name)`` is the
    rules file *name*'s table (a steward's groups extend the shipped ones)."""
    comparisons = [
        dataclasses.replace(
            c,
            levels=tuple(
                dataclasses.replace(lv, table=groups_of(lv.groups)) if lv.groups else lv
                for lv in c.levels
            ),
        )
        for c in settings.comparisons
    ]
    return dataclasses.replace(settings, comparisons=comparisons)


def load(path: str | Path) -> Settings:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("rules file not found", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", file=str(path)) from None
    return parse(data, str(path))
