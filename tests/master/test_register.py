"""The do-not-contact register, read as the law does: a refusal once given holds in every
later run — without the list, for the address typed otherwise, for a new row carrying it,
among a contact's other addresses —; an opt-out on an address wins for every contact that
holds it, per channel; the register holds no address; it is part of the master's state
(in the manifest, verified; made with one key)."""

import json

import polars as pl
import pytest

from enrich.consent import keys, register
from enrich.errors import InputError
from enrich.job import Input, Job
from enrich.pipeline import run

PIETER = "pieter.desmet@desmet-brouwerij.be"


def master(out, files, previous=None, suppress=()):
    job = Job(
        inputs=[Input(str(f)) for f in files],
        out=str(out),
        previous=str(previous) if previous else None,
        suppress=[str(s) for s in suppress],
    )
    return run(job)


def contacts(folder) -> pl.DataFrame:
    return pl.read_csv(folder / "contacts.csv", infer_schema=False)


def holding(folder, address: str) -> pl.DataFrame:
    """The contacts holding *address* among their addresses (any case)."""
    table = contacts(folder)
    return table.filter(pl.col("emails").str.to_lowercase().str.contains(address, literal=True))


def test_a_suppression_holds_in_later_runs_without_the_list(fixtures, tmp_path):
    first = tmp_path / "m1"
    master(first, [fixtures / "crm_export.csv"], suppress=[fixtures / "suppression_unicode.txt"])
    pieter = holding(first, PIETER).row(0, named=True)
    assert (pieter["suppressed"], pieter["do_not_contact"], pieter["refused_by"]) == (
        "true",
        "true",
        "list",
    )
    marc = holding(first, "marc.dupont@dupont-fils.be").row(0, named=True)
    assert (marc["email_opt_out"], marc["phone_opt_out"], marc["do_not_contact"]) == (
        "true",
        "false",
        "false",
    )  # the list's channel column: e-mail only
    an = holding(first, "an.claes@desmet-brouwerij.be").row(0, named=True)
    assert (an["phone_opt_out"], an["email_opt_out"]) == ("true", "false")  # her number
    said = json.loads((first / "run.json").read_text())
    lists = said["master"]["register"]["lists"]["suppression_unicode.txt"]
    assert (lists["unreadable"], lists["unreadable_lines"]) == (1, [5])

    # run 2, without the list: a new row carries Pieter's address typed otherwise
    later = tmp_path / "later.csv"
    later.write_text(
        "Société;Prénom;Nom;E-mail\n"
        "Brasserie du Nord SA;Pierre;Desmet;PIETER.DeSmet@DESMET-brouwerij.BE\n"
        "Brasserie du Nord SA;Marie;Lenoir;marie.lenoir@brasserie-nord.be\n",
        encoding="utf-8",
    )
    second = tmp_path / "m2"
    master(second, [later], previous=first)
    held = holding(second, PIETER)
    assert held.height == 2 and set(held["do_not_contact"]) == {"true"}
    assert set(held["suppressed"]) == {"true"}
    assert holding(second, "marie.lenoir@brasserie-nord.be")["do_not_contact"].to_list() == [
        "false"
    ]
    assert holding(second, "marc.dupont@dupont-fils.be")["email_opt_out"].to_list() == ["true"]

    # run 3: the address among a new contact's other addresses
    third_file = tmp_path / "third.csv"
    third_file.write_text(
        "Bedrijf;Voornaam;Naam;E-mail\n"
        f'Bierhandel Peeters;Karel;Peeters;"karel@bierhandel.be, {PIETER.upper()}"\n',
        encoding="utf-8",
    )
    third = tmp_path / "m3"
    master(third, [third_file], previous=second)
    karel = contacts(third).filter(pl.col("first_name") == "Karel").row(0, named=True)
    assert karel["email"] == "karel@bierhandel.be" and karel["do_not_contact"] == "true"
    register_of = json.loads((third / "run.json").read_text())["master"]["register"]
    assert (
        register_of["new_entries"] == 0
        and register_of["by_source"]["list:suppression_unicode.txt"] == 4
    )
    assert register_of["contacts"]["by_source"]["list:suppression_unicode.txt"] == 5


def test_the_register_holds_no_address_or_number_and_is_in_the_manifest(fixtures, tmp_path):
    out = tmp_path / "m"
    master(out, [fixtures / "crm_export.csv"], suppress=[fixtures / "suppression_unicode.txt"])
    data = (out / register.FILE).read_bytes()
    for plain in (PIETER, "desmet", "dupont", "+3292234560", "3292234560", "32475998877"):
        assert plain.encode() not in data.lower()
    table = pl.read_parquet(out / register.FILE)
    assert table.height == 5 and table["key"].str.contains(r"^[0-9a-f]{64}$").all()
    run_json = json.loads((out / "run.json").read_text())
    assert (
        register.FILE in run_json["manifest"] and "register_points.parquet" in run_json["manifest"]
    )
    key, _ = keys.secret_key()
    assert run_json["register_key"] == keys.fingerprint(key)
    assert b"desmet" not in (out / "register_points.parquet").read_bytes()


def test_an_empty_register_is_written_too(fixtures, tmp_path):
    out = tmp_path / "m"
    master(out, [fixtures / "purchased_list_fr.csv"])
    assert pl.read_parquet(out / register.FILE).schema == pl.Schema(register.SCHEMA)


def test_a_tampered_register_stops_the_next_run(fixtures, tmp_path, run_cli):
    first = tmp_path / "m1"
    master(first, [fixtures / "crm_export.csv"], suppress=[fixtures / "suppression_unicode.txt"])
    pl.read_parquet(first / register.FILE).head(1).write_parquet(first / register.FILE)
    with pytest.raises(InputError, match="register.parquet is not the file"):
        master(tmp_path / "m2", [fixtures / "purchased_list_fr.csv"], previous=first)
    result = run_cli(
        "master", fixtures / "purchased_list_fr.csv", "-o", tmp_path / "m3", "--previous", first
    )
    assert result.exit_code == 2 and not (tmp_path / "m3").exists()


def test_another_key_is_refused(fixtures, tmp_path, monkeypatch, run_cli):
    first = tmp_path / "m1"
    master(first, [fixtures / "crm_export.csv"])
    monkeypatch.setenv(keys.ENV, "another-secret-key-0123456789")
    with pytest.raises(InputError, match="another key"):
        master(tmp_path / "m2", [fixtures / "purchased_list_fr.csv"], previous=first)
    result = run_cli(
        "master", fixtures / "purchased_list_fr.csv", "-o", tmp_path / "m3", "--previous", first
    )
    assert result.exit_code == 2 and "another key" in result.output


def test_opt_out_columns_per_channel_and_per_address(tmp_path):
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "Bedrijf;Voornaam;Naam;E-mail;Telefoon;Afgemeld nieuwsbrief;Niet bellen;Geen post;"
        "Uitgeschreven op\n"
        "Firma Janssens BV;Jan;Janssens;info@janssens.be;09 223 11 11;ja;;;\n"
        "Firma Janssens BV;Els;Peeters;info@janssens.be;09 223 11 12;nee;x;;\n"
        "Bakkerij Maes;Piet;Maes;piet@maes.be;;;;1;\n"
        "Bakkerij Maes;Ann;Maes;ann@maes.be;;;;;12/03/2024\n",
        encoding="utf-8",
    )
    out = tmp_path / "m"
    made = master(out, [crm])
    mapping = {d["header"]: d["column"] for d in made.summary["files"][0]["mapping_details"]}
    assert mapping["Afgemeld nieuwsbrief"] == "opt_out_email"
    assert (mapping["Niet bellen"], mapping["Geen post"]) == ("opt_out_phone", "opt_out_post")
    assert mapping["Uitgeschreven op"] == "opt_out"  # by its words: a date of withdrawal
    flags = {
        r["first_name"]: (r["email_opt_out"], r["phone_opt_out"], r["post_opt_out"])
        for r in contacts(out).iter_rows(named=True)
    }
    # Jan refused e-mail for info@janssens.be, which Els holds too; Els refused calls to her
    # own number (and, by the address she shares, Jan is not called either)
    assert flags["Jan"][0] == flags["Els"][0] == "true"
    assert flags["Els"][1] == "true"
    assert flags["Piet"] == ("false", "false", "true")  # post only
    assert flags["Ann"] == ("true", "true", "true")  # withdrawn on 12/03/2024: every channel
    by_source = made.summary["master"]["register"]["contacts"]["by_source"]
    assert by_source == {"column:crm.csv": 4}  # info@ (Jan, Els), Ann, Piet (post, by address)


def test_an_opt_out_header_that_cannot_be_mapped_is_reported(tmp_path):
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "Société;Prénom;Nom;E-mail;Désinscrit;Afgemeld\n"
        "Garage Dubois SRL;Thierry;Dubois;t.dubois@garagedubois.be;non;oui\n",
        encoding="utf-8",
    )
    said = []
    run(Job(inputs=[Input(str(crm))], out=str(tmp_path / "m")), say=said.append)
    assert any("opt-out header 'Afgemeld' not read" in line for line in said)


def test_suppress_is_repeatable_and_an_older_job_gives_one_list(fixtures, tmp_path, run_cli):
    other = tmp_path / "stop.csv"
    other.write_text("E-mail;Channel\nAn Claes <An.Claes@desmet-brouwerij.be>;post\n")
    out = tmp_path / "m"
    result = run_cli(
        "master",
        fixtures / "crm_export.csv",
        "-o",
        out,
        "--suppress",
        fixtures / "suppression_unicode.txt",
        "--suppress",
        other,
    )
    assert result.exit_code == 0, result.output
    assert "suppression list stop.csv: 1 lines, 1 values" in result.output
    an = holding(out, "an.claes@desmet-brouwerij.be").row(0, named=True)
    assert (an["phone_opt_out"], an["post_opt_out"], an["email_opt_out"]) == (
        "true",
        "true",
        "false",
    )
    assert Job.from_dict({"inputs": ["a.csv"], "out": "m", "suppress": "x.txt"}).suppress == [
        "x.txt"
    ]
