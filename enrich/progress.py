"""Progress of a run, as events: the library says where it is, a view (the CLI's
``enrich.terminal``) shows it. Nothing here prints: without a view a run is silent.

A stage is a named step (``read``, ``normalise``, ``link company``, ``write`` …) with rows and,
when it is known, a count of items to go through (the files to read). The pipeline makes the
view of a run current (``using``); the stages deep in the library (``stage``) find it there,
so no function between them needs a parameter for it. A thread started inside a run sees no
view: what it does is part of the stage that waits for it.

>>> seen = Progress()
>>> with using(seen):
...     with stage("read", total=2) as s:
...         s.advance(rows=10)
...         s.advance(rows=5)
...     tell(rows_in=15)
>>> [(s.name, s.done, s.rows) for s in seen.stages], seen.figures
([('read', 2, 15)], {'rows_in': 15})
>>> with stage("read") as s:  # no view: nothing is kept
...     s.advance(rows=3)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Stage:
    """One step of a run, as it goes: *done* of *total* items, *rows* so far, *seconds*
    once it ended."""

    name: str
    total: int | None = None
    done: int = 0
    rows: int | None = None
    seconds: float | None = None
    started: float = field(default_factory=time.perf_counter, repr=False)
    view: Progress | None = field(default=None, repr=False)

    def advance(self, n: int = 1, rows: int | None = None) -> None:
        """*n* more items done, holding *rows* more rows."""
        self.done += n
        if rows is not None:
            self.rows = (self.rows or 0) + rows
        if self.view is not None:
            self.view.advanced(self)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class Progress:
    """A view of a run: it keeps the stages and the figures the run tells (rows in, master
    rows …). Subclasses show them (``started``, ``advanced``, ``ended``)."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.figures: dict[str, int] = {}

    def begin(self, name: str, total: int | None = None, rows: int | None = None) -> Stage:
        step = Stage(name, total, rows=rows, view=self)
        self.started(step)
        return step

    def end(self, step: Stage) -> None:
        step.seconds = step.elapsed()
        self.stages.append(step)
        self.ended(step)

    def started(self, stage: Stage) -> None:
        """A stage began."""

    def advanced(self, stage: Stage) -> None:
        """A stage moved on."""

    def ended(self, stage: Stage) -> None:
        """A stage ended (``stage.seconds`` set)."""


class _Silent(Progress):
    """No view: stages are timed for nobody and not kept."""

    def begin(self, name: str, total: int | None = None, rows: int | None = None) -> Stage:
        return Stage(name, total, rows=rows)


_SILENT = _Silent()
_current: ContextVar[Progress] = ContextVar("progress", default=_SILENT)


@contextlib.contextmanager
def using(view: Progress | None) -> Iterator[Progress]:
    """Make *view* the current one while the block runs (None: stay silent)."""
    token = _current.set(view or _SILENT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def begin(name: str, total: int | None = None, rows: int | None = None) -> Stage:
    """A stage of the current run begins (``end`` it)."""
    return _current.get().begin(name, total, rows)


def end(step: Stage, rows: int | None = None) -> None:
    """*step* is done, with *rows* rows (if not counted as it went)."""
    if rows is not None:
        step.rows = rows
    if step.view is not None:
        step.view.end(step)


@contextlib.contextmanager
def stage(name: str, total: int | None = None, rows: int | None = None) -> Iterator[Stage]:
    """A stage of the current run, for the block's time (yields its ``Stage``)."""
    step = begin(name, total, rows)
    yield step
    end(step)


def tell(**figures: int) -> None:
    """The run's figures for the summary at its end (rows_in, rejected, review_pairs …)."""
    view = _current.get()
    if view is not _SILENT:
        view.figures.update(figures)
