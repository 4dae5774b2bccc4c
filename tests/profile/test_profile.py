"""`enrich profile` on the webshop fixture: figures computed by hand (fixtures/orders/README.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from click.testing import CliRunner

from enrich.cli import main
from enrich.job import Input, Job
from enrich.pipeline import run

FIX = Path(__file__).parents[2] / "fixtures" / "orders"
AS_OF = "2026-04-30"


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("m") / "master"
    run(Job(inputs=[Input(str(FIX / "customers_webshop.csv"))], out=str(out)))
    return out


def profile(master: Path, out: Path, *files: str, extra=()) -> tuple[pl.DataFrame, int]:
    args = ["profile", *files, "--master", str(master), "-o", str(out), "-q", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return pl.read_csv(out / "profiles.csv", infer_schema=False), result.exit_code


def by_name(master: Path, table: pl.DataFrame) -> dict[str, dict]:
    """Profiles by the customer's first name (the master's golden contacts)."""
    contacts = pl.read_csv(master / "contacts.csv", infer_schema=False)
    names = dict(zip(contacts["contact_id"], contacts["first_name"]))
    names |= dict(zip(contacts["customer_id"], contacts["first_name"]))  # consumers' key
    key = "customer_id" if "customer_id" in table.columns else "contact_id"
    return {names[r[key] or r["contact_id"]]: r for r in table.iter_rows(named=True)}


def test_figures_by_hand(master, tmp_path):
    table, _ = profile(
        master, tmp_path / "p", str(FIX / "orders_webshop.csv"), extra=["--as-of", AS_OF]
    )
    rows = by_name(master, table)
    # Marie is typed twice (C101, C103) and merged: ONE profile, her lines by C101, C103 and
    # by e-mail alone (W1003, another case): 12.50 + 30.00 + 1234.50 + 20 + 25.00
    assert set(rows) == {"Marie", "Jan", "Luc", "Sophie"}  # Anna never ordered
    marie = rows["Marie"]
    assert marie["orders"] == "4"  # W1001 W1002 W1003 W1010
    assert marie["revenue"] == "1322.0"
    assert marie["average_basket"] == "330.5"
    assert (marie["first_order"], marie["last_order"]) == ("2026-01-05", "2026-04-02")
    assert marie["recency_days"] == "28"  # 2 → 30 April
    assert marie["frequency_days"] == "29.0"  # 5 Jan → 2 Apr = 87 days over 3 gaps
    assert marie["top_categories"] == "Maison;Boissons"  # 1264.50 > 57.50
    assert marie["regular_products"] == "Thé vert"  # W1001, W1003, W1010
    assert marie["age_band"] == "35-44"  # born 12/03/1985: 41 on 30 April 2026
    assert marie["country"] == "BE"
    # Jan's order refunded whole by a credit note: net 0, one order (the note is none)
    jan = rows["Jan"]
    assert (jan["orders"], jan["revenue"], jan["average_basket"]) == ("1", "0.0", "0.0")
    assert (jan["first_order"], jan["recency_days"], jan["refund_lines"]) == (
        "2026-03-01",
        "60",
        "1",
    )
    assert jan["frequency_days"] is None and jan["top_categories"] is None
    # Luc: 1 234,50 € less a refund line of 34,50 in the same order; 20 Dec → 30 Apr
    luc = rows["Luc"]
    assert (luc["orders"], luc["revenue"], luc["recency_days"]) == ("1", "1200.0", "131")
    assert (luc["top_categories"], luc["age_band"]) == ("Sport", "45-54")
    # Sophie: her 31/02 line is no date; her other line by 'Name <e-mail>' only
    sophie = rows["Sophie"]
    assert (sophie["orders"], sophie["revenue"], sophie["last_order"]) == ("1", "5.9", "2026-03-28")
    assert sophie["age_band"] is None  # no birth date: never invented
    # four customers are fewer than segments.toml's min_customers (5): not scored
    assert table["segment"].null_count() == 4 and table["r_score"].null_count() == 4


def test_unmatched_and_counts(master, tmp_path):
    profile(master, tmp_path / "p", str(FIX / "orders_webshop.csv"), extra=["--as-of", AS_OF])
    unmatched = pl.read_csv(tmp_path / "p" / "unmatched_orders.csv", infer_schema=False)
    assert unmatched.rows() == [
        (
            str(FIX / "orders_webshop.csv"),
            "9",
            "W1006",
            "customer key not in the master; e-mail not in the master",
        ),
        (str(FIX / "orders_webshop.csv"), "10", "W1007", "no customer key, e-mail or name"),
        (str(FIX / "orders_webshop.csv"), "11", "W1008", "date not readable"),
    ]
    counts = json.loads((tmp_path / "p" / "run.json").read_text())["counts"]
    assert counts["lines_read"] == 13 and counts["lines_matched"] == 10
    assert counts["orders"] == 8  # W1001–W1005, W1004-R, W1009, W1010
    assert counts["matched_by"] == {"customer_key": 8, "email": 2}
    assert counts["unmatched_lines"] == 3 and counts["customers_profiled"] == 4
    assert counts["segments"] == {"unscored": 4}
    text = (tmp_path / "p" / "run.json").read_text()
    assert "@" not in text and "Dubois" not in text  # nothing personal


def test_scores_and_segments(master, tmp_path):
    """With min_customers 1 (a steward's rules): quintile scores by hand, n = 4.
    R (most recent highest): Luc 131 d rank 1 → 1, Jan 60 → 2, Sophie 33 → 3, Marie 28 → 4
    (score = (rank − 1) × 5 // n + 1). F: three customers of one order share rank 1 → 1;
    Marie rank 4 → 4. M (positive revenue only, n = 3): Sophie 1, Luc 2, Marie 4; Jan none."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "segments.toml").write_text("[scores]\nmin_customers = 1\n")
    extra = ["--as-of", AS_OF, "--rules", str(rules)]
    table, _ = profile(master, tmp_path / "p", str(FIX / "orders_webshop.csv"), extra=extra)
    rows = by_name(master, table)
    got = {n: (r["r_score"], r["f_score"], r["m_score"], r["segment"]) for n, r in rows.items()}
    assert got == {
        "Marie": ("4", "4", "4", "loyal"),
        "Jan": ("2", "1", None, "hibernating"),
        "Sophie": ("3", "1", "1", "about to sleep"),
        "Luc": ("1", "1", "2", "lost"),
    }
    assert rows["Marie"]["rfm"] == "444" and rows["Jan"]["rfm"] is None


def test_xlsx_orders_and_default_day(master, tmp_path):
    """The same lines typed in Excel: numbers and dates as Excel cells; without --as-of the
    recency is counted from today."""
    csv = pl.read_csv(FIX / "orders_webshop.csv", separator=";", infer_schema=False)
    path = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    sheet, dates = wb.add_worksheet("Orders"), wb.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(
        0, 0, ["Order", "Customer number", "Email", "Order date", "Total", "Product", "Category"]
    )
    for i, r in enumerate(csv.head(4).iter_rows(named=True), start=1):
        day = dt.date.fromisoformat(["2026-01-05", "2026-01-05", "2026-02-10", "2026-03-15"][i - 1])
        sheet.write_row(i, 0, [r["N° commande"], r["N° client"] or "", r["E-mail"] or ""])
        sheet.write_datetime(i, 3, dt.datetime.combine(day, dt.time()), dates)
        sheet.write_number(i, 4, [12.5, 30.0, 1234.5, 20.0][i - 1])
        sheet.write_row(i, 5, [r["Produit"], r["Catégorie"]])
    wb.close()
    table, _ = profile(master, tmp_path / "p", str(path))
    (marie,) = table.rows(named=True)
    assert (marie["orders"], marie["revenue"], marie["last_order"]) == ("3", "1297.0", "2026-03-15")
    assert marie["recency_days"] == str((dt.date.today() - dt.date(2026, 3, 15)).days)


def test_same_bytes_and_refusals(master, tmp_path):
    orders = str(FIX / "orders_webshop.csv")
    profile(master, tmp_path / "a", orders, extra=["--as-of", AS_OF])
    profile(master, tmp_path / "b", orders, extra=["--as-of", AS_OF])
    for name in ("profiles.csv", "profiles.parquet", "unmatched_orders.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    bad = CliRunner().invoke(
        main,
        [
            "profile",
            orders,
            "--master",
            str(master),
            "-o",
            str(tmp_path / "c"),
            "--as-of",
            "30/04/2026",
        ],
    )
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    inside = CliRunner().invoke(
        main, ["profile", orders, "--master", str(master), "-o", str(master / "p")]
    )
    assert inside.exit_code == 2


def test_name_and_postcode_last(master, tmp_path):
    """Neither key nor e-mail: the buyer's name (either order, any case and accents) and
    postcode, when exactly one customer has them."""
    path = tmp_path / "shop.csv"
    path.write_text(
        "Order;Prénom;Nom;Code postal;Date;Total\n"
        "S1;DUBOIS;Marie;1000;01/04/2026;10,00\n"  # swapped, upper case
        "S2;Jan;Peeters;9999;01/04/2026;20,00\n"  # moved: not her postcode
        "S3;Luc;Jänssens;9000;02/04/2026;30,00\n",  # an accent the master has not
        encoding="utf-8",
    )
    table, _ = profile(master, tmp_path / "p", str(path), extra=["--as-of", AS_OF])
    rows = by_name(master, table)
    assert {n: r["revenue"] for n, r in rows.items()} == {"Marie": "10.0", "Luc": "30.0"}
    unmatched = pl.read_csv(tmp_path / "p" / "unmatched_orders.csv", infer_schema=False)
    assert unmatched.select("order_id", "reason").rows() == [
        ("S2", "name and postcode not in the master")
    ]
    counts = json.loads((tmp_path / "p" / "run.json").read_text())["counts"]
    assert counts["matched_by"] == {"name_postcode": 2}


def test_a_similar_name_at_the_postcode_last(master, tmp_path):
    """Name and postcode not in the master: the linking engine's name comparisons find the
    one customer of the postcode whose name is close (a typo, a variant, initials, swapped);
    close to none, or the postcode not his: unmatched, never a guess."""
    path = tmp_path / "shop.csv"
    path.write_text(
        "Order;Prénom;Nom;Code postal;Date;Total\n"
        "T1;Marei;Dubios;1000;01/04/2026;10,00\n"  # two typos
        "T2;Peetres;Jan;2000;01/04/2026;20,00\n"  # swapped, a typo
        "T3;L.;Janssens;9000;02/04/2026;30,00\n"  # an initial
        "T4;Sophie;Martin;1000;02/04/2026;40,00\n"  # a name of another postcode's customer
        "T5;Peter;Schmidt;52062;02/04/2026;50,00\n"  # another first name: not Anna Schmidt
        "T6;Sofie;Martin;75011;03/04/2026;60,00\n",  # a variant's typo: Sophie
        encoding="utf-8",
    )
    table, _ = profile(master, tmp_path / "p", str(path), extra=["--as-of", AS_OF])
    rows = by_name(master, table)
    assert {n: r["revenue"] for n, r in rows.items()} == {
        "Marie": "10.0",
        "Jan": "20.0",
        "Luc": "30.0",
        "Sophie": "60.0",
    }
    unmatched = pl.read_csv(tmp_path / "p" / "unmatched_orders.csv", infer_schema=False)
    assert unmatched.select("order_id", "reason").rows() == [
        ("T4", "name and postcode not in the master"),
        ("T5", "name and postcode not in the master"),
    ]
    counts = json.loads((tmp_path / "p" / "run.json").read_text())["counts"]
    assert counts["matched_by"] == {"similar_name": 4}


def test_a_similar_name_on_two_customers_is_no_match(tmp_path):
    """Two customers of one postcode with names close to the buyer's: the line is unmatched
    and the reason says so."""
    contacts = tmp_path / "customers.csv"
    contacts.write_text(
        "Prénom;Nom;E-mail;Code postal;Ville;Date de naissance\n"
        "Jan;Peeters;jan.p@example.be;2000;Antwerpen;03/02/1950\n"
        "Jan;Peters;jan.peters77@example.be;2000;Antwerpen;17/09/1991\n",
        encoding="utf-8",
    )
    out = tmp_path / "master"
    run(Job(inputs=[Input(str(contacts))], out=str(out)))
    ids = pl.read_csv(out / "contacts.csv", infer_schema=False)["customer_id"]
    assert ids.n_unique() == 2  # two people (born 41 years apart)
    path = tmp_path / "shop.csv"
    path.write_text(
        "Order;Prénom;Nom;Code postal;Date;Total\nU1;Jan;Peteers;2000;01/04/2026;9,00\n"
    )
    profile(out, tmp_path / "p", str(path), extra=["--as-of", AS_OF])
    unmatched = pl.read_csv(tmp_path / "p" / "unmatched_orders.csv", infer_schema=False)
    assert unmatched.select("order_id", "reason").rows() == [
        ("U1", "name and postcode not in the master; a similar name on several customers")
    ]


def test_keyed_by_customer_id_when_the_master_has_it(master, tmp_path):
    """A master with the consumer level (customer_id beside contact_id, null for a B2B
    contact): consumers by customer_id, the B2B buyer by contact_id — here Luc, made a
    contact of a company by hand in a copy of the master."""
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(master, copy)
    contacts = pl.read_csv(copy / "contacts.csv", infer_schema=False)
    b2b = contacts.filter(pl.col("first_name") == "Luc")["contact_id"].item()
    ids = pl.when(pl.col("contact_id") != b2b).then(pl.col("contact_id").str.replace("ct-", "cu-"))
    contacts.with_columns(ids.alias("customer_id")).write_csv(copy / "contacts.csv")
    (copy / "golden_contacts.parquet").unlink()
    records = pl.read_parquet(copy / "records.parquet")
    records.with_columns(ids.alias("customer_id")).write_parquet(copy / "records.parquet")
    table, _ = profile(
        copy, tmp_path / "p", str(FIX / "orders_webshop.csv"), extra=["--as-of", AS_OF]
    )
    assert table.columns[:3] == ["customer_id", "contact_id", "orders"]
    luc = table.filter(pl.col("contact_id") == b2b)
    assert luc["customer_id"].to_list() == [None] and luc["revenue"].to_list() == ["1200.0"]
    consumers = table.filter(pl.col("customer_id").is_not_null())
    assert consumers["contact_id"].null_count() == 3
    assert sorted(consumers["revenue"].to_list()) == ["0.0", "1322.0", "5.9"]
