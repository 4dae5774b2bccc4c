"""The secret key and keyed hashes: HMAC-SHA-256 as the standard defines it, a key from the
environment or a private key file, and a register that holds no address."""

import hashlib
import hmac
import stat

import polars as pl
import pytest

from enrich.consent import keys, register
from enrich.errors import InputError

KEY = b"a-long-enough-test-key-0123456789"


def test_keyed_is_hmac_sha256_for_short_and_long_keys_and_keeps_nulls():
    values = pl.Series("email", ["jan@firma.be", None, "jan@firma.be", "été@x.fr"])
    for key in (KEY, b"k" * 200):  # a key longer than the block is hashed first
        got = keys.keyed(values, key)
        assert got.name == "email" and got[1] is None and got[0] == got[2]
        assert got[0] == hmac.new(key, b"jan@firma.be", hashlib.sha256).hexdigest()
        assert got[3] == hmac.new(key, "été@x.fr".encode(), hashlib.sha256).hexdigest()
    assert keys.keyed(values, KEY)[0] != keys.keyed(values, b"another-key-0123456789")[0]


def test_the_forms_people_export_addresses_in():
    raw = [
        "Jan Peeters <Jan.Peeters@Firma.BE>",
        "  mailto:INFO@x.be ",
        '"Dupont, Jean" <j.dupont@exemple.fr>',
        "MAILTO:a@b.co?subject=stop",
        "no address here",
        "",
        None,
    ]
    assert keys.email_form(pl.Series(raw)).to_list() == [
        "jan.peeters@firma.be",
        "info@x.be",
        "j.dupont@exemple.fr",
        "a@b.co",
        None,
        None,
        None,
    ]


def test_the_key_comes_from_the_environment_or_a_private_file_made_once(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.ENV, "x" * 20)
    assert keys.secret_key() == (b"x" * 20, None)
    monkeypatch.setenv(keys.ENV, "short")
    with pytest.raises(InputError, match="shorter than 16"):
        keys.secret_key()
    monkeypatch.delenv(keys.ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    key, said = keys.secret_key()
    path = tmp_path / "enrich" / "secret.key"
    assert said and str(path) in said and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.secret_key() == (key, None)  # the same key, said once
    assert keys.fingerprint(key) != keys.fingerprint(b"x" * 20) and len(keys.fingerprint(key)) == 16


def test_a_register_holds_no_address_and_each_refusal_once_from_its_first_day():
    a = register.entries(
        "email", pl.Series(["jan@x.be", "an@y.be"]), ("email",), "list:a.txt", KEY, "2026-02-01"
    )
    b = register.entries(
        "email", pl.Series(["jan@x.be"]), ("email",), "list:a.txt", KEY, "2026-01-01"
    )
    c = register.entries("phone", pl.Series(["+32475123456"]), register.CHANNELS, "erased", KEY)
    merged = register.merge(a, b, c)
    assert merged.height == 3 and merged.schema == pl.Schema(register.SCHEMA)
    jan = keys.keyed(pl.Series(["jan@x.be"]), KEY)[0]
    assert merged.filter(pl.col("key") == jan)["since"].to_list()[0].isoformat() == "2026-01-01"
    assert merged.filter(pl.col("kind") == "phone")["channels"][0] == "email;phone;post"
    text = merged.write_csv()
    assert "jan@x.be" not in text and "+32475123456" not in text
    assert register.merge(c, b, a).equals(merged)  # order of the parts does not matter
    with pytest.raises(ValueError):
        register.entries("email", pl.Series(["a@b.be"]), ("fax",), "list:a.txt", KEY)
