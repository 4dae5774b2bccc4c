"""People without a company (consumers) linked at the customer level (rules/link.toml
[customer]): a webshop's customer export, typed twice with the usual slips, and the consumer
rows of a mixed file."""

import json

import polars as pl
import pytest

from enrich.clean import clean_files
from enrich.job import Input, Job
from enrich.link.levels import dedupe
from enrich.link.phonetic import name_key

HEADER = "Prénom;Nom;Date de naissance;Adresse;Code postal;Localité;E-mail;GSM;Société"
FIRST = ["Marie", "Luc", "Sofie", "Pieter", "Nathalie", "Koen", "Isabelle", "Thomas", "Ann", "Marc"]
LAST = ["Dubois", "Claes", "Wouters", "Lambert", "Maes", "Mertens", "Willems", "Goossens"]
PLACES = [("1000", "Bruxelles"), ("2000", "Antwerpen"), ("4000", "Liège"), ("9000", "Gent")]
STREETS = ["Rue Haute", "Kerkstraat", "Rue de la Station", "Stationsstraat", "Avenue Louise"]


def _people() -> list[list[str]]:
    """40 different customers: every name pair once, birth dates and addresses spread."""
    rows = []
    for i in range(40):
        first, last = FIRST[i % 10], LAST[(i * 3) % 8]
        postcode, city = PLACES[i % 4]
        day, month, year = 1 + (i * 7) % 28, 1 + (i * 5) % 12, 1950 + i
        rows.append(
            [
                first,
                last.upper(),
                f"{day:02d}/{month:02d}/{year}",
                f"{STREETS[i % 5]} {10 + i}",
                postcode,
                city,
                f"{first.lower()}.{last.lower()}{i}@gmail.com",
                f"0470 12 {i:02d} {i + 10:02d}",
                "",
            ]
        )
    return rows


# the same people typed again: what went wrong → the row of _people() it repeats
REPEATED = {
    "swapped names": 0,
    "day/month swapped": 5,
    "moved, same e-mail": 13,
    "typo in the name": 21,
    "first-name variant": 22,
}


def _again(people: list[list[str]]) -> dict[str, list[str]]:
    """Each of REPEATED typed again, without e-mail or mobile unless said."""
    p = {what: people[i] for what, i in REPEATED.items()}
    first, last, born, street, postcode, city, email = p["swapped names"][:7]
    d, m, y = p["day/month swapped"][2].split("/")  # 08/02/1955: both ways a date
    return {
        "swapped names": [last, first, born, street, postcode, city, "", "", ""],
        "day/month swapped": [
            *p["day/month swapped"][:2],
            f"{m}/{d}/{y}",
            *p["day/month swapped"][3:6],
            "",
            "",
            "",
        ],
        "moved, same e-mail": [
            *p["moved, same e-mail"][:3],
            "Grand-Place 1",
            "7000",
            "Mons",
            p["moved, same e-mail"][6],
            "",
            "",
        ],
        "typo in the name": [
            p["typo in the name"][0],
            "GOOSENS",
            *p["typo in the name"][2:6],
            "",
            "",
            "",
        ],
        "first-name variant": ["Sophie", *p["first-name variant"][1:6], "", "", ""],
    }


def _write(path, rows: list[list[str]]) -> str:
    path.write_text("\n".join([HEADER, *(";".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def webshop(tmp_path):
    """A webshop export: 40 customers, then 5 of them typed again, then two namesakes of
    customer 11 (Luc CLAES of Gent: other birth dates, streets and e-mails), then 3 B2B
    rows (a person at a company has no customer_id)."""
    people = _people()
    again = _again(people)
    namesakes = [
        ["Luc", "CLAES", "14/03/1971", "Kerkstraat 3", "9000", "Gent", "lclaes@telenet.be", "", ""],
        ["Luc", "Claes", "02/11/1988", "Veldstraat 90", "9000", "Gent", "luc.c@skynet.be", "", ""],
    ]
    b2b = [
        [
            "Marie",
            "DUBOIS",
            "",
            "Rue Haute 10",
            "1000",
            "Bruxelles",
            "m.dubois@acme.be",
            "",
            "Acme SA",
        ],
        [
            "Marie",
            "Dubois",
            "",
            "Rue Haute 10",
            "1000",
            "Bruxelles",
            "m.dubois@acme.be",
            "",
            "ACME",
        ],
        [
            "Luc",
            "Claes",
            "",
            "Kerkstraat 3",
            "9000",
            "Gent",
            "luc@claes-bouw.be",
            "",
            "Claes Bouw BV",
        ],
    ]
    rows = [*people, *again.values(), *namesakes, *b2b]
    return _write(tmp_path / "webshop.csv", rows), list(again), len(people)


def _linked(path: str) -> pl.DataFrame:
    return dedupe(clean_files([path]).frame).frame.sort("source_row")


def test_a_customers_typed_duplicates_are_joined(webshop):
    path, again, n = webshop
    found = _linked(path)
    customer = found["customer_id"].to_list()
    for k, what in enumerate(again):  # row n + k repeats row REPEATED[what]
        assert customer[n + k] == customer[REPEATED[what]], what
    assert found["customer_id"].n_unique() == 40 + 2 + 1  # the namesakes apart, B2B null
    # a customer is one contact
    customers = found.filter(pl.col("customer_id").is_not_null())
    assert (
        customers.group_by("customer_id").agg(pl.col("contact_id").n_unique())["contact_id"].max()
        == 1
    )


def test_namesakes_with_other_birth_dates_are_not_joined(webshop):
    path, again, n = webshop
    found = _linked(path)
    luc = found["customer_id"][11]  # Luc CLAES of Gent, born 1961
    namesakes = found["customer_id"][n + len(again) : n + len(again) + 2].to_list()
    assert luc not in namesakes and namesakes[0] != namesakes[1]


def test_rows_of_a_company_keep_their_hierarchy(webshop):
    path, *_ = webshop
    found = _linked(path)
    b2b = found.tail(3)
    assert b2b["customer_id"].is_null().all()
    assert b2b["company_id"].is_not_null().all() and b2b["contact_id"].is_not_null().all()
    assert b2b["contact_id"][0] == b2b["contact_id"][1] != b2b["contact_id"][2]
    # a person at a company is not the consumer of the same name and address
    assert found.head(1)["contact_id"][0] not in b2b["contact_id"].to_list()


def test_customer_id_is_in_lineage_and_contacts(webshop, tmp_path):
    from enrich.pipeline import run

    path, *_ = webshop
    out = run(Job([Input(path)], str(tmp_path / "master"))).out
    lineage = pl.read_csv(out / "lineage.csv", infer_schema=False)
    contacts = pl.read_csv(out / "contacts.csv", infer_schema=False)
    assert lineage.columns[:5] == [
        "source_file",
        "source_row",
        "company_id",
        "customer_id",
        "contact_id",
    ]
    assert lineage["customer_id"].drop_nulls().str.starts_with("cu-").all()
    assert lineage["customer_id"].is_not_null().sum() == 40 + 5 + 2
    assert contacts.columns[:3] == ["contact_id", "company_id", "customer_id"]
    consumers = contacts.filter(pl.col("customer_id").is_not_null())
    assert consumers.height == 42 and consumers["company_id"].is_null().all()
    assert contacts.filter(pl.col("company_id").is_not_null())["customer_id"].is_null().all()
    # the customer level's model and link state are kept for the next run
    assert set(json.loads((out / "model.json").read_text())) == {"company", "customer", "contact"}
    assert (out / "link_customer.parquet").is_file()


def test_name_keys_sound_alike_across_languages():
    names = pl.Series(["Vandenberghe", "Van den Berg", "Schmidt", "Schmitt", "Meyer", "Maier"])
    keys = name_key(names, "cologne", {}).to_list()
    assert keys[2] == keys[3] and keys[4] == keys[5]
    variants = {"jan": "jean", "john": "jean", "katrien": "catherine"}
    swapped = name_key(
        pl.Series(["Jan Peeters", "PEETERS John", "Katrien Peeters"]), "cologne", variants
    )
    assert swapped[0] == swapped[1] != swapped[2]


def test_a_stewards_decision_on_customers_is_applied(webshop, tmp_path):
    from enrich.pipeline import run

    path, again, n = webshop
    decisions = tmp_path / "decisions.csv"
    sides = "level,source_file_l,source_row_l,source_file_r,source_row_r,decision"
    first_namesake = n + len(again) + 1  # 1-based rows: customer 11 is row 12
    decisions.write_text(
        f"{sides}\ncustomer,{path},1,{path},{n + 1},no_match\n"
        f"customer,{path},12,{path},{first_namesake},match\n",
        encoding="utf-8",
    )
    out = run(Job([Input(path)], str(tmp_path / "m"), decisions=str(decisions))).out
    lineage = pl.read_csv(out / "lineage.csv", infer_schema=False)
    ids = dict(zip(lineage["source_row"].cast(int), lineage["customer_id"]))
    assert ids[1] != ids[n + 1]  # the swapped names kept apart
    assert ids[12] == ids[first_namesake]  # a namesake the steward says is him


def test_a_customer_pair_is_explained(webshop, run_cli, tmp_path):
    path, again, n = webshop
    out = tmp_path / "run"
    assert run_cli("dedupe", path, "-o", out, "-q").exit_code == 0
    done = run_cli("explain", out, "1", str(n + 1), "--level", "customer")
    assert done.exit_code == 0, done.output
    assert "customer pair" in done.output and "birth_date = exact" in done.output
    assert "last_name" in done.output and "probability" in done.output


def test_a_next_file_joins_the_masters_customers(webshop, tmp_path):
    from enrich.pipeline import run

    path, *_ = webshop
    first = run(Job([Input(path)], str(tmp_path / "m1"))).out
    people = _people()
    koen, sofie = people[5], people[22]
    later = _write(
        tmp_path / "loyalty.csv",
        [
            [koen[1], koen[0], *koen[2:6], koen[6], "", ""],  # names swapped, same e-mail
            ["Sophie", *sofie[1:6], "", "", ""],
            ["Nieuwe", "KLANT", "01/02/2001", "Kerkstraat 1", "9000", "Gent", "", "", ""],
        ],
    )
    second = run(Job([Input(later)], str(tmp_path / "m2"), previous=str(first))).out
    before = pl.read_csv(first / "lineage.csv", infer_schema=False)
    after = pl.read_csv(second / "lineage.csv", infer_schema=False)
    old = dict(zip(before["source_row"].cast(int), before["customer_id"]))
    new = after.filter(pl.col("source_file") == later)["customer_id"].to_list()
    assert new[0] == old[6] and new[1] == old[23]  # Koen and Sofie: their customers
    assert new[2] not in old.values()  # a new customer, a new id
    kept = after.filter(pl.col("source_file") == path)
    assert dict(zip(kept["source_row"].cast(int), kept["customer_id"])) == old
    run_json = json.loads((second / "run.json").read_text())
    assert run_json["master"]["master_link_state"] == "kept"  # link_customer read, not redone


def _families() -> tuple[list[list[str]], list[int]]:
    """A loyalty file where a third of the people live with family: 24 households of two to
    four (one surname, one address; other first names and birth dates), then 12 of those
    people typed again (a letter lost, day and month swapped). Returns the rows
    and, per row, its true person."""
    rows, person = [], []
    surnames = ["VERMEULEN", "Janssens", "Dubois", "Peeters", "Lambert", "Maes", "Claes", "Wouters"]
    for h in range(24):
        last = surnames[h % 8]
        postcode, city = PLACES[h % 4]
        street = f"{STREETS[h % 5]} {3 + h}"
        for k in range(2 + h % 3):
            first = FIRST[(h + 3 * k) % 10]
            born = f"{1 + (h + 11 * k) % 28:02d}/{1 + (h + 5 * k) % 12:02d}/{1950 + (h * 7 + 13 * k) % 60}"
            rows.append([first, last, born, street, postcode, city, "", "", ""])
            person.append(len(person))
    for j in range(12):
        i = (j * 5) % len(rows)
        first, last, born, street, postcode, city = rows[i][:6]
        d, m, y = born.split("/")
        if j % 2 == 1 and int(d) <= 12 and d != m:
            born = f"{m}/{d}/{y}"
        else:
            last = last[:-2] + last[-1]  # a letter lost
        rows.append([first, last, born, street, postcode, city, "", "", ""])
        person.append(person[i])
    return rows, person


def test_families_at_one_address_stay_apart_and_duplicates_join(tmp_path):
    """Relatives share a surname and an address, which is one piece of evidence (the postcode
    is part of the home; household keys teach the model nothing): every relative stays a
    customer of their own, every person typed again joins them."""
    people = _people()
    rows, person = _families()
    found = _linked(_write(tmp_path / "loyalty.csv", [*people, *rows]))
    ids = found["customer_id"][len(people) :].to_list()
    truth = pl.DataFrame({"id": ids, "person": person})
    assert truth.group_by("id").agg(pl.col("person").n_unique())["person"].max() == 1
    assert truth.group_by("person").agg(pl.col("id").n_unique())["id"].max() == 1


def test_a_family_at_one_address_stays_four_people(tmp_path):
    """One surname at one address: a couple, their two children and the father typed again
    with a typo and day and month swapped. The address and surname they share are one
    piece of evidence (the postcode is part of the home, household keys teach the model
    nothing): the family stays four customers, the father's second row joins him."""
    family = [
        ["Pieter", "VERMEULEN", "12/04/1968", "Lindenlaan 14", "2800", "Mechelen", "", "", ""],
        ["Katrien", "VERMEULEN", "03/09/1970", "Lindenlaan 14", "2800", "Mechelen", "", "", ""],
        ["Lotte", "Vermeulen", "21/06/2001", "Lindenlaan 14", "2800", "Mechelen", "", "", ""],
        ["Jonas", "Vermeulen", "30/01/2004", "Lindenlaan 14", "2800", "Mechelen", "", "", ""],
        ["Pieter", "Vermeulenn", "04/12/1968", "Lindenlaan 14", "2800", "Mechelen", "", "", ""],
    ]
    people = _people()
    found = _linked(_write(tmp_path / "loyalty.csv", [*people, *family]))
    ids = found["customer_id"][len(people) :].to_list()
    assert len(set(ids[:4])) == 4, ids
    assert ids[4] == ids[0]


def test_a_mailing_list_of_addresses_is_customers_not_rejects(tmp_path):
    """A webshop export ending with newsletter sign-ups: e-mails and mobiles without names.
    Each personal address is someone (a customer and a contact; the same address typed again
    one customer); a role address alone (info@) is nobody."""
    people = _people()
    people += list(_again(people).values())  # a few customers typed twice: what EM learns from
    signups = [
        ["", "", "", "", "", "", "anna.peeters@telenet.be", "", ""],
        ["", "", "", "", "", "", "", "0475 98 76 54", ""],
        ["", "", "", "", "", "", "ANNA.PEETERS@telenet.be ", "", ""],
        ["", "", "", "", "", "", "info@bakkerij-maes.be", "", ""],
    ]
    found = _linked(_write(tmp_path / "webshop.csv", [*people, *signups]))
    customer = found["customer_id"].to_list()[len(people) :]
    contact = found["contact_id"].to_list()[len(people) :]
    assert None not in customer[:3] and None not in contact[:3]
    assert customer[0] == customer[2] != customer[1]
    assert customer[3] is None and contact[3] is None


def test_a_stewards_no_match_reopens_a_masters_customer(webshop, tmp_path):
    """A customer of the master whose two rows a steward says are two people is linked again
    with the next file's rows: it splits, the part with more rows keeps the id, changes.csv
    names the split at the customer and contact levels."""
    from enrich.pipeline import run

    path, again, n = webshop
    first = run(Job([Input(path)], str(tmp_path / "m1"))).out
    before = pl.read_csv(first / "lineage.csv", infer_schema=False)
    old = dict(zip(before["source_row"].cast(int), before["customer_id"]))
    dup = next(r for r in range(n + 1, n + len(again) + 1) if old[r] == old[1])  # 1's other row
    decisions = tmp_path / "decisions.csv"
    sides = "level,source_file_l,source_row_l,source_file_r,source_row_r,decision"
    decisions.write_text(f"{sides}\ncustomer,{path},1,{path},{dup},no_match\n", encoding="utf-8")
    later = _write(
        tmp_path / "next.csv",
        [["Nieuwe", "KLANT", "01/02/2001", "Kerkstraat 1", "9000", "Gent", "", "", ""]],
    )
    second = run(
        Job([Input(later)], str(tmp_path / "m2"), previous=str(first), decisions=str(decisions))
    ).out
    after = pl.read_csv(second / "lineage.csv", infer_schema=False)
    new = dict(zip(after.filter(pl.col("source_file") == path)["source_row"].cast(int),
                   after.filter(pl.col("source_file") == path)["customer_id"]))  # fmt: skip
    assert new[1] != new[dup]  # two people now
    assert old[1] in (new[1], new[dup])  # one part keeps the old id
    assert {r: i for r, i in new.items() if r not in (1, dup)} == {
        r: i for r, i in old.items() if r not in (1, dup)
    }  # no other customer moves
    changes = pl.read_csv(second / "changes.csv", infer_schema=False)
    split = changes.filter(pl.col("level") == "customer").select("old_id", "change").rows()
    assert split == [(old[1], "split")]
    assert "contact" in changes["level"].to_list()


def test_a_brother_and_sister_born_the_same_day_stay_two_customers(tmp_path):
    """Twins at one address: one surname, birth date and home; their first names differ, as
    a duplicate's may. The civility tells them apart (gender, weak evidence when it agrees,
    strong when it does not); the brother typed again with a typo joins him."""

    def civil(rows: list[list[str]], titles) -> list[list[str]]:
        return [[t, *r] for t, r in zip(titles, rows)]

    people = _people()
    rows, _ = _families()
    twins = [
        ["Lucas", "Goossens", "17/05/1998", "Kerkstraat 41", "2000", "Antwerpen", "", "", ""],
        ["Lucie", "Goossens", "17/05/1998", "Kerkstraat 41", "2000", "Antwerpen", "", "", ""],
        ["Lucas", "Goosens", "17/05/1998", "Kerkstraat 41", "2000", "Antwerpen", "", "", ""],
    ]
    known = [*people, *rows]
    titles = ["M." if r[0] in ("Luc", "Pieter", "Koen", "Thomas", "Marc") else "Mme" for r in known]
    path = tmp_path / "loyalty.csv"
    lines = ["Civilité;" + HEADER]
    lines += [";".join(r) for r in civil([*known, *twins], [*titles, "M.", "Mme", "Monsieur"])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = _linked(str(path))["customer_id"][len(known) :].to_list()
    assert ids[0] != ids[1], ids
    assert ids[2] == ids[0], ids
