"""`enrich clean` end to end on a French export (cp1252, ';', CRLF) whose identifiers sit in
the wrong columns: the output columns, the per-column report in run.json, the lines said,
and no identifier value in any of them."""

import json

import polars as pl

BOTH = "732806096"  # a SIREN, and 0732.806.096 a Belgian number
HEADER = "Raison sociale;N° TVA;SIRET;N° d'entreprise;Code postal;Ville;Pays;Nom;Téléphone"
ROWS = [
    # a SIRET in the VAT column (the "Carrosserie Faure" of #18), its twin with its own SIRET
    "Carrosserie Faure SARL;732 829 320 00074;;;66000;Perpignan;;Faure;04 68 00 00 00",
    "Carrosserie Faure SASU;;552 120 222 00013;;06000;Nice;France;Faure;",
    # a Belgian VAT number in the SIRET column
    "Société Générale de Belgique SA;;BE 0403.170.701;;1000;Bruxelles;Belgique;Dupont;",
    # a SIREN in the VAT column
    "Boulangerie Martin;552120222;;;13001;Marseille;;Martin;",
    # a number valid in both countries, in the enterprise-number column: the row decides …
    "Garage de la Gare;;;732 806 096;75008;Paris;;Petit;",
    "Garage de la Gare SPRL;;;732806096;;;Belgique;Lambert;",
    # … or says neither
    "Pharmacie du Centre;;;732806096;;;;Girard;",
    # VAT numbers of other countries in the enterprise-number column; one in its place
    "Van Dijk BV;;;NL004495445B01;1012 AB;Amsterdam;;de Vries;",
    "Dupont SA;TVA: FR40303265045;;;69001;Lyon;France;Dupont;",
]
VALUES = ["73282932000074", "55212022200013", "0403170701", "552120222", BOTH, "004495445"]


def _write(path):
    text = "\r\n".join([HEADER, *ROWS]) + "\r\n"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_identifiers_in_the_wrong_columns(run_cli, tmp_path):
    src, out = _write(tmp_path / "export_crm.csv"), tmp_path / "clean.csv"
    result = run_cli("clean", src, "-o", out)
    assert result.exit_code == 0, result.output
    t = pl.read_csv(out, infer_schema=False).sort(pl.col("source_row").cast(pl.Int64))
    columns = ["vat", "enterprise_number", "siren", "siret", "kvk", "id_status"]
    assert t.select(columns).rows() == [
        (None, None, "732829320", "73282932000074", None, "valid"),
        (None, None, "552120222", "55212022200013", None, "valid"),
        ("BE0403170701", "0403170701", None, None, None, "valid"),
        (None, None, "552120222", None, None, "valid"),
        (None, None, BOTH, None, None, "valid"),
        (None, "0" + BOTH, None, None, None, "valid"),
        (None, None, None, None, None, "ambiguous"),
        ("NL004495445B01", None, None, None, None, "valid"),
        ("FR40303265045", None, "303265045", None, None, "valid"),
    ]
    assert t["issues"][0] == "siret: found in the vat column"
    assert t["id_reason"][6] == (
        "enterprise_number: valid as a French SIREN and as a Belgian number; the row says neither"
    )
    # the twins now carry two different SIRENs: a cannot-link between them can fire
    assert t["siren"][0] != t["siren"][1]

    summary = json.loads((tmp_path / "clean.run.json").read_text())
    held = {c["column"]: c for c in summary["files"][0]["identifier_columns"]}
    assert held["vat"] == {
        "column": "vat",
        "header": "N° TVA",
        "values": 3,
        "held": {"FR VAT": 1, "SIREN": 1, "SIRET": 1},
        "other_kind": 2,
    }
    assert held["siret"]["held"] == {"BE VAT": 1, "SIRET": 1}
    assert held["enterprise_number"]["held"] == {
        "BE enterprise number": 1,
        "NL VAT": 1,
        "SIREN": 1,
        "ambiguous": 1,
    }
    assert summary["statuses"]["id_status"] == {"ambiguous": 1, "valid": 8}

    said = result.stderr
    assert "column 'N° TVA' (vat) held other identifiers: 1 FR VAT, 1 SIREN, 1 SIRET" in said
    assert "column 'SIRET' (siret) held other identifiers: 1 BE VAT, 1 SIRET" in said
    assert (
        'column "N° d\'entreprise" (enterprise_number) held other identifiers: '
        "1 BE enterprise number, 1 NL VAT, 1 SIREN, 1 ambiguous"
    ) in said
    report = json.dumps(summary)
    for value in VALUES:  # privacy: counts and names, never a number
        assert value not in result.output and value not in report
