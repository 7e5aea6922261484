"""Neutral replies rendered as Slack messages: mrkdwn text and Block Kit blocks.

Pure functions (no network), so Slack's limits are tested directly: a section's text at most
3,000 characters, a header's 150, a context element's 3,000 (ten per block), a button's label
75 and its action id 255, at most 25 elements per actions block and 50 blocks per message.
Long text is split across blocks and messages, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from groupbot.core.text import split_text
from groupbot.core.types import Button, ButtonStyle, Reply

MAX_SECTION = 3000
MAX_HEADER = 150
MAX_CONTEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_LABEL = 75
MAX_ACTION_ID = 255
MAX_VALUE = 2000
MAX_ACTIONS = 25
MAX_BLOCKS = 50
MAX_TEXT = 4000  # Slack's advice for a message's plain `text`; it truncates at 40,000
MAX_FALLBACK = 3000

# Slack's own markup passes through untouched: <@U123>, <#C123|name>, <!here>, <https://..|x>
_SLACK_TOKEN = re.compile(r"<(?:[@#!][^<>\s]*|(?:https?|mailto):[^<>\s]*)>")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])"
                       r"|~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One `chat.postMessage` worth of a reply: `text` (the fallback when blocks are set)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape &, < and > as Slack asks, keeping Slack's own <...> tokens intact."""
    out: list[str] = []
    last = 0
    for m in _SLACK_TOKEN.finditer(text):
        out.append(_escape_plain(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_escape_plain(text[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Markdown as features write it (`**bold**`, `*italic*`, `[x](url)`) in Slack mrkdwn."""
    links: list[str] = []

    def keep_link(m: re.Match[str]) -> str:
        label = m.group(1).replace("|", "¦").replace(">", "›").replace("<", "‹")
        links.append(f"<{m.group(2)}|{label}>")
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text)
    text = escape(text)

    def emphasis(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return f"*{m.group(1)}*"
        if m.group(2) is not None:
            return f"_{m.group(2)}_"
        return f"~{m.group(3)}~"

    text = _EMPHASIS.sub(emphasis, text)
    text = _HEADING.sub(lambda m: f"*{m.group(1).strip()}*", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def _split(text: str, limit: int) -> list[str]:
    """Split within a Slack limit without cutting an escape or a <@U1> token."""
    return split_text(text, limit, keep_together=_inside_token)


def _inside_token(text: str, cut: int) -> bool:
    """Whether a cut would split an escape (&amp;) or a Slack token (<@U1>)."""
    amp = text.rfind("&", max(0, cut - 5), cut)
    if amp >= 0 and ";" in text[amp:cut + 5] and ";" not in text[amp:cut]:
        return True
    lt = text.rfind("<", max(0, cut - 200), cut)
    return lt >= 0 and ">" not in text[lt:cut] and ">" in text[cut:cut + 200]


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button_blocks(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    """Buttons as actions blocks; the persistent custom id is the action id and the value."""
    blocks = []
    seen: set[str] = set()
    elements: list[dict[str, Any]] = []
    for b in buttons:
        action_id = b.custom_id[:MAX_ACTION_ID]
        if action_id in seen:  # Slack refuses a message with two equal action ids
            continue
        seen.add(action_id)
        element: dict[str, Any] = {
            "type": "button", "action_id": action_id, "value": b.custom_id[:MAX_VALUE],
            "text": {"type": "plain_text", "text": _clip(b.label or "…", MAX_BUTTON_LABEL),
                     "emoji": True}}
        if b.style is ButtonStyle.PRIMARY:
            element["style"] = "primary"
        elif b.style is ButtonStyle.DANGER:
            element["style"] = "danger"
        elements.append(element)
    for start in range(0, len(elements), MAX_ACTIONS):
        blocks.append({"type": "actions", "elements": elements[start:start + MAX_ACTIONS]})
    return blocks


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """Every block of a reply, in order, each within its own limit."""
    blocks: list[dict[str, Any]] = []
    if reply.title:
        title = " ".join(reply.title.split())
        if len(title) <= MAX_HEADER:
            blocks.append({"type": "header",
                           "text": {"type": "plain_text", "text": title or "…", "emoji": True}})
        else:  # too long for a header: a bold section keeps every word
            blocks += [_section(p) for p in _split(f"*{escape(title)}*", MAX_SECTION)]
    body = to_mrkdwn(reply.text) if reply.text.strip() else ""
    blocks += [_section(p) for p in _split(body, MAX_SECTION) if p.strip()]
    if reply.citation:
        parts = [{"type": "mrkdwn", "text": p}
                 for p in _split(to_mrkdwn(reply.citation), MAX_CONTEXT) if p.strip()]
        for start in range(0, len(parts), MAX_CONTEXT_ELEMENTS):
            blocks.append({"type": "context",
                           "elements": parts[start:start + MAX_CONTEXT_ELEMENTS]})
    blocks += button_blocks(reply.buttons)
    return blocks


def fallback_text(reply: Reply) -> str:
    """The notification text shown beside blocks (and by clients without blocks)."""
    head = f"{reply.title}: " if reply.title else ""
    return _clip(head + (reply.text or reply.citation or "").strip(), MAX_FALLBACK) or "…"


def render_reply(reply: Reply) -> list[SlackMessage]:
    """A reply as one or more Slack messages; buttons stay on the last one.

    Plain text goes as `text` (split at 4,000 characters); a title, a citation or buttons
    make it blocks (at most 50 a message).
    """
    if not (reply.title or reply.citation or reply.buttons):
        body = to_mrkdwn(reply.text) if reply.text.strip() else "…"
        return [SlackMessage(text=p) for p in _split(body, MAX_TEXT)]
    blocks = reply_blocks(reply)
    fallback = fallback_text(reply)
    messages = [SlackMessage(text=fallback, blocks=blocks[start:start + MAX_BLOCKS])
                for start in range(0, len(blocks), MAX_BLOCKS)]
    return messages or [SlackMessage(text=fallback)]


def plain_text_of(blocks: list[dict[str, Any]]) -> str:
    """The words of rendered blocks (tests, logs): sections, headers and context joined."""
    out: list[str] = []
    for b in blocks:
        if b.get("type") in ("section", "header"):
            out.append(str(b["text"]["text"]))
        elif b.get("type") == "context":
            out.extend(str(e.get("text", "")) for e in b.get("elements", []))
    return "\n".join(out)
