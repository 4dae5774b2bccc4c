"""The VAT field's routing: the prefix (typed, or the row's country) picks the adapter."""

import types

from enrich import identifiers
from enrich.identifiers import clean_one, nl


def test_prefix_from_the_row_or_the_shape():
    assert clean_one(vat="004495445B01", country="NL")["vat"] == "NL004495445B01"
    assert clean_one(vat="0403170701")["vat"] == "BE0403170701"  # ten digits, 0/1: BE
    r = clean_one(vat="12345")
    assert r["id_status"] == "invalid_format" and "no country" in r["id_reason"]


def test_a_value_goes_to_the_adapter_of_its_prefix(monkeypatch):
    seen = []

    def validate_vat(number):
        seen.append(number)
        return number

    fake = types.SimpleNamespace(validate_vat=validate_vat, format_vat=lambda n: f"<{n}>")
    monkeypatch.setitem(identifiers.VAT_ADAPTERS, "AT", fake)
    r = clean_one(vat="AT U 1234")
    assert seen == ["ATU1234"] and r["vat_formatted"] == "<ATU1234>"
    monkeypatch.setattr(nl, "validate_vat", validate_vat)
    assert clean_one(vat="NL 12")["vat_formatted"] == "NL12"  # nl's format, our validate
    assert seen == ["ATU1234", "NL12"]
    assert clean_one(vat="BE0403170701")["id_status"] == "valid" and len(seen) == 2  # vectorised
