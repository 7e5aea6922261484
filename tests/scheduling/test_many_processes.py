"""Four bot processes on one PostgreSQL database, 1,000 schedules due in the same minute: every
occurrence is posted exactly once, also when one process is killed with SIGKILL mid-post.

The real bot runs four times (`groupbot run`, as in test_crash.py) against the fake Discord on
127.0.0.1, all on one database of a real PostgreSQL server (tests/pgserver.py). The 1,000
schedules (five in each of 200 channels) fell due a minute ago, well inside their grace window,
so each process races the others for every occurrence as soon as it is up. One process is
armed to die by SIGKILL at its 20th post, after Discord made the message and before the bot
recorded it (GROUPBOT_FAILPOINT=schedule-posted@20); it also dies holding claims it has not
sent yet. The survivors settle its claims once their 1-second lease runs out: a post found in
the channel is recorded, one not found is sent with the recorded content under the same key.

The fake is told not to deduplicate Discord nonces, so a second send of an occurrence would
show as a second message: each of the 1,000 keys must be in the channels exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from groupbot.core.failpoints import SCHEDULE_POSTED
from groupbot.core.types import Group
from groupbot.storage.postgres import PostgresDatabase
from groupbot.storage.store import Store
from tests.fakes.discord_fake import FakeDiscord
from tests.scheduling.test_crash import LOOPBACK_ONLY, ROOT

PROCESSES = 4
CHANNELS = 200
PER_CHANNEL = 5  # Discord's per-channel allowance (5 posts per 5 s): posted without waiting
WITHIN = 240.0  # seconds: a bound on waiting, never an assertion


async def _ledger(url: str) -> list[asyncpg.Record]:
    raw = await asyncpg.connect(url)
    try:
        return list(await raw.fetch("SELECT * FROM schedule_occurrences"))
    finally:
        await raw.close()


async def test_four_processes_post_each_of_1000_occurrences_once(
        tmp_path: Path, pg_url: str) -> None:
    fake = await FakeDiscord().start()
    fake.deduplicate_nonces = False
    names = tuple(f"c{n:03d}" for n in range(CHANNELS))
    guild = fake.add_guild("Many rooms", channels=("general", "mod-log", *names))
    fake.add_member(guild, "robin", roles=("moderator",))
    group = Group(str(guild.id), guild.name, "discord")
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0) - timedelta(minutes=1)
    async with PostgresDatabase(pg_url) as db:
        store = Store(db)
        await store.groups.ensure(group, due - timedelta(hours=1))
        await store.schedules.add_many(
            [(group.id, str(guild.channels[name]), name, "prompt", None, f"daily {due:%H:%M}",
              "UTC", None, "test") for name in names for _ in range(PER_CHANNEL)],
            due - timedelta(hours=1))
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config = tmp_path / "groupbot.toml"
    config.write_text(f'[bot]\ndatabase = "{pg_url}"\nseeds_dir = "{seeds}"\n'
                      f'prompts_dir = "{ROOT / "prompts"}"\nlog_level = "INFO"\n\n'
                      "[schedules]\nclaim_lease_seconds = 1\n")
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(LOOPBACK_ONLY)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GROUPBOT_", "DISCORD_", "SLACK_"))}
    env.update({"GROUPBOT_CONFIG": str(config), "PYTHONUNBUFFERED": "1",
                "GROUPBOT_PURE_PYTHON": os.environ.get("GROUPBOT_PURE_PYTHON", ""),
                "PYTHONPATH": os.pathsep.join([str(guard), str(ROOT)]),
                "DISCORD_TOKEN": fake.token, "GROUPBOT_PLATFORM": "discord",
                "GROUPBOT_DISCORD_API_BASE": fake.api_base,
                "GROUPBOT_DISCORD_GATEWAY": fake.gateway_url})
    logs = [tmp_path / f"bot-{n}.log" for n in range(PROCESSES)]
    procs: list[asyncio.subprocess.Process] = []

    def tail() -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
                         for p in logs if p.exists())

    try:
        for n in range(PROCESSES):
            own = dict(env)
            if n == 0:
                own["GROUPBOT_FAILPOINT"] = f"{SCHEDULE_POSTED}@20"
            with logs[n].open("wb") as out:
                procs.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "groupbot", "run", cwd=str(ROOT), env=own,
                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WITHIN
        rows: list[asyncpg.Record] = []
        while True:
            rows = await _ledger(pg_url)
            if len(rows) == CHANNELS * PER_CHANNEL and all(r["state"] == "posted"
                                                            for r in rows):
                break
            for n, proc in enumerate(procs[1:], start=1):
                if proc.returncode is not None:
                    raise AssertionError(f"bot {n} exited ({proc.returncode})\n" + tail())
            if loop.time() > deadline:
                raise AssertionError(f"not all posted within {WITHIN} s: "
                                     f"{Counter(r['state'] for r in rows)}\n" + tail())
            await asyncio.sleep(0.5)
        code = await asyncio.wait_for(procs[0].wait(), WITHIN)
        assert code == -signal.SIGKILL, f"the armed bot exited {code}\n" + tail()
        await asyncio.sleep(2)  # two more leases: a late duplicate would show now
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
        await fake.stop()

    ids = {str(guild.channels[name]) for name in names}
    posts = [m for m in fake.messages.values()
             if m["channel_id"] in ids and m["author"]["id"] == str(fake.bot.id)]
    # each post carries its key in a marker button's id (what find_post looks for)
    keys = Counter(c["custom_id"].removeprefix("gbd:post:") for m in posts
                   for r in m["components"] for c in r["components"]
                   if c["custom_id"].startswith("gbd:post:"))
    ledger = await _ledger(pg_url)
    assert len(ledger) == CHANNELS * PER_CHANNEL
    assert {r["state"] for r in ledger} == {"posted"}
    # each occurrence exactly once in its channel, and the ledger names that very message
    assert len(posts) == CHANNELS * PER_CHANNEL and max(keys.values()) == 1, keys.most_common(3)
    assert {r["idempotency_key"] for r in ledger} == set(keys)
    assert {r["message_id"] for r in ledger} == {m["id"] for m in posts}
    per_channel = Counter(m["channel_id"] for m in posts)
    assert set(per_channel.values()) == {PER_CHANNEL}
    # the work was shared, and the killed process's claims were settled by the others
    assert len({r["claimed_by"] for r in ledger}) >= 2
    general = fake.messages.values()
    assert not [m for m in general if m["channel_id"] == str(guild.channels["mod-log"])
                and "cannot tell" in str(m)]

