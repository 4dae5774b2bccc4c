"""No value of the data in any message or report: a unique e-mail address, phone number and
surname are planted in every bad-input fixture (fixtures/bad, copied) and every hostile file
(test_reading_hostile.py), then `enrich clean`, `enrich master` and `enrich check` (every
report format) run on each. The planted values may be in the output tables and in the
rejected rows (that is their job), never in stdout/stderr, run.json, report.html, a check
report or a reject's reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from test_reading_hostile import EMAIL, NAME, PHONE, hostile_files

from enrich.cli import main

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "bad"
_EMAILS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONES = re.compile(r"\+3[23][\d ]{8,}\d")
_NAMES = re.compile(r"Dubois|De Smet|Fournier|Roche|Lemaire|Leroy|Fontaine|Hoekske|Petits Loups")


def leaks(text: str) -> list[str]:
    """The planted values (or their normalised forms) found in *text*."""
    folded, digits = text.casefold(), re.sub(r"[\s./()+-]", "", text)
    found = [v for v in ("zq7-leak", "example.org", NAME.casefold()) if v in folded]
    return found + (["the phone"] if "470998877" in digits else [])


def plant(src: Path, folder: Path) -> Path | None:
    """A copy of fixture *src* with the planted values in place of its e-mails, phones and
    some names (appended to a binary file); None for a file without values (empty, header
    only)."""
    data = src.read_bytes()
    if src.name in ("empty.csv", "header_only.csv"):
        return None
    encoding = "utf-16" if data[:2] == b"\xff\xfe" else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin-1"
        text = data.decode(encoding)
    if "\x00" in text or data[:4] == b"PK\x03\x04" or data[:4] == b"\x89PNG":
        planted = data + f"\n{NAME};{EMAIL};{PHONE}\n".encode()
    else:
        text = _NAMES.sub(NAME, _PHONES.sub(PHONE, _EMAILS.sub(EMAIL, text)))
        assert EMAIL in text or NAME in text, src.name
        planted = text.encode(encoding)
    (folder / src.name).write_bytes(planted)
    return folder / src.name


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("planted")
    files = [p for p in (plant(f, folder) for f in sorted(BAD.iterdir())) if p]
    return files + [path for path, _ in hostile_files(folder / "..", plant=True).values()]


def invoke(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "internal error" not in result.output, (args, result.output)
    return result.exit_code, result.output


def reasons(path: Path) -> str:
    if not path.exists():
        return ""
    return "\n".join(pl.read_csv(path, infer_schema=False)["reason"].drop_nulls().to_list())


def test_every_file_holds_the_planted_values(planted):
    assert len(planted) >= 28
    for path in planted:
        data = path.read_bytes()
        values = [v.encode(e) for v in (EMAIL, NAME) for e in ("utf-8", "utf-16-le")]
        assert any(v in data for v in values) or path.suffix == ".xlsx", path.name


def test_clean_says_no_planted_value(planted, tmp_path):
    for path in planted:
        out = tmp_path / f"{path.name}.csv"
        code, said = invoke("clean", path, "-o", out)
        assert code in (0, 2), (path.name, said)
        run = out.with_suffix(".run.json")
        written = run.read_text() if run.exists() else ""
        assert not leaks(said + written), (path.name, leaks(said + written), said)
        assert not leaks(reasons(out.with_suffix(".rejects.csv"))), path.name
        if path.name == "no_header.csv":  # the planted row is in the output: the test holds
            assert EMAIL in out.read_text()


def test_master_says_no_planted_value(planted, tmp_path):
    for path in planted:
        out = tmp_path / path.name
        code, said = invoke("master", path, "-o", out)
        assert code in (0, 2), (path.name, said)
        reports = [out / "run.json", out / "report.html"]
        written = "".join(p.read_text() for p in reports if p.exists())
        assert not leaks(said + written), (path.name, leaks(said + written))
        for table in ("rejects.csv", "lineage.csv"):
            if (out / table).exists() and "reason" in pl.read_csv(out / table, n_rows=0).columns:
                assert not leaks(reasons(out / table)), (path.name, table)


def test_check_reports_no_planted_value(planted, tmp_path):
    """`enrich check` itself (human report) on every file, and the same results rendered in
    every report format."""
    from enrich.check import output
    from enrich.check.run import check_files, plan

    checks = plan()
    for path in planted:
        out = tmp_path / f"{path.name}.txt"
        code, said = invoke("check", path, "-o", out)
        assert code in (0, 1, 2), (path.name, said)
        written = out.read_text() if out.exists() else ""
        assert not leaks(said + written), (path.name, leaks(said + written))
        lines: list[str] = []
        results, unreadable, headers = check_files([str(path)], checks, lines.append)
        for fmt in ("human", "json", "junit", "github"):
            text = output.render(fmt, results, unreadable, 10, headers, False)
            assert not leaks(text + "\n".join(lines)), (path.name, fmt)
