"""Rendering replies and the command registry within Discord's limits (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.types import Button, Reply
from groupbot.platforms.discord.chat import Pacer, nonce_for
from groupbot.platforms.discord.render import (
    parse_invocation,
    render_commands,
    render_reply,
    split_text,
)
from groupbot.platforms.discord.runner import parse_shards


async def _noop(ctx: CommandContext) -> None:
    return None


def _registry() -> CommandRegistry:
    r = CommandRegistry()
    r.command("excerpt", "A passage", OptionSpec("query", OptionKind.TEXT, "words",
                                                 required=False))(_noop)
    r.command("checkin now", "Check in")(_noop)
    r.command("checkin remind", "Reminders", OptionSpec("state", OptionKind.CHOICE, "on or off",
                                                        choices=("on", "off")))(_noop)
    r.command("mod schedule add", "Add", OptionSpec("channel", OptionKind.CHANNEL, "where"),
              OptionSpec("when", OptionKind.STRING, "when"),
              OptionSpec("tz", OptionKind.STRING, "zone", required=False, keyword_only=True),
              OptionSpec("theme", OptionKind.STRING, "theme", required=False),
              access=Access.MODERATOR)(_noop)
    r.command("mod warn", "Warn", OptionSpec("member", OptionKind.MEMBER, "who"),
              OptionSpec("reason", OptionKind.TEXT, "why"), access=Access.MODERATOR)(_noop)
    r.command("mod strikes", "Strikes", OptionSpec("count", OptionKind.INTEGER, "n",
                                                   min_value=1, max_value=9),
              access=Access.MODERATOR)(_noop)
    return r


def test_command_tree_shape() -> None:
    tree = {c["name"]: c for c in render_commands(_registry())}
    assert set(tree) == {"excerpt", "checkin", "mod"}
    assert tree["excerpt"]["options"][0] == {"name": "query", "type": 3, "description": "words",
                                             "required": False, "max_length": 4000}
    assert "default_member_permissions" not in tree["checkin"]
    assert tree["mod"]["default_member_permissions"] == "8192"
    subs = {o["name"]: o for o in tree["mod"]["options"]}
    assert subs["schedule"]["type"] == 2 and subs["warn"]["type"] == 1
    add = subs["schedule"]["options"][0]
    assert [(o["name"], o["type"], o["required"]) for o in add["options"]] == [
        ("channel", 7, True), ("when", 3, True), ("tz", 3, False), ("theme", 3, False)]
    assert [(o["name"], o["type"]) for o in subs["warn"]["options"]] == [("member", 6),
                                                                          ("reason", 3)]
    count = subs["strikes"]["options"][0]
    assert (count["type"], count["min_value"], count["max_value"]) == (4, 1, 9)
    remind = {o["name"]: o for o in tree["checkin"]["options"]}["remind"]
    assert remind["options"][0]["choices"] == [{"name": "on", "value": "on"},
                                               {"name": "off", "value": "off"}]


def test_parse_invocation_walks_groups() -> None:
    data: dict[str, Any] = {"name": "mod", "options": [{"name": "schedule", "type": 2, "options": [
        {"name": "add", "type": 1, "options": [{"name": "when", "type": 3,
                                                "value": "daily 19:30"}]}]}]}
    assert parse_invocation(data) == (("mod", "schedule", "add"),
                                      [{"name": "when", "type": 3, "value": "daily 19:30"}])
    assert parse_invocation({"name": "excerpt"}) == (("excerpt",), [])


@pytest.mark.parametrize("text", [
    "x" * 4500,  # no break anywhere
    ("word " * 900).strip(),
    "\n\n".join(["para " * 100] * 10),
    "🙂🏽" * 1500 + "\u200d" * 3,
])
def test_split_text_loses_nothing(text: str) -> None:
    parts = split_text(text, 2000)
    assert "".join(parts) == text
    assert all(0 < len(p) <= 2000 for p in parts)


def test_embed_reply_is_split_with_title_first_and_citation_last() -> None:
    body = "Reflect. " * 1000  # ~9,000 characters
    chunks = render_reply(Reply.public(body, title="T" * 300, citation="Article 3, Part 2",
                                       buttons=(Button("gb:x:1", "One"),)))
    embeds = [c.embed for c in chunks if c.embed]
    assert chunks[0].content is not None and chunks[0].content.startswith("T")  # full title
    assert len(embeds[0]["title"]) <= 256 and "footer" not in embeds[0]
    assert embeds[-1]["footer"]["text"] == "Article 3, Part 2"
    assert all(len(e["description"]) <= 4096 for e in embeds)
    assert "".join(e["description"] for e in embeds) == body
    assert chunks[-1].buttons and not any(c.buttons for c in chunks[:-1])


def test_empty_reply_still_renders_something() -> None:
    assert render_reply(Reply.public(""))[0].content == "\u200b"


def test_nonce_is_short_and_stable() -> None:
    a = nonce_for("schedule:12:2026-01-05T09:00")
    assert a == nonce_for("schedule:12:2026-01-05T09:00") and len(a) <= 25
    assert a != nonce_for("schedule:12:2026-01-05T09:00", 1)


async def test_pacer_waits_once_the_burst_is_spent() -> None:
    now = [0.0]
    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(rate=50, burst=2, now=lambda: now[0], sleep=sleep)
    await pacer.acquire()
    await pacer.acquire()
    assert pacer.waited == 0
    await pacer.acquire()
    assert pacer.waited == pytest.approx(1 / 50) and now[0] == pytest.approx(1 / 50)
    await pacer.acquire()  # the next token needed another 1/50 s
    assert now[0] == pytest.approx(2 / 50)


def test_shard_arguments_are_checked() -> None:
    from groupbot.core.errors import ConfigError

    assert parse_shards("1, 0", 4) == ([0, 1], 4)
    assert parse_shards(None, None) == (None, None)
    with pytest.raises(ConfigError, match="needs --shard-count"):
        parse_shards("0", None)
    with pytest.raises(ConfigError, match="between 0 and 1"):
        parse_shards("2", 2)
    with pytest.raises(ConfigError, match="comma-separated"):
        parse_shards("a", 2)
