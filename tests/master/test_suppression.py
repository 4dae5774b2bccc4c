"""The suppression list: its cells read, and the contacts it names."""

import hashlib

import polars as pl
import pytest

from enrich.errors import InputError
from enrich.master.suppression import read_suppression, suppressed


def test_cells_of_a_csv_are_read_and_the_header_skipped(tmp_path):
    digest = hashlib.sha256(b"ann@acme.be").hexdigest()
    listing = tmp_path / "optout.csv"
    listing.write_text(f'email;note\n"Jan@Acme.be";left\n{digest.upper()},x\n', encoding="utf-8")
    assert read_suppression(str(listing)) == ({"jan@acme.be"}, {digest})


def test_a_list_with_no_address_is_refused(tmp_path):
    listing = tmp_path / "optout.csv"
    listing.write_text("email\nnot an address\n")
    with pytest.raises(InputError, match="no e-mail address"):
        read_suppression(str(listing))


def test_a_contact_is_hit_by_its_address_or_its_digest():
    points = pl.DataFrame(
        {
            "_id": ["ct-1", "ct-2", "ct-3", "ct-3"],
            "kind": ["emails", "emails", "phones", "emails"],
            "value": ["Jan@Acme.be", "ann@acme.be", "jan@acme.be", "piet@acme.be"],
        }
    )
    digest = hashlib.sha256(b"ann@acme.be").hexdigest()
    assert sorted(suppressed(points, {"jan@acme.be"}, {digest}).to_list()) == ["ct-1", "ct-2"]
