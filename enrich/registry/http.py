"""The HTTP client of the online registry services — polite, bounded in time, and never fatal.

One ``requests.Session`` per client; connect and read timeouts; retries on 429 and 5xx with
a doubling back-off or the server's ``Retry-After``, each pause at most ``max_wait``; a
deadline per lookup (tries, pauses and a body that drips in slowly, all counted) and one per
run (after it, the remaining lookups are "unknown"); a minimum interval between two calls to
the same host (each service's published limit, or less: ``RATES``); a persistent SQLite
cache with a time to live, so a rerun makes no repeat calls — a corrupt one is moved aside
and started again, a read-only one only read; ``offline`` answers from the cache only. A
failed, slow or malformed answer is an ``Answer`` with the reason, never an exception out of
a batch. The limits are rules/registry.toml ``[online]`` (``limits(rules)``).

Each service (``vies.py``, ``recherche.py``, ``gleif.py``) has the same small shape: its URL,
one function that asks it one thing (a dict with ``status`` and ``reason``), and one that
adds its columns to a frame, asking once per distinct value (``ask_each``).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import requests
import urllib3

from ..errors import InputError

# calls per second at most, per host (VIES publishes no number: 1/s is what it asks for)
RATES = {"ec.europa.eu": 1.0, "recherche-entreprises.api.gouv.fr": 7.0, "api.gleif.org": 1.0}
MAX_BODY = 10 * 1024 * 1024  # no answer of these services comes near: a runaway body
DEFAULT_LIMITS = {
    "retries": 4,
    "connect_timeout_s": 5,
    "read_timeout_s": 20,
    "max_wait_s": 60,
    "lookup_deadline_s": 120,
    "run_deadline_s": 3600,
}
MALFORMED = (AttributeError, TypeError, KeyError, ValueError, IndexError, RecursionError)


@dataclass
class Answer:
    """One service answer: ``data`` (the JSON body) or ``error`` (why there is none)."""

    data: dict | None = None
    error: str | None = None


def limits(rules) -> dict:
    """The client's limits from rules/registry.toml ``[online]`` (keyword arguments of
    ``Client``)."""
    table = rules.get("registry").get("online", {})
    given = {k: table.get(k, v) for k, v in DEFAULT_LIMITS.items()}
    wrong = [
        k
        for k, v in given.items()
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < math.inf
    ]
    if wrong:
        raise InputError(
            f"[online] {', '.join(wrong)}: a number of seconds (retries: a count), 0 or more",
            file=str(rules.location("registry")),
        )
    return {
        "retries": int(given["retries"]),
        "timeout": (float(given["connect_timeout_s"]), float(given["read_timeout_s"])),
        "max_wait": float(given["max_wait_s"]),
        "lookup_deadline": float(given["lookup_deadline_s"]),
        "run_deadline": float(given["run_deadline_s"]),
    }


@dataclass
class Client:
    """The HTTP client of one run. *retries*; *timeout* (connect, read: each wait for the
    server); *max_wait*, the longest pause between two tries, whatever a ``Retry-After``
    asks; *lookup_deadline*, the longest one lookup takes, tries, pauses and a dripping body
    included; *run_deadline*, the longest all the lookups of a run take — after it, the rest
    are "unknown" (``counts["deadline"]``). ``notes`` holds what a person should read (the
    cache set aside, or not written)."""

    cache_path: str | Path | None
    ttl_days: float = 30.0
    offline: bool = False
    retries: int = 4
    timeout: tuple[float, float] = (5.0, 20.0)  # connect, read
    max_wait: float = 60.0
    lookup_deadline: float = 120.0
    run_deadline: float = 3600.0
    rates: dict[str, float] = field(default_factory=lambda: dict(RATES))
    sleep: object = None  # time.sleep (looked up when called: tests replace it, no real waiting)
    clock: object = time.monotonic
    counts: dict[str, int] = field(
        default_factory=lambda: {"calls": 0, "cached": 0, "failed": 0, "deadline": 0}
    )
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = (
            "enrich (data-quality tool; contact: your data steward)"
        )
        self._last: dict[str, float] = {}
        self._started: float | None = None
        self.cache = Cache(self.cache_path, self.ttl_days, self.notes)

    def _sleep(self, seconds: float) -> None:
        (self.sleep or time.sleep)(seconds)

    def close(self) -> None:
        self.session.close()
        self.cache.close()

    def _wait_turn(self, host: str) -> None:
        rate = self.rates.get(host, 1.0)
        if host in self._last:
            gap = min(1.0 / rate - (self.clock() - self._last[host]), self.max_wait)
            if gap > 0:
                self._sleep(gap)
        self._last[host] = self.clock()

    def _run_left(self) -> float:
        """Seconds left of the run's deadline (counted from its first lookup)."""
        if self._started is None:
            self._started = self.clock()
        return self.run_deadline - (self.clock() - self._started)

    def call(self, method: str, url: str, body: dict | None = None, keep=None) -> Answer:
        """The JSON answer of one call (from the cache if it holds a fresh one). A new answer
        is cached when ``keep(data)`` says it is definitive (by default: any JSON object) —
        a transient one ("member state unavailable") is asked again next time."""
        key = _key(method, url, body)
        hit = self.cache.get(key)
        if hit is not None:
            self.counts["cached"] += 1
            return Answer(hit)
        if self.offline:
            return Answer(error="offline: not in the cache")
        if self._run_left() <= 0:
            self.counts["deadline"] += 1
            return Answer(error="deadline: the run's time for online lookups is used up")
        answer = self._ask(method, url, body)
        if answer.error:
            self.counts["failed"] += 1
        elif keep is None or keep(answer.data):
            self.cache.put(key, answer.data)
        return answer

    def _ask(self, method: str, url: str, body: dict | None) -> Answer:
        """One lookup: tries with pauses between them (the server's ``Retry-After`` or our
        doubling back-off, each at most ``max_wait``, the server's value never doubled)
        until an answer, the last try, or the lookup's (or the run's) deadline."""
        host = urlsplit(url).hostname or ""
        until = self.clock() + min(self.lookup_deadline, max(self._run_left(), 0.0))
        backoff, error, attempt = 1.0, "", 0
        for attempt in range(1, self.retries + 2):
            self._wait_turn(host)
            self.counts["calls"] += 1
            answer, error, asked = self._attempt(method, url, body, until)
            if answer is not None:
                return answer
            if attempt > self.retries:
                break
            pause = min(max(backoff, asked), self.max_wait)
            backoff = min(backoff * 2, self.max_wait)
            if self.clock() + pause > until:
                return Answer(error=f"deadline: no answer in time ({error} after {attempt} tries)")
            self._sleep(pause)
        return Answer(error=f"{error} after {attempt} tries")

    def _attempt(
        self, method: str, url: str, body: dict | None, until: float
    ) -> tuple[Answer | None, str, float]:
        """One try: (the final answer, or None to try again with why and the seconds the
        service asked to wait). The body is read as it comes, until the deadline *until*."""
        try:
            response = self.session.request(
                method, url, json=body, timeout=self.timeout, stream=True
            )
        except requests.exceptions.Timeout:
            return None, "timeout", 0.0
        except requests.exceptions.RequestException as exc:
            return None, f"connection failed ({type(exc).__name__})", 0.0
        with response:
            if response.status_code == 429 or response.status_code >= 500:
                wait = _retry_after(response.headers.get("Retry-After"), self.max_wait)
                return None, f"HTTP {response.status_code}", wait or 0.0
            if response.status_code >= 400:
                return Answer(error=f"HTTP {response.status_code}"), "", 0.0
            content, why = self._body(response, until)
        if why:
            final = why.startswith(("deadline", "malformed"))
            return (Answer(error=why), "", 0.0) if final else (None, why, 0.0)
        return Answer(*_json_object(content)), "", 0.0

    def _body(self, response: requests.Response, until: float) -> tuple[bytes, str | None]:
        """The body of *response* read as it arrives: (bytes, None), or (b"", why not) — the
        deadline passed while it dripped in, it is too large, or the connection broke."""
        chunks, size = [], 0
        try:
            while chunk := response.raw.read1(65536, decode_content=True):
                chunks.append(chunk)
                size += len(chunk)
                if self.clock() > until:
                    return b"", "deadline: the answer was still arriving at the deadline"
                if size > MAX_BODY:
                    return b"", "malformed answer (too large)"
        except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
            slow = isinstance(exc, (urllib3.exceptions.TimeoutError, TimeoutError))
            return b"", "timeout" if slow else f"connection failed ({type(exc).__name__})"
        return b"".join(chunks), None


def _key(method: str, url: str, body: dict | None) -> str:
    return hashlib.sha256(json.dumps([method, url, body], sort_keys=True).encode()).hexdigest()


def _json_object(content: bytes) -> tuple[dict | None, str | None]:
    """(the JSON object *content* holds, None) or (None, why it is malformed).

    >>> _json_object(b'{"a": 1}'), _json_object(b"<html>busy</html>")[1]
    (({'a': 1}, None), 'malformed answer (not JSON)')
    """
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
        return None, "malformed answer (not JSON)"
    if not isinstance(data, dict):
        return None, "malformed answer (not a JSON object)"
    return data, None


def _retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header — a number of seconds, or an HTTP date —
    at most *cap* (``inf``, a date centuries ahead: *cap*).

    >>> _retry_after("7", 60), _retry_after("inf", 60), _retry_after("1e999", 60)
    (7.0, 60, 60)
    >>> _retry_after("Fri, 31 Dec 9999 23:59:59 GMT", 60), _retry_after("nan", 60)
    (60, None)
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), cap)


class Cache:
    """The answers of earlier runs (SQLite, with a time to live). Never fatal: a corrupt cache
    is moved aside (``NAME.corrupt``) and a new one started; one that cannot be written is
    only read, or not used — each said once in *notes*. *path* None: no cache."""

    def __init__(self, path: str | Path | None, ttl_days: float, notes: list[str]) -> None:
        self.path, self.ttl_days, self.notes = path, ttl_days, notes
        self.db: sqlite3.Connection | None = None
        self.writable = False
        if path is not None:
            self._open(Path(path))

    def _open(self, path: Path) -> None:
        try:
            self.db, self.writable = _connect(path), True
            return
        except sqlite3.Error as exc:
            if not _corrupt(exc):  # cannot be written (or created): read what it holds
                self._open_read_only(path)
                return
        aside = path.with_name(path.name + ".corrupt")
        try:
            path.replace(aside)
            self.db, self.writable = _connect(path), True
            self.notes.append(f"online cache {path} was corrupt: moved to {aside}, a new one made")
        except (OSError, sqlite3.Error):
            self.notes.append(f"online cache {path} is corrupt and cannot be replaced: not used")

    def _open_read_only(self, path: Path) -> None:
        try:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self.db.execute("SELECT count(*) FROM answers").fetchone()
            self.notes.append(
                f"online cache {path} cannot be written: answers read from it, new ones not kept"
            )
        except (sqlite3.Error, ValueError, OSError):
            self.close()
            self.notes.append(f"online cache {path} cannot be opened: run without a cache")

    def get(self, key: str) -> dict | None:
        """The fresh answer cached under *key*, or None."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT stored, body FROM answers WHERE key = ?", (key,)
            ).fetchone()
            fresh = row is not None and time.time() - float(row[0]) <= self.ttl_days * 86400
            data = json.loads(row[1]) if fresh else None
        except sqlite3.Error:
            self.notes.append(f"online cache {self.path} cannot be read (corrupt?): not used")
            self.close()
            return None
        except MALFORMED:  # one garbled entry: asked again
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, data: dict) -> None:
        if self.db is None or not self.writable:
            return
        try:
            self.db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                (key, time.time(), json.dumps(data)),
            )
            self.db.commit()
        except sqlite3.Error:
            self.writable = False
            self.notes.append(f"online cache {self.path} cannot be written: new answers not kept")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _connect(path: Path) -> sqlite3.Connection:
    """The cache at *path*, checked whole (``quick_check``) and written once: a corrupt or
    read-only one fails here, not at its first answer."""
    db = sqlite3.connect(str(path))
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, stored REAL, body TEXT)"
        )
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed")
        db.execute("DELETE FROM answers WHERE key = ''")
        db.commit()
    except sqlite3.Error:
        db.close()
        raise
    return db


def _corrupt(exc: sqlite3.Error) -> bool:
    """Whether *exc* says the file is not a sound SQLite database."""
    text = str(exc).lower()
    return any(w in text for w in ("not a database", "malformed", "corrupt", "encrypted"))


def ask_each(
    frame: pl.DataFrame, on: list[str], ask: Callable[..., dict], names: dict[str, str]
) -> pl.DataFrame:
    """*frame* with the answer of ``ask(*key)`` for the distinct non-null values of the
    columns *on* — each asked once — its fields renamed by *names*, as text. An answer its
    service's code could not read (a shape no one foresaw) is "unknown", never a crash."""
    rows = []
    for key in frame.select(on).drop_nulls().unique().sort(on).rows():
        try:
            answer = ask(*key)
        except MALFORMED as exc:
            answer = {"status": "unknown", "reason": f"malformed answer ({type(exc).__name__})"}
        rows.append((*key, *(_text(answer.get(f)) for f in names)))
    answers = pl.DataFrame(
        rows,
        schema={**{c: pl.String for c in on}, **{n: pl.String for n in names.values()}},
        orient="row",
    )
    return frame.join(answers, on=on, how="left", maintain_order="left")


def _text(value) -> str | None:
    """A field of an answer as text: None for nothing, and for a list or an object (a shape
    the service does not document for it)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def listed(client: Client, url: str, key: str, malformed: str) -> tuple[list | None, str | None]:
    """(the list under *key* of the JSON answer to GET *url*, None) or (None, why there is
    none: the failure, or *malformed*). Only an answer holding that list is cached."""
    answer = client.call("GET", url, keep=lambda d: isinstance(d.get(key), list))
    if answer.error:
        return None, answer.error
    items = answer.data.get(key)
    return (items, None) if isinstance(items, list) else (None, malformed)
