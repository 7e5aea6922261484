"""The interactive console: type as a member or a moderator and see what the bot does.

Lines starting with ``/`` are commands; anything else is a message in the current channel.
Console-only switches: ``/as NAME [mod]``, ``/in CHANNEL``, ``/press N``, ``/who``, ``/quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.types import Channel, Interaction, Member
from groupbot.logging_setup import quiet_terminal
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


class Terminal:
    """The console's screen. At a terminal it shows a ``> `` prompt while it waits for a line;
    whatever the bot says meanwhile (a scheduled post, a reminder) is printed above the prompt,
    which is then drawn again with what was typed so far. Piped input: no prompt at all."""

    PROMPT = "> "

    def __init__(self, stream: TextIO | None = None, *, interactive: bool | None = None,
                 typed: Callable[[], str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.typed = typed or _typed_so_far
        self.waiting = False  # the prompt is on the screen

    def show(self, text: str) -> None:
        if self.waiting:  # clear the prompt's line, say it, and draw the prompt again
            self.stream.write(f"\r\x1b[K{text}\n{self.PROMPT}{self.typed()}")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def prompt(self) -> None:
        if self.interactive:
            self.stream.write(self.PROMPT)
            self.stream.flush()
            self.waiting = True

    def answered(self) -> None:
        self.waiting = False


def _typed_so_far() -> str:
    """What the person has typed after the prompt, when readline keeps it (else nothing)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return ""
    return str(readline.get_line_buffer())


async def read_lines(session: ConsoleSession, terminal: Terminal | None = None) -> None:
    """Read stdin until EOF or /quit, without blocking the event loop. The reading thread is
    a daemon, so a line never typed does not keep the process alive after Ctrl-C."""
    terminal = terminal or Terminal()
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def reader() -> None:
        while True:
            try:
                line = input() + "\n" if terminal.interactive else sys.stdin.readline()
            except (EOFError, OSError, ValueError):
                line = ""
            loop.call_soon_threadsafe(lines.put_nowait, line)
            if not line:
                return

    if terminal.interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (input() then keeps the line, for redrawing it)
    threading.Thread(target=reader, name="console-input", daemon=True).start()
    while True:
        terminal.prompt()
        line = await lines.get()
        terminal.answered()
        if not line:
            if terminal.interactive:
                terminal.show("")
            return
        if not await session.handle_line(line):
            return


async def run_console(config: Config, args: argparse.Namespace) -> int:
    """`groupbot console` and `groupbot run --platform console`: one local group. Unless a
    log level was asked for, the terminal shows only warnings; the log goes to a file beside
    the database."""
    log_file = None
    if not config.log_level_asked:
        log_file = quiet_terminal(_log_file_for(config.database))
    terminal = Terminal()
    chat = ConsoleChat(out=terminal.show)
    member = chat.add_member(getattr(args, "as_name", None) or "you",
                             moderator=bool(getattr(args, "as_moderator", False)))
    channel = chat.channel("general")
    assert channel is not None
    async with open_bot(config, chat) as bot:
        session = ConsoleSession(bot, chat, member, channel, out=terminal.show)
        terminal.show(session.banner())
        if log_file is not None:
            terminal.show(f"(The log goes to {log_file}; --log-level INFO shows it here.)")
        await read_lines(session, terminal)
    return 0


def _log_file_for(database: str) -> Path | None:
    if database == ":memory:" or database.startswith("file:") or "://" in database:
        return None  # (a postgresql:// URL: no file to put it beside)
    return Path(str(database)).with_suffix(".log")
