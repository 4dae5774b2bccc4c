"""Errors that point at the data: file, row and column, never the values themselves.

>>> str(InputError("ragged row: 12 fields, the header has 10", file="leads.csv", row=3))
'leads.csv: row 3: ragged row: 12 fields, the header has 10'
>>> str(InputError("no recognisable column", file="x.csv"))
'x.csv: no recognisable column'
"""

from __future__ import annotations

# Exit codes, documented in `enrich --help` and the README.
EXIT_OK = 0
EXIT_FAILED = 1  # the job ran, but a gate failed (e.g. `--strict` with rejects)
EXIT_INPUT = 2  # usage error, unreadable input or rules file
EXIT_INTERNAL = 3  # a bug: please report it


class EnrichError(Exception):
    """Base class: a problem the user can fix, reported as one line."""

    exit_code = EXIT_INPUT


class InputError(EnrichError):
    """An input file (or rules file) that cannot be used as it is."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message, self.file, self.row, self.column = message, file, row, column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [p for p in (self.file,) if p]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ": ".join([*where, self.message])
