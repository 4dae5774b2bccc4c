"""Kills and interrupts of `enrich master` (with and without --previous) and `enrich clean`,
at named points (ENRICH_FAULT_AT) and after delays: the old master stays whole or the new
one is, no input row is lost, the previous master is untouched, an interrupt says truly
what was written (exit 130; SIGTERM 143), and nothing is left behind after the next good
run (after an interrupt, at once)."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "fixtures" / "crm_export.csv"
PURCHASED = ROOT / "fixtures" / "purchased_list_fr.csv"  # 60 rows, 3 of them rejected

# scenario: (writes over an existing master, links to a --previous master, inputs)
SCENARIOS = {
    "new": (False, False, [PURCHASED]),
    "rerun": (True, False, [CRM, PURCHASED]),
    "previous": (True, True, [PURCHASED]),
}
POINTS = {
    "new": ["wrote:companies.csv", "filled"],
    "rerun": ["swapped", "no-exchange,between-renames"],
    "previous": [
        "wrote:records.1.parquet",  # the new state part, in the middle of the state write
        "wrote:run.json",
        "swapped",
        "no-exchange,between-renames",
    ],
}
CASES = [(scenario, point) for scenario, points in POINTS.items() for point in points]


class Setup:
    """The folders of one scenario: the output (maybe an existing master), the previous
    master, what each held before, the keys the new master must hold."""

    def __init__(self, harness, scenario, demo_master, tmp_path):
        self.harness = harness
        existing, linked, self.inputs = SCENARIOS[scenario]
        self.parent = tmp_path / "masters"
        self.parent.mkdir(parents=True)
        self.out = self.parent / "out"
        if existing:
            harness.copy_master(demo_master, self.out)
        self.previous = harness.copy_master(demo_master, tmp_path / "previous") if linked else None
        self.before = self.harness.digest(self.out) if existing else None
        self.previous_before = self.harness.digest(self.previous) if linked else None
        old = harness.master_keys(demo_master)
        self.old_keys = old if existing else None
        self.new_keys = set().union(
            *(harness.input_keys(p, harness.CRM_ROWS if p == CRM else 60) for p in self.inputs),
            old if linked else set(),
        )

    def args(self):
        extra = ["--previous", self.previous] if self.previous else []
        return ["master", *self.inputs, "-o", self.out, "-q", "--force", *extra]  # replaced

    def again(self, run_cli) -> None:
        """The next good run (in this process: no start-up to wait for)."""
        result = run_cli(*self.args())
        assert result.exit_code == 0, result.output

    def check_whole(self) -> bool:
        """The output is the old master untouched (False) or the new one whole (True); the
        previous master is untouched."""
        if self.previous:
            assert self.harness.digest(self.previous) == self.previous_before
        if not self.out.exists() or self.harness.digest(self.out) == self.before:
            return False
        self.harness.check_master(self.out, self.new_keys)
        return True


@pytest.mark.parametrize("scenario,point", CASES)
def test_a_killed_master_run_leaves_a_whole_master_and_the_next_run_no_debris(
    harness, enrich, run_cli, demo_master, tmp_path, scenario, point
):
    setup = Setup(harness, scenario, demo_master, tmp_path)
    killed = enrich(*setup.args(), fault=f"{point}:KILL")
    assert killed.returncode == -signal.SIGKILL  # the point was reached
    if not setup.out.exists() and setup.before is not None:
        # killed between the two renames: the old master is set aside, whole
        (old,) = [p for p in setup.parent.iterdir() if p.name.endswith(".old")]
        assert harness.digest(old) == setup.before
    else:
        setup.check_whole()
    setup.again(run_cli)
    assert setup.check_whole()
    assert harness.debris(setup.parent) == []


@pytest.mark.parametrize("point", ["locked", *POINTS["previous"]])
def test_ctrl_c_exits_130_saying_truly_what_was_written_and_leaves_nothing_behind(
    harness, enrich, demo_master, tmp_path, point
):
    setup = Setup(harness, "previous", demo_master, tmp_path)
    stopped = enrich(*setup.args(), fault=f"{point}:INT")
    assert stopped.returncode == 130
    line = harness.one_line(stopped.stderr)
    written = setup.check_whole()
    expected = (
        f"enrich: interrupted after writing {setup.out}"
        if written
        else "enrich: interrupted: nothing was written"
    )
    assert line == expected
    assert harness.debris(setup.parent) == []  # temporaries removed on the interrupt, lock released
    assert written == (point == "swapped" or "between-renames" in point)  # after the swap


@pytest.mark.parametrize("point", ["filled"])
def test_sigterm_exits_143_and_cleans_up(harness, enrich, demo_master, tmp_path, point):
    setup = Setup(harness, "previous", demo_master, tmp_path)
    stopped = enrich(*setup.args(), fault=f"{point}:TERM")
    assert stopped.returncode == 143
    assert harness.one_line(stopped.stderr) == "enrich: interrupted: nothing was written"
    assert not setup.check_whole() and harness.debris(setup.parent) == []


def test_a_kill_between_the_renames_is_repaired_by_a_run_that_reads_the_master(
    harness, enrich, run_cli, demo_master, tmp_path
):
    """A master a kill left set aside is put back by the next run that reads it, too."""
    setup = Setup(harness, "rerun", demo_master, tmp_path)
    enrich(*setup.args(), fault="no-exchange,between-renames:KILL")
    assert not setup.out.exists()
    reader = run_cli("master", PURCHASED, "--previous", setup.out, "-o", tmp_path / "next", "-q")
    assert reader.exit_code == 0, reader.output
    assert harness.digest(setup.out) == setup.before and harness.debris(setup.parent) == []


@pytest.mark.parametrize(
    "signum,delay", [(signal.SIGKILL, 0.6), (signal.SIGINT, 0.15), (signal.SIGINT, 0.6)]
)
def test_kills_after_a_delay_leave_a_whole_master(
    harness, start, run_cli, demo_master, tmp_path, signum, delay
):
    """Not at a named point: SIGKILL and SIGINT from outside, at whatever the run is doing
    (0.15 s: importing its libraries; 0.6 s: reading, linking or writing on this machine).
    Not sooner: in Python's own first ~20 ms (before any of enrich runs) a Ctrl-C is
    Python's traceback, exit 1 — nothing written, but not our message."""
    setup = Setup(harness, "previous", demo_master, tmp_path)
    proc = start(*setup.args())
    time.sleep(delay)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=harness.TIMEOUT)
    assert "Traceback" not in stderr
    written = setup.check_whole()
    if proc.returncode == 130:  # else it was done (0), or killed
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert ("after writing" in stderr) == written, stderr
    if signum == signal.SIGKILL:
        setup.again(run_cli)
        assert setup.check_whole()
    assert harness.debris(setup.parent) == []


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clean_set(folder):
    return [folder / "out.csv", folder / "out.rejects.csv", folder / "out.run.json"]


def consistent(folder) -> bool:
    """Does out.run.json describe the table and rejects beside it (their hashes)?"""
    table, rejects, summary = clean_set(folder)
    hashes = json.loads(summary.read_text())["manifest"]
    return {name: got["sha256"] for name, got in hashes.items()} == {
        table.name: sha256(table),
        rejects.name: sha256(rejects),
    }


def test_a_clean_killed_between_its_renames_leaves_a_set_run_json_tells_apart(
    harness, enrich, run_cli, tmp_path
):
    """SIGKILL cannot be held off: killed between two renames, the new table sits next to
    the old rejects and run.json — which the hashes in run.json show; the next run mends
    it and leaves nothing behind."""
    out = tmp_path / "out.csv"
    assert run_cli("clean", CRM, "-o", out, "-q").exit_code == 0 and consistent(tmp_path)
    killed = enrich("clean", PURCHASED, "-o", out, "-q", fault="wrote:out.csv:KILL")
    assert killed.returncode == -signal.SIGKILL
    assert not consistent(tmp_path)
    assert run_cli("clean", PURCHASED, "-o", out, "-q").exit_code == 0
    assert consistent(tmp_path) and harness.debris(tmp_path) == []


@pytest.mark.parametrize("point", ["wrote:out.csv"])
def test_ctrl_c_during_a_clean_write_waits_for_the_whole_set(
    harness, enrich, run_cli, tmp_path, point
):
    out = tmp_path / "out.csv"
    assert run_cli("clean", CRM, "-o", out, "-q").exit_code == 0
    stopped = enrich("clean", PURCHASED, "-o", out, "-q", fault=f"{point}:INT")
    assert stopped.returncode == 130
    names = ", ".join(str(p) for p in clean_set(tmp_path))
    assert harness.one_line(stopped.stderr) == f"enrich: interrupted after writing {names}"
    assert consistent(tmp_path) and harness.debris(tmp_path) == []
    assert len(out.read_text().splitlines()) == 58  # the header and PURCHASED's 57 rows


def test_ctrl_c_before_a_clean_writes_says_nothing_was_written(harness, enrich, tmp_path):
    out = tmp_path / "out.csv"
    stopped = enrich("clean", PURCHASED, "-o", out, "-q", fault="locked:INT")
    assert stopped.returncode == 130
    assert harness.one_line(stopped.stderr) == "enrich: interrupted: nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    from enrich.io.write import exchange

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "new").write_text("")
    (tmp_path / "b" / "old").write_text("")
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this system or file system has no renameat2(RENAME_EXCHANGE)")
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["new"]
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["old"]


def test_a_ctrl_c_while_the_options_are_read_is_130_not_clicks_aborted(monkeypatch, capsys):
    from enrich import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.main, "make_context", interrupted)
    with pytest.raises(SystemExit) as leaving:
        cli._main()
    assert leaving.value.code == 130
    assert capsys.readouterr().err.strip() == "enrich: interrupted: nothing was written"
