"""Read any contact file into all-string tables, accounting for every row.

CSV (any of ``,`` ``;`` tab ``|``, detected; quoted fields with embedded newlines; UTF-8,
UTF-8 with BOM, UTF-16 with BOM, cp1252/latin-1, detected; gzip-compressed), XLSX (all
sheets, or one), Parquet, JSON (array of objects) and NDJSON; ``-`` reads standard input.

Every value is a string (``0403170701`` and ``01000`` keep their zeros). Each table comes
back with its original headers plus ``source_row`` (1-based data row, as a spreadsheet
shows it: blank lines count) and the rows that could not be used, with a reason (a row with
more fields than the header, even past empty ones, is one: no value is dropped).

Hostile files are read or refused in one line (``InputError``), never a value in the
message: lone CRs end lines; a UTF-8 file's cp1252 lines are read as cp1252 and reported;
another script (Shift-JIS, cp1251 …) is refused; a first line of values (an e-mail, a
phone …) is no header: the columns are named ``column 1`` …; header names have their control
characters escaped (:func:`safe_name`).

>>> t = read_bytes(b"Nom;Code postal\\r\\nDupont;01000\\r\\n", "x.csv")[0]
>>> t.frame.rows(), t.info["delimiter"], t.info["encoding"]
([(1, 'Dupont', '01000')], ';', 'utf-8')
>>> read_bytes("Société;Ville\\nCrèche;Liège\\n".encode("cp1252"), "x.csv")[0].frame.row(0)
(1, 'Crèche', 'Liège')
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import InputError
from ..normalise.text import FORMULA_START

ROW = "source_row"
DELIMITERS = (";", ",", "\t", "|")
# Excel's own cell limit; longer values are almost always a broken quote or a pasted blob.
MAX_FIELD_CHARS = 32_767
MAX_COLUMNS = 16_384  # Excel's

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
    """Decode *data*: explicit *encoding*, else BOM, else UTF-8, else cp1252, else latin-1.

    A file in another script's encoding (Shift-JIS, GBK, cp1251 …) is refused: read as cp1252
    it would be mojibake in every name. See :func:`decode_lines` for a UTF-8 file with a few
    cp1252 lines.
    """
    return decode_lines(data, name, encoding)[:2]


def decode_lines(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, list[int]]:
    r"""(text, encoding, the line numbers read as cp1252 in a UTF-8 file).

    A UTF-8 file with a few lines in cp1252 (rows pasted from another export) keeps its UTF-8
    lines and reads the others as cp1252, each line whole:

    >>> text, enc, lines = decode_lines("Nom\nHélène\n".encode() + "Zoé\n".encode("cp1252"), "x")
    >>> text.splitlines(), enc, lines
    (['Nom', 'Hélène', 'Zoé'], 'utf-8', [3])
    """
    if encoding:
        try:
            return data.decode(encoding), encoding, []
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
                return data.decode(enc), enc, []
            except UnicodeDecodeError:
                if enc == "utf-8-sig":
                    break  # a UTF-8 file with some cp1252 lines: below
                raise InputError(
                    f"starts with a {enc} BOM but is not valid {enc}", file=name
                ) from None
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:  # UTF-16 without BOM: every other byte is NUL
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(enc), enc, []
        except UnicodeDecodeError:
            raise InputError("binary file (NUL bytes), not a contact table", file=name) from None
    if b"\x00" in head:
        raise InputError("binary file (NUL bytes), not a contact table", file=name)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    return _not_utf8(data, name)


# UTF-8's multi-byte sequences: a file that has some is UTF-8 with a few foreign lines
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_UNDECODED = re.compile(r"[\udc80-\udcff]")


def _not_utf8(data: bytes, name: str) -> tuple[str, str, list[int]]:
    """A file that is not valid UTF-8: cp1252 (latin-1 for the bytes cp1252 leaves
    undefined) when it has no UTF-8 character at all, else UTF-8 with each invalid line read
    as cp1252; another script is refused."""
    if _UTF8_SEQUENCE.search(data) is None:  # no UTF-8 at all: a Western file, or refused
        _refuse_other_script(data, name)
        return _western(data), _western_name(data), []
    text = data.decode("utf-8", errors="surrogateescape")
    bad = _bad_lines(text)
    _refuse_other_script(
        b"\n".join(text[a:b].encode("utf-8", "surrogateescape") for a, b in bad[:2000]), name
    )
    parts, end, lines, line = [], 0, [], 1
    for a, b in bad:
        parts += [text[end:a], _western(text[a:b].encode("utf-8", "surrogateescape"))]
        line += text.count("\n", end, a)
        lines.append(line)
        end = b
    return "".join([*parts, text[end:]]), "utf-8", lines


def _bad_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line of *text* holding an undecoded byte (a lone surrogate)."""
    spans: list[tuple[int, int]] = []
    for m in _UNDECODED.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue  # on the line already found
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.start())
        spans.append((start, len(text) if end < 0 else end))
    return spans


def _western(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _western_name(data: bytes) -> str:
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


_ASCII = bytes(range(128))
_NOT_LETTERS = bytes(b for b in range(256) if not chr(b).isascii() or not chr(b).isalpha())


def _refuse_other_script(data: bytes, name: str) -> None:
    """Refuse bytes that are no Western text: in French, Dutch or German, accented letters
    are a few among many plain ones; in Shift-JIS, GBK, Big5, EUC-KR, cp1251 or Greek nearly
    every letter is a byte above 127 (counted on the first 64 KiB)."""
    sample = data[:65536]
    high = len(sample.translate(None, _ASCII))
    plain = len(sample.translate(None, _NOT_LETTERS))
    if high < 8 or high < 0.35 * (high + plain):
        return
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = f" (perhaps {best.encoding})" if best is not None else ""
    raise InputError(
        f"not UTF-8 nor a Western encoding{guess}: {high} of its first "
        f"{high + plain} letters would be misread; give its encoding with --encoding",
        file=name,
    )


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
    r"""(header fields, offset of the header line, lines skipped before it).

    The header is the first of the first ten records that fills at least half of the usual
    number of fields: title lines an export puts above the table ("Export du 12/03/2024",
    blank lines) are skipped, and reported. Only the first records are read, however long.

    >>> find_header("Export contacts\n\nNom;Ville;CP\nA;B;1000\n", ";", "x")
    (['Nom', 'Ville', 'CP'], 17, 2)
    """
    sizes: list[int] = []  # the length of each line read
    reader = csv.reader(_lines(text, sizes), delimiter=delim)
    records: list[tuple[list[str], int]] = []
    start = 0
    try:
        for fields in reader:
            records.append((fields, start))
            start = reader.line_num
            if len(records) >= 30:
                break
    except csv.Error as exc:  # a value past the csv module's limit: the records before it do
        if not records:
            why = "a column name longer than 131,072 characters" if "limit" in str(exc) else exc
            raise InputError(f"cannot read the header line: {why}", file=name) from None
    i = header_index([f for f, _ in records])
    if i is None:
        raise InputError("no header line", file=name)
    fields, start = records[i]
    return fields, sum(sizes[:start]), start


def _lines(text: str, sizes: list[int]):
    """*text*'s lines, one by one (with their ends), their lengths appended to *sizes*."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        sizes.append(end - start)
        yield text[start:end]
        start = end


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


_LONE_CR = re.compile(r"\r(?!\n)")


def _read_csv(data: bytes, name: str, encoding: str | None, delimiter: str | None) -> Table:
    text, enc, foreign = decode_lines(data, name, encoding)
    if _looks_binary(text):
        raise InputError("binary file (control characters), not a contact table", file=name)
    text = text.lstrip("\ufeff")
    lone_cr = text.count("\r") - text.count("\r\n")
    if lone_cr:  # classic Mac line ends, or a few among CRLF/LF ones: a line end each
        text = _LONE_CR.sub("\n", text)
    excel_hint = re.match(r"sep=(.)\r?\n", text[:8])  # Excel's "sep=;" first line
    if excel_hint:
        text = text[excel_hint.end() :]
    delim = delimiter or (excel_hint.group(1) if excel_hint else sniff_delimiter(text[:65536]))
    header, offset, skipped = find_header(text, delim, name)
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"the header has {len(header):,} columns, more than a spreadsheet holds "
            f"({MAX_COLUMNS:,}): not a contact table",
            file=name,
        )
    if offset:
        text = text[offset:]
    unchanged = enc == "utf-8" and not (lone_cr or offset or excel_hint or foreign)
    body = data if unchanged else text.encode("utf-8")
    headed = not any(looks_like_value(h) for h in header)
    first = skipped + (1 if excel_hint else 0) + 1  # the file line the body starts on
    frame, ragged = _parse(body, delim, len(header), headed, name, first)
    names = unique_headers(header) if headed else [f"column {i}" for i in range(1, len(header) + 1)]
    frame = frame.rename(dict(zip(frame.columns[1:], names)))
    reason = f"ragged row: more fields than the {len(header)} of the header"
    rejects = [{ROW: r, "column": None, "reason": reason} for r in ragged]
    info = {"format": "csv", "encoding": enc, "delimiter": delim, "lines_before_header": skipped}
    if foreign:
        info |= {"lines_read_as_cp1252": len(foreign), "cp1252_lines": foreign[:20]}
        info["cp1252_rows"] = _rows_of(text, delim, foreign[:20], first, headed)
    if lone_cr:
        info["lone_cr_line_ends"] = lone_cr
    if not headed:
        info["header"] = "none: the first line holds values"
    return Table(name, frame, rejects, info)


def _rows_of(text: str, delim: str, lines: list[int], line: int, headed: bool) -> list[int]:
    """The data rows (``source_row``) the file *lines* are in; *text* starts at file line
    *line*, with the header when *headed*. Rows are counted as the csv module reads records
    (a quoted line break makes two lines one row)."""
    rows: list[int] = []
    reader = csv.reader(_lines(text, []), delimiter=delim)
    start = line
    with contextlib.suppress(csv.Error):  # a value past the module's limit: rows so far
        for row, _ in enumerate(reader, start=0 if headed else 1):
            end = line + reader.line_num - 1
            rows += [row for n in lines if start <= n <= end and row]
            if end >= lines[-1]:
                break
            start = end + 1
    return rows


def _parse(
    body: bytes, delim: str, n: int, headed: bool, name: str, first: int
) -> tuple[pl.DataFrame, list[int]]:
    """(``source_row`` + the *n* columns, the rows with more fields than *n*: ragged).

    A synthetic first line names as many columns as the longest line has fields, so a value
    past the header's last column is seen even after empty fields (a quoted line break can
    hide fields from that count: then the records are counted)."""
    width = max(n + 1, _max_fields(body, delim))
    for attempt in (1, 2):
        names = [f"c{i}" for i in range(width)]
        try:
            raw = _scan(delim.join(names).encode() + b"\n" + body, delim, names[:n], names[n:])
            break
        except pl.exceptions.PolarsError as exc:
            if "more fields" not in str(exc) or attempt == 2:
                raise InputError(
                    f"cannot parse as CSV: {_malformed(body, delim, first)}", file=name
                ) from None
            width = max(width, _count_fields(body, delim) + 1)
    if headed:
        raw = raw.slice(1)  # the real header line
    raw = raw.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    ragged = raw.filter(pl.col("_ragged"))[ROW].to_list()
    return raw.filter(~pl.col("_ragged")).drop("_ragged"), ragged


def _scan(data: bytes, delim: str, kept: list[str], extra: list[str]) -> pl.DataFrame:
    """The *kept* columns of CSV *data* and ``_ragged``: a value in an *extra* column (read in
    batches when they are many, so a few very long rows do not widen the whole file)."""
    lazy = pl.scan_csv(
        io.BytesIO(data),
        separator=delim,
        quote_char='"',
        infer_schema=False,
        empty_string_is_null=False,
        raise_if_empty=False,
    )
    ragged = pl.any_horizontal(pl.col(c).fill_null("").str.strip_chars() != "" for c in extra)
    lazy = lazy.select(pl.col(kept).fill_null(""), ragged.alias("_ragged"))
    return lazy.collect(engine="streaming" if len(extra) > 32 else "auto")


def _max_fields(body: bytes, delim: str) -> int:
    """The most fields a line of *body* can hold: its delimiters + 1 (quoted ones too)."""
    if len(delim.encode()) != 1:
        return 1
    data = np.frombuffer(body, np.uint8)
    seps = np.flatnonzero(data == ord(delim))
    ends = np.concatenate(([0], np.flatnonzero(data == 10), [len(data)]))
    return int(np.diff(np.searchsorted(seps, ends)).max(initial=0)) + 1


def _count_fields(body: bytes, delim: str) -> int:
    """The most fields a record of *body* holds, records read as the csv module reads them."""
    limit = csv.field_size_limit(1 << 30)  # the csv module's limit is global: given back
    try:
        reader = csv.reader(_lines(body.decode("utf-8", "replace"), []), delimiter=delim)
        return max((len(r) for r in reader), default=1)
    finally:
        csv.field_size_limit(limit)


def _malformed(body: bytes, delim: str, first: int) -> str:
    """Where quoting goes wrong, as a file line — never the text (the parser's own message
    quotes it)."""
    reader = csv.reader(_lines(body.decode("utf-8", "replace"), []), delimiter=delim, strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        return f"the record starting on line {first + start - 1} is not properly quoted"
    return "malformed quoting or line ends"


# What a header cell never is: an e-mail or web address; a phone number, a date, a VAT or
# another number (five digits or more)
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}|(https?://|www\.)\S+")
_NUMBER = re.compile(r"[+(]?\d[\d\s./:()-]*\d|\d{4}-\d\d-\d\d[T ][\d:.]+Z?|[A-Za-z]{2} ?\d[\d .]+")


def looks_like_value(text: str) -> bool:
    """A "header" that is a value of the data: the file has no header line.

    >>> [looks_like_value(h) for h in ("E-mail", "Téléphone 2", "2024", "Q1 2024", "CP 1000")]
    [False, False, False, False, False]
    >>> [looks_like_value(h) for h in ("jan@x.be", "+32 470 12 34 56", "12/03/2024", "BE0403170701")]
    [True, True, True, True]
    """
    text = text.strip()
    if _ADDRESS.fullmatch(text):
        return True
    return _NUMBER.fullmatch(text) is not None and sum(c.isdigit() for c in text) >= 5


# Cc (control) and Cf (format: bidi overrides, zero-width) characters: a header holding them
# would drive the terminal it is printed on
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)


def safe_name(text: str) -> str:
    r"""*text* with its control and format characters written as escapes.

    >>> safe_name("\x1b[31mEmail\x1b[0m")
    '\\x1b[31mEmail\\x1b[0m'
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def unique_headers(headers: list[str]) -> list[str]:
    """Strip headers, escape control characters, name blank ones by position and make
    repeated ones unique (``source_row`` is the reader's own).

    >>> unique_headers(["Email", " ", "Email", "email ", "source_row"])
    ['Email', 'column 2', 'Email (2)', 'email (3)', 'source_row (2)']
    """
    out: list[str] = []
    seen: dict[str, int] = {ROW: 1}
    for i, h in enumerate(headers, start=1):
        h = safe_name(" ".join(str(h or "").split())) or f"column {i}"
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
        tables.append(_sheet(grid, f"{name}#{safe_name(sh)}", safe_name(sh)))
    if not tables:
        raise InputError("workbook has no sheet with data", file=name)
    return tables


def _sheet(grid: pl.DataFrame, name: str, sheet: str) -> Table:
    """One sheet's table: its header row found as in a CSV (a first row of values is no
    header: then it is row 1, and the columns are named by position)."""
    grid = grid.with_columns(pl.all().cast(pl.String).fill_null(""))
    top = [list(r) for r in grid.head(30).iter_rows()]
    i = header_index(top) or 0
    info = {"format": "xlsx", "sheet": sheet, "lines_before_header": i}
    if any(looks_like_value(str(v)) for v in top[i]):
        headers = [f"column {k}" for k in range(1, grid.width + 1)]
        info["header"] = "none: the first line holds values"
    else:
        headers = unique_headers([str(v) for v in top[i]])
        i += 1
    frame = grid.slice(i).rename(dict(zip(grid.columns, headers)))
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return Table(name, frame, [], info)


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
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    above = text[: len(text) - len(text.lstrip())].count("\n")  # blank lines before the data
    try:
        records, fmt = _json_records(stripped, above)
    except _JSONError as exc:
        raise InputError(f"invalid JSON at line {exc.line}: {exc.why}", file=name) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError("JSON must be an array of objects, or one object per line", file=name)
    keys: dict[str, None] = {}
    for r in records:
        keys.update(dict.fromkeys(r))
    if any(looks_like_value(k) for k in keys):  # keyed by e-mail or number: not field names
        raise InputError(
            "JSON keys that are values (an e-mail, a number …): records need field names",
            file=name,
        )
    columns = {k: [_json_value(r.get(k)) for r in records] for k in keys}
    frame = pl.DataFrame(columns, schema={k: pl.String for k in keys}) if keys else pl.DataFrame()
    if frame.width == 0:
        raise InputError("no records with fields", file=name)
    table = _stringify(frame)
    return Table(name, table, [], {"format": fmt, "encoding": enc})


def _json_int(digits: str) -> int | str:
    """An integer, or its digits when it is longer than Python converts (4,300 digits)."""
    return int(digits) if len(digits) < 4000 else digits


class _JSONError(Exception):
    def __init__(self, line: int, why: str):
        self.line, self.why = line, why


def _json_records(text: str, above: int) -> tuple[list, str]:
    """The records of a JSON array or of NDJSON; integers kept as their digits (however
    long). A syntax error names its line in the file (*above*: blank lines before *text*)."""
    if text.startswith("["):
        return _json_load(text, above), "json"
    records = []
    for i, line in enumerate(text.split("\n"), start=above):
        if line.strip():
            records.append(_json_load(line, i))
    return records, "ndjson"


def _json_load(text: str, above: int) -> object:
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise _JSONError(above + exc.lineno, exc.msg) from None
    except RecursionError:
        raise _JSONError(above + 1, "nested too deep") from None


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
