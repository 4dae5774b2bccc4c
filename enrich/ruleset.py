"""The rules (``rules/*.toml``) as one object: data a steward edits, loaded once, passed to
every stage that reads it — no process-wide state.

The shipped defaults live inside the package (``enrich.rules``). ``Rules.load(folder)`` reads
a steward's folder on top of them: each of its files **extends** the default of the same name
key by key — tables merge, a value replaces the default's, and the vocabularies (header
synonyms, country names, titles, legal forms, street abbreviations, role and freemail lists,
size-file headers, the columns a kind of value fits) are *extended*: a 3-line ``headers.toml`` adds synonyms, it does not wipe
the others. A file whose first key is ``replace = true`` replaces the default whole.
``Rules.overrides`` says which files and keys overrode what (``run.json`` records it).

>>> rules = Rules.load()
>>> rules.get("titles")["titles"]["mr"][:2]
['M', 'M.']
>>> merge({"a": {"x": 1, "y": 2}, "l": [1]}, {"a": {"y": 3}, "l": [2]}, extend=())
({'a': {'x': 1, 'y': 3}, 'l': [2]}, ['a.y', 'l'], [])
>>> merge({"columns": {"email": ["mail"]}}, {"columns": {"email": ["Mail pro", "mail"]}}, extend=("columns.*",))
({'columns': {'email': ['mail', 'Mail pro']}}, [], ['columns.email'])
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import hashlib
import sys
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

T = TypeVar("T")

# The lists a steward's file extends rather than replaces (dotted keys; * is one table key).
# Every other list (blocking rules, comparison levels, survivorship orders, checks …) is
# replaced whole: half of a default order plus half of the steward's would mean nothing.
EXTEND: dict[str, tuple[str, ...]] = {
    "headers": ("columns.*", "qualifiers.*", "generic.*", "opt_out.*"),
    "orders": ("columns.*",),
    "content": ("kinds.*.fits", "keep_out.words", "postcode.countries"),
    "countries": ("names.*", "phone_format.*"),
    "titles": ("titles.*",),
    "legal_forms": ("form",),
    "addresses": ("abbreviation", "*.*"),
    "emails": ("*.*",),
    "registry": ("size_file.*",),
    "decisions": ("words.*", "columns.*", "levels.*"),
    "languages": ("names.*", "titles.*", "first_names.*", "words.*", "places.*", "streets.*"),
    "contactability": (
        "consent.yes",
        "dnc.*.names",
        "dnc.*.number_headers",
        "dnc.*.status_headers",
        "dnc.*.listed",
    ),
    "purposes": ("pseudonymise.*",),
    "first_names": ("groups",),
}


def _parse(location: str, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # message carries "(at line N, column M)"
        raise InputError(f"invalid TOML: {exc}", file=location) from None


def _default_text(name: str) -> str:
    res = resources.files("enrich.rules") / f"{name}.toml"
    if not res.is_file():
        raise InputError(f"no rules file named {name}.toml")
    return res.read_text(encoding="utf-8")


def _unique(items: list) -> list:
    """Items in order, each once (a steward's full copy of a default list changes nothing)."""
    out: list = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def merge(
    base: dict, top: dict, extend: tuple[str, ...], _path: str = ""
) -> tuple[dict, list[str], list[str]]:
    """*top* over *base*: (merged, keys replaced, keys extended), keys dotted."""
    out, replaced, extended = copy.deepcopy(base), [], []
    for key, value in top.items():
        path = f"{_path}{key}"
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key], r, e = merge(old, value, extend, f"{path}.")
            replaced += r
            extended += e
        elif (
            isinstance(old, list)
            and isinstance(value, list)
            and any(fnmatch.fnmatchcase(path, p) for p in extend)
        ):
            out[key] = _unique([*old, *value])
            extended.append(path)
        else:
            out[key] = value
            replaced.append(path)
    return out, replaced, extended


class Rules:
    """The rules of one run: the shipped defaults, extended by an optional folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._texts: dict[str, tuple[str, str | None]] = {}  # name → (default text, steward's text)
        self._parsed: dict[str, dict] = {}
        self._overrides: dict[str, dict] = {}
        self._derived: dict[Any, Any] = {}
        self._lock = threading.RLock()

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Rules:
        """The shipped rules, extended by the files of *folder* (None: the defaults alone)."""
        if folder is not None and not Path(folder).is_dir():
            raise InputError("rules directory not found", file=str(folder))
        return cls(Path(folder) if folder is not None else None)

    @staticmethod
    @functools.cache
    def default() -> Rules:
        """The shipped rules (one shared, read-only instance)."""
        return Rules(None)

    def _own_path(self, name: str) -> Path | None:
        path = self.folder / f"{name}.toml" if self.folder is not None else None
        return path if path is not None and path.is_file() else None

    def _text(self, name: str) -> tuple[str, str | None]:
        with self._lock:
            if name not in self._texts:
                own = self._own_path(name)
                own_text = own.read_text(encoding="utf-8") if own else None
                base = _default_text(name) if own is None or not _replaces(own_text or "") else ""
                self._texts[name] = (base, own_text)
            return self._texts[name]

    def get(self, name: str) -> dict:
        """The rules file *name* (without ``.toml``), the steward's keys over the defaults."""
        with self._lock:
            if name not in self._parsed:
                base, own = self._text(name)
                data = _parse(f"rules/{name}.toml", base) if base else {}
                if own is not None:
                    top = _parse(self.location(name), own)
                    replace = bool(top.pop("replace", False))
                    data, replaced, extended = merge(data, top, EXTEND.get(name, ()))
                    self._overrides[name] = {
                        "file": self.location(name),
                        "replace": replace,
                        "replaced": replaced,
                        "extended": extended,
                    }
                self._parsed[name] = data
            return self._parsed[name]

    def location(self, name: str) -> str:
        """Where rules file *name* is read from (for messages): the steward's file if any."""
        own = self._own_path(name)
        return str(own) if own else f"rules/{name}.toml"

    def text(self, name: str) -> str:
        """The text of rules file *name* as read (the steward's, else the default)."""
        base, own = self._text(name)
        return own if own is not None else base

    def line_of(self, name: str, *needles: str) -> tuple[str, int | None]:
        """(file, first line) holding all *needles* — the steward's file first — for messages
        that point at a value TOML parsed without complaint but the rules do not allow."""
        base, own = self._text(name)
        for where, text in ((self.location(name), own), (f"rules/{name}.toml", base)):
            for number, line in enumerate((text or "").splitlines(), start=1):
                if all(n in line for n in needles):
                    return where, number
        return self.location(name), None

    def digest(self, names: list[str]) -> str:
        """A short hash of the rules files used (defaults and the steward's), for audit."""
        h = hashlib.sha256()
        for name in sorted(names):
            base, own = self._text(name)
            h.update(base.encode("utf-8"))
            if own is not None:
                h.update(b"\0" + own.encode("utf-8"))
        return h.hexdigest()[:16]

    @property
    def overrides(self) -> list[dict]:
        """What the steward's folder changed, file by file (for ``run.json``)."""
        if self.folder is not None:
            for path in sorted(self.folder.glob("*.toml")):
                if (resources.files("enrich.rules") / path.name).is_file():
                    self.get(path.stem)
        return [self._overrides[name] for name in sorted(self._overrides)]

    def derived(self, build: Callable[[Rules], T]) -> T:
        """``build(self)``, computed once per Rules: a lookup table built from rules files."""
        with self._lock:
            if build not in self._derived:
                self._derived[build] = build(self)
            return self._derived[build]


def _replaces(text: str) -> bool:
    """Whether a steward's file says ``replace = true`` (before its first table)."""
    try:
        return tomllib.loads(text).get("replace") is True
    except tomllib.TOMLDecodeError:
        return False  # reported by get(), with its line


def rules_or_default(rules: Rules | None) -> Rules:
    """*rules*, or the shipped ones for a caller that passes none (doctests, one-off calls)."""
    return rules if rules is not None else Rules.default()
