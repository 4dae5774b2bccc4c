"""What a run says to the person who ran it: one function per message, results in, lines out.

Lines name files, rows, columns and counts — never a value of the data (privacy). The
pipeline hands them to its ``say`` callback; the command line prints them on stderr.
"""

from __future__ import annotations

from .clean import CleanResult
from .mapping import OPT_OUT_LEFT


def file_accounting(result: CleanResult) -> list[str]:
    """Each input table's rows in = out + rejected, its header mapping and reject reasons."""
    lines = []
    for t in result.tables:
        lines.append(
            f"{t.source_file}: {t.rows_in} rows in = {t.rows_out} out + {t.rows_rejected} rejected"
        )
        lines += reading(t.info)
        extra = [_short(m.split(" → ")[0]) for m in t.mapping if " → extra." in m]
        shown = f" ({', '.join(extra[:5])}{' …' if len(extra) > 5 else ''})" if extra else ""
        lines.append(
            f"  columns: {len(t.mapping) - len(extra)} mapped, "
            f"{len(extra)} passed through as extra.*{shown}"
        )
        lines += _by_words(t.mapping_details)
        lines += _identifier_columns(t.identifier_columns)
        lines += _by_content(t.mapping_details)
        lines += _date_orders(t.date_orders)
        for reason, n in sorted(t.reject_reasons.items()):
            rows = t.reject_rows.get(reason, [])
            listed = ", ".join(map(str, rows)) + (" …" if n > len(rows) else "")
            lines.append(f"  rejected: {n} × {reason} ({'rows' if n > 1 else 'row'} {listed})")
    return lines


def suppression_list(read) -> str:
    """What a suppression list held (``consent.lists.ListRead``): counts and line numbers."""
    line = f"suppression list {read.name}: {read.lines} lines, {read.values.height} values"
    if read.unreadable:
        shown = ", ".join(map(str, read.unreadable_lines))
        more = " …" if read.unreadable > len(read.unreadable_lines) else ""
        line += f"; {read.unreadable} unreadable (line{'s' if read.unreadable > 1 else ''} {shown}{more})"
    return line


def _short(header: str, most: int = 40) -> str:
    """A header as a list shows it: cut after *most* characters."""
    return header if len(header) <= most else header[: most - 1] + "…"


def reading(info: dict) -> list[str]:
    """What the reader did that a person should know: lines skipped, no header line, lines
    not in the file's encoding, lone CRs read as line ends."""
    lines = []
    if info.get("lines_before_header"):
        lines.append(f"  skipped {info['lines_before_header']} line(s) above the header")
    if info.get("header", "").startswith("none"):
        lines.append(
            "  no header line: the first line holds values (an e-mail, a phone number, a "
            "date …), so it is row 1 and the columns are named 'column 1', 'column 2' … "
            "(map them with --map 'column 2=email')"
        )
    if info.get("lines_read_as_cp1252"):
        n, rows = info["lines_read_as_cp1252"], sorted(set(info.get("cp1252_rows", [])))
        where = ", ".join(map(str, rows or info["cp1252_lines"])) + (" …" if n > 20 else "")
        what = ("rows" if len(rows) > 1 else "row") if rows else "file lines"
        lines.append(
            f"  warning: {n} line(s) not valid UTF-8, read as cp1252 ({what} {where}): "
            "check their accents"
        )
    if info.get("lone_cr_line_ends"):
        lines.append(f"  {info['lone_cr_line_ends']} lone CR(s) read as line ends")
    return lines


def _by_words(details: list[dict]) -> list[str]:
    """The headers mapped by their words (not an exact synonym), and the ambiguous ones."""
    lines = []
    for d in details:
        if d["reason"].startswith(OPT_OUT_LEFT):
            why = d["reason"].removeprefix(f"{OPT_OUT_LEFT}: ")
            lines.append(f"  warning: opt-out header {d['header']!r} not read: {why}")
        elif d.get("candidates"):
            lines.append(
                f"  ambiguous header {d['header']!r}: {' or '.join(d['candidates'])}? "
                "left as extra (map it with --map)"
            )
        elif d["confidence"] is not None and d["confidence"] < 1 and not _moved(d):
            confirms = ", content confirms" if _verdict(d) == "confirms" else ""
            lines.append(
                f"  mapped by its words: {d['header']!r} → {d['column']} "
                f"({d['confidence']:.2g}{confirms})"
            )
    return lines


def _verdict(d: dict) -> str | None:
    return d.get("by_content", {}).get("verdict")


def _moved(d: dict) -> bool:
    """Mapped where it is by its values, not its header's words."""
    return _verdict(d) in ("mapped", "resolved") or (
        _verdict(d) == "contradicts" and "kept" not in d["by_content"]
    )


def _by_content(details: list[dict]) -> list[str]:
    """What the columns' values decided: columns mapped by content, headers their values
    contradict (moved or kept), and the best guess for the columns left unmapped."""
    lines = []
    for d in details:
        c, h = d.get("by_content", {}), repr(d["header"])
        verdict = c.get("verdict")
        if verdict == "mapped":
            lines.append(f"  mapped by content: {h} → {d['column']} ({c['note']})")
        elif verdict == "resolved":
            lines.append(f"  ambiguous header {h} → {d['column']} by its content ({c['note']})")
        elif verdict == "contradicts":
            then = (
                f"kept as {c['was']} ({c['kept']})" if "kept" in c else f"mapped to {d['column']}"
            )
            lines.append(f"  content contradicts header {h} ({c['was']}): {c['note']}; {then}")
        elif verdict == "guess":
            hint = (
                f"{c['column']}? ({c['kept']})"
                if "kept" in c
                else f"{c['column']}? (map it with --map {d['header'] + '=' + c['column']!r})"
            )
            lines.append(f"  unmapped {h}: {c['note']} — {hint}")
    return lines


def _date_orders(orders: dict[str, dict]) -> list[str]:
    """The date columns not read day-first from their own values: month-first, mixed,
    forced, or day-first by assumption."""
    lines = []
    first = {"dmy": "day-first", "mdy": "month-first", "ymd": "year-first"}
    for column, o in orders.items():
        where = f"  dates: {o['header']!r} ({column})"
        day, month = o.get("day_first", 0), o.get("month_first", 0)
        if o["how"] == "--date-order":
            against = day if o["order"] == "mdy" else month if o["order"] == "dmy" else 0
            but = f", though {against} values can only be read the other way" if against else ""
            lines.append(f"{where} read {first[o['order']]} (--date-order){but}")
        elif o["how"] == "mixed":
            lines.append(
                f"{where} mixed: {day} values can only be day-first, {month} only "
                f"month-first; read {first[o['order']]} where a value can be read both ways"
            )
        elif o["how"] == "values" and o["order"] == "mdy":
            lines.append(f"{where} read month-first: {month} values can only be month-first")
        elif o["how"] == "assumed":
            lines.append(
                f"{where} ambiguous: no day over 12 in {o['either']} values; read day-first, "
                "an assumption (force it with --date-order)"
            )
    return lines


def _identifier_columns(columns: list[dict]) -> list[str]:
    """The identifier columns that held other kinds than their header says, and what."""
    return [
        f"  column {c['header'] or c['column']!r} ({c['column']}) held other identifiers: "
        + ", ".join(f"{n} {label}" for label, n in c["held"].items())
        for c in columns
        if c["other_kind"]
    ]


def online_counts(frame, client_counts: dict, lei: bool) -> list[str]:
    """What each online service answered, and the calls made."""
    services = [("VIES", "vies_status"), ("recherche-entreprises", "recherche_status")]
    if lei:
        services.append(("GLEIF", "lei_status"))
    lines = []
    for service, column in services:
        counts = frame[column].value_counts().drop_nulls().sort(column)
        said = ", ".join(f"{n} rows {s}" for s, n in counts.iter_rows())
        lines.append(f"{service}: " + (said or "nothing to ask"))
    c = client_counts
    lines.append(
        f"online: {c['calls']} calls, {c['cached']} answers from the cache, {c['failed']} failed"
    )
    if c.get("deadline"):
        lines.append(
            f"online: the run's deadline passed: {c['deadline']} lookups not made (unknown: "
            "deadline); rules/registry.toml [online] run_deadline_s sets it"
        )
    return lines


def online_unknown(frame, lei: bool) -> dict[str, dict[str, int]]:
    """Per service, how many rows' answers are unknown, by reason (for run.json)."""
    services = [("vies", "vies"), ("recherche", "recherche")] + ([("gleif", "lei")] if lei else [])
    out = {}
    for service, prefix in services:
        unknown = frame.filter(frame[f"{prefix}_status"] == "unknown")
        reasons = unknown[f"{prefix}_reason"].fill_null("(none)").value_counts()
        out[service] = dict(sorted(reasons.iter_rows()))
    return out


def attached(counts: dict) -> list[str]:
    """How `enrich attach` matched the rows, and where the size bands came from
    (``pipeline.registry_counts``)."""
    matched = ", ".join(f"{n} {how}" for how, n in counts["matched_by"].items())
    bands = ", ".join(f"{how} {n}" for how, n in counts["size_source"].items())
    return [
        f"registry: {matched}; {counts['ceased']} ceased",
        "size band from: " + (bands or "nowhere (no headcount known)"),
    ]


def linked_to_master(new, master) -> str:
    """How the new rows of a `dedupe --previous` run joined the master's records."""
    counts = {}
    for level, col in (("companies", "company_id"), ("contacts", "contact_id")):
        ids = new[col].drop_nulls()
        old = ids.is_in(master[col].drop_nulls().unique().implode())
        counts[level] = (int(old.sum()), ids.filter(~old).n_unique())
    return f"linked {new.height} new rows to a master of {master.height} rows: " + "; ".join(
        f"{rows} rows joined existing {level}, {fresh} new {level}"
        for level, (rows, fresh) in counts.items()
    )


def link_level(level: str, r: dict) -> str:
    """One linking level's counts and stage times."""
    bands = r["bands"]
    return (
        f"{level}: {r['records']} records, {r['blocking']['pairs']} candidate pairs, "
        f"{bands.get('match', 0)} matches, {bands.get('review', 0)} in the review band "
        f"({r['review']['cluster_pairs_to_review']} cluster pairs to review), "
        f"{r['clusters']['clusters']} {level} clusters (largest {r['clusters']['largest_cluster']}); "
        + ", ".join(f"{k} {v:.1f} s" for k, v in r["timings_s"].items())
    )


def master_built(counts: dict, review_rows: int, rows: int) -> str:
    return (
        f"{rows} input rows → {counts['companies']} companies, {counts['contacts']} contacts "
        f"({counts['merged_rows']} rows merged, {counts['kept_rows']} kept alone, "
        f"{counts['rejected_rows']} rejected); {review_rows} pairs to review, "
        f"{counts['changes']} id changes, {counts['do_not_contact']} contacts not to contact"
    )


def master_registry(companies: int, registry: dict) -> str:
    matched = registry["matched_by"]
    by_id = matched.get("enterprise_number", 0) + matched.get("siren", 0)
    sources = ", ".join(f"{how} {n}" for how, n in registry["size_source"].items())
    return (
        f"registry: of {companies} companies, {by_id} found by their identifier, "
        f"{matched.get('name', 0)} by name, place and street, "
        f"{matched.get('ambiguous name (see review)', 0)} ambiguous (registry_review.csv), "
        f"{matched.get('recherche-entreprises', 0)} online; {registry['ceased']} ceased; "
        "size band from: " + (sources or "nowhere")
    )


def decisions_not_applied(outcome: dict, most: int = 10) -> str | None:
    """The steward decisions the run could not apply, each named by its two rows and why.

    >>> decisions_not_applied({"applied": 3, "not_applied": 1, "unknown_rows": 0,
    ...     "not_applied_pairs": [{"level": "company", "a": "a.csv:4", "b": "b.csv:9",
    ...     "decision": "match", "reason": "kept apart"}]})
    'steward decisions: 3 applied, 1 not applied, 0 name a row the master does not hold: company a.csv:4 ~ b.csv:9 (match): kept apart'
    """
    if not (outcome["not_applied"] or outcome["unknown_rows"]):
        return None
    pairs = outcome.get("not_applied_pairs", [])
    named = "; ".join(
        f"{p['level']} {p['a']} ~ {p['b']} ({p['decision']}): {p['reason']}" for p in pairs[:most]
    )
    more = f" … ({len(pairs)} in all, run.json lists them)" if len(pairs) > most else ""
    return (
        f"steward decisions: {outcome['applied']} applied, {outcome['not_applied']} not applied, "
        f"{outcome['unknown_rows']} name a row the master does not hold"
        + (f": {named}{more}" if named else "")
    )


def decision_file(outcome: dict) -> tuple[str, bool]:
    """(the line that accounts for every row of a decisions file, whether a person should
    read it even from a quiet run: something was not applied or could not be read).

    >>> decision_file({"file": "d.csv", "rows": 5, "applied": 1, "blank": 1,
    ...     "not_applied": {"kept apart": [4]}, "unreadable": {"ragged row": [2, 3]}})
    ('decisions d.csv: 5 rows: 1 applied, 1 blank, 1 not applied (row 4: kept apart), 2 unreadable (rows 2, 3: ragged row)', True)
    """
    parts = (
        [f"{outcome['applied']} applied"]
        if "applied" in outcome
        else [f"{outcome['decisions']} decisions"]
    )
    parts.append(f"{outcome['blank']} blank")
    for key, label in (("not_applied", "not applied"), ("unreadable", "unreadable")):
        by_reason = outcome.get(key) or {}
        if by_reason:
            count = sum(len(rows) for rows in by_reason.values())
            said = "; ".join(f"{_rows(rows)}: {reason}" for reason, rows in by_reason.items())
            parts.append(f"{count} {label} ({said})")
    heed = bool(outcome.get("not_applied") or outcome.get("unreadable"))
    return f"decisions {outcome['file']}: {outcome['rows']} rows: " + ", ".join(parts), heed


def _rows(rows: list[int], most: int = 10) -> str:
    """ "row 4", "rows 2, 3", "rows 1, 2, … (25 in all)"."""
    shown = ", ".join(map(str, rows[:most]))
    more = f", … ({len(rows)} in all)" if len(rows) > most else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def registry_entries(found: list[dict]) -> list[str]:
    """`enrich registry lookup`'s text: each company the index holds for a number."""
    lines = []
    for company in found:
        name = company["official_name"] or "(no legal name published)"
        lines.append(f"{company['country']} {company['registry_id']}: {name}")
        for key, value in company.items():
            if key in ("country", "registry_id", "official_name", "activities") or value is None:
                continue
            lines.append(f"  {key}: {value}")
        for act in company.get("activities", []):
            lines.append(
                f"  activity: NACE {act['nace_version']} {act['nace_code']} {act['classification']} "
                f"(group {act['activity_group']}"
                + (", an establishment's" if act["from_establishment"] else "")
                + ")"
            )
    return lines
