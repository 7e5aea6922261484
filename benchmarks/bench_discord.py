"""Messages per second through the whole Discord path, on one process.

MESSAGE_CREATE frames from the local fake gateway -> discord.py parsing -> Bot -> moderation
(policy, case log in SQLite) -> REST calls back to the fake. Two runs: a saturated one for
throughput, and an open-loop one at a steady rate for frame-to-action latency (the time from
the fake sending a frame to the bot finishing with it, or to the fake receiving the DELETE for
a removed message). One message in 200 breaks a rule; the rest are ordinary chat.

If the real moderation engine has not landed yet, a keyword stand-in decides (said in the
output); the feature, case log, deletions and DMs are the real ones either way.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from groupbot.config import Config  # noqa: E402
from groupbot.core.types import Message  # noqa: E402
from groupbot.features.base import Services  # noqa: E402
from groupbot.moderation.verdict import Action, Verdict  # noqa: E402
from groupbot.platforms.discord import DiscordChat, GroupbotClient, configure_endpoints  # noqa: E402
from groupbot.runtime import open_bot  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord  # noqa: E402

TARGET_RATE = 2000.0
TARGET_P99_MS = 20.0
VIOLATION_EVERY = 200
MARKER = "you worthless idiot"
ORDINARY = ["I set a boundary with my mum today and it felt strange but good.",
            "Anyone else find Sundays hard?", "Thank you all for listening last week.",
            "I'm practising saying no without explaining myself.",
            "Reading the chapter on caretaking, it hit home."]


class KeywordStandIn:
    """Used only while the real engine is missing: removes messages containing MARKER."""

    def decide(self, text: str, **_: Any) -> Verdict:
        if MARKER in text.lower():
            return Verdict(Action.REMOVE, ("harassment",), ("bench.keyword",),
                           "insult aimed at a member", 2)
        return Verdict(Action.ALLOW)


def _moderation(services: Services) -> tuple[Any, str]:
    from groupbot.features.moderation import ModerationFeature

    try:
        return ModerationFeature(services), "real engine"
    except ImportError:
        return (ModerationFeature(services, engine=KeywordStandIn(), resources=lambda _r: []),
                "keyword stand-in (moderation engine not landed)")


def _text(i: int) -> str:
    if i % VIOLATION_EVERY == VIOLATION_EVERY - 1:
        return f"honestly {MARKER}, nobody cares"
    return ORDINARY[i % len(ORDINARY)] + f" ({i})"


async def _run(n_burst: int, n_steady: int, steady_rate: float) -> dict[str, Any]:
    fake = await FakeDiscord(echo_bot_messages=True).start()
    guild = fake.add_guild("bench group")
    members = [fake.add_member(guild, f"member{i}") for i in range(50)]
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(database=str(Path(tmp) / "bench.db"))
        config.discord.api_base, config.discord.gateway = fake.api_base, fake.gateway_url
        configure_endpoints(config)
        client = GroupbotClient(config, identify_delay=0, guild_ready_timeout=0.05)
        chat = DiscordChat(client)
        async with open_bot(config, chat) as bot:
            if bot.feature("moderation") is None:
                feature, engine = _moderation(bot.services)
                feature.register(bot.registry)
                bot.features.insert(0, feature)
                await feature.start()
            else:
                engine = "real engine (from build_features)"
            sent: dict[str, float] = {}
            done: dict[str, float] = {}
            original = bot.handle_message

            async def timed(message: Message) -> None:
                await original(message)
                done[message.id] = time.perf_counter()

            bot.handle_message = timed  # type: ignore[method-assign]
            client.attach(bot, chat)
            await client.login(fake.token)
            task = asyncio.create_task(client.connect())
            await asyncio.wait_for(client.ready_event.wait(), 10)

            async def send(i: int) -> None:
                data = fake.message_payload(guild, "general", members[i % len(members)],
                                            _text(i))
                fake.messages[int(data["id"])] = data
                sent[data["id"]] = time.perf_counter()
                await fake.dispatch("MESSAGE_CREATE", data, guild.id)

            # saturated: every frame at once, then wait for all to be handled
            t0 = time.perf_counter()
            for i in range(n_burst):
                await send(i)
            await fake.wait_for(lambda: len(done) >= n_burst, within=120)
            burst_rate = n_burst / (max(done.values()) - t0)
            deletes_burst = len(fake.deleted)

            # steady: open loop at a fixed rate, latency per message
            sent.clear()
            done.clear()
            fake.deleted.clear()
            start = time.perf_counter()
            for i in range(n_steady):
                due = start + i / steady_rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await send(n_burst + i)
            await fake.wait_for(lambda: len(done) >= n_steady, within=120)
            removed = {str(m) for _c, m in fake.deleted}
            latencies = sorted((done[mid] - t) * 1000 for mid, t in sent.items())
            # handling a removed message awaits its DELETE, DM and case rows, so its
            # frame-to-done time includes those REST round trips
            action_lat = [(done[mid] - t) * 1000 for mid, t in sent.items() if mid in removed]
            await client.close()
            await task
    await fake.stop()
    return {
        "engine": engine, "burst_rate": burst_rate, "deletes_burst": deletes_burst,
        "p50": statistics.median(latencies), "p99": latencies[int(len(latencies) * 0.99) - 1],
        "actions_steady": len(action_lat),
        "action_p99": max(action_lat) if action_lat else None, "steady_rate": steady_rate,
        "unknown_routes": list(fake.unknown_routes),
    }


def main() -> list[dict[str, Any]]:
    logging.getLogger().setLevel(logging.WARNING)
    r = asyncio.run(_run(n_burst=3000, n_steady=2000, steady_rate=1000.0))
    name = f"discord end to end ({r['engine']})"
    rows: list[dict[str, Any]] = [
        {"benchmark": name, "metric": "messages/s, saturated (1 in 200 removed)",
         "value": r["burst_rate"], "unit": "msg/s", "peer": None, "peer_value": None,
         "ratio": None, "target": f">= {TARGET_RATE:g}", "met": r["burst_rate"] >= TARGET_RATE},
        {"benchmark": name, "metric": f"p50 frame-to-done at {r['steady_rate']:g} msg/s",
         "value": r["p50"], "unit": "ms", "peer": None, "peer_value": None, "ratio": None,
         "target": None, "met": None},
        {"benchmark": name, "metric": f"p99 frame-to-done at {r['steady_rate']:g} msg/s",
         "value": r["p99"], "unit": "ms", "peer": None, "peer_value": None, "ratio": None,
         "target": f"< {TARGET_P99_MS:g}", "met": r["p99"] < TARGET_P99_MS},
        {"benchmark": name, "metric": "max frame-to-done of removed messages (delete+DM+case)",
         "value": r["action_p99"], "unit": "ms", "peer": None, "peer_value": None,
         "ratio": None, "target": None, "met": None},
        {"benchmark": name, "metric": "messages removed in the saturated run",
         "value": r["deletes_burst"], "unit": "deletes", "peer": None, "peer_value": None,
         "ratio": None, "target": "15", "met": r["deletes_burst"] == 15},
    ]
    if r["unknown_routes"]:
        raise RuntimeError(f"the fake saw unknown routes: {r['unknown_routes']}")
    return rows


if __name__ == "__main__":
    for row in main():
        print(f"{row['metric']:<62} {row['value'] if row['value'] is not None else '-':>10}"
              f" {row['unit']:<8} target {row['target'] or '-':<8} met {row['met']}")
