"""Tables a person opens in Excel, written as real XLSX (xlsxwriter): text stays text.

Every text cell is written with ``write_string``: a postcode ``02000``, a phone
``+32475123456``, a VAT number ``BE0403170701`` or a value starting with ``=`` keeps its
characters — never turned into a number, a date, scientific notation or a formula (so no
formula guard is needed, unlike CSV). Numbers, dates and booleans are typed cells; an
integer Excel cannot hold exactly (more than 15 digits) is written as text. The header row
is bold and frozen, with a filter; columns are as wide as their values (capped).

>>> import io, polars as pl
>>> buf = io.BytesIO()
>>> write_xlsx(pl.DataFrame({"postcode": ["02000"], "n": [3]}), buf)
>>> pl.read_excel(buf).row(0)
('02000', 3)
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from ..errors import InputError

MAX_ROWS = 1_048_576  # Excel's limit, the header row included
MAX_WIDTH = 60  # characters: a long column stays readable
EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number


def write_xlsx(frame: pl.DataFrame, target: str | Path | io.BytesIO, sheet: str = "data") -> None:
    """*frame* as one sheet of an XLSX workbook at *target* (a path or a binary buffer)."""
    import xlsxwriter

    if frame.height >= MAX_ROWS:
        raise InputError(
            f"{frame.height} rows do not fit in an XLSX sheet (at most {MAX_ROWS - 1}): "
            "write CSV or Parquet"
        )
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,  # rows streamed to disk; strings inline (t="inlineStr")
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet_ = workbook.add_worksheet(_sheet_name(sheet))
    bold = workbook.add_format({"bold": True})
    formats = {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    frame = _plain(frame)
    for col, width in enumerate(_widths(frame)):
        sheet_.set_column(col, col, width)
    sheet_.freeze_panes(1, 0)
    for col, name in enumerate(frame.columns):
        sheet_.write_string(0, col, name, bold)
    if frame.width:
        sheet_.autofilter(0, 0, frame.height, frame.width - 1)
    cells = [_cell_writer(sheet_, dtype, formats) for dtype in frame.dtypes]
    for row, values in enumerate(frame.iter_rows(), start=1):
        for col, value in enumerate(values):
            if value is not None and cells[col](row, col, value) == -2:
                raise InputError(
                    f"row {row}, column {frame.columns[col]}: a value longer than Excel's "
                    "32767 characters; write CSV or Parquet"
                )
    workbook.close()


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs as text; time-zoned datetimes as text (Excel has no time zones)."""
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone
        else pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(", ")
        if isinstance(dtype, pl.List)
        else pl.col(name).struct.json_encode()
        for name, dtype in frame.schema.items()
        if isinstance(dtype, (pl.List, pl.Struct))
        or (isinstance(dtype, pl.Datetime) and dtype.time_zone)
    )


def _cell_writer(sheet, dtype: pl.DataType, formats: dict):
    """The function writing one value of a column of *dtype* (text, the default)."""
    if dtype.is_integer():
        return lambda r, c, v: (
            sheet.write_number(r, c, v)
            if abs(v) < 10**EXACT_DIGITS
            else sheet.write_string(r, c, str(v))
        )
    if dtype.is_float():
        return lambda r, c, v: (
            sheet.write_number(r, c, v) if v == v and abs(v) != float("inf") else None
        )
    if dtype == pl.Boolean:
        return sheet.write_boolean
    if dtype == pl.Date:
        return lambda r, c, v: sheet.write_datetime(r, c, v, formats["date"])
    if isinstance(dtype, pl.Datetime) and not dtype.time_zone:
        return lambda r, c, v: sheet.write_datetime(r, c, v, formats["datetime"])
    return lambda r, c, v: sheet.write_string(r, c, v if isinstance(v, str) else _text(v))


def _text(value) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


def _widths(frame: pl.DataFrame) -> list[float]:
    """Each column's width in characters: its longest value or header, within bounds."""
    if not frame.width:
        return []
    longest = frame.head(10_000).select(
        pl.col(name).cast(pl.String).str.len_chars().max().fill_null(0) for name in frame.columns
    )
    return [
        min(MAX_WIDTH, max(len(name), int(longest[name][0] or 0), 4) + 2) for name in frame.columns
    ]


def _sheet_name(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return cleaned[:31] or "data"
