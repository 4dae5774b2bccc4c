"""The caller's environment does not change what enrich does (issue #19, "the test suite
itself"): polars' allocator default, passed down by a parent process that imported polars —
once, twice, in any order, with its THP keys — is not taken for the user's own setting."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from enrich.cli import allocator_conf

OURS = "dirty_decay_ms:10000,muzzy_decay_ms:10000"
POLARS = "dirty_decay_ms:500,muzzy_decay_ms:1000"


@pytest.mark.parametrize(
    "given",
    [
        "",
        POLARS,
        f"{POLARS},{POLARS}",  # a parent and a grandparent that imported polars
        f"{POLARS},{POLARS},{POLARS}",
        "muzzy_decay_ms:1000,dirty_decay_ms:500",
        f"{POLARS},thp:always,metadata_thp:always",  # POLARS_THP=1
        f" {POLARS} ,,{POLARS},",
    ],
)
def test_polars_own_default_however_passed_down_gives_ours(given):
    assert allocator_conf(given) == OURS


@pytest.mark.parametrize(
    "given",
    ["dirty_decay_ms:1", f"{POLARS},dirty_decay_ms:1", f"{POLARS},{POLARS},narenas:2", OURS],
)
def test_a_setting_of_the_users_wins(given):
    assert allocator_conf(given) == given


def run_enrich(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`enrich *args` in a new process that first prints the allocator setting it runs with."""
    code = (
        "import sys, os; from enrich.cli import run; "
        "print(os.environ['_RJEM_MALLOC_CONF'], file=sys.stderr); run()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_program_started_under_a_parent_that_imported_polars_twice(fixtures, clean_env):
    """The check of test_cli_master's exit-code test, with the doubled value a newer polars
    passes down: enrich still runs with its own allocator setting, and leaves as documented."""
    doubled = f"{POLARS},{POLARS}"
    done = run_enrich(
        clean_env(_RJEM_MALLOC_CONF=doubled),
        "check",
        str(fixtures / "crm_export.csv"),
        "--report-format",
        "json",
        "--skip",
        "duplicate_rate",
    )
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["summary"]["files"] == 1
    # polars, imported since, wrote its default in front: the last value of each key wins
    assert done.stderr.splitlines()[0].endswith(OURS)


def test_a_real_parent_that_imported_polars(tmp_path, clean_env):
    """The real thing: a parent process imports polars (which writes its default into the
    environment) and starts enrich, which starts another: each runs with enrich's setting."""
    code = (
        "import os, subprocess, sys; import polars; "
        "child = 'import os; import enrich.cli; print(os.environ[\"_RJEM_MALLOC_CONF\"])'; "
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True,"
        " timeout=60).stdout.strip())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(OURS)


def test_a_subprocess_of_the_tests_sees_none_of_the_callers_settings(clean_env, monkeypatch):
    monkeypatch.setenv("_RJEM_MALLOC_CONF", f"{POLARS},{POLARS}")
    monkeypatch.setenv("NO_COLOR", "1")
    env = clean_env()
    assert "_RJEM_MALLOC_CONF" not in env and "NO_COLOR" not in env
    assert env["LC_ALL"] == "C.UTF-8"
