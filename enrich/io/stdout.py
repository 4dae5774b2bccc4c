"""``-o -``: the table a command makes, written to standard output, for a pipe.

Only the table goes to stdout; every other line goes to stderr. Files that would sit beside
the table (rejects, run.json, review …) are not written — a command says on stderr how many
rows it left out that way, so no row is lost silently (`enrich clean` writes its rejects
with ``--rejects FILE``). CSV is the default; Parquet and XLSX are binary, written only
when stdout is not a terminal. A reader that goes away (``| head``) ends the run quietly:
``cli.handle_errors`` exits 141, as git does.
"""

from __future__ import annotations

import errno
import io
import sys

import polars as pl

from ..errors import InputError

STDOUT = "-"


def is_stdout(out) -> bool:
    """Whether the output *out* (a path, a string or None) is standard output."""
    return out is not None and str(out) == STDOUT


def write_stdout(frame: pl.DataFrame, fmt: str, *, excel: bool = False) -> None:
    """*frame* as *fmt* on standard output (CSV formula-guarded, as in a file)."""
    from .write import neutralise, table_writer

    stream = sys.stdout.buffer
    if fmt != "csv" and stream.isatty():
        raise InputError(
            f"-o - with --format {fmt}: not to a terminal; redirect standard output "
            "(> file, | tool) or write CSV"
        )
    try:
        sys.stdout.flush()
        if fmt == "csv":
            if excel:
                stream.write(b"\xef\xbb\xbf")
            neutralise(frame).write_csv(stream, quote_style="necessary", null_value="")
        else:
            buffer = io.BytesIO()
            table_writer(frame, fmt, sheet="data")(buffer)
            stream.write(buffer.getvalue())
        stream.flush()
    except OSError as exc:  # polars says a closed pipe in its own words
        if exc.errno == errno.EPIPE or f"os error {errno.EPIPE})" in str(exc):
            raise BrokenPipeError(errno.EPIPE, "standard output closed") from None
        raise


def left_out(rows: int, what: str, hint: str = "") -> str | None:
    """The stderr line of the *rows* of *what* (rejects …) that ``-o -`` did not write."""
    if not rows:
        return None
    return f"-o -: {rows} {what} not written{hint}"
