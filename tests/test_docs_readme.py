"""Every `gendan` command is documented in the README and has help text with an example."""

from __future__ import annotations

import argparse
from pathlib import Path

from gendan_xl import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, argparse.ArgumentParser]:
    cli.load_commands()
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_is_in_the_readme() -> None:
    commands = _commands()
    assert {"check", "plan", "whatif", "report", "docs", "batch", "addin", "template", "demo"} <= set(commands)
    missing = [name for name in commands if f"gendan {name}" not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_every_command_has_an_example() -> None:
    for name, parser in _commands().items():
        text = (parser.description or "") + parser.format_help()
        assert "gendan" in text and ("例" in text or "example" in text), name


def test_every_issue_code_is_in_the_readme_table() -> None:
    """The README's issue-code table names exactly the codes of ``model.ISSUE_TYPES``."""
    import re

    from gendan_xl.model import ISSUE_TYPES

    table = README.split("### Issue codes", 1)[1].split("\n\n", 2)[1]
    named = set()
    for line in table.splitlines():
        if line.startswith("| ") and not line.startswith("| code") and not line.startswith("| ---"):
            named |= set(re.findall(r"[a-z]+(?:-[a-z0-9]+)+", line.split("|")[1]))
    assert named == set(ISSUE_TYPES)
