"""Contactability benchmark: read a national do-not-call file, match it against the numbers
of a golden-contact frame, and judge every contact on every channel.

    python benchmarks/contactability.py                   # 1M contacts, a 2M-line DNCM file
    python benchmarks/contactability.py --contacts 100000 --listed 200000

The contacts are generated in the golden contacts' columns: a quarter each FR, BE, DE and
no country (their company's, BE), a third consumers, role and free-mail addresses, consent
words and dates, purchase dates, refusals; the DNCM file in its delivered form (number and
registration date a line) holds every other Belgian number. Prints the time of each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from enrich.consent import contactability, dnc  # noqa: E402

AS_OF = dt.date(2026, 12, 3)


def contacts_frame(n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(golden contacts, their companies) of *n* generated contacts."""
    i = np.arange(n)
    company = pl.Series((i // 5).astype(str)).set(pl.Series(i % 3 == 0), None)

    def every(k: int, value: str) -> pl.Series:
        return pl.Series(np.where(i % k == 0, value, None), dtype=pl.String)

    country = np.select([i % 4 == 0, i % 4 == 1, i % 4 == 3], ["FR", "BE", "DE"], "")
    contacts = pl.DataFrame(
        {
            "contact_id": pl.Series(i).cast(pl.String),
            "company_id": company,
            "country": pl.Series(country).replace("", None),
            "email": pl.Series(i).cast(pl.String) + "@example.be",
            "email_status": "valid",
            "email_role": i % 10 == 0,
            "email_freemail": i % 7 == 0,
            "phone": pl.Series(475_000_000 + i).cast(pl.String).str.replace("^", "+32"),
            "phone_status": "valid",
            "street": "Rue de la Loi",
            "city": "Bruxelles",
            "opt_out": i % 50 == 0,
            "do_not_contact": i % 50 == 0,
            "consent_date": every(5, "2025-03-01"),
            "consent_source": every(10, "web form"),
            "email_consent": every(6, "oui"),
            "phone_consent": every(8, "2024-01-01"),
            "last_purchase_date": every(9, "05/05/2024"),
        }
    )
    companies = pl.DataFrame(
        {"company_id": pl.Series(np.arange(n // 5 + 1)).cast(pl.String), "country": "BE"}
    ).with_columns(street=pl.lit("Wetstraat"), city=pl.lit("Brussel"))
    return contacts, companies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--listed", type=int, default=2_000_000)
    args = parser.parse_args()
    contacts, companies = contacts_frame(args.contacts)
    settings = contactability.load()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"dncm_{AS_OF:%Y%m%d}.txt"
        numbers = pl.Series(475_000_000 + 2 * np.arange(args.listed)).cast(pl.String)
        path.write_text("\n".join(("32" + numbers + ";20200101").to_list()) + "\n")
        t = time.perf_counter()
        files, _ = dnc.read_all([str(path)], settings, AS_OF)
        steps = [(f"read a {args.listed:,}-line DNCM file", time.perf_counter() - t)]
    t = time.perf_counter()
    listed = dnc.listed(pl.DataFrame(), contacts, files)
    steps.append((f"match {args.contacts:,} contacts' numbers", time.perf_counter() - t))
    t = time.perf_counter()
    judged = contactability.contactability(
        contacts, companies, listed, dnc.states(files), None, AS_OF
    )
    steps.append((f"judge {args.contacts:,} contacts on 3 channels", time.perf_counter() - t))
    for step, seconds in steps:
        print(f"{step:<45} {seconds:6.2f} s")
    print({ch: judged[f"{ch}_ok"].sum() for ch in contactability.CHANNELS})


if __name__ == "__main__":
    main()
