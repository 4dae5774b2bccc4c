"""The do-not-contact register applied to a big master, measured (issue #20: a 1M-entry
register on a 1M-row master adds at most 5 s).

    python benchmarks/register.py                          # 1M contacts, a 1M-entry register
    python benchmarks/register.py --contacts 200000 --entries 200000
    python benchmarks/register.py --digests 0          # a register of addresses and numbers

Built in memory: a master-like contact table (one golden contact per row, with its opt-out
columns mostly empty) and its contact points — each contact an e-mail address, some a second
one, typed in mixed case, and one or two phone numbers (E.164) —, and a register of
``--entries`` keyed entries: e-mail addresses (a tenth of them held by the master), phone
numbers (a tenth held) and SHA-256 digests of addresses (``--digests``: their share, 10 %
by default; a few held) — a register with digests makes the master's addresses be keyed twice.
What is timed is what a master run adds: the master's distinct addresses and numbers keyed
(``consent.apply.point_keys``), matched against the register (``matches``) and the contacts'
channel columns (``by_contact``, ``contact_columns``) — in a first run, where every value is
keyed, and in a later run, where the keys of the values the previous run held are taken
from its ``register_points.parquet`` and 2 % of the points are new. Prints one JSON line:
the sizes, the seconds of each step and in all, how many contacts were refused.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import polars as pl

from enrich.consent import apply, register

KEY = b"benchmark-key-0123456789abcdef"


def master(n: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(contacts, contact points, records) of *n* contacts."""
    rng = np.random.default_rng(seed)
    ids = pl.Series("_id", [f"ct-{i}" for i in range(n)])
    number = pl.int_range(n, eager=True)
    mail = (
        "p" + number.cast(pl.String) + "@firma" + (number % 5000).cast(pl.String) + ".be"
    ).alias("value")
    mixed = pl.select(
        pl.when(pl.Series(rng.random(n) < 0.3)).then(mail.str.to_uppercase()).otherwise(mail)
    ).to_series()
    phone = ("+32475" + (number + 100000).cast(pl.String).str.zfill(6)).alias("value")
    second = rng.random(n) < 0.2
    points = pl.concat(
        [
            pl.DataFrame({"_id": ids, "kind": "emails", "value": mixed}),
            pl.DataFrame({"_id": ids, "kind": "emails", "value": "o." + mail}).filter(
                pl.Series(second)
            ),
            pl.DataFrame({"_id": ids, "kind": "phones", "value": phone}),
        ]
    )
    contacts = pl.DataFrame({"_id": ids, "opt_out": pl.Series(rng.random(n) < 0.01)})
    records = pl.DataFrame(
        {
            "contact_id": ids,
            "opt_out": pl.Series(rng.random(n) < 0.01),
            "opt_out_email": pl.Series(rng.random(n) < 0.01),
        }
    )
    return contacts, points, records


def the_register(entries: int, n: int, digests: float = 0.1, seed: int = 11) -> pl.DataFrame:
    """A register of *entries*: e-mails and phones half and half, but a share *digests* of
    SHA-256 digests; a tenth of each held by the master."""
    rng = np.random.default_rng(seed)
    n_hash = int(entries * digests)
    n_mail = (entries - n_hash) // 2
    n_phone = entries - n_hash - n_mail

    def picks(count: int) -> pl.Series:
        held = rng.random(count) < 0.1
        inside = rng.integers(0, n, count)
        outside = np.arange(count) + 10 * n
        return pl.Series(np.where(held, inside, outside))

    mails = "p" + picks(n_mail).cast(pl.String) + "@firma"
    mails = mails + (picks(n_mail) % 5000).cast(pl.String) + ".be"
    phones = "+32475" + (picks(n_phone) + 100000).cast(pl.String).str.zfill(6)
    digests = apply._sha256(
        "p" + pl.Series(rng.integers(0, 20 * n, n_hash)).cast(pl.String) + "@firma1.be"
    )
    return register.merge(
        register.entries("email", mails, register.CHANNELS, "list:bench.txt", KEY),
        register.entries("phone", phones, ("phone",), "list:dncm.txt", KEY),
        register.entries("email_sha256", digests, register.CHANNELS, "list:hashed.csv", KEY),
    )


def applied(contacts, points, records, reg, known=None) -> tuple[dict, pl.DataFrame]:
    """What a run adds, timed: the points keyed (*known*: the previous run's), matched, and
    the contacts' columns."""
    t0 = time.perf_counter()
    keyed = apply.point_keys(points, reg, KEY, known)
    t1 = time.perf_counter()
    hits = apply.matches(points, reg, KEY, keyed)
    t2 = time.perf_counter()
    out = apply.contact_columns(contacts, records, apply.by_contact(hits))
    t3 = time.perf_counter()
    times = {
        "key_points_s": round(t1 - t0, 2),
        "match_s": round(t2 - t1, 2),
        "columns_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "email_refused": int(out["email_opt_out"].sum()),
        "do_not_contact": int(out["do_not_contact"].sum()),
    }
    return times, keyed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--digests", type=float, default=0.1, help="the share of SHA-256 digests (0: none)"
    )
    args = parser.parse_args()
    contacts, points, records = master(args.contacts)
    reg = the_register(args.entries, args.contacts, args.digests)
    first, keyed = applied(contacts, points, records, reg)
    # the next run: 2 % of the contact points are new values, the rest known
    changed = pl.Series(np.random.default_rng(3).random(points.height) < 0.02)
    later_points = points.with_columns(
        pl.when(changed).then("n." + pl.col("value")).otherwise(pl.col("value")).alias("value")
    )
    later, _ = applied(contacts, later_points, records, reg, keyed)
    sizes = {
        "contacts": contacts.height,
        "contact_points": points.height,
        "register_entries": reg.height,
        "keyed_points": keyed.height,
    }
    print(json.dumps({**sizes, "first_run": first, "later_run": later}))


if __name__ == "__main__":
    main()
