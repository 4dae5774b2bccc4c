"""Golden list columns: one canonical form per phone, e-mail and address, duplicates removed,
cities in their proper case, a fixed order, and list cells that need no formula guard."""

import csv
import itertools
import re

import polars as pl
import pytest

from enrich.master.survive import ListField, contact_points, listed
from enrich.normalise.places import proper_case_one


def rows(**columns):
    """The candidate rows of one company, with the helper columns survivorship adds."""
    n = len(next(iter(columns.values())))
    base = {"_id": ["co-1"] * n, "_order": list(range(n)), "_has_person": [False] * n}
    base |= {"email_role": [False] * n, "source_file": ["f"] * n, "source_row": list(range(n))}
    return pl.DataFrame({**base, **columns})


PHONES = ListField("phones", ("phone", "mobile"))
EMAILS = ListField("emails", ("email",))
ADDRESSES = ListField(
    "addresses", ("street", "house_number", "box", "postcode", "city", "country"), join=True
)
# the same Laon address as three files give it: a postcode Excel shortened, a city in
# capitals, a street in lower case and no country on the row (the company's is France)
MESSY = {
    "phone": ["+33323201010", "03 23 20 10 10", "+33323201010", None],
    "phone_status": ["valid", "invalid", "valid", None],
    "mobile": [None, "+33612345678", None, "06 12 34 56 78"],
    "mobile_status": [None, "valid", None, "invalid"],
    "email": [" Accueil@Mairie-Laon.FR", "accueil @mairie-laon.fr", "accueil@mairie-laon.fr", None],
    "email_status": ["valid", "invalid", "valid", None],
    "street": ["Rue du Bourg", "Rue du Bourg", "rue du bourg", "Place Aubry"],
    "house_number": ["12", "12", "12", "1"],
    "box": [None] * 4,
    "postcode": ["02000", "2000", "02000", "2000"],
    "city": ["Laon", "LAON", "LAON", "LAON"],
    "country": ["FR", "FR", None, "FR"],
}
GOLDEN = pl.DataFrame(
    {
        "_e": [1],
        "phone": ["+33323201010"],
        "phone_status": ["valid"],
        "mobile": [None],
        "email": ["accueil@mairie-laon.fr"],
        "street": ["Rue du Bourg"],
        "house_number": ["12"],
        "box": [None],
        "postcode": ["02000"],
        "city": ["Laon"],
        "country": ["FR"],
    },
    schema_overrides={"_e": pl.Int64, "mobile": pl.String, "box": pl.String},
)


def lists_of(frame: pl.DataFrame) -> dict[str, str]:
    points = contact_points(frame, (PHONES, EMAILS, ADDRESSES), GOLDEN)
    return listed(points, (PHONES, EMAILS, ADDRESSES)).drop("_e").row(0, named=True)


def test_variants_of_one_value_become_one_canonical_value():
    got = lists_of(rows(**MESSY))
    # the landline 3 times (2 formats), the mobile twice; golden first, then the most rows
    assert got["phones"] == "+33323201010;+33612345678"
    assert got["emails"] == "accueil@mairie-laon.fr"
    # 2000 in a French address is 02000; LAON is Laon; the lower-case street is the same one
    assert got["addresses"] == "Rue du Bourg, 12, 02000, Laon, FR;Place Aubry, 1, 02000, Laon, FR"


def test_the_list_is_the_same_whatever_the_order_of_the_rows():
    frame = rows(**MESSY)
    seen = {
        tuple(lists_of(frame[list(order)].with_columns(pl.Series("_order", range(4)))).values())
        for order in itertools.permutations(range(4))
    }
    assert len(seen) == 1


def test_an_unreadable_value_stays_as_typed_and_apart():
    frame = rows(
        phone=["+33323201010", "+cmd|' /C calc'!A0"],
        phone_status=["valid", "invalid"],
        email=["a@b.fr", "a@b"],
        email_status=["valid", "invalid"],
    )
    got = listed(
        contact_points(frame, (PHONES, EMAILS), GOLDEN.drop("street")), (PHONES, EMAILS)
    ).row(0, named=True)
    assert got["phones"] == "+33323201010;+cmd|' /C calc'!A0"
    assert got["emails"] == "a@b;a@b.fr"  # neither is the golden one, one row each: alphabetical


@pytest.mark.parametrize(
    "typed, proper",
    [
        ("LAON", "Laon"),
        ("SAINT-QUENTIN", "Saint-Quentin"),
        ("'S-HERTOGENBOSCH", "'s-Hertogenbosch"),
        ("LA LOUVIÈRE", "La Louvière"),
        ("sint-niklaas", "Sint-Niklaas"),
        ("BOULOGNE-SUR-MER", "Boulogne-sur-Mer"),
        ("FRANKFURT AM MAIN", "Frankfurt am Main"),
        ("L'HAŸ-LES-ROSES", "L'Haÿ-les-Roses"),
        ("PARIS CEDEX 08", "Paris CEDEX 08"),
        ("Bois-le-Duc", "Bois-le-Duc"),  # typed in mixed case: kept as typed
        ("McAdam", "McAdam"),
    ],
)
def test_cities_get_their_proper_case(typed, proper):
    assert proper_case_one(typed) == proper


# a cell a spreadsheet shows and never runs: digits, signs and separators only
NUMBERS = re.compile(r"[+\-]?[0-9 ().,/]+(?:;[+\-]?[0-9 ().,/]+)*")


def cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def test_a_master_s_lists_are_clean_and_open_as_text(run_cli, fixtures, tmp_path):
    out = tmp_path / "m"
    inputs = [fixtures / f for f in ("crm_export.csv", "purchased_list_fr.csv")]
    inputs += [fixtures / "salon_leads_nl.xlsx", fixtures / "bad" / "formula_injection.csv"]
    result = run_cli("master", *inputs, "-o", out)
    assert result.exit_code == 0, result.output
    guarded = 0
    for table, kinds in (
        ("companies", ("phones", "emails", "addresses")),
        ("contacts", ("phones", "emails")),
    ):
        header, body = cells(out / f"{table}.csv")
        for row in body:
            for name, cell in zip(header, row):
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):  # runs in a spreadsheet …
                    assert NUMBERS.fullmatch(cell), (table, name)  # … unless it is numbers
                guarded += cell.startswith("'")
        frame = pl.read_csv(out / f"{table}.csv", infer_schema_length=0)
        for kind in kinds:
            for cell in frame[kind].drop_nulls():
                values = cell.lstrip("'").split(";")
                assert len(values) == len(set(values)), cell
                if kind == "emails":
                    assert all(v == v.strip().lower() for v in values)
                if kind == "addresses":
                    for v in values:  # street, number, [box,] postcode, city, country
                        *_, postcode, city, country = v.split(", ")
                        assert not (city.isupper() and len(city) > 2), v
                        assert country != "FR" or re.fullmatch(r"\d{5}", postcode), v
        assert not frame.filter(pl.col("city").str.contains(r"^[^a-z]{3,}$"))["city"].len()
    assert guarded  # the guard still acts where a cell could run (=HYPERLINK, +cmd|…)
    points = pl.read_csv(out / "contact_points.csv", infer_schema_length=0)
    phones = points.filter(pl.col("kind") == "phones")
    e164 = pl.col("value").str.contains(r"^\+[1-9]\d{6,14}$")
    # a valid phone is in E.164; what is not (12345, +cmd|…) stays as typed, invalid
    assert phones.filter((pl.col("status") == "valid") != e164).height == 0
    assert phones.filter(pl.col("status") != "valid").height >= 2
    companies = pl.read_csv(out / "companies.csv", infer_schema_length=0)
    sge = companies.filter(pl.col("company_name").str.contains("Générale"))
    assert sge["addresses"].to_list() == ["Boulevard Haussmann, 29, 75009, Paris, FR"]
