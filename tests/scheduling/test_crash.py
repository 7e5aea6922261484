"""kill -9 at every step of a scheduled post: one post, and never a silent skip.

The real bot runs in a subprocess (`groupbot run`) against the fake Discord and the fake
Slack on 127.0.0.1, with the real clock: a schedule whose occurrence fell due a minute ago
(well inside its grace window) is posted as soon as the bot is up. It is killed with SIGKILL

- after the content is made (a prompt taken from the rotation), before the claim is
  committed (GROUPBOT_FAILPOINT=schedule-prepared): the ledger holds nothing;
- after the claim (with its content) is committed, before anything is sent
  (GROUPBOT_FAILPOINT=schedule-claimed);
- after the platform created the message, before the bot read the answer (the fake kills the
  process from inside its request handler, then answers a dead socket);
- after the answer, before the post is recorded (GROUPBOT_FAILPOINT=schedule-posted);

then started again (a 1-second claim lease, set in its config file). Each time the channel
holds exactly one post, with the content recorded in the claim (if the first run got as far
as claiming), and the ledger records it.
When the platform refuses the post after the restart, the ledger says failed and the
moderators are told.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from groupbot.core.failpoints import SCHEDULE_CLAIMED, SCHEDULE_POSTED, SCHEDULE_PREPARED
from groupbot.core.types import Group
from groupbot.scheduling.jobs import decode_reply
from groupbot.storage.database import Database
from groupbot.storage.schedules import ScheduleRepo
from groupbot.storage.store import Store
from tests.fakes.discord_fake import FakeDiscord, FakeGuild
from tests.fakes.slack_fake import APP_TOKEN, BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = "accepted"  # the platform made the message; the bot dies before the answer
STEPS = (SCHEDULE_PREPARED, SCHEDULE_CLAIMED, ACCEPTED, SCHEDULE_POSTED)
WITHIN = 180.0  # seconds: a bound on waiting for the subprocess (slow on a loaded machine)
# the subprocess, like the test process, may only reach 127.0.0.1
LOOPBACK_ONLY = """
import socket
_connect = socket.socket.connect
def _loopback_only(self, address):
    if isinstance(address, tuple) and address and not (
            str(address[0]).startswith("127.") or address[0] in ("::1", "localhost")):
        raise RuntimeError(f"the bot tried to reach {address[0]}: tests stay on 127.0.0.1")
    return _connect(self, address)
socket.socket.connect = _loopback_only
"""
# arms the fake to kill the bot once it has created the scheduled post (None: disarm)
Killer = Callable[[Callable[[], Awaitable[None]] | None], None]


@dataclass
class Scene:
    tmp: Path
    database: Path
    config: Path
    env: dict[str, str]
    logs: list[Path]

    async def start(self, failpoint: str | None = None) -> asyncio.subprocess.Process:
        env = dict(self.env)
        env.pop("GROUPBOT_FAILPOINT", None)
        if failpoint is not None:
            env["GROUPBOT_FAILPOINT"] = failpoint
        out = self._new_log()
        try:  # the child keeps its own copy of the file
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "groupbot", "run", cwd=str(ROOT), env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        finally:
            out.close()

    def _new_log(self) -> BinaryIO:
        log = self.tmp / f"bot-{len(self.logs)}.log"
        self.logs.append(log)
        return log.open("wb")

    def ledger(self) -> list[dict[str, Any]]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=5)) as conn:
            conn.row_factory = sqlite3.Row
            rows = conn.execute("SELECT * FROM schedule_occurrences").fetchall()
        return [dict(r) for r in rows]

    def tail(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
                         for p in self.logs)

    async def until(self, what: str, check: Callable[[], Any],
                    proc: asyncio.subprocess.Process | None = None) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WITHIN
        while not (found := check()):
            if proc is not None and proc.returncode is not None:
                raise AssertionError(f"the bot exited ({proc.returncode}) before: {what}\n"
                                     + self.tail())
            if loop.time() > deadline:
                raise AssertionError(f"not within {WITHIN} s: {what}\n" + self.tail())
            await asyncio.sleep(0.05)
        return found

    async def died(self, proc: asyncio.subprocess.Process) -> None:
        try:
            code = await asyncio.wait_for(proc.wait(), WITHIN)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError("the bot did not die at its failpoint\n" + self.tail()) \
                from None
        assert code == -signal.SIGKILL, f"exit {code}\n" + self.tail()


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.kill()
    await proc.wait()


async def prepare(tmp: Path, group: Group, channel_id: str) -> Scene:
    """A database with the group and a daily schedule whose occurrence fell due a minute ago
    (the bot posts it at start), and a config file with a 1-second claim lease."""
    now = datetime.now(UTC)
    due = now.replace(second=0, microsecond=0) - timedelta(minutes=1)
    database = tmp / "groupbot.db"
    async with Database(database) as db:
        store = Store(db)
        await store.groups.ensure(group, due - timedelta(hours=1))
        await ScheduleRepo(db).add(
            group_id=group.id, channel_id=channel_id, channel_name="general", kind="prompt",
            theme=None, when_text=f"daily {due:%H:%M}", timezone="UTC", anchor=None,
            created_by="test", now=due - timedelta(hours=1), grace_seconds=3600)
    seeds = tmp / "seeds"
    seeds.mkdir()
    config = tmp / "groupbot.toml"
    config.write_text(f'[bot]\ndatabase = "{database}"\nseeds_dir = "{seeds}"\n'
                      f'prompts_dir = "{ROOT / "prompts"}"\nlog_level = "INFO"\n\n'
                      "[schedules]\nclaim_lease_seconds = 1\n")
    guard = tmp / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(LOOPBACK_ONLY)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GROUPBOT_", "DISCORD_", "SLACK_"))}
    env.update({"GROUPBOT_CONFIG": str(config), "PYTHONUNBUFFERED": "1",
                "GROUPBOT_PURE_PYTHON": os.environ.get("GROUPBOT_PURE_PYTHON", ""),
                "PYTHONPATH": os.pathsep.join([str(guard), str(ROOT)])})
    return Scene(tmp, database, config, env, [])


def posted_row(scene: Scene) -> dict[str, Any] | None:
    rows = scene.ledger()
    return rows[0] if rows and rows[0]["state"] in ("posted", "failed", "missed",
                                                     "uncertain") else None


async def crash_and_restart(scene: Scene, step: str,
                            kill_on_create: Killer,
                            *, after_restart: Callable[[], None] | None = None,
                            also: Callable[[], Any] = lambda: True
                            ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Run the bot until it dies at `step`, then again until the occurrence is settled (and
    `also` holds). Returns (the claim as the first run left it, None if it left none, and
    the settled ledger row)."""
    first = await scene.start(step if step != ACCEPTED else None)
    if step == ACCEPTED:
        async def kill() -> None:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        kill_on_create(kill)
    try:
        await scene.died(first)
    finally:
        await stop(first)
    claim: dict[str, Any] | None = None
    if step == SCHEDULE_PREPARED:
        assert scene.ledger() == []  # the claim's transaction never committed
    else:
        [claim] = scene.ledger()
        assert claim["state"] == "claimed" and claim["content"], claim
    kill_on_create(None)
    if after_restart is not None:
        after_restart()
    second = await scene.start()
    try:
        row = await scene.until("the occurrence is settled", lambda: posted_row(scene), second)
        await scene.until("the rest of what the restart does", also, second)
    finally:
        await stop(second)
    return claim, row


# -- Discord ---------------------------------------------------------------------------------
@pytest.fixture
async def discord(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, FakeGuild, Scene]]:
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Thursday circle")
    fake.add_member(guild, "robin", roles=("moderator",))
    scene = await prepare(tmp_path, Group(str(guild.id), guild.name, "discord"),
                          str(guild.channels["general"]))
    scene.env.update({"DISCORD_TOKEN": fake.token, "GROUPBOT_PLATFORM": "discord",
                      "GROUPBOT_DISCORD_API_BASE": fake.api_base,
                      "GROUPBOT_DISCORD_GATEWAY": fake.gateway_url})
    try:
        yield fake, guild, scene
    finally:
        await fake.stop()
    assert fake.unknown_routes == []


def discord_killer(fake: FakeDiscord, guild: FakeGuild) -> Killer:
    def arm(kill: Callable[[], Awaitable[None]] | None) -> None:
        if kill is None:
            fake.on_created = None
            return

        async def on_created(msg: dict[str, Any]) -> None:
            if msg["channel_id"] == str(guild.channels["general"]) and msg.get("nonce"):
                fake.on_created = None
                await kill()
        fake.on_created = on_created
    return arm


def discord_posts(fake: FakeDiscord, guild: FakeGuild, channel: str) -> list[dict[str, Any]]:
    cid = str(guild.channels[channel])
    return [m for m in fake.messages.values()
            if m["channel_id"] == cid and m["author"]["id"] == str(fake.bot.id)]


@pytest.mark.parametrize("step", STEPS)
async def test_discord_kill_at_each_step_posts_exactly_once(
        discord: tuple[FakeDiscord, FakeGuild, Scene], step: str) -> None:
    fake, guild, scene = discord
    claim, row = await crash_and_restart(scene, step, discord_killer(fake, guild))
    claimed = claim or row  # killed before it claimed: the restart's own claim
    [message] = discord_posts(fake, guild, "general")
    recorded = decode_reply(claimed["content"])
    assert recorded is not None and claimed["content_ref"].startswith("prompt:")
    embed = message["embeds"][0]
    assert (embed["title"], embed["description"]) == (recorded.title, recorded.text)
    marker = f"gbd:post:{claimed['idempotency_key']}"
    assert marker in {c["custom_id"] for r in message["components"] for c in r["components"]}
    assert (row["state"], row["message_id"]) == ("posted", message["id"]), scene.tail()
    # what was claimed is what went out, under the claim's key
    assert (row["content"], row["idempotency_key"]) == (claimed["content"],
                                                        claimed["idempotency_key"])
    assert len(fake.threads) == 1 and int(message["id"]) in fake.threads
    sends = [r for r in fake.calls("POST", rf"/channels/{guild.channels['general']}/messages")
             if r.status == 200]
    # every send carried the claim's nonce with enforce_nonce; a post the restart found in
    # the history was not sent again
    assert {(r.body["nonce"], r.body["enforce_nonce"]) for r in sends} == {
        (message["nonce"], True)}
    assert len(sends) == 1
    assert discord_posts(fake, guild, "mod-log") == []  # nothing to report


async def test_discord_refused_after_a_crash_is_recorded_and_reported(
        discord: tuple[FakeDiscord, FakeGuild, Scene]) -> None:
    fake, guild, scene = discord
    cid = guild.channels["general"]

    def refuse() -> None:  # the bot lost its permission in #general while it was down
        fake.fault("POST", rf"/channels/{cid}/messages", 403,
                   {"message": "Missing Permissions", "code": 50013}, times=5)

    _claim, row = await crash_and_restart(
        scene, SCHEDULE_CLAIMED, discord_killer(fake, guild), after_restart=refuse,
        also=lambda: discord_posts(fake, guild, "mod-log"))
    assert row["state"] == "failed" and "Missing Permissions" in (row["note"] or "")
    assert discord_posts(fake, guild, "general") == []
    [alert] = discord_posts(fake, guild, "mod-log")
    assert "could not be posted" in json.dumps(alert)


# -- Slack -----------------------------------------------------------------------------------
@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[tuple[FakeSlack, Scene]]:
    fake = await FakeSlack().start()
    fake.add_user("robin", admin=True)
    scene = await prepare(tmp_path, Group(f"slack:{fake.team_id}", fake.team, "slack"),
                          fake.channels["general"])
    scene.env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                      "GROUPBOT_PLATFORM": "slack", "GROUPBOT_SLACK_API_BASE": fake.api_base})
    try:
        yield fake, scene
    finally:
        await fake.stop()
    assert fake.unknown_methods == []


def slack_killer(fake: FakeSlack) -> Killer:
    def arm(kill: Callable[[], Awaitable[None]] | None) -> None:
        if kill is None:
            fake.on_posted = None
            return

        async def on_posted(cid: str, msg: dict[str, Any]) -> None:
            if cid == fake.channels["general"] and msg.get("metadata"):
                fake.on_posted = None
                await kill()
        fake.on_posted = on_posted
    return arm


@pytest.mark.parametrize("step", STEPS)
async def test_slack_kill_at_each_step_posts_exactly_once(
        slack: tuple[FakeSlack, Scene], step: str) -> None:
    fake, scene = slack
    claim, row = await crash_and_restart(scene, step, slack_killer(fake))
    claimed = claim or row  # killed before it claimed: the restart's own claim
    [message] = fake.posts_in("general")
    recorded = decode_reply(claimed["content"])
    assert recorded is not None and recorded.title and recorded.title in json.dumps(message)
    assert message["metadata"]["event_payload"]["key"] == claimed["idempotency_key"]
    assert (row["state"], row["message_id"]) == ("posted", message["ts"]), scene.tail()
    assert (row["content"], row["idempotency_key"]) == (claimed["content"],
                                                        claimed["idempotency_key"])
    sends = [c for c in fake.called("chat.postMessage")
             if c.args.get("channel") == fake.channels["general"] and not c.args.get("thread_ts")]
    assert len(sends) == 1  # Slack has no idempotency key: a second send would be a second post
    # the discussion thread's first reply, exactly once (opened by the restart if need be)
    assert len(fake.thread_replies("general", message["ts"])) == 1
    assert fake.posts_in("mod-log") == []
