"""GLEIF (the Global Legal Entity Identifier Foundation, REGISTRIES.md §5): the LEI of a
company, found by its registry number.
"""

from __future__ import annotations

import polars as pl
from stdnum import lei as lei_number

from . import SOURCES
from .http import Client, ask_each, listed
from .source import by_country, registry_key, with_keys

GLEIF = "https://api.gleif.org/api/v1/lei-records"


NONE = {"lei": None, "lei_name": None, "lei_entity_status": None, "lei_registration": None}


def gleif(client: Client, country: str, registry_id: str) -> dict:
    """The LEI of a company, found in GLEIF by its registry number (each way its source
    writes it: a Belgian one compact, then dotted as some records hold it): ``status`` found
    / not_found / unknown, ``lei`` (checked with python-stdnum), ``lei_entity_status`` and
    ``lei_registration``. Several records: the issued and active one, then the smallest LEI."""
    source = by_country(SOURCES).get(country)
    for form in source.spellings(registry_id) if source else [registry_id]:
        url = f"{GLEIF}?filter[entity.registeredAs]={form}&filter[entity.jurisdiction]={country}"
        records, why = listed(client, url, "data", "malformed answer (no data list)")
        if why:
            return {"status": "unknown", **NONE, "reason": why}
        found = _valid(records)
        if found:
            _, _, code, name, entity_status, registration = found[0]
            return {
                "status": "found",
                "lei": code,
                "lei_name": name,
                "lei_entity_status": entity_status,
                "lei_registration": registration,
                "reason": None
                if len(found) == 1
                else f"{len(found)} records: the issued, active one kept",
            }
    return {"status": "not_found", **NONE, "reason": None}


def _valid(records: list) -> list[tuple]:
    """The records with a valid LEI: (not issued, not active, LEI, name, entity status,
    registration status) — sorted, the issued and active one comes first. A record of
    another shape than GLEIF's is left out."""
    found = []
    for r in records:
        r = _object(r)
        attrs = _object(r.get("attributes"))
        code = attrs.get("lei") or r.get("id")
        if isinstance(code, str) and lei_number.is_valid(code):
            entity, registration = _object(attrs.get("entity")), _object(attrs.get("registration"))
            found.append(
                (
                    registration.get("status") != "ISSUED",
                    entity.get("status") != "ACTIVE",
                    code,
                    _word(_object(entity.get("legalName")).get("name")),
                    _word(entity.get("status")),
                    _word(registration.get("status")),
                )
            )
    return sorted(set(found), key=lambda f: (f[0], f[1], f[2], f[3] or ""))


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _word(value) -> str | None:
    return value if isinstance(value, str) else None


def gleif_columns(frame: pl.DataFrame, client: Client) -> pl.DataFrame:
    """*frame* with ``lei_status``, ``lei``, ``lei_name``, ``lei_entity_status``,
    ``lei_registration``, ``lei_reason`` for each row with a valid registry key (enterprise
    number, SIREN), once per distinct company."""
    names = {
        "status": "lei_status",
        "lei": "lei",
        "lei_name": "lei_name",
        "lei_entity_status": "lei_entity_status",
        "lei_registration": "lei_registration",
        "reason": "lei_reason",
    }
    frame = with_keys(frame, SOURCES)
    country, registry_id = registry_key(SOURCES)
    keyed = frame.with_columns(country.alias("_cc"), registry_id.alias("_rid"))
    return ask_each(keyed, ["_cc", "_rid"], lambda cc, rid: gleif(client, cc, rid), names).drop(
        "_cc", "_rid"
    )
