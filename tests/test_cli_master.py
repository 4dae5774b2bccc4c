"""`enrich master` end to end on the three overlapping fixtures (fixtures/README.md lists who
recurs where): golden values, lineage, determinism, shuffled rows, incremental runs, steward
decisions, suppression and bad inputs."""

import csv
import hashlib
import io
import json
import random
import shutil

import polars as pl
import pytest

from enrich.master import state
from enrich.master.folder import parts, read_parts

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]
ROWS_IN = 133  # 103 in crm + purchased, 30 in the two salon sheets (4 are rejected)


def master(run_cli, out, files, *extra, code=0):
    result = run_cli("master", *files, "-o", out, "-q", *extra)
    assert result.exit_code == code, result.output
    return result


def table(out, name):
    return pl.read_csv(out / f"{name}.csv", infer_schema=False)


def at(lineage, file, row):
    r = lineage.filter(
        pl.col("source_file").str.ends_with(file) & (pl.col("source_row") == str(row))
    ).row(0, named=True)
    return r["company_id"], r["contact_id"]


@pytest.fixture
def built(run_cli, fixtures, tmp_path):
    out = tmp_path / "master"
    master(run_cli, out, [fixtures / f for f in DEMO])
    return out


def test_golden_values(built):
    companies, contacts, lineage = (
        table(built, "companies"),
        table(built, "contacts"),
        table(built, "lineage"),
    )

    def company(file, row):
        return companies.filter(pl.col("company_id") == at(lineage, file, row)[0]).row(
            0, named=True
        )

    def contact(file, row):
        return contacts.filter(pl.col("contact_id") == at(lineage, file, row)[1]).row(0, named=True)

    # De Smet: the purchased list has an invalid VAT (…702); the valid one (CRM, …701) survives
    smet = company("purchased_list_fr.csv", 1)
    assert (smet["vat"], smet["id_status"]) == ("BE0403170701", "valid")
    assert (
        smet["company_id"]
        == company("crm_export.csv", 1)["company_id"]
        == company("xlsx#Dag 1", 1)["company_id"]
    )
    assert int(smet["contacts"]) == 2  # Pieter De Smet and An Claes
    # the CRM is the most trusted source: its phone beats the purchased list's other number
    assert (
        contact("crm_export.csv", 7)["phone"] == "+3235412233"
    )  # Koen Vandenberghe; purchased: +3235412299
    assert (
        contact("crm_export.csv", 24)["phone"] == "+33478123456"
    )  # Michel Girard; purchased: …499
    # opt-outs win: Koen opted out at the trade fair (the CRM says false), every channel;
    # Dubois of e-mail in the CRM ("Email Opt Out"): e-mail only
    koen, dubois = contact("crm_export.csv", 7), contact("crm_export.csv", 15)
    assert (koen["opt_out"], koen["do_not_contact"]) == ("true", "true")
    assert (dubois["opt_out"], dubois["email_opt_out"], dubois["phone_opt_out"]) == (
        "false",
        "true",
        "false",
    )
    assert (dubois["do_not_contact"], dubois["refused_by"]) == ("false", "column")
    assert contact("crm_export.csv", 1)["opt_out"] == "false"
    # Yves Chevalier: the CRM gives a role address, the purchased list his own; his own wins, both are kept
    yves = contact("crm_export.csv", 32)
    assert yves["email"] == "yves.chevalier@menuiserie-chevalier.fr"
    assert set(yves["emails"].split(";")) == {
        "yves.chevalier@menuiserie-chevalier.fr",
        "contact@menuiserie-chevalier.fr",
    }
    points = table(built, "contact_points").filter(
        (pl.col("id") == yves["contact_id"]) & (pl.col("kind") == "emails")
    )
    assert points.filter(pl.col("golden") == "true")["value"].to_list() == [yves["email"]]
    # every golden value names its row and the rule that chose it
    provenance = table(built, "provenance")
    vat = provenance.filter(
        (pl.col("id") == smet["company_id"]) & (pl.col("attribute") == "identifier")
    ).row(0, named=True)
    assert int(vat["candidates"]) >= 4 and vat["decided_by"] in (
        "valid",
        "frequent",
        "priority",
        "recent",
        "same value",
    )
    assert not (
        vat["source_file"].endswith("purchased_list_fr.csv") and vat["source_row"] == "1"
    )  # the invalid one
    assert provenance.group_by("level", "id", "attribute").len()["len"].max() == 1


def test_every_input_row_is_accounted_for(built):
    lineage = table(built, "lineage")
    assert lineage.height == ROWS_IN
    assert lineage.select("source_file", "source_row").is_duplicated().sum() == 0
    assert set(lineage["status"]) == {"merged", "kept", "rejected"}
    rejected = lineage.filter(pl.col("status") == "rejected")
    assert (
        rejected.height == table(built, "rejects").height == 4
        and rejected["reason"].null_count() == 0
    )
    linked = lineage.filter(pl.col("status") != "rejected")
    assert linked["company_id"].null_count() == 0  # every row here names a company
    # each id in the lineage has its golden row, and each golden row its lineage
    assert set(linked["company_id"]) == set(table(built, "companies")["company_id"])
    assert set(linked["contact_id"].drop_nulls()) == set(table(built, "contacts")["contact_id"])
    run = json.loads((built / "run.json").read_text())
    assert (
        run["rows_in"] == ROWS_IN and run["master"]["companies"] == table(built, "companies").height
    )
    assert (
        set(run["versions"]) >= {"enrich", "polars", "rapidfuzz"} and len(run["rules_hash"]) == 16
    )
    assert (
        "<table>" in (built / "report.html").read_text()
        and "@" not in (built / "report.html").read_text()
    )


def _shuffled_copy(src, dst, seed):
    """The fixture with its data rows in another order (same encoding and dialect)."""
    encoding, delimiter = ("cp1252", ";") if "purchased" in src.name else ("utf-8", ",")
    rows = list(
        csv.reader(io.StringIO(src.read_text(encoding=encoding), newline=""), delimiter=delimiter)
    )
    body = rows[1:]
    random.Random(seed).shuffle(body)
    with open(dst, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\r\n").writerows([rows[0], *body])


def test_same_bytes_twice_and_same_ids_in_any_row_order(run_cli, fixtures, tmp_path, monkeypatch):
    for name, seed in (("a", None), ("b", None), ("c", 5)):
        (tmp_path / name).mkdir()
        for f in DEMO:
            if seed is None or f.endswith(".xlsx"):
                shutil.copy(fixtures / f, tmp_path / name / f)
            else:
                _shuffled_copy(fixtures / f, tmp_path / name / f, seed)
        monkeypatch.chdir(tmp_path / name)  # the same source_file names in all three runs
        master(run_cli, tmp_path / name / "out", DEMO)
    a, b, c = (tmp_path / n / "out" for n in "abc")
    for f in sorted(p.name for p in a.iterdir()):
        if f != "run.json":  # it records timings
            assert (a / f).read_bytes() == (b / f).read_bytes(), f
    # shuffled rows: other source_row numbers, but the same golden rows and the same ids per record
    for f in ("companies.csv", "contacts.csv", "contact_points.csv", "model.json", "report.html"):
        assert (a / f).read_bytes() == (c / f).read_bytes(), f
    assert (a / "records.parquet").read_bytes() != (
        c / "records.parquet"
    ).read_bytes()  # the rows did move
    content = [
        col for col in pl.read_parquet(a / "records.parquet").columns if col not in ("source_row",)
    ]
    ra, rc = (
        pl.read_parquet(x / "records.parquet").select(content).sort(content, nulls_last=True)
        for x in (a, c)
    )
    assert ra.equals(rc)


def test_incremental_run_keeps_ids_and_records_steward_changes(run_cli, fixtures, tmp_path):
    first, second, third = tmp_path / "m1", tmp_path / "m2", tmp_path / "m3"
    master(run_cli, first, [fixtures / f for f in DEMO[:2]])
    before = table(first, "lineage")
    master(run_cli, second, [fixtures / DEMO[2]], "--previous", first)
    after = table(second, "lineage")
    assert after.height == ROWS_IN
    kept = before.join(after, on=["source_file", "source_row"], suffix="_2")
    assert kept.height == before.height
    assert (
        kept.filter(
            (pl.col("company_id") != pl.col("company_id_2"))
            | (pl.col("contact_id") != pl.col("contact_id_2"))
        ).height
        == 0
    )
    # the trade-fair leads join the master's records: Pieter De Smet (D1-1) is the CRM's Pieter
    assert at(after, "xlsx#Dag 1", 1) == at(before, "crm_export.csv", 1)
    # new companies get new ids, after the highest in use
    highest = json.loads((first / "run.json").read_text())["last_ids"]["company"]
    fresh = set(after["company_id"].drop_nulls()) - set(before["company_id"].drop_nulls())
    assert fresh and all(int(i.split("-")[1]) > highest for i in fresh)
    assert table(second, "changes").height == 0
    # a steward says CRM 1 and purchased 1 are not the same company: the master splits, recorded
    decisions = tmp_path / "decisions.csv"
    crm, bought = str(fixtures / DEMO[0]), str(fixtures / DEMO[1])
    decisions.write_text(
        f"level,source_file_l,source_row_l,source_file_r,source_row_r,decision\ncompany,{crm},1,{bought},1,no_match\n"
        f"contact,{crm},26,{crm},27,match\n"
    )  # and two family members at one company are one person after all
    master(
        run_cli,
        third,
        [fixtures / "bad" / "contacts.json"],
        "--previous",
        second,
        "--decisions",
        decisions,
    )
    lineage = table(third, "lineage")
    old_id = at(after, "crm_export.csv", 1)[0]
    assert at(lineage, "crm_export.csv", 1)[0] == old_id  # the bigger part keeps the id
    split_off = at(lineage, "purchased_list_fr.csv", 1)[0]
    assert split_off != old_id
    changes = table(third, "changes")
    assert changes.filter(pl.col("level") == "company").select(
        "old_id", "new_id", "change"
    ).rows() == [(old_id, split_off, "split")]
    # the two contacts are merged: one id survives (the one with more rows, then the smaller), the other is retired
    a, b = at(after, "crm_export.csv", 26)[1], at(after, "crm_export.csv", 27)[1]
    merged = at(lineage, "crm_export.csv", 26)[1]
    assert at(lineage, "crm_export.csv", 27)[1] == merged and merged in (a, b)
    retired = b if merged == a else a
    assert (retired, merged, "merged") in changes.filter(pl.col("level") == "contact").select(
        "old_id", "new_id", "change"
    ).rows()
    assert retired not in set(table(third, "contacts")["contact_id"])
    assert table(third, "decisions").height == 2
    assert json.loads((third / "run.json").read_text())["master"]["decision_outcomes"] == {
        "applied": 2,
        "not_applied": 0,
        "unknown_rows": 0,
        "not_applied_pairs": [],
    }
    # remembered: the next run, without --decisions, keeps them apart and changes nothing
    fourth = tmp_path / "m4"
    master(run_cli, fourth, [fixtures / "bad" / "contacts.ndjson"], "--previous", third)
    assert at(table(fourth, "lineage"), "purchased_list_fr.csv", 1)[0] == split_off
    assert at(table(fourth, "lineage"), "crm_export.csv", 27)[1] == merged
    # opt-outs of earlier runs stay: Dubois (CRM, e-mail) and Koen (trade fair, every channel)
    contacts = table(fourth, "contacts")
    for where, column in [
        (("crm_export.csv", 15), "email_opt_out"),
        (("xlsx#Dag 1", 2), "do_not_contact"),
    ]:
        assert contacts.filter(pl.col("contact_id") == at(table(fourth, "lineage"), *where)[1])[
            column
        ].to_list() == ["true"]
    assert table(fourth, "changes").height == 0 and table(fourth, "decisions").height == 2
    for run in (
        second,
        third,
        fourth,
    ):  # each linked to what the one before had kept of its records
        assert json.loads((run / "run.json").read_text())["master"]["master_link_state"] == "kept"
    # the state grows by a part per run; the decisions changed earlier records: that run wrote it whole again
    names = {run: [p.name for p in parts(run, "records")] for run in (first, second, third, fourth)}
    assert names == {
        first: ["records.parquet"],
        second: ["records.parquet", "records.1.parquet"],
        third: ["records.parquet"],
        fourth: ["records.parquet", "records.1.parquet"],
    }
    assert (
        read_parts(parts(fourth, "records")).height
        == table(fourth, "lineage").filter(pl.col("status") != "rejected").height
    )


def test_state_parts_are_shared_compacted_and_checked(run_cli, fixtures, tmp_path, monkeypatch):
    """Each incremental run adds one part of records and link state and links the earlier ones
    in (the same file, not a copy); past MAX_PARTS the state is written whole again; a
    missing part is an error, not a master with rows lost."""
    from enrich.master import folder

    monkeypatch.setattr(folder, "MAX_PARTS", 2)
    runs = [tmp_path / f"m{k}" for k in range(4)]
    inputs = [
        [fixtures / DEMO[0]],
        [fixtures / DEMO[1]],
        [fixtures / "bad" / "contacts.json"],
        [fixtures / "bad" / "contacts.ndjson"],
    ]
    master(run_cli, runs[0], inputs[0])
    for before, run, files in zip(runs, runs[1:], inputs[1:]):
        master(run_cli, run, files, "--previous", before)
    counts = [
        len(parts(run, stem))
        for run in runs
        for stem in ("records", "link_company", "link_contact")
    ]
    assert counts == [
        1,
        1,
        1,
        2,
        2,
        2,
        1,
        1,
        1,
        2,
        2,
        2,
    ]  # the third run would have made 3 parts: it compacted
    assert (runs[1] / "records.parquet").stat().st_ino == (
        runs[0] / "records.parquet"
    ).stat().st_ino
    for run in runs:  # every row each run linked is in its state, once
        linked = (
            table(run, "lineage")
            .filter(pl.col("status") != "rejected")
            .select("source_file", pl.col("source_row").cast(pl.Int64))
        )
        state = read_parts(parts(run, "records")).select("source_file", "source_row")
        assert state.sort(state.columns).equals(linked.sort(linked.columns))
    (runs[3] / "link_contact.1.parquet").unlink()  # link state is optional: it is computed again
    master(run_cli, tmp_path / "next", [fixtures / DEMO[2]], "--previous", runs[3])
    assert (
        json.loads((tmp_path / "next" / "run.json").read_text())["master"]["master_link_state"]
        == "computed again"
    )
    (runs[1] / "records.1.parquet").unlink()  # records are not: the run stops, nothing is written
    result = master(
        run_cli, tmp_path / "broken", [fixtures / DEMO[2]], "--previous", runs[1], code=2
    )
    assert "records.1.parquet is missing" in result.output and not (tmp_path / "broken").exists()


def test_a_file_already_in_the_master_is_refused(run_cli, fixtures, tmp_path):
    master(run_cli, tmp_path / "m1", [fixtures / DEMO[0]])
    result = master(
        run_cli, tmp_path / "m2", [fixtures / DEMO[0]], "--previous", tmp_path / "m1", code=2
    )
    assert "already in the previous master" in result.output and not (tmp_path / "m2").exists()


def test_suppression_list_marks_do_not_contact(run_cli, fixtures, tmp_path):
    listing = tmp_path / "suppress.txt"
    digest = hashlib.sha256(b"marc.dupont@dupont-fils.be").hexdigest()
    listing.write_text(f"email\nKOEN@vdb-logistics.be\n{digest}\n")
    out = tmp_path / "m"
    master(run_cli, out, [fixtures / f for f in DEMO], "--suppress", listing)
    contacts = table(out, "contacts")
    hit = contacts.filter(pl.col("suppressed") == "true")
    assert sorted(hit["last_name"].to_list()) == ["Dupont", "Vandenberghe"]
    assert set(hit["do_not_contact"]) == {"true"}
    assert contacts.filter(pl.col("last_name") == "Claes")["do_not_contact"].to_list() == ["false"]
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n")
    assert (
        "no e-mail address"
        in master(run_cli, tmp_path / "x", [fixtures / DEMO[0]], "--suppress", empty, code=2).output
    )


def test_b2c_file_gives_contacts_only(run_cli, tmp_path):
    shop = tmp_path / "webshop.csv"
    shop.write_text(
        "Prénom;Nom;E-mail;GSM;Désinscrit\n"
        "Julie;Martin;julie.martin@gmail.com;0470 11 22 33;non\n"
        "julie;MARTIN;Julie.Martin@gmail.com;+32470112233;oui\n"
        "Paul;Leclercq;paul.l@skynet.be;;non\n",
        encoding="utf-8",
    )
    out = tmp_path / "m"
    master(run_cli, out, [shop], "--default-country", "BE")
    assert table(out, "companies").height == 0
    contacts = table(out, "contacts")
    assert contacts.height == 2 and contacts["company_id"].null_count() == 2
    julie = contacts.filter(pl.col("last_name").str.to_lowercase() == "martin").row(0, named=True)
    assert julie["opt_out"] == "true" and julie["rows"] == "2"


def test_rows_without_a_company_or_person_are_rejected_in_every_run(run_cli, tmp_path):
    """A row with an e-mail and a phone but neither a company nor a person name links to
    nothing: lineage names it rejected, in the first run and in an incremental one."""
    header = "Société;Prénom;Nom;E-mail;Téléphone\n"
    first, second = tmp_path / "crm.csv", tmp_path / "new.csv"
    first.write_text(
        header + "Acme SA;Jean;Dupont;jean@acme.be;02 512 34 56\n;;;info@nowhere.be;02 511 11 11\n"
        "Acme SA;Marie;Leroy;marie@acme.be;\n",
        encoding="utf-8",
    )
    second.write_text(
        header + ";;;contact@else.be;\nAcme SA;Jean;Dupont;jean@acme.be;\n", encoding="utf-8"
    )
    master(run_cli, tmp_path / "m1", [first], "--default-country", "BE")
    master(
        run_cli, tmp_path / "m2", [second], "--previous", tmp_path / "m1", "--default-country", "BE"
    )
    lineage = table(tmp_path / "m2", "lineage")
    assert lineage.height == 5
    nobody = lineage.filter(pl.col("status") == "rejected")
    assert sorted(nobody.select("source_file", "source_row").rows()) == [
        (str(first), "2"),
        (str(second), "1"),
    ]
    assert set(nobody["reason"]) == {"no company or person (name, personal e-mail or mobile)"}
    assert lineage.filter(pl.col("status") != "rejected")["company_id"].null_count() == 0


def test_parquet_and_excel_outputs(run_cli, fixtures, tmp_path):
    master(run_cli, tmp_path / "p", [fixtures / DEMO[0]], "--format", "parquet")
    assert pl.read_parquet(tmp_path / "p" / "companies.parquet").height > 0
    master(run_cli, tmp_path / "x", [fixtures / DEMO[0]], "--excel")
    assert (tmp_path / "x" / "contacts.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_inputs_write_nothing(run_cli, fixtures, tmp_path):
    out = tmp_path / "m"
    # an unreadable file among several
    result = master(run_cli, out, [fixtures / DEMO[0], fixtures / "bad" / "binary.csv"], code=2)
    assert "binary.csv" in result.output and "Traceback" not in result.output and not out.exists()
    # --previous that is not a master
    (tmp_path / "notmaster").mkdir()
    (tmp_path / "notmaster" / "run.json").write_text("{}")
    result = master(
        run_cli, out, [fixtures / DEMO[0]], "--previous", tmp_path / "notmaster", code=2
    )
    assert "not an enrich master folder" in result.output and not out.exists()
    # an unknown rule in survivorship.toml: named with its line
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (
        (fixtures.parent / "rules" / "survivorship.toml")
        .read_text()
        .replace('"frequent", "priority", "recent"]', '"frequent", "newest"]', 1)
    )
    (rules / "survivorship.toml").write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"newest"' in t)
    result = master(run_cli, out, [fixtures / DEMO[0]], "--rules", rules, code=2)
    assert (
        f"survivorship.toml:{line}: " in result.output
        and "unknown rule 'newest'" in result.output
        and not out.exists()
    )
    # an existing folder that is not a master is never replaced
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"\xff\xd8")
    result = master(run_cli, other, [fixtures / DEMO[0]], code=2)
    assert "not an enrich master" in result.output and (other / "holiday.jpg").exists()
    # a master folder is replaced whole by the next run into it, asked with --force only
    master(run_cli, out, [fixtures / DEMO[0]])
    result = master(run_cli, out, [fixtures / DEMO[1]], code=2)
    assert "--force" in result.output and f"--previous {out} -o {out}.next" in result.output
    assert set(table(out, "lineage")["source_file"]) == {str(fixtures / DEMO[0])}
    master(run_cli, out, [fixtures / DEMO[1]], "--force")
    assert set(table(out, "lineage")["source_file"]) == {str(fixtures / DEMO[1])}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_incremental_golden_rows_equal_surviving_everything_again(run_cli, fixtures, tmp_path, fmt):
    """An incremental run survives only the entities a new row touches and carries the others
    over from the previous master; changing a rules file makes it survive everything again.
    Both must give the same bytes."""
    first = tmp_path / "m1"
    master(run_cli, first, [fixtures / f for f in DEMO[:2]], "--format", fmt)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "survivorship.toml").write_text(
        (fixtures.parent / "rules" / "survivorship.toml").read_text() + "\n# edited\n"
    )
    master(
        run_cli, tmp_path / "carried", [fixtures / DEMO[2]], "--previous", first, "--format", fmt
    )
    master(
        run_cli,
        tmp_path / "again",
        [fixtures / DEMO[2]],
        "--previous",
        first,
        "--format",
        fmt,
        "--rules",
        rules,
    )
    for name in ("companies", "contacts", "contact_points", "provenance"):
        carried, again = (tmp_path / d / f"{name}.{fmt}" for d in ("carried", "again"))
        if fmt == "csv":
            assert carried.read_bytes() == again.read_bytes(), name
        else:
            assert pl.read_parquet(carried).equals(pl.read_parquet(again)), name
    contacts = (
        pl.read_csv(tmp_path / "carried" / "contacts.csv", infer_schema=False)
        if fmt == "csv"
        else pl.read_parquet(tmp_path / "carried" / "contacts.parquet")
    )
    assert contacts["contact_id"].is_duplicated().sum() == 0
    carried, again = (
        json.loads((tmp_path / d / "run.json").read_text())["master"] for d in ("carried", "again")
    )
    assert (
        carried["survived_again"]["contacts"]
        < again["survived_again"]["contacts"]
        == contacts.height
    )
    # what linking read of the master's records: kept from the first run, or read again (other rules) — the same links
    assert (carried["master_link_state"], again["master_link_state"]) == ("kept", "computed again")
    assert (tmp_path / "carried" / "lineage.csv").read_bytes() == (
        tmp_path / "again" / "lineage.csv"
    ).read_bytes()
    assert (tmp_path / "carried" / "review.csv").read_bytes() == (
        tmp_path / "again" / "review.csv"
    ).read_bytes()
    for stem in (
        "records",
        "link_company",
        "link_contact",
    ):  # and the state each leaves for the next run is the same
        kept, computed = (read_parts(parts(tmp_path / d, stem)) for d in ("carried", "again"))
        assert kept.equals(computed), stem
    # the first run's state is linked in as it was, not written again: one new part with the new rows
    assert [p.name for p in parts(tmp_path / "carried", "link_company")] == [
        "link_company.parquet",
        "link_company.1.parquet",
    ]
    assert [p.name for p in parts(tmp_path / "again", "link_company")] == [
        "link_company.parquet"
    ]  # computed again: whole
    assert (tmp_path / "carried" / "records.parquet").read_bytes() == (
        first / "records.parquet"
    ).read_bytes()


def test_a_csv_master_is_carried_from_its_parquet_copy_unless_the_csv_changed(
    run_cli, fixtures, tmp_path
):
    """A CSV master keeps a Parquet copy of its golden tables, which the next run reads
    instead of parsing the CSV — but only while the CSV is the one written with it: a CSV
    edited or replaced since is read itself."""
    first = tmp_path / "m1"
    master(run_cli, first, [fixtures / f for f in DEMO[:2]])
    names = ("companies", "contacts", "contact_points", "provenance")
    assert sorted(json.loads((first / "run.json").read_text())["golden_copies"]) == sorted(names)
    for name in names:
        assert pl.read_parquet(first / f"golden_{name}.parquet").height == table(first, name).height
    copy = (
        first / "golden_contacts.parquet"
    )  # marked, the CSV left as it is: the copy is what is read …
    pl.read_parquet(copy).with_columns(pl.lit("FROM COPY").alias("function")).write_parquet(copy)
    master(run_cli, tmp_path / "m1b", [fixtures / DEMO[2]], "--previous", first)
    assert not (
        table(tmp_path / "m1b", "contacts")["function"] == "FROM COPY"
    ).any()  # … but only the copy the manifest lists: a copy changed since is not read
    run = json.loads((first / "run.json").read_text())
    run["manifest"][copy.name] = state.file_digest(copy)  # as if the run had written it
    (first / "run.json").write_text(json.dumps(run))
    master(run_cli, tmp_path / "m2", [fixtures / DEMO[2]], "--previous", first)
    functions = table(tmp_path / "m2", "contacts")["function"]
    survived = json.loads((tmp_path / "m2" / "run.json").read_text())["master"]["survived_again"][
        "contacts"
    ]
    assert (
        (functions == "FROM COPY").sum() == functions.len() - survived > 0
    )  # every contact no new row touched
    contacts = table(first, "contacts").with_columns(
        pl.lit("FROM CSV").alias("function")
    )  # a steward's edit
    contacts.write_csv(first / "contacts.csv")
    master(run_cli, tmp_path / "m3", [fixtures / DEMO[2]], "--previous", first)
    functions = table(tmp_path / "m3", "contacts")["function"]
    assert (functions == "FROM CSV").sum() == functions.len() - survived and not (
        functions == "FROM COPY"
    ).any()


def test_the_program_leaves_with_its_exit_code_and_all_its_output(tmp_path, fixtures, clean_env):
    """`enrich` leaves at once when a command is done (os._exit): the exit codes stay as
    documented and nothing it printed is lost; the allocator keeps freed memory for the next
    stage unless the user set it otherwise."""
    import subprocess
    import sys

    def enrich(*args, env=None):
        code = "import sys, os; from enrich.cli import run; print(os.environ['_RJEM_MALLOC_CONF'], file=sys.stderr); run()"
        return subprocess.run(
            [sys.executable, "-c", code, *map(str, args)],
            capture_output=True,
            text=True,
            env=env or clean_env(),
            timeout=120,
        )

    done = enrich(
        "check", fixtures / DEMO[0], "--report-format", "json", "--skip", "duplicate_rate"
    )
    assert (
        done.returncode in (0, 1) and json.loads(done.stdout)["summary"]["files"] == 1
    )  # the whole report, flushed
    assert "dirty_decay_ms:10000" in done.stderr
    bad = enrich(
        "master",
        tmp_path / "missing.csv",
        "-o",
        tmp_path / "m",
        env=clean_env(_RJEM_MALLOC_CONF="dirty_decay_ms:1"),
    )
    assert bad.returncode == 2 and "missing.csv" in bad.stderr and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[0].endswith("dirty_decay_ms:1") and "10000" not in bad.stderr


def test_a_decision_the_rules_forbid_is_reported_not_applied(run_cli, fixtures, tmp_path):
    crm = str(fixtures / DEMO[0])
    decisions = (
        tmp_path / "decisions.csv"
    )  # De Smet (BE0403170701) and Dupont (BE0417497106): two valid VAT numbers
    decisions.write_text(
        f"level,source_file_l,source_row_l,source_file_r,source_row_r,decision\ncompany,{crm},1,{crm},3,match\n"
        f"company,{crm},1,{crm},999,no_match\n"
    )
    result = run_cli("master", fixtures / DEMO[0], "-o", tmp_path / "m", "--decisions", decisions)
    assert result.exit_code == 0, result.output
    assert (
        "1 not applied" in result.output
        and "1 name a row the master does not hold" in result.output
    )
    lineage = table(tmp_path / "m", "lineage")
    assert at(lineage, "crm_export.csv", 1)[0] != at(lineage, "crm_export.csv", 3)[0]


def test_a_file_with_a_header_only_gives_an_empty_master(run_cli, fixtures, tmp_path):
    master(run_cli, tmp_path / "m", [fixtures / "bad" / "header_only.csv"])
    assert (
        table(tmp_path / "m", "lineage").height == 0
        and table(tmp_path / "m", "companies").height == 0
    )
