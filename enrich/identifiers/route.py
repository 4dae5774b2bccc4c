"""Identifiers recognised wherever they are typed: each value's kind by its shape and check
digits, whatever column it sits in, and the slot (output column) it really belongs to.

A SIRET typed in the VAT column goes to ``siret``, a VAT number in a "company number"
column to ``vat``, a Belgian number in a SIRET column to ``enterprise_number``:

=============================================  ===========  =================================
what the value is (compact)                    kind         slot, country
=============================================  ===========  =================================
an EU country prefix, then anything            ``vat``      vat (BE in the enterprise_number
                                                            column stays there), the prefix
14 digits, SIRET check (La Poste's rule)       ``siret``    siret, FR
11 digits: TVA key and a SIREN                 ``frtva``    vat (``FR`` added), FR
10 digits, 0/1 first, mod 97                   ``be10``     enterprise_number (vat in the
                                                            vat column, ``BE`` added), BE
10 digits, 2-8 first, mod 97                   ``unit``     none (an establishment unit)
9 digits: Luhn / mod 97 once 0-padded / both   ``siren9`` / ``be9`` / ``both9``
8 digits                                       ``eight``    kvk, where the row says NL
=============================================  ===========  =================================

The row's country for this decision is a ladder (never the file's majority between BE and
FR): the row's own country, else what its other identifiers say (a typed prefix, a SIRET, a
FR TVA, a 10-digit Belgian number — when they agree), else its postcode's shape (``B-1000``,
``1234 AB`` → NL), else its phone's calling code, else the file's country when it is a
third one (a German file's unprefixed VAT numbers are not SIRENs), else a bare postcode
(``1000`` → not FR — though it may be a French ``01000`` a spreadsheet shortened —,
``75001`` → not BE). A strong kind (a prefix, a SIRET, a FR TVA, 10 Belgian digits) is only
held back by the row's own country or its other identifiers; a 9-digit number needs the
whole ladder's consent, and one valid as both a SIREN and a Belgian number that the row
does not decide is *ambiguous* (in the siren column it stays a SIREN): it fills no slot, so
no company is invented in the wrong country. A value that fits nothing stays in its column
and is checked there as before.

A routed value fills its slot unless the slot's own column holds a value that stays (then
it is a conflict if they differ, noted by :func:`collisions`).

>>> postcodes, phones = ["75008", "1000", "1012 ab", None], [None, None, None, "+32 2 555"]
>>> hint(pl.Series(postcodes), pl.Series(phones)).to_list()
['not BE', 'not FR', 'NL', 'BE']
>>> typed = {"_vat": ["73282932000074", "BE0403170701", "732829320", "552120222"],
...          "_siret": ["0403170701", None, None, None], "country": [None, None, None, "BE"],
...          "_hint": [None, None, NOT_BE, None]}
>>> frame = pl.LazyFrame(typed).with_columns(pl.lit(None, pl.String).alias(c)
...     for c in ("default_country", "_siren", "_enterprise_number"))
>>> out = route(frame, ["vat", "siret"], ["vat", "enterprise_number", "siret", "siren"]).collect()
>>> out["_to_vat"].to_list(), out["_to_siret"].to_list()
(['siret', 'vat', 'siren', None], ['enterprise_number', None, None, None])
>>> [out[f"_{slot}"].to_list()[:3] for slot in ("vat", "enterprise_number", "siret", "siren")]
[[None, 'BE0403170701', None], ['0403170701', None, None], ['73282932000074', None, None], \
[None, None, '732829320']]
"""

from __future__ import annotations

import polars as pl

from .common import luhn_digits, number
from .eu import PREFIXES
from .fr import siret_digits, tva_key_int

AMBIGUOUS = "ambiguous"
NOT_FR, NOT_BE = "not FR", "not BE"  # what a bare 4- / 5-digit postcode says
SLOTS = ("vat", "enterprise_number", "siren", "siret", "kvk")
EU = [*PREFIXES, "GR"]  # a VAT number's prefix (GR typed for VIES' EL)
AMBIGUOUS_REASON = "valid as a French SIREN and as a Belgian number; the row says neither"
# postcode shape → country evidence (after upper case, spaces and dots removed)
_POSTCODES = (
    (r"^B-?[0-9]{4}$", "BE"),
    (r"^F-?[0-9]{5}$", "FR"),
    (r"^L-?[0-9]{4}$", "LU"),
    (r"^D-?[0-9]{5}$", "DE"),
    (r"^[0-9]{4}[A-Z]{2}$", "NL"),
    (r"^[0-9]{4}$", NOT_FR),
    (r"^[0-9]{5}$", NOT_BE),
)
_CALLING = {"32": "BE", "33": "FR", "31": "NL", "352": "LU", "49": "DE"}
_CALLING_CODE = r"^[\s(]*(?:\+|00)\s*(352|3[123]|49)"
_STANDS_FOR = {"BE": "B-0000", "FR": "F-00000", "LU": "L-0000", "DE": "D-00000", "NL": "0000AA"}
_STANDS_FOR |= {NOT_FR: "0000", NOT_BE: "00000"}


def _postcode_says(postcode: pl.Expr) -> pl.Expr:
    """The country (or NOT_FR / NOT_BE) a postcode's shape says (``_POSTCODES``)."""
    shape = postcode.str.to_uppercase().str.replace_all(r"[\s.]", "").str.replace_all("[0-9]", "0")
    return pl.coalesce([pl.when(shape.str.contains(p)).then(pl.lit(c)) for p, c in _POSTCODES])


def hint(postcode: pl.Series, phone: pl.Series) -> pl.Series:
    """What each row's postcode says of its country (its shape: ``B-1000``, ``1012 AB``),
    else its phone (its calling code), else its bare postcode (``1000`` → not FR): the
    ladder's lower rungs. Postcodes repeat: read once per distinct one."""
    distinct = postcode.unique()
    said = pl.select(_postcode_says(pl.lit(distinct))).to_series()
    by_postcode = postcode.replace_strict(distinct, said, default=None, return_dtype=pl.String)
    code = phone.str.extract(_CALLING_CODE, 1)
    by_phone = code.replace_strict(_CALLING, default=None, return_dtype=pl.String)
    vague = by_postcode.is_in([NOT_FR, NOT_BE])
    said = pl.select(
        pl.coalesce(
            pl.when(~vague).then(pl.lit(by_postcode)), pl.lit(by_phone), pl.lit(by_postcode)
        )
    )
    return said.to_series().alias("hint")


def standing_for(hint: pl.Series) -> pl.Series:
    """A postcode that says what *hint* says (``identifiers.keyed``: rows whose postcode and
    phone say the same become one distinct row)."""
    return hint.replace_strict(_STANDS_FOR, default=None, return_dtype=pl.String)


def _stages(field: str) -> list[list[pl.Expr]]:
    """The columns :func:`_kind` reads, stage by stage (each reads the one before, so every
    expression stays small): the integer that the value's 8 to 14 digits make divided by
    10**i (one division per digit), its digits, then its checks."""
    v = pl.col(f"_{field}")

    def col(name: str) -> pl.Expr:
        return pl.col(f"_{name}_{field}")

    n = pl.when(v.str.contains(r"^[0-9]{8,14}$")).then(number(v))
    q, d = [col(f"q{i}") for i in range(15)], [col(f"d{i}") for i in range(14)]
    return [
        [(n // 10**i).alias(f"_q{i}_{field}") for i in range(15)],
        [(q[i] - q[i + 1] * 10).alias(f"_d{i}_{field}") for i in range(14)],
        [
            luhn_digits(d[:9]).alias(f"_luhn9_{field}"),
            (97 - q[2] % 97 == q[0] - q[2] * 100).alias(f"_mod97_{field}"),
            siret_digits(q[0], d).alias(f"_siret_{field}"),
            tva_key_int(q[9], q[0] - q[9] * 10**9).alias(f"_tva_{field}"),
        ],
    ]


def _kind(field: str) -> pl.Expr:
    """The kind of ``_{field}``'s compact value by its shape and check digits (module
    table), from its :func:`_stages`."""
    v, n = pl.col(f"_{field}"), pl.col(f"_q0_{field}")
    luhn9, mod97 = pl.col(f"_luhn9_{field}"), pl.col(f"_mod97_{field}")
    length = v.str.len_bytes()
    nine = pl.when(luhn9 & mod97).then(pl.lit("both9")).when(luhn9).then(pl.lit("siren9"))
    ten = pl.when(n < 2 * 10**9).then(pl.lit("be10")).otherwise(pl.lit("unit"))
    return (
        pl.when(v.str.contains(r"^[A-Z]{2}") & v.str.slice(0, 2).is_in(EU))
        .then(pl.lit("vat"))
        .when(n.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(length == 14)
        .then(pl.when(pl.col(f"_siret_{field}")).then(pl.lit("siret")))
        .when(length == 11)
        .then(pl.when(pl.col(f"_tva_{field}") & luhn9).then(pl.lit("frtva")))
        .when(length == 10)
        .then(pl.when(mod97).then(ten))
        .when(length == 9)
        .then(nine.when(mod97).then(pl.lit("be9")))
        .when(length == 8)
        .then(pl.lit("eight"))
    )


def _says(field: str) -> pl.Expr:
    """The country a strong kind says by itself (its prefix, FR, BE)."""
    k = pl.col(f"_kind_{field}")
    return (
        pl.when(k == "vat")
        .then(pl.col(f"_{field}").str.slice(0, 2))
        .when(k.is_in(["siret", "frtva"]))
        .then(pl.lit("FR"))
        .when(k == "be10")
        .then(pl.lit("BE"))
    )


def _evidence(fields: list[str]) -> list[pl.Expr]:
    """``_ev_strong`` (the row's country, else its identifiers' when they agree) and ``_ev``
    (the whole ladder of the module docstring)."""
    said = [_says(f) for f in fields]
    first = pl.coalesce(said)
    agree = pl.all_horizontal([s.is_null() | (s == first) for s in said])
    strong = pl.coalesce(pl.col("country"), pl.when(agree).then(first))
    default, hint = pl.col("default_country"), pl.col("_hint")
    third = pl.when(~default.is_in(["BE", "FR"])).then(default)
    vague = hint.is_in([NOT_FR, NOT_BE])  # a bare 5-digit postcode is German too
    ladder = [strong, pl.when(~vague).then(hint), third, hint]
    return [strong.alias("_ev_strong"), pl.coalesce(ladder).alias("_ev")]


def _fits(country: str, evidence: pl.Expr) -> pl.Expr:
    """*evidence* does not contradict *country*."""
    ok = evidence.is_null() | (evidence == country)
    if country != "FR":
        ok = ok | (evidence == NOT_FR)
    if country != "BE":
        ok = ok | (evidence == NOT_BE)
    return ok


def _destination(field: str) -> pl.Expr:
    """The slot the value of *field* goes to, AMBIGUOUS, or null (it stays where it is)."""
    k = pl.col(f"_kind_{field}")
    strong, ev = pl.col("_ev_strong"), pl.col("_ev")
    be_slot = pl.lit("vat" if field == "vat" else "enterprise_number")
    fr_ok, be_ok = _fits("FR", ev), _fits("BE", ev)
    kept_as_siren = pl.lit("siren" if field == "siren" else AMBIGUOUS)
    kvk_ok = pl.lit(True) if field == "kvk" else ev == "NL"  # 8 digits say little alone
    vat = pl.lit("vat")
    if field == "enterprise_number":  # 'BE 0403.170.701' typed as the enterprise number
        vat = pl.when(pl.col(f"_{field}").str.starts_with("BE")).then(pl.lit(field)).otherwise(vat)
    return (
        pl.when(k == "vat")
        .then(vat)
        .when((k == "siret") & _fits("FR", strong))
        .then(pl.lit("siret"))
        .when((k == "frtva") & _fits("FR", strong))
        .then(pl.lit("vat"))
        .when((k == "be10") & _fits("BE", strong))
        .then(be_slot)
        .when((k == "both9") & fr_ok & be_ok)
        .then(kept_as_siren)
        .when(k.is_in(["siren9", "both9"]) & fr_ok)
        .then(pl.lit("siren"))
        .when(k.is_in(["be9", "both9"]) & be_ok)
        .then(be_slot)
        .when(k == "both9")
        .then(kept_as_siren)
        .when((k == "eight") & kvk_ok)
        .then(pl.lit("kvk"))
    )


def _canonical(field: str) -> pl.Expr:
    """The value as its slot's check reads it: a Belgian number or FR TVA going to ``vat``
    gets its prefix (the row's country no longer picks it)."""
    k, v, to = pl.col(f"_kind_{field}"), pl.col(f"_{field}"), pl.col(f"_to_{field}")
    to_vat = to == "vat"
    return (
        pl.when(to_vat & k.is_in(["be10", "be9", "both9"]))
        .then(pl.lit("BE") + v.str.pad_start(10, "0"))
        .when(to_vat & (k == "frtva"))
        .then(pl.lit("FR") + v)
        .otherwise(v)
    )


def route(frame: pl.LazyFrame, fields: list[str], slots: list[str] | None = None) -> pl.LazyFrame:
    """Each of *fields*' compact value (``_{field}``) classified (``_kind_{field}``) and
    sent to its slot (``_to_{field}``: a slot, AMBIGUOUS, or null when it stays), with the
    row's ``country``, ``default_country`` and ``_hint`` (:func:`hint`) as evidence. Each of
    *slots* (default: *fields*; the registered identifiers, a superset of the columns
    present) becomes what its check reads, ``_{slot}``: its own column's value if it stays,
    else the first routed to it in field order. ``_in_{field}`` keeps what *field* offered."""
    slots = list(slots or fields)
    for stage in zip(*[_stages(f) for f in fields], strict=True):
        frame = frame.with_columns(e for exprs in stage for e in exprs)
    frame = frame.with_columns(_kind(f).alias(f"_kind_{f}") for f in fields)
    frame = frame.with_columns(_evidence(fields))
    frame = frame.with_columns(_destination(f).alias(f"_to_{f}") for f in fields)
    frame = frame.with_columns(_canonical(f).alias(f"_in_{f}") for f in fields)
    to = {f: pl.col(f"_to_{f}") for f in fields}
    own = {f: pl.when(to[f].is_null() | (to[f] == f)).then(pl.col(f"_in_{f}")) for f in fields}
    return frame.with_columns(
        pl.coalesce(
            own.get(slot, pl.col(f"_{slot}")),
            *[pl.when(to[f] == slot).then(pl.col(f"_in_{f}")) for f in fields if f != slot],
        ).alias(f"_{slot}")
        for slot in slots
    )


def moved(field: str) -> pl.Expr:
    """The value of *field* went to another slot."""
    to = pl.col(f"_to_{field}")
    return to.is_not_null() & (to != field) & (to != AMBIGUOUS)


def collisions(field: str) -> pl.Expr:
    """The value of *field* went to a slot that holds another number (a conflict)."""
    to = pl.col(f"_to_{field}")
    slot_value = pl.coalesce([pl.when(to == s).then(pl.col(f"_{s}")) for s in SLOTS])
    return (moved(field) & (slot_value != pl.col(f"_in_{field}"))).fill_null(False)
