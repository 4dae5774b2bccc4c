"""The command line: thin Click commands that parse options and call the library.

No data work happens here: only wiring, messages and exit codes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
import sys
import time
from pathlib import Path

import click

# Polars' allocator gives freed memory back to the system after half a second, and each page
# taken again costs a fault: in a batch job that frees and takes gigabytes stage after stage,
# that was 1–1.5 s of system time per million-row master run. Ten seconds (jemalloc's own
# default) keeps it for the next stage. Set before polars is imported; a value of the user's wins
# (not polars' own, which a parent process that imported polars passes down).
if os.environ.get("_RJEM_MALLOC_CONF", "") in ("", "dirty_decay_ms:500,muzzy_decay_ms:1000"):
    os.environ["_RJEM_MALLOC_CONF"] = "dirty_decay_ms:10000,muzzy_decay_ms:10000"

from . import __version__, rulefiles  # noqa: E402
from .errors import EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL, EnrichError, InputError

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


def run() -> None:
    """The ``enrich`` program. It leaves at once when the command is done: by then every
    output is written, closed and renamed into place, and tearing down gigabytes of frames
    one by one took half a second of a million-row run."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # sys.exit("message"), as Python itself would print it
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(
            OSError, ValueError
        ):  # a closed pipe (| head): nothing more to say
            stream.flush()
    os._exit(code or 0)


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="enrich")
def main() -> None:
    """enrich — turn messy contact files into one clean master file.

    Every input row is accounted for: it ends in the output or in the rejects file, with a
    reason. Nothing personal is printed: messages name files, rows and columns only.
    """


READ = {  # the options every command that reads contact files shares, with the same meaning
    "files": click.argument("files", nargs=-1, required=True),
    "map": click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="'HEADER=COLUMN'",
        help="Map a header by hand (repeatable), e.g. --map 'Col X=email'.",
    ),
    "default_country": click.option(
        "--default-country",
        metavar="CC",
        help="ISO country for rows without one (else the file's most frequent country).",
    ),
    "sheet": click.option(
        "--sheet", help="Read only this sheet of XLSX inputs (default: all sheets)."
    ),
    "encoding": click.option(
        "--encoding",
        help="Force the CSV encoding (default: detected: UTF-8, UTF-16, cp1252, latin-1).",
    ),
    "delimiter": click.option(
        "--delimiter",
        type=click.Choice([",", ";", "tab", "|"]),
        help="Force the CSV delimiter (default: detected).",
    ),
    "rules": click.option(
        "--rules",
        "rules_dir",
        type=click.Path(file_okay=False),
        help="Folder of rules files that replace the defaults.",
    ),
    "max_field_length": click.option(
        "--max-field-length",
        type=click.IntRange(min=1),
        default=32767,
        show_default=True,
        help="Reject rows with a longer value.",
    ),
    "quiet": click.option("-q", "--quiet", is_flag=True, help="Print only errors."),
}
READ_OPTIONS = list(READ.values())


ONLINE_OPTIONS = [
    click.option(
        "--online",
        is_flag=True,
        help="Also ask VIES about each VAT number (validity, name, address; 1 call a second) and "
        "recherche-entreprises about each SIREN the index does not hold; answers cached.",
    ),
    click.option(
        "--lei",
        is_flag=True,
        help="With --online: also find each company's LEI in GLEIF by its registry number (1 call a second).",
    ),
    click.option(
        "--offline", is_flag=True, help="With --online: answer from the cache only, make no call."
    ),
    click.option(
        "--cache",
        "cache_path",
        type=click.Path(dir_okay=False),
        default=str(Path.home() / ".cache" / "enrich" / "online.sqlite"),
        show_default=True,
        help="The online answers' cache (SQLite; answers kept 30 days).",
    ),
]


size_option = click.option(
    "--size",
    "size_file",
    type=click.Path(dir_okay=False),
    help="With the registry: a size file keyed by enterprise number or SIREN (headcount or band, FTE, turnover, balance-sheet "
    "total, year; e.g. NBB annual accounts for Belgium): decides the size band first.",
)


def online_options(fn):
    """--online, --offline, --cache: the same for every command that may ask online services."""
    for option in reversed(ONLINE_OPTIONS):
        fn = option(fn)
    return fn


def read_options(fn):
    """The options every command that reads contact files shares, with the same meaning."""
    for option in reversed(READ_OPTIONS):
        fn = option(fn)
    return fn


def _clean(
    files, maps, default_country, sheet, encoding, delimiter, rules_dir, max_field_length, quiet
):
    """Run the clean stage for a command and report each file's row accounting."""
    from .clean import clean_files
    from .mapping import parse_overrides
    from .normalise.countries import iso_codes

    rulefiles.use_rules_dir(rules_dir)
    if default_country:
        default_country = default_country.upper()
        if default_country not in iso_codes():
            raise InputError(
                f"--default-country {default_country!r} is not an ISO 3166 alpha-2 code"
            )
    result = clean_files(
        list(files),
        overrides=parse_overrides(maps),
        default_country=default_country,
        sheet=sheet,
        encoding=encoding,
        delimiter="\t" if delimiter == "tab" else delimiter,
        max_field=max_field_length,
    )
    for t in result.tables:
        _say(
            f"{t.source_file}: {t.rows_in} rows in = {t.rows_out} out + {t.rows_rejected} rejected",
            quiet,
        )
        if t.info.get("lines_before_header"):
            _say(f"  skipped {t.info['lines_before_header']} line(s) above the header", quiet)
        extra = [m.split(" → ")[0] for m in t.mapping if " → extra." in m]
        _say(
            f"  columns: {len(t.mapping) - len(extra)} mapped, {len(extra)} passed through as extra.*"
            + (f" ({', '.join(extra[:5])}{' …' if len(extra) > 5 else ''})" if extra else ""),
            quiet,
        )
        for reason, n in sorted(t.reject_reasons.items()):
            rows = t.reject_rows.get(reason, [])
            shown = ", ".join(map(str, rows)) + (" …" if n > len(rows) else "")
            _say(f"  rejected: {n} × {reason} ({'rows' if n > 1 else 'row'} {shown})", quiet)
    return result


CLEAN_RULES = ["headers", "legal_forms", "countries", "titles", "addresses", "emails"]


def _summary(command: str, result, outputs: dict, rules: list[str] = CLEAN_RULES) -> dict:
    frame = result.frame
    return {
        "command": command,
        "version": __version__,
        "python": platform.python_version(),
        "rules_hash": rulefiles.digest(rules),
        "outputs": outputs,
        "rows_in": result.rows_in,
        "rows_out": frame.height,
        "rows_rejected": result.rejects.height,
        "files": [t.as_dict() for t in result.tables],
        "statuses": {
            col: dict(sorted(frame[col].value_counts().iter_rows(), key=lambda kv: str(kv[0])))
            for col in (
                "id_status",
                "email_status",
                "phone_status",
                "mobile_status",
                "postcode_status",
            )
        },
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    }


@main.command(epilog=EXIT_CODES)
@read_options
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output table: .csv or .parquet.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    help="Rejected rows with the reason (default: OUT's name + .rejects.csv).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    help="Output format (default: from OUT's extension).",
)
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows accents right.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@handle_errors
def clean(
    files,
    maps,
    default_country,
    sheet,
    encoding,
    delimiter,
    rules_dir,
    max_field_length,
    quiet,
    out,
    rejects,
    fmt,
    excel,
    strict,
):
    """Read contact FILES (CSV, XLSX, Parquet, JSON; '-' for stdin), map their headers onto
    the canonical schema, normalise names, addresses, emails, phones and dates, and validate
    VAT/company numbers.

    \b
    Writes OUT (one row per usable input row, with source_file and source_row), the rejects
    file (empty rows, repeated header rows, ragged rows, oversized values — with the reason)
    and OUT's name + .run.json (row accounting per file, header mapping, timings).
    In CSV output, cells that a spreadsheet would run as a formula get a leading '.
    """
    from .io.write import check_not_input, format_for, write_json, write_table

    started = time.perf_counter()
    out_path = Path(out)
    fmt = format_for(out_path, fmt)
    stem = out_path.with_suffix("") if out_path.suffix else out_path
    rejects_path = Path(rejects) if rejects else Path(f"{stem}.rejects.csv")
    summary_path = Path(f"{stem}.run.json")
    check_not_input([out_path, rejects_path, summary_path], list(files))
    result = _clean(
        files, maps, default_country, sheet, encoding, delimiter, rules_dir, max_field_length, quiet
    )
    t0 = time.perf_counter()
    write_table(result.frame, out_path, fmt, excel=excel)
    write_table(result.rejects, rejects_path, "csv", excel=excel)
    result.timings["write"] = time.perf_counter() - t0
    write_json(
        _summary("clean", result, {"table": str(out_path), "rejects": str(rejects_path)}),
        summary_path,
    )
    _say(
        f"wrote {out_path} ({result.frame.height} rows), {rejects_path} ({result.rejects.height} rows), {summary_path}",
        quiet,
    )
    _say(f"done in {time.perf_counter() - started:.1f} s", quiet)
    if strict and result.rejects.height:
        _say(f"--strict: {result.rejects.height} rows were rejected", False)
        sys.exit(EXIT_FAILED)


@main.command(epilog=EXIT_CODES)
@read_options
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="Format of records.",
)
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False),
    help="A review.csv with its decision column filled (match / no_match).",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    help="Reuse a model.json instead of training one.",
)
@click.option(
    "--link-to",
    "master_dir",
    type=click.Path(file_okay=False),
    help="An earlier dedupe output folder (the master): link FILES to it without re-deduplicating it.",
)
@handle_errors
def dedupe(
    files,
    maps,
    default_country,
    sheet,
    encoding,
    delimiter,
    rules_dir,
    max_field_length,
    quiet,
    out,
    fmt,
    decisions,
    model_path,
    master_dir,
):
    """Find the duplicate companies and contacts in FILES (cleaned first, as `enrich clean`),
    with the rules in rules/link.toml.

    \b
    Writes into OUT: records.csv (every usable row with company_id, contact_id, and
    person_id linking one person's contacts at several companies), rejects.csv,
    pairs.parquet (every scored pair with per-field evidence), review.csv (the
    grey-zone decisions: one pair per two clusters that review-band pairs join, side by
    side, with pairs_between and an empty decision column for a steward: feed it back
    with --decisions), model.json (the fitted m/u probabilities and match weights per level),
    run.json. Prints the candidate pairs, matches, clusters and time per stage.

    \b
    With --link-to MASTER (a folder an earlier `enrich dedupe` wrote), the rows of FILES are
    linked to the master's records and among themselves; the master is not re-deduplicated:
    its company_id / contact_id are kept, its clusters are neither merged nor split, new
    companies and contacts get new ids, and only pairs with a new row are compared. The
    master's model.json is reused unless --model says otherwise. records.* then holds the
    master rows followed by the new ones, so OUT can be the next run's --link-to.
    """
    from .io.write import check_not_input, write_json, write_table
    from .link.files import load_models, load_settings, read_decisions, read_master
    from .link.levels import LEVELS
    from .link.levels import dedupe as run_dedupe
    from .link.review import all_pairs, review_table

    started = time.perf_counter()
    folder = Path(out)
    master_files = (
        [str(Path(master_dir) / n) for n in ("records.csv", "records.parquet", "model.json")]
        if master_dir
        else []
    )
    check_not_input(
        [
            folder / n
            for n in ("records.csv", "records.parquet", "review.csv", "pairs.parquet", "model.json")
        ],
        [*files, *master_files],
    )
    result = _clean(
        files, maps, default_country, sheet, encoding, delimiter, rules_dir, max_field_length, quiet
    )
    settings = load_settings()
    master = read_master(master_dir, result.frame) if master_dir else None
    if master_dir and not model_path and (Path(master_dir) / "model.json").exists():
        model_path = str(Path(master_dir) / "model.json")
        _say(f"reusing the master's model {model_path}", quiet)
    models = load_models(model_path, settings) if model_path else None
    decided = read_decisions(decisions) if decisions else None
    t0 = time.perf_counter()
    found = run_dedupe(result.frame, models, decided, master)
    link_time = time.perf_counter() - t0
    if master is not None:
        new = found.frame.slice(master.height)
        counts = {}
        for level, col in (("companies", "company_id"), ("contacts", "contact_id")):
            ids = new[col].drop_nulls()
            old = ids.is_in(master[col].drop_nulls().unique().implode())
            counts[level] = (int(old.sum()), ids.filter(~old).n_unique())
        _say(
            f"linked {new.height} new rows to a master of {master.height} rows: "
            + "; ".join(
                f"{rows} rows joined existing {level}, {fresh} new {level}"
                for level, (rows, fresh) in counts.items()
            ),
            quiet,
        )
    t0 = time.perf_counter()
    write_table(found.frame, folder / f"records.{fmt}", fmt)
    write_table(result.rejects, folder / "rejects.csv", "csv")
    write_table(all_pairs(found), folder / "pairs.parquet", "parquet")
    write_table(review_table(found), folder / "review.csv", "csv")
    write_json(
        {level: found.results[level].model.to_json() for level in LEVELS}, folder / "model.json"
    )
    summary = _summary("dedupe", result, {"folder": str(folder)})
    summary["link"] = {level: found.results[level].report for level in LEVELS}
    summary["timings_s"]["link"] = round(link_time, 3)
    summary["timings_s"]["write"] = round(time.perf_counter() - t0, 3)
    write_json(summary, folder / "run.json")
    for level in LEVELS:
        r = found.results[level].report
        bands = r["bands"]
        _say(
            f"{level}: {r['records']} records, {r['blocking']['pairs']} candidate pairs, "
            f"{bands.get('match', 0)} matches, {bands.get('review', 0)} in the review band "
            f"({r['review']['cluster_pairs_to_review']} cluster pairs to review), "
            f"{r['clusters']['clusters']} {level} clusters (largest {r['clusters']['largest_cluster']}); "
            + ", ".join(f"{k} {v:.1f} s" for k, v in r["timings_s"].items()),
            quiet,
        )
    _say(f"wrote {folder}/records.{fmt}, review.csv, pairs.parquet, model.json, run.json", quiet)
    _say(f"done in {time.perf_counter() - started:.1f} s", quiet)


@main.command(epilog=EXIT_CODES)
@read_options
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder: the master (replaced whole, at the end).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="Format of companies, contacts, contact_points, provenance.",
)
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows accents right.")
@click.option(
    "--previous",
    "previous_dir",
    type=click.Path(file_okay=False),
    help="An earlier master folder: link FILES to it, keeping its ids.",
)
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False),
    help="A review.csv with its decision column filled (match / no_match); remembered in OUT.",
)
@click.option(
    "--suppress",
    type=click.Path(dir_okay=False),
    help="Do-not-contact list: e-mails or their SHA-256 (of the lower-cased address), one per line.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    help="Reuse a model.json instead of training one (default with --previous: its model).",
)
@click.option(
    "--registry",
    "registry_dir",
    type=click.Path(file_okay=False),
    help="A registry index (enrich registry build): attach firmographics to the companies.",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "nl", "en"]),
    default="fr",
    show_default=True,
    help="Language of the registry's labels.",
)
@size_option
@online_options
@handle_errors
def master(
    files,
    maps,
    default_country,
    sheet,
    encoding,
    delimiter,
    rules_dir,
    max_field_length,
    quiet,
    out,
    fmt,
    excel,
    previous_dir,
    decisions,
    suppress,
    model_path,
    registry_dir,
    lang,
    size_file,
    online,
    lei,
    offline,
    cache_path,
):
    """Build one clean master file from contact FILES: read, map, normalise, validate, link
    duplicates (rules/link.toml) and keep the best value of each field (rules/survivorship.toml).

    \b
    Writes the folder OUT:
      companies.*       one golden row per company (legal entity), its e-mails, phones,
                        addresses (establishments) and SIRETs listed
      contacts.*        one golden row per person at a company (company_id), or per
                        customer in a B2C file; opt_out (an opt-out in any source wins),
                        suppressed, do_not_contact
      contact_points.*  every distinct e-mail, phone and address, and which one is golden
      provenance.*      for every golden value of an entity of several rows: the source
                        file and row, the rule that decided it
      lineage.csv       one row per input row: company_id, contact_id, status
                        (merged / kept / rejected) and the reason of a reject
      review.csv        grey-zone pairs for a steward (fill decision, pass --decisions)
      rejects.csv, changes.csv (ids merged or split, old → new), decisions.csv,
      run.json, report.html, and for the next --previous: model.json,
                        records*.parquet, link_company*.parquet, link_contact*.parquet
                        (a part per run: earlier parts are hard-linked, not rewritten),
                        and for a CSV master golden_*.parquet (its tables, read faster)

    \b
    Ids are stable: the same inputs give the same bytes (but run.json's timings), and the
    same rows in another order the same ids, clusters and golden rows. With --previous
    MASTER, FILES are linked to it without re-linking it: its ids are kept, new companies
    and contacts get new ids, and OUT is the next master. A decision that contradicts an earlier cluster merges or splits it, recorded in
    changes.csv. Decisions are remembered for later runs. OUT is written whole at the end:
    an interrupted or failed run leaves no half-written master.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .link.files import load_models, load_settings, read_decisions
    from .link.levels import LEVELS
    from .link.review import review_table
    from .master import folder as master_folder
    from .master.build import build, check_accounting, read_suppression
    from .master.survive import load as load_survivorship
    from .registry.index import attach_with_review as attach_registry
    from .registry.index import check_index
    from .registry.sizes import counts as size_counts
    from .report.html import render

    started = time.perf_counter()
    out_dir = Path(out)
    rulefiles.use_rules_dir(rules_dir)
    master_folder.check_out(out_dir, list(files), previous_dir)
    _check_online(online, offline, lei)
    if registry_dir:
        check_index(registry_dir)
    sizes = _read_sizes(size_file, registry_dir, quiet)
    survivorship = load_survivorship()
    settings = load_settings()
    models = load_models(model_path, settings) if model_path else None
    decided = read_decisions(decisions) if decisions else None
    suppression = read_suppression(suppress) if suppress else None
    if previous_dir:
        master_folder.check_previous(previous_dir)
    with ThreadPoolExecutor(
        max_workers=1
    ) as pool:  # the previous master is read while the inputs are cleaned
        reading = (
            pool.submit(master_folder.read_previous, previous_dir, settings)
            if previous_dir
            else None
        )
        result = _clean(
            files,
            maps,
            default_country,
            sheet,
            encoding,
            delimiter,
            rules_dir,
            max_field_length,
            quiet,
        )
        previous = reading.result() if reading else None
    models = models or (previous.models if previous else None)
    t0 = time.perf_counter()
    summary = _summary(
        "master", result, {"folder": str(out_dir)}, [*CLEAN_RULES, "link", "survivorship"]
    )  # before build() takes the rows
    rules_hash = summary["rules_hash"]

    def take(
        result,
    ):  # build() keeps only its own, re-ordered copy of the rows: memory is time here
        frame, result.frame = result.frame, None
        return frame

    built = build(
        take(result),
        result.rejects,
        rules=survivorship,
        previous=previous,
        decisions=decided,
        models=models,
        suppress=suppression,
        rules_hash=rules_hash,
    )
    check_accounting(built.lineage, result.rows_in + (previous.lineage.height if previous else 0))
    if registry_dir:
        t1 = time.perf_counter()
        built.companies, built.registry_review = attach_registry(
            built.companies, registry_dir, lang, sizes and sizes[0]
        )
        built.timings["registry"] = round(time.perf_counter() - t1, 3)
    if online:
        built.companies = _online(built.companies, online, offline, cache_path, quiet, lei)
        built.counts["vies"] = dict(
            built.companies["vies_status"]
            .value_counts()
            .drop_nulls()
            .sort("vies_status")
            .iter_rows()
        )
    if registry_dir:  # after the online answers, which fill in what the index lacks
        built.counts["registry"] = {
            "matched_by": dict(
                built.companies["registry_match"].value_counts().sort("registry_match").iter_rows()
            ),
            "ceased": int(built.companies["ceased"].fill_null(False).sum()),
            "size_source": dict(
                built.companies["size_source"]
                .value_counts()
                .drop_nulls()
                .sort("size_source")
                .iter_rows()
            ),
            **({"size_file": size_counts(sizes[1])} if sizes else {}),
        }
    result.timings.update(built.timings)
    link_and_survive = time.perf_counter() - t0

    def finish():  # while the big tables are written
        t1 = time.perf_counter()
        review = review_table(built.linked)
        result.timings["review"] = time.perf_counter() - t1
        summary["timings_s"] = {k: round(v, 3) for k, v in result.timings.items()}
        summary["versions"] = _versions()
        summary["previous"] = str(previous_dir) if previous_dir else None
        summary["master"] = built.counts
        summary["review_rows"] = review.height
        summary["last_ids"] = built.last_ids
        summary["link"] = {level: built.linked.results[level].report for level in LEVELS}
        t1 = time.perf_counter()
        report = render(built, summary)
        summary["timings_s"]["report"] = round(time.perf_counter() - t1, 3)
        return review, summary, report

    t0 = time.perf_counter()
    master_folder.write(built, out_dir, fmt, excel=excel, finish=finish)
    _say(
        f"{built.lineage.height} input rows → {built.counts['companies']} companies, {built.counts['contacts']} contacts "
        f"({built.counts['merged_rows']} rows merged, {built.counts['kept_rows']} kept alone, {built.counts['rejected_rows']} rejected); "
        f"{summary['review_rows']} pairs to review, {built.counts['changes']} id changes, {built.counts['do_not_contact']} contacts not to contact",
        quiet,
    )
    if registry_dir:
        matched = built.counts["registry"]["matched_by"]
        _say(
            f"registry: of {built.companies.height} companies, {matched.get('enterprise_number', 0) + matched.get('siren', 0)} found by their "
            f"identifier, {matched.get('name and postcode', 0)} by name and postcode, {matched.get('ambiguous name (see review)', 0)} "
            f"ambiguous (registry_review.csv), {matched.get('recherche-entreprises', 0)} online; {built.counts['registry']['ceased']} ceased; "
            "size band from: "
            + (
                ", ".join(
                    f"{how} {n}" for how, n in built.counts["registry"]["size_source"].items()
                )
                or "nowhere"
            ),
            quiet,
        )
    outcome = built.counts["decision_outcomes"]
    if outcome["not_applied"] or outcome["unknown_rows"]:
        _say(
            f"steward decisions: {outcome['applied']} applied, {outcome['not_applied']} not applied (a cannot-link rule, "
            f"e.g. two different valid VAT numbers, is stronger than a match), {outcome['unknown_rows']} name a row the master "
            "does not hold",
            False,
        )
    _say(
        f"wrote {out_dir}/companies.{fmt}, contacts.{fmt}, lineage.csv, review.csv, report.html … "
        f"(link and survive {link_and_survive:.1f} s, review, report and write {time.perf_counter() - t0:.1f} s)",
        quiet,
    )
    _say(f"done in {time.perf_counter() - started:.1f} s", quiet)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"enrich": __version__, "python": platform.python_version()}
    for package in ("polars", "rapidfuzz", "python-stdnum", "phonenumbers", "email-validator"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


@main.group(epilog=EXIT_CODES)
def registry():
    """Public company registries: build a local index from bulk open-data files (KBO/BCE,
    SIRENE), and look a company up in it."""


@registry.command("build", epilog=EXIT_CODES)
@click.option(
    "--kbo",
    "kbo_zip",
    type=click.Path(dir_okay=False),
    help="A KBO/BCE open-data zip (KboOpenData_*_Full.zip).",
)
@click.option(
    "--sirene",
    "sirene_units",
    type=click.Path(dir_okay=False),
    help="SIRENE legal units: StockUniteLegale*.zip, its .csv, or the .parquet edition.",
)
@click.option(
    "--sirene-establishments",
    type=click.Path(dir_okay=False),
    help="SIRENE establishments (StockEtablissement*.zip/.csv/.parquet): gives each company its seat's address.",
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="The index folder (replaced whole, at the end).",
)
@click.option(
    "--max-member-gb",
    type=click.FloatRange(min=1e-6),
    default=40.0,
    show_default=True,
    help="Refuse an archive member that inflates to more than this.",
)
@click.option(
    "--max-ratio",
    type=click.FloatRange(min=1),
    default=200.0,
    show_default=True,
    help="Refuse an archive member compressed more than this many times (a zip bomb).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@handle_errors
def registry_build(
    kbo_zip, sirene_units, sirene_establishments, out, max_member_gb, max_ratio, quiet
):
    """Build a registry index (Parquet) from the bulk files as published. Read streaming:
    the full KBO and SIRENE files need not fit in memory. Zips are read safely: members are
    found by name, never extracted by their own paths; oversized or bomb-like members, a
    corrupt archive, a missing file or a changed header are refused, naming what is wrong."""
    from .registry import archive
    from .registry.index import build, check_out

    check_out(out, [p for p in (kbo_zip, sirene_units, sirene_establishments) if p])
    started = time.perf_counter()
    meta = build(
        out,
        kbo_zip=kbo_zip,
        sirene_units=sirene_units,
        sirene_establishments=sirene_establishments,
        limits=archive.Limits(max_bytes=int(max_member_gb * (1 << 30)), max_ratio=max_ratio),
    )
    counts = ", ".join(f"{n} {what}" for what, n in meta["companies"].items())
    _say(f"wrote {out}: {counts} companies in {time.perf_counter() - started:.1f} s", quiet)


@registry.command("lookup", epilog=EXIT_CODES)
@click.argument("number")
@click.option(
    "--registry",
    "registry_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="A registry index folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@handle_errors
def registry_lookup(number, registry_dir, as_json):
    """What the index knows of a company: NUMBER is a Belgian enterprise or VAT number
    (0403.170.701, BE0403170701), a SIREN, a SIRET or a French VAT number. Exit 1 when the
    index does not hold it."""
    import json

    from .registry.index import lookup

    found = lookup(registry_dir, number)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))
    for company in [] if as_json else found:
        click.echo(
            f"{company['country']} {company['registry_id']}: {company['official_name'] or '(no legal name published)'}"
        )
        for key, value in company.items():
            if key in ("country", "registry_id", "official_name", "activities") or value is None:
                continue
            click.echo(f"  {key}: {value}")
        for act in company.get("activities", []):
            click.echo(
                f"  activity: NACE {act['nace_version']} {act['nace_code']} {act['classification']} (group {act['activity_group']}"
                + (", an establishment's" if act["from_establishment"] else "")
                + ")"
            )
    if not found:
        _say(f"{number}: not in the index", False)
        sys.exit(EXIT_FAILED)


@main.command(epilog=EXIT_CODES)
@read_options
@click.option(
    "--registry",
    "registry_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="A registry index folder (enrich registry build).",
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Output table: .csv or .parquet.",
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "nl", "en"]),
    default="fr",
    show_default=True,
    help="Language of labels (NACE, legal form, city).",
)
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows accents right.")
@size_option
@online_options
@handle_errors
def attach(
    files,
    maps,
    default_country,
    sheet,
    encoding,
    delimiter,
    rules_dir,
    max_field_length,
    quiet,
    registry_dir,
    out,
    lang,
    excel,
    size_file,
    online,
    lei,
    offline,
    cache_path,
):
    """Clean contact FILES and attach each row's registry firmographics, found by its valid
    enterprise number, SIREN, SIRET or VAT number, else by its company name at its postcode:
    official name, status (a ceased company is flagged), legal form, creation date, NACE
    code, version, class, section and label, seat address, headcount band and EU SME size
    band. registry_match says how each row was matched, or why not. Rejected rows go to
    OUT's name + .rejects.csv; rows whose name fits two registry companies about as well are
    attached to neither and listed in OUT's name + .registry_review.csv."""
    from .io.write import check_not_input, write_table
    from .registry.index import attach_with_review, check_index

    check_index(registry_dir)
    _check_online(online, offline, lei)
    out_path = Path(out)
    rejects_path = out_path.with_name(out_path.stem + ".rejects.csv")
    review_path = out_path.with_name(out_path.stem + ".registry_review.csv")
    check_not_input([out_path, rejects_path, review_path], list(files))
    sizes = _read_sizes(size_file, registry_dir, quiet)
    result = _clean(
        files, maps, default_country, sheet, encoding, delimiter, rules_dir, max_field_length, quiet
    )
    attached, review = attach_with_review(result.frame, registry_dir, lang, sizes and sizes[0])
    attached = _online(attached, online, offline, cache_path, quiet, lei)
    write_table(attached, out_path, excel=excel)
    write_table(result.rejects, rejects_path, "csv", excel=excel)
    write_table(review, review_path, "csv", excel=excel)
    matched = attached["registry_match"].value_counts().sort("registry_match")
    _say(
        "registry: "
        + ", ".join(f"{n} {how}" for how, n in matched.iter_rows())
        + f"; {int(attached['ceased'].fill_null(False).sum())} ceased",
        quiet,
    )
    sources = attached["size_source"].value_counts().drop_nulls().sort("size_source")
    _say(
        "size band from: "
        + (
            ", ".join(f"{how} {n}" for how, n in sources.iter_rows())
            or "nowhere (no headcount known)"
        ),
        quiet,
    )
    _say(
        f"wrote {out_path}, {rejects_path} and {review_path} (rows whose name fits two registry companies)",
        quiet,
    )


def _read_sizes(size_file: str | None, registry_dir: str | None, quiet: bool):
    """(sizes by company, what was read) of --size, or None; it goes with --registry."""
    if not size_file:
        return None
    if not registry_dir:
        raise InputError(
            "--size goes with --registry (sizes are attached to the companies the registry finds)"
        )
    from .registry.sizes import read_sizes, summary

    sizes, stats = read_sizes(size_file)
    _say(summary(stats), quiet)
    return sizes, stats


def _check_online(online: bool, offline: bool, lei: bool = False) -> None:
    if (offline or lei) and not online:
        raise InputError(f"--{'offline' if offline else 'lei'} goes with --online")


def _online(frame, online: bool, offline: bool, cache_path: str, quiet: bool, lei: bool = False):
    """VIES and recherche-entreprises answers (and GLEIF's, with --lei) for *frame*, if asked
    (--online; the caller has checked the flags with _check_online); counted, never fatal."""
    if not online:
        return frame
    from .registry.index import fill_from_recherche
    from .registry.online import Client, gleif_columns, recherche_columns, vies_columns

    Path(cache_path).parent.mkdir(parents=True, exist_ok=True)
    client = Client(cache_path, offline=offline)
    try:
        out = fill_from_recherche(recherche_columns(vies_columns(frame, client), client))
        if lei:
            out = gleif_columns(out, client)
    finally:
        client.close()
    for service, column in (
        ("VIES", "vies_status"),
        ("recherche-entreprises", "recherche_status"),
        *((("GLEIF", "lei_status"),) if lei else ()),
    ):
        counts = out[column].value_counts().drop_nulls().sort(column)
        _say(
            f"{service}: "
            + (", ".join(f"{n} rows {s}" for s, n in counts.iter_rows()) or "nothing to ask"),
            quiet,
        )
    _say(
        f"online: {client.counts['calls']} calls, {client.counts['cached']} answers from the cache, {client.counts['failed']} failed",
        quiet,
    )
    return out


CHECK_EXIT_CODES = """\b
Exit codes:
  0  every check passed (warnings allowed, unless --strict)
  1  a check failed: an error-severity check, or with --strict a warning
  2  usage error, unreadable input file or checks file (its line is named)
  3  internal error (a bug: please report it with the command you ran)"""


@main.command(epilog=CHECK_EXIT_CODES)
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(),
    help="The checks file (TOML), or a rules folder holding checks.toml "
    "(its other rules files replace the defaults). Default: the shipped rules/checks.toml.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["human", "json", "junit", "github"]),
    default="human",
    show_default=True,
    help="human: a table (coloured on a terminal); json; junit: JUnit XML for CI test reports; github: workflow annotations.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report to this file (atomically) instead of stdout.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Failing rows listed per check (by row number, never value).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    help="An earlier version of the file: row_count's max_change compares with its rows.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="The day freshness is measured from (default: today).",
)
@click.option(
    "--skip",
    multiple=True,
    metavar="NAME|KIND",
    help="Do not run this check (its name or kind; repeatable), e.g. --skip duplicate_rate.",
)
@click.option("--strict", is_flag=True, help="A failed warning fails the run too.")
@READ["map"]
@READ["sheet"]
@READ["encoding"]
@READ["delimiter"]
@READ["max_field_length"]
@handle_errors
def check(
    files,
    rules_path,
    fmt,
    output,
    max_examples,
    baseline,
    as_of,
    skip,
    strict,
    maps,
    sheet,
    encoding,
    delimiter,
    max_field_length,
):
    """Check data FILES against declared rules, like a linter for data: required and
    forbidden columns, patterns and types, unique keys, valid VAT / e-mail / phone rates,
    the duplicate rate (the linking engine), allowed values, row counts (and change
    against --baseline), freshness, opt-out present, no formula-like cells. Each check
    has a severity: error (fails the run) or warning. Failing rows are named by row
    number, column and (CSV) line — never by value.

    \b
    enrich check exports/leads.csv --rules checks.toml
    enrich check exports/*.csv --format junit -o check-results.xml
    enrich check data.csv --format github --skip duplicate_rate
    """
    import datetime as dt

    from .check import output as report
    from .check.rules import load as load_checks
    from .check.rules import load_default as load_default_checks
    from .check.run import Data, baseline_rows, header_line, read_tables, run_checks
    from .io.write import check_not_input, write_text
    from .mapping import parse_overrides

    rules = Path(rules_path) if rules_path else None
    if rules is not None and rules.is_dir():
        rulefiles.use_rules_dir(rules)
        rules = rules / "checks.toml"
    checks = load_checks(str(rules)) if rules else load_default_checks()
    unknown = [s for s in skip if s not in {c.name for c in checks} | {c.kind for c in checks}]
    if unknown:
        raise InputError(f"--skip {unknown[0]!r}: no check of that name or kind in the checks file")
    checks = [c for c in checks if c.name not in skip and c.kind not in skip]
    try:
        today = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    if output:
        check_not_input([Path(output)], list(files))
    read_kwargs = {
        "sheet": sheet,
        "encoding": encoding,
        "delimiter": "\t" if delimiter == "tab" else delimiter,
        "max_field": max_field_length,
    }
    overrides = parse_overrides(maps)
    ctx = {
        "max_examples": max_examples,
        "today": today,
        "baseline_rows": baseline_rows(baseline, **read_kwargs) if baseline else None,
    }
    results, unreadable, header_lines = [], [], {}
    for path in files:
        try:
            tables = read_tables(path, **read_kwargs)
        except InputError as exc:
            unreadable.append((path, exc.message if exc.file == path else str(exc)))
            click.echo(f"enrich: error: {exc}", err=True)
            continue
        for table in tables:
            data = Data(table, overrides)
            header_lines[data.name] = header_line(data)
            results += run_checks(data, checks, ctx)
    if fmt == "json":
        text = report.as_json(results, unreadable, max_examples)
    elif fmt == "junit":
        text = report.junit(results, unreadable, max_examples)
    elif fmt == "github":
        text = report.github(results, max_examples, unreadable, header_lines)
    else:
        colour = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = report.human(results, unreadable, max_examples, colour)
    if output:
        write_text(text if text.endswith("\n") else text + "\n", output)
        counts = report.summary(results, [n for n, _ in unreadable])
        _say(
            f"{counts['checks']} checks: {counts['passed']} passed, {counts['errors']} failed, {counts['warnings']} warnings"
            + (f"; {counts['unreadable']} file(s) unreadable" if unreadable else "")
            + f"; wrote {output}"
        )
    elif text:
        click.echo(text)
    if unreadable:
        sys.exit(EXIT_INPUT)
    if any(r.blocking or (strict and r.status == "failed") for r in results):
        sys.exit(EXIT_FAILED)


@main.command(epilog=EXIT_CODES)
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("row_a")
@click.argument("row_b")
@click.option(
    "--level", type=click.Choice(["company", "contact"]), default="contact", show_default=True
)
@handle_errors
def explain(run_dir, row_a, row_b, level):
    """Why two records of a `dedupe` run were (not) matched: the per-field match weights that
    add up to the pair's score. ROW_A and ROW_B are source rows, as FILE:ROW (or ROW when the
    run read one file)."""
    from .link.explain import explain_pair

    click.echo(explain_pair(Path(run_dir), row_a, row_b, level))


if __name__ == "__main__":  # pragma: no cover
    run()
