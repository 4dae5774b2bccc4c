"""Hostile files a reader meets: each is read cleanly, or refused with one line and exit 2 —
never exit 3, never a hang, never a value lost without a reject.

The files are built here in the layouts real tools write: French Excel's "CSV (séparateur:
point-virgule)" (cp1252, ``;``, CRLF) with accented French and Dutch names. The same builder
(:func:`hostile_files`) plants a unique e-mail, phone and name in each file for the privacy
tests (test_privacy_planted.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.io.read import read, read_bytes

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PHONE, NAME = "zq7-leak@example.org", "+32 470 99 88 77", "Zyxwvutski"
HEADER = ["Nom", "Prénom", "Société", "E-mail", "Téléphone", "Code postal", "Ville"]
ROWS = [
    ["Lefèvre", "Hélène", "Cabinet Lefèvre & Associés", "h.lefevre@cabinet-lefevre.fr",
     "+33 4 72 10 20 30", "69002", "Lyon"],
    ["Peeters", "Griet", "Bakkerij Peeters", "griet@bakkerij-peeters.be", "+32 9 223 45 67",
     "9000", "Gent"],
    ["Renard", "Nathalie", "Crèche Les Petits Loups ASBL", "direction@petitsloups.be",
     "+32 81 22 33 44", "5000", "Namur"],
    ["Dubois", "Thierry", "Garage Dubois SRL", "t.dubois@garagedubois.be", "+32 65 31 45 67",
     "7000", "Mons"],
    ["Vandenberghe", "Koen", "Vandenberghe Logistics BV", "koen@vdb-logistics.be",
     "+32 3 776 54 32", "2000", "Antwerpen"],
    ["Lambert", "Hélène", "Dupont, Fils & Cie SA", "h.lambert@dupont-fils.be", "+32 4 223 11 22",
     "4000", "Liège"],
]  # fmt: skip
PLANTED = [NAME, "Zoé", f"Établissements {NAME}", EMAIL, PHONE, "1050", "Ixelles"]


def excel_csv(rows: list[list[str]], header: list[str] = HEADER, *, eol: str = "\r\n") -> str:
    """The text of a French Excel CSV export (encode it as cp1252)."""
    return "".join(";".join(r) + eol for r in [header, *rows])


def planted_rows(plant: bool) -> list[list[str]]:
    """The demo rows, the third replaced by the planted one when *plant*."""
    return [PLANTED if plant and i == 2 else r for i, r in enumerate(ROWS)]


def hostile_files(folder: Path, plant: bool = False) -> dict[str, tuple[Path, int]]:
    """Every hostile file: name → (path, the exit code of `enrich clean` on it). With
    *plant*, each holds the planted e-mail, phone and name in a hostile place."""
    rows = planted_rows(plant)
    bad = PLANTED if plant else ROWS[2]
    files: dict[str, tuple[bytes, int]] = {}
    # a value past the header's last column, after empty fields
    past = ";".join(bad[:3]) + ";;;;;;;" + bad[3] + "\r\n"
    files["value_past_empty_fields.csv"] = (
        (excel_csv(rows[:2]) + past + excel_csv(rows[3:])[len(";".join(HEADER)) + 2 :]).encode(
            "cp1252"
        ),
        0,
    )
    # lone CRs among CRLF and LF line ends
    text = (
        ";".join(HEADER)
        + "\r\n"
        + "".join(";".join(r) + ("\r", "\n", "\r\n")[i % 3] for i, r in enumerate(rows))
    )
    files["lone_cr_line_ends.csv"] = (text.encode("utf-8"), 0)
    # a UTF-8 export with one row pasted from a cp1252 one
    files["utf8_with_a_cp1252_row.csv"] = (
        excel_csv(rows[:2]).encode("utf-8")
        + (";".join(bad) + "\r\n").encode("cp1252")
        + excel_csv(rows[3:])[len(";".join(HEADER)) + 2 :].encode("utf-8"),
        0,
    )
    japanese = [["山田", "太郎", "株式会社テスト", bad[3], bad[4], "100-0001", "東京都千代田区"]]
    japanese += [["佐藤", "花子", "有限会社サンプル", "sato@example.jp", "03-1234-5678",
                  "530-0001", "大阪市北区"]] * 3  # fmt: skip
    files["shift_jis.csv"] = (excel_csv(japanese, ["氏名", "名", "会社名", "メール", "電話",
                                                  "郵便番号", "住所"]).encode("shift_jis"), 2)  # fmt: skip
    russian = [["Иванов", "Пётр", "ООО Ромашка", bad[3], bad[4], "101000", "Москва"]] * 4
    files["cp1251.csv"] = (
        excel_csv(russian, ["Фамилия", "Имя", "Компания", "Почта", "Телефон", "Индекс", "Город"])
        .encode("cp1251"),
        2,
    )  # fmt: skip
    # enrich's own output fed back: it has source_file and source_row columns
    own = [["leads.csv", str(i), *r] for i, r in enumerate(rows, start=1)]
    files["enrich_output.csv"] = (
        excel_csv(own, ["source_file", "source_row", *HEADER]).encode("utf-8"), 0
    )  # fmt: skip
    keys = ["last_name", "first_name", "company", "email", "phone", "postcode", "city"]
    records = [dict(zip(keys, r)) for r in rows]
    files["deep.json"] = (
        json.dumps(records[:2])[:-1].encode() + b', {"notes": ' + b"[" * 10_000
        + json.dumps(bad[3]).encode() + b"]" * 10_000 + b"}]",
        2,
    )  # fmt: skip
    records[2]["client_number"] = "HUGE"
    huge = json.dumps(records, ensure_ascii=False).replace('"HUGE"', "1" + "0" * 5000)
    files["huge_integer.json"] = (huge.encode(), 0)
    big = [*bad[:6], bad[6] + " " + "x" * 200_000]
    files["cell_of_200k_characters.csv"] = (excel_csv([big, *rows]).encode("cp1252"), 0)
    wide = HEADER + [f"Remarque {i} " + "notée au salon de Bruxelles " * 1000 for i in range(40)]
    files["header_over_1MB.csv"] = (excel_csv(rows, wide).encode("cp1252"), 0)
    lines = [json.dumps(r, ensure_ascii=False) for r in records[:2] if "client_number" not in r]
    lines += ["", "", '{"email": "' + bad[3] + '", "phone": ' + bad[4] + "}"]
    files["broken_line_5.ndjson"] = ("\n".join(lines) + "\n").encode(), 2
    escape = ["\x1b[31mNom\x1b[0m", "Prénom\x07", "Société\x1b[2J", *HEADER[3:]]
    files["escape_in_header.csv"] = (excel_csv(rows, escape).encode("cp1252"), 0)
    quote = ";".join(bad[:3]) + ';"' + bad[3] + ";" + bad[4] + "\r\n"
    files["unbalanced_quote.csv"] = (
        (excel_csv(rows[:2]) + quote + excel_csv(rows[3:])[len(";".join(HEADER)) + 2 :]).encode(
            "cp1252"
        ),
        2,
    )
    headerless = [bad, *rows] * 3  # no header: the first line holds values
    files["no_header.csv"] = ("".join(";".join(r) + "\r\n" for r in headerless).encode("cp1252"), 0)
    out = {}
    for name, (data, code) in files.items():
        (folder / name).write_bytes(data)
        out[name] = (folder / name, code)
    out["no_header.xlsx"] = (_headerless_xlsx(folder / "no_header.xlsx", headerless), 0)
    return out


def _headerless_xlsx(path: Path, rows: list[list[str]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": __import__("datetime").datetime(2025, 3, 18)})
    sheet = book.add_worksheet("Contacten")
    for i, row in enumerate(rows):
        sheet.write_row(i, 0, row)
    book.close()
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, tuple[Path, int]]:
    return hostile_files(tmp_path_factory.mktemp("hostile"))


def run_enrich(*args, timeout: int = 120) -> subprocess.CompletedProcess:
    """The program itself, in a fresh process (its real exit code), under a timeout."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    env |= {"LC_ALL": "C.UTF-8", "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "-m", "enrich.cli", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


# --- each case, read ------------------------------------------------------------------------


def test_a_value_past_empty_fields_is_a_ragged_reject(hostile):
    table = read(str(hostile["value_past_empty_fields.csv"][0]))[0]
    assert table.rows_in == len(ROWS)
    assert [r["source_row"] for r in table.rejects] == [3]
    assert table.rejects[0]["reason"] == "ragged row: more fields than the 7 of the header"
    assert table.frame["source_row"].to_list() == [1, 2, 4, 5, 6]


def test_more_fields_hidden_behind_a_quoted_line_break_are_still_seen():
    data = 'Nom;Ville\r\n"De Smet\r\nPieter";Gent;;;;x\r\nPeeters;Gent\r\n'.encode("cp1252")
    table = read_bytes(data, "x.csv")[0]
    assert [r["source_row"] for r in table.rejects] == [1]
    assert table.frame.drop("source_row").rows() == [("Peeters", "Gent")]


def test_a_lone_cr_ends_a_line(hostile):
    table = read(str(hostile["lone_cr_line_ends.csv"][0]))[0]
    assert table.rejects == []
    assert table.frame.drop("source_row").rows() == [tuple(r) for r in ROWS]
    assert table.info["lone_cr_line_ends"] == 2


def test_a_cp1252_row_in_a_utf8_file_is_read_as_cp1252_and_reported(hostile):
    table = read(str(hostile["utf8_with_a_cp1252_row.csv"][0]))[0]
    assert table.frame.drop("source_row").rows() == [tuple(r) for r in ROWS]  # accents right
    assert table.info["encoding"] == "utf-8"
    assert (table.info["lines_read_as_cp1252"], table.info["cp1252_lines"]) == (1, [4])
    assert table.info["cp1252_rows"] == [3]


def test_a_utf8_file_with_several_cp1252_rows_keeps_each_line_whole():
    encodings = ["cp1252", "utf-8", "cp1252", "utf-8", "utf-8", "cp1252"]  # lines 2 … 7
    data = (";".join(HEADER) + "\r\n").encode() + b"".join(
        (";".join(r) + "\r\n").encode(e) for r, e in zip(ROWS, encodings)
    )
    table = read_bytes(data, "x.csv")[0]
    assert table.frame.drop("source_row").rows() == [tuple(r) for r in ROWS]
    assert table.info["cp1252_lines"] == [2, 4, 7]
    assert table.info["cp1252_rows"] == [1, 3, 6]


def test_cp1252_lines_are_reported_by_row_past_title_lines_and_quoted_line_breaks():
    data = (
        "Export du 12/03/2025\r\n\r\n" + ";".join(HEADER) + "\r\n" + ";".join(ROWS[0]) + "\r\n"
    ).encode() + (";".join(ROWS[2][:2]) + ';"Crèche\r\nLes Petits Loups";' + ";".join(ROWS[2][3:])
                  + "\r\n" + ";".join(ROWS[5]) + "\r\n").encode("cp1252")  # fmt: skip
    table = read_bytes(data, "x.csv")[0]
    assert table.frame["Société"].to_list() == [
        ROWS[0][2],
        "Crèche\r\nLes Petits Loups",
        ROWS[5][2],
    ]
    assert (table.info["cp1252_lines"], table.info["cp1252_rows"]) == ([5, 7], [2, 3])


@pytest.mark.parametrize("name,guess", [("shift_jis.csv", "cp932"), ("cp1251.csv", "cp1251")])
def test_another_script_is_refused_with_a_hint(hostile, name, guess):
    with pytest.raises(InputError, match=f"perhaps {guess}.*give its encoding with --encoding"):
        read(str(hostile[name][0]))
    given = "shift_jis" if guess == "cp932" else guess
    table = read(str(hostile[name][0]), encoding=given)[0]
    assert table.frame.height == 4 and table.rejects == []


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_files_full_of_accents_are_not_refused(encoding):
    header = ["Dénomination", "Société", "Téléphone", "Prénom", "Créé le", "Activité"]
    rows = [["Crèche Œuvre", "Hôtel Élysée", "02/512.34.56", "Hélène", "12/03/2024", "Bâtiment"]]
    text = excel_csv(rows * 3, header).replace("Œ", "Oe" if encoding == "latin-1" else "Œ")
    table = read_bytes(text.encode(encoding), "x.csv")[0]
    assert table.frame.columns[1:] == header and table.frame.height == 3
    for fixture in ("purchased_list_fr.csv", "bad/latin1_pipe.csv"):
        assert read(str(ROOT / "fixtures" / fixture))[0].frame.height > 0


def test_a_source_row_column_of_the_input_is_kept_apart(hostile):
    table = read(str(hostile["enrich_output.csv"][0]))[0]
    assert table.frame.columns[:3] == ["source_row", "source_file", "source_row (2)"]
    assert table.frame["source_row (2)"].to_list() == [str(i) for i in range(1, 7)]


def test_deep_json_is_refused_and_a_huge_integer_kept_whole(hostile):
    with pytest.raises(InputError, match=r"deep.json: invalid JSON at line 1: nested too deep"):
        read(str(hostile["deep.json"][0]))
    table = read(str(hostile["huge_integer.json"][0]))[0]
    assert table.frame["client_number"].to_list() == ["", "", "1" + "0" * 5000, "", "", ""]


def test_a_200k_character_cell_rejects_its_row_only(hostile):
    table = read(str(hostile["cell_of_200k_characters.csv"][0]))[0]
    assert table.frame.columns[1:] == HEADER
    assert [(r["source_row"], r["column"]) for r in table.rejects] == [(1, "Ville")]
    assert table.frame.height == len(ROWS)


def test_a_header_line_over_1MB_is_read_whole(hostile):
    path = hostile["header_over_1MB.csv"][0]
    assert len(path.read_bytes().split(b"\r\n")[0]) > 1_000_000
    table = read(str(path))[0]
    assert table.frame.width == 1 + len(HEADER) + 40 and table.rejects == []
    assert table.frame.select(HEADER).rows() == [tuple(r) for r in ROWS]


def test_more_columns_than_a_spreadsheet_is_refused():
    with pytest.raises(InputError, match="16,385 columns, more than a spreadsheet holds"):
        read_bytes((";".join(f"c{i}" for i in range(16_385)) + "\r\n1;2\r\n").encode(), "x.csv")


def test_a_header_cell_over_the_csv_limit_is_refused_in_one_line():
    data = ("Nom;" + "N" * 140_000 + "\r\nPeeters;x\r\n").encode()
    with pytest.raises(InputError, match="cannot read the header line: a column name longer"):
        read_bytes(data, "x.csv")


def test_ndjson_errors_name_the_line_of_the_file(hostile):
    with pytest.raises(InputError, match=r"invalid JSON at line 5: Expecting value"):
        read(str(hostile["broken_line_5.ndjson"][0]))
    with pytest.raises(InputError, match=r"invalid JSON at line 4:"):
        read_bytes(b'\n\n[{"a": "1"},\n{"a": ]', "x.json")


def test_control_characters_in_headers_are_escaped(hostile):
    table = read(str(hostile["escape_in_header.csv"][0]))[0]
    assert table.frame.columns[1:4] == [
        "\\x1b[31mNom\\x1b[0m",
        "Prénom\\x07",
        "Société\\x1b[2J",
    ]
    assert not any(ch < " " for c in table.frame.columns for ch in c)


def test_an_unbalanced_quote_names_its_line_not_its_text(hostile):
    with pytest.raises(InputError) as caught:
        read(str(hostile["unbalanced_quote.csv"][0]))
    assert str(caught.value).endswith(
        "cannot parse as CSV: the record starting on line 4 is not properly quoted"
    )


@pytest.mark.parametrize("name", ["no_header.csv", "no_header.xlsx"])
def test_a_file_without_a_header_is_read_with_columns_named_by_position(hostile, name):
    table = read(str(hostile[name][0]))[0]
    assert table.frame.columns == ["source_row", *[f"column {i}" for i in range(1, 8)]]
    assert table.frame.row(0) == (1, *ROWS[2])  # the first line is row 1, not a header
    assert table.frame.height == 3 * (len(ROWS) + 1) and table.info["header"].startswith("none")


# --- the program: exit codes and messages --------------------------------------------------


def test_every_hostile_file_gives_a_clean_run_or_one_line_and_exit_2(hostile, tmp_path):
    from click.testing import CliRunner

    from enrich.cli import main

    for name, (path, code) in hostile.items():
        out = tmp_path / f"{name}.out.csv"
        result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out)])
        assert result.exit_code == code, (name, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, name
        if code == 2:
            said = [x for x in result.stderr.splitlines() if not x.startswith("stage ")]
            assert len(said) == 1, (name, result.stderr)  # the stages done before: progress
            assert not out.exists()
            continue
        kept = pl.read_csv(out, infer_schema=False).height
        rejected = pl.read_csv(tmp_path / f"{name}.out.rejects.csv", infer_schema=False).height
        run = json.loads((tmp_path / f"{name}.out.run.json").read_text())
        assert kept + rejected == sum(t["rows_in"] for t in run["files"]), name


def test_the_program_says_what_the_reader_did(hostile, tmp_path):
    said = run_enrich("clean", hostile["utf8_with_a_cp1252_row.csv"][0], "-o", tmp_path / "u.csv")
    assert said.returncode == 0
    assert b"warning: 1 line(s) not valid UTF-8, read as cp1252 (row 3)" in said.stderr
    run = json.loads((tmp_path / "u.run.json").read_text())
    assert (run["files"][0]["cp1252_lines"], run["files"][0]["cp1252_rows"]) == ([4], [3])
    said = run_enrich("clean", hostile["no_header.csv"][0], "-o", tmp_path / "n.csv")
    assert said.returncode == 0, said.stderr
    assert b"no header line: the first line holds values" in said.stderr
    cleaned = pl.read_csv(tmp_path / "n.csv", infer_schema=False)
    assert cleaned["email"].to_list()[:2] == [ROWS[2][3], ROWS[0][3]]  # mapped by content


@pytest.mark.parametrize(
    "name,message",
    [
        ("deep.json", b"invalid JSON at line 1: nested too deep"),
        ("shift_jis.csv", b"give its encoding with --encoding"),
        ("unbalanced_quote.csv", b"line 4 is not properly quoted"),
    ],
)
def test_refusals_exit_2_in_one_line(hostile, tmp_path, name, message):
    said = run_enrich("clean", hostile[name][0], "-o", tmp_path / "o.csv")
    assert said.returncode == 2 and message in said.stderr
    assert len(said.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_a_map_naming_a_value_is_refused_without_echoing_it(hostile, tmp_path):
    path = hostile["no_header.csv"][0]
    said = run_enrich("clean", path, "-o", tmp_path / "o.csv", "--map", f"{ROWS[2][3]}=email")
    assert said.returncode == 2 and b"--map names a value" in said.stderr
    assert ROWS[2][3].encode() not in said.stderr
    said = run_enrich("clean", path, "-o", tmp_path / "o.csv", "--map", "column 4=email")
    assert said.returncode == 0, said.stderr


def test_json_keyed_by_values_is_refused_without_echoing_them():
    data = json.dumps([{ROWS[0][3]: {"name": ROWS[0][0]}}]).encode()
    with pytest.raises(InputError, match="JSON keys that are values") as caught:
        read_bytes(data, "x.json")
    assert ROWS[0][3] not in str(caught.value)


def test_check_names_the_lines_of_a_file_without_a_header(tmp_path):
    rows = [[r[0], f"{i}.{r[3]}", r[4]] for i, r in enumerate(ROWS * 2)]  # 12 distinct
    rows[4][1] = "not-an-email"
    path = tmp_path / "leads.csv"
    path.write_bytes("".join(";".join(r) + "\r\n" for r in rows).encode("cp1252"))
    said = run_enrich("check", path, "--report-format", "json")
    failing = [
        e for r in json.loads(said.stdout)["results"] if r["check"].startswith("valid_email")
        for e in r["examples"]
    ]  # fmt: skip
    assert failing == [{"row": 5, "column": "column 2", "line": 5}]
