"""One run at a time on an output: a second `enrich` run on a folder another run is writing
(or reading as --previous, while the other writes it) fails at once — exit 2, one line —
and never interleaves; readers share; a killed run's lock goes with it; no lock file stays."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from enrich.io.lock import locked

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "fixtures" / "crm_export.csv"
PURCHASED = ROOT / "fixtures" / "purchased_list_fr.csv"
BUSY = "another enrich run is writing this; try again when it is done"


def wait_stopped(proc, timeout: float = 60) -> None:
    """Until *proc* has stopped itself (ENRICH_FAULT_AT=locked:STOP: it holds its locks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "T":
            return
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(0.02)
    pytest.fail("the first run did not reach its locks in time")


def test_a_second_run_on_the_same_master_fails_at_once_and_the_first_finishes(
    harness, start, enrich, tmp_path
):
    out = tmp_path / "master"
    first = start("master", CRM, "-o", out, "-q", fault="locked:STOP")
    wait_stopped(first)
    second = enrich("master", PURCHASED, "-o", out, "-q")
    assert second.returncode == 2
    assert harness.one_line(second.stderr) == f"enrich: error: {out}: {BUSY}"
    assert not out.exists()  # the second wrote nothing
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=harness.TIMEOUT) == 0
    harness.check_master(
        out, harness.input_keys(CRM, harness.CRM_ROWS)
    )  # the first run's master, whole
    assert harness.debris(tmp_path) == []  # its lock file went with it


def test_a_master_being_written_cannot_be_read_as_previous(
    harness, start, enrich, demo_master, tmp_path
):
    written = harness.copy_master(demo_master, tmp_path / "written")
    first = start("master", CRM, PURCHASED, "-o", written, "-q", "--force", fault="locked:STOP")
    wait_stopped(first)
    reader = enrich("master", PURCHASED, "--previous", written, "-o", tmp_path / "next", "-q")
    assert reader.returncode == 2
    assert harness.one_line(reader.stderr) == f"enrich: error: {written}: {BUSY}"
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=harness.TIMEOUT) == 0


def test_a_previous_master_being_read_cannot_be_rewritten(
    harness, start, enrich, run_cli, demo_master, tmp_path
):
    previous = harness.copy_master(demo_master, tmp_path / "previous")
    before = harness.digest(previous)
    reader = start(
        "master", PURCHASED, "--previous", previous, "-o", tmp_path / "next", fault="locked:STOP"
    )
    wait_stopped(reader)
    writer = enrich("master", CRM, "-o", previous, "-q")
    assert writer.returncode == 2 and BUSY in writer.stderr
    assert harness.digest(previous) == before
    reader.send_signal(signal.SIGCONT)
    assert reader.wait(timeout=harness.TIMEOUT) == 0
    assert run_cli("master", CRM, "-o", previous, "-q", "--force").exit_code == 0  # free again
    assert harness.debris(tmp_path) == []


def test_a_killed_run_leaves_no_lock_behind(harness, start, run_cli, tmp_path):
    out = tmp_path / "master"
    first = start("master", CRM, "-o", out, "-q", fault="locked:STOP")
    wait_stopped(first)
    first.kill()
    first.wait(timeout=harness.TIMEOUT)
    assert [p.name for p in tmp_path.iterdir()] == [".master.lock"]  # its file, not its lock
    assert run_cli("master", CRM, "-o", out, "-q").exit_code == 0
    assert harness.debris(tmp_path) == []


@pytest.mark.parametrize(
    "command",
    [
        ["clean", CRM, "-o", "{out}"],
        ["dedupe", CRM, "-o", "{out}"],
        ["check", CRM, "-o", "{out}"],
        ["master", CRM, "-o", "{out}"],
    ],
    ids=lambda c: c[0],
)
def test_every_command_that_writes_takes_the_lock(run_cli, tmp_path, command):
    out = tmp_path / "out"
    with locked(out):
        result = run_cli(*(str(a).format(out=out) for a in command))
    assert result.exit_code == 2 and BUSY in result.output
    assert not out.exists()


def test_readers_share_a_previous_master(run_cli, demo_master, tmp_path):
    with locked(demo_master, shared=True):
        result = run_cli("master", PURCHASED, "--previous", demo_master, "-o", tmp_path / "m", "-q")
    assert result.exit_code == 0, result.output


def test_the_sweep_removes_only_this_outputs_temporaries(tmp_path):
    from enrich.io.lock import sweep

    (tmp_path / "m").mkdir()
    for name in [".m.k2j4_x9a.tmp", ".m.k2j4_x9b.old"]:  # a killed run's: go
        (tmp_path / name).mkdir()
        (tmp_path / name / "contacts.csv").write_text("personal data")
    kept = [".m2.k2j4_x9a.tmp", ".m.rejects.csv.k2j4_x9a.tmp", ".m.notes", ".m.k2j4.tmp"]
    for name in kept:  # another output's, or not a temporary at all: stay
        (tmp_path / name).write_text("")
    assert sorted(sweep(tmp_path / "m")) == [".m.k2j4_x9a.tmp", ".m.k2j4_x9b.old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*kept, "m"])


def test_a_set_aside_master_without_its_folder_is_put_back(tmp_path):
    from enrich.io.lock import sweep

    (tmp_path / ".m.older__1.old").mkdir()
    (tmp_path / ".m.newer__2.old").mkdir()
    (tmp_path / ".m.newer__2.old" / "run.json").write_text("{}")
    os.utime(tmp_path / ".m.older__1.old", (1, 1))
    sweep(tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    assert (tmp_path / "m" / "run.json").exists()  # the newest copy
