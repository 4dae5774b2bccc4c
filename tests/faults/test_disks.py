"""Disks and special files: a read-only or full output, a FIFO, a device or a symlink loop
given as an input or an output — one line, exit 2, no hang, no partial output, the old
master untouched."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "fixtures" / "crm_export.csv"
PURCHASED = ROOT / "fixtures" / "purchased_list_fr.csv"


@pytest.fixture
def read_only(tmp_path, tmpfs):
    """A folder nothing can be written into: a read-only tmpfs as root (who may write into
    any folder whatever its mode), a folder of mode 555 otherwise."""
    if os.geteuid() == 0:
        yield tmpfs(read_only=True)
        return
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


@pytest.mark.parametrize("command", ["master", "clean"])
def test_a_read_only_output_is_one_line_exit_2_before_any_work(harness, enrich, read_only, command):
    out = read_only / ("m" if command == "master" else "m.csv")
    proc = enrich(command, CRM, "-o", out)
    assert proc.returncode == 2
    line = harness.one_line(proc.stderr)
    assert line.startswith(f"enrich: error: {read_only}: cannot write: ")
    assert line.endswith(("read-only file system", "permission denied"))
    assert list(read_only.iterdir()) == []


def test_a_full_disk_leaves_the_old_master_whole_and_no_debris(harness, enrich, demo_master, tmpfs):
    disk = tmpfs(size="320k")  # the old master (about 190 kB) fits, not a second one beside it
    out = harness.copy_master(demo_master, disk / "master")
    before = harness.digest(out)
    proc = enrich("master", CRM, PURCHASED, "-o", out, "-q", "--force")
    assert proc.returncode == 2
    assert harness.one_line(proc.stderr) == (
        f"enrich: error: {out}: cannot write: no space left on the disk"
    )
    assert harness.digest(out) == before and harness.debris(disk) == []


def test_a_full_disk_for_clean_writes_none_of_its_files(harness, enrich, tmpfs):
    disk = tmpfs(size="16k")
    proc = enrich("clean", PURCHASED, "-o", disk / "out.parquet", "-q")
    assert proc.returncode == 2
    assert "cannot write: no space left on the disk" in harness.one_line(proc.stderr)
    assert list(disk.iterdir()) == []


def test_no_space_while_writing_a_master_in_process(
    harness, run_cli, demo_master, tmp_path, monkeypatch
):
    """Always tested (no mount needed): a Parquet write that fails with ENOSPC."""
    out = harness.copy_master(demo_master, tmp_path / "master")
    before = harness.digest(out)

    def full(self, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    result = run_cli("master", CRM, PURCHASED, "-o", out, "-q", "--force")
    assert result.exit_code == 2
    assert harness.one_line(result.stderr) == (
        f"enrich: error: {out}: cannot write: no space left on the disk"
    )
    assert harness.digest(out) == before and harness.debris(tmp_path) == []


def test_a_fifo_given_as_input_is_refused_at_once(harness, enrich, tmp_path):
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)  # no writer: reading it would wait for ever
    for command in (
        ["clean", fifo, "-o", tmp_path / "o.csv"],
        ["master", fifo, "-o", tmp_path / "m"],
    ):
        proc = enrich(*command, timeout=30)
        assert proc.returncode == 2
        assert harness.one_line(proc.stderr) == (
            f"enrich: error: {fifo}: not a regular file (a FIFO, device or socket); "
            "give '-' to read standard input"
        )
    assert [p.name for p in tmp_path.iterdir()] == ["leads.csv"]


@pytest.mark.parametrize("command", ["clean", "master", "check"])
def test_a_device_given_as_input_is_refused(run_cli, tmp_path, command):
    out = ["-o", tmp_path / "out"] if command != "check" else []
    result = run_cli(command, "/dev/zero", *out)  # would never end
    assert result.exit_code == 2 and "/dev/zero: not a regular file" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["clean", "master"])
def test_a_device_or_fifo_given_as_output_is_left_alone(run_cli, tmp_path, command):
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    for out in (fifo, Path("/dev/null")):
        result = run_cli(command, CRM, "-o", out)
        assert result.exit_code == 2, result.output
        assert len(result.stderr.splitlines()) == 1 and str(out) in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("command", ["clean", "master", "dedupe"])
def test_a_symlink_loop_as_input_or_output_is_one_line_exit_2(run_cli, tmp_path, command):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for args in ([loop, "-o", tmp_path / "out"], [CRM, "-o", loop]):
        result = run_cli(command, *args)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and "symbolic links" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["loop"]


def test_standard_input_is_still_read(run_cli, tmp_path):
    out = tmp_path / "out.csv"
    result = run_cli("clean", "-", "-o", out, "-q", input=CRM.read_bytes())
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 44  # the header and CRM's 43 rows
