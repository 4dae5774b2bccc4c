"""Load the TOML rules (rules/*.toml) — data a steward edits, not code.

The defaults ship inside the package (``enrich.rules``); ``--rules DIR`` points at a folder
whose files replace the defaults of the same name.

>>> load("titles")["titles"]["mr"][:2]
['M', 'M.']
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_override_dir: Path | None = None
_derived: list = []


def derived(fn):
    """Cache a table built from rules files; rebuilt when ``use_rules_dir`` changes them."""
    cached = lru_cache(maxsize=1)(fn)
    _derived.append(cached)
    return cached


def use_rules_dir(path: str | Path | None) -> None:
    """Take rules files from *path* first (files missing there fall back to the defaults)."""
    global _override_dir
    _override_dir = Path(path) if path else None
    if _override_dir is not None and not _override_dir.is_dir():
        raise InputError("rules directory not found", file=str(path))
    _load_text.cache_clear()
    for cached in _derived:
        cached.cache_clear()


@cache
def _load_text(name: str) -> tuple[str, str]:
    """Return (location, text) of rules file *name*."""
    if _override_dir is not None and (_override_dir / f"{name}.toml").is_file():
        path = _override_dir / f"{name}.toml"
        return str(path), path.read_text(encoding="utf-8")
    res = resources.files("enrich.rules") / f"{name}.toml"
    if not res.is_file():
        raise InputError(f"no rules file named {name}.toml")
    return f"rules/{name}.toml", res.read_text(encoding="utf-8")


@cache
def _parse(location: str, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # message carries "(at line N, column M)"
        raise InputError(f"invalid TOML: {exc}", file=location) from None


def load(name: str) -> dict:
    """The parsed rules file *name* (without ``.toml``)."""
    return _parse(*_load_text(name))


def digest(names: list[str]) -> str:
    """A short hash of the rules files used, for run summaries and audit."""
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(_load_text(name)[1].encode("utf-8"))
    return h.hexdigest()[:16]


def text(name: str) -> str:
    """The text of rules file *name* (for files with their own parser)."""
    return _load_text(name)[1]


def location(name: str) -> str:
    """Where rules file *name* is read from (for messages)."""
    return _load_text(name)[0]


def line_of(name: str, *needles: str) -> int | None:
    """The first line (1-based) of rules file *name* holding all *needles*, for messages that
    point at a value TOML parsed without complaint but that the rules do not allow."""
    for number, line in enumerate(_load_text(name)[1].splitlines(), start=1):
        if all(n in line for n in needles):
            return number
    return None
