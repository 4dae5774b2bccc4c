"""Exports for an agency: pseudonymised (HMAC-SHA-256 under the secret key, stable across
exports with one key, different under another, ids unchanged so results join back) and
minimised (only the columns kept; an unknown column refused; a marketing purpose leaves out
who must not be contacted)."""

from __future__ import annotations

import hashlib
import hmac
import json

import polars as pl
import pytest

from enrich.consent import keys
from enrich.consent.export import export_key

KEY = "an-export-test-key-0123456789"


@pytest.fixture
def master(run_cli, fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv(keys.ENV, KEY)
    out = tmp_path / "master"
    files = [fixtures / "crm_export.csv", fixtures / "purchased_list_fr.csv"]
    assert run_cli("master", *files, "-o", out, "-q").exit_code == 0
    return out


def export(run_cli, master, out, *args, code=0):
    done = run_cli("export", master, "-o", out, *args)
    assert done.exit_code == code, done.output
    return done


def read(folder, name):
    return pl.read_csv(folder / f"{name}.csv", infer_schema=False)


def test_pseudonymised_export_is_keyed_stable_and_keeps_ids(run_cli, master, tmp_path, monkeypatch):
    contacts = read(master, "contacts")
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    export(run_cli, master, a, "--pseudonymise")
    export(run_cli, master, b, "--pseudonymise")
    monkeypatch.setenv(keys.ENV, "another-key-entirely-0123456789")
    export(run_cli, master, c, "--pseudonymise")
    ea, eb, ec = read(a, "contacts"), read(b, "contacts"), read(c, "contacts")
    assert ea.equals(eb)  # the same key: the same pseudonyms, byte for byte
    assert ea["contact_id"].equals(contacts["contact_id"]) and ea["company_id"].equals(
        contacts["company_id"]
    )
    for column in ("first_name", "last_name", "email", "phone"):
        given = contacts[column].drop_nulls()
        assert not ea[column].is_in(given.implode()).any(), column
        assert (ea[column] != ec[column]).all(), column  # another key, other pseudonyms
    assert ea["function"].equals(contacts["function"])  # not an identifier: as it was
    first = contacts.row(0, named=True)
    want = hmac.new(export_key(KEY.encode()), first["email"].encode(), hashlib.sha256).hexdigest()
    assert ea["email"][0] == want  # HMAC-SHA-256, not a bare hash
    assert want != hashlib.sha256(first["email"].encode()).hexdigest()
    emails = ea.filter(pl.col("emails").str.contains(";"))["emails"][0].split(";")
    assert all(len(e) == 64 for e in emails)  # a list is keyed value by value
    summary = json.loads((a / "export.json").read_text())
    assert summary["key_fingerprint"] == keys.fingerprint(KEY.encode())
    assert KEY not in (a / "export.json").read_text()
    assert "email" in summary["tables"]["contacts"]["pseudonymised"]
    for path in a.iterdir():
        assert b"@" not in path.read_bytes() or path.name == "export.json", path.name


def test_minimised_export_keeps_only_the_columns_asked(run_cli, master, tmp_path):
    out = tmp_path / "kept"
    export(run_cli, master, out, "--keep", "city, function,email", "--format", "parquet")
    companies = pl.read_parquet(out / "companies.parquet")
    contacts = pl.read_parquet(out / "contacts.parquet")
    assert companies.columns == ["company_id", "city", "email"]  # the master's order
    # a contact keeps its own city (its postal address), in the master's order too
    assert contacts.columns == ["contact_id", "company_id", "function", "email", "city"]
    assert contacts.height == read(master, "contacts").height
    bad = export(run_cli, master, tmp_path / "bad", "--keep", "city,shoe_size", code=2)
    assert "'shoe_size'" in bad.stderr and not (tmp_path / "bad").exists()


def test_a_marketing_purpose_leaves_out_who_must_not_be_contacted(run_cli, master, tmp_path):
    contacts = read(master, "contacts")
    flags = ["do_not_contact", "email_opt_out", "post_opt_out"]  # what a mailing must not reach
    refused = contacts.filter(pl.any_horizontal(pl.col(c) == "true" for c in flags))
    assert refused.height > 0 and (contacts["email_opt_out"] == "true").sum() > 0
    out = tmp_path / "mailing"
    export(run_cli, master, out, "--purpose", "mailing")
    mailing = read(out, "contacts")
    assert mailing.height == contacts.height - refused.height
    assert not set(refused["contact_id"]) & set(mailing["contact_id"])
    assert "do_not_contact" not in mailing.columns and "phone" not in mailing.columns
    summary = json.loads((out / "export.json").read_text())
    assert sum(summary["tables"]["contacts"]["left_out"].values()) == refused.height
    assert summary["pseudonymised"] is False and summary["key_fingerprint"] is None
    analytics = tmp_path / "analytics"
    export(run_cli, master, analytics, "--purpose", "analytics")
    assert read(analytics, "contacts").height == contacts.height  # nobody is contacted
    assert "last_name" not in read(analytics, "contacts").columns
    assert json.loads((analytics / "export.json").read_text())["pseudonymised"] is True
    unknown = export(run_cli, master, tmp_path / "x", "--purpose", "astrology", code=2)
    assert "mailing" in unknown.stderr
