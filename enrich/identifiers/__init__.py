"""VAT and company numbers: validated with the rules of python-stdnum, with a reason.

One adapter module per identifier family — ``be`` (enterprise/VAT number), ``fr`` (SIREN,
SIRET, TVA), ``nl`` (BTW, KVK), ``lu``, ``de``, ``eu`` (any other EU VAT number) — each with
the same verbs: ``validate_*`` (the compact number, or an exception whose message is the
reason), ``format_*``, and a vectorised ``check_*`` where one exists (BE mod 97, FR Luhn and
TVA key: most of the rows); the others run once per distinct value. :data:`IDENTIFIERS`
registers one entry per input column and :func:`clean` loops over it. People's formats are
accepted (``BE 0403.170.701``, ``BE403170701``, ``0403170701`` with country BE,
``FR 40 303265045``, ``TVA: FR40303265045``). Before the checks, ``route`` reads each
value by its shape and check digits wherever it is typed — a SIRET in the VAT column goes
to ``siret`` (noted in ``issues``), a 9-digit number valid as a SIREN and as a Belgian
number goes where the row's evidence says, or nowhere (``ambiguous``) — and ``held``
labels what each column really held (``clean(…, report=True)``).

Output: the compact VAT with its prefix (``vat``), its formatted form (``vat_formatted``),
the Belgian enterprise number (also derived from a BE VAT), SIREN (also derived from SIRET
and FR TVA), SIRET, KVK, the identifiers' country, and one ``id_status`` for the row —
valid / invalid_checksum / invalid_format / conflict (two valid numbers that disagree) /
ambiguous (a number the row cannot place) / missing — with ``id_reason`` naming the field
and the problem.

>>> r = clean_one(vat="BE 0403.170.701")
>>> r["vat"], r["vat_formatted"], r["enterprise_number"], r["id_status"]
('BE0403170701', 'BE 0403.170.701', '0403170701', 'valid')
>>> clean_one(vat="0403170701", country="BE")["vat"]
'BE0403170701'
>>> r = clean_one(vat="BE 0403.170.702")
>>> r["id_status"], r["id_reason"]
('invalid_checksum', 'vat: invalid checksum')
>>> r = clean_one(vat="FR 40 303265045", siret="732 829 320 00074")
>>> r["vat"], r["siren"], r["siret"], r["id_status"]
('FR40303265045', '732829320', '73282932000074', 'conflict')
>>> clean_one(siret="55212022200013")["siren"]
'552120222'
>>> clean_one(vat="NL004495445B01")["id_status"], clean_one(vat="DE136695976")["vat_formatted"]
('valid', 'DE136695976')
>>> clean_one(vat="n/a")["id_status"], clean_one(enterprise_number="2.000.000.339")["id_reason"]
('missing', 'enterprise_number: an establishment unit number, not an enterprise number')
>>> r = clean_one(vat="732 829 320 00074")
>>> r["vat"], r["siret"], r["siren"], r["issues"]
(None, '73282932000074', '732829320', 'siret: found in the vat column')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import polars as pl

from ..normalise.text import column, join_issues, one_row
from . import be, de, fr, held, lu, nl, route, vat
from .be import mod97_ok
from .common import PLACEHOLDERS, Check, compact, is_placeholder, luhn_ok

__all__ = ["IDENTIFIERS", "INPUTS", "OUTPUTS", "PLACEHOLDERS", "VAT_ADAPTERS", "Identifier"]
__all__ += ["clean", "clean_one", "compact", "keyed", "luhn_ok", "mod97_ok"]


@dataclass(frozen=True)
class Identifier:
    """One input column of identifiers and the adapter that checks it.

    *check* adds ``_{field}_value/_status/_reason`` to the frame from the compact column
    ``_{field}`` (and ``_{field}_{other}``: the *other* number a valid one gives, e.g. the
    SIREN of a SIRET). An identifier that others give too (*given_by*, in order of trust)
    outputs the valid number agreed on — two valid ones that differ are a *conflict*;
    any other outputs the number as typed (compact), valid or not.
    """

    field: str  # input column, output column, and the name in id_reason
    description: str  # for schema.INPUT_COLUMNS
    check: Check
    country: str | None = None  # what a valid one says of the row's country (VAT: its prefix)
    given_by: tuple[str, ...] = ()
    conflict: str | None = None  # id_reason when the numbers given disagree
    formatted: bool = False  # also outputs ``{field}_formatted``


# VAT prefix → adapter; any other prefix goes through ``eu`` (stdnum.eu.vat).
VAT_ADAPTERS = {"BE": be, "FR": fr, "NL": nl, "LU": lu, "DE": de}

# The identifiers, in output order (which is also the order of id_status's precedence
# and of id_reason's parts).
IDENTIFIERS = (
    Identifier(
        "vat",
        "VAT number in any typed format (BE 0403.170.701, FR40303265045 …)",
        functools.partial(vat.check, adapters=VAT_ADAPTERS),
        formatted=True,
    ),
    Identifier(
        "enterprise_number",
        "Belgian enterprise number (KBO/BCE), 10 digits",
        be.check_enterprise_number,
        country="BE",
        given_by=("vat",),
        conflict="conflict: the BE VAT and the enterprise number differ",
    ),
    Identifier(
        "siren",
        "French SIREN, 9 digits",
        fr.check_siren,
        country="FR",
        given_by=("siret", "vat"),
        conflict="conflict: SIREN, SIRET and FR TVA name different companies",
    ),
    Identifier("siret", "French SIRET, 14 digits", fr.check_siret, country="FR"),
    Identifier("kvk", "Dutch Chamber of Commerce number, 8 digits", nl.check_kvk, country="NL"),
)
# country: the row's own (its column); default_country: what a row naming none is given
# (only reads a VAT number typed without its prefix); postcode, phone: evidence (``route``)
CONTEXT = ("country", "default_country", "postcode", "phone")
INPUTS = (*[i.field for i in IDENTIFIERS], *CONTEXT)


def _output_names() -> tuple[str, ...]:
    """OUTPUTS, from the table as it is when called."""
    fields = [c for i in IDENTIFIERS for c in (i.field, f"{i.field}_formatted")[: 1 + i.formatted]]
    return (*fields, "id_country", "id_status", "id_reason")


OUTPUTS = _output_names()
# "4,03171E+11": a spreadsheet turned the number into a float; its digits are gone
_MANGLED = r"(?i)^\s*[0-9]+(?:[.,][0-9]+)?E\+?[0-9]+\s*$"
MANGLED = "turned into a number in scientific notation by a spreadsheet (digits lost)"


def _fields() -> list[str]:
    """The registered fields (read when called, so the table is the one truth)."""
    return [i.field for i in IDENTIFIERS]


def _compacted(df: pl.DataFrame) -> pl.LazyFrame:
    """The inputs, and each field compacted to ``_{field}`` (null for a placeholder, noted
    in ``_ph_{field}``). Lazy: shared sub-expressions run once."""
    fields = _fields()
    frame = pl.DataFrame({k: column(df, k) for k in (*fields, *CONTEXT)}).lazy()
    # a value with a digit 1-9 is never a placeholder; the few others are checked in Python
    no_digit = pl.concat(
        [s.filter(~s.str.contains("[1-9]")) for s in (column(df, k) for k in fields)]
    )
    found = [v for v in no_digit.unique().to_list() if v is not None and is_placeholder(v)]
    placeholder = {k: pl.col(k).is_in(found) for k in fields}
    return frame.with_columns(
        *[
            pl.when(placeholder[k]).then(None).otherwise(compact(pl.col(k))).alias(f"_{k}")
            for k in fields
        ],
        *[placeholder[k].fill_null(False).alias(f"_ph_{k}") for k in fields],
    )


def _valid(field: str) -> pl.Expr:
    return pl.col(f"_{field}_value").is_not_null() & (pl.col(f"_{field}_status") == "valid")


def _given(ident: Identifier) -> list[pl.Expr]:
    """The valid numbers for *ident*: its own, then those the others give, in order."""
    own = pl.when(_valid(ident.field)).then(pl.col(f"_{ident.field}_value"))
    return [own, *[pl.col(f"_{other}_{ident.field}") for other in ident.given_by]]


def _disagree(numbers: list[pl.Expr]) -> pl.Expr:
    """Two of *numbers* are there and differ."""
    pairs = [a != b for i, a in enumerate(numbers) for b in numbers[i + 1 :]]
    return pl.any_horizontal([p.fill_null(False) for p in pairs]) if pairs else pl.lit(False)


def _status(conflict: pl.Expr, ambiguous: pl.Expr) -> pl.Expr:
    """The first invalid field's status, else conflict, else ambiguous, else valid, else
    missing."""
    fields = _fields()
    mangled = {f: pl.col(f).str.contains(_MANGLED).fill_null(False) for f in fields}
    first_bad = pl.coalesce(
        [
            pl.when(pl.col(f"_{f}_value").is_not_null() & (pl.col(f"_{f}_status") != "valid")).then(
                pl.when(mangled[f]).then(pl.lit("invalid_format")).otherwise(pl.col(f"_{f}_status"))
            )
            for f in fields
        ]
    )
    any_value = pl.any_horizontal([pl.col(f"_{f}_value").is_not_null() for f in fields])
    return (
        pl.when(first_bad.is_not_null())
        .then(first_bad)
        .when(conflict)
        .then(pl.lit("conflict"))
        .when(ambiguous)
        .then(pl.lit(route.AMBIGUOUS))
        .when(any_value)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("missing"))
    )


def _reason(conflicts: dict[str, pl.Expr], routed: list[str]) -> pl.Expr:
    """Each invalid field's reason, each ambiguous one's, then the first conflict's."""
    fields = _fields()
    problems = [
        pl.when(pl.col(f"_{f}_value").is_not_null() & (pl.col(f"_{f}_status") != "valid")).then(
            pl.lit(f"{f}: ")
            + pl.when(pl.col(f).str.contains(_MANGLED).fill_null(False))
            .then(pl.lit(MANGLED))
            .otherwise(pl.col(f"_{f}_reason"))
        )
        for f in fields
    ]
    ambiguous = [
        pl.when(pl.col(f"_to_{f}") == route.AMBIGUOUS).then(
            pl.lit(f"{f}: {route.AMBIGUOUS_REASON}")
        )
        for f in routed
    ]
    conflict = pl.coalesce(
        [pl.when(conflicts[i.field]).then(pl.lit(i.conflict)) for i in IDENTIFIERS if i.conflict]
        + [
            pl.when(route.collisions(f)).then(
                pl.lit(f"conflict: the {f} column holds another ") + pl.col(f"_to_{f}")
            )
            for f in routed
        ]
    )
    return join_issues(*problems, *ambiguous, conflict)


def _outputs(frame: pl.LazyFrame, routed: list[str]) -> pl.LazyFrame:
    """OUTPUTS and ``issues`` from the checked columns (*routed*: the fields ``route`` saw)."""
    fields, agreed, conflicts, columns = _fields(), {}, {}, []
    for ident in IDENTIFIERS:
        f = ident.field
        numbers = _given(ident)
        agreed[f] = pl.coalesce(numbers)
        conflicts[f] = _disagree(numbers)
        columns.append((agreed[f] if ident.given_by else pl.col(f"_{f}_value")).alias(f))
        if ident.formatted:
            columns.append(pl.col(f"_{f}_formatted").alias(f"{f}_formatted"))
    country = pl.coalesce(  # the first identifier with a valid number says it
        [
            pl.when(agreed[i.field].is_not_null()).then(
                pl.col(f"_{i.field}_value").str.slice(0, 2)
                if i.country is None
                else pl.lit(i.country)
            )
            for i in IDENTIFIERS
        ]
    )
    notes = [
        pl.when(pl.col(f"_ph_{k}")).then(pl.lit(f"{k}: placeholder treated as missing"))
        for k in fields
    ] + [  # where a number was found (its slot's name and the column's, never the value)
        pl.when(route.moved(f) & ~route.collisions(f)).then(
            pl.col(f"_to_{f}") + pl.lit(f": found in the {f} column")
        )
        for f in routed
    ]
    collided = [route.collisions(f) for f in routed]
    ambiguous = [pl.col(f"_to_{f}") == route.AMBIGUOUS for f in routed]
    return frame.with_columns(
        *columns,
        country.alias("id_country"),
        _status(
            pl.any_horizontal([*conflicts.values(), *collided]),
            pl.any_horizontal([pl.lit(False), *ambiguous]).fill_null(False),
        ).alias("id_status"),
        _reason(conflicts, routed).alias("id_reason"),
        join_issues(*notes).alias("issues"),
    )


def clean(df: pl.DataFrame, routed: bool = True, report: bool = False) -> pl.DataFrame:
    """OUTPUTS and ``issues`` (placeholders and moved numbers noted): every identifier
    column's values sent to the slot their kind says (``route``; *routed*), every slot
    checked by its adapter, then one status, reason and country for the row. *report* adds
    ``held.{field}``: what each column's value was (``held``)."""
    fields = _fields()
    present = [f for f in fields if routed and f in df.columns and df[f].null_count() < df.height]
    frame = _compacted(df)
    if present:
        hint = route.hint(column(df, "postcode"), column(df, "phone"))
        frame = route.route(frame.with_columns(pl.lit(hint).alias("_hint")), present, fields)
        frame = frame.collect().lazy()  # one plan of it all costs more to optimise than to run
    frame = frame.with_columns(pl.coalesce("country", "default_country").alias("country"))
    for ident in IDENTIFIERS:
        frame = ident.check(frame, f"_{ident.field}", f"_{ident.field}")
    frame = _outputs(frame, present)
    extra = held.labels(present, fields) if report else []
    return frame.select(*_output_names(), "issues", *extra).collect()


def keyed(df: pl.DataFrame) -> pl.DataFrame:
    """INPUTS of *df* for ``on_unique``, with each row's postcode and phone (else mobile)
    replaced by one postcode standing for what they say of the country (``route.hint``),
    kept only on rows whose identifiers may need it (a value of 8 to 10 digits: the weak
    kinds): the same answers from far fewer distinct rows."""
    fields = [f for f in _fields() if f in df.columns]
    prefixed = rf"(?i)^\s*(?:{'|'.join(route.EU)})\s*[0-9]"  # a VAT number: never weak
    weak = [
        ~pl.col(f).str.contains(prefixed) & pl.col(f).str.count_matches(r"\d").is_between(8, 10)
        for f in fields
    ]
    weak = pl.any_horizontal([pl.lit(False), *weak])
    phone = pl.select(pl.coalesce(column(df, "phone"), column(df, "mobile"))).to_series()
    hint = route.hint(column(df, "postcode"), phone)
    stand_in = df.select(pl.when(weak.fill_null(False)).then(pl.lit(hint))).to_series()
    columns = {k: column(df, k) for k in INPUTS}
    columns["postcode"], columns["phone"] = route.standing_for(stand_in), None
    return pl.DataFrame(columns, schema=dict.fromkeys(INPUTS, pl.String))


def clean_one(**values: str | None) -> dict:
    """:func:`clean` of one row given as keywords (``vat=…, country=…``)."""
    return clean(one_row(INPUTS, values)).row(0, named=True)
