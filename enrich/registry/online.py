"""Online registry services, for what the bulk files lack — polite and never fatal.

One ``requests.Session`` per client; connect and read timeouts; retries with exponential
back-off on 429 and 5xx, honouring ``Retry-After``; a minimum interval between two calls to
the same host (each service's published limit, or less); a persistent SQLite cache with a
time to live, so a rerun makes no repeat calls; ``offline`` answers from the cache only.
A failed, slow or malformed answer is "no answer" with the reason — never an invalid
number, never an exception out of a batch.

Adapters: ``vies()`` (EU VAT validity, name, address; REGISTRIES.md §4): VIES transient codes
(``MS_UNAVAILABLE``, ``TIMEOUT`` …) are "unknown", and are not cached. ``recherche()`` (the
French recherche-entreprises API, REGISTRIES.md §3): a SIREN's name, status, NAF code,
headcount band and seat, for companies the local index does not hold. ``gleif()`` (the LEI
of a company, found by its registry number, REGISTRIES.md §5).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

VIES = "https://ec.europa.eu/taxation_customs/vies/rest-api"
RECHERCHE = "https://recherche-entreprises.api.gouv.fr/search"
GLEIF = "https://api.gleif.org/api/v1/lei-records"
# calls per second at most, per host (VIES publishes no number: 1/s is what it asks for)
RATES = {"ec.europa.eu": 1.0, "recherche-entreprises.api.gouv.fr": 7.0, "api.gleif.org": 1.0}
TRANSIENT = {
    "SERVICE_UNAVAILABLE",
    "MS_UNAVAILABLE",
    "TIMEOUT",
    "GLOBAL_MAX_CONCURRENT_REQ",
    "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "MS_MAX_CONCURRENT_REQ",
    "MS_MAX_CONCURRENT_REQ_TIME",
}


@dataclass
class Answer:
    """One service answer: ``data`` (the JSON body) or ``error`` (why there is none)."""

    data: dict | None = None
    error: str | None = None


@dataclass
class Client:
    cache_path: str | Path
    ttl_days: float = 30.0
    offline: bool = False
    retries: int = 4
    timeout: tuple[float, float] = (5.0, 20.0)  # connect, read
    rates: dict[str, float] = field(default_factory=lambda: dict(RATES))
    sleep: object = None  # time.sleep (looked up when called: tests replace it, no real waiting)
    clock: object = time.monotonic
    counts: dict[str, int] = field(default_factory=lambda: {"calls": 0, "cached": 0, "failed": 0})

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = (
            "enrich (data-quality tool; contact: your data steward)"
        )
        self._last: dict[str, float] = {}
        self._db = sqlite3.connect(str(self.cache_path))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, stored REAL, body TEXT)"
        )

    def _sleep(self, seconds: float) -> None:
        (self.sleep or time.sleep)(seconds)

    def close(self) -> None:
        self.session.close()
        self._db.close()

    def _key(self, method: str, url: str, body: dict | None) -> str:
        return hashlib.sha256(json.dumps([method, url, body], sort_keys=True).encode()).hexdigest()

    def _cached(self, key: str) -> dict | None:
        row = self._db.execute("SELECT stored, body FROM answers WHERE key = ?", (key,)).fetchone()
        if row and time.time() - row[0] <= self.ttl_days * 86400:
            return json.loads(row[1])
        return None

    def _remember(self, method: str, url: str, body: dict | None, data: dict) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
            (self._key(method, url, body), time.time(), json.dumps(data)),
        )
        self._db.commit()

    def _wait_turn(self, host: str) -> None:
        rate = self.rates.get(host, 1.0)
        if host in self._last:
            gap = 1.0 / rate - (self.clock() - self._last[host])
            if gap > 0:
                self._sleep(gap)
        self._last[host] = self.clock()

    def call(self, method: str, url: str, body: dict | None = None, keep=None) -> Answer:
        """The JSON answer of one call (from the cache if it holds a fresh one). A new answer
        is cached when ``keep(data)`` says it is definitive (by default: any JSON object) —
        a transient one ("member state unavailable") is asked again next time."""
        key = self._key(method, url, body)
        hit = self._cached(key)
        if hit is not None:
            self.counts["cached"] += 1
            return Answer(hit)
        if self.offline:
            return Answer(error="offline: not in the cache")
        host = urlsplit(url).hostname or ""
        delay = 1.0
        for attempt in range(self.retries + 1):
            self._wait_turn(host)
            self.counts["calls"] += 1
            try:
                response = self.session.request(method, url, json=body, timeout=self.timeout)
            except requests.exceptions.Timeout:
                error = "timeout"
            except requests.exceptions.RequestException as exc:
                error = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    error = f"HTTP {response.status_code}"
                    delay = max(delay, _retry_after(response.headers.get("Retry-After")) or 0.0)
                elif response.status_code >= 400:
                    self.counts["failed"] += 1
                    return Answer(error=f"HTTP {response.status_code}")
                else:
                    try:
                        data = response.json()
                    except ValueError:
                        self.counts["failed"] += 1
                        return Answer(error="malformed answer (not JSON)")
                    if not isinstance(data, dict):
                        self.counts["failed"] += 1
                        return Answer(error="malformed answer (not a JSON object)")
                    if keep is None or keep(data):
                        self._remember(method, url, body, data)
                    return Answer(data)
            if attempt < self.retries:
                self._sleep(delay)
                delay *= 2
        self.counts["failed"] += 1
        return Answer(error=f"{error} after {self.retries + 1} tries")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds, or an HTTP date."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max(email.utils.parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
        except (TypeError, ValueError):
            return None


def _text(value) -> str | None:
    """VIES writes '---' where a member state withholds a value."""
    return None if value in (None, "", "---") else str(value)


def _vies_problem(data: dict) -> str | None:
    """Why a VIES answer is not a definitive valid / invalid (its error code), or None."""
    errors = [w.get("error") for w in data.get("errorWrappers") or [] if isinstance(w, dict)]
    user_error = data.get("userError")
    if (
        errors
        or (user_error and user_error not in ("VALID", "INVALID"))
        or not isinstance(data.get("isValid", data.get("valid")), bool)
    ):
        return (errors or [user_error])[0] or "malformed answer"
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
            "reason": f"VIES {code}" + ("" if code in TRANSIENT else " (not a transient code)"),
        }
    valid = data.get("isValid", data.get("valid"))
    return {
        "status": "valid" if valid else "invalid",
        "name": _text(data.get("name")) if valid else None,
        "address": _text(data.get("address")) if valid else None,
        "reason": None,
    }


def _ask_each(frame, on: list[str], ask, names: dict[str, str]):
    """*frame* with the answer of ``ask(*key)`` for the distinct non-null values of the
    columns *on* — each asked once — its fields renamed by *names*, as text."""
    import polars as pl

    rows = []
    for key in frame.select(on).drop_nulls().unique().sort(on).rows():
        answer = ask(*key)
        rows.append((*key, *(None if answer[f] is None else str(answer[f]) for f in names)))
    answers = pl.DataFrame(
        rows,
        schema={**{c: pl.String for c in on}, **{n: pl.String for n in names.values()}},
        orient="row",
    )
    return frame.join(answers, on=on, how="left", maintain_order="left")


def vies_columns(frame, client: Client):
    """*frame* with ``vies_status``, ``vies_name``, ``vies_address``, ``vies_reason`` for each
    row with a valid EU VAT number (``vat``, compact with its prefix), once per distinct
    number; rows without one get nothing. A failed service marks the rows, never stops."""
    import polars as pl

    names = {f: f"vies_{f}" for f in ("status", "name", "address", "reason")}
    if "vat" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in names.values())
    return _ask_each(frame, ["vat"], lambda vat: vies(client, vat[:2], vat[2:]), names)


def _listed(client: Client, url: str, key: str, malformed: str) -> tuple[list | None, str | None]:
    """(the list under *key* of the JSON answer to GET *url*, None) or (None, why there is
    none: the failure, or *malformed*). Only an answer holding that list is cached."""
    answer = client.call("GET", url, keep=lambda d: isinstance(d.get(key), list))
    if answer.error:
        return None, answer.error
    items = answer.data.get(key)
    return (items, None) if isinstance(items, list) else (None, malformed)


def recherche(client: Client, siren: str) -> dict:
    """A SIREN looked up in recherche-entreprises (``q`` of nine digits: a direct lookup):
    ``status`` found / not_found / unknown, and what it says of the company."""
    url = f"{RECHERCHE}?q={siren}&per_page=1"
    empty = {
        "name": None,
        "registry_status": None,
        "naf": None,
        "section": None,
        "employees_band": None,
        "employees_year": None,
        "postcode": None,
        "city": None,
    }
    results, why = _listed(client, url, "results", "malformed answer (no results)")
    if why:
        return {"status": "unknown", **empty, "reason": why}
    hit = next((r for r in results if isinstance(r, dict) and r.get("siren") == siren), None)
    if hit is None:
        return {"status": "not_found", **empty, "reason": None}
    seat = hit.get("siege") if isinstance(hit.get("siege"), dict) else {}
    return {
        "status": "found",
        "name": hit.get("nom_raison_sociale") or hit.get("nom_complet"),
        "registry_status": {"A": "active", "C": "ceased"}.get(hit.get("etat_administratif")),
        "naf": hit.get("activite_principale"),
        "section": hit.get("section_activite_principale"),
        "employees_band": hit.get("tranche_effectif_salarie"),
        "employees_year": hit.get("annee_tranche_effectif_salarie"),
        "postcode": seat.get("code_postal"),
        "city": seat.get("libelle_commune"),
        "reason": None,
    }


def recherche_columns(frame, client: Client):
    """*frame* with ``recherche_*`` columns for each French row whose valid SIREN the local
    index did not find (``registry_match`` is not 'siren'), once per distinct SIREN."""
    import polars as pl

    fields = [
        "status",
        "name",
        "registry_status",
        "naf",
        "section",
        "employees_band",
        "employees_year",
        "postcode",
        "city",
        "reason",
    ]
    names = {f: f"recherche_{f}" for f in fields}
    if "siren" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in names.values())
    asked = (
        pl.col("siren")
        if "registry_match" not in frame.columns
        else pl.when(pl.col("registry_match") != "siren").then(pl.col("siren"))
    )
    frame = frame.with_columns(asked.alias("_siren"))
    return _ask_each(frame, ["_siren"], lambda siren: recherche(client, siren), names).drop(
        "_siren"
    )


def gleif(client: Client, country: str, registry_id: str) -> dict:
    """The LEI of a company, found in GLEIF by its registry number (a Belgian one is tried
    compact, then dotted as some records hold it): ``status`` found / not_found / unknown,
    ``lei`` (checked with python-stdnum), ``lei_entity_status`` and ``lei_registration``.
    Several records: the issued and active one, then the smallest LEI."""
    from stdnum import lei as lei_number

    forms = [registry_id] + (
        [f"{registry_id[:4]}.{registry_id[4:7]}.{registry_id[7:]}"]
        if country == "BE" and len(registry_id) == 10
        else []
    )
    none = {"lei": None, "lei_name": None, "lei_entity_status": None, "lei_registration": None}
    for form in forms:
        url = f"{GLEIF}?filter[entity.registeredAs]={form}&filter[entity.jurisdiction]={country}"
        records, why = _listed(client, url, "data", "malformed answer (no data list)")
        if why:
            return {"status": "unknown", **none, "reason": why}
        found = []
        for r in records:
            attrs = r.get("attributes", {}) if isinstance(r, dict) else {}
            code = attrs.get("lei") or r.get("id")
            if isinstance(code, str) and lei_number.is_valid(code):
                entity, registration = attrs.get("entity") or {}, attrs.get("registration") or {}
                found.append(
                    (
                        registration.get("status") != "ISSUED",
                        entity.get("status") != "ACTIVE",
                        code,
                        (entity.get("legalName") or {}).get("name"),
                        entity.get("status"),
                        registration.get("status"),
                    )
                )
        if found:
            _, _, code, name, entity_status, registration = sorted(found)[0]
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
    return {"status": "not_found", **none, "reason": None}


def gleif_columns(frame, client: Client):
    """*frame* with ``lei_status``, ``lei``, ``lei_name``, ``lei_entity_status``,
    ``lei_registration``, ``lei_reason`` for each row with a valid enterprise number or SIREN,
    once per distinct company."""
    import polars as pl

    from .index import registry_key

    names = {
        "status": "lei_status",
        "lei": "lei",
        "lei_name": "lei_name",
        "lei_entity_status": "lei_entity_status",
        "lei_registration": "lei_registration",
        "reason": "lei_reason",
    }
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(c)
        for c in ("enterprise_number", "siren")
        if c not in frame.columns
    )
    country, registry_id = registry_key()
    keyed = frame.with_columns(country.alias("_cc"), registry_id.alias("_rid"))
    return _ask_each(keyed, ["_cc", "_rid"], lambda cc, rid: gleif(client, cc, rid), names).drop(
        "_cc", "_rid"
    )
