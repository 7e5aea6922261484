"""The fake Discord for `bench_discord_burst.py`, in its own process so that the bot's memory
is measured alone (the fake keeps every message and request it saw).

One JSON object per line on stdin and stdout:
- on start it prints `{"api_base", "gateway", "token"}`;
- `{"cmd": "burst", "n": N}`: sends N MESSAGE_CREATE frames as fast as it can (the bench's
  realistic chat mix), then prints `{"sent", "first_at", "last_at", "kinds"}` (monotonic clock
  times, which on Linux all processes share);
- `{"cmd": "stats"}`: prints `{"deletes", "requests", "last_request_at", "unknown_routes",
  "paths"}`;
- `{"cmd": "stop"}`: stops.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_discord import GROUPS, MEMBERS_PER_GROUP, Mix  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord  # noqa: E402


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main() -> None:
    fake = await FakeDiscord(echo_bot_messages=True).start()
    guilds = [fake.add_guild(f"burst group {g}") for g in range(GROUPS)]
    members = [(g, fake.add_member(g, f"member{g.id % 1000}-{i}")) for g in guilds
               for i in range(MEMBERS_PER_GROUP)]
    mix = Mix(members)
    counter = 0
    _say({"api_base": fake.api_base, "gateway": fake.gateway_url, "token": fake.token})
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        cmd = json.loads(line)
        if cmd["cmd"] == "burst":
            before = dict(mix.kinds)
            first_at = time.monotonic()
            for _ in range(int(cmd["n"])):
                guild, author = mix.author(counter)
                data = fake.message_payload(guild, "general", author,
                                            mix.text(counter, guild, author))
                counter += 1
                fake.messages[int(data["id"])] = data
                await fake.dispatch("MESSAGE_CREATE", data, guild.id)
            last_at = time.monotonic()
            kinds = {k: v - before.get(k, 0) for k, v in mix.kinds.items()}
            _say({"sent": int(cmd["n"]), "first_at": first_at, "last_at": last_at,
                  "kinds": kinds})
        elif cmd["cmd"] == "stats":
            paths = Counter(f"{r.method} {_shape(r.path)}" for r in fake.requests)
            _say({"deletes": len(fake.deleted), "requests": len(fake.requests),
                  "last_request_at": fake.requests[-1].at if fake.requests else None,
                  "unknown_routes": fake.unknown_routes, "paths": dict(paths)})
        elif cmd["cmd"] == "stop":
            break
    await fake.stop()


def _shape(path: str) -> str:
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


if __name__ == "__main__":
    asyncio.run(main())
