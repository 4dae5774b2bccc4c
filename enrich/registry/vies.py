"""VIES, the EU's VAT number check (REGISTRIES.md §4): is a VAT number valid, and the name
and address a member state publishes with it. Its transient codes (``MS_UNAVAILABLE``,
``TIMEOUT`` …) are "unknown", and are not cached.
"""

from __future__ import annotations

import re

import polars as pl

from .http import Client, ask_each

VIES = "https://ec.europa.eu/taxation_customs/vies/rest-api"
CODE = re.compile(r"[A-Z][A-Z_]{1,60}")  # how VIES writes its error codes
TRANSIENT = {
    "SERVICE_UNAVAILABLE",
    "MS_UNAVAILABLE",
    "TIMEOUT",
    "GLOBAL_MAX_CONCURRENT_REQ",
    "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "MS_MAX_CONCURRENT_REQ",
    "MS_MAX_CONCURRENT_REQ_TIME",
}


def _text(value) -> str | None:
    """VIES writes '---' where a member state withholds a value (anything but text: none)."""
    return str(value) if isinstance(value, str) and value not in ("", "---") else None


def _vies_problem(data: dict) -> str | None:
    """Why a VIES answer is not a definitive valid / invalid (its error code), or None. A
    code is a documented word (``MS_UNAVAILABLE``); anything else is "malformed answer".

    >>> _vies_problem({"isValid": True, "userError": "VALID"}) is None
    True
    >>> _vies_problem({"errorWrappers": [{"error": "MS_UNAVAILABLE"}]})
    'MS_UNAVAILABLE'
    >>> _vies_problem({"errorWrappers": 3}), _vies_problem({"isValid": "yes"})
    ('malformed answer', 'malformed answer')
    """
    wrappers = data.get("errorWrappers") or []
    if not isinstance(wrappers, list):
        return "malformed answer"
    errors = [w.get("error") for w in wrappers if isinstance(w, dict)]
    user_error = data.get("userError")
    if (
        errors
        or (user_error and user_error not in ("VALID", "INVALID"))
        or not isinstance(data.get("isValid", data.get("valid")), bool)
    ):
        code = (errors or [user_error])[0]
        known = isinstance(code, str) and CODE.fullmatch(code) and code not in ("VALID", "INVALID")
        return code if known else "malformed answer"
    return None


def vies(client: Client, country: str, number: str) -> dict:
    """A VAT number checked with VIES: ``status`` valid / invalid / unknown, ``name``,
    ``address``, ``reason`` (why unknown). Only a definitive answer is cached."""
    country = "EL" if country.upper() == "GR" else country.upper()
    answer = client.call(
        "GET", f"{VIES}/ms/{country}/vat/{number}", keep=lambda d: _vies_problem(d) is None
    )
    if answer.error:
        return {"status": "unknown", "name": None, "address": None, "reason": answer.error}
    data = answer.data
    code = _vies_problem(data)
    if code:
        return {
            "status": "unknown",
            "name": None,
            "address": None,
            "reason": code
            if code == "malformed answer"
            else f"VIES {code}" + ("" if code in TRANSIENT else " (not a transient code)"),
        }
    valid = data.get("isValid", data.get("valid"))
    return {
        "status": "valid" if valid else "invalid",
        "name": _text(data.get("name")) if valid else None,
        "address": _text(data.get("address")) if valid else None,
        "reason": None,
    }


def vies_columns(frame: pl.DataFrame, client: Client) -> pl.DataFrame:
    """*frame* with ``vies_status``, ``vies_name``, ``vies_address``, ``vies_reason`` for each
    row with a valid EU VAT number (``vat``, compact with its prefix), once per distinct
    number; rows without one get nothing. A failed service marks the rows, never stops."""
    names = {f: f"vies_{f}" for f in ("status", "name", "address", "reason")}
    if "vat" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in names.values())
    return ask_each(frame, ["vat"], lambda vat: vies(client, vat[:2], vat[2:]), names)
