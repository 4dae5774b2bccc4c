"""VAT and company numbers: validated with the rules of python-stdnum, with a reason.

Belgian enterprise/VAT numbers (mod 97) and French SIREN/SIRET (Luhn) and TVA keys are
checked vectorised over the whole column — they are most of the rows; every other EU VAT
number (NL, LU, DE …, and French TVA with letter keys) goes through ``stdnum.eu.vat`` once
per distinct value. People's formats are accepted (``BE 0403.170.701``, ``BE403170701``,
``0403170701`` with country BE, ``FR 40 303265045``, ``TVA: FR40303265045``).

Output: the compact VAT with its prefix (``vat``), its formatted form (``vat_formatted``),
the Belgian enterprise number (also derived from a BE VAT), SIREN (also derived from SIRET
and FR TVA), SIRET, KVK, the identifiers' country, and one ``id_status`` for the row —
valid / invalid_checksum / invalid_format / conflict (two valid numbers that disagree) /
missing — with ``id_reason`` naming the field and the problem.

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
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError

from .normalise.text import column, fold_py, join_issues, one_row, tidy

INPUTS = ("vat", "enterprise_number", "siren", "siret", "kvk", "country")
OUTPUTS = (
    "vat",
    "vat_formatted",
    "enterprise_number",
    "siren",
    "siret",
    "kvk",
    "id_country",
    "id_status",
    "id_reason",
)

# Typed instead of a number: treated as missing (and said so).
PLACEHOLDERS = [
    "n a",
    "na",
    "nvt",
    "n v t",
    "0",
    "00",
    "neant",
    "aucun",
    "aucune",
    "none",
    "null",
    "nil",
    "en cours",
    "in aanvraag",
    "pending",
    "x",
    "xx",
    "xxx",
    "non assujetti",
    "niet btw plichtig",
    "geen",
    "keine",
    "nicht vorhanden",
    "inconnu",
    "onbekend",
    "unknown",
    "tbc",
    "tbd",
    "?",
]
_LABEL = r"(?i)^(?:n°\s*)?(?:tva|btw|vat|ust-?id(?:nr)?\.?|mwst|n°|nr|no|num(?:ero)?|ondernemingsnummer|entreprise)\b[\s:.#°-]*"
# VIES uses EL for Greece; people type GR.
_EU = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "XI",
]


_PLACEHOLDER_KEYS = {p.replace(" ", "") for p in PLACEHOLDERS}


def _is_placeholder(value: str) -> bool:
    """'N/A', 'en cours', '-', '0', '0 0' … typed where a number should be (separators do
    not count: what compacts to a placeholder is one)."""
    return fold_py(value).replace(" ", "") in _PLACEHOLDER_KEYS or bool(
        re.fullmatch(r"\s*[-?/.*]+\s*", value)
    )


def compact(expr: pl.Expr) -> pl.Expr:
    """Upper case, labels and separators removed: 'TVA: BE 0403.170.701' → 'BE0403170701'."""
    s = tidy(expr).str.replace(_LABEL, "").str.to_uppercase()
    s = s.str.replace_all(r"\(0\)", "").str.replace_all(r"[\s.\-/,:_'’]", "")
    return pl.when(s == "").then(None).otherwise(s)


def _digit(s: pl.Expr, i: int) -> pl.Expr:
    return s.str.slice(i, 1).cast(pl.Int32, strict=False)


def luhn_ok(s: pl.Expr, length: int) -> pl.Expr:
    """Luhn check of a string of exactly *length* digits (vectorised)."""
    total = pl.lit(0, dtype=pl.Int32)
    for i in range(length):
        d = _digit(s, length - 1 - i)
        total = total + (pl.when(d * 2 > 9).then(d * 2 - 9).otherwise(d * 2) if i % 2 else d)
    return (total % 10) == 0


def mod97_ok(s: pl.Expr) -> pl.Expr:
    """Belgian enterprise number check on 10 digits: 97 - first8 % 97 == last2."""
    return (97 - s.str.slice(0, 8).cast(pl.Int64, strict=False) % 97) == s.str.slice(8, 2).cast(
        pl.Int64, strict=False
    )


def _check_be(frame: pl.DataFrame, src: str, out: str) -> pl.DataFrame:
    """Add ``{out}n`` (10 digits), ``{out}s`` (status), ``{out}r`` (reason) for a Belgian
    enterprise number without prefix in column *src*. Staged so each step reads columns."""
    n, st = f"{out}n", f"{out}s"
    frame = frame.with_columns(
        pl.when(pl.col(src).str.contains(r"^[0-9]{9}$"))
        .then(pl.lit("0") + pl.col(src))
        .otherwise(pl.col(src))
        .alias(n)
    )
    frame = frame.with_columns(
        pl.col(n).str.contains(r"^[0-9]{10}$").alias("_ten"), pl.col(n).str.slice(0, 1).alias("_d0")
    )
    frame = frame.with_columns(
        pl.when(~pl.col("_ten") | ~pl.col("_d0").is_in(["0", "1"]))
        .then(pl.lit("invalid_format"))
        .when(mod97_ok(pl.col(n)))
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias(st)
    )
    return frame.with_columns(
        pl.when(pl.col(st) == "valid")
        .then(None)
        .when(~pl.col(n).str.contains(r"^[0-9]+$"))
        .then(pl.lit("not only digits"))
        .when(~pl.col("_ten"))
        .then(pl.lit("invalid length"))
        .when(pl.col("_d0") != "9")
        .then(
            pl.when(pl.col("_d0").is_in(["0", "1"]))
            .then(pl.lit("invalid checksum"))
            .otherwise(pl.lit("an establishment unit number, not an enterprise number"))
        )
        .otherwise(pl.lit("invalid first digit"))
        .alias(f"{out}r")
    ).drop("_ten", "_d0")


def _check_luhn(frame: pl.DataFrame, src: str, out: str, length: int) -> pl.DataFrame:
    """Add ``{out}s`` and ``{out}r`` for a SIREN (9) or SIRET (14) in column *src*."""
    s = pl.col(src)
    shaped = s.str.contains(rf"^[0-9]{{{length}}}$")
    if length == 14:
        # La Poste: establishments of SIREN 356000000 use digit sum % 5 (except its head office)
        digit_sum = pl.sum_horizontal([_digit(s, i) for i in range(14)])
        la_poste = s.str.starts_with("356000000") & (s != "35600000000048")
        ok = (
            pl.when(la_poste)
            .then(digit_sum % 5 == 0)
            .otherwise(luhn_ok(s, 14) & luhn_ok(s.str.slice(0, 9), 9))
        )
    else:
        ok = luhn_ok(s, length)
    frame = frame.with_columns(shaped.alias("_shaped"))
    frame = frame.with_columns(
        pl.when(~pl.col("_shaped"))
        .then(pl.lit("invalid_format"))
        .when(ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias(f"{out}s")
    )
    return frame.with_columns(
        pl.when(pl.col(f"{out}s") == "invalid_checksum")
        .then(pl.lit("invalid checksum"))
        .when(pl.col(f"{out}s") == "invalid_format")
        .then(
            pl.when(~s.str.contains(r"^[0-9]+$"))
            .then(pl.lit("not only digits"))
            .otherwise(pl.lit(f"invalid length (needs {length} digits)"))
        )
        .alias(f"{out}r")
    ).drop("_shaped")


def _stdnum(values: list[str]) -> dict[str, tuple[str | None, str, str | None, str | None]]:
    """stdnum.eu.vat per distinct value: (compact, status, reason, formatted)."""
    from stdnum.util import get_cc_module

    out = {}
    for v in values:
        try:
            c = eu_vat.validate(v)
        except InvalidChecksum:
            out[v] = (v, "invalid_checksum", "invalid checksum", None)
            continue
        except ValidationError as exc:
            out[v] = (v, "invalid_format", str(exc).lower().rstrip(".") or "invalid format", None)
            continue
        cc = c[:2]
        module = get_cc_module("gr" if cc == "EL" else cc.lower(), "vat")
        try:
            formatted = module.format(c) if hasattr(module, "format") else c
        except Exception:  # a module's format() may be stricter than its validate()
            formatted = c
        if not formatted.upper().startswith(cc):
            formatted = f"{cc}{formatted}"
        out[v] = (c, "valid", None, formatted)
    return out


def clean(df: pl.DataFrame) -> pl.DataFrame:
    """OUTPUTS and ``issues`` (placeholders noted)."""
    frame = pl.DataFrame(
        {k: column(df, k) for k in INPUTS}
    ).lazy()  # lazy: shared sub-expressions run once
    # a value with a digit 1-9 is never a placeholder; the few others are checked in Python
    no_digit = pl.concat(
        [df_k.filter(~df_k.str.contains("[1-9]")) for df_k in (column(df, k) for k in INPUTS[:5])]
    )
    found = [v for v in no_digit.unique().to_list() if v is not None and _is_placeholder(v)]
    placeholder = {k: pl.col(k).is_in(found) for k in INPUTS[:5]}
    frame = frame.with_columns(
        *[
            pl.when(placeholder[k]).then(None).otherwise(compact(pl.col(k))).alias(f"_{k}")
            for k in INPUTS[:5]
        ],
        *[placeholder[k].fill_null(False).alias(f"_ph_{k}") for k in INPUTS[:5]],
    )
    # --- VAT: prefix, then BE/FR vectorised, everything else through stdnum
    vat = pl.col("_vat")
    has_prefix = vat.str.contains(r"^[A-Z]{2}")
    prefix = (
        pl.when(has_prefix)
        .then(vat.str.slice(0, 2))
        .when(pl.col("country").is_in(_EU + ["GR"]))
        .then(pl.col("country"))
        .when(vat.str.contains(r"^[01][0-9]{9}$"))
        .then(pl.lit("BE"))
    ).replace({"GR": "EL"})
    number = pl.when(has_prefix).then(vat.str.slice(2)).otherwise(vat)
    frame = frame.with_columns(prefix.alias("_vp"), number.alias("_vn"))
    frame = _check_be(frame, "_vn", "_be")
    frame = frame.with_columns(
        pl.col("_vn").str.slice(0, 2).alias("_frkey"),
        pl.col("_vn").str.slice(2).alias("_frsiren"),
        (pl.col("_vp") == "BE").alias("_isbe"),
        ((pl.col("_vp") == "FR") & pl.col("_vn").str.contains(r"^[0-9]{11}$")).alias("_isfr"),
    )
    frame = _check_luhn(frame, "_frsiren", "_frsiren", 9)
    key_ok = (12 + 3 * (pl.col("_frsiren").cast(pl.Int64, strict=False) % 97)) % 97 == pl.col(
        "_frkey"
    ).cast(pl.Int64, strict=False)
    frame = frame.with_columns(
        pl.when(pl.col("_frsirens") != "valid")
        .then(pl.col("_frsirens"))
        .when(key_ok)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid_checksum"))
        .alias("_frs")
    )
    be_ok = pl.col("_isbe") & (pl.col("_bes") == "valid")
    fr_ok = pl.col("_isfr") & (pl.col("_frs") == "valid")
    be_n, fr_siren = pl.col("_ben"), pl.col("_frsiren")
    frame = frame.with_columns(
        pl.when("_isbe")
        .then(pl.lit("BE") + be_n)
        .when("_isfr")
        .then(pl.lit("FR") + pl.col("_vn"))
        .alias("_vc"),
        pl.when("_isbe").then(pl.col("_bes")).when("_isfr").then(pl.col("_frs")).alias("_vs"),
        pl.when("_isbe")
        .then(pl.col("_ber"))
        .when(pl.col("_isfr") & (pl.col("_frs") == "invalid_checksum"))
        .then(pl.lit("invalid checksum"))
        .alias("_vr"),
        pl.when(be_ok)
        .then(
            pl.lit("BE ")
            + be_n.str.slice(0, 4)
            + "."
            + be_n.str.slice(4, 3)
            + "."
            + be_n.str.slice(7, 3)
        )
        .when(fr_ok)
        .then(
            pl.lit("FR ")
            + pl.col("_frkey")
            + " "
            + fr_siren.str.slice(0, 3)
            + " "
            + fr_siren.str.slice(3, 3)
            + " "
            + fr_siren.str.slice(6, 3)
        )
        .alias("_vf"),
        pl.when(fr_ok).then(fr_siren).alias("_v_siren"),
        pl.when(be_ok).then(be_n).alias("_v_ent"),
    )
    frame = frame.collect()
    other = frame.filter(
        pl.col("_vat").is_not_null() & pl.col("_vs").is_null() & pl.col("_vp").is_not_null()
    )
    todo = other.select((pl.col("_vp") + pl.col("_vn")).alias("v"))["v"].unique().to_list()
    checked = _stdnum(todo)
    lookup = pl.DataFrame(
        [(k, *v) for k, v in checked.items()],
        schema={
            "_full": pl.String,
            "_xc": pl.String,
            "_xs": pl.String,
            "_xr": pl.String,
            "_xf": pl.String,
        },
        orient="row",
    )
    frame = (
        frame.with_columns((pl.col("_vp") + pl.col("_vn")).alias("_full"))
        .join(lookup, on="_full", how="left", maintain_order="left")
        .lazy()
    )
    no_country = pl.col("_vat").is_not_null() & pl.col("_vp").is_null()
    frame = frame.with_columns(
        pl.coalesce("_vc", "_xc", "_vat").alias("_vc"),
        pl.when(no_country)
        .then(pl.lit("invalid_format"))
        .otherwise(pl.coalesce("_vs", "_xs"))
        .alias("_vs"),
        pl.when(no_country)
        .then(pl.lit("no country prefix and no country for the row"))
        .otherwise(pl.coalesce("_vr", "_xr"))
        .alias("_vr"),
        pl.coalesce("_vf", "_xf").alias("_vf"),
    )
    # --- Belgian enterprise number, SIREN, SIRET, KVK columns
    frame = frame.with_columns(pl.col("_enterprise_number").str.replace(r"^BE", "").alias("_ent"))
    frame = _check_be(frame, "_ent", "_e")
    frame = _check_luhn(frame, "_siren", "_s", 9)
    frame = _check_luhn(frame, "_siret", "_t", 14)
    k_ok = pl.col("_kvk").str.contains(r"^[0-9]{8}$")
    frame = frame.with_columns(
        pl.when(k_ok).then(pl.lit("valid")).otherwise(pl.lit("invalid_format")).alias("_ks"),
        pl.when(~k_ok).then(pl.lit("invalid format (needs 8 digits)")).alias("_kr"),
    )
    ids = {  # field → (value, status, reason) columns
        "vat": ("_vc", "_vs", "_vr"),
        "enterprise_number": ("_en", "_es", "_er"),
        "siren": ("_siren", "_ss", "_sr"),
        "siret": ("_siret", "_ts", "_tr"),
        "kvk": ("_kvk", "_ks", "_kr"),
    }
    valid = {f: pl.col(v).is_not_null() & (pl.col(s) == "valid") for f, (v, s, _) in ids.items()}
    enterprise = pl.coalesce(
        pl.when(valid["enterprise_number"]).then(pl.col("_en")), pl.col("_v_ent")
    )
    siren = pl.coalesce(
        pl.when(valid["siren"]).then(pl.col("_siren")),
        pl.when(valid["siret"]).then(pl.col("_siret").str.slice(0, 9)),
        pl.col("_v_siren"),
    )
    sirens = [
        pl.when(valid["siren"]).then(pl.col("_siren")),
        pl.when(valid["siret"]).then(pl.col("_siret").str.slice(0, 9)),
        pl.col("_v_siren"),
    ]
    fr_conflict = pl.concat_list(sirens).list.drop_nulls().list.n_unique() > 1
    be_conflict = (
        valid["enterprise_number"]
        & pl.col("_v_ent").is_not_null()
        & (pl.col("_en") != pl.col("_v_ent"))
    )
    conflict = fr_conflict.fill_null(False) | be_conflict.fill_null(False)
    # "4,03171E+11": a spreadsheet turned the number into a float; its digits are gone
    mangled = {
        f: pl.col(f).str.contains(r"(?i)^\s*[0-9]+(?:[.,][0-9]+)?E\+?[0-9]+\s*$").fill_null(False)
        for f in ids
    }
    problems = [
        pl.when(pl.col(v).is_not_null() & (pl.col(s) != "valid")).then(
            pl.lit(f"{f}: ")
            + pl.when(mangled[f])
            .then(
                pl.lit("turned into a number in scientific notation by a spreadsheet (digits lost)")
            )
            .otherwise(pl.col(r))
        )
        for f, (v, s, r) in ids.items()
    ]
    first_bad = pl.coalesce(
        [
            pl.when(pl.col(v).is_not_null() & (pl.col(s) != "valid")).then(
                pl.when(mangled[f]).then(pl.lit("invalid_format")).otherwise(pl.col(s))
            )
            for f, (v, s, _) in ids.items()
        ]
    )
    any_value = pl.any_horizontal([pl.col(v).is_not_null() for v, _, _ in ids.values()])
    status = (
        pl.when(first_bad.is_not_null())
        .then(first_bad)
        .when(conflict)
        .then(pl.lit("conflict"))
        .when(any_value)
        .then(pl.lit("valid"))
        .otherwise(pl.lit("missing"))
    )
    conflict_reason = (
        pl.when(be_conflict.fill_null(False))
        .then(pl.lit("conflict: the BE VAT and the enterprise number differ"))
        .when(fr_conflict.fill_null(False))
        .then(pl.lit("conflict: SIREN, SIRET and FR TVA name different companies"))
    )
    id_country = (
        pl.when(valid["vat"])
        .then(pl.col("_vc").str.slice(0, 2))
        .when(enterprise.is_not_null())
        .then(pl.lit("BE"))
        .when(siren.is_not_null())
        .then(pl.lit("FR"))
        .when(valid["kvk"])
        .then(pl.lit("NL"))
    )
    return frame.select(
        pl.col("_vc").alias("vat"),
        pl.col("_vf").alias("vat_formatted"),
        enterprise.alias("enterprise_number"),
        siren.alias("siren"),
        pl.col("_siret").alias("siret"),
        pl.col("_kvk").alias("kvk"),
        id_country.alias("id_country"),
        status.alias("id_status"),
        join_issues(*problems, conflict_reason).alias("id_reason"),
        join_issues(
            *[
                pl.when(pl.col(f"_ph_{k}")).then(pl.lit(f"{k}: placeholder treated as missing"))
                for k in INPUTS[:5]
            ]
        ).alias("issues"),
    ).collect()


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
