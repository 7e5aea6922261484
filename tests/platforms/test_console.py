"""The console platform end to end: typed lines in, labelled bot output out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from groupbot.platforms.console import ConsoleChat
from groupbot.platforms.console_session import ConsoleSession
from tests.conftest import Harness


async def _session(h: Harness, out: list[str]) -> ConsoleSession:
    h.chat.out = out.append
    return ConsoleSession(h.bot, h.chat, h.member, h.general, out=out.append)


async def test_help_is_private_and_lists_member_commands_only(harness: Harness) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    await session.handle_line("/help")
    text = "\n".join(out)
    assert text.startswith("[private → alex]")
    assert "/mydata export" in text
    assert "/mod setup" not in text  # members are not shown moderator commands
    assert "not a therapist" in text


async def test_member_is_refused_a_moderator_command_privately(harness: Harness) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    await session.handle_line("/mod setup timezone Europe/Berlin")
    assert out == [out[0]] and out[0].startswith("[private → alex]")
    assert "for moderators" in out[0]
    settings = await harness.bot.services.store.groups.settings(harness.chat.group.id)
    assert settings is None or settings.timezone == "UTC"


async def test_moderator_switch_and_setup_change_is_stored(harness: Harness) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    await session.handle_line("/as robin mod")
    await session.handle_line("/mod setup timezone America/New_York")
    await session.handle_line("/mod setup modlog #mod-log")
    await session.handle_line("/mod setup show")
    assert "[console] you are now robin (moderator)" in out
    settings = await harness.bot.services.store.groups.settings(harness.chat.group.id)
    assert settings is not None and settings.timezone == "America/New_York"
    assert settings.modlog_channel == "c-mod-log"
    assert "Moderator log: #mod-log" in out[-1]  # mentions rendered for the console


async def test_unknown_command_and_bad_option_get_usage(harness: Harness) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    await session.handle_line("/frobnicate now")
    await session.handle_line("/as robin mod")
    await session.handle_line("/mod setup timezone Mars/Base")
    await session.handle_line("/mod setup modlog #nowhere-yet")
    assert "Unknown command /frobnicate" in out[0]
    assert "unknown time zone 'Mars/Base'" in out[2]
    assert "Usage: /mod setup timezone <timezone>" in out[2]
    # a new channel name is created by the console on demand, so this one resolves
    assert "#nowhere-yet" in out[3]


async def test_plain_messages_are_echoed_and_huge_odd_text_is_safe(harness: Harness) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    weird = "z\u200bero " + "\U0001F600" * 3000 + " \x00\x07 " + "ä" * 5000
    assert await session.handle_line(weird)
    assert await session.handle_line("/excerpt " + "\u202e" * 10000) in (True,)
    assert out[0].startswith("[#general] alex: z")


async def test_quit_ends_the_session(harness: Harness) -> None:
    session = await _session(harness, [])
    assert await session.handle_line("/quit") is False


async def test_mydata_delete_asks_first_and_button_belongs_to_the_member(
    harness: Harness,
) -> None:
    out: list[str] = []
    session = await _session(harness, out)
    await session.handle_line("/mydata delete")
    assert "Are you sure?" in out[-1] and "[1] Yes, erase my data" in out[-1]
    other = ConsoleSession(harness.bot, harness.chat, harness.moderator, harness.general,
                           out=out.append)
    await other.handle_line("/press 1")
    assert "belongs to someone else" in out[-1]
    await session.handle_line("/press 1")
    assert out[-1].startswith("[private → alex] Done.")


def test_console_command_end_to_end_over_stdin(tmp_path: Path) -> None:
    env = {**os.environ, "GROUPBOT_DATABASE": str(tmp_path / "c.db")}
    env.pop("GROUPBOT_CONFIG", None)
    lines = "\n".join([
        "hello everyone",
        "/help",
        "/mod setup timezone Europe/Berlin",
        "/as robin mod",
        "/mod setup timezone Europe/Berlin",
        "/quit",
    ])
    result = subprocess.run([sys.executable, "-m", "groupbot", "console", "--as", "alex"],
                            input=lines, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "You are alex in #general" in out
    assert "[#general] alex: hello everyone" in out
    assert "[private → alex] /mod setup timezone is for moderators" in out
    assert "[private → robin] The group's time zone is now Europe/Berlin." in out
    assert "hello everyone" not in result.stderr  # message text is not logged at INFO


def test_demo_runs_and_exits_zero() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GROUPBOT_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "groupbot", "demo"], capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "=== end of the demo week ===" in result.stdout
    assert "[private → Robin] The group's time zone is now Europe/Berlin." in result.stdout


def test_console_chat_idempotency_key_returns_the_same_post() -> None:
    import asyncio

    from groupbot.core.types import Reply

    chat = ConsoleChat()
    general = chat.channel("general")
    assert general is not None

    async def go() -> None:
        a = await chat.post(chat.group, general, Reply.public("hi"), idempotency_key="k1")
        b = await chat.post(chat.group, general, Reply.public("hi"), idempotency_key="k1")
        assert a == b
        assert len(chat.of_kind("post")) == 1

    asyncio.run(go())
