"""The command line: thin Click commands that parse options and call the library.

No data work happens here: only wiring, messages and exit codes.
"""

from __future__ import annotations

import functools
import platform
import sys
import time
from pathlib import Path

import click

from . import __version__, rulefiles
from .errors import EXIT_FAILED, EXIT_INTERNAL, EnrichError, InputError

EXIT_CODES = """\b
Exit codes:
  0  done
  1  done, but a gate failed (e.g. --strict and some rows were rejected)
  2  usage error, or an input or rules file that cannot be used (nothing is written)
  3  internal error (a bug: please report it with the command you ran)"""


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)


def handle_errors(fn):
    """One line on stderr and a documented exit code — never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except EnrichError as exc:
            click.echo(f"enrich: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except MemoryError:
            click.echo("enrich: error: out of memory", err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            click.echo("enrich: interrupted; nothing was written", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say what, without the data
            click.echo(f"enrich: internal error: {type(exc).__name__}: {str(exc)[:200]}", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="enrich")
def main() -> None:
    """enrich — turn messy contact files into one clean master file.

    Every input row is accounted for: it ends in the output or in the rejects file, with a
    reason. Nothing personal is printed: messages name files, rows and columns only.
    """


@main.command(epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Output table: .csv or .parquet.")
@click.option("--rejects", type=click.Path(dir_okay=False), help="Rejected rows with the reason (default: OUT's name + .rejects.csv).")
@click.option("--map", "maps", multiple=True, metavar="'HEADER=COLUMN'", help="Map a header by hand (repeatable), e.g. --map 'Col X=email'.")
@click.option("--default-country", metavar="CC", help="ISO country for rows without one (else the file's most frequent country).")
@click.option("--sheet", help="Read only this sheet of XLSX inputs (default: all sheets).")
@click.option("--encoding", help="Force the CSV encoding (default: detected: UTF-8, UTF-16, cp1252, latin-1).")
@click.option("--delimiter", type=click.Choice([",", ";", "\t", "|"]), help="Force the CSV delimiter (default: detected).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), help="Output format (default: from OUT's extension).")
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows accents right.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Folder of rules files that replace the defaults.")
@click.option("--max-field-length", type=click.IntRange(min=1), default=32767, show_default=True, help="Reject rows with a longer value.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@handle_errors
def clean(files, out, rejects, maps, default_country, sheet, encoding, delimiter, fmt, excel, rules_dir, max_field_length, strict, quiet):
    """Read contact FILES (CSV, XLSX, Parquet, JSON; '-' for stdin), map their headers onto
    the canonical schema, normalise names, addresses, emails, phones and dates, and validate
    VAT/company numbers.

    \b
    Writes OUT (one row per usable input row, with source_file and source_row), the rejects
    file (empty rows, repeated header rows, ragged rows, oversized values — with the reason)
    and OUT's name + .run.json (row accounting per file, header mapping, timings).
    In CSV output, cells that a spreadsheet would run as a formula get a leading '.
    """
    from .clean import clean_files
    from .io.write import check_not_input, format_for, write_json, write_table
    from .mapping import parse_overrides
    from .normalise.countries import iso_codes

    started = time.perf_counter()
    rulefiles.use_rules_dir(rules_dir)
    out_path = Path(out)
    fmt = format_for(out_path, fmt)
    stem = out_path.with_suffix("") if out_path.suffix else out_path
    rejects_path = Path(rejects) if rejects else Path(f"{stem}.rejects.csv")
    summary_path = Path(f"{stem}.run.json")
    check_not_input([out_path, rejects_path, summary_path], list(files))
    if default_country:
        default_country = default_country.upper()
        if default_country not in iso_codes():
            raise InputError(f"--default-country {default_country!r} is not an ISO 3166 alpha-2 code")
    result = clean_files(
        list(files),
        overrides=parse_overrides(maps),
        default_country=default_country,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        max_field=max_field_length,
    )
    t0 = time.perf_counter()
    write_table(result.frame, out_path, fmt, excel=excel)
    write_table(result.rejects, rejects_path, "csv", excel=excel)
    result.timings["write"] = time.perf_counter() - t0
    frame = result.frame
    summary = {
        "command": "clean",
        "version": __version__,
        "python": platform.python_version(),
        "rules_hash": rulefiles.digest(["headers", "legal_forms", "countries", "titles", "addresses", "emails"]),
        "outputs": {"table": str(out_path), "rejects": str(rejects_path)},
        "rows_in": result.rows_in,
        "rows_out": frame.height,
        "rows_rejected": result.rejects.height,
        "files": [t.as_dict() for t in result.tables],
        "statuses": {
            col: dict(sorted(frame[col].value_counts().iter_rows(), key=lambda kv: str(kv[0])))
            for col in ("id_status", "email_status", "phone_status", "mobile_status", "postcode_status")
        },
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    }
    write_json(summary, summary_path)
    for t in result.tables:
        _say(f"{t.source_file}: {t.rows_in} rows in = {t.rows_out} out + {t.rows_rejected} rejected", quiet)
        if t.info.get("lines_before_header"):
            _say(f"  skipped {t.info['lines_before_header']} line(s) above the header", quiet)
        extra = [m.split(" → ")[0] for m in t.mapping if " → extra." in m]
        _say(f"  columns: {len(t.mapping) - len(extra)} mapped, {len(extra)} passed through as extra.*"
             + (f" ({', '.join(extra[:5])}{' …' if len(extra) > 5 else ''})" if extra else ""), quiet)
        for reason, n in sorted(t.reject_reasons.items()):
            _say(f"  rejected: {n} × {reason}", quiet)
    _say(f"wrote {out_path} ({frame.height} rows), {rejects_path} ({result.rejects.height} rows), {summary_path}", quiet)
    _say(f"done in {time.perf_counter() - started:.1f} s", quiet)
    if strict and result.rejects.height:
        _say(f"--strict: {result.rejects.height} rows were rejected", False)
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":  # pragma: no cover
    main()
