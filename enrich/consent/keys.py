"""The secret key of keyed hashes, and the forms of an e-mail address or a phone number that
are keyed.

The do-not-contact register and pseudonymised exports never hold an address or a number,
nor a bare hash of one (anyone holding the next purchased list could hash it and match:
DOMAIN.md §3.4): they hold HMAC-SHA-256 under a secret key kept apart from the master.

The key: the environment variable ``ENRICH_SECRET_KEY`` (any text of 16+ characters), else
the file named by ``ENRICH_KEY_FILE``, else ``$XDG_CONFIG_HOME/enrich/secret.key`` (or
``~/.config/enrich/secret.key``), made on first need (32 random bytes, mode 0600) — the
caller says so once. A register remembers the key's ``fingerprint`` (not the key), so a run
with another key is refused rather than silently matching nobody.

>>> key = b"0123456789abcdef-example-key"
>>> keyed(pl.Series(["jan@firma.be", None]), key).to_list()[1] is None
True
>>> email_form(pl.Series(["Jan Peeters <Jan.Peeters@Firma.BE>", "mailto:info@x.be", "nope"])).to_list()
['jan.peeters@firma.be', 'info@x.be', None]
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

from ..errors import InputError

ENV, ENV_FILE = "ENRICH_SECRET_KEY", "ENRICH_KEY_FILE"
MIN_LENGTH = 16


def key_file() -> Path:
    """Where the key is kept when the environment does not give it."""
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "enrich" / "secret.key"


def secret_key() -> tuple[bytes, str | None]:
    """(the key, a line to say — the key file was just made — or None)."""
    text = os.environ.get(ENV)
    if text is not None:
        if len(text) < MIN_LENGTH:
            raise InputError(
                f"{ENV} is shorter than {MIN_LENGTH} characters: use a long random key"
            )
        return text.encode("utf-8"), None
    path = key_file()
    try:
        data = path.read_bytes().strip()
    except FileNotFoundError:
        return _made(path), (
            f"made a new secret key in {path}: keep it, and keep it out of the master folder "
            f"(the register cannot be matched without it); or set {ENV}"
        )
    except OSError as exc:
        raise InputError(f"cannot read the secret key: {exc.strerror}", file=str(path)) from None
    if len(data) < MIN_LENGTH:
        raise InputError(f"the secret key is shorter than {MIN_LENGTH} bytes", file=str(path))
    return data, None


ANOTHER_KEY = (
    "the register was made with another key (its fingerprint is not this key's): set the "
    "key the master was made with (ENRICH_SECRET_KEY or ENRICH_KEY_FILE)"
)


def master_key(recorded: str | None, master: str | None = None) -> tuple[bytes, str | None]:
    """``secret_key()``, checked against the fingerprint a master recorded (``register_key``
    of its run.json; None: a master made before registers): another key is refused — the
    master's register would match nobody."""
    key, made = secret_key()
    if recorded is not None and recorded != fingerprint(key):
        raise InputError(ANOTHER_KEY, file=master)
    return key, made


def _made(path: Path) -> bytes:
    key = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
    except FileExistsError:  # another run made it meanwhile
        return path.read_bytes().strip()
    except OSError as exc:
        raise InputError(f"cannot make the secret key: {exc.strerror}", file=str(path)) from None
    return key


def fingerprint(key: bytes) -> str:
    """Names the key without revealing it (what a register records)."""
    return hmac.new(key, b"enrich key fingerprint", hashlib.sha256).hexdigest()[:16]


def keyed(values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA-256 (hex) of each value under *key*; null stays null. Computed once per
    distinct value (the inner and outer states are made once)."""
    unique = values.drop_nulls().unique()
    table = pl.DataFrame(
        {"v": unique, "k": hmac_hex(unique.to_list(), key)},
        schema={"v": pl.String, "k": pl.String},
    )
    return (
        values.cast(pl.String)
        .to_frame("v")
        .join(table, on="v", how="left", maintain_order="left")["k"]
        .alias(values.name)
    )


def hmac_hex(values: list[str], key: bytes) -> list[str]:
    """HMAC-SHA-256 (hex) of each of *values* (no null) under *key*: the inner and outer
    states made once and copied per value — about twice as fast as ``hmac.digest``."""
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in _block(key)))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in _block(key)))

    def one(value: str) -> str:
        i = inner.copy()
        i.update(value.encode("utf-8"))
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return [one(v) for v in values]


def _block(key: bytes) -> bytes:
    """HMAC's key block (RFC 2104) for SHA-256."""
    key = hashlib.sha256(key).digest() if len(key) > 64 else key
    return key.ljust(64, b"\0")


def email_form(values: pl.Series) -> pl.Series:
    """The form of an e-mail address that is keyed: the address alone (no display name, no
    ``mailto:``), trimmed and lower-cased; null where there is no address."""
    address = (
        values.cast(pl.String)
        .str.strip_chars()
        .str.extract(r"<([^<>]+)>\s*$|^(?:mailto:)?(\S+)$", 0)
    )
    bare = (
        address.str.strip_chars("<> ")
        .str.replace(r"(?i)^mailto:", "")
        .str.replace(r"\?.*$", "")
        .str.to_lowercase()
    )
    return (
        pl.select(pl.when(bare.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")).then(bare))
        .to_series()
        .alias(values.name)
    )
