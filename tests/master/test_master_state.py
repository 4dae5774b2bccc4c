"""enrich.master.state and .identity on small files: the manifest, the check of one file,
inputs by content."""

import pytest

from enrich.errors import InputError
from enrich.job import Input
from enrich.master import identity, state


@pytest.fixture
def written(tmp_path):
    (tmp_path / "records.parquet").write_bytes(b"PAR1 rows PAR1")
    (tmp_path / "lineage.csv").write_bytes(b"source_file,source_row\n")
    (tmp_path / "run.json").write_bytes(b"{}")
    return tmp_path


def test_the_manifest_holds_every_file_but_run_json(written):
    files = state.manifest(written)
    assert sorted(files) == ["lineage.csv", "records.parquet"]
    assert files["records.parquet"] == state.digest(b"PAR1 rows PAR1")
    known = {"lineage.csv": {"bytes": 0, "sha256": "as written"}}
    assert state.manifest(written, known=known)["lineage.csv"] == known["lineage.csv"]


def test_a_linked_file_must_be_the_bytes_read(written):
    read = state.digest(b"PAR1 rows PAR1")["sha256"]
    source = written / "previous" / "records.parquet"
    state.manifest(written, {"records.parquet": (source, read)})  # the same bytes: fine
    (written / "records.parquet").write_bytes(b"PAR1 other master PAR1")
    with pytest.raises(InputError, match="records.parquet changed while this run read it"):
        state.manifest(written, {"records.parquet": (source, read)})


def test_checked_reads_a_file_once_against_its_manifest(written):
    files = state.manifest(written)
    data, sha = state.checked(written, "records.parquet", files)
    assert data == b"PAR1 rows PAR1" and sha == files["records.parquet"]["sha256"]
    assert state.checked(written, "records.parquet", None)[0] == data  # an older master
    (written / "records.parquet").write_bytes(b"PAR1 rows")  # truncated
    with pytest.raises(state.Mismatch, match="records.parquet is not the file"):
        state.checked(written, "records.parquet", files)
    with pytest.raises(InputError, match="model.json is missing"):
        state.checked(written, "model.json", files)


def test_inputs_by_content_one_sheet_is_not_the_whole_workbook(tmp_path):
    book = tmp_path / "leads.xlsx"
    book.write_bytes(b"PK workbook")
    whole, one = Input(str(book)), Input(str(book), sheet="Dag 1")
    ids = identity.identify([whole, one, Input("-"), Input(str(tmp_path / "missing.csv"))])
    assert ids[0] == ids[1] == state.file_digest(book) and ids[2] is None and ids[3] is None
    kept, recorded, said = identity.new_inputs([whole, one], ids[:2], None)
    assert kept == [whole, one] and said == [] and recorded[1]["sheet"] == "Dag 1"
    kept, _, said = identity.new_inputs([one], ids[1:2], recorded)
    assert kept == [] and "already in the previous master" in said[0]
