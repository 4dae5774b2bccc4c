"""A steward's decisions file (``--decisions``: a filled review.csv, or any table with its
columns), read liberally and accounted for strictly.

Liberally: any file the contact reader takes (encodings, delimiters, Excel); the decision
and the level in any case and accents, in the words of rules/decisions.toml (English,
French, Dutch, German: "Match", "no_match", "oui", "nee", "même" …); the decision in
review.csv's ``decision`` column or a yes/no column of another name ("same?", "doublon");
row numbers as Excel writes them ("12.0").

Strictly: every row of the file is accounted for — a decision, left blank, decided again by
a later row (the later one counts), or unreadable with its row number and why (a ragged
row, a word the rules do not know, a level that is not one, a row number that is not one).
No value of the file is ever in a reason: only row numbers and column names.

>>> words = _folded({"match": ["Même", "yes"], "no_match": ["no_match"]})
>>> sorted(words.items())
[('meme', 'match'), ('no match', 'no_match'), ('yes', 'match')]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..errors import InputError
from ..io.read import read
from ..normalise.text import fold, fold_py
from ..ruleset import Rules, rules_or_default
from .derive import levels

SIDES = ("source_file_l", "source_row_l", "source_file_r", "source_row_r")
ROW = "decision_row"  # the row of the decisions file (1: the first row under the header)
BLANK = "blank"
UNKNOWN_WORD = "the decision is not a word of rules/decisions.toml [words]"
AGAIN = "decided again by a later row (the later one counts)"


@dataclass
class DecisionFile:
    """The readable decisions of a file (``level``, the two sides, ``decision`` as match /
    no_match, ``decision_row``) and how each of its rows was taken."""

    path: str
    decided: pl.DataFrame
    rows: int = 0
    blank: int = 0
    unreadable: dict[str, list[int]] = field(default_factory=dict)  # reason → rows
    again: list[int] = field(default_factory=list)  # rows a later row decides again

    @property
    def by_level(self) -> dict[str, pl.DataFrame]:
        """Per level: both sides and ``is_match`` (what linking reads)."""
        from .files import decisions_by_level

        names = self.decided["level"].unique().to_list()
        return decisions_by_level(self.decided, sorted(names))

    def reading(self) -> dict:
        """How the rows were read (run.json): rows, decisions, blank, unreadable by reason."""
        return {
            "file": self.path,
            "rows": self.rows,
            "decisions": self.decided.height,
            "blank": self.blank,
            "decided_again": self.again,
            "unreadable": self.unreadable,
        }


def read_decision_file(path: str, rules: Rules | None = None) -> DecisionFile:
    """*path* read as a decisions file (see the module's doc). A file without the columns of
    one is refused; a row that cannot be read is accounted for, never the whole file."""
    rules = rules_or_default(rules)
    table = read(path)[0]
    frame = _named(table.frame, path, rules)
    unreadable: dict[str, list[int]] = {}
    for reject in table.rejects:
        unreadable.setdefault(_plain(reject["reason"]), []).append(int(reject["source_row"]))
    taken = frame.select(pl.col("source_row").alias(ROW), *_parsed(rules)).with_columns(
        _why_not().alias("_why")
    )
    for reason, rows in taken.filter(pl.col("_why").is_not_null()).group_by("_why").agg(ROW).rows():
        if reason != BLANK:
            unreadable.setdefault(reason, []).extend(rows)
    good = taken.filter(pl.col("_why").is_null()).drop("_why")
    good = _one_order_per_pair(good)
    later = good.select(pl.struct("level", *SIDES).is_last_distinct()).to_series()
    return DecisionFile(
        path,
        good.filter(later).select("level", *SIDES, "decision", ROW),
        rows=table.rows_in,
        blank=int((taken["_why"] == BLANK).sum()),
        unreadable={r: sorted(rows) for r, rows in sorted(unreadable.items())},
        again=sorted(good.filter(~later)[ROW].to_list()),
    )


def _plain(reason: str) -> str:
    """A reader's reason without its detail (a ragged row's count of fields stays)."""
    return reason.split(" (", 1)[0]


def _named(frame: pl.DataFrame, path: str, rules: Rules) -> pl.DataFrame:
    """*frame* with its columns named as a decisions file's (headers compared folded), the
    decision column — the first of rules/decisions.toml [columns] present that holds
    anything (review.csv's empty ``decision`` beside a steward's own "same?") — as ``_word``."""
    by_fold: dict[str, str] = {}
    for header in frame.columns:
        by_fold.setdefault(fold_py(header), header)
    wanted = {fold_py(name): name for name in ("level", *SIDES)}
    missing = [name for key, name in wanted.items() if key not in by_fold]
    present = [by_fold[k] for k in map(fold_py, data_columns(rules)) if k in by_fold]
    filled = [c for c in present if (frame[c].str.strip_chars() != "").any()]
    decision = (filled or present or [None])[0]
    if decision is None:
        missing.append("decision")
    if missing:
        raise InputError(f"not a decisions file: missing {', '.join(missing)}", file=path)
    return frame.select(
        "source_row",
        *(pl.col(by_fold[key]).alias(name) for key, name in wanted.items()),
        pl.col(decision).alias("_word"),
    )


def data_columns(rules: Rules) -> list[str]:
    """The headers a decision column may have (rules/decisions.toml [columns] decision)."""
    return list(dict.fromkeys(rules.get("decisions")["columns"]["decision"]))


def _parsed(rules: Rules) -> list[pl.Expr]:
    """The columns read: the level and the decision as their names (null: not a word the
    rules know), files stripped, row numbers as numbers (null: not a row number)."""
    data = rules.get("decisions")
    words = _folded(data["words"])
    names = {level.name: [level.name] for level in levels(rules)}
    for name, spelled in data.get("levels", {}).items():
        if name in names:
            names[name] = [*names[name], *spelled]
    out = [
        fold(pl.col("level")).replace_strict(_folded(names), default=None).alias("level"),
        fold(pl.col("_word")).alias("_word"),
        fold(pl.col("_word")).replace_strict(words, default=None).alias("decision"),
    ]
    for side in ("l", "r"):
        out.append(pl.col(f"source_file_{side}").str.strip_chars().alias(f"source_file_{side}"))
        number = pl.col(f"source_row_{side}").str.strip_chars().cast(pl.Float64, strict=False)
        whole = (number == number.floor()) & (number >= 1) & (number < 2**53)
        out.append(pl.when(whole).then(number.cast(pl.Int64)).alias(f"source_row_{side}"))
    return out


def _folded(lists: dict[str, list[str]]) -> dict[str, str]:
    """{folded word: its name} of rules lists {name: [words]}."""
    return {fold_py(w): name for name, spelled in lists.items() for w in spelled if fold_py(w)}


def _why_not() -> pl.Expr:
    """Why a parsed row is not a decision: blank, or the first thing that cannot be read."""
    why = pl.when(pl.col("_word").is_null()).then(pl.lit(BLANK))
    why = why.when(pl.col("decision").is_null()).then(pl.lit(UNKNOWN_WORD))
    why = why.when(pl.col("level").is_null()).then(
        pl.lit("the level is not one of rules/link.toml's (or rules/decisions.toml [levels])")
    )
    for side in ("l", "r"):
        file, row = f"source_file_{side}", f"source_row_{side}"
        why = why.when(pl.col(file).fill_null("") == "").then(pl.lit(f"{file} is empty"))
        why = why.when(pl.col(row).is_null()).then(pl.lit(f"{row} is not a row number"))
    same = (pl.col("source_file_l") == pl.col("source_file_r")) & (
        pl.col("source_row_l") == pl.col("source_row_r")
    )
    return why.when(same).then(pl.lit("a row paired with itself")).otherwise(None)


def _one_order_per_pair(decided: pl.DataFrame) -> pl.DataFrame:
    """*decided* with the two sides of each pair in one order (the smaller file and row
    left), so that a pair decided twice, either way round, is seen as one."""
    swap = (pl.col("source_file_l") > pl.col("source_file_r")) | (
        (pl.col("source_file_l") == pl.col("source_file_r"))
        & (pl.col("source_row_l") > pl.col("source_row_r"))
    )
    return decided.with_columns(
        pl.when(swap)
        .then(pl.col(f"source_{what}_{b}"))
        .otherwise(pl.col(f"source_{what}_{a}"))
        .alias(f"source_{what}_{a}")
        for what in ("file", "row")
        for a, b in (("l", "r"), ("r", "l"))
    )
