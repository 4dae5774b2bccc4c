"""One vocabulary: the same option has the same name and meaning in every command, and the
old names still work, hidden."""

import json

import click

from enrich.cli import main


def commands():
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            yield from ((f"{name} {n}", c) for n, c in command.commands.items())
        else:
            yield name, command


def options(command) -> dict[str, click.Option]:
    return {o: p for p in command.params if isinstance(p, click.Option) for o in p.opts}


def test_the_same_idea_has_the_same_name_everywhere():
    for name, command in commands():
        opts = options(command)
        if name not in ("explain", "registry lookup", "subject", "init"):  # they write nothing
            # (init writes the job file it is given)
            assert "-o" in opts and "--out" in opts, name  # where it writes
        if "--rules" in opts and name != "check":
            assert opts["--rules"].type.file_okay is False, name  # a folder
        if "--format" in opts and not opts["--format"].hidden:
            choices = set(opts["--format"].type.choices)  # tables only; xlsx where people read
            assert {"csv", "parquet"} <= choices <= {"csv", "parquet", "xlsx"}, name
            assert ("xlsx" in choices) == (name in ("clean", "master", "export")), name
        for old in ("--link-to", "--output"):
            assert old not in opts or opts[old].hidden, name
        assert ("--strict" in opts) == (name in ("clean", "check")), name
        visible = [
            o
            for p in command.params
            if isinstance(p, click.Option) and not p.hidden
            for o in p.opts
        ]
        assert len(visible) == len(set(visible)), name


def test_the_old_names_still_work(run_cli, fixtures, tmp_path):
    data = fixtures / "crm_export.csv"
    new = run_cli("check", data, "--report-format", "json", "-o", tmp_path / "new.json")
    old = run_cli("check", data, "--format", "json", "--output", tmp_path / "old.json")
    assert new.exit_code == old.exit_code
    results = [json.loads((tmp_path / f).read_text())["results"] for f in ("new.json", "old.json")]
    assert [[(r["check"], r["status"]) for r in rs] for rs in results][0] == [
        (r["check"], r["status"]) for r in results[1]
    ]
    assert results[0]
    first = run_cli("dedupe", data, "-o", tmp_path / "d1", "-q")
    assert first.exit_code == 0, first.output
    linked = run_cli(
        "dedupe",
        fixtures / "purchased_list_fr.csv",
        "--link-to",
        tmp_path / "d1",
        "-o",
        tmp_path / "d2",
        "-q",
    )
    again = run_cli(
        "dedupe",
        fixtures / "purchased_list_fr.csv",
        "--previous",
        tmp_path / "d1",
        "-o",
        tmp_path / "d3",
        "-q",
    )
    assert linked.exit_code == again.exit_code == 0
    assert (tmp_path / "d2" / "records.csv").read_bytes() == (
        tmp_path / "d3" / "records.csv"
    ).read_bytes()


def test_help_lists_strict_only_where_it_exists(run_cli):
    for name in ("master", "dedupe", "attach"):
        assert "--strict" not in run_cli(name, "--help").output
    assert "--strict" in run_cli("clean", "--help").output


def test_registry_build_takes_the_files_each_registry_adapter_declares():
    from enrich.registry import SOURCES

    build = main.commands["registry"].commands["build"]
    declared = {flag for source in SOURCES for flag, _ in source.OPTIONS.values()}
    assert declared == {"--kbo", "--sirene", "--sirene-establishments"}
    assert declared <= set(options(build))
    for source in SOURCES:
        assert set(source.OPTIONS) == set(source.INPUTS)  # a build() keyword for each option
