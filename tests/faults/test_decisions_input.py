"""A steward's decisions file (issue #19): read liberally — any case, French, Dutch, English
and German words, a yes/no column, the encodings and delimiters of the contact reader,
Excel's row numbers — and accounted for strictly: every row applied, not applied with the
reason, left blank or unreadable, by row number, in run.json and said; no value of the file
in any message."""

from __future__ import annotations

import json

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.link.decision_file import read_decision_file

HEADER = "level;source_file_l;source_row_l;source_file_r;source_row_r;decision"
PLANTED = "zoe.planted@example.org"  # a value that must appear in no message


def write(tmp_path, lines: list[str], encoding: str = "utf-8", name: str = "d.csv"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return str(path)


@pytest.mark.parametrize(
    "word, decision",
    [
        ("Match", "match"),
        ("MATCH", "match"),
        ("No match", "no_match"),
        ("NO_MATCH", "no_match"),
        ("no-match", "no_match"),
        ("oui", "match"),
        ("Même ?", "match"),
        ("doublon", "match"),
        ("Zelfde", "match"),
        ("ja", "match"),
        ("Nee", "no_match"),
        ("niet", "no_match"),
        ("différent", "no_match"),
        ("Autre", "no_match"),
        ("yes", "match"),
        ("no", "no_match"),
        ("Gleich", "match"),
        ("nein", "no_match"),
    ],
)
def test_a_decision_in_any_case_and_language(tmp_path, word, decision):
    path = write(tmp_path, [HEADER, f"Company;a.csv;1;a.csv;2;{word}"], encoding="cp1252")
    read = read_decision_file(path)
    assert read.decided.select("level", "decision").rows() == [("company", decision)]
    assert read.unreadable == {} and read.blank == 0


def test_a_yes_no_column_levels_in_other_words_and_excel_row_numbers(tmp_path):
    path = write(
        tmp_path,
        [
            "Level,Source_File_L,Source_Row_L,Source_File_R,Source_Row_R,Same?",
            "société,a.csv,1.0,b.csv,3,Oui",
            "Contact,a.csv,2,b.csv,4.0,non",
            "bedrijf,a.csv,5,b.csv,6,",
        ],
    )
    read = read_decision_file(path)
    assert read.decided.sort("decision_row").select(
        "level", "source_row_l", "source_row_r", "decision", "decision_row"
    ).rows() == [("company", 1, 3, "match", 1), ("contact", 2, 4, "no_match", 2)]
    assert read.blank == 1 and read.rows == 3


def test_every_row_is_accounted_for_and_no_value_is_said(tmp_path):
    path = write(
        tmp_path,
        [
            HEADER,
            "company;a.csv;1;a.csv;2;match",  # 1: a decision
            f"company;a.csv;3;a.csv;4;match;{PLANTED}",  # 2: ragged: a field too many
            f"company;a.csv;{PLANTED};a.csv;4;match",  # 3: not a row number
            f"company;a.csv;5;a.csv;6;{PLANTED}",  # 4: not a word the rules know
            "department;a.csv;5;a.csv;6;match",  # 5: not a level
            "company;;5;a.csv;6;match",  # 6: no file
            "company;a.csv;7;a.csv;7;match",  # 7: a row with itself
            "company;a.csv;-2;a.csv;7;match",  # 8: not a row number
            "company;a.csv;12.5;a.csv;7;match",  # 9: not a row number
            "company;a.csv;8;a.csv;9;",  # 10: blank
            "company;a.csv;2;a.csv;1;no match",  # 11: row 1's pair, the other way round
        ],
    )
    read = read_decision_file(path)
    reading = read.reading()
    assert reading["rows"] == 11 and reading["decisions"] == 1 and reading["blank"] == 1
    assert reading["decided_again"] == [1]
    unreadable = reading["unreadable"]
    assert unreadable["source_row_l is not a row number"] == [3, 8, 9]
    assert unreadable["the decision is not a word of rules/decisions.toml [words]"] == [4]
    assert unreadable["source_file_l is empty"] == [6]
    assert unreadable["a row paired with itself"] == [7]
    assert [rows for reason, rows in unreadable.items() if reason.startswith("ragged")] == [[2]]
    assert [rows for reason, rows in unreadable.items() if "level" in reason] == [[5]]
    counted = reading["decisions"] + reading["blank"] + len(reading["decided_again"])
    assert counted + sum(map(len, unreadable.values())) == reading["rows"]
    assert read.decided.select("source_row_l", "source_row_r", "decision").rows() == [
        (1, 2, "no_match")
    ]  # the later row wins
    assert PLANTED not in json.dumps(reading)


def test_a_file_that_is_not_a_decisions_file_is_refused_by_its_missing_columns(tmp_path):
    path = write(tmp_path, ["level;left;right;decision", f"company;{PLANTED};x;match"])
    with pytest.raises(InputError) as refused:
        read_decision_file(path)
    assert "missing source_file_l, source_row_l" in str(refused.value)
    assert PLANTED not in str(refused.value)


def test_a_stewards_rules_add_words(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "decisions.toml").write_text('[words]\nmatch = ["zelfde firma"]\n')
    from enrich.ruleset import Rules

    path = write(
        tmp_path, [HEADER, "company;a.csv;1;a.csv;2;Zelfde firma", "company;a.csv;1;a.csv;3;oui"]
    )
    read = read_decision_file(path, Rules.load(str(tmp_path / "rules")))
    assert read.decided["decision"].to_list() == ["match", "match"]


def test_master_accounts_for_every_row_of_the_decisions_file(run_cli, fixtures, tmp_path):
    """`enrich master --decisions`: applied, not applied (a cannot-link rule; a row the master
    does not hold; decided again), blank, unreadable — each by row, in run.json and said."""
    crm = str(fixtures / "crm_export.csv")
    # De Smet (1) and Dupont (3): two valid VAT numbers, a match the rules forbid
    path = write(
        tmp_path,
        [
            HEADER,
            f"Contact;{crm};26;{crm};27;Même",  # 1 applied
            f"company;{crm};1;{crm};3;MATCH",  # 2 kept apart
            f"company;{crm};1;{crm};999;nee",  # 3 a row the master does not hold
            f"company;{crm};5;{crm};6;{PLANTED}",  # 4 unreadable: the word
            f"company;{crm};5;{crm};6;no;{PLANTED}",  # 5 unreadable: ragged
            f"company;{crm};{PLANTED};{crm};6;no",  # 6 unreadable: the row
            f"company;{crm};7;{crm};8;",  # 7 blank
            f"company;{crm};9;{crm};10;yes",  # 8 decided again by 9
            f"company;{crm};10;{crm};9;No match",  # 9 applied
        ],
        encoding="cp1252",
    )
    result = run_cli("master", crm, "-o", tmp_path / "m", "--decisions", path)
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if line.startswith("decisions ")]
    assert said and said[0].startswith(
        f"decisions {path}: 9 rows: 2 applied, 1 blank, 3 not applied"
    )
    assert PLANTED not in result.output
    outcome = json.loads((tmp_path / "m" / "run.json").read_text())["master"]["decisions_file"]
    assert outcome["applied"] == 2 and outcome["blank"] == 1
    assert outcome["not_applied"] == {
        "decided again by a later row (the later one counts)": [8],
        "kept apart: a cannot-link rule (e.g. two different valid VAT numbers) is stronger": [2],
        "names a row the master does not hold": [3],
    }
    assert sorted(r for rows in outcome["unreadable"].values() for r in rows) == [4, 5, 6]
    assert PLANTED not in (tmp_path / "m" / "run.json").read_text()
    every = outcome["applied"] + outcome["blank"]
    every += sum(map(len, outcome["not_applied"].values()))
    every += sum(map(len, outcome["unreadable"].values()))
    assert every == outcome["rows"] == 9
    lineage = pl.read_csv(tmp_path / "m" / "lineage.csv", infer_schema=False)
    row = {
        r: lineage.filter(pl.col("source_row") == str(r)).row(0, named=True) for r in (1, 3, 26, 27)
    }
    assert row[26]["contact_id"] == row[27]["contact_id"]  # the applied "Même"
    assert row[1]["company_id"] != row[3]["company_id"]


def test_a_stewards_own_yes_no_column_beside_reviews_empty_decision(tmp_path):
    path = write(
        tmp_path,
        [
            HEADER + ";match_probability;doublon ?",
            "company;a.csv;1;a.csv;2;;0.61;ja",
            "company;a.csv;3;a.csv;4;;0.55;",
        ],
    )
    read = read_decision_file(path)
    assert read.decided.select("source_row_l", "decision").rows() == [(1, "match")]
    assert read.blank == 1


def test_a_decisions_workbook_from_excel(tmp_path):
    """review.csv opened in Excel, filled in French and saved as a workbook."""
    pl.DataFrame(
        {
            "Level": ["Entreprise", "company"],
            "source_file_l": ["a.csv", "a.csv"],
            "source_row_l": [1, 2],
            "source_file_r": ["b.csv", "b.csv"],
            "source_row_r": [3, 4],
            "Décision": ["Oui", "Non"],
        }
    ).write_excel(tmp_path / "d.xlsx")
    read = read_decision_file(str(tmp_path / "d.xlsx"))
    assert read.decided.select("level", "source_row_l", "decision").rows() == [
        ("company", 1, "match"),
        ("company", 2, "no_match"),
    ]
