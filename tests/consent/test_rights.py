"""The rights of the person (GDPR Art. 15 and 17) on a master built from the fixtures, read
as the law reads: an access request finds every row of the person however their address is
typed; an erasure leaves no value of theirs in any byte of any file of the next master,
keeps their rows in lineage as `erased`, records a keyed tombstone, and the next master
is a valid --previous.

Claire Fontaine (SGE) is in the CRM (row 23) and the purchased list (row 7, with her e-mail
typed with a space, her name in capitals); Jean-Pierre Rousseau shares her company."""

from __future__ import annotations

import hashlib
import hmac
import json

import polars as pl
import pytest

from enrich.consent import keys

KEY = "a-test-key-for-the-rights-of-the-person"
CLAIRE = {
    "emails": ["claire.fontaine@sge-electricite.fr"],
    "phones": ["+33153321015"],
    "rows": {("fixtures/crm_export.csv", 23), ("fixtures/purchased_list_fr.csv", 7)},
}
# what of hers may be in no byte of the next master (case-insensitive); her company's domain,
# street and other phone are her colleague's too, and stay
HERS = [b"fontaine", b"claire", b"+33153321015", b"53 32 10 15", b"53.32.10.15"]


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv(keys.ENV, KEY)


@pytest.fixture
def master(run_cli, fixtures, tmp_path, monkeypatch, keyed):
    """A master of the CRM and the purchased list (run from the repository: the source files
    are named fixtures/…)."""
    monkeypatch.chdir(fixtures.parent)
    out = tmp_path / "master"
    done = run_cli(
        "master", "fixtures/crm_export.csv", "fixtures/purchased_list_fr.csv", "-o", out, "-q"
    )
    assert done.exit_code == 0, done.output
    return out


def subject(run_cli, folder, *args):
    done = run_cli("subject", folder, *args)
    assert done.exit_code == 0 and done.stderr == "", done.stderr
    return json.loads(done.stdout)


def rows_of(found: dict) -> set[tuple[str, int]]:
    return {(r["source_file"], r["source_row"]) for r in found["source_rows"]}


def test_access_finds_every_source_row_by_an_address_typed_differently(run_cli, master):
    asks = [
        ["--email", "Claire Fontaine <CLAIRE.Fontaine@SGE-electricite.fr>"],
        ["--email", "mailto:claire.fontaine@sge-electricite.fr"],
        ["--phone", "01.53.32.10.15", "--default-country", "FR"],
        ["--phone", "+33 (0)1 53 32 10 15"],
    ]
    for ask in asks:
        found = subject(run_cli, master, *ask)
        assert found["found"] and len(found["contacts"]) == 1, ask
        contact = found["contacts"][0]
        assert (contact["contact"]["first_name"], contact["contact"]["last_name"]) == (
            "Claire",
            "Fontaine",
        )
        assert rows_of(found) == CLAIRE["rows"], ask
        assert {r["lineage"] for r in found["source_rows"]} == {"merged"}
        # the purchased row as cleaned: her name in capitals, the e-mail typed with a space
        purchased = [r for r in found["source_rows"] if "purchased" in r["source_file"]][0]
        assert purchased["values"]["last_name"].lower() == "fontaine"
        assert {p["value"] for p in contact["contact_points"] if p["kind"] == "emails"} == {
            "claire.fontaine@sge-electricite.fr",
            "claire.fontaine @sge-electricite.fr",
        }
        assert contact["provenance"] and contact["consent"]["do_not_contact"] is False


def test_access_by_a_value_that_is_not_the_golden_one(run_cli, master):
    # Yves Chevalier: the CRM gives a role address, the purchased list his own (golden)
    found = subject(run_cli, master, "--email", "CONTACT@menuiserie-chevalier.fr")
    (contact,) = found["contacts"]
    assert contact["contact"]["last_name"] == "Chevalier"
    assert contact["contact"]["email"] != "contact@menuiserie-chevalier.fr"
    assert len(found["source_rows"]) == 2


def test_nobody_found_is_an_empty_answer_and_nothing_personal_is_said(run_cli, master):
    found = subject(run_cli, master, "--email", "nobody@example.be")
    assert found["found"] is False and found["contacts"] == found["source_rows"] == []
    bad = run_cli("subject", master, "--phone", "01 53 32 10 15")  # national, no country
    assert bad.exit_code == 2 and "--default-country" in bad.stderr
    assert "53" not in bad.stderr and bad.stdout == ""


def files_holding(folder, needles: list[bytes]) -> list[str]:
    """The files of *folder* holding one of *needles* (case-insensitive): in their bytes, and,
    for a Parquet file (compressed), in the text of any of its cells."""
    hits = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes().lower()
        if any(n.lower() in data for n in needles):
            hits.append(path.name)
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            text = frame.select(pl.all().cast(pl.String)).write_csv().lower().encode()
            if any(n.lower() in text for n in needles):
                hits.append(path.name)
    return hits


def test_erase_leaves_no_value_of_the_person_in_any_file_and_keeps_their_rows_as_erased(
    run_cli, master
):
    assert "contacts.csv" in files_holding(master, HERS)  # the check finds what is there
    assert {"records.parquet", "link_contact.parquet"} <= set(files_holding(master, HERS))
    assert pairs_naming(master) == CLAIRE["rows"]  # her two rows, matched
    done = run_cli(
        "erase", master, "--email", "Claire Fontaine <claire.fontaine@SGE-electricite.fr>"
    )
    assert done.exit_code == 0, done.output
    assert done.stderr.strip() == (
        "erased 1 contact, 2 source rows; 1 company survived again, 0 removed; "
        "2 keyed tombstones in register.parquet"
    )
    assert files_holding(master, HERS) == []
    lineage = pl.read_csv(master / "lineage.csv", infer_schema=False)
    assert lineage.height == 103  # no row lost
    erased = lineage.filter(pl.col("status") == "erased")
    assert set(zip(erased["source_file"], erased["source_row"].cast(int))) == CLAIRE["rows"]
    assert erased.select("company_id", "contact_id", "reason").null_count().row(0) == (2, 2, 2)
    # her company stays, survived again from her colleague's rows only
    sge = pl.read_csv(master / "companies.csv", infer_schema=False).filter(
        pl.col("vat") == "FR27552120222"
    )
    assert sge.height == 1 and sge["contacts"][0] == "1" and sge["rows"][0] == "2"
    run = json.loads((master / "run.json").read_text())
    assert run["master"]["erased"]["source_rows"] == 2 and run["master"]["contacts"] == 71
    assert sorted(run["manifest"]) == sorted(
        p.name for p in master.iterdir() if p.name != "run.json"
    )
    # the pairs kept for `enrich explain` name none of her rows any more (they did: below)
    assert pairs_naming(master) == set()


def pairs_naming(folder, rows=CLAIRE["rows"]) -> set:
    """The rows of *rows* that a pair of the master's pairs.parquet names."""
    pairs = pl.read_parquet(folder / "pairs.parquet")
    named = set(zip(pairs["source_file_l"], pairs["source_row_l"])) | set(
        zip(pairs["source_file_r"], pairs["source_row_r"])
    )
    return named & rows


def test_the_tombstone_is_keyed_and_a_later_request_sees_it(run_cli, master):
    assert run_cli("erase", master, "--phone", "+33 1 53 32 10 15", "-q").exit_code == 0
    whole = pl.read_parquet(master / "register.parquet")
    register = whole.filter(pl.col("source") == "erased")
    assert whole.height > register.height  # the opt-outs the master already held stay
    key = KEY.encode()
    assert sorted(register["key"]) == sorted(
        hmac.new(key, v.encode(), hashlib.sha256).hexdigest()
        for v in CLAIRE["emails"] + CLAIRE["phones"]
    )  # found by her phone, her e-mail is tombstoned too
    assert set(register["channels"]) == {"email;phone;post"}
    assert json.loads((master / "run.json").read_text())["register_key"] == keys.fingerprint(key)
    found = subject(run_cli, master, "--email", "CLAIRE.FONTAINE@sge-electricite.fr")
    assert found["found"] is False
    assert {(r["kind"], r["source"]) for r in found["register"]} == {("email", "erased")}


def test_the_erased_master_is_a_valid_previous(run_cli, master, tmp_path):
    erased = tmp_path / "erased"
    done = run_cli("erase", master, "-o", erased, "--email", "claire.fontaine@sge-electricite.fr")
    assert done.exit_code == 0, done.output
    assert (master / "contacts.csv").read_bytes().lower().count(b"fontaine")  # MASTER untouched
    nxt = tmp_path / "next"
    done = run_cli("master", "fixtures/salon_leads_nl.xlsx", "--previous", erased, "-o", nxt, "-q")
    assert done.exit_code == 0, done.output
    before = pl.read_csv(erased / "lineage.csv", infer_schema=False)
    after = pl.read_csv(nxt / "lineage.csv", infer_schema=False)
    assert after.height == before.height + 30
    rows = ["source_file", "source_row"]
    assert after.join(before, on=rows, how="anti").height == 30  # none lost, none twice
    gone = after.filter(pl.col("status") == "erased")
    assert set(zip(gone["source_file"], gone["source_row"].cast(int))) == CLAIRE["rows"]
    run = json.loads((nxt / "run.json").read_text())
    assert run["master"]["master_link_state"] == "kept"  # the erased link state is used
    assert files_holding(nxt, HERS) == []
    again = run_cli(
        "master", "fixtures/salon_leads_nl.xlsx", "--previous", nxt, "-o", tmp_path / "n2"
    )
    assert again.exit_code == 2  # every input is already in the master: no re-import by name


def test_erase_refuses_a_master_built_with_other_rules(run_cli, master, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "survivorship.toml").write_text('[sources]\npriority = ["*purchased*", "*"]\n')
    done = run_cli(
        "erase", master, "--email", "claire.fontaine@sge-electricite.fr", "--rules", rules
    )
    assert done.exit_code == 2 and "other rules" in done.stderr
    assert files_holding(master, HERS)  # nothing was written


def test_an_erasure_names_the_contacts_holding_their_other_addresses(run_cli, master, tmp_path):
    # a steward split her two rows: the purchased row (her e-mail typed with a space) is a
    # contact of its own, holding her phone only
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "level,source_file_l,source_row_l,source_file_r,source_row_r,decision\n"
        "contact,fixtures/crm_export.csv,23,fixtures/purchased_list_fr.csv,7,no_match\n"
    )
    split = tmp_path / "split"
    files = ["fixtures/crm_export.csv", "fixtures/purchased_list_fr.csv"]
    assert run_cli("master", *files, "-o", split, "--decisions", decisions, "-q").exit_code == 0
    found = subject(run_cli, split, "--email", "claire.fontaine@sge-electricite.fr")
    assert len(found["contacts"]) == 1
    assert len(found["other_contacts"]["holding_their_addresses"]) == 1
    one = run_cli("erase", split, "-o", tmp_path / "one", "--email", CLAIRE["emails"][0])
    assert "1 other contact (holding one of their addresses" in one.stderr
    assert files_holding(tmp_path / "one", HERS)  # the other contact is still there: said
    both = run_cli(
        "erase",
        split,
        "-o",
        tmp_path / "both",
        "--email",
        CLAIRE["emails"][0],
        "--phone",
        CLAIRE["phones"][0],
    )
    assert both.exit_code == 0 and "erased 2 contacts, 2 source rows" in both.stderr
    assert files_holding(tmp_path / "both", HERS) == []
    assert pl.read_csv(tmp_path / "both" / "decisions.csv").height == 0  # hers went with her


def test_her_company_is_survived_again_as_if_her_rows_had_never_been_read(
    run_cli, master, fixtures, tmp_path, monkeypatch
):
    """The company after the erasure is the company a master of the same files without her
    rows gives (her direct line no longer its phone, nor among its phones)."""
    assert run_cli("erase", master, "--email", CLAIRE["emails"][0], "-q").exit_code == 0
    without = tmp_path / "without"
    (without / "fixtures").mkdir(parents=True)
    for name, encoding, newline in (
        ("crm_export.csv", "utf-8", "\n"),
        ("purchased_list_fr.csv", "cp1252", "\r\n"),
    ):
        lines = (fixtures / name).read_bytes().decode(encoding).split(newline)
        kept = [line for line in lines if "fontaine" not in line.lower()]
        assert len(kept) == len(lines) - 1  # her line (a record on one line in both files)
        (without / "fixtures" / name).write_bytes(newline.join(kept).encode(encoding))
    monkeypatch.chdir(without)
    files = ["fixtures/crm_export.csv", "fixtures/purchased_list_fr.csv"]
    assert run_cli("master", *files, "-o", without / "m", "-q").exit_code == 0

    def sge(folder):
        companies = pl.read_csv(folder / "companies.csv", infer_schema=False)
        return companies.filter(pl.col("vat") == "FR27552120222").drop("company_id")

    assert sge(master).equals(sge(without / "m"))
    assert "+33153321015" not in sge(master)["phones"][0]


def test_erasing_nobody_changes_no_table_and_records_the_tombstone(run_cli, master, tmp_path):
    out = tmp_path / "same"
    done = run_cli("erase", master, "-o", out, "--email", "nobody@example.be")
    assert done.exit_code == 0 and done.stderr.startswith("erased 0 contacts, 0 source rows")
    names = ["companies.csv", "contacts.csv", "contact_points.csv", "provenance.csv", "lineage.csv"]
    for name in [*names, "review.csv", "rejects.csv", "decisions.csv", "model.json"]:
        assert (out / name).read_bytes() == (master / name).read_bytes(), name
    before = pl.read_parquet(master / "register.parquet")
    after = pl.read_parquet(out / "register.parquet")
    assert (
        after.height == before.height + 1
        and after.join(before, on=list(before.columns)).height == before.height
    )


def test_a_re_import_of_an_erased_person_is_suppressed_on_every_channel(run_cli, master, tmp_path):
    """The tombstone is part of the register, which every later run applies: a new list
    carrying her again (her address typed otherwise, her number in national form) brings her
    back as a contact nobody may contact, refused by the erasure, without the list."""
    assert run_cli("erase", master, "--email", "claire.fontaine@sge-electricite.fr").exit_code == 0
    bought = tmp_path / "salon_paris.csv"
    bought.write_text(
        "Société;Prénom;Nom;E-mail;Téléphone;Pays\n"
        "SGE;Claire;Fontaine;Claire Fontaine <CLAIRE.FONTAINE@SGE-electricite.fr>;;FR\n"
        "SGE;C.;Fontaine;;01 53 32 10 15;FR\n"
        "Imprimerie Noël;Marie;Lambert;m.lambert@imprimerie-noel.be;;BE\n",
        encoding="utf-8",
    )
    nxt = tmp_path / "next"
    done = run_cli("master", bought, "--previous", master, "-o", nxt, "-q")
    assert done.exit_code == 0, done.output
    contacts = pl.read_csv(nxt / "contacts.csv", infer_schema=False)
    lineage = pl.read_csv(nxt / "lineage.csv", infer_schema=False)
    new = lineage.filter(pl.col("source_file").str.ends_with("salon_paris.csv"))
    hers = contacts.filter(
        pl.col("contact_id").is_in(new.filter(pl.col("source_row") != "3")["contact_id"].implode())
    )
    assert hers.height >= 1
    for column in (
        "email_opt_out",
        "phone_opt_out",
        "post_opt_out",
        "do_not_contact",
        "suppressed",
    ):
        assert set(hers[column]) == {"true"}, column
    assert all("erased" in r for r in hers["refused_by"])
    marie = contacts.filter(
        pl.col("contact_id") == new.filter(pl.col("source_row") == "3")["contact_id"][0]
    )
    assert marie["do_not_contact"].to_list() == ["false"]  # nobody else
