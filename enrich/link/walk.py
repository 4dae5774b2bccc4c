"""`enrich review`: a steward walks the undecided pairs of a review.csv in the terminal, one
screen per pair — the two records side by side, each field's verdict — and answers with one
key: m (match), n (no match), s (skip), u (undo), q (quit).

Every answer is written at once (atomically) to the decisions file, in the order given: a
quit, a Ctrl-C or a closed terminal loses nothing, and a second run resumes at the first
pair the file does not hold. The file holds ``DECISION_COLUMNS`` — what ``enrich master
--decisions`` reads; a skipped pair is a blank decision there (counted as blank).

>>> verdict(5.73), verdict(-7.3), verdict(0.0), verdict(None)
('agrees', 'differs', '-', '-')
>>> same("Laurence Fournier", "laurence fournier"), same("a", None), same("a", "b")
('same', '-', 'differs')
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..io.read import unguard
from ..io.write import write_table
from ..master.decisions import DECISION_COLUMNS

PAIR = DECISION_COLUMNS[:-1]  # a pair: its level and both sides
KEYS = {"m": "match", "n": "no_match", "s": ""}  # s: skipped, a blank decision
HELP = "[m] match   [n] no match   [s] skip   [u] undo   [q] quit"


def default_out(review: Path) -> Path:
    """Where the decisions go without -o: beside the folder of a run's review.csv
    (``out/master.decisions.csv``: not inside the master, which a run replaces whole),
    else beside the file (``pairs.decisions.csv``)."""
    if (review.parent / "run.json").exists():
        return review.parent.parent / f"{review.parent.name}.decisions.csv"
    return review.with_name(f"{review.stem}.decisions.csv")


def load(review: Path) -> pl.DataFrame:
    """The pairs of a review.csv, every cell as text (the formula guard taken off)."""
    try:
        frame = unguard(pl.read_csv(review, infer_schema=False, encoding="utf8-lossy"))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(
            f"cannot read it as a review.csv ({type(exc).__name__})", file=str(review)
        ) from None
    missing = [c for c in DECISION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"not a review.csv: missing {', '.join(missing)}", file=str(review)
        ) from None
    return frame.with_columns(pl.col("decision").fill_null(""))


def answered(out: Path, review: pl.DataFrame) -> pl.DataFrame:
    """The decisions written so far (a new file: those review.csv holds already)."""
    if out.exists():
        try:
            done = pl.read_csv(out, infer_schema=False)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise InputError(
                f"cannot read the decisions ({type(exc).__name__})", file=str(out)
            ) from None
        if done.columns != DECISION_COLUMNS:
            raise InputError("not a decisions file enrich review wrote", file=str(out)) from None
        return done.with_columns(pl.col("decision").fill_null(""))
    return review.filter(pl.col("decision").str.strip_chars() != "").select(DECISION_COLUMNS)


def next_pair(review: pl.DataFrame, done: pl.DataFrame) -> int | None:
    """The index of the first pair of *review* that *done* does not answer."""
    left = review.with_row_index("_i").join(done.select(PAIR), on=PAIR, how="anti")
    return None if left.height == 0 else int(left["_i"].min())


def verdict(weight: float | None) -> str:
    """A field's verdict from its match weight: evidence for, against, or none."""
    if weight is None or abs(weight) < 0.05:
        return "-"
    return "agrees" if weight > 0 else "differs"


def same(a: str | None, b: str | None) -> str:
    """Two key fields compared as a person reads them (any case, spaces trimmed)."""
    if not a or not b:
        return "-"
    return "same" if a.strip().casefold() == b.strip().casefold() else "differs"


def screen(row: dict, at: int, total: int, done: pl.DataFrame, width: int) -> str:
    """The text of one pair's screen, at most *width* columns wide: the key fields of both
    records (``a_*``, ``b_*``), then each compared field with its weight (``w_*``)."""
    col = max(12, (width - 41) // 2)  # beside: 2 + 18 + 2 spaces + verdict 8 + 1 + weight 7

    def line(name: str, a, b, said: str) -> str:
        cells = [("" if v is None else str(v))[:col] for v in (a, b)]
        return f"  {name[:18]:18} {cells[0]:{col}} {cells[1]:{col}} {said}".rstrip()

    decided = int((done["decision"] != "").sum())
    lines = [
        f"enrich review: pair {at + 1} of {total} ({decided} decided, "
        f"{done.height - decided} skipped)   {row['level']}   probability "
        f"{row.get('match_probability') or '?'}   weight {row.get('match_weight') or '?'}",
        "",
        line(
            "",
            f"A {row['source_file_l']}:{row['source_row_l']}",
            f"B {row['source_file_r']}:{row['source_row_r']}",
            "verdict",
        ),
    ]
    for key in [c[2:] for c in row if c.startswith("a_") and f"b_{c[2:]}" in row]:
        a, b = row[f"a_{key}"], row[f"b_{key}"]
        lines.append(line(key, a, b, same(a, b)))
    lines += ["", "  evidence (the model's per-field weights)"]
    for field in [c[2:] for c in row if c.startswith("w_") and row[c] not in (None, "")]:
        weight = float(row[f"w_{field}"])
        said = f"{verdict(weight):8} {weight:+.2f}"
        lines.append(line(field, row.get(f"{field}_l"), row.get(f"{field}_r"), said))
    return "\n".join([*lines, "", HELP])


def walk(
    review_path: Path,
    out: Path,
    key: Callable[[], str],
    show: Callable[[str], None],
) -> tuple[int, int, bool]:
    """Walk the undecided pairs of *review_path*, writing each answer to *out* at once.
    *key* reads one key, *show* draws a screen. (pairs, answered, every pair answered)."""
    review = load(review_path)
    done = answered(out, review)
    while (at := next_pair(review, done)) is not None:
        width = _width()
        show(screen(review.row(at, named=True), at, review.height, done, width))
        try:
            pressed = key().lower()
        except (KeyboardInterrupt, EOFError):  # Ctrl-C, Ctrl-D: as q, every answer is kept
            break
        if pressed == "q":
            break
        if pressed == "u":
            if done.height:
                done = done.head(-1)
                write_table(done, out, "csv")
            continue
        if pressed not in KEYS:
            continue
        answer = review[at].select(PAIR).with_columns(pl.lit(KEYS[pressed]).alias("decision"))
        done = pl.concat([done, answer])
        write_table(done, out, "csv")
    return review.height, done.height, next_pair(review, done) is None


def _width() -> int:
    """The terminal's width (the terminal's own, not a COLUMNS a parent process left)."""
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 120


@contextlib.contextmanager
def keys() -> Iterator[Callable[[], str]]:
    """A reader of single keys. On POSIX the terminal stays in cbreak mode the whole walk,
    so keys typed ahead are kept (click.getchar sets raw mode per key, dropping them);
    elsewhere click.getchar."""
    try:
        import termios
        import tty
    except ImportError:  # Windows
        import click

        yield click.getchar
        return
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    try:
        yield lambda: os.read(fd, 1).decode("utf-8", "replace") or "q"  # end of input: quit
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, before)
