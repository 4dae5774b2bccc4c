"""What a long run shows on stderr as it goes (the CLI's side of ``enrich.progress``).

On a terminal: a live ``rich`` display, a line per stage with a bar (files read of all),
its rows and its elapsed time, then a summary table. Elsewhere (a pipe, a log file, CI): one
plain line per stage as it ends, and the summary as plain text. With ``--quiet``: nothing
but what a person must read (warnings) and errors.

>>> import io
>>> err = io.StringIO()
>>> view = Plain(err)
>>> from enrich import progress
>>> with progress.using(view), progress.stage("read", total=2) as step:
...     step.advance(rows=40)
...     step.advance(rows=60)
>>> print(err.getvalue(), end="")
stage read: 2 of 2 files, 100 rows, 0... seconds
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from .progress import Progress, Stage

FIGURES = {  # the summary's figures, in this order, as a person reads them
    "rows_in": "rows in",
    "rows_out": "rows out",
    "records": "records",
    "companies": "master companies",
    "contacts": "master contacts",
    "rejected": "rejected",
    "review_pairs": "review pairs",
}


def _rows(stage: Stage) -> str:
    parts = [f"{stage.done} of {stage.total} files"] if stage.total is not None else []
    if stage.rows is not None:
        parts.append(f"{stage.rows:,} rows")
    return ", ".join(parts)


class Quiet(Progress):
    """``--quiet``: the stages are kept for nobody; warnings still go to stderr."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.began = time.perf_counter()

    def say(self, line: str) -> None:
        """A line for a person watching: not for a quiet run."""

    def warn(self, line: str) -> None:
        """A line even a quiet run says."""
        print(line, file=self.stream or sys.stderr, flush=True)

    def summary(self) -> None:
        """The figures and the seconds per stage: not for a quiet run."""

    def close(self) -> None:
        """Stop showing."""


class Plain(Quiet):
    """Not a terminal: a line per stage as it ends (``stage read: 3 of 3 files, 130 rows,
    0.21 seconds``) and the summary as plain text."""

    say = Quiet.warn

    def ended(self, stage: Stage) -> None:
        rows = _rows(stage)
        self.warn(f"stage {stage.name}: {rows + ', ' if rows else ''}{stage.seconds:.2f} seconds")

    def summary(self) -> None:
        lines = ["summary:"]
        lines += [f"  {FIGURES[k]:<18}{self.figures[k]:>10,}" for k in FIGURES if k in self.figures]
        lines.append(f"  {'stage':<18}{'rows':>10}{'seconds':>10}")
        for s in self.stages:
            rows = f"{s.rows:,}" if s.rows is not None else ""
            lines.append(f"  {s.name:<18}{rows:>10}{s.seconds:>10.2f}")
        lines.append(f"  {'total (wall)':<18}{'':>10}{time.perf_counter() - self.began:>10.2f}")
        self.warn("\n".join(lines))


class Live(Quiet):
    """A terminal: rich's live display on stderr, a task per stage; what the run says is
    printed above it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        super().__init__(stream)
        self.console = Console(file=stream or sys.stderr, stderr=stream is None)
        self.live = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description:<16}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[counts]:<28}"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.tasks: dict[int, int] = {}
        self.live.start()

    def say(self, line: str) -> None:
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    warn = say

    def started(self, stage: Stage) -> None:
        self.tasks[id(stage)] = self.live.add_task(stage.name, total=stage.total, counts="")

    def advanced(self, stage: Stage) -> None:
        self.live.update(self.tasks[id(stage)], completed=stage.done, counts=_rows(stage))

    def ended(self, stage: Stage) -> None:
        total = stage.total if stage.total else 1
        self.live.update(
            self.tasks.pop(id(stage)), total=total, completed=total, counts=_rows(stage)
        )

    def summary(self) -> None:
        from rich.table import Table

        self.live.stop()
        table = Table(title="summary", title_justify="left")
        table.add_column("")
        table.add_column("rows", justify="right")
        table.add_column("seconds", justify="right")
        for key, label in FIGURES.items():
            if key in self.figures:
                table.add_row(label, f"{self.figures[key]:,}", "")
        table.add_section()
        for s in self.stages:
            table.add_row(s.name, f"{s.rows:,}" if s.rows is not None else "", f"{s.seconds:.2f}")
        table.add_section()
        table.add_row("total (wall)", "", f"{time.perf_counter() - self.began:.2f}")
        self.console.print(table)

    def close(self) -> None:
        self.live.stop()


def is_terminal(stream: TextIO) -> bool:
    """A person is watching *stream*: a terminal that can draw (not TERM=dumb)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


@contextlib.contextmanager
def shown(quiet: bool) -> Iterator[Quiet]:
    """The view of a command's run: quiet, live on a terminal, else plain lines; the
    summary at the end of a run that ended well, and the live display stopped in any case."""
    view = Quiet() if quiet else Live() if is_terminal(sys.stderr) else Plain()
    try:
        yield view
        view.summary()
    finally:
        view.close()
