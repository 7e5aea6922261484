"""How a prompt looks when posted: one public Reply that adapters render natively.

The content note comes first so members can decide before reading on; the closing line
reminds everyone that sharing is optional.
"""

from __future__ import annotations

from groupbot.core.types import Reply
from groupbot.prompts_library.model import Prompt, theme_display
from groupbot.prompts_library.rotation import PromptPick

INVITATION = "Share only what you want to; reading along is welcome too."
THREAD_NAME_MAX = 90  # Discord allows 100; leave room for adapters' own prefixes


def thread_title(prompt: Prompt, theme_title: str | None = None) -> str:
    """A short thread name: the theme and the start of the prompt."""
    head = theme_title or theme_display(prompt.theme)
    words = prompt.text.split()
    title = head + ": "
    for word in words:
        if len(title) + len(word) + 1 > THREAD_NAME_MAX - 1:
            return title.rstrip() + "…"
        title += word + " "
    return title.rstrip()


def prompt_reply(prompt: Prompt, *, theme_title: str | None = None,
                 heading: str | None = None) -> Reply:
    """The public post for a prompt, asking for a discussion thread."""
    theme = theme_title or theme_display(prompt.theme)
    parts: list[str] = []
    if prompt.content_note:
        parts.append(f"Content note: {prompt.content_note}")
    parts.append(prompt.text)
    if prompt.follow_ups:
        parts.append("\n".join(["To go further:", *(f"• {q}" for q in prompt.follow_ups)]))
    parts.append(INVITATION)
    if prompt.excerpt:
        parts.append(f"For a related passage: /excerpt {prompt.excerpt}")
    return Reply.public(
        "\n\n".join(parts),
        title=heading or theme,
        thread_name=thread_title(prompt, theme),
    )


def pick_reply(pick: PromptPick, *, theme_title: str | None = None) -> Reply:
    """The post for a pick: a curriculum step is headed with its track and week."""
    return prompt_reply(pick.prompt, theme_title=theme_title, heading=pick.heading)


def prompt_line(prompt: Prompt, width: int = 80) -> str:
    """One line for lists: the id and the start of the text."""
    text = " ".join(prompt.text.split())
    room = max(10, width - len(prompt.id) - 3)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    flag = " [content note]" if prompt.content_note else ""
    return f"`{prompt.id}` {text}{flag}"
