"""The command line's vocabulary: every option declared once, with one name and one meaning
in every command, and the functions that turn a command's options into a job.

``-o/--out`` is where a command writes; ``--rules DIR`` a rules folder that extends the
shipped rules; ``--format`` the format of written tables (csv, parquet); ``--previous`` an
earlier output to link onto; ``--strict`` exists only where a gate does (clean, check).
Old names stay as hidden aliases (``--link-to``, ``--output``, check's ``--format``).
"""

from __future__ import annotations

import click

from .errors import InputError
from .job import DATE_ORDERS, DEFAULT_CACHE, MAX_FIELD_LENGTH, Input, Job, Online, Registry


def exit_codes(gate: str | None = None) -> str:
    """The epilog of a command: its exit codes (1 only where the command has a gate)."""
    lines = ["\b", "Exit codes:", "  0  done"]
    if gate:
        lines.append(f"  1  {gate}")
    lines.append(
        "  2  usage error, or an input or rules file that cannot be used (nothing is written),"
    )
    lines.append("     an output another run is writing, a full or read-only disk")
    lines.append("  3  internal error (a bug: please report it with the command you ran)")
    lines.append("  130  interrupted (Ctrl-C; SIGTERM: 143): the message says what was written")
    lines.append(f"  141  {CLOSED_PIPE}")
    return "\n".join(lines)


CLOSED_PIPE = "standard output closed early (-o - | head): the run stops quietly"


EXIT_CODES = exit_codes()
CHECK_EXIT_CODES = (
    """\b
Exit codes:
  0  every check passed (warnings allowed, unless --strict)
  1  a check failed: an error-severity check, or with --strict a warning
  2  usage error, unreadable input file or checks file (its line is named)
  3  internal error (a bug: please report it with the command you ran)
  130  interrupted (Ctrl-C; SIGTERM: 143)
  141  """
    + CLOSED_PIPE
)


def together(*options):
    """One decorator for several options, in the order given."""

    def apply(fn):
        for option in reversed(options):
            fn = option(fn)
        return fn

    return apply


def alias(old: str, dest: str, **kwargs):
    """A hidden option under an old name; the command takes whichever was given."""
    return click.option(old, dest, hidden=True, **kwargs)


def out(kind: str, help: str, required: bool = True, stdout: bool = False):
    """-o/--out: a file (*kind* 'file') or a folder ('folder'); '-' (standard output, one
    table: ``io.stdout``) only where *stdout*, else a usage error that says why."""
    path = click.Path(dir_okay=False) if kind == "file" else click.Path(file_okay=False)

    def no_dash(ctx, param, value):
        if value == "-" and not stdout:
            raise click.BadParameter(
                f"'-' (standard output) takes one table; `enrich {ctx.info_name}` writes a "
                f"{kind} of several: give a {kind} name"
            )
        return value

    return click.option("-o", "--out", required=required, type=path, help=help, callback=no_dash)


def table_format(help: str, default: str | None = "csv", xlsx: bool = False):
    """--format: csv or parquet (and xlsx, where a person opens the tables: ``io.xlsx``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["csv", "parquet", *(["xlsx"] if xlsx else [])]),
        default=default,
        show_default=default is not None,
        help=help,
    )


def previous(what: str):
    return click.option(
        "--previous",
        type=click.Path(file_okay=False),
        help=f"An earlier {what} folder: link FILES to it, keeping its ids.",
    )


RULES = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False),
    help="A rules folder: its files extend the shipped rules key by key "
    "(replace = true in a file replaces that file whole).",
)
MAP = click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="'HEADER=COLUMN'",
    help="Map a header by hand (repeatable), e.g. --map 'Col X=email'.",
)
SHEET = click.option("--sheet", help="Read only this sheet of XLSX inputs (default: all sheets).")
ENCODING = click.option(
    "--encoding", help="Force the CSV encoding (default: detected: UTF-8, UTF-16, cp1252, latin-1)."
)
DELIMITER = click.option(
    "--delimiter",
    type=click.Choice([",", ";", "tab", "|"]),
    help="Force the CSV delimiter (default: detected).",
)
MAX_FIELD = click.option(
    "--max-field-length",
    type=click.IntRange(min=1),
    default=MAX_FIELD_LENGTH,
    show_default=True,
    help="Reject rows with a longer value.",
)
FORCE = click.option(
    "--force",
    is_flag=True,
    help="Replace an existing OUT, even one holding files enrich did not write (they are "
    "deleted with it); never a file this run reads.",
)
REDACT = click.option(
    "--redact",
    is_flag=True,
    help="Make report.html a shareable copy: no file names, row numbers or entity ids "
    "(the report never shows names, e-mails, phones or addresses).",
)
QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
DEFAULT_COUNTRY = click.option(
    "--default-country",
    metavar="CC",
    help="ISO country for rows without one (else the file's most frequent country).",
)
DATE_ORDER = click.option(
    "--date-order",
    type=click.Choice(DATE_ORDERS),
    help="Read every date column day-first (dmy), month-first (mdy) or year-first (ymd) "
    "(default: decided per column from its values; day-first when they do not tell).",
)
EXCEL = click.option(
    "--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows accents right."
)
DECISIONS = click.option(
    "--decisions",
    type=click.Path(dir_okay=False),
    help="A review.csv with its decision column filled: match / no_match, in any case or in "
    "the words of rules/decisions.toml (oui / non, ja / nee, same / different …), or a yes/no "
    "column of its own. Every row is accounted for in run.json (applied, not applied and why, "
    "blank, unreadable).",
)
SUPPRESS = click.option(
    "--suppress",
    type=click.Path(dir_okay=False),
    multiple=True,
    help="A do-not-contact list (repeatable): e-mail addresses (any case, 'Name <address>', "
    "mailto:), phone numbers, SHA-256 digests of lower-cased addresses — one per line, or a CSV "
    "with a header (e-mail / phone columns, a channel column); UTF-8, UTF-16 or cp1252. Kept in "
    "the master's register (keyed hashes): it holds in later runs without the list.",
)
MODEL = click.option(
    "--model",
    type=click.Path(dir_okay=False),
    help="Reuse a model.json instead of training one (default with --previous: its model).",
)
LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "nl", "en"]),
    default="fr",
    show_default=True,
    help="Language of the registry's labels (NACE, legal form, city).",
)
SIZE = click.option(
    "--size",
    "size_file",
    type=click.Path(dir_okay=False),
    help="With the registry: a size file keyed by enterprise number or SIREN (headcount or band, FTE, turnover, "
    "balance-sheet total, year; e.g. NBB annual accounts for Belgium): decides the size band first.",
)


CONTACTABILITY = together(
    click.option(
        "--dnc",
        multiple=True,
        metavar="[dncm:|bloctel:]FILE",
        help="A national do-not-call file as its service delivers it (repeatable): Belgium's "
        "Ne m'appelez plus / Bel me niet meer (dncm) or France's Bloctel scrub (bloctel); the "
        "service is told by the file's name or content unless given. Its age (a date in its "
        "name, else its modification time) is checked against rules/contactability.toml [dnc].",
    ),
    click.option(
        "--as-of",
        "as_of_day",
        metavar="YYYY-MM-DD",
        help="The day contactability is judged on: dated rules (FR phone consent from "
        "2026-08-11), consent and customer ages, do-not-call file ages (default: today).",
    ),
)


def registry(required: bool = False):
    help = "A registry index (enrich registry build)" + (
        "." if required else ": attach firmographics."
    )
    return click.option(
        "--registry", required=required, type=click.Path(file_okay=False), help=help
    )


READ = together(
    click.argument("files", nargs=-1, required=True),
    MAP,
    DEFAULT_COUNTRY,
    DATE_ORDER,
    SHEET,
    ENCODING,
    DELIMITER,
    RULES,
    MAX_FIELD,
    QUIET,
)
ONLINE = together(
    click.option(
        "--online",
        is_flag=True,
        help="Also ask VIES about each VAT number (validity, name, address; 1 call "
        "a second) and recherche-entreprises about each SIREN the index does not hold; answers cached.",
    ),
    click.option(
        "--lei",
        is_flag=True,
        help="With --online: also find each company's LEI in GLEIF by its registry "
        "number (1 call a second).",
    ),
    click.option(
        "--offline", is_flag=True, help="With --online: answer from the cache only, make no call."
    ),
    click.option(
        "--cache",
        type=click.Path(dir_okay=False),
        default=DEFAULT_CACHE,
        show_default=True,
        help="The online answers' cache (SQLite; answers kept 30 days).",
    ),
)


# --- options → job ---------------------------------------------------------------------------


def delimiter(value: str | None) -> str | None:
    return "\t" if value == "tab" else value


def inputs(o: dict) -> list[Input]:
    """The job's inputs: the same read options for every file given on the command line."""
    from .mapping import parse_overrides

    given = {
        "map": parse_overrides(o["maps"]),
        "default_country": o["default_country"],
        "date_order": o.get("date_order"),
    }
    return [Input(f, **given, **_reading(o)) for f in o["files"]]


def _reading(o: dict) -> dict:
    """The read options of a command that reads contact files, as ``Input`` fields."""
    return {
        "sheet": o["sheet"],
        "encoding": o["encoding"],
        "delimiter": delimiter(o["delimiter"]),
        "max_field_length": o["max_field_length"],
    }


def online(o: dict) -> Online | None:
    if (o["offline"] or o["lei"]) and not o["online"]:
        raise InputError(f"--{'offline' if o['offline'] else 'lei'} goes with --online")
    return Online(lei=o["lei"], offline=o["offline"], cache=o["cache"]) if o["online"] else None


def registry_of(o: dict) -> Registry | None:
    if o.get("size_file") and not o["registry"]:
        raise InputError(
            "--size goes with --registry (sizes are attached to the companies the registry finds)"
        )
    return Registry(o["registry"], o["lang"], o.get("size_file")) if o["registry"] else None


def job(o: dict, **fixed) -> Job:
    """The job of a command's options *o* (what a command does not take stays default)."""
    fields = {
        "inputs": inputs(o),
        "out": o["out"],
        "format": o.get("fmt") or "csv",
        "excel": o.get("excel", False),
        "rules": o.get("rules_dir"),
        "previous": o.get("previous") or o.get("link_to"),
        "decisions": o.get("decisions"),
        "suppress": list(o.get("suppress") or ()),
        "model": o.get("model"),
        "registry": registry_of(o) if "registry" in o else None,
        "online": online(o) if "online" in o else None,
        "force": o.get("force", False),
        "dnc": list(o.get("dnc") or []),
        "as_of": o.get("as_of_day"),
        "redact": o.get("redact", False),
    }
    return Job(**{**fields, **fixed})


PERSON = together(
    click.argument("master_dir", metavar="MASTER", type=click.Path(file_okay=False, exists=True)),
    click.option(
        "--email",
        "emails",
        multiple=True,
        metavar="ADDRESS",
        help="The person's e-mail address, in any form: any case, 'Name <address>', "
        "mailto: (repeatable).",
    ),
    click.option(
        "--phone",
        "phones",
        multiple=True,
        metavar="NUMBER",
        help="The person's phone number, national or international (repeatable).",
    ),
    DEFAULT_COUNTRY,
    RULES,
)


def person(o: dict):
    """The request of `enrich subject` / `enrich erase`: the addresses given, normalised."""
    from .consent.subject import request

    return request(list(o["emails"]), list(o["phones"]), o["default_country"])


REPORT_FORMATS = ["human", "json", "junit", "github", "html"]


def check_plan(o: dict):
    """The plan of `enrich check` from its options."""
    from .check.run import plan
    from .mapping import parse_overrides

    read_options = Input("-", **_reading(o)).read_options()  # the same for every file
    made = plan(
        o["checks"],
        o["rules"],
        skip=o["skip"],
        as_of=o["as_of"],
        max_examples=o["max_examples"],
        baseline=o["baseline"],
        overrides=parse_overrides(o["maps"]),
        read_options=read_options,
    )
    made.ctx["redact"] = o.get("redact", False)
    return made


def registry_files():
    """`registry build`'s file options: each registry adapter declares its own."""
    from .registry import SOURCES

    return together(
        *(
            click.option(flag, keyword, type=click.Path(dir_okay=False), help=help)
            for source in SOURCES
            for keyword, (flag, help) in source.OPTIONS.items()
        )
    )


REGISTRY_BUILD = together(
    registry_files(),
    out("folder", "The index folder (replaced whole, at the end)."),
    click.option(
        "--max-member-gb",
        type=click.FloatRange(min=1e-6),
        default=40.0,
        show_default=True,
        help="Refuse an archive member that inflates to more than this.",
    ),
    click.option(
        "--max-ratio",
        type=click.FloatRange(min=1),
        default=200.0,
        show_default=True,
        help="Refuse an archive member compressed more than this many times (a zip bomb).",
    ),
    QUIET,
)

CHECK = together(
    click.argument("files", nargs=-1, required=True),
    click.option(
        "--checks",
        type=click.Path(dir_okay=False),
        help="The checks file (TOML). Default: the rules "
        "folder's checks.toml, else the shipped rules/checks.toml.",
    ),
    click.option(
        "--rules",
        type=click.Path(),
        help="A rules folder (its checks.toml is the checks file; its other "
        "files extend the shipped rules). A .toml file here is taken as --checks.",
    ),
    click.option(
        "--report-format",
        "fmt",
        type=click.Choice(REPORT_FORMATS),
        default="human",
        show_default=True,
        help="human: a table (coloured on a terminal); json; junit: JUnit XML for CI test reports; "
        "github: workflow annotations; html: a page with charts (report.html).",
    ),
    alias("--format", "old_fmt", type=click.Choice(REPORT_FORMATS)),
    out(
        "file",
        "Write the report to this file (atomically) instead of stdout ('-': stdout).",
        required=False,
        stdout=True,
    ),
    alias("--output", "output", type=click.Path(dir_okay=False)),
    click.option(
        "--max-examples",
        type=click.IntRange(min=0),
        default=10,
        show_default=True,
        help="Failing rows listed per check (by row number, never value).",
    ),
    click.option(
        "--baseline",
        type=click.Path(dir_okay=False),
        help="An earlier version of the file: row_count's max_change compares with its rows.",
    ),
    click.option(
        "--as-of", metavar="YYYY-MM-DD", help="The day freshness is measured from (default: today)."
    ),
    click.option(
        "--skip",
        multiple=True,
        metavar="NAME|KIND",
        help="Do not run this check (its name or kind; repeatable), e.g. --skip duplicate_rate.",
    ),
    click.option("--strict", is_flag=True, help="A failed warning fails the run too."),
    click.option(
        "--redact",
        is_flag=True,
        help="With --report-format html: no file names (a copy to share).",
    ),
    MAP,
    SHEET,
    ENCODING,
    DELIMITER,
    MAX_FIELD,
)


PROFILE = together(
    click.argument("files", nargs=-1, required=True, metavar="ORDERS..."),
    click.option(
        "--master",
        "master_dir",
        required=True,
        type=click.Path(file_okay=False, exists=True),
        help="The master folder (enrich master) whose customers the orders are linked to.",
    ),
    click.option(
        "--as-of",
        "as_of_day",
        metavar="YYYY-MM-DD",
        help="The day recency and age bands are counted from (default: today).",
    ),
    click.option(
        "--map",
        "maps",
        multiple=True,
        metavar="'HEADER=FIELD'",
        help="Map an order header by hand (repeatable), e.g. --map 'Ref=order_id'; fields: "
        "order_id, customer_key, email, date, amount, line_amount, product, category, quantity, "
        "first_name, last_name, postcode.",
    ),
)


def order_maps(specs: tuple[str, ...]) -> dict[str, str]:
    """``('Ref=order_id',)`` → ``{'Ref': 'order_id'}``, checked against the order fields."""
    from .profile.orders import FIELDS

    out = {}
    for spec in specs:
        header, sep, field = (x.strip() for x in spec.rpartition("="))
        if not sep or not header or field not in FIELDS:
            raise InputError(f"--map takes 'Header=field' with a field of {', '.join(FIELDS)}")
        out[header] = field
    return out
