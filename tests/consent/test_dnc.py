"""National do-not-call files (enrich/consent/dnc.py): the forms DNCM and Bloctel deliver
(fixtures/dnc/), their age against the required refresh, and the contacts they list; and
`enrich master --dnc` end to end."""

import datetime as dt
import json
import os
import shutil

import polars as pl
import pytest

from enrich.consent import dnc
from enrich.consent.contactability import load
from enrich.errors import InputError
from enrich.ruleset import Rules

AS_OF = dt.date(2026, 12, 3)


@pytest.fixture
def dnc_dir(fixtures):
    return fixtures / "dnc"


def test_dncm_file_numbers_and_registration_dates(dnc_dir):
    f = dnc.read(str(dnc_dir / "dncm_20261201.txt"), load(), AS_OF)
    assert (f.service, f.dated, f.dated_by, f.age_days, f.state) == (
        "dncm",
        dt.date(2026, 12, 1),
        "name",
        2,
        "fresh",
    )
    rows = dict(f.numbers.select("phone", "since").iter_rows())
    assert rows["+32475123456"] == dt.date(2019, 4, 15)
    assert rows["+3242231122"] == dt.date(2020, 1, 10)  # a Liège landline (9 digits)
    assert f.numbers["listed"].all() and f.numbers.height == 5


def test_bloctel_plain_and_csv_forms(dnc_dir):
    plain = dnc.read(str(dnc_dir / "bloctel_20261120.txt"), load(), AS_OF)
    assert plain.service == "bloctel" and plain.numbers["listed"].all()
    assert "+33612345678" in plain.numbers["phone"].to_list()
    csv = dnc.read(str(dnc_dir / "bloctel_retour_20261120.csv"), load(), AS_OF)
    listed = csv.numbers.filter("listed")["phone"].to_list()
    assert sorted(listed) == ["+33145678901", "+33612345678"]
    assert "+33611223344" in csv.numbers["phone"].to_list()  # "06 11 22 33 44", not listed


def test_the_service_is_told_by_content_or_given(dnc_dir, tmp_path):
    for name, service in (
        ("dncm_20261201.txt", "dncm"),
        ("bloctel_20261120.txt", "bloctel"),
        ("bloctel_retour_20261120.csv", "bloctel"),
    ):
        copy = tmp_path / f"list_{service}_{name[-8:]}".replace("dncm", "x").replace("bloctel", "y")
        shutil.copy(dnc_dir / name, copy)
        assert dnc.read(str(copy), load(), AS_OF).service == service
    assert dnc.read(f"bloctel:{copy}", load(), AS_OF).service == "bloctel"
    plain = tmp_path / "numbers.txt"
    plain.write_text("+32 475 12 34 56\n0032496551234\n", encoding="utf-8")
    assert dnc.read(str(plain), load(), AS_OF).service == "dncm"
    plain.write_text("+31 20 123 4567\n", encoding="utf-8")
    with pytest.raises(InputError, match="write dncm:FILE or bloctel:FILE"):
        dnc.read(str(plain), load(), AS_OF)


def test_a_file_without_a_date_in_its_name_is_dated_by_its_modification_time(dnc_dir, tmp_path):
    copy = tmp_path / "export.txt"
    shutil.copy(dnc_dir / "dncm_20261201.txt", copy)
    stamp = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc).timestamp()
    os.utime(copy, (stamp, stamp))
    f = dnc.read(f"dncm:{copy}", load(), AS_OF)
    assert (f.dated, f.dated_by, f.age_days, f.state) == (
        dt.date(2026, 11, 20),
        "modified",
        13,
        "stale",
    )


def test_a_stale_file_is_refused(dnc_dir):
    """DNCM must be re-downloaded at least every 5 days: 9 days old is refused."""
    with pytest.raises(InputError) as err:
        dnc.read_all([str(dnc_dir / "dncm_20261201.txt")], load(), dt.date(2026, 12, 10))
    assert "9 days old" in str(err.value) and "at most 5" in str(err.value)
    dnc.read_all([str(dnc_dir / "bloctel_20261120.txt")], load(), dt.date(2026, 12, 10))  # 20 ≤ 30


def test_a_stale_file_is_warned_of_when_the_rules_say_warn(dnc_dir, tmp_path):
    (tmp_path / "contactability.toml").write_text('[dnc]\non_stale = "warn"\n', encoding="utf-8")
    files, notes = dnc.read_all(
        [str(dnc_dir / "dncm_20261201.txt")], load(Rules.load(tmp_path)), dt.date(2026, 12, 10)
    )
    assert files[0].state == "stale" and len(notes) == 1 and "9 days old" in notes[0]
    assert "+32" not in notes[0]  # no number in a message


def test_unreadable_lines_are_counted_by_line_number(tmp_path):
    path = tmp_path / "dncm_20261201.txt"
    path.write_text(
        "32475123456;20190415\nnot a number\n\n32496551234;20210302\n???\n", encoding="utf-8"
    )
    files, notes = dnc.read_all([str(path)], load(), AS_OF)
    assert files[0].unreadable == [2, 5] and "lines 2, 5" in notes[0]


def test_every_number_of_a_contact_is_matched(dnc_dir):
    """A listed number among a contact's other numbers (contact_points) lists the contact."""
    f = dnc.read(str(dnc_dir / "dncm_20261201.txt"), load(), AS_OF)
    contacts = pl.DataFrame(
        {
            "contact_id": ["ct-1", "ct-2"],
            "phone": ["+3222268888", "+3222268899"],
            "mobile": [None, None],
        }
    )
    points = pl.DataFrame(
        {
            "level": ["contact", "contact", "company"],
            "id": ["ct-1", "ct-1", "ct-2"],
            "kind": ["phones"] * 3,
            "value": ["+3222268888", "+32475123456", "+32496551234"],
        }
    )
    out = dnc.listed(points, contacts, [f])
    assert out["_dncm"].to_list() == [True, False]  # ct-2's company number is not the person's
    assert out["_dncm_since"][0] == dt.date(2019, 4, 15)


# --- end to end -----------------------------------------------------------------------------

CONTACTS = (
    "Société;Nom;Prénom;E-mail;Téléphone;GSM;Adresse;Code postal;Ville;Pays;Consentement e-mail;Dernier achat\n"
    "Brouwerij De Smet NV;De Smet;Pieter;pieter.desmet@desmet-brouwerij.be;+32 9 223 45 67;0475 12 34 56;Kortrijksesteenweg 455;9000;Gent;Belgique;;\n"
    "Vandenberghe Logistics BV;Vandenberghe;Koen;info@vdb-logistics.be;03 541 22 10;;Noorderlaan 12;2030;Antwerpen;Belgique;;\n"
    "Girard Logiciels SAS;Girard;Michel;michel.girard@girard-logiciels.fr;01 45 67 89 01;06 98 76 54 32;12 rue de la Paix;69002;Lyon;France;;\n"
    ";Martin;Paul;paul.martin@orange.fr;;06 87 65 43 21;8 rue des Lilas;69003;Lyon;France;oui;\n"
    ";Claes;An;an.claes@telenet.be;;0476 98 76 54;Veldstraat 3;9000;Gent;Belgique;;15/06/2025\n"
)


def test_master_with_dnc_files_end_to_end(run_cli, dnc_dir, tmp_path):
    src = tmp_path / "clients.csv"
    src.write_text(CONTACTS, encoding="utf-8")
    out = tmp_path / "m"
    args = ["master", src, "-o", out, "-q", "--as-of", "2026-12-03"]
    args += [
        "--dnc",
        dnc_dir / "dncm_20261201.txt",
        "--dnc",
        f"bloctel:{dnc_dir / 'bloctel_retour_20261120.csv'}",
    ]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    contacts = pl.read_csv(out / "contacts.csv", infer_schema=False)
    got = {
        r["last_name"]: (r["email_why"], r["phone_why"], r["post_why"])
        for r in contacts.iter_rows(named=True)
    }
    assert got == {
        "De Smet": ("no_consent", "dncm", "legitimate_interest"),  # BE named pro; mobile on DNCM
        "Vandenberghe": ("generic_address", "legitimate_interest", "legitimate_interest"),
        "Girard": (
            "b2b_function",
            "legitimate_interest",
            "legitimate_interest",
        ),  # FR pro: no Bloctel
        "Martin": (
            "consent",
            "no_consent",
            "legitimate_interest",
        ),  # FR consumer phone after 2026-08-11
        "Claes": (
            "soft_opt_in",
            "legitimate_interest",
            "legitimate_interest",
        ),  # BE customer since 2025
    }
    assert contacts["email_ok"].to_list().count("true") == 4
    run = json.loads((out / "run.json").read_text())["master"]["contactability"]
    assert run["as_of"] == "2026-12-03"
    assert run["phone"]["why"] == {"dncm": 1, "legitimate_interest": 3, "no_consent": 1}
    assert run["email"]["ok"] == 4 and run["post"]["ok"] == 5
    assert [(f["service"], f["state"], f["listed"]) for f in run["dnc_files"]] == [
        ("dncm", "fresh", 5),
        ("bloctel", "fresh", 2),
    ]
    report = (out / "report.html").read_text()
    assert "Contactability per channel" in report and "+32" not in report


def test_master_refuses_a_stale_dnc_file(run_cli, dnc_dir, tmp_path):
    src = tmp_path / "clients.csv"
    src.write_text(CONTACTS, encoding="utf-8")
    result = run_cli(
        "master",
        src,
        "-o",
        tmp_path / "m",
        "-q",
        "--as-of",
        "2026-12-20",
        "--dnc",
        dnc_dir / "dncm_20261201.txt",
    )
    assert result.exit_code == 2
    assert "19 days old" in result.output and not (tmp_path / "m").exists()
