"""End-to-end `enrich clean` on the real-layout fixtures, and every bad-input case."""

import json

import polars as pl
import pytest

from enrich.schema import ID_STATUSES, VALUE_STATUSES

DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]


def read_out(path):
    return pl.read_csv(path, infer_schema=False)


def test_demo_inputs_every_row_accounted_for(run_cli, fixtures, tmp_path):
    out = tmp_path / "contacts.csv"
    result = run_cli("clean", *[fixtures / f for f in DEMO], "-o", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "contacts.run.json").read_text())
    table, rejects = read_out(out), read_out(tmp_path / "contacts.rejects.csv")
    assert summary["rows_in"] == table.height + rejects.height == 43 + 60 + 15 + 15
    for f in summary["files"]:
        assert f["rows_in"] == f["rows_out"] + f["rows_rejected"]
    # every input row is in exactly one of the two outputs
    keys = pl.concat(
        [table.select("source_file", "source_row"), rejects.select("source_file", "source_row")]
    )
    assert keys.is_unique().all()
    purchased = [f for f in summary["files"] if f["source_file"].endswith("purchased_list_fr.csv")][
        0
    ]
    assert (purchased["encoding"], purchased["delimiter"]) == ("cp1252", ";")
    assert purchased["reject_reasons"] == {"empty row": 2, "repeated header row": 1}
    assert (
        "N° TVA → vat" in purchased["mapping"]
        and "Raison sociale → company_name" in purchased["mapping"]
    )


def test_demo_values(run_cli, fixtures, tmp_path):
    out = tmp_path / "c.csv"
    run_cli("clean", *[fixtures / f for f in DEMO], "-o", out)
    t = read_out(out)

    def row(file, n):
        return t.filter(
            pl.col("source_file").str.ends_with(file) & (pl.col("source_row") == str(n))
        ).row(0, named=True)

    crm1 = row("crm_export.csv", 1)
    assert (crm1["vat"], crm1["id_status"], crm1["legal_form"]) == (
        "BE0403170701",
        "valid",
        "BE-SA",
    )
    p1 = row("purchased_list_fr.csv", 1)  # the same company with a wrong check digit
    assert (p1["vat"], p1["id_status"]) == ("BE0403170702", "invalid_checksum")
    # French accents decoded from cp1252, the formula cell neutralised but kept
    assert row("purchased_list_fr.csv", 38)["company_name"].startswith("'=HYPERLINK(")
    # the Excel-typed enterprise number lost its zero; the GSM typed as a number is read in BE
    d1 = row("salon_leads_nl.xlsx#Dag 1", 1)
    assert (d1["enterprise_number"], d1["mobile"], d1["country"]) == (
        "0403170701",
        "+32475123456",
        "BE",
    )
    assert row("crm_export.csv", 15)["opt_out_email"] == "true"  # "Email Opt Out"
    assert row("purchased_list_fr.csv", 43)["phone_status"] == "invalid"
    assert set(t["id_status"]) <= set(ID_STATUSES)
    for col in ("email_status", "phone_status", "mobile_status"):
        assert set(t[col]) <= set(VALUE_STATUSES), col


def test_deterministic_and_order_independent(run_cli, fixtures, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run_cli("clean", *[fixtures / f for f in DEMO], "-o", a)
    run_cli("clean", *[fixtures / f for f in DEMO], "-o", b)
    assert a.read_bytes() == b.read_bytes()
    # shuffled input rows give the same cleaned rows
    src = pl.read_csv(fixtures / "crm_export.csv", infer_schema=False)
    shuffled = src.sample(fraction=1.0, shuffle=True, seed=7)
    shuffled_path = tmp_path / "crm_shuffled.csv"
    shuffled.write_csv(shuffled_path)
    run_cli("clean", shuffled_path, "-o", tmp_path / "s.csv")
    run_cli("clean", fixtures / "crm_export.csv", "-o", tmp_path / "o.csv")
    cols = [
        c for c in read_out(tmp_path / "o.csv").columns if c not in ("source_file", "source_row")
    ]
    original = read_out(tmp_path / "o.csv").select(cols).sort(cols, nulls_last=True)
    again = read_out(tmp_path / "s.csv").select(cols).sort(cols, nulls_last=True)
    assert original.height == 43 and original.equals(again)


def test_parquet_output_and_stdin(run_cli, fixtures, tmp_path):
    out = tmp_path / "c.parquet"
    data = (fixtures / "purchased_list_fr.csv").read_bytes()
    result = run_cli("clean", "-", "-o", out, input=data)
    assert result.exit_code == 0, result.output
    t = pl.read_parquet(out)
    assert t.height == 57 and t["source_file"][0] == "<stdin>"
    assert (
        t.schema["opt_out"] == pl.Boolean and t["company_name"].str.starts_with("=").any()
    )  # raw in Parquet


def test_formula_injection_neutralised_in_csv(run_cli, fixtures, tmp_path):
    out = tmp_path / "f.csv"
    assert run_cli("clean", fixtures / "bad" / "formula_injection.csv", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "@")), cell
    t = read_out(out)
    assert t["company_name"].to_list()[0] == '\'=HYPERLINK("http://x.example","click")'
    assert "-12.5" in t["extra.Notes"].to_list()  # a number stays a number
    assert "+3225123456" in t["phone"].to_list()  # so does a phone number


@pytest.mark.parametrize(
    "name,message",
    [
        ("binary.csv", "binary file (a PNG image)"),
        ("empty.csv", "empty file"),
        ("not_really.xlsx", "not a valid XLSX workbook"),
        ("corrupt.xlsx", "not a valid XLSX workbook"),
        ("broken.json", "invalid JSON at line"),
        ("unknown_headers.csv", "no recognisable column"),
        ("missing.csv", "file not found"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(run_cli, fixtures, tmp_path, name, message):
    out = tmp_path / "o.csv"
    result = run_cli("clean", fixtures / "crm_export.csv", fixtures / "bad" / name, "-o", out)
    assert result.exit_code == 2
    lines = [x for x in result.stderr.splitlines() if not x.startswith("stage ")]  # progress
    assert len(lines) == 1 and message in lines[0] and name in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_ragged_rows_rejected_and_strict_fails(run_cli, fixtures, tmp_path):
    out = tmp_path / "r.csv"
    result = run_cli("clean", fixtures / "bad" / "ragged.csv", "-o", out)
    assert result.exit_code == 0
    rejects = read_out(tmp_path / "r.rejects.csv")
    assert rejects["source_row"].to_list() == ["3"] and rejects["reason"][0].startswith(
        "ragged row"
    )
    assert run_cli("clean", fixtures / "bad" / "ragged.csv", "-o", out, "--strict").exit_code == 1


def test_other_encodings_and_layouts(run_cli, fixtures, tmp_path):
    for name, first_company in (
        ("utf16_tab.txt", None),
        ("latin1_pipe.csv", None),
        ("bom_semicolon.csv", None),
        ("contacts.json", None),
        ("contacts.ndjson", None),
        ("huge_field.csv", None),
        ("header_only.csv", None),
    ):
        out = tmp_path / f"{name}.csv"
        result = run_cli("clean", fixtures / "bad" / name, "-o", out)
        assert result.exit_code == 0, (name, result.output)
        t = read_out(out)
        assert first_company is None or t["company_name"][0] == first_company
        if name in ("latin1_pipe.csv", "utf16_tab.txt"):
            assert t["company_name"].str.contains("[éèçô]").any(), name
    huge = read_out(tmp_path / "huge_field.csv.rejects.csv")
    assert huge.height == 1 and "longer than 32,767 characters" in huge["reason"][0]


def test_map_override_and_unknown_target(run_cli, fixtures, tmp_path):
    out = tmp_path / "m.csv"
    result = run_cli(
        "clean", fixtures / "bad" / "unknown_headers.csv", "-o", out, "--map", "col1=company_name"
    )
    assert result.exit_code == 0, result.output
    assert "extra.col2" in read_out(out).columns
    bad = run_cli("clean", fixtures / "crm_export.csv", "-o", out, "--map", "Zip=zipcode")
    assert bad.exit_code == 2 and "unknown column 'zipcode'" in bad.stderr


def test_never_overwrites_an_input(run_cli, fixtures, tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes((fixtures / "crm_export.csv").read_bytes())
    result = run_cli("clean", src, "-o", src)
    assert result.exit_code == 2 and "refusing to overwrite an input" in result.stderr
    assert src.read_bytes() == (fixtures / "crm_export.csv").read_bytes()


def test_no_personal_data_in_messages(run_cli, fixtures, tmp_path):
    result = run_cli("clean", *[fixtures / f for f in DEMO], "-o", tmp_path / "c.csv")
    t = read_out(tmp_path / "c.csv")
    for value in t["email"].drop_nulls().to_list() + t["last_name"].drop_nulls().to_list():
        assert value not in result.output


def test_help_documents_exit_codes(run_cli):
    result = run_cli("clean", "--help")
    assert "Exit codes:" in result.output and "2  usage error" in result.output


def test_rules_folder_replaces_a_default_file(run_cli, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "headers.toml").write_text(
        '[columns]\ncompany_name = ["Klantnaam"]\nemail = ["Adres elektronisch"]\n',
        encoding="utf-8",
    )
    src = tmp_path / "in.csv"
    src.write_text(
        "Klantnaam;Adres elektronisch\nBakkerij Peeters BV;INFO@peeters.be\n", encoding="utf-8"
    )
    result = run_cli(
        "clean", src, "-o", tmp_path / "o.csv", "--rules", rules, "--default-country", "be"
    )
    assert result.exit_code == 0, result.output
    row = read_out(tmp_path / "o.csv").row(0, named=True)
    assert (row["company_name_norm"], row["legal_form"], row["email"]) == (
        "bakkerij peeters",
        "BE-SRL",
        "info@peeters.be",
    )
    bad = rules / "headers.toml"
    bad.write_text("[columns\n", encoding="utf-8")
    result = run_cli("clean", src, "-o", tmp_path / "o.csv", "--rules", rules)
    assert (
        result.exit_code == 2
        and "headers.toml: invalid TOML" in result.stderr
        and "line 1" in result.stderr
    )


def test_a_map_that_names_no_header_is_a_usage_error(run_cli, fixtures, tmp_path):
    out = tmp_path / "c.csv"
    result = run_cli("clean", fixtures / "crm_export.csv", "-o", out, "--map", "Emial Adress=email")
    assert result.exit_code == 2
    assert "--map 'Emial Adress': no input has a header of that name" in result.stderr
    assert not out.exists()
    two = [fixtures / "crm_export.csv", fixtures / "purchased_list_fr.csv"]
    ok = run_cli(
        "clean", *two, "-o", out, "-q", "--map", "Account Name=company_name"
    )  # one file has it
    assert ok.exit_code == 0, ok.output


def test_a_sheet_with_no_country_column(run_cli, tmp_path):
    """Each row's country from its own evidence, said per file in run.json; phones in E.164,
    postcodes checked, the language of correspondence filled."""
    src = tmp_path / "salon.csv"
    src.write_text(
        "Bedrijf,Postcode,Gemeente,Voornaam,E-mail,GSM\n"
        "Peeters NV,9000,Gent,Koen,koen@peeters.be,0475 12 34 56\n"
        "Dupont SARL,59000,Lille,Jean,jean@dupont.fr,06 12 34 56 78\n"
        "Maes BV,1000,Brussel,Katrien,,0476 12 34 56\n"
        "Durand SAS,,,Marie,marie.durand@orange.fr,\n"
        "Onbekend,,,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    result = run_cli("clean", src, "-o", out)
    assert result.exit_code == 0, result.output
    t = read_out(out)
    assert t["country"].to_list() == ["BE", "FR", "BE", "FR", "BE"]
    assert t["country_source"].to_list() == [
        "postcode",
        "postcode",
        "postcode",
        "email",
        "file majority",
    ]
    assert t["mobile"].to_list()[:3] == ["+32475123456", "+33612345678", "+32476123456"]
    assert t["postcode_status"].to_list()[:3] == ["valid", "valid", "valid"]
    assert t["language"].to_list() == ["nl", "fr", "nl", "fr", None]
    assert t["language_source"].to_list() == ["region", "country", "address", "country", None]
    summary = json.loads((tmp_path / "o.run.json").read_text())
    (table,) = summary["files"]
    assert table["country_sources"] == {"email": 1, "file majority": 1, "postcode": 3}
    assert table["language_sources"] == {"address": 1, "country": 2, "none": 1, "region": 1}
