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
_running: set[ThreadPoolExecutor] = set()  # pools not yet joined


def side_by_side(*steps: Callable[[], Any], workers: int = WORKERS) -> list[Any]:
    """The results of *steps*, in order, run in up to *workers* threads at once."""
    if len(steps) <= 1 or workers <= 1:
        return [step() for step in steps]
    with _threads(min(workers, len(steps))) as pool:
        futures = [pool.submit(step) for step in steps]
        return [f.result() for f in futures]  # the pool's exit joins every thread


@contextlib.contextmanager
def beside(step: Callable[[], T] | None) -> Iterator[Future[T] | None]:
    """Run *step* in one thread while the ``with`` block runs; joined when it ends. Read its
    result with ``.result()`` (inside the block, it waits). ``None`` runs nothing."""
    if step is None:
        yield None
        return
    with _threads(1) as pool:
        yield pool.submit(step)


@contextlib.contextmanager
def _threads(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool whose threads are all joined when the block ends — even when a Ctrl-C
    comes while they are being joined (it is raised after): a step must not outlive the
    call that started it (it may be writing into a folder an interrupt then removes). After
    an interrupt, the steps not yet started are cancelled (after a failure, they run)."""
    pool = ThreadPoolExecutor(max_workers=workers)
    _running.add(pool)
    try:
        yield pool
    except BaseException as exc:  # what the block raised goes on; a second Ctrl-C with it
        _join(pool, cancel=isinstance(exc, KeyboardInterrupt))
        raise
    stopped = _join(pool, cancel=False)
    if stopped is not None:
        raise stopped


def _join(pool: ThreadPoolExecutor, cancel: bool) -> KeyboardInterrupt | None:
    """Join *pool*'s threads, waiting through interrupts; the last interrupt, if any."""
    stopped = None
    while True:
        try:
            pool.shutdown(wait=True, cancel_futures=cancel or stopped is not None)
            _running.discard(pool)
            return stopped
        except KeyboardInterrupt as exc:
            stopped = exc


def settle() -> None:
    """Join every pool still running, waiting through interrupts. A second Ctrl-C can come
    between a ``with`` block's end and the join of its pool (polars passes one on from its
    own work): a caller about to remove the folder its steps write into settles first."""
    for pool in list(_running):
        _join(pool, cancel=True)
