"""Survivorship: one golden row per company or contact, chosen by ``rules/survivorship.toml``.

An *attribute* is a group of columns taken together from one winning row (a whole address,
never a street from one row and a postcode from another). The candidate rows of an entity
are ranked by the attribute's rules, in order, each only breaking the ties of the ones
before; a last tie goes to the first row in ``_order`` — the master job's canonical order, a
hash of the row's content — so the golden row never depends on the order rows came in.
Every golden value records its row (source file and row) and the rule that decided it.
Multi-valued fields (e-mails, phones, addresses) are kept whole in ``contact_points``.

>>> rows = pl.DataFrame({"_id": ["a", "a"], "email": ["x@y.be", "bad@"], "email_status": ["valid", "invalid"],
...                      "source_file": ["f", "f"], "source_row": [1, 2], "_order": [0, 1]})
>>> attr = Attribute("email", ("email", "email_status"), ("email",), ("valid",), valid="email_status")
>>> golden, prov = survive(rows, [attr])
>>> golden["email"].to_list(), prov["decided_by"].to_list()
(['x@y.be'], ['valid'])
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..errors import InputError
from ..io.read import typed_like
from ..ruleset import Rules, rules_or_default
from . import lists

ID = "_id"
RULES = (
    "valid",
    "priority",
    "recent",
    "oldest",
    "complete",
    "frequent",
    "opt_out",
    "generic",
    "personal",
)
LEVELS = ("company", "contact")
LIST_SEPARATOR = ";"
_ATTRIBUTE_KEYS = {"columns", "present", "rules", "valid", "only"}
_LIST_KEYS = {"columns", "only", "join"}
_ONLY = ("generic",)


@dataclass(frozen=True)
class Attribute:
    name: str
    columns: tuple[str, ...]
    present: tuple[str, ...]
    rules: tuple[str, ...]
    valid: str | None = None  # the status column whose "valid" the 'valid' rule prefers
    only: str | None = None  # "generic": only rows without a person name (or a role e-mail)


@dataclass(frozen=True)
class ListField:
    name: str
    columns: tuple[str, ...]
    only: str | None = None
    join: bool = False  # the columns make one value ("street 1, 1000, Brussels, BE"), not one each


@dataclass(frozen=True)
class Survivorship:
    """``rules/survivorship.toml``, parsed and checked (see ``load``)."""

    sources: tuple[str, ...]
    attributes: dict[str, tuple[Attribute, ...]]
    lists: dict[str, tuple[ListField, ...]]

    def columns(self) -> set[str]:
        out = set()
        for level in LEVELS:
            for a in self.attributes[level]:
                out |= {*a.columns, *a.present, *([a.valid] if a.valid else [])}
            for f in self.lists[level]:
                out |= set(f.columns)
        return out

    def check_columns(self, available: set[str], *, rules: Rules | None = None) -> None:
        """Every column the rules name must exist in the cleaned data (*rules*: the rules
        these were loaded from, for the file and line of a message)."""
        for level in LEVELS:
            for a in self.attributes[level]:
                for c in (*a.columns, *a.present, *([a.valid] if a.valid else [])):
                    if c not in available:
                        _fail(
                            rules,
                            f"[{level}.{a.name}]: no column {c!r} in the cleaned data",
                            f'"{c}"',
                        )
            for f in self.lists[level]:
                for c in f.columns:
                    if c not in available:
                        _fail(
                            rules,
                            f"[{level}.lists.{f.name}]: no column {c!r} in the cleaned data",
                            f'"{c}"',
                        )


def _fail(rules: Rules | None, message: str, *needles: str) -> None:
    """An error naming the survivorship rules file, and the line holding *needles*."""
    rules = rules_or_default(rules)
    where, line = (
        rules.line_of("survivorship", *needles)
        if needles
        else (rules.location("survivorship"), None)
    )
    raise InputError(message, file=f"{where}:{line}" if line else where)


def _names(rules: Rules | None, value, what: str, needle: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        _fail(rules, f"{what} must be a non-empty list of names", needle)
    return tuple(value)


def _table(rules: Rules | None, spec, name: str, keys: set[str]) -> str:
    """Check one [level.name] table of the rules: its keys and its `only`. Returns '[name]'."""
    where = f"[{name}]"
    if not isinstance(spec, dict):
        _fail(rules, f"{where} must be a table with columns", name)
    bad = set(spec) - keys
    if bad:
        _fail(
            rules,
            f"{where}: unknown key {sorted(bad)[0]!r} (known: {', '.join(sorted(keys))})",
            sorted(bad)[0],
        )
    if spec.get("only") not in (None, *_ONLY):
        _fail(rules, f"{where}: only must be one of {', '.join(_ONLY)}", "only")
    return where


def load(rules: Rules | None = None) -> Survivorship:
    """``rules/survivorship.toml`` of *rules* (None: the shipped one), checked: unknown rules,
    keys or levels are errors that name the rules file and line."""
    data = rules_or_default(rules).get("survivorship")
    unknown = set(data) - {"sources", *LEVELS}
    if unknown:
        name = sorted(unknown)[0]
        _fail(rules, f"unknown section [{name}] (known: sources, company, contact)", f"[{name}")
    sources = _names(
        rules, data.get("sources", {}).get("priority", ["*"]), "[sources] priority", "priority"
    )
    attributes, lists = {}, {}
    for level in LEVELS:
        section = dict(data.get(level, {}))
        lists[level] = _list_fields(rules, level, section.pop("lists", None) or {})
        attributes[level] = _attributes(rules, level, section)
    return Survivorship(sources, attributes, lists)


def _list_fields(rules: Rules | None, level: str, specs: dict) -> tuple[ListField, ...]:
    """The [level.lists.*] tables: the multi-valued fields kept whole in contact_points."""
    fields = []
    for name, spec in specs.items():
        where = _table(rules, spec, f"{level}.lists.{name}", _LIST_KEYS)
        if not isinstance(spec.get("join", False), bool):
            _fail(rules, f"{where}: join must be true or false", "join")
        columns = _names(rules, spec.get("columns"), f"{where} columns", f"{level}.lists.{name}")
        fields.append(ListField(name, columns, spec.get("only"), spec.get("join", False)))
    return tuple(fields)


def _attributes(rules: Rules | None, level: str, section: dict) -> tuple[Attribute, ...]:
    """The [level.*] tables: the attributes, each a group of columns and its rules in order."""
    attrs, owner = [], {}
    for name, spec in section.items():
        where = _table(rules, spec, f"{level}.{name}", _ATTRIBUTE_KEYS)
        columns = _names(rules, spec.get("columns"), f"{where} columns", f"[{level}.{name}]")
        order = _names(rules, spec.get("rules"), f"{where} rules", f"[{level}.{name}]")
        for rule in order:
            if rule not in RULES:
                _fail(
                    rules,
                    f"{where}: unknown rule {rule!r} (known: {', '.join(RULES)})",
                    f'"{rule}"',
                )
        if len(set(order)) != len(order) or {"recent", "oldest"} <= set(order):
            _fail(
                rules,
                f"{where}: a rule is listed twice, or both recent and oldest",
                f"[{level}.{name}]",
            )
        if "valid" in order and not spec.get("valid"):
            _fail(
                rules,
                f"{where}: rule 'valid' needs valid = \"<status column>\"",
                f"[{level}.{name}]",
            )
        for c in columns:
            if c in owner:
                _fail(rules, f"{where}: column {c!r} is already in [{level}.{owner[c]}]", f'"{c}"')
            owner[c] = name
        present = _names(rules, spec.get("present", [columns[0]]), f"{where} present", "present")
        attrs.append(Attribute(name, columns, present, order, spec.get("valid"), spec.get("only")))
    return tuple(attrs)


def _candidates(only: str | None) -> pl.Expr:
    if only == "generic":
        return ~pl.col("_has_person").fill_null(False) | pl.col("email_role").fill_null(False)
    return pl.lit(True)


# Each rule is a field of one integer rank (higher wins), the first rule in the high bits:
# comparing ranks compares the rules in order. Values beyond a field's width are clipped.
# All rules but one of recent/oldest (load() refuses both, and repeats) take 54 bits: an Int64 holds them.
WIDTH = {
    "valid": 1,
    "priority": 6,
    "recent": 16,
    "oldest": 16,
    "complete": 12,
    "frequent": 16,
    "opt_out": 1,
    "generic": 1,
    "personal": 1,
}
_DAY0 = 25567  # days from 1900-01-01 to 1970-01-01: dates count from 1900 (16 bits reach 2079)


def _field(rule: str, a: Attribute) -> pl.Expr:
    """The rule's score of a candidate row, 0 … 2**WIDTH[rule] - 1, higher is better."""
    top = 2 ** WIDTH[rule] - 1
    flag = lambda e: e.fill_null(False).cast(pl.Int64)  # noqa: E731
    if rule == "valid":
        return flag(pl.col(a.valid).cast(pl.String) == "valid")
    if rule == "priority":
        return top - pl.col("_priority").cast(pl.Int64).clip(0, top)
    if rule in ("recent", "oldest"):
        days = (pl.col("_date").cast(pl.Int64) + _DAY0).clip(1, top)  # days since 1970 + 1900→1970
        return (days if rule == "recent" else top + 1 - days).fill_null(0)
    if rule == "complete":  # filled columns (4 bits), then the value's length (8 bits)
        filled = (
            pl.sum_horizontal(pl.col(c).is_not_null() for c in a.columns).cast(pl.Int64).clip(0, 15)
        )
        return filled * 256 + pl.col(a.present[0]).cast(pl.String).str.len_chars().fill_null(
            0
        ).cast(pl.Int64).clip(0, 255)
    if rule == "frequent":
        return pl.len().over(E, *a.present).cast(pl.Int64).clip(0, top)
    if rule == "opt_out":
        return flag(pl.col("opt_out"))
    if rule == "generic":
        return flag(~pl.col("_has_person"))
    return flag(~pl.col("email_role"))  # personal


def _rank(a: Attribute) -> tuple[pl.Expr, list[tuple[str, int]]]:
    """(the rank expression, [(rule, bit offset)] from the first rule to the last)."""
    rank, offsets, shift = pl.lit(0, pl.Int64), [], 0
    for rule in reversed(a.rules):
        rank = rank + _field(rule, a) * (2**shift)
        offsets.append((rule, shift))
        shift += WIDTH[rule]
    return rank, offsets[::-1]


# the columns of a candidate row that the rules and the provenance read, besides its values
HELPERS = (
    "source_file",
    "source_row",
    "_order",
    "_priority",
    "_date",
    "_has_person",
    "opt_out",
    "email_role",
)


def survive(
    rows: pl.DataFrame, attributes: list[Attribute] | tuple[Attribute, ...]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(golden, provenance). *rows*: the rows of the entities, with ``_id`` (the entity),
    ``source_file``, ``source_row``, ``_order`` (a row-order-free rank) and the helper
    columns the rules use (``_priority``, ``_date``, ``_has_person``).

    golden: one row per ``_id`` (sorted; with its integer key ``_e``), each attribute's
    columns from its winning row.

    provenance, for the entities of several rows (one row gives every value), keyed by ``_e``
    and ``_a`` (the attribute's position), in no particular order: the winning row, what
    decided it — 'only candidate', 'same value' (every candidate gives the same values), the
    first rule on which it beats the runner-up, or 'tie' (the first in ``_order``) — and how
    many rows were candidates.

    Each candidate gets one integer rank (``_rank``); the winner is the highest, then the
    first in ``_order``: windows over the entity, no sort."""
    rows = _narrow(rows, attributes)
    alone = pl.len().over(E) == 1
    single, rows = rows.filter(alone), rows.filter(~alone)
    is_candidate = {
        a.name: pl.any_horizontal(pl.col(c).is_not_null() for c in a.present) & _candidates(a.only)
        for a in attributes
    }
    # an entity of one row: each attribute is that row's, where it is a candidate
    golden = single.select(
        E,
        ID,
        *(
            pl.when(is_candidate[a.name]).then(pl.col(c)).alias(c)
            for a in attributes
            for c in a.columns
        ),
    )
    provenance = []  # an entity of one row takes every value from it: its lineage says which
    several = rows.select(E, ID).unique(E)
    for i, a in enumerate(attributes):
        winners = _winners(rows.filter(is_candidate[a.name]), a)
        several = several.join(winners.select(E, *a.columns), on=E, how="left")
        provenance.append(
            winners.select(
                E,
                pl.lit(i, pl.Int32).alias("_a"),
                pl.lit(a.name).alias("attribute"),
                "source_file",
                "source_row",
                "decided_by",
                pl.col("candidates").cast(pl.Int64),
            )
        )
    golden = pl.concat([golden, several], how="diagonal_relaxed").sort(E)
    return golden, _provenance_table(provenance)


def _narrow(
    rows: pl.DataFrame, attributes: list[Attribute] | tuple[Attribute, ...]
) -> pl.DataFrame:
    """*rows* keyed (``_e``), with only the columns the *attributes* and their rules read."""
    used = {*HELPERS, *(c for a in attributes for c in (*a.columns, *a.present, a.valid) if c)}
    rows = _keyed(rows)
    rows = rows.select(
        E, ID, *(c for c in rows.columns if c in used)
    )  # narrow: each filter copies what it keeps
    return rows.with_columns(
        pl.col("source_file").cast(pl.Categorical)
    )  # a number per row, not a path, through the filters


def _winners(cand: pl.DataFrame, a: Attribute) -> pl.DataFrame:
    """The winning row of each entity among its candidate rows *cand* for attribute *a*:
    ``_e``, its columns, ``source_file``, ``source_row``, ``decided_by``, ``candidates``."""
    rank, offsets = _rank(a)
    cand = cand.select(
        E,
        *a.columns,
        *dict.fromkeys(c for c in (*HELPERS, a.valid) if c and c not in a.columns),
    )
    cand = cand.with_columns(pl.len().over(E).alias("candidates"))
    one = cand.filter(pl.col("candidates") == 1).with_columns(
        pl.lit("only candidate").alias("decided_by")
    )
    many = cand.filter(pl.col("candidates") > 1).with_columns(
        rank.alias("_rank"), pl.struct(a.columns).hash().alias("_hash")
    )
    best = pl.col("_rank").max().over(E)
    top = pl.col("_rank") == best
    many = many.with_columns(top.alias("_top"))
    winner = pl.col("_top") & (
        pl.col("_order") == pl.when("_top").then(pl.col("_order")).min().over(E)
    )
    many = many.with_columns(winner.alias("_win"))
    many = many.with_columns(
        pl.when(~pl.col("_win"))
        .then(pl.col("_rank"))
        .max()
        .over(E)
        .alias("_runner"),  # the best of the others
        (pl.col("_hash").min().over(E) == pl.col("_hash").max().over(E)).alias(
            "_same"
        ),  # every candidate agrees
    ).filter("_win")
    many = many.with_columns(_decided_by(offsets).alias("decided_by"))
    return pl.concat(
        [
            one.select(E, *a.columns, "source_file", "source_row", "decided_by", "candidates"),
            many.select(E, *a.columns, "source_file", "source_row", "decided_by", "candidates"),
        ]
    )


def _decided_by(offsets: list[tuple[str, int]]) -> pl.Expr:
    """What made the winner win: 'same value', the first rule on which its rank beats the
    runner-up's (``_runner``), else 'tie'."""
    decided = pl.when("_same").then(pl.lit("same value"))
    for rule, shift in offsets:  # the first rule on which the winner beats the runner-up
        unit, size = 2**shift, 2 ** WIDTH[rule]
        decided = decided.when(
            (pl.col("_rank") // unit) % size != (pl.col("_runner") // unit) % size
        ).then(pl.lit(rule))
    return decided.otherwise(pl.lit("tie"))


def _provenance_table(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The provenance of every attribute in one table, typed alike (and typed when empty)."""
    schema = {
        E: pl.Int64,
        "_a": pl.Int32,
        "attribute": pl.String,
        "source_file": pl.String,
        "source_row": pl.Int64,
        "decided_by": pl.String,
        "candidates": pl.Int64,
    }
    return pl.concat(
        [
            pl.DataFrame(schema=schema),
            *(p.with_columns(pl.col("source_file").cast(pl.String)).cast(schema) for p in parts),
        ]
    )


E = "_e"  # an integer key per entity (the dense rank of its id, 1, 2 …): faster sorts, joins and groups


def _keyed(rows: pl.DataFrame) -> pl.DataFrame:
    if E in rows.columns:
        return rows
    types = {
        "_priority": pl.Int32,
        "_date": pl.Date,
        "_has_person": pl.Boolean,
        "opt_out": pl.Boolean,
        "email_role": pl.Boolean,
        "_order": pl.Int64,
    }
    rows = typed_like(
        rows.with_columns(
            pl.lit(None, t).alias(c) for c, t in types.items() if c not in rows.columns
        ),
        types,
    )
    number = rows.select(pl.col(ID).str.extract(r"-(\d+)$", 1).cast(pl.Int64)).to_series()
    if (
        number.null_count() == 0
    ):  # master ids ('co-12'): _e follows their number, so co-2 comes before co-10
        return rows.with_columns(number.rank("dense").cast(pl.Int64).alias(E))
    return rows.with_columns(pl.col(ID).rank("dense").cast(pl.Int64).alias(E))


def contact_points(
    rows: pl.DataFrame, fields: tuple[ListField, ...], golden: pl.DataFrame
) -> pl.DataFrame:
    """Every distinct value of the multi-valued fields per entity, in its canonical form
    (``lists``: E.164 phones, lower-case e-mails, addresses with their postcode in their
    country's form and the city in its proper case; variants of one value counted as one):
    ``_e, kind, value, status, rows`` (how many rows carry it), ``golden`` (it is the golden
    row's value), ``_k`` (the kind's position); golden first, then the most frequent, then
    alphabetical. *golden* is survive()'s."""
    rows = _keyed(rows)
    used = {
        "_has_person",
        "email_role",
        "country",
        *(c for f in fields for c in f.columns),
        *(f"{c}_status" for f in fields for c in f.columns),
    }
    rows = rows.select(E, *(c for c in rows.columns if c in used))
    kinds = {f.name: lists.kind_of(f.columns, f.join) for f in fields}
    schema = {E: pl.Int64, "kind": pl.String, "value": pl.String, "status": pl.String}
    schema |= {"rows": pl.Int64, "golden": pl.Boolean}
    points = _values(rows, fields, golden)
    if points is None:
        return pl.DataFrame(schema=schema)
    points = lists.canonical(points, kinds)
    # most entities have one value per kind: only the others are grouped and ranked
    n = pl.len().over(E, "kind")
    one = points.filter(n == 1).with_columns(pl.lit(1, pl.Int64).alias("rows"))
    many = lists.merged(points.filter(n > 1))
    points = pl.concat([one.select(schema.keys()), many.select(schema.keys())])
    order = {f.name: i for i, f in enumerate(fields)}
    return points.with_columns(
        pl.col("kind").replace_strict(order, return_dtype=pl.Int32).alias("_k")
    ).sort([E, "_k", "golden", "rows", "value"], descending=[False, False, True, True, False])


def _values(
    rows: pl.DataFrame, fields: tuple[ListField, ...], golden: pl.DataFrame
) -> pl.DataFrame | None:
    """The values of the list *fields* in the candidate *rows* (``_e, kind, value, status,
    country, golden``: the row's country, else the entity's golden one; the value is the
    golden row's), None when there is none. *golden* is sorted by ``_e``, a dense rank from 1."""
    at = rows[E] - 1
    fallback = (
        golden["country"].cast(pl.String).gather(at)
        if "country" in golden.columns
        else pl.Series([None] * rows.height, dtype=pl.String)
    )
    own = rows["country"].cast(pl.String) if "country" in rows.columns else fallback
    rows = rows.with_columns(pl.coalesce(own, fallback).alias("_country"))
    # the golden row's values beside each row (where the golden table has them)
    rows = rows.with_columns(
        golden[c].cast(pl.String).gather(at).alias(f"_g_{c}")
        for c in {c for f in fields for c in f.columns}
        if c in golden.columns
    )
    parts = [part for f in fields for part in _field_values(rows, f)]
    return pl.concat(parts).rename({"_country": "country"}) if parts else None


def _field_values(rows: pl.DataFrame, f: ListField) -> list[pl.DataFrame]:
    """The values of list field *f* in the candidate rows (``_e, value, status, _country,
    golden, kind``): its columns joined into one address, or each column's values,
    ';'-separated lists split."""
    cand = rows.filter(_candidates(f.only))
    if f.join:
        if not all(c in cand.columns for c in f.columns):
            return []
        golden = pl.all_horizontal(
            pl.col(c).cast(pl.String).eq_missing(pl.col(f"_g_{c}"))
            if f"_g_{c}" in cand.columns
            else pl.lit(False)
            for c in f.columns
        )
        part = cand.select(
            E,
            lists.address(cand, f.columns, cand["_country"]).alias("value"),
            pl.lit(None, pl.String).alias("status"),
            "_country",
            golden.alias("golden"),
        ).filter(pl.col("value").is_not_null())
        return [part.with_columns(pl.lit(f.name).alias("kind"))]
    parts = []
    mine = [f"_g_{c}" for c in f.columns if f"_g_{c}" in cand.columns]
    for c in (c for c in f.columns if c in cand.columns):
        status = (
            pl.col(f"{c}_status").cast(pl.String)
            if f"{c}_status" in cand.columns
            else pl.lit(None, pl.String)
        ).alias("status")
        value = pl.col(c).cast(pl.String)
        several = value.str.contains(LIST_SEPARATOR, literal=True).fill_null(False)
        part = (
            pl.concat(
                [
                    cand.filter(~several).select(
                        E, value.alias("value"), status, "_country", *mine
                    ),
                    cand.filter(several)
                    .select(
                        E,
                        value.str.split(LIST_SEPARATOR).alias("value"),
                        status,
                        "_country",
                        *mine,
                    )
                    .explode("value"),
                ]
            )
            .with_columns(pl.col("value").str.strip_chars())
            .filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
        )
        golden = pl.any_horizontal(pl.lit(False), *(pl.col("value") == pl.col(g) for g in mine))
        part = part.select(
            E, "value", "status", "_country", golden.fill_null(False).alias("golden")
        )
        parts.append(part.with_columns(pl.lit(f.name).alias("kind")))
    return parts


def listed(points: pl.DataFrame, fields: tuple[ListField, ...]) -> pl.DataFrame:
    """Per entity (``_e``), one column per list field: its values, golden first, ';'-separated,
    the variants of one value (``lists.key``: ``Liege`` and ``Liège``) as its best one."""
    n = pl.len().over(E, "kind")
    kinds = {f.name: lists.kind_of(f.columns, f.join) for f in fields}
    wide = pl.concat(
        [
            points.filter(n == 1).select(E, "kind", "value"),
            lists.distinct(points.filter(n > 1), kinds)
            .group_by(E, "kind", maintain_order=True)
            .agg(pl.col("value").str.join(LIST_SEPARATOR)),
        ]
    )
    out = wide.select(pl.col(E).unique())
    for f in fields:
        out = out.join(
            wide.filter(pl.col("kind") == f.name).select(E, pl.col("value").alias(f.name)),
            on=E,
            how="left",
        )
    return out
