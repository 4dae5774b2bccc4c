"""`enrich dedupe` on the three overlapping fixtures (their README lists who recurs where)."""

import json
import shutil

import polars as pl

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]


def run(run_cli, fixtures, out, *extra):
    result = run_cli("dedupe", *[fixtures / f for f in DEMO], "-o", out, *extra)
    assert result.exit_code == 0, result.output
    return pl.read_csv(out / "records.csv", infer_schema=False)


def ids(records, file, row):
    r = records.filter(
        pl.col("source_file").str.ends_with(file) & (pl.col("source_row") == str(row))
    ).row(0, named=True)
    return r["company_id"], r["contact_id"]


def test_duplicates_found_and_look_alikes_kept_apart(run_cli, fixtures, tmp_path):
    records = run(run_cli, fixtures, tmp_path)
    assert records.height == 129  # every usable row; the 4 others are in rejects.csv
    assert pl.read_csv(tmp_path / "rejects.csv").height == 4
    # Pieter De Smet @ Brouwerij De Smet: CRM 1, purchased 1 (invalid VAT there), salon D1-1 and D2-7
    pieter = {
        ids(records, *where)
        for where in [
            ("crm_export.csv", 1),
            ("purchased_list_fr.csv", 1),
            ("xlsx#Dag 1", 1),
            ("xlsx#Dag 2", 7),
        ]
    }
    assert len(pieter) == 1 and None not in next(iter(pieter))
    # An Claes works at the same company, but is another person
    an = ids(records, "crm_export.csv", 2)
    assert an[0] == next(iter(pieter))[0] and an[1] != next(iter(pieter))[1]
    # look-alikes that must not be merged
    assert (
        ids(records, "xlsx#Dag 2", 6)[0] != ids(records, "crm_export.csv", 1)[0]
    )  # Desmet crèche ≠ De Smet brewery
    assert (
        ids(records, "xlsx#Dag 2", 10)[0] != ids(records, "crm_export.csv", 18)[0]
    )  # Elektro ≠ Bloemen Wouters
    # family members at one company stay two contacts
    assert ids(records, "crm_export.csv", 26)[1] != ids(records, "crm_export.csv", 27)[1]
    assert ids(records, "crm_export.csv", 28)[1] != ids(records, "crm_export.csv", 29)[1]
    review = pl.read_csv(tmp_path / "review.csv", infer_schema=False)
    assert review.height >= 2  # the demo's doubtful shops (crm_export.csv 41, 42)
    assert review.columns[:8] == [
        "decision",
        "level",
        "source_file_l",
        "source_row_l",
        "source_file_r",
        "source_row_r",
        "a_company",
        "b_company",
    ]
    model = (tmp_path / "model.json").read_text()
    assert '"company"' in model and '"contact"' in model and "match_weight" in model


def test_steward_decisions_round_trip(run_cli, fixtures, tmp_path):
    first = run(run_cli, fixtures, tmp_path / "first")
    crm = str(fixtures / "crm_export.csv")
    # a steward knows better: rows 26 and 27 are one person, and CRM 1 / purchased 1 are not
    decided = pl.DataFrame(
        {
            "level": ["contact", "contact"],
            "source_file_l": [crm, crm],
            "source_row_l": [26, 1],
            "source_file_r": [crm, str(fixtures / "purchased_list_fr.csv")],
            "source_row_r": [27, 1],
            "decision": ["match", "no_match"],
        }
    )
    decided.write_csv(tmp_path / "decisions.csv")
    records = run(run_cli, fixtures, tmp_path / "second", "--decisions", tmp_path / "decisions.csv")
    assert ids(first, "crm_export.csv", 26)[1] != ids(first, "crm_export.csv", 27)[1]
    assert ids(records, "crm_export.csv", 26)[1] == ids(records, "crm_export.csv", 27)[1]
    assert ids(records, "crm_export.csv", 1)[1] != ids(records, "purchased_list_fr.csv", 1)[1]
    pairs = pl.read_parquet(tmp_path / "second" / "pairs.parquet")
    assert pairs.filter(pl.col("rule") == "steward").height >= 1
    # a word the rules do not know: each row said unreadable with its number, the value never
    decided.with_columns(pl.lit("maybe").alias("decision")).write_csv(tmp_path / "bad.csv")
    result = run_cli(
        "dedupe",
        *[fixtures / f for f in DEMO],
        "-o",
        tmp_path / "x",
        "--decisions",
        tmp_path / "bad.csv",
    )
    assert result.exit_code == 0 and "maybe" not in result.stderr
    assert "2 rows: 0 decisions, 0 blank, 2 unreadable (rows 1, 2: the decision is not a word" in (
        result.stderr
    )
    summary = json.loads((tmp_path / "x" / "run.json").read_text())["decisions_file"]
    assert summary["unreadable"] == {
        "the decision is not a word of rules/decisions.toml [words]": [1, 2]
    }


def test_model_reuse_gives_the_same_clusters(run_cli, fixtures, tmp_path):
    first = run(run_cli, fixtures, tmp_path / "a")
    again = run(run_cli, fixtures, tmp_path / "b", "--model", tmp_path / "a" / "model.json")
    assert first.select("company_id", "contact_id").equals(again.select("company_id", "contact_id"))


def test_explain_adds_up(run_cli, fixtures, tmp_path):
    run(run_cli, fixtures, tmp_path)
    result = run_cli(
        "explain", tmp_path, "crm_export.csv:1", "purchased_list_fr.csv:1", "--level", "company"
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    weights = [float(line.split()[-1]) for line in lines[1:-1]]
    total = float(lines[-1].split()[2])
    assert abs(sum(weights) - total) < 0.05 and "company_name_norm = exact" in result.output
    assert run_cli("explain", tmp_path, "1", "2").exit_code == 2  # several files: FILE:ROW needed


def test_link_new_files_to_a_master(run_cli, fixtures, tmp_path):
    master_dir, linked_dir = tmp_path / "master", tmp_path / "linked"
    assert run_cli("dedupe", fixtures / "crm_export.csv", "-o", master_dir).exit_code == 0
    master = pl.read_csv(master_dir / "records.csv", infer_schema=False)
    result = run_cli(
        "dedupe",
        fixtures / "purchased_list_fr.csv",
        fixtures / "salon_leads_nl.xlsx",
        "-o",
        linked_dir,
        "--previous",
        master_dir,
    )
    assert result.exit_code == 0, result.output
    assert (
        "reusing the master's model" in result.output
        and "rows joined existing companies" in result.output
    )
    linked = pl.read_csv(linked_dir / "records.csv", infer_schema=False)
    # the master comes first, unchanged: its ids are kept and its clusters not re-made
    assert (
        linked.head(master.height)
        .select("source_file", "source_row", "company_id", "contact_id")
        .equals(master.select("source_file", "source_row", "company_id", "contact_id"))
    )
    # Pieter De Smet in the purchased list and at the fair joins his CRM company and contact
    pieter = ids(linked, "crm_export.csv", 1)
    assert (
        ids(linked, "purchased_list_fr.csv", 1) == pieter and ids(linked, "xlsx#Dag 2", 7) == pieter
    )
    # the look-alike crèche gets a new id, not the brewery's, nor one the master uses
    creche = ids(linked, "xlsx#Dag 2", 6)[0]
    assert creche != pieter[0] and creche not in set(master["company_id"].drop_nulls())
    # no pair of two master rows was compared
    pairs = pl.read_parquet(linked_dir / "pairs.parquet")
    both_master = pairs.filter(
        pl.col("source_file_l").str.ends_with("crm_export.csv")
        & pl.col("source_file_r").str.ends_with("crm_export.csv")
    )
    assert pairs.height > 0 and both_master.height == 0
    # the output is itself a master for the next run; parquet masters work too
    assert (
        run_cli(
            "dedupe",
            fixtures / "purchased_list_fr.csv",
            "-o",
            tmp_path / "again",
            "--previous",
            linked_dir,
            "--format",
            "parquet",
        ).exit_code
        == 0
    )
    again = pl.read_parquet(tmp_path / "again" / "records.parquet")
    assert (
        again.height
        == linked.height + (linked["source_file"].str.ends_with("purchased_list_fr.csv")).sum()
    )
    assert (
        run_cli(
            "dedupe",
            fixtures / "purchased_list_fr.csv",
            "-o",
            tmp_path / "third",
            "--previous",
            tmp_path / "again",
        ).exit_code
        == 0
    )


def test_link_to_refuses_a_folder_that_is_not_a_master_or_its_own_output(
    run_cli, fixtures, tmp_path
):
    (tmp_path / "empty").mkdir()
    result = run_cli(
        "dedupe",
        fixtures / "purchased_list_fr.csv",
        "-o",
        tmp_path / "out",
        "--previous",
        tmp_path / "empty",
    )
    assert result.exit_code == 2 and "no records.parquet or records.csv" in result.output
    assert run_cli("dedupe", fixtures / "crm_export.csv", "-o", tmp_path / "m").exit_code == 0
    result = run_cli(
        "dedupe",
        fixtures / "purchased_list_fr.csv",
        "-o",
        tmp_path / "m",
        "--previous",
        tmp_path / "m",
    )
    assert result.exit_code == 2 and "overwrite an input" in result.output


def test_a_previous_dedupe_folder_whose_records_changed_stops_the_run(run_cli, fixtures, tmp_path):
    """records.csv is checked against the manifest in run.json (sizes and SHA-256 of the
    files written as a set): records of another run copied in are refused, not linked to."""
    first, other = tmp_path / "first", tmp_path / "other"
    assert run_cli("dedupe", fixtures / "crm_export.csv", "-o", first).exit_code == 0
    assert run_cli("dedupe", fixtures / "purchased_list_fr.csv", "-o", other).exit_code == 0
    manifest = json.loads((first / "run.json").read_text())["manifest"]
    assert manifest["records.csv"]["bytes"] == (first / "records.csv").stat().st_size
    shutil.copyfile(other / "records.csv", first / "records.csv")
    args = ["dedupe", fixtures / "salon_leads_nl.xlsx", "-o", tmp_path / "next"]
    result = run_cli(*args, "--previous", first)
    assert result.exit_code == 2
    assert f"{first}: records.csv is not the file this master's run.json lists" in result.output
    assert not (tmp_path / "next").exists()


MOVED = """Société;N° TVA;Prénom;Nom;E-mail;GSM;Code postal;Ville;Pays
Brasserie Dupont;BE0403170701;Marie;Lambert;marie.lambert@gmail.com;0475 12 34 56;1000;Bruxelles;BE
Garage Peeters;BE0417497106;Marie;Lambert;marie.lambert@gmail.com;;9000;Gent;BE
Fiduciaire Leroy;BE0202239951;LAMBERT;Marie;;+32 475 12 34 56;4000;Liège;BE
Imprimerie Noël;BE0428759497;Marie;Lambert;m.lambert@imprimerie-noel.be;;5000;Namur;BE
Brasserie Dupont;BE0403170701;Jean;Lambert;jean.lambert@gmail.com;0475 99 88 77;1000;Bruxelles;BE
Garage Peeters;BE0417497106;Jean;Lambert;;0475 99 88 76;9000;Gent;BE
"""


def test_a_person_who_moved_is_a_new_contact_linked_by_person_id(run_cli, tmp_path):
    (tmp_path / "moved.csv").write_text(MOVED, encoding="utf-8")
    assert run_cli("dedupe", tmp_path / "moved.csv", "-o", tmp_path / "out").exit_code == 0
    r = pl.read_csv(tmp_path / "out" / "records.csv", infer_schema=False)
    assert r["contact_id"].n_unique() == 6  # four companies, one contact per company and person
    person = r["person_id"].to_list()
    # the same private mailbox, or the same mobile in another notation and the name swapped
    assert person[0] == person[1] == person[2]
    assert person[3] != person[0]  # same name, a company mailbox only: not enough
    assert person[4] != person[5] and person[4] != person[0]  # another mobile; another first name


def test_an_existing_dedupe_output_is_replaced_only_with_force(run_cli, fixtures, tmp_path):
    out = tmp_path / "d"
    assert run_cli("dedupe", fixtures / "crm_export.csv", "-o", out, "-q").exit_code == 0
    before = (out / "records.csv").read_bytes()
    again = run_cli("dedupe", fixtures / "purchased_list_fr.csv", "-o", out, "-q")
    assert again.exit_code == 2 and "give --force" in again.stderr
    assert f"--previous {out} -o {out}.next" in again.stderr
    assert (out / "records.csv").read_bytes() == before
    forced = run_cli("dedupe", fixtures / "purchased_list_fr.csv", "-o", out, "-q", "--force")
    assert forced.exit_code == 0 and (out / "records.csv").read_bytes() != before
