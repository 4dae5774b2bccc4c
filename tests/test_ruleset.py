"""Rules as an object: a steward's folder extends the shipped rules key by key, replaces a
file with ``replace = true``, says what it changed, and two rule sets never mix."""

import pytest

from enrich.errors import InputError
from enrich.mapping import map_headers
from enrich.ruleset import Rules


def folder(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_three_line_headers_file_adds_synonyms_and_keeps_the_others(tmp_path):
    rules = Rules.load(folder(tmp_path, headers='[columns]\nemail = ["Elektronische Post"]\n'))
    shipped = Rules.load()
    emails = rules.get("headers")["columns"]["email"]
    assert emails[-1] == "Elektronische Post"
    assert emails[:-1] == shipped.get("headers")["columns"]["email"]
    assert rules.get("headers")["columns"]["vat"] == shipped.get("headers")["columns"]["vat"]
    assert map_headers(["Elektronische Post", "N° TVA"], rules=rules).mapped == {
        "Elektronische Post": "email",
        "N° TVA": "vat",
    }
    assert (
        "Elektronische Post" not in map_headers(["Elektronische Post"]).mapped
    )  # the defaults untouched


def test_values_and_ordinary_lists_replace_the_shipped_ones(tmp_path):
    link = "[company.settings]\nmatch_threshold = 0.9\n"
    survivorship = '[sources]\npriority = ["*crm*", "*"]\n'
    rules = Rules.load(folder(tmp_path, link=link, survivorship=survivorship))
    company = rules.get("link")["company"]
    assert company["settings"]["match_threshold"] == 0.9
    assert (
        company["settings"]["review_threshold"]
        == Rules.load().get("link")["company"]["settings"]["review_threshold"]
    )
    assert company["blocking"] == Rules.load().get("link")["company"]["blocking"]
    assert rules.get("survivorship")["sources"]["priority"] == ["*crm*", "*"]  # not appended
    assert rules.overrides == [
        {
            "file": str(tmp_path / "link.toml"),
            "replace": False,
            "replaced": ["company.settings.match_threshold"],
            "extended": [],
        },
        {
            "file": str(tmp_path / "survivorship.toml"),
            "replace": False,
            "replaced": ["sources.priority"],
            "extended": [],
        },
    ]


def test_replace_true_replaces_the_file_whole(tmp_path):
    rules = Rules.load(folder(tmp_path, titles='replace = true\n[titles]\nmr = ["Sir"]\n'))
    assert rules.get("titles") == {"titles": {"mr": ["Sir"]}}
    assert rules.overrides[0]["replace"] is True


def test_a_full_copy_of_the_shipped_file_changes_nothing(tmp_path, fixtures):
    text = (fixtures.parent / "rules" / "legal_forms.toml").read_text(encoding="utf-8")
    rules = Rules.load(folder(tmp_path, legal_forms=text))
    assert rules.get("legal_forms") == Rules.load().get("legal_forms")


def test_two_rule_sets_in_one_process_do_not_mix(tmp_path):
    theirs = Rules.load(folder(tmp_path, headers='[columns]\nemail = ["Courrier du contact"]\n'))
    ours = Rules.load()
    assert map_headers(["Courrier du contact"], rules=theirs).mapped
    assert not map_headers(["Courrier du contact"], rules=ours).mapped
    assert map_headers(["Courrier du contact"], rules=theirs).mapped  # cached per object


def test_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(InputError, match="rules directory not found"):
        Rules.load(tmp_path / "nope")
    rules = Rules.load(folder(tmp_path, headers="[columns\n"))
    with pytest.raises(InputError, match=r"headers.toml: invalid TOML: .*line 1"):
        rules.get("headers")
    where, line = Rules.load(
        folder(tmp_path, survivorship='[company.name]\nrules = ["newest"]\n')
    ).line_of("survivorship", '"newest"')
    assert (where, line) == (str(tmp_path / "survivorship.toml"), 2)


def test_the_digest_covers_the_stewards_files(tmp_path):
    shipped = Rules.load().digest(["headers", "link"])
    assert Rules.default().digest(["headers", "link"]) == shipped
    changed = Rules.load(folder(tmp_path, link="[company.settings]\nmatch_threshold = 0.9\n"))
    assert changed.digest(["headers", "link"]) != shipped
    assert changed.digest(["headers"]) == Rules.load().digest(["headers"])
