"""Inputs known by their content: the same file is the same input whatever it is called.

A master run records each input's size and SHA-256 in its ``run.json`` (``inputs``, every
input of every run so far). The next run skips an input whose content is already in the
master — given as ``./x.csv``, ``/abs/x.csv`` or a copy under another name —, and an input
given twice in one command is read once; each skip is said in one line naming the files.
Standard input (``-``) is known by its name only.

>>> earlier = [{"file": "crm.csv", "bytes": 3, "sha256": "ab"}]
>>> fresh = [Input("x.csv"), Input("./x.csv"), Input("y.csv")]
>>> ids = [{"bytes": 5, "sha256": "cd"}, {"bytes": 5, "sha256": "cd"}, {"bytes": 3, "sha256": "ab"}]
>>> kept, recorded, said = new_inputs(fresh, ids, earlier)
>>> [i.path for i in kept], [r["file"] for r in recorded]
(['x.csv'], ['crm.csv', 'x.csv'])
>>> said[0]
'./x.csv: skipped: the same file as x.csv (same size and content), given before it'
"""

from __future__ import annotations

import stat
from pathlib import Path

from ..job import Input
from ..parallel import side_by_side
from .state import file_digest


def identify(inputs: list[Input]) -> list[dict | None]:
    """The size and SHA-256 of each input file (two at a time); None for standard input or
    what is not a readable regular file (the reader says what is wrong with it)."""

    def one(path: str) -> dict | None:
        try:
            if path == "-" or not stat.S_ISREG(Path(path).stat().st_mode):
                return None
            return file_digest(Path(path))
        except OSError:
            return None

    return side_by_side(*(lambda p=i.path: one(p) for i in inputs))


def _key(ident: dict, sheet: str | None) -> tuple:
    return ident.get("bytes"), ident.get("sha256"), sheet  # one sheet of a workbook is not all


def new_inputs(
    inputs: list[Input], ids: list[dict | None], earlier: list | None
) -> tuple[list[Input], list[dict], list[str]]:
    """(the inputs to read, every input the master will hold — *earlier*'s and these —, a
    line per input skipped): an input whose content (*ids*: ``identify``) the master holds
    already, or that this command gives twice, is skipped."""
    recorded = [e for e in earlier or [] if isinstance(e, dict) and e.get("sha256")]
    seen = {_key(e, e.get("sheet")): (str(e.get("file")), True) for e in recorded}
    kept, said = [], []
    for given, ident in zip(inputs, ids):
        if ident is None:
            kept.append(given)
            continue
        key = _key(ident, given.sheet)
        if key in seen:
            other, before = seen[key]
            where = "already in the previous master" if before else "given before it"
            said.append(
                f"{given.path}: skipped: the same file as {other} (same size and content), {where}"
            )
            continue
        seen[key] = (given.path, False)
        kept.append(given)
        recorded.append(
            {"file": given.path, **({"sheet": given.sheet} if given.sheet else {}), **ident}
        )
    return kept, recorded, said
