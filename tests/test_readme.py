"""The README's command table is generated from the registry; this keeps them in step."""

from __future__ import annotations

from pathlib import Path

from groupbot.cli.commands import markdown_table
from groupbot.core.commands import Access
from tests.conftest import Harness

README = Path(__file__).resolve().parent.parent / "README.md"


async def test_readme_command_table_matches_the_registry(harness: Harness) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- commands-table -->") + len("<!-- commands-table -->\n")
    end = text.index("<!-- /commands-table -->")
    specs = sorted(harness.bot.registry.commands(),
                   key=lambda s: (s.access is Access.MODERATOR, s.path))
    expected = markdown_table(specs)
    assert text[start:end].strip() == expected, (
        "README.md's command table is out of date: regenerate it with "
        "`groupbot commands --markdown`")


def test_readme_gives_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
