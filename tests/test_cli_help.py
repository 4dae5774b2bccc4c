"""The help reads well: the command list whole (never cut with '...'), and every command's
help ends with its exit codes."""

from __future__ import annotations

import click

from enrich.cli import main


def every_command(group: click.Group = main, prefix: str = ""):
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from every_command(command, f"{prefix}{name} ")


def command_list(text: str) -> list[str]:
    """The lines of the 'Commands:' section of a help text."""
    section = text.split("Commands:\n", 1)[1]
    return section.split("\n\n", 1)[0].splitlines()


def test_the_command_list_is_whole(run_cli):
    for args, group in (([], main), (["registry"], main.commands["registry"])):
        text = run_cli(*args, "--help").stdout
        lines = command_list(text)
        assert lines and not any(line.rstrip().endswith("...") for line in lines), text
        listed = {line.split()[0] for line in lines if not line.startswith("    ")}
        assert listed == set(group.commands)
        for name, command in group.commands.items():
            assert command.short_help, name  # said on purpose, not Click's cut first sentence
            assert len(command.short_help) <= 66, name  # one line at 80 columns


def test_every_help_names_its_exit_codes(run_cli):
    for name, _ in every_command():
        result = run_cli(*name.split(), "--help")
        assert result.exit_code == 0, name
        codes = result.stdout.split("Exit codes:", 1)
        assert len(codes) == 2, name
        for code in ("0", "2", "3", "130", "141"):
            assert f"\n    {code}  " in codes[1], (name, code)
