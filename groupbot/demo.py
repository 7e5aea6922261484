"""`groupbot demo`: a simulated week in one group, in accelerated time.

Everything printed is what the real features did through the console platform: every scene
runs every time, with nothing skipped and nothing made up. `SCENES` names them in order; a
test reads the transcript scene by scene.
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
SCENES = (
    "a moderator sets the group up",
    "the week's first prompt",
    "a member asks the library",
    "a targeted insult",
    "a member in a hard moment",
    "the weekly check-in",
    "moderators review the week",
    "a member looks at their data",
)
# each member's answer to the check-in (1 really hard ... 5 great)
MOODS = {"Alex": 3, "Sam": 4, "Jordan": 2, "Casey": 5, "Riley": 4, "Morgan": 3}


class Demo:
    def __init__(self, bot: Bot, chat: ConsoleChat, clock: FakeClock) -> None:
        self.bot = bot
        self.chat = chat
        self.clock = clock
        general = chat.channel("general")
        assert general is not None
        self.general: Channel = general
        self.members = {name: chat.add_member(name) for name in MOODS}
        self.robin = chat.add_member("Robin", moderator=True)
        self.scenes = iter(SCENES)

    def __getitem__(self, name: str) -> Member:
        return self.members[name]

    async def scene(self, at: timedelta | None = None) -> None:
        """The next scene's heading; with `at`, the clock moves on to then first (scheduled
        posts due on the way appear under the heading)."""
        when = START + at if at is not None else self.clock.now()
        print(f"\n=== {when:%A %d %b, %H:%M} UTC · {next(self.scenes)} ===")
        if at is not None:
            await self.clock.advance_to(when)
            await self.bot.idle()

    async def type(self, member: Member, line: str) -> None:
        session = ConsoleSession(self.bot, self.chat, member, self.general)
        if line.startswith("/") and not line.startswith("/press"):  # (a press says itself)
            print(f"[#{self.general.name}] {member.display_name} types: {line}")
        await session.handle_line(line)
        await self.bot.idle()

    async def press(self, member: Member, label_prefix: str) -> None:
        """Press the newest button whose label starts with `label_prefix`; there must be one
        (the demo fails loudly rather than skip a scene)."""
        for i, button in enumerate(self.chat.last_buttons, 1):
            if button.label.startswith(label_prefix):
                await self.type(member, f"/press {i}")
                return
        raise RuntimeError(f"the demo expected a button starting with {label_prefix!r}")

    async def run(self) -> None:
        robin = self.robin
        await self.scene()
        for line in ("/mod setup modlog #mod-log", "/mod setup timezone Europe/Berlin",
                     "/mod setup region GB",
                     "/mod schedule add #general weekly mon 09:00 boundaries",
                     "/mod schedule add #general weekly fri 18:00 checkin"):
            await self.type(robin, line)

        await self.scene(timedelta(hours=1))
        await self.type(self["Alex"], "I said no to an extra shift for the first time. "
                                      "It felt strange but good.")
        await self.type(self["Casey"], "Saying no is easy, just get over it. Everyone has "
                                       "problems.")

        await self.scene(timedelta(days=1, hours=12))
        await self.type(self["Sam"], "/excerpt what therapy helps codependency")

        await self.scene(timedelta(days=2, hours=13))
        await self.type(self["Jordan"], "Sam you are a pathetic idiot, nobody wants you here")

        await self.scene(timedelta(days=3, hours=14))
        await self.type(self["Alex"], "honestly I don't want to be alive anymore, I've been "
                                      "thinking about ending it")
        await self.press(self["Alex"], "Talk to a moderator")
        await self.type(robin, "/mod queue")
        await self.type(robin, "/mod queue claim 1")

        await self.scene(timedelta(days=4, hours=10))
        for name, mood in MOODS.items():
            await self.press(self[name], str(mood))

        await self.scene(timedelta(days=5, hours=10))
        await self.type(robin, "/mod checkin summary")
        await self.type(robin, "/mod case 1")
        await self.type(robin, "/mod warn @Casey Please answer each other gently: a first "
                               "'no' can be a big step for someone here.")
        await self.type(robin, "/mod queue resolve 1 I messaged Alex and we talked.")
        await self.type(robin, "/mod queue")

        await self.scene(timedelta(days=5, hours=11))
        await self.type(self["Alex"], "/mydata export")
        print("\n=== end of the demo week ===")


async def run_demo(config: Config, *, keep_database: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="groupbot-demo-") as tmp:
        if not keep_database:
            config = dataclasses.replace(config, database=str(Path(tmp) / "demo.db"))
        clock = FakeClock(START)
        chat = ConsoleChat("Tuesday Evening Circle", out=print, clock=clock)
        print("groupbot demo: one simulated week in the group \"Tuesday Evening Circle\".")
        print(f"Members: {', '.join(MOODS)}; moderator: Robin. Times are simulated.")
        async with open_bot(config, chat, clock) as bot:
            await Demo(bot, chat, clock).run()
    return 0
