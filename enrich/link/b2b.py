"""Two-level deduplication of cleaned contact rows: companies first, then people within them.

Company evidence is not person evidence: switchboard phones, company e-mail domains, names
and addresses are shared by everyone at a company, so contacts are compared *within* their
company (``company_id`` is a cannot-link at contact level), on person evidence only: names, a
personal mailbox, a mobile. Rows without a person name are the company's generic contact
(``contact_id`` empty). Free-mail and ISP domains never block or link companies. Rows
without company data (B2C) are linked at contact level only. A person who moved is a new
contact at the new company; ``person_id`` links the two when a private channel (mobile,
free-mail address) and the name say it is the same person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from .. import rulefiles
from ..io.read import typed_like, unguard
from ..normalise.emails import role_and_freemail
from .cluster import components, shared_value_edges
from .comparisons import FOLDED, TIDIED
from .engine import LinkResult, link
from .model import Model
from .settings import Settings, parse, parse_key

LEVELS = ("company", "contact")
LEVEL_ROWS = {"company": "_has_company", "contact": "_has_person"}  # the rows each level links
DERIVED = (
    "vat_valid",
    "registry_id",
    "email_domain",
    "website_domain",
    "phone_valid",
    "mobile_valid",
    "email_person",
    "email_private",
    "person_key",
)
PERSON_CHANNELS = ("person_key", "mobile_valid", "email_private")  # what person_id reads
OWN = frozenset(
    {"company_id", "contact_id", "person_id"}
)  # what dedupe gives: never kept in a link state (ids change)
HAS_COMPANY = pl.col("company_name").is_not_null() | pl.col("vat").is_not_null()
HAS_PERSON = pl.col("first_name").is_not_null() | pl.col("last_name").is_not_null()


def load_settings() -> dict[str, Settings]:
    data = rulefiles.load("link")
    return {level: parse(data.get(level, {}), f"rules/link.toml [{level}]") for level in LEVELS}


def derive(frame: pl.DataFrame) -> pl.DataFrame:
    """The helper columns rules/link.toml compares (see its header)."""
    _, freemail = role_and_freemail()
    domain = pl.col("email").str.extract(r"@([^@]+)$", 1)
    valid_email = pl.col("email_status") == "valid"
    return frame.with_columns(
        # a VAT number gets its formatted form only when its checksum is valid
        pl.when(pl.col("vat_formatted").is_not_null()).then(pl.col("vat")).alias("vat_valid"),
        pl.coalesce("enterprise_number", "siren").alias("registry_id"),
        pl.when(valid_email & ~domain.is_in(freemail)).then(domain).alias("email_domain"),
        pl.col("website")
        .str.to_lowercase()
        .str.replace(r"^[a-z]+://", "")
        .str.replace(r"^www\.", "")
        .str.extract(r"^([^/:?#]+)", 1)
        .alias("website_domain"),
        pl.when(pl.col("phone_status") == "valid").then(pl.col("phone")).alias("phone_valid"),
        pl.when(pl.col("mobile_status") == "valid").then(pl.col("mobile")).alias("mobile_valid"),
        pl.when(valid_email & ~pl.col("email_role").fill_null(False))
        .then(pl.col("email"))
        .alias("email_person"),
        # a private mailbox (free-mail, not a role): it follows the person from job to job
        pl.when(valid_email & ~pl.col("email_role").fill_null(False) & domain.is_in(freemail))
        .then(pl.col("email"))
        .alias("email_private"),
        # the name in either order ("DUPONT Jean" typed into the wrong columns is still him)
        pl.concat_str([pl.col("first_name"), pl.col("last_name")], separator=" ", ignore_nulls=True)
        .str.to_lowercase()
        .str.split(" ")
        .list.sort()
        .list.join(" ")
        .replace("", None)
        .alias("person_key"),
        HAS_COMPANY.alias("_has_company"),
        HAS_PERSON.alias("_has_person"),
    )


@dataclass
class Dedupe:
    frame: pl.DataFrame  # the input rows with company_id, contact_id
    results: dict[str, LinkResult]
    rows: dict[str, pl.Series]  # per level: the input row index of each linked record
    derived: pl.DataFrame  # the rows with derive()'s helper columns, as linked
    state: dict[str, pl.DataFrame] = field(
        default_factory=dict
    )  # per level: link_state() of its records


def id_number(ids, prefix: str):
    """The number of each id '<prefix>-<n>' (an expression or a series; null for anything
    else): numbers group, sort and join faster than the strings."""
    return ids.str.strip_prefix(f"{prefix}-").cast(pl.Int64, strict=False)


def id_text(numbers: np.ndarray, prefix: str) -> pl.Series:
    """The ids '<prefix>-<n>' of *numbers*."""
    return pl.select(
        pl.lit(f"{prefix}-") + pl.Series(numbers, dtype=pl.Int64).cast(pl.String)
    ).to_series()


def _ids(
    prefix: str,
    rows: pl.Series,
    clusters: pl.Series,
    n: int,
    known: pl.Series | None = None,
    used: int | None = None,
) -> pl.Series:
    """Per input row: its cluster's id, null if not linked. A cluster holding a record with a
    *known* id (a master's) keeps that id (the smallest, if several); new clusters are
    numbered '<prefix>-<k>' in the order of their first row, k after the highest in use
    (in *known*, or *used*: ids retired by earlier runs are never given again). Works on id
    numbers, not strings: only the ids that change are written (a master's are kept)."""
    at, cluster = (
        rows.cast(pl.Int64).to_numpy(),
        clusters.cast(pl.Int64).to_numpy(),
    )  # a cluster is named by a record: 0 … len(rows)-1
    known = known if known is not None else pl.repeat(None, n, dtype=pl.String, eager=True)
    number = id_number(known, prefix)
    odd = known.is_not_null() & (number.is_null() | (number < 0))
    if odd.any():
        from ..errors import InputError

        raise InputError(
            f"the master holds an id enrich did not give ({known.filter(odd)[0]!r}); ids are '{prefix}-<number>'"
        )
    held = number.fill_null(-1).to_numpy()[
        at
    ]  # the known id number of each linked record, -1 for none
    none = np.iinfo(np.int64).max
    kept = np.full(at.size, none, dtype=np.int64)
    np.minimum.at(kept, cluster[held >= 0], held[held >= 0])
    record = kept[cluster]  # per record: the id number its cluster keeps, or none
    first = np.full(at.size, none, dtype=np.int64)
    np.minimum.at(first, cluster, at)
    fresh = np.unique(
        cluster[record == none]
    )  # the clusters without a known id, by their first row
    fresh = fresh[np.argsort(first[fresh], kind="stable")]
    start = (
        max(int(number.max()) if number.null_count() < n else -1, -1 if used is None else used) + 1
    )
    numbered = np.empty(at.size, dtype=np.int64)
    numbered[fresh] = np.arange(start, start + fresh.size)
    record = np.where(record == none, numbered[cluster], record)
    change = np.flatnonzero(
        record != held
    )  # a new record, or a master record given another cluster's id
    out = known.clone().scatter(
        at[change], id_text(record[change], prefix)
    )  # scatter writes in place: not into the caller's series
    unlinked = np.ones(n, dtype=bool)
    unlinked[at] = False
    return out.scatter(np.flatnonzero(unlinked & known.is_not_null().to_numpy()), None)


def dedupe(
    frame: pl.DataFrame,
    models: dict[str, Model] | None = None,
    decisions: dict[str, pl.DataFrame] | None = None,
    master: pl.DataFrame | None = None,
    used: dict[str, int] | None = None,
    state: dict[str, pl.DataFrame] | None = None,
    persons: bool = True,
) -> Dedupe:
    """company_id and contact_id for every cleaned row.

    With *master* (the records of an earlier run, with their ``company_id`` and
    ``contact_id``), the rows of *frame* are linked to it and among themselves, and the
    master is not re-deduplicated: its ids are kept, its clusters are neither merged nor
    split, new entities get new ids (after the highest in use, or in *used*, per level). A
    row of *frame* that already carries an id keeps it (a master row a steward decision
    reopened at the other level). The result holds the master rows first, then *frame*.
    *state*: the master's link state (``Dedupe.state`` of the run that made it, for exactly
    its rows): what linking read of them is taken from it, not computed again. *persons*:
    give ``person_id`` too (else the caller does: ``person_ids(result.derived)``)."""
    settings = load_settings()
    models = models or {}
    decisions = decisions or {}
    known = {"company": None, "contact": None}
    given = {level: None for level in LEVELS}
    if master is not None:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(c)
            for c in ("company_id", "contact_id")
            if c not in frame.columns
        )
        known = {"company": "company_id", "contact": "contact_id"}
        filled = _from_state(master, state) if state else None
        if filled is not None:
            old, given = filled
            frame = pl.concat([old, derive(frame)], how="diagonal_relaxed")
        else:
            frame = derive(pl.concat([master, frame], how="diagonal_relaxed"))
    else:
        frame = derive(frame)
    frame = lined_up(frame)
    data = pl.concat(
        [
            pl.DataFrame(
                chunked_like(
                    frame, pl.int_range(frame.height, dtype=pl.UInt32, eager=True).alias("_row")
                )
            ),
            frame,
        ],
        how="horizontal",
    )
    n = data.height
    results, rows, states = {}, {}, {}
    for level, prefix in (("company", "co"), ("contact", "ct")):
        # in one chunk: the engine gathers, sorts and hands columns to numpy (the frame itself keeps
        # a master's chunks: copying all its columns into one would cost more than it saves)
        linked = (
            data.select(_linked_columns(data, settings[level], known[level]))
            .filter(LEVEL_ROWS[level])
            .rechunk()
        )
        if known[
            level
        ]:  # the master's ids as numbers: the engine groups and compares them (an id enrich did not give: see _ids)
            linked = linked.with_columns(id_number(linked[known[level]], prefix).alias("_known"))
        seen = dict(given[level] or {})
        for c in (
            OWN & _key_columns(settings[level]) & set(linked.columns)
        ):  # an id blocks (contacts within their company): 'co-12' folds to 'co 12'
            seen[FOLDED + c] = linked[c].str.replace(
                "-", " ", literal=True
            )  # as fold_values() would, without its distinct values
        res = link(
            linked,
            settings[level],
            model=models.get(level),
            decisions=_local(decisions.get(level), linked),
            known="_known" if known[level] else None,
            given=seen,
        )
        results[level], rows[level] = res, linked["_row"]
        column = f"{level}_id"
        ids = _ids(
            prefix,
            linked["_row"],
            res.cluster_id,
            n,
            data[column] if master is not None else None,
            (used or {}).get(level),
        )
        data = data.with_columns(chunked_like(data, ids.alias(column)))
        states[level] = link_state(
            level,
            data.select("source_file", "source_row", *DERIVED).filter(data[LEVEL_ROWS[level]]),
            res.view,
            set(settings[level].columns),
        )
    out = data.select(pl.exclude("_row", *DERIVED, "_has_company", "_has_person"))
    if persons:
        out = out.with_columns(chunked_like(data, person_ids(data)))
    return Dedupe(out, results, rows, data, states)


def lined_up(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame*, its columns' chunks lined up (see ``chunked_like``): as it is if they are, else
    copied into one chunk per column."""
    if len({tuple(len(c) for c in col.get_chunks()) for col in frame.iter_columns()}) > 1:
        return frame.rechunk()
    return frame


def chunked_like(frame: pl.DataFrame, column: pl.Series) -> pl.Series:
    """*column* cut into the chunks of *frame*'s columns (a master's row groups, then the new
    rows), without a copy. A column whose chunks do not line up with the others' makes every
    later select or filter of the frame copy all its columns into one chunk first."""
    lengths = [len(c) for c in frame.to_series(0).get_chunks()] if frame.width else []
    if [len(c) for c in column.get_chunks()] == lengths:
        return column
    column = column.rechunk()
    if len(lengths) <= 1:
        return column
    starts = np.cumsum([0, *lengths[:-1]])
    return pl.concat([column.slice(int(a), k) for a, k in zip(starts, lengths)], rechunk=False)


def link_state(
    level: str, rows: pl.DataFrame, seen: dict[str, pl.Series], reads: set[str]
) -> pl.DataFrame:
    """What linking read of one level's *rows*, to be kept with them for the next run: their
    source, the columns derive() gave them that the level reads (and person_id's channels),
    the folded and tidied values (``comparisons.view``) — but not the ids dedupe gives (they
    can change): those are folded again."""
    derived = [c for c in DERIVED if c in reads or (level == "contact" and c in PERSON_CHANNELS)]
    keep = {name: s for name, s in seen.items() if name.split(":", 1)[1] not in OWN}
    return rows.select("source_file", pl.col("source_row").cast(pl.Int64), *derived).hstack(
        [s.alias(name) for name, s in keep.items()]
    )


def _from_state(
    master: pl.DataFrame, state: dict[str, pl.DataFrame]
) -> tuple[pl.DataFrame, dict] | None:
    """The master's records with the columns derive() gave them, and per level the view
    linking read of them — from *state*; None when it does not hold exactly these records,
    level by level (then they are derived and folded again)."""
    master = master.with_columns(HAS_COMPANY.alias("_has_company"), HAS_PERSON.alias("_has_person"))
    n = master.height
    filled, given = {}, {}
    for level in LEVELS:
        st = state.get(level)
        rows = master.select(
            "source_file",
            pl.col("source_row").cast(pl.Int64),
            pl.int_range(n, dtype=pl.Int64).alias("_i"),
        ).filter(master[LEVEL_ROWS[level]])
        if (
            st is None
            or st.height != rows.height
            or not (st["source_row"] == rows["source_row"]).all()
            or not (st["source_file"].cast(pl.String) == rows["source_file"].cast(pl.String)).all()
        ):
            return None
        at = rows["_i"]
        for c in st.columns:
            if c.startswith((FOLDED, TIDIED)) or c in ("source_file", "source_row"):
                continue
            if (
                rows.height == n
            ):  # every record is at this level: the state's column is the whole column
                filled[c] = st[c]
                continue
            column = filled.get(c, pl.repeat(None, n, dtype=st.schema[c], eager=True).alias(c))
            filled[c] = column.scatter(at, st[c])
        given[level] = {c: st[c] for c in st.columns if c.startswith((FOLDED, TIDIED))}
    for c in DERIVED:  # what no level reads is not kept: null, as a column in the master's chunks
        filled.setdefault(c, pl.repeat(None, n, dtype=pl.String, eager=True).alias(c))
    return master.with_columns(chunked_like(master, column) for column in filled.values()), given


def _key_columns(settings: Settings) -> set[str]:
    """The columns the blocking keys of *settings* read."""
    return {parse_key(k)[1] for rule in settings.blocking for k in rule.keys}


def _linked_columns(data: pl.DataFrame, settings: Settings, known: str | None) -> list[str]:
    """What one level's link needs of the rows: a narrow copy is cheaper than a wide one."""
    need = {
        *settings.columns,
        "_row",
        "_has_company",
        "_has_person",
        "source_file",
        "source_row",
        *([known] if known else []),
    }
    return [c for c in data.columns if c in need]


def first_rows(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of per-row id *numbers* (-1: no id): the rows holding one, the distinct numbers in
    order, and for each the first of those rows (its index in the rows holding one)."""
    at = np.flatnonzero(numbers >= 0)
    distinct, first = np.unique(numbers[at], return_index=True)
    return at, distinct, first


def person_ids(data: pl.DataFrame) -> pl.Series:
    """``person_id``: contacts at different companies who are the same person — the same name
    (in either order) and the same private channel (a valid mobile, a free-mail address).
    A shared switchboard, company domain or name alone is never enough. A contact linked to
    no other has a person of its own. 'pe-<n>' where 'ct-<n>' is the person's first contact
    (the one whose first row comes first). Works on id numbers, not strings."""
    number = id_number(data["contact_id"], "ct").fill_null(-1).to_numpy()
    at, contacts, first = first_rows(number)
    order = np.empty(contacts.size, dtype=np.int64)  # each contact's rank by its first row
    order[np.argsort(first, kind="stable")] = np.arange(contacts.size)
    c = np.full(data.height, -1, dtype=np.int64)
    c[at] = order[np.searchsorted(contacts, number[at])]
    keys = data.select(
        pl.concat_str(["person_key", channel], separator="\x1f").alias(channel)
        for channel in ("mobile_valid", "email_private")
    )
    a, b = shared_value_edges(keys)
    label = components(contacts.size, c[a], c[b])  # the rank of the person's first contact
    by_rank = np.empty(contacts.size, dtype=np.int64)
    by_rank[order] = contacts
    return (
        pl.repeat(None, data.height, dtype=pl.String, eager=True)
        .scatter(at, id_text(by_rank[label[c[at]]], "pe"))
        .alias("person_id")
    )


def read_master(folder: str | Path, like: pl.DataFrame) -> pl.DataFrame:
    """The records of an earlier `enrich dedupe` run (records.parquet, else records.csv), typed
    like *like* (a cleaned frame). A CSV's formula guard (a leading ') is taken off again."""
    from ..errors import InputError

    folder = Path(folder)
    parquet, csv = folder / "records.parquet", folder / "records.csv"
    try:
        if parquet.exists():
            master = pl.read_parquet(parquet)
        elif csv.exists():
            master = unguard(pl.read_csv(csv, infer_schema=False, encoding="utf8-lossy"))
        else:
            raise InputError(
                "not an enrich dedupe folder: no records.parquet or records.csv", file=str(folder)
            )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(
            f"cannot read the master records ({type(exc).__name__})", file=str(folder)
        ) from None
    missing = {"company_id", "contact_id", "source_file", "source_row"} - set(master.columns)
    if missing:
        raise InputError(
            f"not an enrich records table: missing {', '.join(sorted(missing))}", file=str(folder)
        )
    try:  # a cell that does not fit becomes null
        return typed_like(master, like.schema)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"master records do not fit the cleaned schema ({exc})", file=str(folder)
        ) from None


def _local(decided: pl.DataFrame | None, subset: pl.DataFrame) -> pl.DataFrame | None:
    """Steward decisions (by source file and row) as record ids of *subset*."""
    if decided is None or decided.height == 0:
        return None
    index = subset.select(
        "source_file", pl.col("source_row").cast(pl.Int64), pl.int_range(pl.len()).alias("id")
    )
    out = (
        decided.join(
            index.rename({"source_file": "source_file_l", "source_row": "source_row_l", "id": "a"}),
            on=["source_file_l", "source_row_l"],
        )
        .join(
            index.rename({"source_file": "source_file_r", "source_row": "source_row_r", "id": "b"}),
            on=["source_file_r", "source_row_r"],
        )
        .select(
            pl.min_horizontal("a", "b").alias("id_l"),
            pl.max_horizontal("a", "b").alias("id_r"),
            "is_match",
        )
    )
    return out


def pairs_table(
    result: Dedupe, level: str, pairs: pl.DataFrame | None = None, fields: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Scored pairs of *level* (all, or *pairs*, some of them) with both records named by
    source file and row, in input order (the record ids follow it), and the values of
    *fields* of both records (``<field>_l``, ``<field>_r``). The records are taken by
    position: work in proportion to the pairs, not to the records."""
    res, rows = result.results[level], result.rows[level]
    pairs = res.weighed(res.pairs if pairs is None else pairs)
    pairs = pairs.with_columns(pl.col("id_l").cast(pl.UInt32), pl.col("id_r").cast(pl.UInt32)).sort(
        "id_l", "id_r"
    )
    sides = []
    for side in ("l", "r"):
        at = rows.gather(pairs[f"id_{side}"])  # the records' rows in the result
        sides.append(
            result.frame.select("source_file", pl.col("source_row").cast(pl.Int64))
            .select(pl.all().gather(at))
            .rename({"source_file": f"source_file_{side}", "source_row": f"source_row_{side}"})
        )
        if fields:
            sides.append(
                result.derived.select(pl.col(f).gather(at).alias(f"{f}_{side}") for f in fields)
            )
    pairs = pl.concat([pairs, *sides], how="horizontal")
    first = [
        "source_file_l",
        "source_row_l",
        "source_file_r",
        "source_row_r",
        "match_probability",
        "match_weight",
        "band",
        "rule",
    ]
    pairs = pairs.with_columns(
        pl.col("rule").cast(pl.Categorical)
    )  # each level has its own rule names
    return pairs.select(pl.lit(level).alias("level"), *first, pl.exclude(["id_l", "id_r", *first]))


def review_table(result: Dedupe) -> pl.DataFrame:
    """The grey-zone decisions: one pair per two clusters that review-band pairs join
    (``LinkResult.review``, see ``engine.review_pairs``), both records side by side, per-field evidence, how many review
    pairs it stands for, and an empty ``decision`` column for the steward (match / no_match)."""
    tables = []
    for level in LEVELS:
        res = result.results[level]
        fields = res.model.fields
        pairs = pairs_table(result, level, res.review, tuple(fields))
        evidence = [c for f in fields for c in (f"{f}_l", f"{f}_r", f"w_{f}")]
        tables.append(
            pairs.select(
                "level",
                "source_file_l",
                "source_row_l",
                "source_file_r",
                "source_row_r",
                pl.col("match_probability").round(4),
                pl.col("match_weight").round(2),
                "pairs_between",
                *[pl.col(c).round(2) if c.startswith("w_") else pl.col(c) for c in evidence],
                pl.lit("").alias("decision"),
            )
        )
    return pl.concat(tables, how="diagonal_relaxed") if tables else pl.DataFrame()


def read_decisions(path: str) -> dict[str, pl.DataFrame]:
    """A filled review.csv → per level: source_file/row of both sides and is_match."""
    from ..errors import InputError
    from ..io.read import read

    table = read(path)[0].frame
    need = {"level", "source_file_l", "source_row_l", "source_file_r", "source_row_r", "decision"}
    missing = need - set(table.columns)
    if missing:
        raise InputError(f"not a review file: missing {', '.join(sorted(missing))}", file=path)
    decided = table.filter(pl.col("decision").str.strip_chars() != "")
    bad = decided.filter(
        ~pl.col("decision").str.strip_chars().str.to_lowercase().is_in(["match", "no_match"])
    )
    if bad.height:
        raise InputError(
            "decision must be 'match' or 'no_match'",
            file=path,
            row=int(bad["source_row"][0]),
            column="decision",
        )
    decided = decided.with_columns(
        pl.col("source_row_l").cast(pl.Int64),
        pl.col("source_row_r").cast(pl.Int64),
        (pl.col("decision").str.strip_chars().str.to_lowercase() == "match").alias("is_match"),
    )
    return {level: decided.filter(pl.col("level") == level) for level in LEVELS}


def all_pairs(result: Dedupe) -> pl.DataFrame:
    """The scored pairs of both levels in one table."""
    return pl.concat([pairs_table(result, level) for level in LEVELS], how="diagonal_relaxed")


def load_models(path: str, settings: dict[str, Settings]) -> dict[str, Model]:
    """The per-level models of a model.json written by `enrich dedupe`."""
    import json

    from ..errors import InputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read model ({type(exc).__name__})", file=path) from None
    missing = [level for level in LEVELS if level not in data]
    if missing:
        raise InputError(f"no {', '.join(missing)} model in it", file=path)
    return {
        level: Model.from_json(data[level], settings[level].comparisons, path) for level in LEVELS
    }
