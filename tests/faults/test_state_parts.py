"""A `--previous` master checks itself: every file its run.json's manifest lists is verified
when read, the parts a run links in are verified again in its own folder, and records and
lineage must agree — a damaged, mixed or replaced master stops the run (exit 2, the folder
and the part named), it never gives a master with rows missing."""

import json
import shutil

import polars as pl
import pytest
from runs import lineage, master

from enrich.link.files import load_settings
from enrich.master import folder, state
from enrich.master.lineage import LINEAGE_COLUMNS

CRM, BOUGHT, SALON = "crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"


@pytest.fixture
def two(run_cli, fixtures, tmp_path):
    """Two masters of other inputs: m1 (the CRM), other (the purchased list)."""
    m1, other = tmp_path / "m1", tmp_path / "other"
    master(run_cli, m1, [fixtures / CRM])
    master(run_cli, other, [fixtures / BOUGHT])
    return m1, other


def test_the_manifest_lists_every_file_written_with_its_size_and_hash(two):
    m1, _ = two
    run = json.loads((m1 / "run.json").read_text())
    on_disk = sorted(p.name for p in m1.iterdir() if p.name != "run.json")
    assert sorted(run["manifest"]) == on_disk
    for name in on_disk:
        assert run["manifest"][name] == state.file_digest(m1 / name), name
    assert run["inputs"][0]["file"].endswith(CRM) and len(run["inputs"][0]["sha256"]) == 64


@pytest.mark.parametrize(
    "damage",
    ["copied from another master", "truncated", "lineage row removed", "model replaced"],
)
def test_a_damaged_or_mixed_previous_master_stops_the_run(run_cli, fixtures, tmp_path, two, damage):
    m1, other = two
    if damage == "copied from another master":
        shutil.copyfile(other / "records.parquet", m1 / "records.parquet")
        part = "records.parquet"
    elif damage == "truncated":
        data = (m1 / "link_company.parquet").read_bytes()
        (m1 / "link_company.parquet").write_bytes(data[: len(data) // 2])
        part = "link_company.parquet"
    elif damage == "lineage row removed":
        lines = (m1 / "lineage.csv").read_bytes().splitlines(keepends=True)
        (m1 / "lineage.csv").write_bytes(b"".join(lines[:-1]))
        part = "lineage.csv"
    else:
        shutil.copyfile(other / "model.json", m1 / "model.json")
        part = "model.json"
    out = tmp_path / "next"
    result = master(run_cli, out, [fixtures / SALON], "--previous", m1, code=2)
    assert f"{m1}: {part} is not the file this master's run.json lists" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_records_and_lineage_must_agree_even_in_a_master_without_manifest(
    run_cli, fixtures, tmp_path, two
):
    """An older master (no manifest): its parts are read unverified, with a warning, but
    records and lineage from two masters do not pass."""
    m1, other = two
    run = json.loads((m1 / "run.json").read_text())
    del run["manifest"], run["inputs"]
    (m1 / "run.json").write_text(json.dumps(run))
    out = tmp_path / "next"
    result = master(run_cli, out, [fixtures / BOUGHT], "--previous", m1)
    assert "written by an older enrich" in result.output  # said even with -q
    assert "manifest" in json.loads((out / "run.json").read_text())
    assert lineage(out).height == lineage(m1).height + lineage(other).height  # no row lost
    shutil.copyfile(other / "lineage.csv", m1 / "lineage.csv")
    result = master(run_cli, tmp_path / "mixed", [fixtures / SALON], "--previous", m1, code=2)
    assert f"{m1}: records and lineage.csv do not agree" in result.output
    assert not (tmp_path / "mixed").exists()


def test_check_lineage_finds_an_id_changed_or_a_record_missing(two):
    m1, _ = two
    previous = folder.read_previous(str(m1), load_settings())
    records, lines = previous.records, previous.lineage.select(LINEAGE_COLUMNS)
    state.check_lineage(records, lines, "m1")  # as written: agrees
    one = pl.int_range(pl.len()) == 0
    for bad_records, bad_lineage in (
        (records.slice(1), lines),  # a record missing
        (
            records,
            lines.with_columns(
                pl.when(one).then(pl.lit("C-999999")).otherwise("company_id").alias("company_id")
            ),
        ),
    ):
        with pytest.raises(state.InputError, match="do not agree"):
            state.check_lineage(bad_records, bad_lineage, "m1")


def _swap(previous, other):
    """*previous* replaced whole by *other* (as a second run writing it, or a copy, would)."""
    aside = previous.with_name(previous.name + ".aside")
    previous.rename(aside)
    shutil.copytree(other, previous)


def test_a_previous_folder_replaced_before_its_parts_are_linked_stops_the_run(
    run_cli, fixtures, tmp_path, two, monkeypatch
):
    """The previous master is replaced by another one after it was read, before its parts are
    hard-linked into the new master: the linked parts are not the bytes read, the run stops,
    and the output folder (an earlier good master) is left as it was — no row lost."""
    m1, other = two
    out = tmp_path / "out"
    master(run_cli, out, [fixtures / SALON], "--previous", m1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    state_parts = folder._state_parts

    def replaced_first(tmp, stem, *args):
        if stem == "records":
            _swap(m1, other)
        return state_parts(tmp, stem, *args)

    monkeypatch.setattr(folder, "_state_parts", replaced_first)
    result = master(run_cli, out, [fixtures / SALON], "--previous", m1, "--force", code=2)
    assert f"{m1}: records.parquet changed while this run read it" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no temporary left


def test_a_previous_folder_replaced_before_it_is_read_stops_the_run(
    run_cli, fixtures, tmp_path, two, monkeypatch
):
    """Replaced between the first look at its run.json and the reading of its state."""
    from enrich.master import identity

    m1, other = two
    identify = identity.identify

    def replaced_first(inputs):
        _swap(m1, other)
        return identify(inputs)

    monkeypatch.setattr(identity, "identify", replaced_first)
    out = tmp_path / "out"
    result = master(run_cli, out, [fixtures / SALON], "--previous", m1, code=2)
    assert f"{m1}: the previous master changed while this run read it" in result.output
    assert not out.exists()


def test_a_state_file_listed_but_missing_is_named(run_cli, fixtures, tmp_path, two):
    m1, _ = two
    (m1 / "decisions.csv").unlink()
    result = master(run_cli, tmp_path / "next", [fixtures / SALON], "--previous", m1, code=2)
    assert f"{m1}: not a whole enrich master (decisions.csv is missing)" in result.output


def test_a_good_chain_of_runs_verifies_and_keeps_every_row(run_cli, fixtures, tmp_path, two):
    """Three runs, each linking the parts of the one before (hard links, verified again)."""
    m1, _ = two
    m2, m3 = tmp_path / "m2", tmp_path / "m3"
    master(run_cli, m2, [fixtures / BOUGHT], "--previous", m1)
    master(run_cli, m3, [fixtures / SALON], "--previous", m2)
    assert (m3 / "records.parquet").stat().st_ino == (m1 / "records.parquet").stat().st_ino
    run = json.loads((m3 / "run.json").read_text())
    assert [i["file"].rsplit("/", 1)[-1] for i in run["inputs"]] == [CRM, BOUGHT, SALON]
    assert lineage(m3).height == 133
    records = folder.read_parts(folder.parts(m3, "records"))
    assert records.height == lineage(m3).filter(pl.col("status") != "rejected").height


def test_a_bad_row_number_in_an_older_masters_decisions_is_named_without_its_value(
    run_cli, fixtures, tmp_path, two
):
    """Unverified (no manifest), a decisions.csv edited by hand: exit 2 naming the folder,
    never the value polars would quote."""
    m1, _ = two
    run = json.loads((m1 / "run.json").read_text())
    del run["manifest"], run["inputs"]
    (m1 / "run.json").write_text(json.dumps(run))
    planted = "zoe.planted@example.org"
    (m1 / "decisions.csv").write_text(
        "level,source_file_l,source_row_l,source_file_r,source_row_r,decision\n"
        f"contact,crm_export.csv,{planted},crm_export.csv,3,match\n"
    )
    result = master(run_cli, tmp_path / "next", [fixtures / BOUGHT], "--previous", m1, code=2)
    assert f"{m1}: cannot read the previous master" in result.output
    assert planted not in result.output
