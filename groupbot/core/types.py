"""Plain, platform-neutral data types.

Adapters translate Discord and Slack payloads into these and back; features only ever see
these, so the same feature code runs on every platform and in the console.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Visibility(enum.Enum):
    """Who sees a reply: everyone in the channel, or only the person it answers."""

    PUBLIC = "public"
    PRIVATE = "private"


@dataclass(frozen=True, slots=True)
class Group:
    """One group space: a Discord guild, a Slack workspace, or the console's local group."""

    id: str
    name: str
    platform: str


@dataclass(frozen=True, slots=True)
class Channel:
    """A place messages are posted in (a text channel, a Slack channel, a thread)."""

    id: str
    name: str
    group_id: str
    is_thread: bool = False
    is_private: bool = False


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a group, with the roles the platform gives them.

    `is_moderator` is decided by the adapter from platform facts (Manage Messages, a role, a
    Slack user group) and the group's configuration; features trust it and nothing else.
    """

    id: str
    display_name: str
    roles: frozenset[str] = frozenset()
    is_moderator: bool = False
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """A member's message as the platform delivered it (a new one, or an edit)."""

    id: str
    group: Group
    channel: Channel
    author: Member
    text: str
    created_at: datetime
    edited: bool = False
    mentions: tuple[str, ...] = ()


class ButtonStyle(enum.Enum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    """A clickable choice. `custom_id` is persistent: clicks are routed after restarts."""

    custom_id: str
    label: str
    style: ButtonStyle = ButtonStyle.SECONDARY


@dataclass(frozen=True, slots=True)
class Reply:
    """What a feature wants said. Adapters render it natively (embed, blocks, console text).

    `title` and `citation` let adapters render excerpts and prompts as embeds; `thread_name`
    asks for a discussion thread where the platform has threads.
    """

    text: str
    visibility: Visibility = Visibility.PUBLIC
    title: str | None = None
    citation: str | None = None
    buttons: tuple[Button, ...] = ()
    thread_name: str | None = None

    @classmethod
    def private(cls, text: str, **kwargs: Any) -> Reply:
        return cls(text=text, visibility=Visibility.PRIVATE, **kwargs)

    @classmethod
    def public(cls, text: str, **kwargs: Any) -> Reply:
        return cls(text=text, visibility=Visibility.PUBLIC, **kwargs)


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A message the bot posted: enough to delete it, thread on it, or reconcile it."""

    id: str
    channel_id: str
    group_id: str
    thread_id: str | None = None


@dataclass(slots=True)
class Interaction:
    """A button click, routed by its persistent `custom_id`."""

    custom_id: str
    group: Group
    channel: Channel
    member: Member
    message_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
