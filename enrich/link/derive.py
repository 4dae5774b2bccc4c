"""The helper columns linking compares and the levels it links, as ``rules/link.toml``
declares them (its header documents the kinds): a new helper column or level is a rules
entry, not code.

>>> frame = pl.DataFrame({"first_name": ["Jean", None], "last_name": ["DUPONT", None],
...                       "website": ["https://www.Acme.be/contact", None]})
>>> spec = {"person_key": {"kind": "words", "of": ["first_name", "last_name"]},
...         "website_domain": {"kind": "host", "of": "website"},
...         "has_person": {"kind": "any", "of": ["first_name", "last_name"]}}
>>> frame.select(helper(name, s, freemail=[]) for name, s in spec.items()).rows()
[('dupont jean', 'acme.be', True), (None, None, False)]

``absent`` keeps a value only where none of its columns holds one (a person without a
company: a customer); ``present``, only where one of them does.

>>> rows = pl.DataFrame({"last_name": ["Peeters", "Peeters"], "company_name": [None, "Acme"]})
>>> customer = {"kind": "any", "of": ["last_name"], "absent": ["company_name"]}
>>> rows.select(helper("has_customer", customer, freemail=[]))["has_customer"].to_list()
[True, False]

``same`` makes the values of one group one value (the group's first): a company typed with
its former or sister legal form is the same company.

>>> forms = pl.DataFrame({"legal_form": ["BE-SPRL", "BE-SRL", "BE-SA", None]})
>>> same = {"kind": "value", "of": "legal_form", "same": [["BE-SRL", "BE-SPRL"]]}
>>> forms.select(helper("family", same, freemail=[]))["family"].to_list()
['BE-SRL', 'BE-SRL', 'BE-SA', None]

``among`` keeps only the values listed (before ``same``): a civility tells a gender, a
doctor's does not.

>>> titles = pl.DataFrame({"title": ["mr", "mrs", "miss", "dr", None]})
>>> gender = {"kind": "value", "of": "title", "among": ["mr", "mrs", "miss"],
...           "same": [["m", "mr"], ["f", "mrs", "miss"]]}
>>> titles.select(helper("gender", gender, freemail=[]))["gender"].to_list()
['m', 'f', 'f', None, None]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..errors import InputError
from ..normalise.emails import role_and_freemail
from ..ruleset import Rules, rules_or_default
from ..schema import OUTPUT_COLUMNS
from .phonetic import CODES, groups_of, name_key

KINDS = ("value", "first", "domain", "host", "words", "any", "phonetic", "mailbox")
LISTS = ("first", "words", "any")  # the kinds whose `of` is a list of columns
CONDITIONS = ("present", "absent", "valid", "unless", "mailbox", "among")
MODIFIERS = ("same", "code", "variants")
MAILBOXES = ("free", "company")


@dataclass(frozen=True)
class Level:
    """One linking level of rules/link.toml."""

    name: str
    rows: str  # the helper column true for the rows this level links
    id: str  # the id column it gives: '<prefix>-<n>'
    prefix: str
    within: str | None = None  # an earlier level: its id is a cannot-link of this one
    # an earlier level whose entities are each one of this level's (when it is declared):
    # its id is a must-link and a cannot-link of this one
    unite: str | None = None


@dataclass(frozen=True)
class Person:
    """How person_id links contacts across companies (rules/link.toml [person])."""

    of: str  # the level whose records it links
    prefix: str
    key: str  # the name, in either order
    channels: tuple[str, ...]  # private channels: one shared value (and the key) is one person


def derive(frame: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """*frame* with the helper columns rules/link.toml declares, in its order."""
    declared, col = _columns(rules)
    # a column of the cleaned schema the frame lacks (rows built by hand, a master written
    # before the rules read it) is unknown: null, not an error
    made_of = set().union(*sources(rules).values()) - set(declared) - set(frame.columns)
    lacking = [pl.lit(None, pl.String).alias(c) for c in sorted(made_of & set(OUTPUT_COLUMNS))]
    out = frame.with_columns(lacking).with_columns(col(name) for name in declared)
    return out.drop([c.meta.output_name() for c in lacking])


def helpers(rules: Rules | None = None) -> dict[str, dict]:
    """The declared helper columns: name → declaration, checked."""
    return rules_or_default(rules).derived(_helpers)


def sources(rules: Rules | None = None) -> dict[str, frozenset[str]]:
    """Each helper column → the cleaned columns its value is made of (through other helpers):
    two columns made of one source are one piece of evidence, not two."""
    specs = helpers(rules)

    def of(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if name not in specs or name in seen:
            return frozenset({name})
        return frozenset().union(*(of(c, seen | {name}) for c in _list(specs[name]["of"])))

    return {name: of(name) for name in specs}


def levels(rules: Rules | None = None) -> tuple[Level, ...]:
    """The declared levels, in the order they are linked."""
    return rules_or_default(rules).derived(_levels)


def person(rules: Rules | None = None) -> Person:
    """The declared person_id linking."""
    data = rules_or_default(rules).get("link")["person"]
    return Person(data["of"], data["prefix"], data["key"], tuple(data["channels"]))


def level_rows(rules: Rules | None = None) -> dict[str, pl.Expr]:
    """Per level: which rows it links, as an expression of the cleaned columns."""
    _, col = _columns(rules)
    return {level.name: col(level.rows) for level in levels(rules)}


def row_flags(rules: Rules | None = None) -> dict[str, pl.Expr]:
    """Every true/false helper (kind "any": the levels' rows, has_person …) as an expression of
    the cleaned columns — cheap, so never kept in a master's link state, always made again."""
    declared, col = _columns(rules)
    return {name: col(name) for name, spec in declared.items() if spec["kind"] == "any"}


def _columns(rules: Rules | None):
    """The declared helpers and a column by name (cleaned, or a helper's expression)."""
    rules = rules_or_default(rules)
    declared = helpers(rules)
    _, freemail = role_and_freemail(rules)
    return declared, _resolver(declared, freemail)


def _resolver(declared: dict[str, dict], freemail: list[str]):
    """A column by name: a cleaned column, or another helper's expression (a helper may be
    made of helpers declared before it: has_customer of email_person)."""

    making: list[str] = []

    def col(name: str) -> pl.Expr:
        if name not in declared:
            return pl.col(name)
        if name in making:
            raise InputError(
                f"link.toml [derived]: {name} is made of itself ({' → '.join(making)})"
            )
        making.append(name)
        try:
            return helper(name, declared[name], freemail, col)
        finally:
            making.pop()

    return col


def helper_names(rules: Rules | None = None) -> tuple[str, ...]:
    """The helper columns' names, without the levels' row flags."""
    flags = {level.rows for level in levels(rules)}
    return tuple(name for name in helpers(rules) if name not in flags)


def helper(name: str, spec: dict, freemail: list[str], col=pl.col) -> pl.Expr:
    """The expression of one declared helper column (*freemail*: the free-mail domains;
    *col*: a column by name — see _resolver)."""
    of = spec["of"]
    value = {
        "value": lambda: col(of),
        "first": lambda: pl.coalesce(*(col(c) for c in of)),
        "domain": lambda: _domain(of),
        "host": lambda: _host(of),
        "words": lambda: _words(of),
        "any": lambda: pl.any_horizontal(col(c).is_not_null() for c in of),
        "mailbox": lambda: _mailbox(of),
        "phonetic": lambda: _phonetic(_list(of), spec.get("code", "cologne"), spec.get("_table")),
    }[spec["kind"]]()
    conditions = []
    if "among" in spec:
        conditions.append(value.is_in(spec["among"]))
    if "same" in spec:
        value = value.replace({v: group[0] for group in spec["same"] for v in group})
    if "present" in spec:
        conditions.append(pl.any_horizontal(col(c).is_not_null() for c in _list(spec["present"])))
    if "absent" in spec:
        conditions.append(pl.all_horizontal(col(c).is_null() for c in _list(spec["absent"])))
    if "valid" in spec:
        conditions.append(col(spec["valid"]) == "valid")
    if "unless" in spec:
        conditions.append(~col(spec["unless"]).fill_null(False))
    if "mailbox" in spec:
        free = _domain(of).is_in(freemail)
        conditions.append(free if spec["mailbox"] == "free" else ~free)
    if not conditions:
        return value.alias(name)
    condition = conditions[0]
    for more in conditions[1:]:
        condition = condition & more
    if spec["kind"] == "any":  # a row flag: true or false, never unknown
        return (condition & value).fill_null(False).alias(name)
    return pl.when(condition).then(value).alias(name)


def _phonetic(columns: list[str], code: str, table: dict[str, str] | None) -> pl.Expr:
    words = pl.concat_str([pl.col(c) for c in columns], separator=" ", ignore_nulls=True)
    return words.replace("", None).map_batches(
        lambda s: name_key(s, code, table or {}), return_dtype=pl.String
    )


def _mailbox(column: str) -> pl.Expr:
    """'domain local' of an e-mail: the domain first, so that a similarity of two of them
    is high only when the domains are the same.

    >>> pl.DataFrame({"e": ["jean.dupont@x.be", None]}).select(_mailbox("e")).to_series().to_list()
    ['x.be jean.dupont', None]
    """
    parts = pl.col(column).str.split_exact("@", 1)
    return pl.concat_str(
        parts.struct.field("field_1"), parts.struct.field("field_0"), separator=" "
    )


def _list(columns: str | list[str]) -> list[str]:
    return [columns] if isinstance(columns, str) else columns


def _domain(column: str) -> pl.Expr:
    return pl.col(column).str.extract(r"@([^@]+)$", 1)


def _host(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace(r"^[a-z]+://", "")
        .str.replace(r"^www\.", "")
        .str.extract(r"^([^/:?#]+)", 1)
    )


def _words(columns: list[str]) -> pl.Expr:
    return (
        pl.concat_str([pl.col(c) for c in columns], separator=" ", ignore_nulls=True)
        .str.to_lowercase()
        .str.split(" ")
        .list.sort()
        .list.join(" ")
        .replace("", None)
    )


def _helpers(rules: Rules) -> dict[str, dict]:
    declared = dict(rules.get("link").get("derived", {}))
    for name, spec in declared.items():
        _check_helper(rules, name, spec)
        if "variants" in spec:  # a rules file of name groups: each name → its group's first
            declared[name] = {**spec, "_table": groups_of(rules, spec["variants"])}
    return declared


def _check_helper(rules: Rules, name: str, spec: object) -> None:
    def fail(message: str) -> InputError:
        file, line = rules.line_of("link", name)
        return InputError(f"[derived] {name}: {message}", file=file, row=line)

    if not isinstance(spec, dict):
        raise fail("needs { kind = ..., of = ... }")
    if spec.get("kind") not in KINDS:
        raise fail(f"unknown kind {spec.get('kind')!r} (known: {', '.join(KINDS)})")
    unknown = set(spec) - {"kind", "of", *CONDITIONS, *MODIFIERS}
    if unknown:
        known = ", ".join(("of", *CONDITIONS, *MODIFIERS))
        raise fail(f"unknown key {sorted(unknown)[0]!r} (known: {known})")
    same = spec.get("same", [])
    if not isinstance(same, list) or not all(
        isinstance(g, list) and g and all(isinstance(v, str) for v in g) for g in same
    ):
        raise fail('same needs a list of groups of values: [["A", "B"], ...]')
    among = spec.get("among", [])
    if not isinstance(among, list) or not all(isinstance(v, str) for v in among):
        raise fail('among needs a list of values: ["A", "B"]')
    for key in ("present", "absent"):
        cols = _list(spec.get(key, []))
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            raise fail(f"{key} needs a column or a list of columns")
    of = spec.get("of")
    columns = of if isinstance(of, list) and of and all(isinstance(c, str) for c in of) else None
    if spec["kind"] in LISTS and columns is None:
        raise fail(f"kind {spec['kind']} needs of = [columns]")
    one = isinstance(of, str) or (spec["kind"] == "phonetic" and columns is not None)
    if spec["kind"] not in LISTS and not one:
        raise fail(f"kind {spec['kind']} needs of = 'a column'")
    if spec.get("code", "cologne") not in CODES:
        raise fail(f"code must be one of {', '.join(CODES)}")
    if spec.get("mailbox", "free") not in MAILBOXES:
        raise fail(f"mailbox must be one of {', '.join(MAILBOXES)}")


def _levels(rules: Rules) -> tuple[Level, ...]:
    data = rules.get("link")
    out: list[Level] = []
    for name in data.get("levels", []):
        spec = data.get(name, {})
        missing = [key for key in ("rows", "id", "prefix") if key not in spec]
        within = spec.get("within")
        if missing or spec.get("rows") not in helpers(rules):
            problem = f"needs {', '.join(missing)}" if missing else "rows must name a helper column"
        elif within is not None and within not in [level.name for level in out]:
            problem = "within must name an earlier level"
        else:
            level = Level(name, spec["rows"], spec["id"], spec["prefix"], within, spec.get("unite"))
            out.append(level)
            continue
        file, line = rules.line_of("link", f"[{name}]")
        raise InputError(f"[{name}]: {problem}", file=file, row=line)
    return tuple(out)
