"""Replies as Slack mrkdwn and Block Kit, within Slack's limits, losing nothing."""

from __future__ import annotations

import pytest

from groupbot.config import Config
from groupbot.core.types import Button, ButtonStyle, Channel, Group, Reply
from groupbot.platforms.slack.chat import SlackChat, make_client
from groupbot.platforms.slack.render import (
    MAX_BLOCKS,
    MAX_SECTION,
    MAX_TEXT,
    _split,
    escape,
    plain_text_of,
    render_reply,
    split_text,
    to_mrkdwn,
)
from tests.fakes.slack_fake import BOT_TOKEN, FakeSlack


@pytest.mark.parametrize(("markdown", "mrkdwn"), [
    ("**bold** and *soft*", "*bold* and _soft_"),
    ("see [the guide](https://example.org/a_b) now", "see <https://example.org/a_b|the guide> now"),
    ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
    ("ask <@U0123ABCD> in <#C0123ABCD|general>", "ask <@U0123ABCD> in <#C0123ABCD|general>"),
    ("~~gone~~ 2*3*4", "~gone~ 2*3*4"),
    ("## Heading\nbody", "*Heading*\nbody"),
    ("snake_case_name stays", "snake_case_name stays"),
])
def test_markdown_becomes_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_escape_keeps_slack_tokens_and_escapes_the_rest() -> None:
    assert escape("<!here> <script>") == "<!here> &lt;script&gt;"


@pytest.mark.parametrize("text", [
    "word " * 3000, "x" * 9001, "para one\n\n" * 900, "👩‍👩‍👧" * 2000,
    "a &amp; b " * 1200,
])
def test_split_text_loses_nothing(text: str) -> None:
    parts = _split(text, MAX_SECTION)
    assert "".join(parts) == text
    assert all(0 < len(p) <= MAX_SECTION for p in parts)


def test_a_hard_cut_never_splits_a_slack_token() -> None:
    text = "x" * 2995 + "<@U12345>" + "y" * 3000  # no space to cut at
    parts = _split(text, 3000)
    assert "".join(parts) == text
    assert parts[0] == "x" * 2995 and parts[1].startswith("<@U12345>")
    # the plain splitter, without Slack's rule, cuts inside the token
    assert split_text(text, 3000)[0].endswith("<@U12")


def test_a_plain_long_reply_is_split_into_messages() -> None:
    text = "I hear you. " * 1000
    messages = render_reply(Reply.public(text))
    assert len(messages) > 1 and all(len(m.text) <= MAX_TEXT and not m.blocks for m in messages)
    assert "".join(m.text for m in messages) == text


def test_an_excerpt_is_a_header_sections_a_context_and_buttons_last() -> None:
    reply = Reply.public("A **boundary** is a kindness." * 400, title="Boundaries › Why",
                         citation="Jane Doe, *Interdependence*, 2023",
                         buttons=(Button("gb:excerpt:next:1:1", "Next result",
                                         ButtonStyle.PRIMARY),
                                  Button("gb:excerpt:next:1:1", "Twice")))
    messages = render_reply(reply)
    blocks = [b for m in messages for b in m.blocks]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text",
                                                    "text": "Boundaries › Why", "emoji": True}}
    assert blocks[-2]["type"] == "context" and "_Interdependence_" in \
        blocks[-2]["elements"][0]["text"]
    actions = blocks[-1]
    assert actions["type"] == "actions" and len(actions["elements"]) == 1  # ids are unique
    assert actions["elements"][0]["style"] == "primary"
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "".join(sections) == to_mrkdwn(reply.text)
    assert all(len(s) <= MAX_SECTION for s in sections)


def test_a_very_long_title_keeps_every_word() -> None:
    title = "A long title " * 30
    blocks = render_reply(Reply.public("body", title=title))[0].blocks
    assert blocks[0]["type"] == "section" and " ".join(title.split()) in blocks[0]["text"]["text"]


def test_many_blocks_spread_over_messages_with_buttons_on_the_last() -> None:
    text = "\n\n".join("p" * 2990 for _ in range(60))
    reply = Reply.public(text, title="t", buttons=tuple(Button(f"gb:x:{i}", f"b{i}")
                                                        for i in range(30)))
    messages = render_reply(reply)
    assert len(messages) == 2 and all(len(m.blocks) <= MAX_BLOCKS for m in messages)
    assert [b["type"] for b in messages[-1].blocks][-2:] == ["actions", "actions"]
    assert sum(len(b["elements"]) for m in messages for b in m.blocks
               if b["type"] == "actions") == 30


async def test_a_huge_reply_is_accepted_by_slack_in_pieces(config: Config) -> None:
    fake = await FakeSlack(echo_bot_messages=False).start()
    try:
        chat = SlackChat(make_client(BOT_TOKEN, fake.api_base), config)
        group = Group("slack:T1", "t", "slack")
        text = "Ünïcödé 💛 & <tags> " * 8000
        reply = Reply.public(text, title="T" * 400, citation="c" * 5000,
                             buttons=(Button("gb:a", "A" * 200),))
        await chat.post(group, Channel(fake.channels["general"], "general", group.id), reply)
        posts = fake.posts_in("general")
        statuses = [c.answer.get("ok") for c in fake.called("chat.postMessage")]
    finally:
        await fake.stop()
    assert statuses and all(statuses)
    joined = "".join(plain_text_of(p["blocks"]).replace("\n", "") for p in posts)
    assert joined.count("Ünïcödé 💛 &amp; &lt;tags&gt;") == 8000
    assert "c" * 5000 in joined
