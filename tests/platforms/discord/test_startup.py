"""Discord out of reach at start: one line a try, bounded retries with backoff, then one message
and exit code 75 (issue 15, part 7). The real discord.py, a closed local port for "no network",
and the local fake Discord coming up part-way. Sleeps are recorded, never waited."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import socket
from pathlib import Path

import pytest
from aiohttp import web

from groupbot.cli import main
from groupbot.config import Config, Secret
from groupbot.core.errors import EXIT_UNREACHABLE
from groupbot.core.ports import FakeClock
from groupbot.platforms.discord import runner
from groupbot.platforms.discord.runner import run_discord
from groupbot.platforms.discord.startup import Backoff, describe
from tests.fakes.discord_fake import FakeDiscord

ARGS = argparse.Namespace(shard_ids=None, shard_count=None, sync_global=False)
CLIENT = {"identify_delay": 0, "guild_ready_timeout": 0.05}
BACKOFF = Backoff(attempts=4, first=1.0, longest=3.0, timeout=10.0)


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused, as with no network."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sleeps:
    """Stands in for asyncio.sleep: records each delay and runs `on_call` hooks."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.hooks: dict[int, object] = {}

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        hook = self.hooks.get(len(self.delays))
        if hook is not None:
            await hook()  # type: ignore[operator]
        await asyncio.sleep(0)


def _retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "groupbot.platforms.discord.startup" and r.levelno == logging.WARNING]


def _no_tracebacks(caplog: pytest.LogCaptureFixture, err: str) -> None:
    assert "Traceback" not in err
    assert [r for r in caplog.records if r.exc_info] == []


async def test_no_network_retries_with_backoff_then_exits_75(
        config: Config, clock: FakeClock, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    config.discord.api_base = f"http://127.0.0.1:{port}/api/v10"
    config.discord.gateway = f"ws://127.0.0.1:{port}/gateway"
    config.secrets["DISCORD_TOKEN"] = Secret("fake-token-123456")
    sleeps = Sleeps()
    with caplog.at_level(logging.INFO):
        code = await run_discord(config, ARGS, clock=clock, client_options=CLIENT,
                                 backoff=BACKOFF, sleep=sleeps)
    err = capsys.readouterr().err
    assert code == EXIT_UNREACHABLE == 75
    assert sleeps.delays == [1.0, 2.0, 3.0]  # doubling, capped at `longest`; none after the last
    lines = _retry_lines(caplog)
    assert len(lines) == 3 and all("\n" not in line for line in lines)
    assert lines[0].startswith(f"cannot reach Discord (http://127.0.0.1:{port}/api/v10) (")
    assert lines[0].endswith("; trying again in 1 s (try 2 of 4)")
    assert lines[2].endswith("; trying again in 3 s (try 4 of 4)")
    assert f"127.0.0.1:{port}" in lines[0]  # the reason names where it tried
    final = err.strip().splitlines()
    assert len(final) == 1 and final[0].startswith(
        f"groupbot: could not reach Discord (http://127.0.0.1:{port}/api/v10) after 4 tries "
        "over 6 s (")
    assert "Check this machine's network" in final[0]
    _no_tracebacks(caplog, err)


async def test_the_network_coming_back_mid_way_lets_the_bot_start(
        config: Config, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    """Two failed logins, then Discord (the fake) answers on the same address: it logs in,
    connects the gateway and is ready; the failed tries left no session open."""
    port = _closed_port()
    fake = FakeDiscord()
    fake.add_guild("Tuesday circle")
    runner_: list[web.AppRunner] = []

    async def discord_comes_back() -> None:
        app_runner = web.AppRunner(fake._app, access_log=None)
        await app_runner.setup()
        await web.TCPSite(app_runner, "127.0.0.1", port).start()
        fake.port = port
        runner_.append(app_runner)

    sleeps = Sleeps()
    sleeps.hooks[2] = discord_comes_back
    config.discord.api_base = f"http://127.0.0.1:{port}/api/v10"
    config.discord.gateway = f"ws://127.0.0.1:{port}/gateway"
    config.secrets["DISCORD_TOKEN"] = Secret(fake.token)
    with caplog.at_level(logging.INFO):
        task = asyncio.create_task(run_discord(config, ARGS, clock=clock, client_options=CLIENT,
                                               backoff=BACKOFF, sleep=sleeps))
        try:
            await fake.wait_for(lambda: fake.live_sessions(), within=10)
            assert not task.done()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await fake.stop()
            for app_runner in runner_:
                await app_runner.cleanup()
    assert sleeps.delays == [1.0, 2.0]
    assert len(_retry_lines(caplog)) == 2
    assert len(fake.identifies) == 1
    assert fake.unknown_routes == []
    assert not any("Unclosed client session" in r.getMessage() for r in caplog.records)


async def test_a_gateway_out_of_reach_is_retried_boundedly_too(
        config: Config, clock: FakeClock, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    """REST answers but the gateway does not (a firewall, or the network dropping after the
    login): discord.py alone would retry every 5 s forever with a traceback each time."""
    fake = await FakeDiscord().start()
    gateway_port = _closed_port()
    try:
        config.discord.api_base = fake.api_base
        config.discord.gateway = f"ws://127.0.0.1:{gateway_port}/gateway"
        config.secrets["DISCORD_TOKEN"] = Secret(fake.token)
        sleeps = Sleeps()
        with caplog.at_level(logging.INFO):
            code = await asyncio.wait_for(run_discord(
                config, ARGS, clock=clock, client_options=CLIENT, backoff=BACKOFF,
                sleep=sleeps), 30)
    finally:
        await fake.stop()
    err = capsys.readouterr().err
    assert code == 75 and sleeps.delays == [1.0, 2.0, 3.0]
    lines = _retry_lines(caplog)
    assert len(lines) == 3
    assert all(line.startswith("cannot reach the Discord gateway (ws://127.0.0.1:")
               for line in lines)
    assert err.startswith("groupbot: could not reach the Discord gateway") and err.count("\n") == 1
    assert fake.identifies == []
    _no_tracebacks(caplog, err)


def test_groupbot_run_without_network_exits_75_in_a_few_lines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token-123456")
    monkeypatch.setenv("GROUPBOT_DISCORD_API_BASE", f"http://127.0.0.1:{port}/api/v10")
    monkeypatch.setenv("GROUPBOT_DISCORD_GATEWAY", f"ws://127.0.0.1:{port}/gateway")
    monkeypatch.setattr(runner, "START_BACKOFF", Backoff(attempts=3, first=0.01, longest=0.02))
    code = main(["--database", str(tmp_path / "g.db"), "run", "--platform", "discord"])
    err = capsys.readouterr().err
    assert code == 75, err
    assert "Traceback" not in err
    said = [line for line in err.splitlines()
            if line.startswith("groupbot:") or " warning " in line or " error " in line]
    assert len(said) == 4, err  # two "trying again" lines, the final log line and message
    assert said[-1].startswith("groupbot: could not reach Discord")


def test_backoff_schedule_and_reasons() -> None:
    default = Backoff()
    assert [default.delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert default.total() == 243  # about four minutes of waiting, then exit 75
    assert describe(TimeoutError()) == "no answer in time"
    assert describe(ConnectionRefusedError(111, "Connection refused")) == \
        "[Errno 111] Connection refused"
