"""The interactive console: type as a member or a moderator and see what the bot does.

Lines starting with ``/`` are commands; anything else is a message in the current channel.
Console-only switches: ``/as NAME [mod]``, ``/in CHANNEL``, ``/press N``, ``/who``, ``/quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.types import Channel, Interaction, Member
from groupbot.platforms.console import ConsoleChat, deliver
from groupbot.runtime import open_bot

BANNER = """groupbot console: a local group, no account needed.
You are {who} in #{channel}. Type a message, or a command like /help.
Console switches: /as NAME [mod] · /in CHANNEL · /press N · /who · /quit"""


class ConsoleSession:
    def __init__(self, bot: Bot, chat: ConsoleChat, member: Member, channel: Channel,
                 out: Callable[[str], None] = print) -> None:
        self.bot = bot
        self.chat = chat
        self.member = member
        self.channel = channel
        self.out = out

    def banner(self) -> str:
        role = " (moderator)" if self.member.is_moderator else ""
        return BANNER.format(who=self.member.display_name + role, channel=self.channel.name)

    async def handle_line(self, line: str) -> bool:
        """Handle one typed line. Returns False when the session should end."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return True
        word = line.strip().split(maxsplit=1)[0].lower()
        rest = line.strip()[len(word):].strip()
        if word in ("/quit", "/exit"):
            return False
        if word == "/as":
            return self._switch_member(rest)
        if word == "/in":
            return self._switch_channel(rest)
        if word == "/who":
            role = " (moderator)" if self.member.is_moderator else ""
            self.out(f"[console] you are {self.member.display_name}{role} in "
                     f"#{self.channel.name}")
            return True
        if word == "/press":
            await self._press(rest)
            return True
        if line.lstrip().startswith("/"):
            replies = await self.bot.handle_text_command(self.chat.group, self.channel,
                                                         self.member, line, self.chat)
            await deliver(self.chat, self.chat.group, self.channel, self.member, replies)
            return True
        until = self.chat.is_timed_out(self.member)
        if until is not None:
            self.out(f"[console] you are in a timeout until {until:%Y-%m-%d %H:%M} UTC; "
                     "your message was not sent.")
            return True
        self.out(f"[#{self.channel.name}] {self.member.display_name}: {line}")
        await self.bot.handle_message(self.chat.new_message(self.channel, self.member, line))
        return True

    def _switch_member(self, rest: str) -> bool:
        parts = rest.split()
        if not parts:
            self.out("[console] usage: /as NAME [mod]")
            return True
        moderator = len(parts) > 1 and parts[1].lower() in ("mod", "moderator")
        existing = self.chat.members.get(f"u-{parts[0].lstrip('@').lower()}")
        if existing is not None and (len(parts) == 1 or existing.is_moderator == moderator):
            self.member = existing
        else:
            self.member = self.chat.add_member(parts[0], moderator=moderator)
        self.out(f"[console] you are now {self.member.display_name}"
                 f"{' (moderator)' if self.member.is_moderator else ''}")
        return True

    def _switch_channel(self, rest: str) -> bool:
        if not rest:
            names = ", ".join("#" + c.name for c in self.chat.channels.values())
            self.out(f"[console] usage: /in CHANNEL (channels: {names})")
            return True
        self.channel = self.chat.add_channel(rest.split()[0])
        self.out(f"[console] you are now in #{self.channel.name}")
        return True

    async def _press(self, rest: str) -> None:
        buttons = self.chat.last_buttons
        choice = rest.strip()
        button = None
        if choice.isdigit() and 1 <= int(choice) <= len(buttons):
            button = buttons[int(choice) - 1]
        else:
            button = next((b for b in buttons if b.custom_id == choice), None)
        if button is None:
            self.out("[console] usage: /press N, where N is a button number shown above")
            return
        self.out(f"[console] {self.member.display_name} pressed \"{button.label}\"")
        replies = await self.bot.handle_interaction(
            Interaction(button.custom_id, self.chat.group, self.channel, self.member))
        await deliver(self.chat, self.chat.group, self.channel, self.member, replies)


async def read_lines(session: ConsoleSession) -> None:
    """Read stdin until EOF or /quit, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        if not await session.handle_line(line):
            return


async def run_console(config: Config, args: argparse.Namespace) -> int:
    """`groupbot console` and `groupbot run --platform console`: one local group."""
    chat = ConsoleChat(out=print)
    member = chat.add_member(getattr(args, "as_name", None) or "you",
                             moderator=bool(getattr(args, "as_moderator", False)))
    channel = chat.channel("general")
    assert channel is not None
    async with open_bot(config, chat) as bot:
        session = ConsoleSession(bot, chat, member, channel)
        print(session.banner())
        await read_lines(session)
    return 0
