"""Run independent steps side by side — the one place threads are started.

polars, rapidfuzz and numpy release the GIL in their heavy work, so two steps that do not
need each other's result use both cores. Every thread started here is joined before the
call returns (or the ``with`` block ends); the first step that failed raises, after all.

>>> side_by_side(lambda: 1 + 1, lambda: "b")
[2, 'b']
>>> with beside(lambda: sum(range(10))) as total:
...     other = 2 * 3
>>> total.result(), other
(45, 6)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
WORKERS = max(2, os.cpu_count() or 1)


def side_by_side(*steps: Callable[[], Any], workers: int = WORKERS) -> list[Any]:
    """The results of *steps*, in order, run in up to *workers* threads at once."""
    if len(steps) <= 1 or workers <= 1:
        return [step() for step in steps]
    with ThreadPoolExecutor(max_workers=min(workers, len(steps))) as pool:
        futures = [pool.submit(step) for step in steps]
        return [f.result() for f in futures]  # the pool's exit joins every thread


@contextlib.contextmanager
def beside(step: Callable[[], T] | None) -> Iterator[Future[T] | None]:
    """Run *step* in one thread while the ``with`` block runs; joined when it ends. Read its
    result with ``.result()`` (inside the block, it waits). ``None`` runs nothing."""
    if step is None:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(step)
