"""`-o -`: the table on standard output, everything else on stderr, no row lost silently;
a closed pipe ends quietly (exit 141); folder outputs refuse '-'."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from enrich.registry.index import build
from tests.conftest import FIXTURES

DEMO = [FIXTURES / f for f in ("crm_export.csv", "purchased_list_fr.csv")]
RAGGED = FIXTURES / "bad" / "ragged.csv"


def read(stdout: bytes | str) -> pl.DataFrame:
    data = stdout.encode() if isinstance(stdout, str) else stdout
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def test_clean_to_stdout_is_the_file_output(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    piped = run_cli("clean", *DEMO, "-o", "-")
    assert piped.exit_code == 0, piped.stderr
    assert run_cli("clean", *DEMO, "-o", tmp_path / "file.csv", "-q").exit_code == 0
    assert read(piped.stdout).equals(pl.read_csv(tmp_path / "file.csv", infer_schema=False))
    assert "100 out" not in piped.stdout and "rows in" in piped.stderr  # summaries on stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "file.csv",
        "file.rejects.csv",
        "file.run.json",
    ]  # no file named '-', '-.rejects.csv', '-.run.json'


def test_clean_to_stdout_says_the_rejects_it_did_not_write(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    on_file = run_cli("clean", RAGGED, "-o", tmp_path / "r.csv", "-q")
    rejected = pl.read_csv(tmp_path / "r.rejects.csv", infer_schema=False).height
    assert rejected > 0
    quiet = run_cli("clean", RAGGED, "-o", "-", "-q")  # said even when quiet
    assert quiet.exit_code == on_file.exit_code == 0
    assert quiet.stderr.strip() == (
        f"-o -: {rejected} rejected rows not written: give --rejects FILE"
    )
    assert read(quiet.stdout).height == pl.read_csv(tmp_path / "r.csv").height
    kept = run_cli("clean", RAGGED, "-o", "-", "-q", "--rejects", tmp_path / "kept.csv")
    assert kept.exit_code == 0 and kept.stderr == ""
    assert pl.read_csv(tmp_path / "kept.csv").height == rejected
    assert not (tmp_path / "kept.run.json").exists() and not Path("-").exists()
    strict = run_cli("clean", RAGGED, "-o", "-", "-q", "--strict")
    assert strict.exit_code == 1 and "rejected" in strict.stderr


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_binary_formats_to_a_pipe(run_cli, tmp_path, fmt):
    piped = run_cli("clean", *DEMO, "-o", "-", "--format", fmt, "-q")
    assert piped.exit_code == 0, piped.stderr
    assert run_cli("clean", *DEMO, "-o", tmp_path / f"file.{fmt}", "-q").exit_code == 0
    data = io.BytesIO(piped.stdout_bytes)
    if fmt == "parquet":
        assert pl.read_parquet(data).equals(pl.read_parquet(tmp_path / "file.parquet"))
    else:
        back = pl.read_excel(data, infer_schema_length=0)
        assert back.equals(pl.read_excel(tmp_path / "file.xlsx", infer_schema_length=0))
        assert back.height == 100 and back["postcode"].str.starts_with("0").any()
    rejected = pl.read_csv(tmp_path / "file.rejects.csv").height
    assert piped.stderr == f"-o -: {rejected} rejected rows not written: give --rejects FILE\n"


def test_binary_formats_never_to_a_terminal(clean_env, tmp_path):
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "enrich", "clean", DEMO[0], "-o", "-", "--format", "parquet"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=clean_env(),
        timeout=120,
    )
    os.close(follower)
    os.close(leader)
    assert done.returncode == 2
    assert b"-o - with --format parquet: not to a terminal" in done.stderr


def test_dedupe_records_to_stdout(run_cli, tmp_path):
    folder = run_cli("dedupe", *DEMO, RAGGED, "-o", tmp_path / "d", "-q")
    assert folder.exit_code == 0, folder.output
    piped = run_cli("dedupe", *DEMO, RAGGED, "-o", "-", "-q")
    assert piped.exit_code == 0, piped.stderr
    records = pl.read_csv(tmp_path / "d" / "records.csv", infer_schema=False)
    assert read(piped.stdout).equals(records)
    rejected = pl.read_csv(tmp_path / "d" / "rejects.csv").height
    review = pl.read_csv(tmp_path / "d" / "review.csv").height
    assert f"-o -: {rejected} rejected rows not written" in piped.stderr
    assert (f"-o -: {review} review pairs not written" in piped.stderr) == (review > 0)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("registry") / "index"
    build(
        out,
        kbo_zip=str(FIXTURES / "registry" / "KboOpenData_0140_2025_10_05_Full.zip"),
        sirene_units=str(FIXTURES / "registry" / "StockUniteLegale_utf8.zip"),
        sirene_establishments=str(FIXTURES / "registry" / "StockEtablissement_utf8.csv"),
    )
    return out


def test_attach_to_stdout(run_cli, index, tmp_path):
    args = ("attach", *DEMO, RAGGED, "--registry", index, "-q")
    on_file = run_cli(*args, "-o", tmp_path / "a.csv")
    assert on_file.exit_code == 0, on_file.output
    piped = run_cli(*args, "-o", "-")
    assert piped.exit_code == 0, piped.stderr
    assert read(piped.stdout).equals(pl.read_csv(tmp_path / "a.csv", infer_schema=False))
    rejected = pl.read_csv(tmp_path / "a.rejects.csv").height
    assert f"-o -: {rejected} rejected rows not written" in piped.stderr


def test_profile_to_stdout(run_cli, tmp_path):
    orders = FIXTURES / "orders"
    master = tmp_path / "m"
    assert run_cli("master", orders / "customers_webshop.csv", "-o", master, "-q").exit_code == 0
    args = ("profile", orders / "orders_webshop.csv", "--master", master, "--as-of", "2026-04-30")
    on_file = run_cli(*args, "-o", tmp_path / "p", "-q")
    assert on_file.exit_code == 0, on_file.output
    piped = run_cli(*args, "-o", "-", "-q")
    assert piped.exit_code == 0, piped.stderr
    assert read(piped.stdout).equals(
        pl.read_csv(tmp_path / "p" / "profiles.csv", infer_schema=False)
    )
    unmatched = pl.read_csv(tmp_path / "p" / "unmatched_orders.csv").height
    assert unmatched and f"-o -: {unmatched} unmatched order lines not written" in piped.stderr


@pytest.mark.parametrize("command", ["master", "export", "erase", "registry build"])
def test_folder_outputs_refuse_stdout(run_cli, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    given = {
        "master": [DEMO[0]],
        "export": [tmp_path],
        "erase": [tmp_path, "--email", "x@example.be"],
        "registry build": [],
    }[command]
    result = run_cli(*command.split(), *given, "-o", "-")
    assert result.exit_code == 2
    assert "'-' (standard output) takes one table" in result.stderr
    assert "give a folder name" in result.stderr and not list(tmp_path.iterdir())


def test_check_report_to_stdout(run_cli):
    result = run_cli("check", DEMO[0], "--report-format", "json", "-o", "-")
    assert '"results"' in result.stdout and not Path("-").exists()


def test_a_closed_pipe_ends_quietly(clean_env, tmp_path):
    """`enrich clean big.csv -o - | head -1`: 20 000 rows fill the pipe; the reader leaves
    after one line; enrich exits 141 without a word on stderr."""
    crm = pl.read_csv(FIXTURES / "crm_export.csv", infer_schema=False)
    big = pl.concat([crm] * (20_000 // crm.height + 1)).head(20_000)
    big.write_csv(tmp_path / "big.csv")
    proc = subprocess.Popen(
        [sys.executable, "-m", "enrich", "clean", tmp_path / "big.csv", "-o", "-", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        cwd=tmp_path,
    )
    assert proc.stdout.readline().startswith(b"source_file,source_row,")
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 141
    assert err == b""  # no BrokenPipeError, no traceback, no "internal error"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "home"]
