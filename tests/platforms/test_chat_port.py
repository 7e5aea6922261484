"""Every chat adapter (and every test fake of one) against the chat port.

The port (`groupbot.core.ports.ChatPort`) lists every capability an adapter may or may not
have; `ChatBase` answers for the ones an adapter leaves out. Here each adapter is checked:
it subclasses `ChatBase`, satisfies the port, and its `Capabilities` flags tell the truth (a
capability declared False answers `Unsupported`; one declared True is really implemented).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from groupbot.config import Config
from groupbot.core.errors import Unsupported
from groupbot.core.ports import (
    DEFAULT_RATE_LIMITS,
    Capabilities,
    ChatBase,
    ChatPort,
    FakeClock,
    RateLimits,
)
from groupbot.core.types import Channel, Group, Member, Reply
from groupbot.dashboard.standalone import DetachedChat
from groupbot.platforms.console import ConsoleChat
from groupbot.platforms.discord.chat import DiscordChat
from groupbot.platforms.discord.client import GroupbotClient
from groupbot.platforms.slack.chat import SlackChat
from tests.features.moderation.test_feature import ClosedDMsChat, NoDeleteChat
from tests.scheduling.test_limiter import RecordingChat

GROUP = Group("g1", "Group", "test")
CHANNEL = Channel("c1", "general", "g1")
MEMBER = Member("u1", "Alex")
# the port's methods each flag stands for
FLAGGED = {
    "delete_member_messages": ("delete_message",),
    "timeout_members": ("timeout_member", "remove_timeout", "timed_out_until"),
    "member_lookup": ("member_info",),
    "find_posts": ("find_post",),
}


def _slack() -> ChatBase:
    from slack_sdk.web.async_client import AsyncWebClient

    return SlackChat(AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"),
                     Config())


ADAPTERS: dict[str, Callable[[], ChatBase]] = {
    "console": ConsoleChat,
    "discord": lambda: DiscordChat(GroupbotClient(Config())),
    "slack": _slack,
    "fake-recording": lambda: RecordingChat(FakeClock()),
    "fake-no-delete": NoDeleteChat,
    "fake-closed-dms": ClosedDMsChat,
}
# adapters whose calls need their platform's server (not logged in here)
NEEDS_A_SERVER = {"discord", "slack"}
# capabilities that describe another platform on purpose: the dashboard run without the bot
# says in a policy dry run what the live bot would do there, though it reaches no one
STAND_INS: dict[str, Callable[[], ChatBase]] = {
    "dashboard-detached": lambda: DetachedChat("discord"),
}


def _call(chat: ChatBase, method: str) -> object:
    """A call of the port method with plausible arguments."""
    until = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=1)
    group, channel, member, message = GROUP, CHANNEL, MEMBER, "m1"
    if isinstance(chat, ConsoleChat):  # (the console knows only its own world)
        found = chat.channel("general")
        assert found is not None
        group, channel, member = chat.group, found, chat.add_member("alex")
        message = chat.new_message(channel, member, "hello").id
    args: dict[str, tuple[object, ...]] = {
        "delete_message": (group, channel, message),
        "timeout_member": (group, member, until, "a test"),
        "remove_timeout": (group, member, "a test"),
        "timed_out_until": (group, member),
        "member_info": (group, member.id),
        "find_post": (group, channel, "gb1.202601010900"),
    }
    return getattr(chat, method)(*args[method])


def _port_members() -> list[str]:
    """What the port declares: its methods and its attributes."""
    methods = [n for n, v in vars(ChatPort).items()
               if inspect.isfunction(v) and not n.startswith("_")]
    return methods + [n for n in ChatPort.__annotations__ if not n.startswith("_")]


def test_the_base_class_answers_for_everything_the_port_declares() -> None:
    members = _port_members()
    assert {"can_post", "owns_group", "find_post", "rate_limits", "settings_of"} <= set(members)
    missing = [n for n in members if not hasattr(ChatBase, n) and n != "platform"]
    assert missing == []


@pytest.mark.parametrize("name", sorted([*ADAPTERS, *STAND_INS]))
async def test_each_adapter_satisfies_the_port(name: str) -> None:
    chat = {**ADAPTERS, **STAND_INS}[name]()
    assert isinstance(chat, ChatBase)
    assert isinstance(chat, ChatPort)
    assert isinstance(chat.platform, str) and chat.platform
    assert isinstance(chat.capabilities, Capabilities)
    assert isinstance(chat.rate_limits, RateLimits)
    assert isinstance(chat.owns_group(GROUP.id), bool)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
async def test_each_adapters_capability_flags_tell_the_truth(name: str) -> None:
    chat = ADAPTERS[name]()
    for flag, methods in FLAGGED.items():
        declared = getattr(chat.capabilities, flag)
        for method in methods:
            implemented = getattr(type(chat), method) is not getattr(ChatBase, method)
            if declared:
                assert implemented, f"{name} declares {flag} but leaves {method} to ChatBase"
                if name in NEEDS_A_SERVER:
                    continue  # (their own end-to-end tests call it against a fake server)
                try:
                    await asyncio.wait_for(_call(chat, method), 5)  # type: ignore[arg-type]
                except Unsupported:
                    pytest.fail(f"{name} declares {flag} but {method} is unsupported")
                except Exception:
                    pass
            else:
                with pytest.raises(Unsupported):
                    await _call(chat, method)  # type: ignore[misc]


async def test_what_the_base_class_answers_for_a_missing_capability() -> None:
    class Minimal(ChatBase):
        platform = "minimal"

        async def post(self, group: Group, channel: Channel, reply: Reply, *,
                       idempotency_key: str | None = None) -> object:
            raise AssertionError("not posted in this test")

        async def send_private(self, group: Group, member: Member, reply: Reply, *,
                               public_fallback: bool = True) -> None:
            raise AssertionError("not sent in this test")

        async def alert_moderators(self, group: Group, reply: Reply) -> None:
            raise AssertionError("not alerted in this test")

    chat = Minimal()
    assert chat.capabilities == Capabilities()
    assert chat.rate_limits is DEFAULT_RATE_LIMITS
    assert chat.owns_group("any") is True
    assert await chat.can_post(GROUP, CHANNEL) is None  # cannot tell beforehand
    assert await chat.message_link(GROUP, CHANNEL, "m1") is None
    assert await chat.moderators(GROUP) == []
    for method in ("delete_message", "timeout_member", "remove_timeout", "timed_out_until",
                   "member_info"):
        with pytest.raises(Unsupported, match="minimal platform cannot"):
            await _call(chat, method)  # type: ignore[misc]
    with pytest.raises(Unsupported, match="idempotency key"):
        await chat.find_post(GROUP, CHANNEL, "key")
    with pytest.raises(Unsupported, match="look up a message"):
        await chat.fetch_message(GROUP, CHANNEL, "m1")


def test_an_adapter_without_the_required_methods_cannot_be_built() -> None:
    class Forgetful(ChatBase):
        platform = "forgetful"

    with pytest.raises(TypeError, match="alert_moderators"):
        Forgetful()  # type: ignore[abstract]


@pytest.mark.parametrize("name", ["console", "fake-recording"])
async def test_idempotent_posts_post_once_per_key(name: str) -> None:
    chat = ADAPTERS[name]()
    assert chat.capabilities.idempotent_posts
    group = chat.group if isinstance(chat, ConsoleChat) else GROUP
    channel = (chat.channel("general") if isinstance(chat, ConsoleChat) else CHANNEL)
    assert channel is not None
    first = await chat.post(group, channel, Reply.public("hello"), idempotency_key="k1")
    again = await chat.post(group, channel, Reply.public("hello"), idempotency_key="k1")
    assert again.id == first.id
