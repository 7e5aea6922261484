"""A burst of 2,000 Discord messages through the real discord.py client: none dropped, the
bot's memory (RSS) grows less than 20 MB, and the backlog is drained within 5 s of the burst's
last frame, with the production pacer (Discord's 50 requests/s for bot calls).

The fake Discord (gateway and REST, as in `bench_discord.py`) runs in a child process
(`_discord_burst_fake.py`), so the RSS measured here is the bot's alone. The child sends every
frame of the burst as fast as it can; this process parses them (discord.py), judges them (the
real ModerationFeature and engine, the case log in SQLite) and acts on them (DELETE, DMs,
mod-log posts back to the fake, through the pacer). The chat mix is `bench_discord.Mix`: 400
members in 8 groups, 1 in 200 an insult (removed), 1 in 1,000 a crisis; the simulated clock the
engine reads moves on as members would chat (about one message a minute each), so the burst
is a backlog of ordinary chat arriving at once, not one member flooding.

Three bursts in one run: the first from a freshly started bot (what it costs to warm up), the
next two show whether each further burst costs memory again (it should not).

- messages: each of the burst's messages handled exactly once (dropped = sent - handled once);
- drained: from the burst's last frame sent to the last of (every message handled, every REST
  call received by the fake);
- RSS: VmRSS before the burst, its peak while the burst is handled (sampled every 10 ms), and
  after the drain.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_discord import INSULT_EVERY, SIM_SECONDS_PER_MESSAGE  # noqa: E402
from groupbot.config import Config  # noqa: E402
from groupbot.core.ports import FakeClock  # noqa: E402
from groupbot.core.types import Message  # noqa: E402
from groupbot.platforms.discord import DiscordChat, GroupbotClient, configure_endpoints  # noqa: E402
from groupbot.runtime import open_bot, settle_heap  # noqa: E402

BENCH = "discord burst (2,000 messages, production pacer)"
BURST = 2000
BURSTS = 3
TARGET_RSS_MB = 20.0
TARGET_DRAIN_S = 5.0


def rss_mb() -> float:
    """This process's resident set size (Linux), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (this benchmark needs Linux)")


class Drained:
    """Set once `expected` messages in all have been handled."""

    def __init__(self) -> None:
        self.expected = 0
        self.event = asyncio.Event()


class FakeProcess:
    """The child process running the fake Discord, spoken to in JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls) -> tuple[FakeProcess, dict[str, Any]]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "_discord_burst_fake.py"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        me = cls(proc)
        return me, await me.read()

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError("the fake Discord process stopped")
        reply: dict[str, Any] = json.loads(line)
        return reply

    async def ask(self, cmd: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read()

    async def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b'{"cmd": "stop"}\n')
        await self.proc.stdin.drain()
        await asyncio.wait_for(self.proc.wait(), 30)


async def _quiet_stats(fake: FakeProcess) -> dict[str, Any]:
    """The fake's counts once no REST call has arrived for 0.2 s."""
    stats = await fake.ask({"cmd": "stats"})
    while True:
        await asyncio.sleep(0.2)
        again = await fake.ask({"cmd": "stats"})
        if again["requests"] == stats["requests"]:
            return again
        stats = again


async def _run(n: int, bursts: int) -> dict[str, Any]:
    fake, hello = await FakeProcess.start()
    clock = FakeClock(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    results: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Config(database=str(Path(tmp) / "burst.db"))
            config.discord.api_base, config.discord.gateway = hello["api_base"], hello["gateway"]
            configure_endpoints(config)
            client = GroupbotClient(config, identify_delay=0, guild_ready_timeout=0.05)
            chat = DiscordChat(client)  # the production pacer: 50 requests/s, burst 50
            async with open_bot(config, chat, clock) as bot:
                handled: Counter[str] = Counter()
                done_at: dict[str, float] = {}
                drained = Drained()
                original = bot.handle_message

                async def timed(message: Message) -> None:
                    handled[message.id] += 1
                    if len(handled) % 100 == 0:  # members chat about once a minute each
                        await clock.advance(timedelta(seconds=100 * SIM_SECONDS_PER_MESSAGE))
                    await original(message)
                    done_at[message.id] = time.monotonic()
                    if len(done_at) >= drained.expected:
                        drained.event.set()

                bot.handle_message = timed  # type: ignore[method-assign]
                client.attach(bot, chat)
                await client.login(hello["token"])
                task = asyncio.create_task(client.connect())
                await asyncio.wait_for(client.ready_event.wait(), 30)
                settle_heap()  # as run_discord does before it connects
                rss_ready = rss_mb()
                for _ in range(bursts):
                    results.append(await _burst(fake, bot, chat, handled, done_at, drained, n))
                results[0]["rss_ready"] = rss_ready
                await client.close()
                await task
    finally:
        await fake.stop()
    return {"bursts": results}


async def _burst(fake: FakeProcess, bot: Any, chat: DiscordChat, handled: Counter[str],
                 done_at: dict[str, float], drained: Drained, n: int) -> dict[str, Any]:
    seen_before = set(handled)
    drained.expected = len(done_at) + n
    drained.event.clear()
    before_stats = await fake.ask({"cmd": "stats"})
    waited_before = chat.pacer.waited
    rss_before = rss_mb()
    peak = rss_before
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, rss_mb())
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    sent = await fake.ask({"cmd": "burst", "n": n})
    with contextlib.suppress(TimeoutError):  # (a message lost is counted below, not hung on)
        await asyncio.wait_for(drained.event.wait(), 120)
    await bot.idle()
    stats = await _quiet_stats(fake)
    sampling = False
    await sampler
    rss_after = rss_mb()
    this = [mid for mid in handled if mid not in seen_before]
    last_done = max(done_at[mid] for mid in this if mid in done_at)
    last_rest = stats["last_request_at"] or 0.0
    drained_at = max(last_done, last_rest if stats["requests"] > before_stats["requests"]
                     else 0.0)
    return {
        "sent": sent["sent"], "handled_once": sum(1 for mid in this if handled[mid] == 1),
        "handled_twice": sum(1 for mid in this if handled[mid] > 1),
        "finished": sum(1 for mid in this if mid in done_at),
        "insults": sent["kinds"].get("insult", 0), "crisis": sent["kinds"].get("crisis", 0),
        "deletes": stats["deletes"] - before_stats["deletes"],
        "rest_calls": stats["requests"] - before_stats["requests"],
        "send_seconds": sent["last_at"] - sent["first_at"],
        "drain": drained_at - sent["last_at"],
        "rate": len(this) / (last_done - sent["first_at"]),
        "rss_before": rss_before, "rss_peak": peak, "rss_after": rss_after,
        "pacer_waited": chat.pacer.waited - waited_before,
        "unknown_routes": stats["unknown_routes"],
    }


def _row(metric: str, value: Any, unit: str, target: str | None = None,
         met: bool | None = None) -> dict[str, Any]:
    return {"benchmark": BENCH, "metric": metric, "value": value, "unit": unit, "peer": None,
            "peer_value": None, "ratio": None, "target": target, "met": met}


def main() -> list[dict[str, Any]]:
    logging.getLogger().setLevel(logging.WARNING)
    r = asyncio.run(_run(BURST, BURSTS))
    rows: list[dict[str, Any]] = []
    for i, b in enumerate(r["bursts"], 1):
        if b["unknown_routes"]:
            raise RuntimeError(f"the fake saw unknown routes: {b['unknown_routes']}")
        which = f"burst {i} of {BURSTS}" + (" (fresh bot)" if i == 1 else "")
        dropped = b["sent"] - b["handled_once"]
        rows += [
            _row(f"messages dropped (of {b['sent']} sent), {which}", dropped, "msgs", "0",
                 dropped == 0 and b["handled_twice"] == 0 and b["finished"] == b["sent"]),
            _row(f"insults removed (DELETE received), {which}", b["deletes"], "deletes",
                 str(b["insults"]), b["deletes"] == b["insults"]),
            _row(f"drained after the last frame, {which}", round(b["drain"], 2), "s",
                 f"< {TARGET_DRAIN_S:g}", b["drain"] < TARGET_DRAIN_S),
            _row(f"RSS growth, peak while handling, {which}",
                 round(b["rss_peak"] - b["rss_before"], 1), "MB", f"< {TARGET_RSS_MB:g}",
                 b["rss_peak"] - b["rss_before"] < TARGET_RSS_MB),
            _row(f"RSS growth after the drain, {which}",
                 round(b["rss_after"] - b["rss_before"], 1), "MB", f"< {TARGET_RSS_MB:g}",
                 b["rss_after"] - b["rss_before"] < TARGET_RSS_MB),
            _row(f"frames sent in (fake's send loop), {which}", round(b["send_seconds"], 2),
                 "s"),
            _row(f"messages handled per second, first frame to last done, {which}",
                 round(b["rate"]), "msg/s"),
            _row(f"REST calls, {which}", b["rest_calls"], "calls"),
            _row(f"time the pacer held bot calls, {which}", round(b["pacer_waited"], 2), "s"),
        ]
    first = r["bursts"][0]
    rows += [
        _row("RSS when ready (before burst 1)", round(first["rss_ready"], 1), "MB"),
        _row(f"RSS after {BURSTS} bursts", round(r["bursts"][-1]["rss_after"], 1), "MB"),
        _row(f"insults per burst: 1 in {INSULT_EVERY}", first["insults"], "msgs"),
    ]
    return rows


if __name__ == "__main__":
    for row in main():
        value = row["value"] if row["value"] is not None else "-"
        print(f"{row['metric']:<72} {value!s:>10} {row['unit']:<8} target "
              f"{row['target'] or '-':<8} met {row['met']}")
