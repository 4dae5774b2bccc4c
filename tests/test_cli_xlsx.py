"""XLSX output for the tables a person opens: real workbooks, text cells kept text.

Read back two ways: with polars' fastexcel reader (what a script sees) and by the sheet's
XML (what Excel sees: the cell type of each cell, formulas or not)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest

from enrich.io.read import unguard
from enrich.io.write import write_table

NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
FILES = ["purchased_list_fr.csv", "crm_export.csv", "bad/formula_injection.csv"]
TEXT = ("postcode", "phone", "mobile", "vat", "siret", "siren", "external_id", "company_name")


def sheet_cells(path: Path) -> tuple[dict[str, dict[int, tuple[str | None, str]]], str]:
    """{column header: {row number: (cell type, text)}} of the first sheet, and its XML."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    root = ElementTree.fromstring(xml)
    rows: dict[int, dict[str, tuple]] = {}
    for c in root.iterfind(".//x:sheetData/x:row/x:c", NS):
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r")).groups()
        text = "".join(t.text or "" for t in c.iterfind(".//x:t", NS))
        value = c.find("x:v", NS)
        rows.setdefault(int(row), {})[col] = (
            c.get("t"),
            text or (value.text if value is not None else ""),
        )
    headers = {col: text for col, (_, text) in rows.pop(1).items()}
    by_header: dict[str, dict[int, tuple]] = {h: {} for h in headers.values()}
    for number, cells in rows.items():
        for col, cell in cells.items():
            by_header[headers[col]][number] = cell
    return by_header, xml


def test_clean_to_xlsx_keeps_text_text(run_cli, fixtures, tmp_path):
    files = [fixtures / f for f in FILES]
    assert run_cli("clean", *files, "-o", tmp_path / "out.xlsx", "-q").exit_code == 0
    assert run_cli("clean", *files, "-o", tmp_path / "out.csv", "-q").exit_code == 0
    assert not (tmp_path / "out.xlsx").read_bytes().startswith(b"source_file")  # not CSV text
    csv = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    back = pl.read_excel(tmp_path / "out.xlsx", infer_schema_length=0)
    assert back.columns == csv.columns and back.height == csv.height == 104
    # every text value as it is (the CSV's formula guard undone), none turned into a number
    expected = unguard(csv.select(TEXT))
    for name in TEXT:
        assert back[name].to_list() == expected[name].to_list(), name
    cells, xml = sheet_cells(tmp_path / "out.xlsx")
    for name in TEXT:
        kinds = {t for t, text in cells[name].values()}
        assert kinds == {"inlineStr"}, (name, kinds)
    postcodes = [text for _, text in cells["postcode"].values()]
    assert any(p.startswith("0") for p in postcodes)  # French 0xxxx postcodes
    valid = csv.with_row_index("at", offset=2).filter(pl.col("phone_status") == "valid")["at"]
    assert valid.len() > 50 and all(cells["phone"][at][1].startswith("+") for at in valid)  # E.164
    assert any(len(text) == 14 and text.isdigit() for _, text in cells["siret"].values())
    names = [text for _, text in cells["company_name"].values()]
    assert {n[0] for n in names} >= {"=", "-", "@"}  # formula-like names, written as text
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    assert 'state="frozen"' in xml and 'ySplit="1"' in xml  # header frozen
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert "<b/>" in z.read("xl/styles.xml").decode()  # a bold font for the header
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', xml)]
    assert widths and max(widths) <= 62 and min(widths) >= 6


def test_typed_cells_and_long_numbers(tmp_path):
    frame = pl.DataFrame(
        {
            "id": [12345678901234567, 42],  # 17 digits: Excel would round it
            "amount": [1.5, None],
            "day": [dt.date(2026, 3, 1), None],
            "ok": [True, False],
            "tags": [["a", "b"], []],
        }
    )
    write_table(frame, tmp_path / "t.xlsx")
    cells, _ = sheet_cells(tmp_path / "t.xlsx")
    assert cells["id"] == {2: ("inlineStr", "12345678901234567"), 3: (None, "42")}
    assert cells["amount"] == {2: (None, "1.5")}  # the null is a blank cell
    assert cells["ok"][2] == ("b", "1")
    assert cells["tags"][2] == ("inlineStr", "a, b")
    back = pl.read_excel(tmp_path / "t.xlsx")
    assert back["day"].to_list()[0] in (dt.date(2026, 3, 1), dt.datetime(2026, 3, 1))


def test_master_xlsx_beside_a_csv_master(run_cli, fixtures, tmp_path):
    """--format xlsx: the master stays CSV (what --previous reads) with companies, contacts
    and review as XLSX beside; run.json lists them; the next run links onto it."""
    out = tmp_path / "m"
    files = [fixtures / f for f in ("crm_export.csv", "purchased_list_fr.csv")]
    result = run_cli("master", *files, "-o", out, "-q", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    import json

    manifest = json.loads((out / "run.json").read_text())["manifest"]
    for name in ("companies", "contacts", "review"):
        csv = pl.read_csv(out / f"{name}.csv", infer_schema=False)
        back = pl.read_excel(out / f"{name}.xlsx", infer_schema_length=0)
        assert back.height == csv.height and back.columns == csv.columns, name
        assert f"{name}.xlsx" in manifest
    cells, _ = sheet_cells(out / "contacts.xlsx")
    assert {t for t, _ in cells["phone"].values()} == {"inlineStr"}
    nxt = run_cli(
        "master", fixtures / "salon_leads_nl.xlsx", "--previous", out, "-o", tmp_path / "m2", "-q"
    )
    assert nxt.exit_code == 0, nxt.output


def test_too_many_rows_for_a_sheet_is_one_line(tmp_path, monkeypatch):
    from enrich.errors import InputError
    from enrich.io import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(InputError, match="do not fit in an XLSX sheet"):
        write_table(pl.DataFrame({"a": ["1", "2", "3"]}), tmp_path / "t.xlsx")
    assert not list(tmp_path.iterdir())  # nothing left behind
