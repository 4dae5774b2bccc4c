import os
import stat

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enrich.errors import InputError
from enrich.io.write import check_not_input, neutralise, write_table
from enrich.normalise.text import looks_like_formula


def test_formula_cells_neutralised_numbers_and_phones_kept():
    frame = pl.DataFrame(
        {
            "v": [
                '=HYPERLINK("x")',
                "+cmd|' /C calc'!A0",
                "-2+3",
                "@SUM(A1)",
                "\t=1",
                "+32 2 512 34 56",
                "-12.5",
                "Dupont",
            ]
        }
    )
    assert neutralise(frame)["v"].to_list() == [
        '\'=HYPERLINK("x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "+32 2 512 34 56",
        "-12.5",
        "Dupont",
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(alphabet="=+-@\t\r 0123456789.,()/ abcAB|!", max_size=8)),
        min_size=1,
        max_size=30,
    )
)
def test_formula_guard_is_the_cell_test_on_every_column_and_leaves_the_input(cells):
    """The guard (two steps: first character, then the number test on those cells only,
    written in place) gives what the one-cell test gives, in every column, and never
    touches the caller's frame."""
    frame = pl.DataFrame(
        {
            "a": cells,
            "b": list(reversed(cells)),
            "flag": [i % 2 == 0 for i in range(len(cells))],
            "n": list(range(len(cells))),
        },
        schema_overrides={"a": pl.String, "b": pl.String},
    )
    before = frame.clone()
    out = neutralise(frame)
    assert frame.equals(before)
    for c in ("a", "b"):
        expected = frame.select(
            pl.when(looks_like_formula(pl.col(c)))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
        ).to_series()
        assert out[c].to_list() == expected.to_list()
    assert out["flag"].to_list() == [
        "true" if i % 2 == 0 else "false" for i in range(len(cells))
    ] and out["n"].equals(frame["n"])


def test_atomic_write_leaves_no_temp_and_excel_bom(tmp_path):
    frame = pl.DataFrame({"a": ["é"], "ok": [True]})
    write_table(frame, tmp_path / "x.csv", excel=True)
    assert (tmp_path / "x.csv").read_bytes() == "\ufeffa,ok\né,true\n".encode()
    write_table(frame, tmp_path / "x.parquet")
    assert pl.read_parquet(tmp_path / "x.parquet").equals(frame)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x.parquet"]
    # the temporary file is private, the written one has the permissions of any new file
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "x.csv").stat().st_mode) == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "x.csv"
    target.write_text("old")

    def disk_full(self, fh, **kwargs):
        fh.write(b"half a fi")
        raise OSError("No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", disk_full)
    with pytest.raises(InputError, match="cannot write: no space left"):  # exit 2, one line
        write_table(pl.DataFrame({"a": ["b"]}), target)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_refuses_to_overwrite_input(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("a\n")
    with pytest.raises(InputError, match="refusing to overwrite"):
        check_not_input([tmp_path / "." / "in.csv"], [str(src)])
