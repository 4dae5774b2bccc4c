"""The person a request is about (GDPR Art. 15 and 17): found in a master by an e-mail address
or a phone number, and everything the master holds about them gathered — what
``enrich subject`` prints and what ``enrich erase`` removes.

A request names the person by addresses in the forms people give them: an e-mail in any case,
with a display name or ``mailto:`` (``keys.email_form``), a phone number in any national or
international form (E.164 by enrich's phone normaliser, a national number read in
``default_country``). The person is every contact that holds one of them — as its golden value
or among its other values (``contact_points``) or in one of its source rows — and their rows
are every record of those contacts, and every record that carries one of the addresses
(a row without a person that gives their address still holds their data).

>>> request(["Jan Peeters <JAN@Firma.BE>", "mailto:jan@firma.be"], ["0475 12 34 56"], "BE")
Request(emails=['jan@firma.be'], phones=['+32475123456'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..master import folder as master_folder
from ..master import state
from ..master.build import Previous
from ..parallel import side_by_side
from . import keys, register

EMAIL_COLUMNS = ("email", "email_other")  # the records' columns that hold a person's addresses
PHONE_COLUMNS = ("phone", "mobile")
E164 = re.compile(r"\+\d{6,15}")
CONSENT_COLUMNS = (
    "opt_out",
    "email_opt_out",
    "phone_opt_out",
    "post_opt_out",
    "suppressed",
    "do_not_contact",
    "consent_date",
    "consent_source",
    "email_ok",
    "email_why",
    "phone_ok",
    "phone_why",
    "post_ok",
    "post_why",
)  # those a golden contact has (the register's and contactability's columns, once merged)


@dataclass
class Request:
    """The addresses a request names, in their keyed forms."""

    emails: list[str]
    phones: list[str]


def request(emails: list[str], phones: list[str], default_country: str | None) -> Request:
    """The addresses given, normalised; one that cannot be read is an error naming which
    option it was (never its value)."""
    from ..normalise.phones import clean as clean_phones

    mails = keys.email_form(pl.Series(list(emails), dtype=pl.String))
    numbers = (
        clean_phones(
            pl.DataFrame(
                {"phone": list(phones), "country": default_country},
                schema={"phone": pl.String, "country": pl.String},
            )
        )
        .select(pl.when(pl.col("phone").str.contains(r"^\+\d{6,15}$")).then(pl.col("phone")))
        .to_series()
    )  # E.164, or null: a number the normaliser could not place
    for option, values in (("--email", mails), ("--phone", numbers)):
        bad = [i for i, v in enumerate(values.to_list(), 1) if v is None]
        if bad:
            hint = " (a national number needs --default-country)" if option == "--phone" else ""
            raise InputError(f"{option} number {bad[0]} is not an address enrich can read{hint}")
    if not mails.len() and not numbers.len():
        raise InputError("name the person: --email or --phone (repeatable)")
    return Request(sorted(set(mails.to_list())), sorted(set(numbers.to_list())))


@dataclass
class Held:
    """A master folder as read for a request: its state (``folder.read_previous``: checked
    against its manifest), its golden tables whole, its register and run.json."""

    path: Path
    run: dict
    previous: Previous
    tables: dict[str, pl.DataFrame]
    register: pl.DataFrame | None
    sha256: str
    format: str = "csv"


def load(path: str | Path, rules) -> Held:
    """The master in *path*, read and checked (a folder that is not a whole master: exit 2)."""
    from ..link.files import load_settings

    run, sha = master_folder.previous_run(str(path))
    previous, tables = side_by_side(
        lambda: master_folder.read_previous(str(path), load_settings(rules), sha),
        lambda: master_folder.read_golden_tables(path, sha, split=False),
    )  # polars reads without the GIL
    if not tables:
        raise InputError("cannot read the master's golden tables", file=str(path))
    files = state.listed(run)
    reg = None
    if (Path(path) / register.FILE).is_file() or (files and register.FILE in files):
        data, _ = state.checked(Path(path), register.FILE, files)
        reg = pl.read_parquet(data)
    fmt = "parquet" if (Path(path) / "companies.parquet").is_file() else "csv"
    return Held(Path(path), run, previous, tables, reg, sha, fmt)


@dataclass
class Found:
    """The person in a master: their contacts' ids and which records are theirs."""

    contacts: list[str]
    rows: pl.Series  # a mask over the master's records
    emails: list[str]  # every address and number they hold (the tombstone's values)
    phones: list[str]
    others: list[str]  # other contacts holding one of those (not the ones asked for)
    same_person: list[str]  # other contacts linked to theirs as one person (``person_id``)

    @property
    def any(self) -> bool:
        return bool(self.contacts) or bool(self.rows.any())


def find(held: Held, asked: Request) -> Found:
    """Every contact holding one of the addresses (golden value, other values, a source row),
    and every record of those contacts or carrying one of the addresses. Not further: a
    number their rows also give may be a switchboard their colleagues share — the contacts
    holding their other addresses (``others``) and those linking put with theirs as one
    person at other companies (``same_person``) are named, not taken."""
    records, points = held.previous.records, held.tables["contact_points"]
    ids, carries = _holders(records, points, asked.emails, asked.phones)
    rows = carries | pl.Series(records["contact_id"].is_in(ids.implode()).fill_null(False))
    theirs = records.filter(rows)
    held_points = points.filter((pl.col("level") == "contact") & pl.col("id").is_in(ids.implode()))
    emails = pl.concat(
        [
            pl.Series(asked.emails, dtype=pl.String),
            held_points.filter(pl.col("kind") == "emails")["value"],
            *(_addresses(theirs[c]) for c in EMAIL_COLUMNS if c in theirs.columns),
        ]
    )
    phones = pl.concat(
        [
            pl.Series(asked.phones, dtype=pl.String),
            held_points.filter(pl.col("kind") == "phones")["value"],
            *(theirs[c].cast(pl.String) for c in PHONE_COLUMNS if c in theirs.columns),
        ]
    )
    emails = sorted(set(keys.email_form(emails).drop_nulls().to_list()))
    phones = sorted({p for p in phones.drop_nulls().to_list() if E164.fullmatch(p)})
    also, _ = _holders(records, points, emails, phones)
    contacts = held.tables["contacts"]
    persons = contacts.filter(pl.col("contact_id").is_in(ids.implode()))["person_id"].drop_nulls()
    same = contacts.filter(pl.col("person_id").is_in(persons.implode()))["contact_id"]
    return Found(
        ids.to_list(),
        rows,
        emails,
        phones,
        also.filter(~also.is_in(ids.implode())).to_list(),
        same.filter(~same.is_in(ids.implode())).sort().to_list(),
    )


def _holders(
    records: pl.DataFrame, points: pl.DataFrame, emails: list[str], phones: list[str]
) -> tuple[pl.Series, pl.Series]:
    """(the ids of the contacts holding one of the addresses — in their contact points or a
    row —, the records that carry one)."""
    carries = _carries(records, emails, phones)
    listed = points.filter(
        (pl.col("level") == "contact")
        & (
            ((pl.col("kind") == "emails") & pl.col("value").str.to_lowercase().is_in(emails))
            | ((pl.col("kind") == "phones") & pl.col("value").is_in(phones))
        )
    )["id"]
    ids = pl.concat([listed, records.filter(carries)["contact_id"]]).drop_nulls().unique().sort()
    return ids, carries


def _addresses(column: pl.Series) -> pl.Series:
    """Each address in a column that may hold several (``email_other``), lower-cased."""
    return (
        column.cast(pl.String)
        .str.to_lowercase()
        .str.extract_all(r"[^\s;,<>]+@[^\s;,<>]+")
        .explode()
        .drop_nulls()
    )


def _carries(records: pl.DataFrame, emails: list[str], phones: list[str]) -> pl.Series:
    """The records holding one of the addresses in any of their address columns."""
    hit = pl.lit(False)
    for c in EMAIL_COLUMNS:
        if c in records.columns:
            found = pl.col(c).str.to_lowercase().str.extract_all(r"[^\s;,<>]+@[^\s;,<>]+")
            hit = hit | found.list.eval(pl.element().is_in(emails)).list.any().fill_null(False)
    for c in PHONE_COLUMNS:
        if c in records.columns:
            hit = hit | pl.col(c).is_in(phones).fill_null(False)
    return records.select(hit.alias("hit"))["hit"]


def gather(held: Held, found: Found, asked: Request) -> dict:
    """Everything the master holds about the person, as plain data (what ``enrich subject``
    prints): their golden contacts with contact points, provenance and consent, each source
    row with its cleaned values and lineage status, and the register's refusals of them."""
    t, records = held.tables, held.previous.records
    ids = pl.Series(found.contacts, dtype=pl.String).implode()
    contacts = t["contacts"].filter(pl.col("contact_id").is_in(ids))
    mine = lambda table: table.filter(  # noqa: E731
        (pl.col("level") == "contact") & pl.col("id").is_in(ids)
    )
    rows = records.filter(found.rows)
    lineage = held.previous.lineage.join(
        rows.select("source_file", pl.col("source_row").cast(pl.Int64)),
        on=["source_file", "source_row"],
        how="semi",
    )
    out_contacts = []
    for contact in _plain(contacts):
        cid = contact["contact_id"]
        out_contacts.append(
            {
                "contact": contact,
                "consent": {c: contact[c] for c in CONSENT_COLUMNS if c in contact},
                "contact_points": _plain(mine(t["contact_points"]).filter(pl.col("id") == cid)),
                "provenance": _plain(mine(t["provenance"]).filter(pl.col("id") == cid)),
            }
        )
    statuses = {(r["source_file"], r["source_row"]): r for r in _plain(lineage)}
    source_rows = [
        {
            "source_file": r["source_file"],
            "source_row": r["source_row"],
            "lineage": statuses.get((r["source_file"], r["source_row"]), {}).get("status"),
            "values": {k: v for k, v in r.items() if v is not None},
        }
        for r in _plain(rows)
    ]
    return {
        "master": str(held.path),
        "asked": {"emails": asked.emails, "phones": asked.phones},
        "found": found.any,
        "contacts": out_contacts,
        "source_rows": source_rows,
        "register": refusals(held, found),
        "other_contacts": {
            "holding_their_addresses": found.others,
            "same_person": found.same_person,
        },
    }


def refusals(held: Held, found: Found) -> list[dict]:
    """The register's entries that refuse one of the person's addresses (which source, which
    channels, since when) — matched by keyed value: the register holds no address."""
    if held.register is None or held.register.is_empty() or not (found.emails or found.phones):
        return []
    key = master_key(held.run)
    wanted = pl.concat(
        [
            register.entries("email", pl.Series(found.emails, dtype=pl.String), ["email"], "", key)
            if found.emails
            else register.empty(),
            register.entries("phone", pl.Series(found.phones, dtype=pl.String), ["phone"], "", key)
            if found.phones
            else register.empty(),
        ]
    ).select("kind", "key")
    hits = held.register.join(wanted, on=["kind", "key"], how="semi").sort(
        "source", "kind", "channels"
    )
    return _plain(hits.select("kind", "channels", "source", "since"))


def master_key(run: dict, say=lambda line: None) -> bytes:
    """The secret key, checked against the one the master's register was made with (a key
    file just made is said)."""
    key, made = keys.master_key(run.get("register_key"))
    if made:
        say(made)
    return key


def _plain(frame: pl.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (dates as ISO text)."""
    return json.loads(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False))
