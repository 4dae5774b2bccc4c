"""Email addresses: trimmed, lower-cased, syntax-checked with a reason, role and free-mail flags.

The common ASCII case is checked with vectorised rules (RFC 5321/5322 dot-atom, lengths,
domain labels); internationalised addresses go to ``email-validator``, once per distinct
value. A cell with several addresses keeps the first as ``email`` and the others in
``email_other``. Role addresses (info@, accueil@, boekhouding@ … from ``rules/emails.toml``)
are legal-person coordinates, flagged in ``email_role``; free-mail domains in
``email_freemail``. Nothing is "corrected": a typo stays visible, with its reason.

>>> r = clean_one(email="  Jean.Dupont@Example.BE ")
>>> r["email"], r["email_status"], r["email_role"], r["email_freemail"]
('jean.dupont@example.be', 'valid', False, False)
>>> clean_one(email="jean.dupont@")["email_reason"]
'empty domain'
>>> clean_one(email="Info <INFO@dupont.be>; jean@skynet.be")["email_other"]
'jean@skynet.be'
>>> clean_one(email="info@dupont.be")["email_role"], clean_one(email="x@gmail.com")["email_freemail"]
(True, True)
>>> clean_one(email="andré@café.fr")["email_status"]
'valid'
"""

from __future__ import annotations

import polars as pl

from ..ruleset import Rules, rules_or_default
from .text import column, join_issues, one_row, tidy

INPUTS = ("email",)
OUTPUTS = ("email", "email_status", "email_reason", "email_role", "email_freemail", "email_other")

_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~\-]"
_LOCAL = rf"^{_ATEXT}+(\.{_ATEXT}+)*$"
_LABEL = r"[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?"
_DOMAIN = rf"^({_LABEL}\.)+[a-z]([a-z0-9\-]*[a-z0-9])?$"
# the whole address at once; with the two length limits, a match needs no reason
_VALID = rf"^{_ATEXT}+(\.{_ATEXT}+)*@({_LABEL}\.)+[a-z]([a-z0-9\-]*[a-z0-9])?$"


def role_and_freemail(rules: Rules | None = None) -> tuple[list[str], list[str]]:
    """(role local parts, free-mail domains) from rules/emails.toml."""
    return rules_or_default(rules).derived(_role_and_freemail)


def _role_and_freemail(rules: Rules) -> tuple[list[str], list[str]]:
    data = rules.get("emails")
    role = sorted({x.lower() for x in data["role"]["local_parts"]})
    free = sorted({x.lower() for x in data["freemail"]["domains"]})
    return role, free


def _reason(addr: pl.Expr) -> pl.Expr:
    """Why an ASCII address is invalid (null when it is valid)."""
    local = addr.str.extract(r"^(.*)@[^@]*$", 1)
    domain = addr.str.extract(r"@([^@]*)$", 1)
    tld = domain.str.extract(r"\.([^.]*)$", 1)
    return (
        pl.when(~addr.str.contains("@"))
        .then(pl.lit("no @"))
        .when(addr.str.count_matches("@") > 1)
        .then(pl.lit("more than one @"))
        .when(local == "")
        .then(pl.lit("empty local part"))
        .when(domain == "")
        .then(pl.lit("empty domain"))
        .when(addr.str.contains(r"\s"))
        .then(pl.lit("contains a space"))
        .when(local.str.len_bytes() > 64)
        .then(pl.lit("local part longer than 64 characters"))
        .when(addr.str.len_bytes() > 254)
        .then(pl.lit("longer than 254 characters"))
        .when(local.str.contains(r"^\.|\.$|\.\."))
        .then(pl.lit("misplaced dot in local part"))
        .when(~local.str.contains(_LOCAL))
        .then(pl.lit("invalid character in local part"))
        .when(~domain.str.contains(r"\."))
        .then(pl.lit("domain has no dot"))
        .when(domain.str.contains(r"^\.|\.$|\.\."))
        .then(pl.lit("misplaced dot in domain"))
        .when(tld.str.contains(r"^\d+$"))
        .then(pl.lit("numeric top-level domain"))
        .when(~domain.str.contains(_DOMAIN))
        .then(pl.lit("invalid domain"))
        .otherwise(None)
    )


def _idn_reason(values: list[str]) -> dict[str, str | None]:
    """email-validator's verdict for non-ASCII addresses (one call per distinct value)."""
    from email_validator import EmailNotValidError, validate_email

    out: dict[str, str | None] = {}
    for v in values:
        try:
            validate_email(v, check_deliverability=False, allow_smtputf8=True)
            out[v] = None
        except EmailNotValidError as exc:
            out[v] = str(exc).split(".")[0].lower()[:80] or "invalid"
    return out


def clean(df: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """OUTPUTS and ``issues``."""
    role, free = role_and_freemail(rules)
    frame = _first_address(_unpacked(df))
    frame = _invalid_reason(frame)
    local = pl.col("email").str.extract(r"^([^@+]*)", 1)
    domain = pl.col("email").str.extract(r"@([^@]*)$", 1)
    status = (
        pl.when(pl.col("email").is_null())
        .then(pl.lit("missing"))
        .when(pl.col("_r").is_null())
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
    )
    return (
        frame.lazy()
        .select(
            "email",
            status.alias("email_status"),
            pl.col("_r").alias("email_reason"),
            (local.is_in(role) & pl.col("email").is_not_null()).alias("email_role"),
            (domain.is_in(free) & pl.col("email").is_not_null()).alias("email_freemail"),
            "email_other",
            join_issues(
                pl.when(pl.col("_r").is_not_null()).then(pl.lit("email: ") + pl.col("_r"))
            ).alias("issues"),
        )
        .collect()
    )


def _unpacked(df: pl.DataFrame) -> pl.DataFrame:
    """``raw``, ``_i`` (row index), ``_u`` the cell without its packaging ("Name <addr>",
    "mailto:addr", quotes and trailing punctuation are not address) and ``email`` that cell
    taken as one address."""
    raw = tidy(pl.col("raw")).str.to_lowercase()
    unpacked = (
        raw.str.replace_all(r"mailto:", "")
        .str.replace_all(r"[^<;,]*<([^>]*)>", " $1 ")
        .str.replace_all(r"[\"'<>()\[\]]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    frame = pl.DataFrame({"raw": column(df, "email")}).with_columns(unpacked.alias("_u"))
    return frame.with_row_index("_i").with_columns(
        pl.col("_u").str.strip_chars(" .;,").replace("", None).alias("email")
    )


def _first_address(frame: pl.DataFrame) -> pl.DataFrame:
    """``email`` the first address of a cell that holds several, ``email_other`` the others
    (``;``-separated)."""
    # a cell with separators may hold several addresses: split only those rows
    multi = frame.filter(pl.col("_u").str.contains(r"[;,\s]")).lazy()
    multi = multi.with_columns(
        pl.col("_u")
        .str.replace_all(r"[;,\s]+", " ")
        .str.strip_chars(" .")
        .str.split(" ")
        .list.eval(pl.element().str.strip_chars("."))
        .list.filter(pl.element() != "")
        .alias("_parts")
    ).with_columns(pl.col("_parts").list.filter(pl.element().str.contains("@")).alias("_addrs"))
    # several tokens but only one with an @: a broken single address ("jean dupont@x.be")
    several = pl.col("_addrs").list.len() > 1
    multi = multi.select(
        "_i",
        pl.when(several)
        .then(pl.col("_addrs").list.first())
        .otherwise(pl.col("email"))
        .alias("_email"),
        pl.when(several).then(pl.col("_addrs").list.slice(1).list.join(";")).alias("email_other"),
    ).collect()
    return frame.join(multi, on="_i", how="left", maintain_order="left").with_columns(
        pl.coalesce("_email", "email").alias("email")
    )


def _invalid_reason(frame: pl.DataFrame) -> pl.DataFrame:
    """``_r``: why ``email`` is invalid (null when valid), from the vectorised rules for
    ASCII addresses, from email-validator for the others."""
    ascii_ = pl.col("email").str.contains(r"^[\x00-\x7f]*$")
    # the detailed reason only for addresses that fail the one-regex check (a few percent)
    valid_ascii = (
        pl.col("email").str.contains(_VALID)
        & (pl.col("email").str.len_bytes() <= 254)
        & (pl.col("email").str.find("@") <= 64)
    )
    frame = frame.with_columns(valid_ascii.fill_null(True).alias("_ok"))
    bad = (
        frame.filter(~pl.col("_ok"))
        .lazy()
        .select("_i", _reason(pl.col("email")).alias("_r"))
        .collect()
    )
    frame = frame.join(bad, on="_i", how="left", maintain_order="left")
    idn = frame.filter(~ascii_ & pl.col("email").is_not_null())["email"].unique().to_list()
    if idn:
        verdicts = _idn_reason(idn)
        lookup = pl.DataFrame(
            {"email": list(verdicts), "_idn": list(verdicts.values())},
            schema={"email": pl.String, "_idn": pl.String},
        )
        frame = frame.join(lookup, on="email", how="left", maintain_order="left")
        frame = frame.with_columns(
            pl.when(~ascii_).then(pl.col("_idn")).otherwise(pl.col("_r")).alias("_r")
        )
    return frame


def clean_one(**values: str | None) -> dict:
    return clean(one_row(INPUTS, values)).row(0, named=True)
