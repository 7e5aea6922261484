"""Messages per second through the whole Discord path, on one process.

MESSAGE_CREATE frames from the local fake gateway -> discord.py parsing -> Bot -> the real
ModerationFeature and engine (policy, flood/repeat history, case log in SQLite) -> REST calls
back to the fake (DELETE, DMs, mod-log posts). The fake runs in the same process and event
loop, so its own work is charged to the figures too.

The message mix: 400 members in 8 groups, each posting in turn at realistic intervals (about
one message a minute each, on a simulated FakeClock the moderation engine reads, so the flood
and repeat detectors see members chatting, not one member posting hundreds of messages at one
instant). Texts vary (ordinary sharing, questions, venting with swearing, links, some long);
1 in 200 is an insult aimed at another member (removed: DELETE + two DMs + mod-log post) and
1 in 1,000 a message in crisis (private support DM + mod-log post, nothing removed).

Two runs: a saturated one (every frame at once) for throughput, and an open-loop one at a
steady rate for latency: frame-to-done (the bot finished with the message) for every message,
and frame-to-DELETE (the fake received the removal) for removed ones.

Run with `--profile` to print where the time goes (cProfile, top functions).
"""

from __future__ import annotations

import asyncio
import cProfile
import logging
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from groupbot.config import Config  # noqa: E402
from groupbot.core.ports import FakeClock  # noqa: E402
from groupbot.core.types import Message  # noqa: E402
from groupbot.platforms.discord import (  # noqa: E402
    DiscordChat,
    GroupbotClient,
    Pacer,
    configure_endpoints,
)
from groupbot.runtime import open_bot, settle_heap  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord, FakeGuild, FakeMember  # noqa: E402

BENCH = "discord end to end (real moderation)"
TARGET_RATE = 2000.0
TARGET_P99_MS = 20.0
GROUPS, MEMBERS_PER_GROUP = 8, 50
SIM_SECONDS_PER_MESSAGE = 60.0 / (GROUPS * MEMBERS_PER_GROUP)  # each member ~once a minute
INSULT_EVERY, CRISIS_EVERY = 200, 1000

OPENERS = ["Today", "This week", "Last night", "Since our last meeting", "Honestly",
           "Something small", "A win", "Checking in:", "Quick question:", "Update:"]
MIDDLES = ["I set a boundary with my mum and it felt strange but good",
           "I noticed I was caretaking again and stepped back",
           "I said no without explaining myself, which is new for me",
           "the chapter on people-pleasing hit home",
           "I asked for help at work instead of doing it all",
           "I felt guilty resting, but I rested anyway",
           "my partner and I talked about needs without a fight",
           "I caught myself apologising for other people's moods",
           "I'm learning that other people's feelings are not my job to fix",
           "I went to the meeting even though I wanted to hide"]
CLOSERS = ["", " Thank you all for listening.", " Anyone else?", " Still processing it.",
           " Small steps.", " It was hard but I'm proud of it.", " How do you all cope?"]
VENTS = ["this week has been fucking exhausting", "I'm so damn tired of walking on eggshells",
         "ugh, what a shit day, but I'm still here"]
LINKS = ["This article helped me: https://example.org/boundaries-guide",
         "The workbook is at www.example.com/workbook if anyone wants it"]
INSULTS = ["{name} you worthless idiot", "shut up {name}, you stupid moron",
           "{name} you are such an idiot"]
CRISIS = ["I don't want to be here anymore, I'm going to end it",
          "I can't do this anymore, I want to die"]


class Mix:
    """Deterministic realistic chat: who posts (in turn) and what they say."""

    def __init__(self, members: list[tuple[FakeGuild, FakeMember]], seed: int = 7) -> None:
        self.members = members
        self.rng = random.Random(seed)
        self.order: list[int] = []
        self.kinds: dict[str, int] = {}
        self.recent: dict[int, list[str]] = {}

    def author(self, i: int) -> tuple[FakeGuild, FakeMember]:
        if not self.order:  # a fresh shuffled round: everyone posts once per round
            self.order = list(range(len(self.members)))
            self.rng.shuffle(self.order)
        return self.members[self.order.pop()]

    def text(self, i: int, guild: FakeGuild, author: FakeMember) -> str:
        recent = self.recent.setdefault(author.id, [])
        kind, text = self._pick(i, guild)
        while text in recent:  # people rarely post the very same words again within minutes
            kind, text = self._pick(i, guild)
        recent[:] = [*recent[-4:], text]
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return text

    def _pick(self, i: int, guild: FakeGuild) -> tuple[str, str]:
        rng = self.rng
        if i % INSULT_EVERY == INSULT_EVERY - 1:
            other = rng.choice([n for n in guild.members if n != "groupbot"])
            return "insult", rng.choice(INSULTS).format(name=other)
        if i % CRISIS_EVERY == CRISIS_EVERY // 2:
            return "crisis", rng.choice(CRISIS)
        roll = rng.random()
        if roll < 0.03:
            return "venting", rng.choice(VENTS)
        if roll < 0.05:
            return "link", rng.choice(LINKS)
        base = f"{rng.choice(OPENERS)} {rng.choice(MIDDLES)}.{rng.choice(CLOSERS)}"
        if roll < 0.10:  # a long share
            return "long", " ".join([base] + [rng.choice(MIDDLES) + "." for _ in range(8)])
        return "ordinary", base


async def _run(n_burst: int, n_steady: int, steady_rate: float, *, pacer: Pacer | None = None,
               profile: cProfile.Profile | None = None) -> dict[str, Any]:
    fake = await FakeDiscord(echo_bot_messages=True).start()
    guilds = [fake.add_guild(f"bench group {g}") for g in range(GROUPS)]
    members = [(g, fake.add_member(g, f"member{g.id % 1000}-{i}")) for g in guilds
               for i in range(MEMBERS_PER_GROUP)]
    mix = Mix(members)
    clock = FakeClock(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(database=str(Path(tmp) / "bench.db"))
        config.discord.api_base, config.discord.gateway = fake.api_base, fake.gateway_url
        configure_endpoints(config)
        client = GroupbotClient(config, identify_delay=0, guild_ready_timeout=0.05)
        chat = DiscordChat(client, pacer)
        async with open_bot(config, chat, clock) as bot:
            assert type(bot.feature("moderation")).__name__ == "ModerationFeature"
            sent: dict[str, float] = {}
            done: dict[str, float] = {}
            original = bot.handle_message

            async def timed(message: Message) -> None:
                await original(message)
                done[message.id] = time.monotonic()

            bot.handle_message = timed  # type: ignore[method-assign]
            client.attach(bot, chat)
            await client.login(fake.token)
            task = asyncio.create_task(client.connect())
            await asyncio.wait_for(client.ready_event.wait(), 30)
            settle_heap()  # as run_discord does before it connects
            counter = 0

            async def send() -> None:
                nonlocal counter
                i = counter
                counter += 1
                if i % 100 == 0:  # simulated time: members chat at realistic intervals
                    await clock.advance(timedelta(seconds=100 * SIM_SECONDS_PER_MESSAGE))
                guild, author = mix.author(i)
                data = fake.message_payload(guild, "general", author, mix.text(i, guild, author))
                fake.messages[int(data["id"])] = data
                sent[data["id"]] = time.monotonic()
                await fake.dispatch("MESSAGE_CREATE", data, guild.id)

            # saturated: every frame at once, then wait for all to be handled
            if profile is not None:
                profile.enable()
            t0 = time.monotonic()
            for _ in range(n_burst):
                await send()
            await fake.wait_for(lambda: len(done) >= n_burst, within=300)
            t_end = max(done.values())
            if profile is not None:
                profile.disable()
            burst_rate = n_burst / (t_end - t0)
            deletes_burst = len(fake.deleted)

            # steady: open loop at a fixed rate, latency per message
            sent.clear()
            done.clear()
            fake.deleted.clear()
            n_deletes_before = len(fake.calls("DELETE", r"/channels/\d+/messages/\d+"))
            start = time.monotonic()
            for i in range(n_steady):
                delay = start + i / steady_rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await send()
            await fake.wait_for(lambda: len(done) >= n_steady, within=300)
            latencies = sorted((done[mid] - t) * 1000 for mid, t in sent.items())
            deletes = fake.calls("DELETE", r"/channels/\d+/messages/\d+")[n_deletes_before:]
            action_lat = sorted((d.at - sent[d.path.rsplit("/", 1)[1]]) * 1000
                                for d in deletes if d.path.rsplit("/", 1)[1] in sent)
            cases = await bot.services.store.db.fetchall(
                "SELECT action, COUNT(*) FROM mod_cases GROUP BY action ORDER BY action")
            if "--debug" in sys.argv:
                for row in await bot.services.store.db.fetchall(
                        "SELECT action, rules, reason FROM mod_cases WHERE rules NOT LIKE "
                        "'harassment%' AND rules NOT LIKE 'crisis%'"):
                    print(tuple(row))
            await client.close()
            await task
    await fake.stop()
    return {
        "burst_rate": burst_rate, "deletes_burst": deletes_burst,
        "p50": statistics.median(latencies), "p99": _pct(latencies, 0.99),
        "max": latencies[-1], "action_p50": statistics.median(action_lat) if action_lat else None,
        "action_max": action_lat[-1] if action_lat else None, "actions": len(action_lat),
        "steady_rate": steady_rate, "cases": {str(a): int(n) for a, n in cases},
        "kinds": dict(sorted(mix.kinds.items())), "unknown_routes": list(fake.unknown_routes),
        "pacer_waited": chat.pacer.waited,
    }


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def _row(metric: str, value: Any, unit: str, target: str | None = None,
         met: bool | None = None) -> dict[str, Any]:
    return {"benchmark": BENCH, "metric": metric, "value": value, "unit": unit, "peer": None,
            "peer_value": None, "ratio": None, "target": target, "met": met}


def main(profile: cProfile.Profile | None = None) -> list[dict[str, Any]]:
    """Two runs: the production pacer (Discord's global 50 requests/s for bot calls), and an
    unbounded pacer, which shows the software's own capacity (a bot with a raised global
    limit, or behind a REST proxy that spreads it)."""
    logging.getLogger().setLevel(logging.WARNING)
    n_burst = 6000
    removed = n_burst // INSULT_EVERY
    rows: list[dict[str, Any]] = []
    runs: list[tuple[str, Pacer | None]] = [("unbounded pacer", Pacer(rate=1e9, burst=10**9))]
    if "--unpaced" not in sys.argv:
        runs.insert(0, ("50 req/s pacer", None))
    for label, pacer in runs:
        r = asyncio.run(_run(n_burst=n_burst, n_steady=6000, steady_rate=TARGET_RATE,
                             pacer=pacer, profile=profile))
        if r["unknown_routes"]:
            raise RuntimeError(f"the fake saw unknown routes: {r['unknown_routes']}")
        at = f"at {r['steady_rate']:g} msg/s, {label}"
        rows += [
            _row(f"messages/s, saturated ({n_burst} frames), {label}", round(r["burst_rate"]),
                 "msg/s", f">= {TARGET_RATE:g}", r["burst_rate"] >= TARGET_RATE),
            _row(f"p50 frame-to-done {at}", round(r["p50"], 2), "ms"),
            _row(f"p99 frame-to-done {at}", round(r["p99"], 2), "ms", f"< {TARGET_P99_MS:g}",
                 r["p99"] < TARGET_P99_MS),
            _row(f"max frame-to-done {at}", round(r["max"], 2), "ms"),
            _row(f"p50 frame-to-DELETE of the {r['actions']} removed {at}",
                 None if r["action_p50"] is None else round(r["action_p50"], 2), "ms"),
            _row(f"max frame-to-DELETE of removed {at}", None if r["action_max"] is None
                 else round(r["action_max"], 2), "ms"),
            _row(f"messages removed in the saturated run, {label}", r["deletes_burst"],
                 "deletes", str(removed), r["deletes_burst"] == removed),
            _row(f"time the pacer held bot calls, {label}", round(r["pacer_waited"], 2), "s"),
        ]
    rows += [
        _row("cases by action (last run)", ", ".join(f"{k} {v}" for k, v in r["cases"].items()),
             ""),
        _row("message mix (last run)", ", ".join(f"{k} {v}" for k, v in r["kinds"].items()),
             ""),
    ]
    return rows


if __name__ == "__main__":
    prof = cProfile.Profile() if "--profile" in sys.argv else None
    for row in main(prof):
        value = row["value"] if row["value"] is not None else "-"
        print(f"{row['metric']:<72} {value!s:>10} {row['unit']:<8} target "
              f"{row['target'] or '-':<8} met {row['met']}")
    if prof is not None:
        stats = pstats.Stats(prof).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
