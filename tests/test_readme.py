"""The README's command table is generated from the registry; this keeps them in step."""

from __future__ import annotations

from pathlib import Path

from groupbot.cli_commands import markdown_table
from groupbot.config import DashboardConfig, load_config
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


def test_the_readmes_dashboard_settings_load_as_described(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The moderators' dashboard"):text.index("## Configuration")]
    block = section[section.index("```toml\n") + 8:]
    block = block[:block.index("```")]
    (tmp_path / "groupbot.toml").write_text(block, encoding="utf-8")
    dash = load_config(tmp_path / "groupbot.toml", env={}).dashboard
    assert (dash.port, dash.host, dash.public_url) == (8080, "127.0.0.1",
                                                      "https://mods.example.org")
    assert (dash.idle_minutes, dash.session_hours) == (30, 12)
    assert tuple(dash.trusted_proxies) == DashboardConfig().trusted_proxies
    assert dash.idle_minutes == DashboardConfig().idle_minutes  # the defaults it names
    assert dash.session_hours == DashboardConfig().session_hours
    assert DashboardConfig().host == "127.0.0.1" and DashboardConfig().port is None
    # and the screenshot it shows is in the repository
    image = section[section.index("](") + 2:section.index(")", section.index("]("))]
    assert (README.parent / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
