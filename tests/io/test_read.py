import gzip
import io
import json

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.io.read import decode, read, read_bytes, sniff_delimiter


def rows(table):
    return table.frame.drop("source_row").rows()


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16-le", b"\xff\xfe")],
)
def test_encodings_detected_and_accents_right(encoding, bom):
    text = "Société;Ville;Prénom\r\nCrèche Œuvre;Liège;Hélène\r\n"
    table = read_bytes(bom + text.encode(encoding), "x.csv")[0]
    assert table.frame.columns[1:] == ["Société", "Ville", "Prénom"]
    assert rows(table) == [("Crèche Œuvre", "Liège", "Hélène")]


def test_cp1252_is_not_mistaken_for_utf8():
    _, enc = decode("Dénomination;N° TVA\n".encode("cp1252"), "x")
    assert enc == "cp1252"


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiter_detected(delim):
    data = (
        delim.join(["Company", "City", "Email"])
        + "\n"
        + delim.join(['"Dupont, Fils"', "Gent", "a@b.be"])
        + "\n"
    )
    table = read_bytes(data.encode(), "x.csv")[0]
    assert table.info["delimiter"] == delim
    assert rows(table) == [("Dupont, Fils", "Gent", "a@b.be")]


def test_sniffer_prefers_consistent_split_over_frequent_character():
    sample = "Nom;Adresse;Ville\nDupont;Rue X, 12;Liège\nMartin;Av. Y, 3;Namur\n"
    assert sniff_delimiter(sample) == ";"


def test_values_stay_strings_with_leading_zeros():
    table = read_bytes(b"VAT,Postcode\n0403170701,01000\n", "x.csv")[0]
    assert rows(table) == [("0403170701", "01000")]
    assert all(
        dtype == pl.String for name, dtype in table.frame.schema.items() if name != "source_row"
    )


def test_embedded_newlines_and_blank_lines_keep_spreadsheet_row_numbers():
    data = b'Name,Street\n"A","Rue X\n2e etage"\n\n"B",Y\n'
    table = read_bytes(data, "x.csv")[0]
    assert table.frame["source_row"].to_list() == [1, 2, 3]
    assert table.frame.row(0)[1:] == ("A", "Rue X\n2e etage")
    assert table.frame.row(1)[1:] == ("", "")  # the blank line: rejected later as an empty row


def test_ragged_row_rejected_with_row_number_and_short_row_padded():
    data = b"a;b;c\n1;2;3\n4;5;6;7\n8;9\n"
    table = read_bytes(data, "x.csv")[0]
    assert table.frame["source_row"].to_list() == [1, 3]
    assert rows(table) == [("1", "2", "3"), ("8", "9", "")]
    assert table.rejects == [
        {
            "source_row": 2,
            "column": None,
            "reason": "ragged row: more fields than the 3 of the header",
        }
    ]
    assert table.rows_in == 3


def test_trailing_empty_fields_are_not_ragged():
    table = read_bytes(b"a;b\n1;2;\n", "x.csv")[0]
    assert table.rejects == [] and rows(table) == [("1", "2")]


def test_huge_field_rejected_not_truncated():
    data = b"Company,Notes\nA," + b"x" * 40_000 + b"\nB,ok\n"
    table = read_bytes(data, "x.csv")[0]
    assert rows(table) == [("B", "ok")]
    assert table.rejects[0]["source_row"] == 1 and table.rejects[0]["column"] == "Notes"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image)"),
        (b"abc\x00\x01\x02def\x00\x00zz" * 50, "binary file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old binary Office file"),
    ],
)
def test_bad_files_give_one_line_errors(data, message):
    with pytest.raises(InputError) as exc:
        read_bytes(data, "bad.csv")
    assert message in str(exc.value) and str(exc.value).startswith("bad.csv: ")
    assert "\n" not in str(exc.value)


def test_explicit_unknown_or_wrong_encoding():
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_bytes(b"a,b\n1,2\n", "x.csv", encoding="klingon")
    with pytest.raises(InputError, match="not valid utf-8 at line 2"):
        read_bytes("a,b\nCrèche,2\n".encode("cp1252"), "x.csv", encoding="utf-8")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read(str(tmp_path / "nope.csv"))
    with pytest.raises(InputError, match="is a directory"):
        read(str(tmp_path))


def test_gzip_transparent():
    table = read_bytes(gzip.compress(b"Company;City\nA;Gent\n"), "x.csv.gz")[0]
    assert rows(table) == [("A", "Gent")]


def test_json_and_ndjson_values_as_strings():
    records = [
        {"Company": "A", "VAT": "0403170701", "Employees": 12, "Tags": ["x"]},
        {"Company": "B", "Active": True},
    ]
    for data in (json.dumps(records).encode(), "\n".join(json.dumps(r) for r in records).encode()):
        table = read_bytes(data, "x.json")[0]
        assert table.frame.columns == [
            "source_row",
            "Company",
            "VAT",
            "Employees",
            "Tags",
            "Active",
        ]
        assert table.frame.row(0) == (1, "A", "0403170701", "12", '["x"]', "")
        assert table.frame.row(1)[-1] == "true"


def test_broken_json_names_the_line():
    with pytest.raises(InputError, match=r"x.json: invalid JSON at line 2"):
        read_bytes(b'[{"a": 1},\n{"a": ]', "x.json")


def test_parquet_cast_to_strings():
    buf = io.BytesIO()
    pl.DataFrame({"Company": ["A"], "Postcode": [1000], "When": [None]}).write_parquet(buf)
    table = read_bytes(buf.getvalue(), "x.parquet")[0]
    assert rows(table) == [("A", "1000", "")]


def test_xlsx_all_sheets_or_one(tmp_path):
    import xlsxwriter

    path = tmp_path / "leads.xlsx"
    book = xlsxwriter.Workbook(path)
    for name, value in (("Dag 1", "A"), ("Dag 2", "B")):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, ["Bedrijfsnaam", "Postcode"])
        sheet.write_row(1, 0, [value, 9000])
        sheet.write_row(3, 0, [value + "2", "01000"])  # row 2 left empty
    book.add_worksheet("Leeg")
    book.close()
    tables = read(str(path))
    assert [t.name for t in tables] == [f"{path}#Dag 1", f"{path}#Dag 2"]
    assert tables[0].frame.rows() == [(1, "A", "9000"), (2, "", ""), (3, "A2", "01000")]
    assert [t.name for t in read(str(path), sheet="Dag 2")] == [f"{path}#Dag 2"]
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        read(str(path), sheet="Nope")


def test_not_an_xlsx_and_truncated_xlsx(tmp_path):
    with pytest.raises(InputError, match="not a valid XLSX workbook"):
        read_bytes(b"just text, really", "fake.xlsx")
    import xlsxwriter

    path = tmp_path / "ok.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet().write_row(0, 0, ["Company"] * 3)
    book.close()
    data = path.read_bytes()
    with pytest.raises(InputError, match="not a valid XLSX workbook"):
        read_bytes(data[: len(data) // 2], "half.xlsx")


def test_title_lines_above_the_table_are_skipped_and_reported():
    data = "Export contacts du 12/03/2024;;\n\nSociété;Ville;CP\nCrèche;Liège;4000\n".encode(
        "cp1252"
    )
    table = read_bytes(data, "x.csv")[0]
    assert table.frame.columns == ["source_row", "Société", "Ville", "CP"]
    assert rows(table) == [("Crèche", "Liège", "4000")] and table.rejects == []
    assert table.info["lines_before_header"] == 2


def test_excel_sep_hint_line():
    table = read_bytes(b"sep=;\r\nNom;Ville\r\nDupont, Fils;Gent\r\n", "x.csv")[0]
    assert table.info["delimiter"] == ";" and rows(table) == [("Dupont, Fils", "Gent")]


def test_xlsx_title_rows_above_the_table(tmp_path):
    import xlsxwriter

    path = tmp_path / "export.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Contacts")
    sheet.write(0, 0, "Export CRM du 12/03/2024")
    sheet.write_row(2, 0, ["Société", "Code postal", "E-mail"])
    sheet.write_row(3, 0, ["Crèche", "4000", "a@b.be"])
    book.close()
    table = read(str(path))[0]
    assert table.frame.columns == ["source_row", "Société", "Code postal", "E-mail"]
    assert table.frame.rows() == [(1, "Crèche", "4000", "a@b.be")]
    assert table.info["lines_before_header"] == 2
