"""Inputs are known by their content (size and SHA-256, in run.json's ``inputs``): the same
file named ``x.csv``, ``./x.csv``, by its absolute path or copied under another name is one
input — a repeat is skipped with one line naming the files, never read twice, never a crash."""

import json
import os
import shutil

import pytest
from runs import CRM_ROWS, lineage, master


@pytest.fixture
def here(fixtures, tmp_path, monkeypatch):
    """A working folder holding x.csv (the CRM export) and copy.csv (the same bytes)."""
    shutil.copy(fixtures / "crm_export.csv", tmp_path / "x.csv")
    shutil.copy(fixtures / "crm_export.csv", tmp_path / "copy.csv")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_same_file_twice_in_one_command_is_read_once(run_cli, here):
    result = master(run_cli, "m", ["x.csv", "x.csv", "./x.csv", "copy.csv"])
    lines = [line for line in result.output.splitlines() if "skipped" in line]
    assert lines == [
        f"{name}: skipped: the same file as x.csv (same size and content), given before it"
        for name in ("x.csv", "./x.csv", "copy.csv")
    ]
    assert lineage(here / "m").height == CRM_ROWS  # every row once
    assert [i["file"] for i in json.loads((here / "m" / "run.json").read_text())["inputs"]] == [
        "x.csv"
    ]


def test_a_file_already_in_the_previous_master_is_skipped_by_content(run_cli, here, fixtures):
    master(run_cli, "m1", ["x.csv"])
    result = master(
        run_cli,
        "m2",
        [here / "x.csv", "./copy.csv", fixtures / "purchased_list_fr.csv"],
        "--previous",
        "m1",
    )
    assert f"{here / 'x.csv'}: skipped: the same file as x.csv" in result.output
    assert (
        "./copy.csv: skipped" in result.output and "already in the previous master" in result.output
    )
    files = lineage(here / "m2")["source_file"]
    assert files.unique().sort().to_list() == sorted(
        ["x.csv", str(fixtures / "purchased_list_fr.csv")]
    )
    assert (files == "x.csv").sum() == CRM_ROWS
    recorded = json.loads((here / "m2" / "run.json").read_text())["inputs"]
    assert [r["file"] for r in recorded] == ["x.csv", str(fixtures / "purchased_list_fr.csv")]
    assert recorded[0]["bytes"] == os.path.getsize(here / "x.csv")


def test_nothing_new_writes_nothing(run_cli, here):
    master(run_cli, "m1", ["x.csv"])
    result = master(run_cli, "m2", ["copy.csv"], "--previous", "m1", code=2)
    assert "nothing to add: every input is already in the previous master" in result.output
    assert not (here / "m2").exists()


def test_another_version_under_the_same_name_is_refused(run_cli, here):
    master(run_cli, "m1", ["x.csv"])
    (here / "x.csv").write_bytes(
        (here / "x.csv").read_bytes().replace(b"Gent,", b"Genk,", 1)
    )  # a new version
    result = master(run_cli, "m2", ["x.csv"], "--previous", "m1", code=2)
    assert "x.csv: this file is already in the previous master" in result.output
    assert not (here / "m2").exists()
