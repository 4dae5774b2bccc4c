"""One run at a time on an output, and what a killed or interrupted run leaves behind.

``session(lock, ...)`` wraps a job that writes:

- **locks** — an exclusive ``fcntl.flock`` on the output it writes (a master folder, a
  table), a shared one on what it reads of another run (a ``--previous`` master). A second
  run on the same output fails at once (exit 2, "another enrich run is writing …"), never
  interleaves. The lock is a file *beside* the output (``.NAME.lock`` in its parent), since
  the output itself is replaced by a rename; the kernel releases it when the process dies,
  so a killed run leaves no stale lock (only the empty file, which the next run reuses and
  removes).
- **debris** — under the exclusive lock, temporaries of earlier, killed runs for that output
  (``.NAME.XXXXXXXX.tmp`` / ``.old`` beside it, holding personal data) are removed: they
  cannot belong to a live run. A master folder that a kill between two renames left only as
  ``.NAME.XXXXXXXX.old`` is put back first.
- **inputs** — a FIFO, device or socket given as an input would hang or never end: refused
  up front (``-`` reads standard input).
- **interrupts** — Ctrl-C (SIGINT; SIGTERM too, once ``on_terminate`` is installed) becomes
  ``Interrupted`` (exit 130, or 143 for SIGTERM), whose message says truly what was written:
  the outputs' files are compared with what they were when the session began.

``fault(point)`` is the fault-injection tests' hook, read in this one place:
``ENRICH_FAULT_AT="POINT[:SIGNAL],…"`` makes the process send itself SIGNAL (KILL, INT, TERM,
STOP) when it reaches POINT; a POINT without a signal only answers True (a switch). The
points: ``locked`` (the locks taken, nothing read), ``wrote:NAME`` (a file renamed into
place, in a master's temporary folder or beside the output), ``filled`` (a master's folder
written, not yet in place), ``between-renames`` (the old folder set aside, the new not yet
in; only without ``exchange`` — the switch ``no-exchange``), ``swapped`` (the new folder in,
the old not yet removed).

>>> stale(".master.k2j4_x9a.tmp", "master"), stale(".master.rejects.csv.k2j4_x9a.tmp", "master")
(True, False)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import EnrichError, InputError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM
SIGNALS = {
    "KILL": signal.SIGKILL,
    "INT": signal.SIGINT,
    "TERM": signal.SIGTERM,
    "STOP": signal.SIGSTOP,  # a test holds the run there, to start another beside it
}
HELD = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be: the same clean-up runs."""


class Interrupted(EnrichError):
    """A run stopped by a signal; its message says what was written."""

    def __init__(self, message: str, terminated: bool = False) -> None:
        super().__init__(message)
        self.exit_code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED


def on_terminate(signum, frame) -> None:
    """A SIGTERM handler (``signal.signal(signal.SIGTERM, on_terminate)``, the program's)."""
    raise Terminated()


def fault(point: str) -> bool:
    """The test hook (see the module's doc): kill this process at *point* if asked."""
    for asked in os.environ.get("ENRICH_FAULT_AT", "").split(","):
        name, _, how = asked.rpartition(":")
        if how not in SIGNALS:
            name, how = asked, ""
        if name == point:
            if how:
                os.kill(os.getpid(), SIGNALS[how])
            return True
    return False


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends — a few renames that belong together —
    and then take effect as they would have (in the main thread; elsewhere, no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    saved = {n: signal.signal(n, lambda n, f: caught.append(n)) for n in HELD}
    try:
        yield
    finally:
        for n, handler in saved.items():
            signal.signal(n, handler)
        for n in caught:
            signal.raise_signal(n)


def stale(name: str, output: str) -> bool:
    """Is the file *name* a temporary (``.tmp``) or set-aside (``.old``) copy of *output*,
    as ``tempfile`` names them beside it?"""
    return re.fullmatch(rf"\.{re.escape(output)}\.[A-Za-z0-9_]{{8}}\.(tmp|old)", name) is not None


def _where(path: Path) -> Path:
    return Path(os.path.abspath(path))


def lock_file(path: str | Path) -> Path:
    """The lock file of the output *path*: ``.NAME.lock`` in its (real) parent folder."""
    path = _where(path)
    return Path(os.path.realpath(path.parent)) / f".{path.name}.lock"


@contextlib.contextmanager
def locked(path: str | Path, *, shared: bool = False) -> Iterator[None]:
    """Hold the lock of *path* (exclusive: to write it; shared: to read it) — or fail at once.
    The lock file is removed by the last holder (under an exclusive lock, so that no one
    holds a lock on a file no longer there); a killed run's is reused by the next."""
    where = lock_file(path)
    fd = _take(where, path, shared)
    if fd is None:  # a read-only place: nothing can write it either
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the last one: it goes
            os.unlink(where)
        os.close(fd)  # releases the lock


def _take(where: Path, path: str | Path, shared: bool) -> int | None:
    """An open file descriptor holding the lock file *where* locked."""
    while True:
        try:
            if not shared:
                where.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(where, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            if shared and where.parent.is_dir():
                return None
            raise disk_error(exc, where.parent) or exc from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                "another enrich run is writing this; try again when it is done", file=str(path)
            ) from None
        with contextlib.suppress(OSError):
            if os.stat(where).st_ino == os.fstat(fd).st_ino:
                return fd
        os.close(fd)  # removed by its last holder meanwhile: take the new one


def sweep(output: str | Path) -> list[str]:
    """Remove what killed runs left beside *output* (call it holding the output's lock): a
    master folder left only as its ``.old`` copy is restored first. The names removed."""
    output = _where(output)
    if not output.parent.is_dir():
        return []
    left = sorted(
        (p for p in output.parent.iterdir() if stale(p.name, output.name)),
        key=lambda p: p.lstat().st_mtime_ns,
    )
    olds = [p for p in left if p.suffix == ".old"]
    if olds and not os.path.lexists(output):
        os.rename(olds[-1], output)  # the newest set-aside copy: the last whole output
        left.remove(olds[-1])
    for p in left:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    return [p.name for p in left]


def check_inputs(paths: Iterable[str | None]) -> None:
    """Refuse an input that is not a regular file (``-`` is standard input): reading a FIFO
    with no writer waits for ever, and a device never ends."""
    for path in paths:
        if not path or path == "-":
            continue
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue  # said by the reader, which names the file
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise InputError(
                "not a regular file (a FIFO, device or socket); give '-' to read standard input",
                file=str(path),
            )


def check_outputs(paths: Iterable[Path]) -> None:
    """Refuse to replace something that is neither a regular file nor a folder (a device, a
    FIFO: as root, ``-o /dev/null`` would replace the device with a file)."""
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", file=str(path)) from None
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise InputError("the output exists and is not a regular file", file=str(path))


DISK_ERRORS = {
    "ENOSPC": "no space left on the disk",
    "EDQUOT": "the disk quota is exceeded",
    "EROFS": "read-only file system",
    "EACCES": "permission denied",
    "EPERM": "permission denied",
    "EFBIG": "file too large for the file system",
}


class DiskError(InputError):
    """An output that cannot be written where it was asked: a full or read-only disk."""

    def __init__(self, what: str, where: str | Path) -> None:
        self.what = what
        super().__init__(f"cannot write: {what}", file=str(where))


def disk_error(exc: BaseException, where: str | Path) -> DiskError | None:
    """The one-line error (exit 2) for a failed write the user can fix — a full or
    read-only disk, no permission — else None. Polars says these in its own exceptions'
    text, or not at all (a Parquet write to a full disk fails as "Invalid thrift"): a disk
    with no space left is then taken as the reason."""
    import errno

    if isinstance(exc, DiskError):
        return DiskError(exc.what, where)
    if not isinstance(exc, Exception):
        return None
    code = getattr(exc, "errno", None)
    for name, what in DISK_ERRORS.items():
        if code == getattr(errno, name) or os.strerror(getattr(errno, name)) in str(exc):
            return DiskError(what, where)
    folder = Path(where)
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    with contextlib.suppress(OSError):
        if os.statvfs(folder).f_bavail == 0:
            return DiskError(DISK_ERRORS["ENOSPC"], where)
    return None


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def interrupted(outputs: list[Path], before: list, terminated: bool) -> Interrupted:
    """What an interrupt stopped: the outputs that were replaced since *before*, and those
    that were not."""
    written = [str(p) for p, was in zip(outputs, before) if _stamp(p) != was]
    kept = [str(p) for p, was in zip(outputs, before) if _stamp(p) == was]
    if not written:
        return Interrupted("interrupted: nothing was written", terminated)
    if not kept:
        return Interrupted(f"interrupted after writing {', '.join(written)}", terminated)
    return Interrupted(
        f"interrupted while writing: {', '.join(written)} written, {', '.join(kept)} not "
        "(an incomplete set: run the command again)",
        terminated,
    )


@contextlib.contextmanager
def session(
    lock: str | Path,
    outputs: Iterable[str | Path] | None = None,
    *,
    reads: Iterable[str | None] = (),
    inputs: Iterable[str | None] = (),
    say: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Run a job that writes *outputs* (default: *lock* itself) under the exclusive lock of
    *lock* and shared locks of the folders it *reads*; *inputs* are checked first. Earlier
    runs' debris is swept (and said); an interrupt raises ``Interrupted``."""
    outputs = [Path(p) for p in (outputs if outputs is not None else [lock])]
    reads = [p for p in reads if p]
    lock_at = os.path.realpath(lock)  # a read of the output itself is refused by the job
    check_inputs([*inputs, *reads])
    check_outputs(outputs)
    with contextlib.ExitStack() as held:
        for path in reads:  # a master a kill left set aside is put back before it is read
            if not os.path.lexists(path) and os.path.realpath(path) != lock_at:
                with locked(path):
                    sweep(path)
        for path in sorted({os.path.realpath(p) for p in reads} - {lock_at}):
            held.enter_context(locked(path, shared=True))
        held.enter_context(locked(lock))
        removed = [name for p in outputs for name in sweep(p)]
        if removed and say:
            say(f"removed {len(removed)} temporary copies left by an interrupted run")
        fault("locked")
        before = [_stamp(p) for p in outputs]
        try:
            yield
        except KeyboardInterrupt as exc:
            raise interrupted(outputs, before, isinstance(exc, Terminated)) from None
