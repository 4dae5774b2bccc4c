"""Phone numbers → E.164, with status, reason and type (mobile, fixed_line …).

National numbers are read with the row's country (else the default country). The rules
are libphonenumber's own (the ``phonenumbers`` package's metadata): its per-country number
patterns run as vectorised regexes over all rows, and ``phonenumbers`` itself is called only
for the few odd values (letters, extensions) and to explain why a number is invalid —
once per distinct value.

>>> r = clean_one(phone="02/512.34.56", country="BE")
>>> r["phone"], r["phone_status"], r["phone_type"]
('+3225123456', 'valid', 'fixed_line')
>>> clean_one(phone="0475 12 34 56", country="BE")["phone_type"]
'mobile'
>>> clean_one(phone="+33 (0)1 23 45 67 89", country="BE")["phone"]
'+33123456789'
>>> clean_one(phone="0033 6 12 34 56 78", country=None)["phone"]
'+33612345678'
>>> r = clean_one(phone="12345", country="FR")
>>> r["phone_status"], r["phone_reason"]
('invalid', 'too short')
>>> clean_one(phone="02 512 34 56", country=None)["phone_reason"]
'national number without a country'
"""

from __future__ import annotations

from functools import cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneNumberType as T

from .text import column, join_issues, one_row, tidy

INPUTS = ("phone", "country")
OUTPUTS = ("phone", "phone_status", "phone_reason", "phone_type")

# libphonenumber's number types, in the order a number is tried against them
_TYPES = (
    "mobile",
    "fixed_line",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
_TYPE_NAMES = {
    T.MOBILE: "mobile",
    T.FIXED_LINE: "fixed_line",
    T.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    T.TOLL_FREE: "toll_free",
    T.PREMIUM_RATE: "premium_rate",
    T.SHARED_COST: "shared_cost",
    T.VOIP: "voip",
    T.PERSONAL_NUMBER: "personal_number",
    T.PAGER: "pager",
    T.UAN: "uan",
    T.VOICEMAIL: "voicemail",
}
_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    phonenumbers.ValidationResult.INVALID_LENGTH: "invalid length",
}


@cache
def _patterns(cc: int) -> list[tuple[str, str]]:
    """[(type, anchored regex)] for calling code *cc*, from libphonenumber's metadata."""
    out = []
    for region in phonenumbers.region_codes_for_country_code(cc):
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if meta is None:
            continue
        for name in _TYPES:
            desc = getattr(meta, name)
            if desc is not None and desc.national_number_pattern:
                out.append((name, f"^(?:{desc.national_number_pattern})$"))
    return out


@cache
def _national_prefix(region: str) -> str | None:
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return meta.national_prefix if meta is not None else None


def _calling_codes() -> list[int]:
    return sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def _slow(raw: str, region: str | None) -> tuple[str | None, str, str | None, str | None]:
    """(e164, status, reason, type) with phonenumbers itself."""
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        reason = {
            phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
                "national number without a country"
                if region is None
                else "unknown country calling code"
            ),
            phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
            phonenumbers.NumberParseException.TOO_LONG: "too long",
        }.get(exc.error_type, "not a phone number")
        return None, "invalid", reason, None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(num):
        return e164, "valid", None, _TYPE_NAMES.get(phonenumbers.number_type(num))
    reason = _REASONS.get(phonenumbers.is_possible_number_with_reason(num), "not a number in use")
    return e164, "invalid", reason, None


def clean(df: pl.DataFrame, prefix: str = "phone") -> pl.DataFrame:
    """OUTPUTS (named after *prefix*: ``phone`` or ``mobile``) and ``issues``."""
    frame = _calling_code_and_number(df, prefix)
    frame = _type_by_pattern(frame)
    frame = _plain_verdict(frame)
    frame = _odd_values_verdict(frame)
    return _outputs(frame, prefix).collect()


# a plain number whose national number fits one of its calling code's patterns
_FAST_OK = pl.col("_simple") & pl.col("_type").is_not_null()


def _calling_code_and_number(df: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """``raw`` (tidied), ``cc_region``; ``_simple`` (digits and separators only), ``_intl``,
    ``_cc`` the calling code (from the number, else from the row's country) and ``_nsn`` the
    national number without its trunk prefix."""
    frame = pl.DataFrame({"raw": column(df, prefix), "cc_region": column(df, "country")}).lazy()
    frame = frame.with_columns(tidy(pl.col("raw")).alias("raw"))
    simple = pl.col("raw").str.contains(r"^\+?[0-9\s().\-/]+$")
    compact = pl.col("raw").str.replace_all(r"\(0\)", "").str.replace_all(r"[^0-9+]", "")
    frame = frame.with_columns(compact.alias("_c"), simple.alias("_simple"))
    intl = pl.col("_c").str.starts_with("+") | pl.col("_c").str.starts_with("00")
    digits = pl.col("_c").str.replace_all(r"^(\+|00)", "").str.replace_all(r"[^0-9]", "")
    # the calling code: codes are prefix-free, so at most one of 1, 2 or 3 leading digits fits
    codes = [str(c) for c in _calling_codes()]
    cc_intl = (
        pl.when(digits.str.slice(0, 1).is_in(codes))
        .then(digits.str.slice(0, 1))
        .when(digits.str.slice(0, 2).is_in(codes))
        .then(digits.str.slice(0, 2))
        .when(digits.str.slice(0, 3).is_in(codes))
        .then(digits.str.slice(0, 3))
    )
    regions = column(df, "country").drop_nulls().unique().to_list()
    region_cc = {r: phonenumbers.country_code_for_region(r) for r in regions}
    region_np = {r: _national_prefix(r) or "" for r in regions}
    frame = frame.with_columns(
        intl.alias("_intl"),
        digits.alias("_d"),
        cc_intl.alias("_cci"),
        pl.col("cc_region")
        .replace_strict(region_cc, default=None, return_dtype=pl.Int64)
        .alias("_ccr"),
        pl.col("cc_region")
        .replace_strict(region_np, default="", return_dtype=pl.String)
        .alias("_np"),
    )
    nat = pl.col("_d")
    nat = (
        pl.when((pl.col("_np") != "") & nat.str.starts_with(pl.col("_np")))
        .then(nat.str.slice(pl.col("_np").str.len_chars()))
        .otherwise(nat)
    )
    return frame.with_columns(
        pl.when(pl.col("_intl"))
        .then(pl.col("_cci").cast(pl.Int64))
        .otherwise(pl.col("_ccr"))
        .alias("_cc"),
        pl.when(pl.col("_intl"))
        .then(pl.col("_d").str.slice(pl.col("_cci").str.len_chars()))
        .otherwise(nat)
        .alias("_nsn"),
    ).collect()


def _type_by_pattern(frame: pl.DataFrame) -> pl.DataFrame:
    """``_i`` (row index) and ``_type``: the vectorised verdict per calling code present in
    the data, each on its own rows (null: no pattern fits)."""
    frame = frame.with_row_index("_i")
    candidates = frame.filter(pl.col("_simple") & pl.col("_cc").is_not_null()).select(
        "_i", "_cc", "_nsn"
    )
    pieces = [pl.DataFrame(schema={"_i": pl.UInt32, "_type": pl.String})]
    for cc in candidates["_cc"].unique().sort().to_list():
        expr = pl.lit(None, dtype=pl.String)
        for name, pattern in reversed(_patterns(int(cc))):
            expr = pl.when(pl.col("_nsn").str.contains(pattern)).then(pl.lit(name)).otherwise(expr)
        rows = candidates.filter(pl.col("_cc") == cc)
        pieces.append(rows.select("_i", expr.alias("_type")))
    return frame.join(pl.concat(pieces), on="_i", how="left", maintain_order="left")


def _plain_verdict(frame: pl.DataFrame) -> pl.DataFrame:
    """``_e164`` of the plain numbers that fit, ``_pr`` why the other plain ones are invalid
    (from the numbering plan's possible lengths)."""
    ccs = frame["_cc"].drop_nulls().unique().to_list()
    lengths = pl.DataFrame(
        [(cc, *_length_range(int(cc))) for cc in ccs],
        schema={"_cc": pl.Int64, "_min": pl.Int64, "_max": pl.Int64},
        orient="row",
    )
    frame = frame.join(lengths, on="_cc", how="left", maintain_order="left").lazy()
    n = pl.col("_nsn").str.len_chars()
    plain_reason = (
        pl.when(pl.col("_cc").is_null() & pl.col("_intl"))
        .then(pl.lit("unknown country calling code"))
        .when(pl.col("_cc").is_null())
        .then(pl.lit("national number without a country"))
        .when(n < pl.col("_min"))
        .then(pl.lit("too short"))
        .when(n > pl.col("_max"))
        .then(pl.lit("too long"))
        .otherwise(pl.lit("not a number in use"))
    )
    return frame.with_columns(
        pl.when(_FAST_OK)
        .then(pl.lit("+") + pl.col("_cc").cast(pl.String) + pl.col("_nsn"))
        .alias("_e164"),
        pl.when(pl.col("_simple") & ~_FAST_OK).then(plain_reason).alias("_pr"),
    ).collect()


def _odd_values_verdict(frame: pl.DataFrame) -> pl.LazyFrame:
    """``_se``, ``_ss``, ``_sr``, ``_st`` (e164, status, reason, type) of the rest (letters,
    extensions, odd formats): phonenumbers once per distinct (value, region)."""
    todo = (
        frame.filter(~pl.col("_simple") & pl.col("raw").is_not_null())
        .select("raw", "cc_region")
        .unique()
    )
    slow = [(raw, reg, *_slow(raw, reg)) for raw, reg in todo.iter_rows()]
    lookup = pl.DataFrame(
        slow,
        schema={
            "raw": pl.String,
            "cc_region": pl.String,
            "_se": pl.String,
            "_ss": pl.String,
            "_sr": pl.String,
            "_st": pl.String,
        },
        orient="row",
    )
    return frame.join(
        lookup, on=["raw", "cc_region"], how="left", nulls_equal=True, maintain_order="left"
    ).lazy()


def _outputs(frame: pl.LazyFrame, prefix: str) -> pl.LazyFrame:
    value = pl.when(_FAST_OK).then(pl.col("_e164")).otherwise(pl.coalesce("_se", "raw"))
    status = (
        pl.when(pl.col("raw").is_null())
        .then(pl.lit("missing"))
        .when(_FAST_OK)
        .then(pl.lit("valid"))
        .when(pl.col("_simple"))
        .then(pl.lit("invalid"))
        .otherwise(pl.col("_ss"))
    )
    reason = pl.when(_FAST_OK).then(None).otherwise(pl.coalesce("_pr", "_sr"))
    kind = pl.when(_FAST_OK).then(pl.col("_type")).otherwise(pl.col("_st"))
    return frame.select(
        value.alias(prefix),
        status.alias(f"{prefix}_status"),
        reason.alias(f"{prefix}_reason"),
        kind.alias(f"{prefix}_type"),
        join_issues(pl.when(reason.is_not_null()).then(pl.lit(f"{prefix}: ") + reason)).alias(
            "issues"
        ),
    )


@cache
def _length_range(cc: int) -> tuple[int, int]:
    """Shortest and longest national number of calling code *cc* (all its regions)."""
    found = [
        n
        for region in phonenumbers.region_codes_for_country_code(cc)
        if (meta := phonenumbers.PhoneMetadata.metadata_for_region(region)) is not None
        for n in meta.general_desc.possible_length
    ]
    return (min(found), max(found)) if found else (1, 17)


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
