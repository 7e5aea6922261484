"""`groupbot demo`: a simulated week in one group, in accelerated time.

Everything printed is what the real features did through the console platform; a scene whose
feature is not available says so instead of inventing output.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Member
from groupbot.platforms.console import ConsoleChat
from groupbot.platforms.console_session import ConsoleSession
from groupbot.runtime import open_bot

START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday morning


class Demo:
    def __init__(self, bot: Bot, chat: ConsoleChat, clock: FakeClock) -> None:
        self.bot = bot
        self.chat = chat
        self.clock = clock
        general = chat.channel("general")
        assert general is not None
        self.general: Channel = general
        self.alex = chat.add_member("Alex")
        self.sam = chat.add_member("Sam")
        self.jordan = chat.add_member("Jordan")
        self.robin = chat.add_member("Robin", moderator=True)

    def has(self, command: str) -> bool:
        return self.bot.registry.get(command.split()) is not None

    async def scene(self, title: str, at: timedelta | None = None) -> None:
        when = START + at if at is not None else self.clock.now()
        print(f"\n=== {when:%A %d %b, %H:%M} UTC · {title} ===")
        if at is not None:  # scheduled posts due on the way appear under this heading
            await self.clock.advance_to(when)
            await self.bot.idle()

    def missing(self, what: str) -> None:
        print(f"(skipped: {what} is not available in this build)")

    async def as_member(self, member: Member, line: str) -> None:
        session = ConsoleSession(self.bot, self.chat, member, self.general)
        if line.startswith("/"):
            print(f"[#{self.general.name}] {member.display_name} types: {line}")
        await session.handle_line(line)

    async def press(self, member: Member, label_prefix: str) -> None:
        for i, button in enumerate(self.chat.last_buttons, 1):
            if button.label.startswith(label_prefix):
                await ConsoleSession(self.bot, self.chat, member, self.general).handle_line(
                    f"/press {i}")
                return
        print(f"(no button starting with {label_prefix!r} to press)")

    async def run(self) -> None:
        await self.scene("a moderator sets the group up")
        await self.as_member(self.robin, "/mod setup modlog #mod-log")
        await self.as_member(self.robin, "/mod setup timezone Europe/Berlin")
        await self.as_member(self.robin, "/mod setup region GB")
        if self.has("mod schedule add"):
            await self.as_member(self.robin,
                                 "/mod schedule add #general weekly mon 09:00 boundaries")
            await self.as_member(self.robin, "/mod schedule add #general weekly fri 18:00 checkin")
        else:
            self.missing("scheduling (/mod schedule)")

        await self.scene("the week's first prompt", timedelta(hours=1))
        if not self.has("mod schedule add") and self.has("mod prompt post"):
            await self.as_member(self.robin, "/mod prompt post boundaries")
        await self.as_member(self.alex, "I said no to an extra shift for the first time. "
                                        "It felt strange but good.")

        await self.scene("a member asks the library", timedelta(days=1, hours=12))
        if self.has("excerpt"):
            await self.as_member(self.sam, "/excerpt what therapy helps codependency")
        else:
            self.missing("excerpts (/excerpt)")

        await self.scene("a targeted insult", timedelta(days=2, hours=13))
        if self.bot.feature("moderation") is not None:
            await self.as_member(self.jordan, "Sam you are a pathetic idiot, nobody wants you here")
        else:
            self.missing("moderation")

        await self.scene("a member in a hard moment", timedelta(days=3, hours=14))
        if self.bot.feature("moderation") is not None:
            await self.as_member(self.alex, "honestly I don't want to be alive anymore, I've been "
                                            "thinking about ending it")
        else:
            self.missing("crisis care (moderation)")

        await self.scene("the weekly check-in", timedelta(days=4, hours=10))
        if self.has("checkin"):
            if not self.has("mod schedule add"):
                await self.as_member(self.robin, "/mod checkin post")
            for member, mood in ((self.alex, "3"), (self.sam, "4"), (self.jordan, "2")):
                await self.press(member, mood)
        else:
            self.missing("check-ins (/checkin)")

        await self.scene("moderators review the week", timedelta(days=5, hours=10))
        for command in ("mod queue", "mod case 1", "mod checkin summary", "mod setup show"):
            if self.has(command) or self.has(command.rsplit(" ", 1)[0]):
                await self.as_member(self.robin, "/" + command)
        await self.as_member(self.alex, "/mydata export")
        print("\n=== end of the demo week ===")


async def run_demo(config: Config, *, keep_database: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="groupbot-demo-") as tmp:
        if not keep_database:
            config = dataclasses.replace(config, database=str(Path(tmp) / "demo.db"))
        clock = FakeClock(START)
        chat = ConsoleChat("Tuesday Evening Circle", out=print, clock=clock)
        print("groupbot demo: one simulated week in the group \"Tuesday Evening Circle\".")
        print("Members: Alex, Sam, Jordan; moderator: Robin. Times are simulated.")
        async with open_bot(config, chat, clock) as bot:
            await Demo(bot, chat, clock).run()
    return 0
