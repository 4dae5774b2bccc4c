"""Read any contact file into all-string tables, accounting for every row.

CSV (any of ``,`` ``;`` tab ``|``, detected; quoted fields with embedded newlines; UTF-8,
UTF-8 with BOM, UTF-16 with BOM, cp1252/latin-1, detected; gzip-compressed), XLSX (all
sheets, or one), Parquet, JSON (array of objects) and NDJSON; ``-`` reads standard input.

Every value is a string (``0403170701`` and ``01000`` keep their zeros). Each table comes
back with its original headers plus ``source_row`` (1-based data row, as a spreadsheet
shows it: blank lines count) and the rows that could not be used, with a reason.

>>> t = read_bytes(b"Nom;Code postal\\r\\nDupont;01000\\r\\n", "x.csv")[0]
>>> t.frame.rows(), t.info["delimiter"], t.info["encoding"]
([(1, 'Dupont', '01000')], ';', 'utf-8')
>>> read_bytes("Société;Ville\\nCrèche;Liège\\n".encode("cp1252"), "x.csv")[0].frame.row(0)
(1, 'Crèche', 'Liège')
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..normalise.text import FORMULA_START

ROW = "source_row"
DELIMITERS = (";", ",", "\t", "|")
# Excel's own cell limit; longer values are almost always a broken quote or a pasted blob.
MAX_FIELD_CHARS = 32_767

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old binary Office file (.xls/.doc): save it as .xlsx or .csv",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "an executable",
    b"MZ": "an executable",
}


@dataclass
class Table:
    """One table read from one input (a CSV file, or one sheet of a workbook)."""

    name: str  # the `source_file` value: the path as given, plus `#sheet` for workbooks
    frame: pl.DataFrame  # original headers (all String) + `source_row`
    rejects: list[dict] = field(default_factory=list)  # {source_row, column, reason}
    info: dict = field(default_factory=dict)  # format, encoding, delimiter, sheet …

    @property
    def rows_in(self) -> int:
        return self.frame.height + len(self.rejects)


def read(
    path: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_field: int = MAX_FIELD_CHARS,
) -> list[Table]:
    """Read *path* (``-`` for stdin) into one table per sheet."""
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError("file not found", file=path)
        if p.is_dir():
            raise InputError("is a directory, not a file", file=path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=path) from None
        name = path
    return read_bytes(
        data, name, sheet=sheet, encoding=encoding, delimiter=delimiter, max_field=max_field
    )


def read_bytes(
    data: bytes,
    name: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    max_field: int = MAX_FIELD_CHARS,
) -> list[Table]:
    """Read the bytes of one input named *name*; the format comes from content, then extension."""
    if not data.strip():
        raise InputError("empty file", file=name)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"corrupt gzip file: {exc}", file=name) from None
        if not data.strip():
            raise InputError("empty file (after gunzip)", file=name)
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        tables = _read_xlsx(data, name, sheet)
    elif data[:4] == b"PAR1" or suffix == ".parquet":
        tables = [_read_parquet(data, name)]
    elif suffix in (".json", ".ndjson", ".jsonl") or data.lstrip()[:1] in (b"[", b"{"):
        tables = [_read_json(data, name)]
    else:
        for magic, what in _MAGIC.items():
            if data.startswith(magic):
                raise InputError(f"binary file ({what}), not a contact table", file=name)
        tables = [_read_csv(data, name, encoding, delimiter)]
    for table in tables:
        _check_field_lengths(table, max_field)
    return tables


# --- CSV -----------------------------------------------------------------------------------


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode *data*: explicit *encoding*, else BOM, else UTF-8, else cp1252, else latin-1."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise InputError(f"unknown encoding {encoding!r}", file=name) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(f"not valid {encoding} at line {line}", file=name) from None
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise InputError(
                    f"starts with a {enc} BOM but is not valid {enc}", file=name
                ) from None
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without BOM: every other byte is NUL
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            raise InputError("binary file (NUL bytes), not a contact table", file=name) from None
    if b"\x00" in head:
        raise InputError("binary file (NUL bytes), not a contact table", file=name)
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, enc
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    return bad > max(8, len(sample) // 100)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first records into the most consistent number of fields.

    >>> sniff_delimiter('Nom;Prénom;Ville\\nDupont;Jean;Liège, Belgique\\n')
    ';'
    >>> sniff_delimiter('a,b\\n"x, y",2\\n')
    ','
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(r) for r, _ in zip(csv.reader(lines, delimiter=delim), range(50)) if r]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode) / len(counts), mode) if mode > 1 else (0.0, 0)
        if score > best_score:
            best, best_score = delim, score
    return best


def find_header(text: str, delim: str, name: str) -> tuple[list[str], int, int]:
    """(header fields, offset of the header line, lines skipped before it).

    The header is the first of the first ten records that fills at least half of the usual
    number of fields: title lines an export puts above the table ("Export du 12/03/2024",
    blank lines) are skipped, and reported.

    >>> find_header("Export contacts\\n\\nNom;Ville;CP\\nA;B;1000\\n", ";", "x")
    (['Nom', 'Ville', 'CP'], 17, 2)
    """
    lines = text[:1_000_000].splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=delim)
    records: list[tuple[list[str], int]] = []
    try:
        start = 0
        for fields in reader:
            records.append((fields, start))
            start = reader.line_num
            if len(records) >= 30:
                break
    except csv.Error as exc:
        raise InputError(f"cannot read the header line: {exc}", file=name) from None
    i = header_index([f for f, _ in records])
    if i is None:
        raise InputError("no header line", file=name)
    fields, start = records[i]
    return fields, sum(len(line) for line in lines[:start]), start


def header_index(records: list[list[str]]) -> int | None:
    """Index of the header among the first records: the first of the first ten that fills at
    least half of the usual number of fields (None when every record is empty).

    >>> header_index([["Contacts 2024", "", ""], [], ["Nom", "Ville", "CP"], ["A", "B", "1"]])
    2
    """
    filled = [sum(1 for x in f if x and x.strip()) for f in records]
    counts = [n for n in filled if n]
    if not counts:
        return None
    usual = max(sorted(set(counts)), key=counts.count)
    for i, n in enumerate(filled[:10]):
        if n >= max(1, min(2, usual), (usual + 1) // 2):
            return i
    return 0


def _read_csv(data: bytes, name: str, encoding: str | None, delimiter: str | None) -> Table:
    text, enc = decode(data, name, encoding)
    if _looks_binary(text):
        raise InputError("binary file (control characters), not a contact table", file=name)
    text = text.lstrip("\ufeff")
    mac = "\n" not in text[:65536] and "\r" in text[:65536]
    if mac:
        text = text.replace("\r", "\n")  # classic Mac line ends
    excel_hint = re.match(r"sep=(.)\r?\n", text[:8])  # Excel's "sep=;" first line
    if excel_hint:
        text = text[excel_hint.end() :]
    delim = delimiter or (excel_hint.group(1) if excel_hint else sniff_delimiter(text[:65536]))
    header, offset, skipped = find_header(text, delim, name)
    if offset:
        text = text[offset:]
    n = len(header)
    # A synthetic first line with one sentinel column more than the header: rows with more
    # fields than the header fill it (ragged), rows with fewer get empty strings.
    names = [f"c{i}" for i in range(n + 1)]
    synthetic = delim.join(names) + "\n"
    body = data if enc == "utf-8" and not (mac or offset or excel_hint) else text.encode("utf-8")
    try:
        raw = pl.read_csv(
            synthetic.encode() + body,
            separator=delim,
            quote_char='"',
            infer_schema=False,
            empty_string_is_null=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        msg = str(exc).splitlines()[0][:200]
        raise InputError(f"cannot parse as CSV ({msg})", file=name) from None
    raw = raw.slice(1)  # the real header line
    raw = raw.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    sentinel = names[-1]
    ragged = raw.filter(pl.col(sentinel).str.strip_chars() != "")
    rejects = [
        {ROW: r, "column": None, "reason": f"ragged row: more fields than the {n} of the header"}
        for r in ragged[ROW].to_list()
    ]
    frame = raw.filter(pl.col(sentinel).str.strip_chars() == "").drop(sentinel)
    frame = frame.rename(dict(zip(names[:n], unique_headers(header))))
    info = {"format": "csv", "encoding": enc, "delimiter": delim, "lines_before_header": skipped}
    return Table(name, frame, rejects, info)


def unique_headers(headers: list[str]) -> list[str]:
    """Strip headers, name blank ones by position and make repeated ones unique.

    >>> unique_headers(["Email", " ", "Email", "email "])
    ['Email', 'column 2', 'Email (2)', 'email (3)']
    """
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        h = " ".join(str(h or "").split()) or f"column {i}"
        key = h.casefold()
        seen[key] = seen.get(key, 0) + 1
        out.append(h if seen[key] == 1 else f"{h} ({seen[key]})")
    return out


# --- XLSX, Parquet, JSON ------------------------------------------------------------------


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> list[Table]:
    import fastexcel

    if data[:4] != b"PK\x03\x04":
        raise InputError("not a valid XLSX workbook (not a zip archive)", file=name)
    try:
        zipfile.ZipFile(io.BytesIO(data)).testzip()
        book = fastexcel.read_excel(data)
    except Exception as exc:  # zipfile and calamine raise many kinds
        msg = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InputError(f"not a valid XLSX workbook ({msg})", file=name) from None
    sheets = book.sheet_names
    if sheet is not None:
        if sheet not in sheets:
            raise InputError(f"no sheet named {sheet!r} (sheets: {', '.join(sheets)})", file=name)
        sheets = [sheet]
    tables = []
    for sh in sheets:
        try:
            grid = book.load_sheet(sh, header_row=None, dtypes="string").to_polars()
        except Exception as exc:
            msg = str(exc).splitlines()[0][:160]
            raise InputError(f"cannot read sheet {sh!r} ({msg})", file=name) from None
        if grid.width == 0 or grid.height == 0:
            continue  # an empty sheet has no header and no rows: nothing to account for
        grid = grid.with_columns(pl.all().cast(pl.String).fill_null(""))
        top = [list(r) for r in grid.head(30).iter_rows()]
        i = header_index(top) or 0
        headers = unique_headers([str(v) for v in top[i]])
        frame = grid.slice(i + 1).rename(dict(zip(grid.columns, headers)))
        frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
        info = {"format": "xlsx", "sheet": sh, "lines_before_header": i}
        tables.append(Table(f"{name}#{sh}", frame, [], info))
    if not tables:
        raise InputError("workbook has no sheet with data", file=name)
    return tables


def _stringify(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as String: nested values as JSON text, nulls as empty strings."""
    exprs = []
    for col, dtype in frame.schema.items():
        if dtype.is_nested() or dtype == pl.Object:
            expr = pl.col(col).map_elements(
                lambda v: json.dumps(v, ensure_ascii=False, default=str),
                return_dtype=pl.String,
            )
        else:
            expr = pl.col(col).cast(pl.String)
        exprs.append(expr.fill_null("").alias(col))
    frame = frame.select(exprs)
    frame = frame.rename(dict(zip(frame.columns, unique_headers(frame.columns))))
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def _read_parquet(data: bytes, name: str) -> Table:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        msg = str(exc).splitlines()[0][:160]
        raise InputError(f"not a valid Parquet file ({msg})", file=name) from None
    return Table(name, _stringify(frame), [], {"format": "parquet"})


def _read_json(data: bytes, name: str) -> Table:
    text, enc = decode(data, name)
    stripped = text.lstrip("\ufeff").strip()
    records: list = []
    try:
        if stripped.startswith("["):
            records = json.loads(stripped)
            fmt = "json"
        else:
            fmt = "ndjson"
            for line in stripped.splitlines():
                if line.strip():
                    records.append(json.loads(line))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}", file=name) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError("JSON must be an array of objects, or one object per line", file=name)
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    columns = {k: [_json_value(r.get(k)) for r in records] for k in keys}
    frame = pl.DataFrame(columns, schema={k: pl.String for k in keys}) if keys else pl.DataFrame()
    if frame.width == 0:
        raise InputError("no records with fields", file=name)
    table = _stringify(frame)
    return Table(name, table, [], {"format": fmt, "encoding": enc})


def _json_value(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    return json.dumps(v, ensure_ascii=False)


# --- checks shared by every format -----------------------------------------------------


def _check_field_lengths(table: Table, limit: int) -> None:
    """Move rows with a value longer than *limit* characters to the rejects."""
    cols = [c for c in table.frame.columns if c != ROW]
    if not cols or table.frame.height == 0:
        return
    too_long = table.frame.select(
        pl.col(ROW), *[(pl.col(c).str.len_chars() > limit).alias(c) for c in cols]
    ).filter(pl.any_horizontal(cols))
    if too_long.height == 0:
        return
    for row in too_long.iter_rows(named=True):
        column = next(c for c in cols if row[c])
        table.rejects.append(
            {
                ROW: row[ROW],
                "column": column,
                "reason": f"value longer than {limit:,} characters (a broken quote or pasted blob?)",
            }
        )
    table.frame = table.frame.filter(~pl.col(ROW).is_in(too_long[ROW].implode()))


def unguard(frame: pl.DataFrame) -> pl.DataFrame:
    """A CSV enrich wrote, read back: the formula guard (a leading ') taken off again."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    guarded = (
        frame.select(pl.col(c).str.starts_with("'").any() for c in text).row(0)
        if text and frame.height
        else ()
    )
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(f"^'{FORMULA_START}"))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c, g in zip(text, guarded)
        if g
    )


def typed_like(frame: pl.DataFrame, schema) -> pl.DataFrame:
    """*frame*'s columns cast to the types *schema* gives them (text read back from a CSV);
    'true'/'false' become booleans, a cell that does not fit becomes null."""

    def cast(c: str, t) -> pl.Expr:
        text = pl.col(c).cast(pl.String)
        if t == pl.Boolean:
            return text.str.to_lowercase().replace_strict(
                {"true": True, "false": False}, default=None
            )
        if t == pl.Date:
            return text.str.to_date("%Y-%m-%d", strict=False)
        return pl.col(c).cast(t, strict=False)

    return frame.with_columns(
        cast(c, t).alias(c)
        for c, t in schema.items()
        if c in frame.columns and frame.schema[c] != t
    )
