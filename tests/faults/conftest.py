"""The fault-injection harness (#19): the ``enrich`` program run as a subprocess — under a
timeout, in an environment the test sets (not the caller's), optionally killed by itself at
a named point (``ENRICH_FAULT_AT``, read by ``enrich.io.lock.fault``) — and the checks of
what a run leaves: a whole master or the old one untouched, no input row lost, no debris,
no traceback.

Fixtures: ``enrich`` (run the program), ``start`` (start it, to run another beside it),
``demo_master`` (a master of the CRM fixture, built once; tests copy it), ``tmpfs`` (a small
file system mounted for one test: full or read-only — skipped, with the reason, where the
test cannot mount), and ``harness``: this module's helpers and constants (``harness.CRM``,
``harness.check_master`` …) — test files cannot import a conftest by name (tests/ holds two).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "fixtures" / "crm_export.csv"
CRM_ROWS = len(pl.read_csv(CRM, infer_schema=False))  # its data rows (fixtures change)
PURCHASED = ROOT / "fixtures" / "purchased_list_fr.csv"  # 60 rows, 3 of them rejected
TIMEOUT = 60  # seconds: a run here takes one; a hang fails the test instead of the suite


def program_env(home: Path, fault: str | None = None) -> dict:
    """What the program is given: this checkout, a plain locale, a home of its own — and
    nothing of the caller's environment (its allocator settings, an ENRICH_* variable); the
    secret key of the test session's folder (*home* is made in it), the one in-process runs
    use, so that a master made by one is read by the other."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home.parent / "config"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if fault:
        env["ENRICH_FAULT_AT"] = fault
    return env


def command(args) -> list[str]:
    return [sys.executable, "-m", "enrich", *(str(a) for a in args)]


@pytest.fixture
def enrich(tmp_path_factory):
    """``enrich(*args, fault=None)``: run the program to its end (or its kill); the
    CompletedProcess (text). It never hangs (a timeout fails the test) and never prints a
    traceback."""
    home = tmp_path_factory.mktemp("home")

    def run(*args, fault: str | None = None, timeout: float = TIMEOUT):
        proc = subprocess.run(
            command(args),
            env=program_env(home, fault),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "internal error" not in proc.stderr, proc.stderr
        return proc

    return run


@pytest.fixture
def start(tmp_path_factory):
    """``start(*args, fault=None)``: the program started (a Popen, stderr piped); every
    process started is killed and reaped when the test ends."""
    home = tmp_path_factory.mktemp("home")
    started = []

    def run(*args, fault: str | None = None):
        proc = subprocess.Popen(
            command(args),
            env=program_env(home, fault),
            cwd=home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    yield run
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=TIMEOUT)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """A master of the CRM fixture, built once; copy it before changing it."""
    home = tmp_path_factory.mktemp("demo")
    out = home / "master"
    subprocess.run(
        command(["master", CRM, "-o", out, "-q"]),
        env=program_env(home),
        cwd=home,
        check=True,
        timeout=TIMEOUT,
    )
    return out


def copy_master(source: Path, to: Path) -> Path:
    shutil.copytree(source, to)
    return to


def master_keys(folder: Path) -> set[tuple[str, int]]:
    """(source_file, source_row) of every lineage row of a master — each once."""
    lineage = pl.read_csv(folder / "lineage.csv", infer_schema=False)
    keys = list(zip(lineage["source_file"], lineage["source_row"].cast(pl.Int64)))
    assert len(keys) == len(set(keys)), "an input row is in the lineage twice"
    return set(keys)


def input_keys(path: Path, rows: int) -> set[tuple[str, int]]:
    return {(str(path), row) for row in range(1, rows + 1)}


def check_master(folder: Path, keys: set[tuple[str, int]]) -> None:
    """*folder* is a whole master: its state reads back (every part run.json lists is
    there), its lineage holds exactly *keys* (no row lost, none twice), and its records
    every row not rejected."""
    from enrich.link.files import load_settings
    from enrich.master.folder import read_previous
    from enrich.ruleset import Rules

    assert master_keys(folder) == keys
    previous = read_previous(str(folder), load_settings(Rules.load(None)))
    kept = previous.lineage.filter(pl.col("status") != "rejected").height
    assert previous.records.height == kept


def digest(folder: Path) -> dict[str, str]:
    """Every file of *folder* (by name) and the SHA-256 of its bytes: an untouched folder
    gives the same."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def debris(*folders: Path) -> list[str]:
    """What an interrupted run could leave in *folders* (and one level down): temporaries,
    set-aside copies, lock files — every name starting with a dot."""
    found = []
    for folder in folders:
        for p in [folder, *(q for q in folder.iterdir() if q.is_dir())] if folder.is_dir() else []:
            found += [str(q) for q in p.iterdir() if q.name.startswith(".")]
    return sorted(found)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path):
    """``tmpfs(size="64k", read_only=False)``: a small file system mounted for this test
    (unmounted after) — or the test is skipped, saying why (mounting needs root, or a
    container that allows it)."""
    mounted = []

    def mount(size: str = "64k", read_only: bool = False) -> Path:
        if os.geteuid() != 0:
            pytest.skip("mounting a small tmpfs needs root (id -u is not 0)")
        if shutil.which("mount") is None:
            pytest.skip("no mount command here")
        where = tmp_path / f"fs{len(mounted)}"
        where.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()[:200]}")
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=TIMEOUT)


@pytest.fixture
def harness() -> SimpleNamespace:
    """This module's constants and helpers, for the test files."""
    names = [
        "ROOT",
        "CRM",
        "CRM_ROWS",
        "PURCHASED",
        "TIMEOUT",
        "copy_master",
        "master_keys",
        "input_keys",
    ]
    names += ["check_master", "digest", "debris", "one_line", "program_env", "command"]
    return SimpleNamespace(**{name: globals()[name] for name in names})
