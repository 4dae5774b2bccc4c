"""Suppression lists read in the forms people export them: Excel's Unicode text, display
names, mailto:, cp1252, a CSV with a header and a channel column, digests, phone numbers;
unreadable lines reported by number, never by content."""

import hashlib

import pytest

from enrich.consent.lists import read_list, read_text
from enrich.errors import InputError

ALL = "email;phone;post"


def values(read) -> set[tuple[str, str, str]]:
    return set(read.values.iter_rows())


def test_an_excel_unicode_text_export_is_read_with_its_channels(fixtures):
    read = read_list(str(fixtures / "suppression_unicode.txt"))
    assert values(read) == {
        ("email", "pieter.desmet@desmet-brouwerij.be", ALL),  # display name, mixed case
        ("email", "marc.dupont@dupont-fils.be", "email"),  # mailto:, upper case, e-mail only
        ("phone", "+3292234560", "phone"),  # a national number, read in BE
        ("phone", "+32475998877", ALL),  # "tous"
    }
    assert (read.lines, read.unreadable, read.unreadable_lines) == (5, 1, [5])
    assert "adresse" not in str(read.summary())  # a line number, never its content


@pytest.mark.parametrize("bom", [True, False])
def test_utf16_with_or_without_bom_and_cp1252(tmp_path, bom):
    text = "Jan Peeters <Jan.Peeters@Firma.BE>\r\nmailto:zoé@exemple.fr\r\n"
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes((b"\xff\xfe" if bom else b"") + text.encode("utf-16-le"))
    western = tmp_path / "w.txt"
    western.write_bytes(("Zoé Lefèvre;zoé@exemple.fr\r\n").encode("cp1252"))
    assert values(read_list(str(utf16))) == {
        ("email", "jan.peeters@firma.be", ALL),
        ("email", "zoé@exemple.fr", ALL),
    }
    assert values(read_list(str(western))) == {("email", "zoé@exemple.fr", ALL)}


def test_headerless_lines_digests_phones_and_quoted_display_names():
    digest = hashlib.sha256(b"ann@acme.be").hexdigest()
    text = (
        '"Dupont, Jean" <J.Dupont@Exemple.fr>\n'
        f"{digest.upper()}\n"
        "+33 6 12 34 56 78;phone\n"
        "0475 12 34 56, post\n"
        "\n"
        "call me maybe\n"
        "12345\n"
    )
    read = read_text(text, "stop.txt", country="BE")
    assert values(read) == {
        ("email", "j.dupont@exemple.fr", ALL),
        ("email_sha256", digest, ALL),
        ("phone", "+33612345678", "phone"),
        ("phone", "+32475123456", "post"),
    }
    assert (read.unreadable, read.unreadable_lines) == (2, [6, 7])  # the blank line is not


def test_a_csv_with_a_header_and_a_channel_column_in_several_languages():
    text = (
        "Naam;E-mailadres;GSM;Kanaal\n"
        "Jan;jan@firma.be;0475 12 34 56;e-mail, telefoon\n"
        "An;;;\n"
        "Piet;PIET@firma.be;;post\n"
        "Els;els@firma.be;;onbekend kanaal\n"
    )
    read = read_text(text, "afmeldingen.csv")
    assert values(read) == {
        ("email", "jan@firma.be", "email;phone"),
        ("phone", "+32475123456", "email;phone"),
        ("email", "piet@firma.be", "post"),
        ("email", "els@firma.be", ALL),  # channel words not understood: every channel
    }
    assert read.unreadable_lines == [3]


def test_one_address_on_several_lines_refuses_the_union_of_their_channels():
    read = read_text("a@x.be;e-mail\nA@X.be;post\n", "l.txt")
    assert values(read) == {("email", "a@x.be", "email;post")}


def test_a_list_with_nothing_readable_is_refused(tmp_path):
    listing = tmp_path / "optout.csv"
    listing.write_text("email\nnot an address\n")
    with pytest.raises(InputError, match="no e-mail address"):
        read_list(str(listing))


def test_quoted_cells_and_a_stray_quote_in_a_csv_list():
    text = (
        "email,name\n"
        '"Dupont, Jean" <J.Dupont@Exemple.fr>,Jean\n'  # a quoted display name holds the comma
        '"unterminated,y\n'  # a stray quote: this line unreadable, the next one read
        "z@x.be,q\n"
    )
    read = read_text(text, "a.csv")
    assert values(read) == {("email", "j.dupont@exemple.fr", ALL), ("email", "z@x.be", ALL)}
    assert read.unreadable_lines == [3]
