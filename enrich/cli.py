"""The command line: thin Click commands that turn options into a job (``enrich.options``),
call the library (``enrich.pipeline``, ``enrich.check``, ``enrich.registry``), print and map
errors to exit codes. No data work happens here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import signal
import sys
from pathlib import Path

import click

# Polars' allocator gives freed memory back to the system after half a second, and each page
# taken again costs a fault: in a batch job that frees and takes gigabytes stage after stage,
# that was 1–1.5 s of system time per million-row master run. Ten seconds (jemalloc's own
# default) keeps it for the next stage. Set before polars is imported; a value of the user's wins
# — not polars' own, which a parent process that imported polars passes down (each polars
# import writes its default in front of what it finds: once, twice, with its THP keys …).
POLARS_ALLOCATOR = {
    "dirty_decay_ms:500",
    "muzzy_decay_ms:1000",
    "thp:always",
    "metadata_thp:always",
}


def allocator_conf(given: str) -> str:
    """The allocator setting to run with: *given* if it holds a setting of the user's, else ours.

    >>> allocator_conf("dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:500,muzzy_decay_ms:1000")
    'dirty_decay_ms:10000,muzzy_decay_ms:10000'
    >>> allocator_conf("dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:1")
    'dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:1'
    """
    if {part.strip() for part in given.split(",")} - {""} <= POLARS_ALLOCATOR:
        return "dirty_decay_ms:10000,muzzy_decay_ms:10000"
    return given


os.environ["_RJEM_MALLOC_CONF"] = allocator_conf(os.environ.get("_RJEM_MALLOC_CONF", ""))

from . import __version__  # noqa: E402
from . import options as opt  # noqa: E402
from .errors import EXIT_FAILED, EXIT_INPUT, EXIT_INTERNAL, EnrichError  # noqa: E402
from .io.lock import Interrupted  # noqa: E402
from .options import CHECK_EXIT_CODES, EXIT_CODES  # noqa: E402

EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, as git and a shell report a closed pipe


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)


def sayer(quiet: bool):
    """The pipeline's ``say``: lines on stderr, unless quiet."""
    return lambda line: _say(line, quiet)


def handle_errors(fn):
    """One line on stderr and a documented exit code — never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:  # the reader went away (| head): nothing more to say
            _closed_pipe()
        except EnrichError as exc:
            what = "" if isinstance(exc, Interrupted) else "error: "
            click.echo(f"enrich: {what}{exc}", err=True)
            sys.exit(exc.exit_code)
        except MemoryError:
            click.echo("enrich: error: out of memory", err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt as exc:  # not while writing: that is Interrupted, above
            _interrupted(exc)
        except Exception as exc:  # a bug: say what, without the data
            click.echo(f"enrich: internal error: {type(exc).__name__}: {str(exc)[:200]}", err=True)
            sys.exit(EXIT_INTERNAL)

    return wrapper


def _closed_pipe() -> None:
    """Leave quietly, as git does, when standard output is closed (``… | head -1``): exit
    141 (128 + SIGPIPE); stdout goes to /dev/null so that no flush fails on the way out."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_CLOSED_PIPE)


class Commands(click.Group):
    """A group whose command list gives each command's short help whole (wrapped), never cut
    with '...' as Click cuts the first sentence of a long help."""

    group_class = type  # its subgroups (registry) too

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(limit=10_000))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _interrupted(exc: BaseException | None = None) -> None:
    """Leave after a Ctrl-C (exit 130) or SIGTERM (143) that came before anything was
    written (an interrupt while writing is ``lock.Interrupted``, which says what was)."""
    from .io.lock import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated

    click.echo("enrich: interrupted: nothing was written", err=True)
    sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)


def run() -> None:
    """The ``enrich`` program. It leaves at once when the command is done: by then every
    output is written, closed and renamed into place, and tearing down gigabytes of frames
    one by one took half a second of a million-row run. SIGTERM is taken as Ctrl-C is: the
    temporaries are removed, and it exits 143 (Ctrl-C: 130) saying what was written."""
    from .io.lock import on_terminate

    signal.signal(signal.SIGTERM, on_terminate)
    try:
        code = _main()
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


def _main() -> int:
    """Click's own main, but a Ctrl-C outside a command (while it reads the options) is
    handled here, not by Click ("Aborted!", exit 1)."""
    try:
        try:
            main(standalone_mode=False)
        except KeyboardInterrupt as exc:
            _interrupted(exc)
    except click.exceptions.Abort as exc:
        _interrupted(exc.__cause__)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:  # --help | head
        _closed_pipe()
    return 0


@click.group(
    cls=Commands,
    epilog=opt.exit_codes(
        "done, but a gate failed (clean, check, registry lookup: see their help)"
    ),
)
@click.version_option(__version__, prog_name="enrich")
def main() -> None:
    """enrich — turn messy contact files into one clean master file.

    Every input row is accounted for: it ends in the output or in the rejects file, with a
    reason. Nothing personal is printed: messages name files, rows and columns only.
    """


@main.command(
    short_help="Clean and validate contact files into one canonical table.",
    epilog=opt.exit_codes("done, but --strict and some rows were rejected"),
)
@opt.READ
@opt.out("file", "Output table: .csv, .parquet or .xlsx; '-': standard output.", stdout=True)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    help="Rejected rows with the reason (default: OUT's name + .rejects.csv; with -o -: "
    "not written unless given, their count said).",
)
@opt.table_format("Output format (default: from OUT's extension; CSV).", default=None, xlsx=True)
@opt.EXCEL
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@handle_errors
def clean(**o):
    """Read contact FILES (CSV, XLSX, Parquet, JSON; '-' for stdin), map their headers onto
    the canonical schema, normalise names, addresses, emails, phones and dates, and validate
    VAT/company numbers.

    \b
    Writes OUT (one row per usable input row, with source_file and source_row), the rejects
    file (empty rows, repeated header rows, ragged rows, oversized values — with the reason)
    and OUT's name + .run.json (row accounting per file, header mapping, timings).
    In CSV output, cells that a spreadsheet would run as a formula get a leading '; XLSX
    output (-o out.xlsx) keeps every text cell text (postcodes, phones, VAT numbers).

    \b
    -o - writes the table to standard output (CSV, or --format parquet/xlsx into a pipe or
    file), everything else to stderr; no run.json, and the rejects only with --rejects FILE:
      enrich clean crm.csv -o - --rejects crm.rejects.csv | csvlook
    """
    from .io.write import format_for
    from .pipeline import run_clean
    from .terminal import shown

    job = opt.job(o, format=format_for(Path(o["out"]), o["fmt"]))
    with shown(o["quiet"]) as view:
        result = run_clean(job, o["rejects"], view.say, warn=view.warn, shown=view)
    if o["strict"] and result.rejects.height:
        _say(f"--strict: {result.rejects.height} rows were rejected", False)
        sys.exit(EXIT_FAILED)


@main.command(
    short_help="Find duplicate companies and contacts; pairs to review.", epilog=EXIT_CODES
)
@opt.READ
@opt.out("folder", "Output folder; '-': the records on standard output only.", stdout=True)
@opt.FORCE
@opt.table_format("Format of records.")
@opt.DECISIONS
@opt.MODEL
@opt.previous("dedupe output")
@opt.alias("--link-to", "link_to", type=click.Path(file_okay=False))
@opt.REDACT
@handle_errors
def dedupe(**o):
    """Find the duplicate companies and contacts in FILES (cleaned first, as `enrich clean`),
    with the rules in rules/link.toml.

    \b
    Writes into OUT: records.csv (every usable row with company_id, contact_id, and
    person_id linking one person's contacts at several companies), rejects.csv,
    pairs.parquet (every scored pair with per-field evidence), review.csv (the
    grey-zone decisions: one pair per two clusters that review-band pairs join, side by
    side, with pairs_between and an empty decision column for a steward: feed it back
    with --decisions), model.json (the fitted m/u probabilities and match weights per level),
    run.json, report.html (charts: rows, validity, scores with thresholds, sample pairs
    explained; --redact for a copy to share). Prints the candidate pairs, matches, clusters
    and time per stage.

    \b
    With --previous MASTER (a folder an earlier `enrich dedupe` wrote), the rows of FILES are
    linked to the master's records and among themselves; the master is not re-deduplicated:
    its company_id / contact_id are kept, its clusters are neither merged nor split, new
    companies and contacts get new ids, and only pairs with a new row are compared. The
    master's model.json is reused unless --model says otherwise. records.* then holds the
    master rows followed by the new ones, so OUT can be the next run's --previous. An OUT
    that holds a dedupe output already is replaced only with --force.

    \b
    -o - writes only the records (CSV, or --format parquet into a pipe) to standard output;
    the rejects and review pairs are not written, and their counts are said on stderr.
    """
    from .pipeline import run_dedupe
    from .terminal import shown

    with shown(o["quiet"]) as view:
        run_dedupe(opt.job(o), view.say, warn=view.warn, shown=view)


@main.command(
    short_help="Build one clean master (companies, contacts) from contact files.",
    epilog=EXIT_CODES,
)
@opt.READ
@opt.out("folder", "Output folder: the master (written whole, at the end).")
@opt.FORCE
@opt.table_format(
    "Format of companies, contacts, contact_points, provenance; xlsx: CSV, and "
    "companies.xlsx, contacts.xlsx, review.xlsx beside for Excel.",
    xlsx=True,
)
@opt.EXCEL
@opt.previous("master")
@opt.DECISIONS
@opt.SUPPRESS
@opt.CONTACTABILITY
@opt.MODEL
@opt.registry()
@opt.LANG
@opt.SIZE
@opt.ONLINE
@opt.REDACT
@handle_errors
def master(**o):
    """Build one clean master file from contact FILES: read, map, normalise, validate, link
    duplicates (rules/link.toml) and keep the best value of each field (rules/survivorship.toml).

    \b
    Writes the folder OUT:
      companies.*       one golden row per company (legal entity), its e-mails, phones,
                        addresses (establishments) and SIRETs listed
      contacts.*        one golden row per person at a company (company_id), or per
                        customer in a B2C file; opt_out (an opt-out in any source wins),
                        email_opt_out, phone_opt_out, post_opt_out, do_not_contact (all
                        three), suppressed, refused_by; per channel email_ok/_why,
                        phone_ok/_why, post_ok/_why (rules/contactability.toml)
      contact_points.*  every distinct e-mail, phone and address, and which one is golden
      provenance.*      for every golden value of an entity of several rows: the source
                        file and row, the rule that decided it
      lineage.csv       one row per input row: company_id, customer_id, contact_id, status
                        (merged / kept / rejected) and the reason of a reject
      review.csv        grey-zone pairs for a steward, decision first, both records side
                        by side (fill decision or run enrich review; pass --decisions)
      pairs.parquet     the run's pairs in the review band or above, for enrich explain
      rejects.csv, changes.csv (ids merged or split, old → new), decisions.csv,
      run.json, report.html, and for the next --previous: model.json,
                        register.parquet (the do-not-contact register, keyed hashes),
                        records*.parquet, link_company|customer|contact*.parquet
                        (a part per run: earlier parts are hard-linked, not rewritten),
                        and for a CSV master golden_*.parquet (its tables, read faster)

    \b
    Ids are stable: the same inputs give the same bytes (but run.json's timings), and the
    same rows in another order the same ids, clusters and golden rows. With --previous
    MASTER, FILES are linked to it without re-linking it: its ids are kept, new companies
    and contacts get new ids, and OUT is the next master. A decision that contradicts an earlier cluster merges or splits it, recorded in
    changes.csv. Decisions are remembered for later runs. OUT is written whole at the end:
    an interrupted or failed run leaves no half-written master. The same job runs from
    Python: enrich.pipeline.run(enrich.job.Job(...)).

    \b
    run.json lists every file of OUT with its size and SHA-256 (manifest) and every input
    of the master by content (inputs): with --previous, a file changed, truncated or mixed
    in from another master stops the run (exit 2), and an input already in the master
    (under any name) is skipped, as is a file given twice. An OUT that holds a master
    already is replaced only with --force (or write the next one beside it: --previous OUT
    -o OUT.next); with files enrich did not write (notes …) too. -o - is refused: a master is
    a folder (pipe its contacts with `enrich clean` or read OUT/contacts.csv).
    """
    from .pipeline import run
    from .terminal import shown

    with shown(o["quiet"]) as view:
        run(opt.job(o), view.say, warn=view.warn, shown=view)


@main.command(
    "run", short_help="Run a job file (or repeat a master's run.json).", epilog=EXIT_CODES
)
@click.argument("job_file", metavar="JOB", type=click.Path())
@opt.out("folder", "The master folder, instead of the job's out (e.g. this month's).", False)
@opt.FORCE
@opt.QUIET
@handle_errors
def run_job(job_file, out, force, quiet):
    """Run the master job declared in JOB: a job file (TOML, `enrich init` writes one), or a
    master's run.json (or the master folder), which records the job that made it: run it
    again, as it was. An out that holds a master already is replaced only with --force (or
    force = true in JOB).

    \b
    The smallest job file (paths relative to its folder, where the job runs):
      inputs = ["crm.csv", "leads.xlsx"]
      out = "out/master"
    Every other key is optional and named as the `enrich master` option of the same meaning.
    A mistake in JOB is named with its line (exit 2) before anything is read.

    \b
    enrich init monthly.toml && enrich run monthly.toml
    enrich run out/master/run.json --force
    enrich run monthly.toml -o out/master-2026-12
    """
    from .jobfile import load, working_in
    from .pipeline import run
    from .terminal import shown

    loaded = load(job_file)
    if out:  # given here: relative to where the command is run
        loaded.job = dataclasses.replace(loaded.job, out=str(Path(out).resolve()))
    if force:
        loaded.job = dataclasses.replace(loaded.job, force=True)
    with shown(quiet) as view, working_in(loaded.folder):
        view.say(
            f"{job_file}: {len(loaded.job.inputs)} inputs → {loaded.job.out} (in {loaded.folder})"
        )
        run(loaded.job, view.say, warn=view.warn, shown=view)


@main.command(short_help="Write a commented starter job file for `enrich run`.", epilog=EXIT_CODES)
@click.argument("job_file", metavar="JOB", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace JOB if it exists.")
@handle_errors
def init(job_file, force):
    """Write a starter job file JOB for `enrich run`: its inputs guessed from the CSV and XLSX
    files beside it, out = "out/master", and every optional key, commented out, with what it
    does. An existing JOB is kept unless --force."""
    from .errors import InputError
    from .io.write import write_text
    from .jobfile import starter

    if Path(job_file).exists() and not force:
        raise InputError("exists: pass --force to replace it", file=job_file)
    write_text(starter(job_file), job_file)
    _say(f"wrote {job_file}: fill in inputs and out, then `enrich run {job_file}`")


@main.command(
    short_help="Everything a master holds about one person (GDPR access), as JSON.",
    epilog=EXIT_CODES,
)
@opt.PERSON
@handle_errors
def subject(**o):
    """Everything MASTER holds about one person (GDPR Article 15), as JSON on stdout: their
    golden contacts (every contact holding one of the addresses, as its golden value or
    among its others) with contact points, provenance and consent, every source row (file,
    row, cleaned values, lineage status), and the register's refusals of them. Found nothing:
    exit 0, "found": false. Nothing personal is written to stderr.

    \b
    enrich subject out/master --email 'Jan Peeters <JAN@firma.be>'
    enrich subject out/master --phone '0475 12 34 56' --default-country BE
    """
    import json

    from .consent.subject import find, gather, load
    from .io.lock import check_inputs, locked
    from .ruleset import Rules

    asked = opt.person(o)
    check_inputs([o["rules_dir"]])
    with locked(o["master_dir"], shared=True):  # no run replaces it meanwhile
        held = load(o["master_dir"], Rules.load(o["rules_dir"]))
        found = gather(held, find(held, asked), asked)
    click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))


@main.command(short_help="Erase one person from a master (GDPR erasure).", epilog=EXIT_CODES)
@opt.PERSON
@opt.out("folder", "The next master (default: MASTER, replaced whole at the end).", required=False)
@opt.FORCE
@opt.QUIET
@handle_errors
def erase(**o):
    """Erase one person from MASTER (GDPR Article 17): their golden contacts, contact points,
    provenance, source rows (records and what linking derived of them), review, rejects and
    decision rows; the companies they belonged to are survived again without their rows.
    lineage.csv keeps each of their rows as `erased` (file and row only). A keyed tombstone
    of every address and number they held goes into register.parquet, so a later import of
    them is suppressed. The next master is written whole, with a fresh run.json: a valid
    --previous. Give the --rules folder the master was built with.

    \b
    enrich erase out/master --email jan@firma.be --phone '+32 475 12 34 56'
    """
    from .consent.erase import erase as run_erase

    asked = opt.person(o)
    erased = run_erase(
        o["master_dir"],
        o["out"],
        asked,
        rules_dir=o["rules_dir"],
        force=o["force"],
        say=sayer(o["quiet"]),
    )
    _say(erased.line(), o["quiet"])


@main.command(
    "export",
    short_help="Export a master's tables, minimised or pseudonymised.",
    epilog=EXIT_CODES,
)
@click.argument("master_dir", metavar="MASTER", type=click.Path(file_okay=False, exists=True))
@opt.out("folder", "The export folder (replaced whole): companies, contacts, export.json.")
@opt.table_format("Format of the exported tables (xlsx: for Excel, text kept text).", xlsx=True)
@opt.EXCEL
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace the direct identifiers (rules/purposes.toml [pseudonymise]: names, e-mails, "
    "phones, street lines …) by HMAC-SHA-256 under the secret key (ENRICH_SECRET_KEY); ids stay.",
)
@click.option("--keep", metavar="COLS", help="Export only these columns (a comma list); ids stay.")
@click.option(
    "--purpose",
    metavar="NAME",
    help="Export the columns of a purpose of rules/purposes.toml (mailing, calling, "
    "analytics …); a marketing purpose leaves out who must not be contacted.",
)
@opt.RULES
@opt.QUIET
@handle_errors
def export_(**o):
    """Export MASTER's golden companies and contacts for an agency or a purpose: minimised
    (--keep or --purpose: everything else is left out) and, with --pseudonymise, with direct
    identifiers keyed (the same value gives the same pseudonym in every export made with the
    same key). export.json beside the tables says what was kept, left out and keyed, and the
    key's fingerprint (never the key).

    \b
    enrich export out/master -o out/agency --purpose analytics
    enrich export out/master -o out/mailing --purpose mailing --format parquet
    enrich export out/master -o out/x --keep city,function,email --pseudonymise
    """
    from .consent.export import export, plan
    from .ruleset import Rules

    chosen = plan(Rules.load(o["rules_dir"]), o["keep"], o["purpose"], o["pseudonymise"])
    done = export(
        o["master_dir"],
        o["out"],
        chosen,
        fmt=o["fmt"],
        excel=o["excel"],
        rules_dir=o["rules_dir"],
        say=sayer(o["quiet"]),
    )
    tables = ", ".join(f"{t['rows']} {name}" for name, t in done["tables"].items())
    keyed = sum(len(t["pseudonymised"]) for t in done["tables"].values())
    _say(f"wrote {o['out']}: {tables}; {keyed} columns pseudonymised", o["quiet"])


@main.command(
    short_help="Profile a master's customers from order exports (RFM, segments).",
    epilog=EXIT_CODES,
)
@opt.PROFILE
@opt.out(
    "folder",
    "Output folder (replaced whole): profiles.csv/.parquet, unmatched_orders.csv; '-': the "
    "profiles (CSV) on standard output only, the unmatched lines counted on stderr.",
    stdout=True,
)
@opt.RULES
@opt.QUIET
@handle_errors
def profile(**o):
    """Profile the customers of MASTER from order exports ORDERS (CSV, XLSX, Parquet; headers
    by rules/orders.toml): one row per customer who ordered, keyed by customer_id (else
    contact_id) — orders, revenue (refunds netted), average_basket, first_order, last_order,
    recency_days, frequency_days, top_categories, regular_products, RFM scores and a named
    segment (rules/segments.toml), age band and carried columns where the master has them.

    \b
    Orders are linked by customer key (the master's external_id or ids), else by e-mail,
    else by name and postcode, else by a name close to one customer's at the postcode
    (typos, variants, initials, either order); every line that counts for no customer is in
    unmatched_orders.csv with its reason. run.json: counts only, nothing personal.

    \b
    enrich profile orders.csv webshop.xlsx --master out/master -o out/profiles --as-of 2026-12-01
    """
    from .profile.run import run_profile

    run_profile(
        list(o["files"]),
        o["master_dir"],
        o["out"],
        as_of=o["as_of_day"],
        rules_dir=o["rules_dir"],
        maps=opt.order_maps(o["maps"]),
        say=sayer(o["quiet"]),
        warn=sayer(False),
    )


@main.group(short_help="Build and query a local company registry index.", epilog=EXIT_CODES)
def registry():
    """Public company registries: build a local index from bulk open-data files (KBO/BCE,
    SIRENE), and look a company up in it."""


@registry.command(
    "build", short_help="Build a registry index from KBO/BCE or SIRENE files.", epilog=EXIT_CODES
)
@opt.REGISTRY_BUILD
@handle_errors
def registry_build(**o):
    """Build a registry index (Parquet) from the bulk files as published. Read streaming:
    the full KBO and SIRENE files need not fit in memory. Zips are read safely: members are
    found by name, never extracted by their own paths; oversized or bomb-like members, a
    corrupt archive, a missing file or a changed header are refused, naming what is wrong."""
    import time

    from .io.lock import session
    from .registry import SOURCES, archive
    from .registry.folder import check_out
    from .registry.index import build

    files = {keyword: o[keyword] for source in SOURCES for keyword in source.OPTIONS}
    check_out(o["out"], [p for p in files.values() if p])
    started = time.perf_counter()
    limits = archive.Limits(max_bytes=int(o["max_member_gb"] * (1 << 30)), max_ratio=o["max_ratio"])
    with session(o["out"], inputs=files.values(), say=sayer(o["quiet"])):
        meta = build(o["out"], **files, limits=limits)
    counts = ", ".join(f"{n} {what}" for what, n in meta["companies"].items())
    _say(
        f"wrote {o['out']}: {counts} companies in {time.perf_counter() - started:.1f} s", o["quiet"]
    )


@registry.command(
    "lookup",
    short_help="What the index knows of one company number.",
    epilog=opt.exit_codes("the index does not hold the number"),
)
@click.argument("number")
@opt.registry(required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@handle_errors
def registry_lookup(number, registry, as_json):
    """What the index knows of a company: NUMBER is a Belgian enterprise or VAT number
    (0403.170.701, BE0403170701), a SIREN, a SIRET or a French VAT number. Exit 1 when the
    index does not hold it."""
    import json

    from .messages import registry_entries
    from .registry.index import lookup

    found = lookup(registry, number)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False, default=str))
    for line in [] if as_json else registry_entries(found):
        click.echo(line)
    if not found:
        _say(f"{number}: not in the index", False)
        sys.exit(EXIT_FAILED)


@main.command(
    short_help="Clean contact files and attach registry firmographics.", epilog=EXIT_CODES
)
@opt.READ
@opt.registry(required=True)
@opt.out("file", "Output table: .csv, .parquet or .xlsx; '-': standard output (CSV).", stdout=True)
@opt.LANG
@opt.EXCEL
@opt.SIZE
@opt.ONLINE
@handle_errors
def attach(**o):
    """Clean contact FILES and attach each row's registry firmographics, found by its valid
    enterprise number, SIREN, SIRET or VAT number, else by its company name, postcode or town
    and street: official name, status (a ceased company is flagged), legal form, creation
    date, NACE code, version, class, section and label, seat address, headcount band and EU
    SME size band. registry_match says how each row was matched, or why not; registry_number
    which company. Rejected rows go to OUT's name + .rejects.csv; rows whose name fits two
    registry companies about as well (or one not surely enough) are attached to none and
    listed with their candidates in OUT's name + .registry_review.csv. With -o - only the
    rows go to standard output; the rejects and registry review are counted on stderr."""
    from .pipeline import run_attach

    run_attach(opt.job(o), sayer(o["quiet"]), warn=sayer(False))


@main.command(
    short_help="Check data files against declared rules (a linter for data).",
    epilog=CHECK_EXIT_CODES,
)
@opt.CHECK
@handle_errors
def check(**o):
    """Check data FILES against declared rules, like a linter for data: required and
    forbidden columns, patterns and types, unique keys, valid VAT / e-mail / phone rates,
    the duplicate rate (the linking engine), allowed values, row counts (and change
    against --baseline), freshness, opt-out present, no formula-like cells. Each check
    has a severity: error (fails the run) or warning. Failing rows are named by row
    number, column and (CSV) line — never by value.

    \b
    enrich check exports/leads.csv --checks checks.toml
    enrich check exports/*.csv --report-format junit -o check-results.xml
    enrich check data.csv --report-format github --skip duplicate_rate
    """
    from .check.run import check_and_report
    from .io.lock import check_inputs, session

    out = o["out"] or o["output"]
    out = None if out == "-" else out  # the report on stdout, as without -o
    fmt = o["old_fmt"] if o["old_fmt"] and o["fmt"] == "human" else o["fmt"]
    colour = out is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    check_inputs(o["files"])
    with session(out, inputs=o["files"]) if out else contextlib.nullcontext():
        results, unreadable, text = check_and_report(
            o["files"], opt.check_plan(o), fmt, out, colour, say
        )
    if text and not out:
        click.echo(text)
    if unreadable:
        sys.exit(EXIT_INPUT)
    if any(r.blocking or (o["strict"] and r.status == "failed") for r in results):
        sys.exit(EXIT_FAILED)


@main.command(
    short_help="Walk a review.csv's pairs in the terminal; write decisions.", epilog=EXIT_CODES
)
@click.argument("review_csv", metavar="REVIEW.csv", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    help="The decisions file (default: beside the run's folder, e.g. out/master.decisions.csv).",
)
@handle_errors
def review(review_csv, out):
    """Walk the undecided pairs of a review.csv in the terminal: the two records side by
    side with each field's verdict; keys m (match), n (no match), s (skip), u (undo the
    last answer), q (quit). Each answer is written at once to the decisions file; run
    again to resume where you stopped. Then: enrich master … --previous MASTER
    --decisions DECISIONS.csv."""
    from .errors import InputError
    from .link.walk import default_out, keys, walk

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "enrich review needs a terminal (keys m/n/s/u/q); elsewhere fill the decision "
            "column of review.csv and pass it with --decisions",
            file=review_csv,
        )
    target = Path(out) if out else default_out(Path(review_csv))
    with keys() as key:
        pairs, answered, whole = walk(
            Path(review_csv), target, key, lambda text: (click.clear(), click.echo(text))
        )
    state = "every pair answered" if whole else "run again to go on"
    click.echo(
        f"{target}: {answered} of {pairs} pairs answered ({state}); pass it to "
        f"enrich master with --decisions {target}"
    )


@main.command(
    short_help="Why two records were (not) matched: per-field weights.", epilog=EXIT_CODES
)
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("row_a")
@click.argument("row_b")
@click.option(
    "--level",
    type=click.Choice(["company", "customer", "contact"]),
    default="contact",
    show_default=True,
)
@handle_errors
def explain(run_dir, row_a, row_b, level):
    """Why two records of a `dedupe` run or a master were (not) matched: the per-field match
    weights that add up to the pair's score. ROW_A and ROW_B are source rows as lineage.csv
    and review.csv name them, FILE:ROW (the end of the file name will do; ROW alone when the
    run read one file). A master keeps its run's pairs in the review band or above
    (pairs.parquet)."""
    from .link.explain import explain_pair

    click.echo(explain_pair(Path(run_dir), row_a, row_b, level))


if __name__ == "__main__":  # pragma: no cover
    run()
