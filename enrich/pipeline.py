"""The jobs as library calls: ``run(job)`` is the whole master job, without Click.

    from enrich.job import Input, Job
    from enrich.pipeline import run
    result = run(Job(inputs=[Input("crm.csv"), Input("leads.xlsx")], out="out/master"))
    result.counts["companies"], result.out / "companies.csv"

Stages, in order (each a function of its own package, see ARCHITECTURE.md): read → map →
normalise and validate (``clean``) → link and survive (``master.build``) → attach registry
firmographics (``registry``) → online answers (``registry``, opt-in) → write the master folder
(``master.folder``) with its review, run.json and report. ``say`` receives the lines a person
would want to read as the run goes (the CLI prints them); nothing here prints.
Errors are ``EnrichError``s (one line, an exit code), raised before anything is written.
"""

from __future__ import annotations

import contextlib
import functools
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from . import __version__, messages, progress
from .clean import CleanResult, clean_files
from .errors import InputError
from .job import Input, Job, Online, Registry

if TYPE_CHECKING:
    from .link.decision_file import DecisionFile
from .parallel import beside
from .ruleset import Rules

Say = Callable[[str], None]
CLEAN_RULES = [
    "headers",
    "content",
    "legal_forms",
    "countries",
    "titles",
    "addresses",
    "emails",
    "languages",
]
MASTER_RULES = [*CLEAN_RULES, "link", "survivorship", "contactability"]
STATUSES = ("id_status", "email_status", "phone_status", "mobile_status", "postcode_status")


def silent(line: str) -> None:
    """A ``say`` that says nothing."""


@dataclass
class Result:
    """What a master run made: the built master (golden tables, lineage …), its summary
    (``run.json``) and the folder it was written to."""

    job: Job
    out: Path
    master: object  # master.build.Master
    summary: dict

    @property
    def counts(self) -> dict:
        return self.master.counts


def clean(inputs: list[Input], rules: Rules, say: Say = silent) -> CleanResult:
    """Read, map, normalise and validate *inputs*; each table's accounting said."""
    result = clean_files(inputs, rules)
    for line in messages.file_accounting(result):
        say(line)
    return result


def summary(
    command: str, result: CleanResult, outputs: dict, rules: Rules, names: list[str]
) -> dict:
    """The run summary (``run.json``) of the cleaning part of a run."""
    frame = result.frame
    out = {
        "command": command,
        "version": __version__,
        "python": platform.python_version(),
        "rules_hash": rules.digest(names),
        "outputs": outputs,
        "rows_in": result.rows_in,
        "rows_out": frame.height,
        "rows_rejected": result.rejects.height,
        "files": [t.as_dict() for t in result.tables],
        "statuses": {
            col: dict(sorted(frame[col].value_counts().iter_rows(), key=lambda kv: str(kv[0])))
            for col in STATUSES
        },
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    }
    if rules.folder is not None:
        out["rules_overrides"] = rules.overrides
    return out


def versions() -> dict:
    """The versions of enrich and of the libraries whose behaviour shapes the outputs."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"enrich": __version__, "python": platform.python_version()}
    for package in ("polars", "rapidfuzz", "python-stdnum", "phonenumbers", "email-validator"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = None
    return out


def read_sizes(registry: Registry | None, rules: Rules, say: Say = silent):
    """(sizes by company, what was read) of the registry's size file, or None."""
    if registry is None or not registry.size_file:
        return None
    from .registry.sizes import read_sizes as read
    from .registry.sizes import summary

    sizes, stats = read(registry.size_file, rules=rules)
    say(summary(stats))
    return sizes, stats


def ask_online(
    frame: pl.DataFrame,
    online: Online | None,
    rules: Rules,
    say: Say = silent,
    counts: dict | None = None,
    warn: Say | None = None,
) -> pl.DataFrame:
    """VIES and recherche-entreprises answers (and GLEIF's, with ``lei``) for *frame*, if
    asked; never fatal, bounded in time (rules/registry.toml [online]); what was asked and
    why answers are unknown go into *counts* (run.json). What went wrong with the cache or a
    deadline goes to *warn* (default: *say*): a quiet run says it too."""
    if online is None:
        return frame
    from .registry.attach import fill_from_recherche
    from .registry.gleif import gleif_columns
    from .registry.http import Client, limits
    from .registry.recherche import recherche_columns
    from .registry.vies import vies_columns

    cache, notes = online.cache, []
    try:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        cache = None
        notes.append(f"online cache {online.cache}: {exc.strerror}: run without a cache")
    client = Client(cache, offline=online.offline, notes=notes, **limits(rules))
    try:
        asked = recherche_columns(vies_columns(frame, client), client)
        out = fill_from_recherche(asked, rules=rules)
        if online.lei:
            out = gleif_columns(out, client)
    finally:
        client.close()
    for line in client.notes:
        (warn or say)(line)
    for line in messages.online_counts(out, client.counts, online.lei):
        say(line)
    if counts is not None:
        counts.update(client.counts, unknown=messages.online_unknown(out, online.lei))
    return out


# --- the master job ------------------------------------------------------------------------


@dataclass
class _Prepared:
    """What a master run reads and checks before it touches the inputs' rows."""

    rules: Rules
    survivorship: object
    settings: dict
    models: dict | None
    decisions: DecisionFile | None
    consent: object  # consent.apply.Consent: the key and the suppression lists
    sizes: tuple | None
    inputs: list[Input]  # those to read: not a repeat, not already in the previous master
    recorded: list[dict]  # every input of the master, by content (run.json's inputs)
    notes: list[str]  # a line per input skipped; an older previous master, not verified
    previous_sha256: str | None = None  # of the previous master's run.json as first read
    dnc: tuple | None = None  # (do-not-call files, lines to warn): consent.dnc.read_all


def _prepare(job: Job, say: Say) -> _Prepared:
    """Everything that can refuse the job, checked before any row is read."""
    from .link.decision_file import read_decision_file
    from .link.files import load_models, load_settings
    from .master import folder, state
    from .master.identity import identify, new_inputs
    from .master.survive import load as load_survivorship
    from .registry.folder import check_index

    job.check()
    rules = Rules.load(job.rules)
    folder.check_out(Path(job.out), job_files(job), force=job.force)
    if job.registry:
        check_index(job.registry.folder)
    sizes = read_sizes(job.registry, rules, say)
    survivorship = load_survivorship(rules)
    settings = load_settings(rules)
    models = load_models(job.model, settings) if job.model else None
    decisions = read_decision_file(job.decisions, rules) if job.decisions else None
    run, sha = folder.previous_run(job.previous) if job.previous else ({}, None)
    consent, made_key = _consent(job, rules, run, say)
    inputs, recorded, notes = new_inputs(job.inputs, identify(job.inputs), run.get("inputs"))
    notes += [made_key] if made_key else []  # said even by a quiet run: keep that key
    if not inputs:
        raise InputError("nothing to add: every input is already in the previous master")
    if job.previous and state.listed(run) is None:
        notes.append(f"{job.previous}: {state.UNVERIFIED}")
    dnc = _read_dnc(job, rules)
    return _Prepared(
        rules,
        survivorship,
        settings,
        models,
        decisions,
        consent,
        sizes,
        inputs,
        recorded,
        notes,
        sha,
        dnc,
    )


def as_of(job: Job):
    """The day a run judges contactability on: ``job.as_of``, else today."""
    import datetime as dt

    return dt.date.fromisoformat(job.as_of) if job.as_of else dt.date.today()


def _read_dnc(job: Job, rules: Rules) -> tuple:
    """The national do-not-call files of *job*, read and dated (a stale one refused or warned
    of, as rules/contactability.toml says), before any row is read."""
    from .consent import contactability, dnc

    return dnc.read_all(job.dnc, contactability.load(rules), as_of(job))


def _contactability(built, job: Job, ready: _Prepared) -> None:
    """``email_ok`` / ``_why``, ``phone_ok`` …, on every golden contact; counts in run.json
    (``master.contactability``)."""
    from .consent import contactability, dnc

    t1 = time.perf_counter()
    files = ready.dnc[0] if ready.dnc else []
    listed = dnc.listed(built.contact_points, built.contacts, files) if files else None
    built.contacts = contactability.contactability(
        built.contacts, built.companies, listed, dnc.states(files), ready.rules, as_of(job)
    )
    built.counts["contactability"] = {
        "as_of": as_of(job).isoformat(),
        **contactability.counts(built.contacts),
        "dnc_files": [f.summary() for f in files],
    }
    built.timings["contactability"] = round(time.perf_counter() - t1, 3)


def _consent(job: Job, rules: Rules, previous_run: dict, say: Say):
    """(the secret key — a previous master made with another key is refused: its register
    would match nobody — and the suppression lists read, each said with its unreadable
    lines; the line saying a new key file was made, or None)."""
    from .consent import keys
    from .consent.apply import Consent
    from .consent.lists import read_list

    key, made = keys.master_key(previous_run.get("register_key"), job.previous)
    country = job.inputs[0].default_country if job.inputs else None
    lists = [read_list(path, country, rules) for path in job.suppress]
    for read in lists:
        say(messages.suppression_list(read))
    return Consent(key, lists), made


def _attach(built, job: Job, rules: Rules, sizes, say: Say, warn: Say) -> None:
    """Registry firmographics and online answers onto the golden companies, counted."""
    from .registry.attach import attach_with_review
    from .registry.sizes import counts as size_counts

    if job.registry:
        t1, step = time.perf_counter(), progress.begin("registry")
        built.companies, built.registry_review = attach_with_review(
            built.companies, job.registry.folder, job.registry.lang, sizes and sizes[0], rules=rules
        )
        built.timings["registry"] = round(time.perf_counter() - t1, 3)
        progress.end(step, rows=built.companies.height)
    if job.online:
        built.counts["online"] = {}
        step = progress.begin("online")
        built.companies = ask_online(
            built.companies, job.online, rules, say, built.counts["online"], warn
        )
        progress.end(step, rows=built.companies.height)
        vies = built.companies["vies_status"].value_counts().drop_nulls().sort("vies_status")
        built.counts["vies"] = dict(vies.iter_rows())
    if job.registry:  # after the online answers, which fill in what the index lacks
        built.counts["registry"] = {
            **registry_counts(built.companies),
            **({"size_file": size_counts(sizes[1])} if sizes else {}),
        }


def registry_counts(frame: pl.DataFrame) -> dict:
    """How the rows of an attached *frame* were matched, how many are ceased, and where their
    size bands came from."""
    size_source = frame["size_source"].value_counts().drop_nulls().sort("size_source")
    return {
        "matched_by": dict(
            frame["registry_match"].value_counts().sort("registry_match").iter_rows()
        ),
        "ceased": int(frame["ceased"].fill_null(False).sum()),
        "size_source": dict(size_source.iter_rows()),
    }


def _finisher(built, job: Job, result: CleanResult, summary_: dict, inputs: list[dict], consent):
    """The review table, the run summary and the report, made while the big tables are
    written (``master.folder.write`` calls it)."""
    from .consent.keys import fingerprint
    from .link.review import review_table
    from .report.html import render

    register_key = fingerprint(consent.key)

    def finish():
        t1 = time.perf_counter()
        review = review_table(built.linked)
        result.timings["review"] = time.perf_counter() - t1
        summary_["timings_s"] = {k: round(v, 3) for k, v in result.timings.items()}
        summary_["versions"] = versions()
        summary_["previous"] = str(job.previous) if job.previous else None
        summary_["job"] = job.as_dict()  # `enrich run run.json` repeats it
        summary_["job_folder"] = str(Path.cwd())  # what its relative paths are relative to
        summary_["inputs"] = inputs  # every input of the master, by content
        summary_["master"] = built.counts
        summary_["review_rows"] = review.height
        summary_["last_ids"] = built.last_ids
        summary_["register_key"] = register_key
        summary_["link"] = {level: r.report for level, r in built.linked.results.items()}
        t1 = time.perf_counter()
        report = render(built, summary_, job)
        summary_["timings_s"]["report"] = round(time.perf_counter() - t1, 3)
        return review, summary_, report

    return finish


def run(
    job: Job, say: Say = silent, warn: Say | None = None, shown: progress.Progress | None = None
) -> Result:
    """The whole master job (see the module's doc); the master folder ``job.out`` is
    written whole at the end, or not at all — under its lock, and a shared lock on the
    previous master (``io.lock.session``). *warn* (default: *say*) gets what a person
    should read even from a quiet run; *shown* the stages as they go (``enrich.progress``)."""
    from .io.lock import session

    with (
        progress.using(shown),
        session(job.out, reads=[job.previous], inputs=job_files(job), say=say),
    ):
        return _run(job, say, warn)


def job_files(job: Job) -> list[str]:
    """Every file or folder *job* reads: checked before the run (no FIFO or device), and
    none may be inside the folder it replaces."""
    from .consent.dnc import spec

    extra = [job.previous, job.decisions, *job.suppress, job.model, job.rules]
    extra += [spec(d)[1] for d in job.dnc]
    if job.registry:
        extra += [job.registry.folder, job.registry.size_file]
    if job.online:
        extra.append(job.online.cache)
    return [i.path for i in job.inputs] + [str(p) for p in extra if p]


def _run(job: Job, say: Say, warn: Say | None) -> Result:
    from .master import folder
    from .master.lineage import check_accounting

    started = time.perf_counter()
    ready = _prepare(job, say)
    for line in ready.notes:
        (warn or say)(line)
    previous_dir, sha = job.previous, ready.previous_sha256
    # the previous master is read while the inputs are cleaned; its golden tables while linking
    with (
        beside(
            functools.partial(folder.read_previous, previous_dir, ready.settings, sha)
            if previous_dir
            else None
        ) as reading,
        beside(
            functools.partial(folder.read_golden_tables, previous_dir, sha)
            if previous_dir
            else None
        ) as golden,
    ):
        result = clean(ready.inputs, ready.rules, say)
        previous = reading.result() if reading else None
        t0 = time.perf_counter()
        built, summary_ = _build(job, ready, result, previous, golden)
    check_accounting(built.lineage, result.rows_in + (previous.lineage.height if previous else 0))
    if ready.decisions:
        from .master.decisions import file_outcomes

        built.counts["decisions_file"] = file_outcomes(built.records, ready.decisions)
    _attach(built, job, ready.rules, ready.sizes, say, warn or say)
    _contactability(built, job, ready)
    for line in ready.dnc[1] if ready.dnc else []:
        (warn or say)(line)
    result.timings.update(built.timings)
    link_and_survive = time.perf_counter() - t0
    t0, step = time.perf_counter(), progress.begin("write")
    folder.write(
        built,
        Path(job.out),
        job.format,
        excel=job.excel,
        finish=_finisher(built, job, result, summary_, ready.recorded, ready.consent),
    )
    progress.end(step, rows=built.lineage.height)
    progress.tell(
        rows_in=summary_["rows_in"],
        companies=built.counts["companies"],
        contacts=built.counts["contacts"],
        rejected=built.counts["rejected_rows"],
        review_pairs=summary_["review_rows"],
    )
    _say_master(built, job, summary_, say, warn or say)
    say(
        f"wrote {Path(job.out)}/companies.{job.format}, contacts.{job.format}, lineage.csv, review.csv, "
        f"report.html … (link and survive {link_and_survive:.1f} s, review, report and write "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    say(f"done in {time.perf_counter() - started:.1f} s")
    return Result(job, Path(job.out), built, summary_)


def _build(job: Job, ready: _Prepared, result: CleanResult, previous, golden):
    """Link and survive: the built master and the run summary (made before build() takes
    the rows: it keeps its own re-ordered copy, and memory is time here)."""
    from .master.build import build

    summary_ = summary("master", result, {"folder": str(Path(job.out))}, ready.rules, MASTER_RULES)
    built = build(
        _take_rows(result),
        result.rejects,
        survivorship=ready.survivorship,
        rules=ready.rules,
        previous=previous,
        previous_tables=golden.result if golden else None,
        decisions=ready.decisions.by_level if ready.decisions else None,
        models=ready.models or (previous.models if previous else None),
        consent=ready.consent,
        rules_hash=summary_["rules_hash"],
    )
    return built, summary_


def _take_rows(result: CleanResult) -> pl.DataFrame:
    """The cleaned rows, handed over: no reference stays behind, so that build() can let go
    of them once it has its own re-ordered copy (a million rows: half a gigabyte)."""
    frame, result.frame = result.frame, None
    return frame


def _say_master(built, job: Job, summary_: dict, say: Say, warn: Say) -> None:
    say(messages.master_built(built.counts, summary_["review_rows"], built.lineage.height))
    if job.registry:
        say(messages.master_registry(built.companies.height, built.counts["registry"]))
    if "decisions_file" in built.counts:
        line, heed = messages.decision_file(built.counts["decisions_file"])
        (warn if heed else say)(line)
    not_applied = messages.decisions_not_applied(built.counts["decision_outcomes"])
    if not_applied:
        warn(not_applied)


# --- the smaller jobs: clean, dedupe, attach ----------------------------------------------


def run_clean(
    job: Job,
    rejects: str | None = None,
    say: Say = silent,
    warn: Say | None = None,
    shown: progress.Progress | None = None,
) -> CleanResult:
    """`enrich clean`: the canonical table ``job.out`` (csv, parquet or xlsx, ``job.format``),
    the rejects beside it (OUT's name + .rejects.csv unless *rejects*) and OUT's name +
    .run.json. ``out="-"``: the table on stdout, the rejects only to *rejects* (else their
    count goes to *warn*), no run.json (``io.stdout``). *shown*: a progress view."""
    with progress.using(shown):
        return _clean(job, rejects, say, warn)


def _clean(job: Job, rejects: str | None, say: Say, warn: Say | None) -> CleanResult:
    from .io.lock import session
    from .io.stdout import is_stdout
    from .io.write import check_not_input, table_writer, write_set

    if is_stdout(job.out):
        return _clean_to_stdout(job, rejects, say, warn or say)
    started = time.perf_counter()
    out = Path(job.out)
    stem = out.with_suffix("") if out.suffix else out
    rejects_path = Path(rejects) if rejects else Path(f"{stem}.rejects.csv")
    summary_path = Path(f"{stem}.run.json")
    outputs = [out, rejects_path, summary_path]
    check_not_input(outputs, [i.path for i in job.inputs])
    with session(out, outputs, inputs=job_files(job), say=say):
        rules = Rules.load(job.rules)
        result = clean(job.inputs, rules, say)
        t0, step = time.perf_counter(), progress.begin("write")
        files = {
            out: table_writer(result.frame, job.format, excel=job.excel),
            rejects_path: table_writer(result.rejects, "csv", excel=job.excel),
        }

        def make_summary(manifest: dict) -> dict:
            result.timings["write"] = time.perf_counter() - t0
            made = summary(
                "clean",
                result,
                {"table": str(out), "rejects": str(rejects_path)},
                rules,
                CLEAN_RULES,
            )
            return {**made, "manifest": manifest}

        write_set(files, summary_path, make_summary)
    progress.end(step, rows=result.frame.height + result.rejects.height)
    progress.tell(
        rows_in=result.rows_in, rows_out=result.frame.height, rejected=result.rejects.height
    )
    say(
        f"wrote {out} ({result.frame.height} rows), {rejects_path} ({result.rejects.height} rows), "
        f"{summary_path}"
    )
    say(f"done in {time.perf_counter() - started:.1f} s")
    return result


def _clean_to_stdout(job: Job, rejects: str | None, say: Say, warn: Say) -> CleanResult:
    from .io.lock import check_inputs, session
    from .io.stdout import left_out, write_stdout
    from .io.write import check_not_input, write_table

    outputs = [Path(rejects)] if rejects else []
    check_not_input(outputs, [i.path for i in job.inputs])
    check_inputs(job_files(job))
    with session(rejects, inputs=job_files(job), say=say) if rejects else contextlib.nullcontext():
        result = clean(job.inputs, Rules.load(job.rules), say)
        if rejects:
            write_table(result.rejects, rejects, "csv", excel=job.excel)
        lost = left_out(result.rejects.height, "rejected rows", ": give --rejects FILE")
        if lost and not rejects:
            warn(lost)
        write_stdout(result.frame, job.format, excel=job.excel)
    return result


def run_dedupe(
    job: Job, say: Say = silent, warn: Say | None = None, shown: progress.Progress | None = None
):
    """`enrich dedupe`: records, rejects, pairs, review, model and run.json in ``job.out``;
    with ``job.previous`` (an earlier dedupe folder) the new rows are linked onto it. Under
    the folder's lock; the files are written as a set, run.json last (``io.write.write_set``).
    ``out="-"``: the records on stdout, nothing else written (what was left out goes to
    *warn*)."""
    from .io.lock import check_inputs, locked, session
    from .io.stdout import is_stdout

    if is_stdout(job.out):
        check_inputs([*job_files(job), *([job.previous] if job.previous else [])])
        with locked(job.previous, shared=True) if job.previous else contextlib.nullcontext():
            return _dedupe(job, say, warn or say)
    folder = Path(job.out)
    names = (f"records.{job.format}", "rejects.csv", "pairs.parquet", "review.csv", "model.json")
    names += ("report.html",)
    outputs = [*(folder / n for n in names), folder / "run.json"]
    with (
        progress.using(shown),
        session(folder, outputs, reads=[job.previous], inputs=job_files(job), say=say),
    ):
        return _dedupe(job, say)


def _dedupe(job: Job, say: Say, warn: Say | None = None):
    from .io.stdout import is_stdout
    from .io.write import json_writer, table_writer, write_set
    from .link.decision_file import read_decision_file
    from .link.files import load_models, load_settings, read_master
    from .link.levels import dedupe
    from .link.review import all_pairs, review_table
    from .report.dedupe import render as render_dedupe

    started = time.perf_counter()
    folder, previous = Path(job.out), job.previous
    _check_dedupe_out(job)
    rules = Rules.load(job.rules)
    result = clean(job.inputs, rules, say)
    settings = load_settings(rules)
    master = read_master(previous, result.frame) if previous else None
    model = job.model
    if previous and not model and (Path(previous) / "model.json").exists():
        model = str(Path(previous) / "model.json")
        say(f"reusing the master's model {model}")
    models = load_models(model, settings) if model else None
    decision_file = read_decision_file(job.decisions, rules) if job.decisions else None
    if decision_file:
        say(messages.decision_file(decision_file.reading())[0])
    decided = decision_file.by_level if decision_file else None
    t0 = time.perf_counter()
    found = dedupe(result.frame, models, decided, master, rules=rules)
    link_time = time.perf_counter() - t0
    if master is not None:
        say(messages.linked_to_master(found.frame.slice(master.height), master))
    if is_stdout(job.out):
        return _records_to_stdout(found, result, job, say, warn or say)
    t0, step = time.perf_counter(), progress.begin("write")
    review = review_table(found)
    files = {
        folder / f"records.{job.format}": table_writer(found.frame, job.format),
        folder / "rejects.csv": table_writer(result.rejects, "csv"),
        folder / "pairs.parquet": table_writer(all_pairs(found), "parquet"),
        folder / "review.csv": table_writer(review, "csv"),
        folder / "model.json": json_writer(
            {level: found.results[level].model.to_json() for level in found.results}
        ),
    }
    summary_ = summary("dedupe", result, {"folder": str(folder)}, rules, CLEAN_RULES)
    summary_["link"] = {level: found.results[level].report for level in found.results}
    if decision_file:
        summary_["decisions_file"] = decision_file.reading()
    summary_["timings_s"]["link"] = round(link_time, 3)
    report = render_dedupe(found, result, summary_, job)
    files[folder / "report.html"] = lambda tmp: Path(tmp).write_text(report, encoding="utf-8")

    def make_summary(manifest: dict) -> dict:
        summary_["timings_s"]["write"] = round(time.perf_counter() - t0, 3)
        return {**summary_, "manifest": manifest}

    write_set(files, folder / "run.json", make_summary)
    progress.end(step, rows=found.frame.height)
    progress.tell(
        rows_in=result.rows_in,
        records=found.frame.height,
        rejected=result.rejects.height,
        review_pairs=review.height,
    )
    for level, linked in found.results.items():
        say(messages.link_level(level, linked.report))
    say(
        f"wrote {folder}/records.{job.format}, review.csv, pairs.parquet, model.json, "
        "report.html, run.json"
    )
    say(f"done in {time.perf_counter() - started:.1f} s")
    return found


def _check_dedupe_out(job: Job) -> None:
    """A dedupe folder never overwrites an input (nor the --previous folder's files it
    reads), nor an earlier output unless --force."""
    from .io.stdout import is_stdout
    from .io.write import check_not_input

    folder, previous = Path(job.out), job.previous
    names = ("records.csv", "records.parquet", "review.csv", "pairs.parquet", "model.json")
    names += ("report.html",)
    kept = (
        [str(Path(previous) / n) for n in ("records.csv", "records.parquet", "model.json")]
        if previous
        else []
    )
    check_not_input([folder / n for n in names], [*(i.path for i in job.inputs), *kept])
    if not job.force and not is_stdout(folder) and (folder / "run.json").is_file():
        raise InputError(
            "the output folder holds a dedupe output already: give --force to replace it, "
            f"or write the next one beside it (--previous {folder} -o {folder}.next)",
            file=str(folder),
        )


def _records_to_stdout(found, result: CleanResult, job: Job, say: Say, warn: Say):
    """`enrich dedupe -o -`: the records on stdout; the rejects and review pairs counted."""
    from .io.stdout import left_out, write_stdout
    from .link.review import review_table

    for level, linked in found.results.items():
        say(messages.link_level(level, linked.report))
    review = review_table(found).height
    for line in (
        left_out(result.rejects.height, "rejected rows"),
        left_out(review, "review pairs"),
    ):
        if line:
            warn(f"{line}: give -o FOLDER to keep them")
    write_stdout(found.frame, job.format)
    return found


def run_attach(job: Job, say: Say = silent, warn: Say | None = None) -> pl.DataFrame:
    """`enrich attach`: each row of the inputs with its registry firmographics (``job.out``),
    its rejects and the rows whose name fits two registry companies (registry_review)."""
    from .io.lock import check_inputs, session
    from .io.stdout import is_stdout
    from .io.write import check_not_input
    from .registry.folder import check_index

    if job.registry is None:
        raise InputError("attach needs a registry index")
    check_index(job.registry.folder)
    if is_stdout(job.out):
        check_inputs(job_files(job))
        return _attach_rows(job, None, None, None, say, warn)
    out = Path(job.out)
    rejects_path = out.with_name(out.stem + ".rejects.csv")
    review_path = out.with_name(out.stem + ".registry_review.csv")
    check_not_input([out, rejects_path, review_path], [i.path for i in job.inputs])
    with session(out, [out, rejects_path, review_path], inputs=job_files(job), say=say):
        return _attach_rows(job, out, rejects_path, review_path, say, warn)


def _attach_rows(
    job: Job,
    out: Path | None,
    rejects_path: Path | None,
    review_path: Path | None,
    say: Say,
    warn: Say | None,
):
    from .io.write import write_table
    from .registry.attach import attach_with_review

    rules = Rules.load(job.rules)
    sizes = read_sizes(job.registry, rules, say)
    result = clean(job.inputs, rules, say)
    attached, review = attach_with_review(
        result.frame, job.registry.folder, job.registry.lang, sizes and sizes[0], rules=rules
    )
    attached = ask_online(attached, job.online, rules, say, warn=warn)
    if out is None:  # -o -
        return _attached_to_stdout(attached, result.rejects, review, job, say, warn or say)
    write_table(attached, out, excel=job.excel)
    write_table(result.rejects, rejects_path, "csv", excel=job.excel)
    write_table(review, review_path, "csv", excel=job.excel)
    for line in messages.attached(registry_counts(attached)):
        say(line)
    say(
        f"wrote {out}, {rejects_path} and {review_path} (rows whose name fits two registry companies)"
    )
    return attached


def _attached_to_stdout(attached, rejects, review, job: Job, say: Say, warn: Say):
    """`enrich attach -o -`: the rows on stdout; the rejects and the registry review counted."""
    from .io.stdout import left_out, write_stdout

    for line in messages.attached(registry_counts(attached)):
        say(line)
    for line in (
        left_out(rejects.height, "rejected rows"),
        left_out(review.height, "registry review rows (attached to no company)"),
    ):
        if line:
            warn(f"{line}: give -o FILE to keep them")
    write_stdout(attached, job.format, excel=job.excel)
    return attached
