"""Shared test helpers: paths to the real-layout fixtures and a CLI runner."""

from __future__ import annotations

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
