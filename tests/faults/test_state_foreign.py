"""Replacing a master folder never destroys a steward's files: a folder holding files enrich
did not write is refused (exit 2, the folder and how many, never their names or contents)
unless ``--force``; a file the run reads inside it is refused even with ``--force``."""

import pytest
from runs import master

from enrich.master import state

CRM, BOUGHT = "crm_export.csv", "purchased_list_fr.csv"


@pytest.fixture
def m1(run_cli, fixtures, tmp_path):
    out = tmp_path / "m1"
    master(run_cli, out, [fixtures / CRM])
    return out


def test_a_folder_with_a_stewards_files_is_kept_unless_force(run_cli, fixtures, m1):
    (m1 / "notes about Dupont.txt").write_text("call back on Monday")
    (m1 / "old").mkdir()
    before = {p.name: p.read_bytes() for p in m1.iterdir() if p.is_file()}
    result = master(run_cli, m1, [fixtures / BOUGHT], code=2)
    assert f"{m1}: the master folder holds 2 files enrich did not write" in result.output
    assert "Dupont" not in result.output and "call back" not in result.output
    assert {p.name: p.read_bytes() for p in m1.iterdir() if p.is_file()} == before
    master(run_cli, m1, [fixtures / BOUGHT], "--force")
    assert not (m1 / "notes about Dupont.txt").exists() and not (m1 / "old").exists()
    assert (m1 / "lineage.csv").read_text().count(BOUGHT) == 60


def test_a_master_of_the_other_format_is_the_tools_own(run_cli, fixtures, m1):
    """A CSV master rewritten as Parquet (and back): its tables are the tool's files."""
    master(run_cli, m1, [fixtures / BOUGHT], "--format", "parquet", "--force")
    assert (m1 / "companies.parquet").is_file() and not (m1 / "companies.csv").exists()
    master(run_cli, m1, [fixtures / CRM], "--force")
    assert (m1 / "companies.csv").is_file()


@pytest.mark.parametrize("option", ["--decisions", "--suppress", "file"])
def test_a_file_the_run_reads_inside_the_folder_is_refused_even_with_force(
    run_cli, fixtures, m1, option
):
    kept = m1 / ("inputs.csv" if option == "file" else "steward.csv")
    kept.write_bytes(
        (fixtures / BOUGHT).read_bytes()
        if option == "file"
        else b"level,source_file_l,source_row_l,source_file_r,source_row_r,decision\n"
        if option == "--decisions"
        else b"someone@example.com\n"
    )
    args = [kept] if option == "file" else [fixtures / BOUGHT, option, kept]
    result = run_cli("master", *args, "-o", m1, "-q", "--force")
    assert result.exit_code == 2, result.output
    assert "the output folder holds an input of this run" in result.output
    assert kept.is_file()


def test_a_folder_that_is_not_a_master_is_refused_even_with_force(run_cli, fixtures, tmp_path):
    home = tmp_path / "documents"
    home.mkdir()
    (home / "letter.txt").write_text("x")
    result = master(run_cli, home, [fixtures / CRM], "--force", code=2)
    assert "is not an enrich master" in result.output and (home / "letter.txt").is_file()


def test_the_tools_names(m1):
    assert state.foreign(m1) == []
    assert all(state.own(p.name) for p in m1.iterdir())
    for name in ("notes.txt", "companies.xlsx", "records.parquet.bak", "suppress.csv", ".lock"):
        assert not state.own(name), name
