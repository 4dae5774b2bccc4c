"""Shared test helpers: paths to the real-layout fixtures and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def run_cli():
    """Run `enrich ...` in-process; returns the click Result (exit_code, stdout, stderr)."""
    from enrich.cli import main

    def run(*args: str, input: bytes | None = None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess a test starts: built from nothing, not the caller's
    (no allocator, colour, locale or Python settings of whoever runs the tests), with this
    checkout first on the path. *extra* adds what the test itself means to set."""
    return {
        "PATH": os.defpath,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
        **extra,
    }


@pytest.fixture
def clean_env(tmp_path):
    """``clean_env(**extra)``: a clean environment for a subprocess (see clean_environment)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return lambda **extra: clean_environment(home, **extra)


@pytest.fixture(autouse=True)
def _no_caller_settings(monkeypatch, tmp_path_factory):
    """In-process tests see none of the caller's settings that change what enrich prints,
    nor the caller's secret key: a key file, if one is needed, is made in a folder of the
    test session's (``enrich.consent.keys``)."""
    for name in (
        "NO_COLOR",
        "_RJEM_MALLOC_CONF",
        "POLARS_THP",
        "ENRICH_SECRET_KEY",
        "ENRICH_KEY_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "config"))
