"""The register applied: an opt-out on an address wins for every contact that holds it, per
channel; the keys of the contact points are reused by the next run, never holding a value."""

import polars as pl

from enrich.consent import apply, register
from enrich.consent.apply import Consent

KEY = b"a-long-enough-test-key-0123456789"


def rows(**columns) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"source_file": ["fixtures/crm.csv"] * n, "email": [None] * n, "phone": [None] * n}
    return pl.DataFrame({**base, **columns}, schema_overrides={"email": pl.String})


def points(*held: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(held, schema=["_id", "kind", "value"], orient="row")


def test_an_opt_out_column_keys_the_rows_address_for_the_channels_it_refuses():
    made = apply.column_entries(
        rows(
            email=["Jan@Firma.be", "an@firma.be", "piet@firma.be", None],
            phone=["+3292234567", "+3292234560", None, "+32475000000"],
            opt_out=[True, False, False, False],
            opt_out_phone=[False, True, False, True],
            opt_out_post=[False, False, False, True],
        ),
        Consent(KEY),
    )
    by = {(r["kind"], r["channels"]) for r in made.iter_rows(named=True)}
    # Jan: every channel by his address, the phone channel by his number; An: the phone
    # channel by her address and her number; the last row: no address, its number for phone
    assert by == {("email", "email;phone;post"), ("email", "phone"), ("phone", "phone")}
    assert set(made["source"]) == {"column:crm.csv"}
    assert made.filter(pl.col("kind") == "phone").height == 3
    text = made.write_csv()
    assert "firma.be" not in text and "+3292234567" not in text


def test_an_address_shared_by_two_contacts_refuses_both_on_the_channels_refused():
    reg = register.merge(
        register.entries("email", pl.Series(["info@firma.be"]), ("email",), "column:a.csv", KEY),
        register.entries("phone", pl.Series(["+3292234567"]), ("phone",), "list:dncm.txt", KEY),
    )
    held = points(
        ("ct-1", "emails", "INFO@firma.be"),
        ("ct-2", "emails", "jan@firma.be"),
        ("ct-2", "emails", "Info <info@firma.be>"),  # among its other addresses
        ("ct-3", "phones", "+3292234567"),
        ("ct-4", "emails", "an@firma.be"),
    )
    got = apply.refusals(held, reg, KEY)
    assert got.rows() == [
        ("ct-1", True, False, False, False, "column"),
        ("ct-2", True, False, False, False, "column"),
        ("ct-3", False, True, False, True, "list"),
    ]


def test_contact_columns_join_own_rows_and_the_register():
    contacts = pl.DataFrame({"_id": ["ct-1", "ct-2", "ct-3"], "opt_out": [False, True, False]})
    records = pl.DataFrame(
        {
            "contact_id": ["ct-1", "ct-1", "ct-3"],
            "opt_out_post": [None, True, False],  # a post opt-out with no address to key
        }
    )
    refused = apply.by_contact(
        pl.DataFrame({"_id": ["ct-3"], "channels": ["email;phone;post"], "source": ["erased"]})
    )
    out = apply.contact_columns(contacts, records, refused)
    assert out.select(
        "email_opt_out",
        "phone_opt_out",
        "post_opt_out",
        "do_not_contact",
        "suppressed",
        "refused_by",
    ).rows() == [
        (False, False, True, False, False, "column"),
        (True, True, True, True, False, "column"),
        (True, True, True, True, True, "erased"),
    ]


def test_the_keys_of_the_previous_run_are_reused_and_hold_no_value(monkeypatch):
    reg = register.entries(
        "email_sha256",
        apply._sha256(pl.Series(["an@firma.be"])),
        register.CHANNELS,
        "list:hashed.csv",
        KEY,
    )
    reg = register.merge(
        reg, register.entries("email", pl.Series(["jan@firma.be"]), ("email",), "list:a", KEY)
    )
    held = points(("ct-1", "emails", "AN@firma.be"), ("ct-2", "emails", "Jan@firma.be"))
    first = apply.point_keys(held, reg, KEY)
    assert "firma" not in first.write_csv()
    assert first.height == 4  # two addresses, two kinds
    keyed = []
    real = apply.hmac_hex
    monkeypatch.setattr(apply, "hmac_hex", lambda v, k: keyed.extend(v) or real(v, k))
    more = pl.concat([held, points(("ct-3", "emails", "piet@firma.be"))])
    again = apply.point_keys(more, reg, KEY, first)
    assert keyed == ["piet@firma.be", apply._sha256(pl.Series(["piet@firma.be"]))[0]]
    hits = apply.matches(more, reg, KEY, again)
    assert sorted(hits["_id"]) == ["ct-1", "ct-2"]
    assert (
        apply.point_keys(held, reg, b"another-key-0123456789")
        .join(first, on=["kind", "h1", "h2"])
        .is_empty()
    )  # another key: other hashes, nothing reused
