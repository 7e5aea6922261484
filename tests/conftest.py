"""Shared fixtures: a bot on the console platform with a temporary database and a fake clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Member, Message
from groupbot.platforms.console import ConsoleChat, deliver
from groupbot.runtime import open_bot
from tests.pgserver import PgServer, start_server, unavailable

_real_connect = socket.socket.connect
SCREENSHOTS: list[Path] = []  # saved by the browser tests; named at the end of the run


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS:
        names = sorted({path.name for path in SCREENSHOTS})
        terminalreporter.write_sep("-", "dashboard screenshots")
        terminalreporter.write_line(f"{len(names)} screenshots of the dashboard's pages in "
                                    f"{SCREENSHOTS[-1].parent}:")
        terminalreporter.write_line("  " + " ".join(names))


def _guarded_connect(self: socket.socket, address: object) -> object:
    """No test may reach the internet: only loopback and local sockets are allowed."""
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise RuntimeError(f"test tried to reach {host}: tests must stay on 127.0.0.1")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    yield


@pytest.fixture(autouse=True)
def _no_stale_log_handler() -> Iterator[None]:
    """`groupbot.cli.main` installs a root handler on the sys.stderr of its moment (a test's
    capture, closed when that test ends): take it away again, so that a later test's log
    lines do not meet a closed stream ("--- Logging error ---" in that test's stderr)."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in list(root.handlers):
        if getattr(handler, "_groupbot", False):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(database=str(tmp_path / "groupbot.db"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


# A line the real engine answers with `care` (the care note), under `with_distress_rule`.
DISTRESS = "honestly I'm so tired of everything lately"
_DISTRESS_RULE = """rules:
  - id: test-distress
    category: distress
    severity: 1
    description: "a sign of distress, for the tests"
    words: ["tired of everything"]
"""


def with_distress_rule(config: Config) -> Config:
    """Point `config` at the default policy plus a custom distress rule, so that the real
    engine gives `DISTRESS` the care verdict (the care note) in end-to-end tests."""
    default = Path(__file__).resolve().parent.parent / "groupbot" / "data" / "policy.yaml"
    text = default.read_text(encoding="utf-8")
    assert text.count("\nrules:\n") == 1, "the default policy's rules moved: update the tests"
    path = Path(config.database).parent / "policy-with-distress.yaml"
    path.write_text(text.replace("\nrules:\n", "\n" + _DISTRESS_RULE, 1), encoding="utf-8")
    config.policy_file = path
    return config


class Handled:
    """Counts the members' messages the bot has finished handling (on any platform): a test
    waits on it before asserting that something did not happen."""

    def __init__(self, bot: Bot) -> None:
        self.ids: list[str] = []
        self._changed = asyncio.Condition()
        inner = bot.handle_message

        async def counting(message: Message) -> None:
            try:
                await inner(message)
            finally:
                async with self._changed:
                    self.ids.append(message.id)
                    self._changed.notify_all()

        bot.handle_message = counting  # type: ignore[method-assign]

    async def wait(self, count: int, within: float = 5.0) -> None:
        """Until `count` messages in all have been handled."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.ids) >= count),
                                   within)


@dataclass
class Harness:
    """A running bot in a console group, with helpers to act as members."""

    bot: Bot
    chat: ConsoleChat
    clock: FakeClock
    general: Channel
    member: Member
    moderator: Member

    async def command(self, who: Member, text: str, channel: Channel | None = None) -> None:
        channel = channel or self.general
        replies = await self.bot.handle_text_command(self.chat.group, channel, who, text,
                                                     self.chat)
        await deliver(self.chat, self.chat.group, channel, who, replies)

    async def say(self, who: Member, text: str, channel: Channel | None = None) -> str:
        message = self.chat.new_message(channel or self.general, who, text)
        await self.bot.handle_message(message)
        return message.id


@contextlib.asynccontextmanager
async def open_harness(config: Config, clock: FakeClock) -> AsyncIterator[Harness]:
    """A running bot in a console group with a member (alex) and a moderator (robin)."""
    chat = ConsoleChat(clock=clock)
    member = chat.add_member("alex")
    moderator = chat.add_member("robin", moderator=True)
    general = chat.channel("general")
    assert general is not None
    async with open_bot(config, chat, clock) as bot:
        yield Harness(bot, chat, clock, general, member, moderator)


@pytest.fixture
async def harness(config: Config, clock: FakeClock) -> AsyncIterator[Harness]:
    async with open_harness(config, clock) as h:
        yield h


# -- PostgreSQL: one real server for the session (tests/pgserver.py), started on first use --
_PG: dict[str, object] = {}


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server in a temporary folder; the test skips (or, with
    GROUPBOT_REQUIRE_POSTGRES, fails) when none can be started here."""
    if "error" in _PG:
        unavailable(str(_PG["error"]))
    try:
        server = start_server()
    except RuntimeError as exc:
        _PG["error"] = str(exc)
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same repository test on each backend: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "groupbot.db")
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database()
