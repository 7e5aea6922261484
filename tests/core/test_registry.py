"""The command registry: declared once, parsed the same way everywhere, fail-closed access."""

from __future__ import annotations

import pytest

from groupbot.core.commands import (
    Access,
    CommandContext,
    CommandRegistry,
    CommandSpec,
    OptionKind,
    OptionSpec,
)
from groupbot.core.errors import UsageError
from groupbot.core.types import Reply
from tests.conftest import Harness


async def _noop(ctx: CommandContext) -> Reply:
    return Reply.public(repr(ctx.args))


def _registry() -> CommandRegistry:
    r = CommandRegistry()
    r.add(CommandSpec(("excerpt",), "find a passage", _noop,
                      (OptionSpec("query", OptionKind.TEXT, "words", required=False),)))
    r.add(CommandSpec(("mod", "warn"), "warn", _noop,
                      (OptionSpec("member", OptionKind.MEMBER, "who"),
                       OptionSpec("reason", OptionKind.TEXT, "why")), access=Access.MODERATOR))
    r.add(CommandSpec(("mod", "schedule", "add"), "add", _noop,
                      (OptionSpec("channel", OptionKind.CHANNEL, "where"),
                       OptionSpec("when", OptionKind.TEXT, "when"),
                       OptionSpec("tz", OptionKind.STRING, "zone", required=False,
                                  keyword_only=True)), access=Access.MODERATOR))
    r.add(CommandSpec(("checkin", "remind"), "remind", _noop,
                      (OptionSpec("state", OptionKind.CHOICE, "on/off", choices=("on", "off")),)))
    return r


def test_parse_text_option_takes_rest_of_line_verbatim() -> None:
    parsed = _registry().parse('/excerpt what  therapy "helps"')
    assert parsed.spec.name == "excerpt"
    assert parsed.raw == {"query": 'what  therapy "helps"'}


def test_parse_nested_and_keyword_options() -> None:
    parsed = _registry().parse("/mod schedule add #general weekly mon 09:00 tz=Europe/Berlin")
    assert parsed.spec.path == ("mod", "schedule", "add")
    assert parsed.raw == {"channel": "#general", "when": "weekly mon 09:00", "tz": "Europe/Berlin"}


def test_slack_form_without_slash_and_with_groupbot_prefix() -> None:
    parsed = _registry().parse("groupbot mod warn @bob be kind")
    assert parsed.spec.name == "mod warn"
    assert parsed.raw == {"member": "@bob", "reason": "be kind"}


def test_quoted_values() -> None:
    parsed = _registry().parse('/mod warn "@bob smith" "too harsh"')
    assert parsed.raw["member"] == "@bob smith"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("/nosuch thing", "Unknown command /nosuch"),
        ("/mod", "/mod needs a subcommand"),
        ("/mod schedule", "/mod schedule needs a subcommand: /mod schedule add"),
        ("/mod warn", "/mod warn needs <member>. Usage: /mod warn <member> <reason>"),
        ("   ", "Type /help"),
    ],
)
def test_usage_errors_name_the_command(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        _registry().parse(text)
    assert fragment in str(info.value)


async def test_convert_checks_choices_and_integers() -> None:
    r = _registry()
    spec = r.get(["checkin", "remind"])
    assert spec is not None
    with pytest.raises(UsageError, match="must be one of on, off"):
        await r.convert(spec, {"state": "maybe"}, None, None)  # type: ignore[arg-type]
    assert await r.convert(spec, {"state": "ON"}, None, None) == {"state": "on"}  # type: ignore[arg-type]

    spec2 = CommandSpec(("n",), "n", _noop, (OptionSpec("k", OptionKind.INTEGER, "k",
                                                        min_value=1, max_value=5),))
    with pytest.raises(UsageError, match="whole number"):
        await r.convert(spec2, {"k": "x"}, None, None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="from 1 to 5"):
        await r.convert(spec2, {"k": "9"}, None, None)  # type: ignore[arg-type]


def test_declaration_mistakes_are_refused() -> None:
    r = _registry()
    with pytest.raises(ValueError, match="declared twice"):
        r.add(CommandSpec(("excerpt",), "again", _noop))
    with pytest.raises(ValueError, match="at most two levels"):
        r.add(CommandSpec(("a", "b", "c", "d"), "deep", _noop))
    with pytest.raises(ValueError, match="TEXT option must be the last"):
        r.add(CommandSpec(("x",), "x", _noop, (OptionSpec("a", OptionKind.TEXT, "a"),
                                               OptionSpec("b", OptionKind.STRING, "b"))))
    with pytest.raises(ValueError, match="nests under the leaf"):
        r.add(CommandSpec(("excerpt", "more"), "x", _noop))


async def test_every_shipped_command_is_declared_once_with_usage(harness: Harness) -> None:
    registry = harness.bot.registry
    names = [s.name for s in registry.commands()]
    assert len(names) == len(set(names))
    assert {"help", "mydata export", "mydata delete", "mod setup timezone"} <= set(names)
    for spec in registry.commands():
        assert spec.description, spec.name
        assert spec.usage().startswith("/" + spec.name)
        if spec.path[0] == "mod":
            assert spec.access is Access.MODERATOR, f"/{spec.name} must be moderator-only"


def test_a_default_subcommand_runs_when_only_the_group_is_typed() -> None:
    r = CommandRegistry()
    r.add(CommandSpec(("checkin", "now"), "now", _noop,
                      (OptionSpec("mood", OptionKind.INTEGER, "mood", required=False),
                       OptionSpec("note", OptionKind.TEXT, "note", required=False)),
                      default=True))
    r.add(CommandSpec(("checkin", "history"), "history", _noop))
    assert r.parse("/checkin").spec.path == ("checkin", "now")
    parsed = r.parse("/checkin 2 a long week")
    assert parsed.spec.path == ("checkin", "now")
    assert parsed.raw == {"mood": "2", "note": "a long week"}
    assert r.parse("/checkin history").spec.path == ("checkin", "history")
    assert r.parse("/checkin now 4").raw == {"mood": "4"}
    with pytest.raises(ValueError, match="two default subcommands"):
        r.add(CommandSpec(("checkin", "later"), "x", _noop, default=True))
    with pytest.raises(ValueError, match="only a subcommand"):
        r.add(CommandSpec(("solo",), "x", _noop, default=True))
