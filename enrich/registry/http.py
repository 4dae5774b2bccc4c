"""The HTTP client of the online registry services — polite, and never fatal.

One ``requests.Session`` per client; connect and read timeouts (the deadlines); retries with
exponential back-off on 429 and 5xx, honouring ``Retry-After``; a minimum interval between
two calls to the same host (each service's published limit, or less: ``RATES``); a persistent
SQLite cache with a time to live, so a rerun makes no repeat calls; ``offline`` answers from
the cache only. A failed, slow or malformed answer is an ``Answer`` with the reason, never
an exception out of a batch.

Each service (``vies.py``, ``recherche.py``, ``gleif.py``) has the same small shape: its URL,
one function that asks it one thing (a dict with ``status`` and ``reason``), and one that
adds its columns to a frame, asking once per distinct value (``ask_each``).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import requests

# calls per second at most, per host (VIES publishes no number: 1/s is what it asks for)
RATES = {"ec.europa.eu": 1.0, "recherche-entreprises.api.gouv.fr": 7.0, "api.gleif.org": 1.0}


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
            answer, error, wait = self._attempt(method, url, body)
            if answer is not None:
                if answer.error:
                    self.counts["failed"] += 1
                elif keep is None or keep(answer.data):
                    self._remember(method, url, body, answer.data)
                return answer
            delay = max(delay, wait)
            if attempt < self.retries:
                self._sleep(delay)
                delay *= 2
        self.counts["failed"] += 1
        return Answer(error=f"{error} after {self.retries + 1} tries")

    def _attempt(
        self, method: str, url: str, body: dict | None
    ) -> tuple[Answer | None, str, float]:
        """One try: (the final answer, or None to try again with why and the seconds the
        service asked to wait)."""
        try:
            response = self.session.request(method, url, json=body, timeout=self.timeout)
        except requests.exceptions.Timeout:
            return None, "timeout", 0.0
        except requests.exceptions.RequestException as exc:
            return None, f"connection failed ({type(exc).__name__})", 0.0
        if response.status_code == 429 or response.status_code >= 500:
            wait = _retry_after(response.headers.get("Retry-After")) or 0.0
            return None, f"HTTP {response.status_code}", wait
        if response.status_code >= 400:
            return Answer(error=f"HTTP {response.status_code}"), "", 0.0
        try:
            data = response.json()
        except ValueError:
            return Answer(error="malformed answer (not JSON)"), "", 0.0
        if not isinstance(data, dict):
            return Answer(error="malformed answer (not a JSON object)"), "", 0.0
        return Answer(data), "", 0.0


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


def ask_each(
    frame: pl.DataFrame, on: list[str], ask: Callable[..., dict], names: dict[str, str]
) -> pl.DataFrame:
    """*frame* with the answer of ``ask(*key)`` for the distinct non-null values of the
    columns *on* — each asked once — its fields renamed by *names*, as text."""
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


def listed(client: Client, url: str, key: str, malformed: str) -> tuple[list | None, str | None]:
    """(the list under *key* of the JSON answer to GET *url*, None) or (None, why there is
    none: the failure, or *malformed*). Only an answer holding that list is cached."""
    answer = client.call("GET", url, keep=lambda d: isinstance(d.get(key), list))
    if answer.error:
        return None, answer.error
    items = answer.data.get(key)
    return (items, None) if isinstance(items, list) else (None, malformed)
