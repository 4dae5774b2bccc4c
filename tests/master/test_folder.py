"""A master folder: its golden tables read back, nothing left running, no write error lost."""

import threading
import time

import pytest

from enrich.link.files import load_settings
from enrich.master import folder

DEMO = ["crm_export.csv", "purchased_list_fr.csv"]


@pytest.fixture
def first(run_cli, fixtures, tmp_path):
    out = tmp_path / "m1"
    result = run_cli("master", *(fixtures / f for f in DEMO), "-o", out, "-q")
    assert result.exit_code == 0, result.output
    return out


def test_reading_a_previous_master_leaves_no_thread_running(first, monkeypatch):
    def slow(*args):
        time.sleep(0.5)
        return {}

    monkeypatch.setattr(folder, "_golden_tables", slow)  # were it read in the background
    before = threading.active_count()
    previous = folder.read_previous(str(first), load_settings())
    assert threading.active_count() == before  # the golden tables are the caller's to read
    assert previous.records.height > 0


def test_the_golden_tables_are_read_back_by_level(first):
    tables = folder.read_golden_tables(first)
    assert sorted(tables) == sorted(folder.TABLES)
    assert sorted(tables["contact_points"]) == ["company", "contact"]
    assert tables["companies"].height == folder.read_golden_tables(first)["companies"].height


def test_golden_tables_missing_or_damaged_are_none(first, tmp_path):
    (first / "golden_contacts.parquet").unlink()
    (first / "contacts.csv").unlink()
    assert folder.read_golden_tables(first) == {}
    assert folder.read_golden_tables(tmp_path / "nowhere") == {}


def test_a_failed_table_write_fails_the_run_and_leaves_no_folder(
    run_cli, fixtures, tmp_path, monkeypatch
):
    def failing(frame, path, *args, **kwargs):
        if str(path).endswith("lineage.csv"):
            raise OSError("disk full")
        return write_table(frame, path, *args, **kwargs)

    write_table = folder.write_table
    monkeypatch.setattr(folder, "write_table", failing)
    out = tmp_path / "m"
    try:
        result = run_cli("master", fixtures / DEMO[0], "-o", out, "-q")
        assert result.exit_code != 0
    except OSError:
        pass
    assert not out.exists()
