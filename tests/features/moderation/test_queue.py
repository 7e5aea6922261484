"""The moderators' queue end to end on the console: the real features, engine and SQLite file,
a fake clock for time. A member asking to talk is a crisis request that waits in the queue and
is announced again until a moderator takes it; alerts the moderator log cannot take are kept,
sent to moderators directly, and posted when a log is set."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.types import Group, Interaction, Member, Reply
from groupbot.platforms.console import deliver
from groupbot.storage.database import Database, load_migrations
from tests.conftest import Harness, open_harness

CRISIS = "I don't want to be here anymore, I'm going to end it"
INSULT = "robin you worthless idiot"


def texts(events: list[Any]) -> list[str]:
    return [e.text for e in events]


def modlog(h: Harness) -> list[str]:
    return texts(h.chat.of_kind("modlog"))


def private(h: Harness, who: Member) -> list[str]:
    return texts(h.chat.private_to(who))


async def said(h: Harness, who: Member, command: str) -> str:
    """Run a command as `who`; the private answer it got."""
    before = len(h.chat.private_to(who))
    await h.command(who, command)
    return "\n".join(private(h, who)[before:])


async def press(h: Harness, who: Member, custom_id: str) -> str:
    replies = await h.bot.handle_interaction(Interaction(custom_id, h.chat.group, h.general, who))
    await deliver(h.chat, h.chat.group, h.general, who, replies)
    return "\n".join(r.text for r in replies)


async def ask_to_talk(h: Harness) -> str:
    """alex writes in crisis and presses "Talk to a moderator privately"."""
    await h.say(h.member, CRISIS)
    reply = h.chat.private_to(h.member)[-1].reply
    assert reply is not None and "You're not alone" in (reply.title or "")
    reach = next(b.custom_id for b in reply.buttons if b.custom_id.startswith("gb:care:reach:"))
    return await press(h, h.member, reach)


async def later(h: Harness, delta: timedelta) -> None:
    await h.clock.advance(delta)
    await h.bot.idle()


def still_waiting(h: Harness) -> list[str]:
    return [t for t in modlog(h) if t.startswith("Still waiting")]


async def item_row(h: Harness, number: int) -> dict[str, Any]:
    row = await h.bot.services.store.db.fetchone(
        "SELECT kind, status, member_id, asked_by, claimed_by, resolved_by, resolution, text "
        "FROM mod_queue WHERE group_id = ? AND number = ?", (h.chat.group.id, number))
    assert row is not None
    return dict(zip(("kind", "status", "member_id", "asked_by", "claimed_by", "resolved_by",
                     "resolution", "text"), row, strict=True))


# -- crisis requests ------------------------------------------------------------------------
async def test_the_crisis_button_queues_a_request_announced_again_until_claimed(
        harness: Harness) -> None:
    h = harness
    answer = await ask_to_talk(h)
    assert "let the moderators know" in answer and "tell you when one has picked it up" in answer
    assert "item 1 in the queue" in modlog(h)[-1] and "/mod queue claim 1" in modlog(h)[-1]
    queue = await said(h, h.moderator, "/mod queue")
    assert "Item 1 (crisis request)" in queue
    assert f"<@{h.member.id}> asked to talk with a moderator privately (case 1)" in queue
    assert "nobody has taken it yet" in queue
    await later(h, timedelta(minutes=29))
    assert still_waiting(h) == []
    await later(h, timedelta(minutes=1))  # 30 minutes and nobody has taken it
    again = still_waiting(h)
    assert len(again) == 1 and "after 30 minutes: item 1" in again[0]
    assert "/mod queue claim 1" in again[0] and CRISIS not in again[0]
    await later(h, timedelta(minutes=30))
    assert len(still_waiting(h)) == 2  # every 30 minutes while nobody has it

    taken = await said(h, h.moderator, "/mod queue claim 1")
    assert "Item 1 is yours" in taken and f"I've let <@{h.member.id}> know privately" in taken
    told = private(h, h.member)[-1]
    assert "robin, one of the group's moderators" in told
    assert "will message you privately soon" in told
    assert f"taken by <@{h.moderator.id}>" in await said(h, h.moderator, "/mod queue")
    await later(h, timedelta(hours=2))
    assert len(still_waiting(h)) == 2  # taken: no more announcements
    row = await item_row(h, 1)
    assert (row["kind"], row["status"], row["claimed_by"]) == ("crisis", "claimed",
                                                                h.moderator.id)


async def test_a_request_claimed_in_time_is_never_announced_again(harness: Harness) -> None:
    h = harness
    await ask_to_talk(h)
    await later(h, timedelta(minutes=10))
    await said(h, h.moderator, "/mod queue claim 1")
    await later(h, timedelta(hours=3))
    assert still_waiting(h) == []


async def test_resolve_closes_an_item_and_a_resolved_item_stays_closed(
        harness: Harness) -> None:
    h = harness
    await ask_to_talk(h)
    await said(h, h.moderator, "/mod queue claim 1")
    done = await said(h, h.moderator, "/mod queue resolve 1 we talked; she has her sister")
    assert "Resolved item 1 with your note; it has left the queue." in done
    assert "The queue is empty" in await said(h, h.moderator, "/mod queue")
    row = await item_row(h, 1)
    assert (row["status"], row["resolved_by"]) == ("resolved", h.moderator.id)
    assert row["resolution"] == "we talked; she has her sister"
    assert f"already resolved by <@{h.moderator.id}>" in await said(h, h.moderator,
                                                                  "/mod queue claim 1")
    assert "already resolved" in await said(h, h.moderator, "/mod queue resolve 1")
    assert "There is no item 7" in await said(h, h.moderator, "/mod queue claim 7")
    await later(h, timedelta(hours=1))
    assert still_waiting(h) == []


async def test_asking_twice_keeps_one_request(harness: Harness) -> None:
    h = harness
    await ask_to_talk(h)
    reach = next(b.custom_id for e in h.chat.private_to(h.member) if e.reply
                 for b in e.reply.buttons if b.custom_id.startswith("gb:care:reach:"))
    again = await press(h, h.member, reach)
    assert "already let the moderators know" in again
    await said(h, h.moderator, "/mod queue claim 1")
    assert "already taken your request" in await press(h, h.member, reach)
    rows = await h.bot.services.store.db.fetchall("SELECT number FROM mod_queue")
    assert len(rows) == 1


async def test_the_reannounce_interval_comes_from_the_config(
        config: Config, clock: FakeClock) -> None:
    config = dataclasses.replace(config)
    config.moderation = dataclasses.replace(config.moderation, reannounce_minutes=10)
    async with open_harness(config, clock) as h:
        await ask_to_talk(h)
        await later(h, timedelta(minutes=10))
        assert len(still_waiting(h)) == 1 and "after 10 minutes" in still_waiting(h)[0]


# -- appeals and escalations ----------------------------------------------------------------
async def test_an_appeal_waits_in_the_queue_and_its_member_is_told_when_it_is_taken(
        harness: Harness) -> None:
    h = harness
    await h.say(h.member, INSULT)
    assert "with the moderators" in await said(h, h.member,
                                               "/appeal 1 I was quoting a film at him")
    queue = await said(h, h.moderator, "/mod queue")
    assert "Item 1 (appeal) Case 1 (appeal)" in queue and "I was quoting a film" in queue
    await said(h, h.moderator, "/mod queue claim 1")
    assert "a moderator is now looking at your appeal on case 1" in private(h, h.member)[-1]
    assert "robin" not in private(h, h.member)[-1]  # who looks at an appeal is not named
    closed = await said(h, h.moderator, "/mod queue resolve 1 the quote was fair")
    assert "Case 1 is closed too" in closed
    shown = await said(h, h.moderator, "/mod case 1")
    assert f"close by <@{h.moderator.id}>: the quote was fair" in shown


async def test_crisis_requests_come_first_then_the_oldest(harness: Harness) -> None:
    h = harness
    bob = h.chat.add_member("bob")
    await h.say(bob, "I will hurt you, robin")  # a held message first
    await later(h, timedelta(minutes=5))
    await ask_to_talk(h)
    queue = (await said(h, h.moderator, "/mod queue")).splitlines()
    items = [line for line in queue if line.startswith("• Item")]
    assert [line.split(" (")[0] for line in items] == ["• Item 2", "• Item 1"]
    assert "(held message) Case 1 (hold)" in items[1]


async def test_queue_commands_refuse_non_moderators(harness: Harness) -> None:
    h = harness
    await ask_to_talk(h)
    for command in ("/mod queue", "/mod queue list", "/mod queue claim 1",
                    "/mod queue resolve 1 done"):
        assert "is for moderators" in await said(h, h.member, command), command
    assert "/mod queue is for moderators" in await said(h, h.member, "/mod queue")
    row = await item_row(h, 1)
    assert (row["status"], row["claimed_by"], row["resolved_by"]) == ("open", None, None)


# -- alerts that cannot be delivered --------------------------------------------------------
async def test_an_alert_without_a_modlog_reaches_moderators_directly_and_waits(
        harness: Harness) -> None:
    h = harness
    h.chat.default_modlog = None  # a new group: no moderator log yet
    await h.say(h.member, INSULT)
    assert modlog(h) == []
    direct = private(h, h.moderator)
    assert len(direct) == 1 and "Case 1: remove" in direct[0]
    assert "couldn't post it in the moderator log: no moderator log channel is set" in direct[0]
    assert "item 1 in `/mod queue`" in direct[0] and INSULT not in direct[0]
    queued = await said(h, h.moderator, "/mod queue")
    assert f"Item 1 (alert) Case 1 (remove) <@{h.member.id}> in #general" in queued
    done = await said(h, h.moderator, "/mod setup modlog #mod-log")
    assert "posted there the 1 alert that waited for it" in done
    posted = modlog(h)
    assert len(posted) == 1 and posted[0].startswith("(This waited since")
    assert "Case 1: remove" in posted[0]
    assert "The queue is empty" in await said(h, h.moderator, "/mod queue")
    assert (await item_row(h, 1))["resolved_by"] == "bot"  # its work is done: it is posted


async def test_a_crisis_alert_that_waited_stays_in_the_queue_for_a_person(
        harness: Harness) -> None:
    h = harness
    h.chat.default_modlog = None
    await h.say(h.member, CRISIS)
    assert "may be going through a very hard time" in private(h, h.moderator)[-1]
    await later(h, timedelta(minutes=5))
    await h.say(h.member, "I'm going to end it tonight, I have the pills")  # more severe
    assert len(private(h, h.moderator)) == 2
    queue = await said(h, h.moderator, "/mod queue")
    assert "Item 1 (crisis request)" in queue
    assert f"<@{h.member.id}> may be going through a very hard time (case 1)" in queue
    assert "Item 2" not in queue  # one member, one request waiting, with both alerts
    done = await said(h, h.moderator, "/mod setup modlog #mod-log")
    assert "posted there the 2 alerts that waited for it" in done
    assert len(modlog(h)) == 2 and all("very hard time" in t for t in modlog(h))
    # delivered, but a person must still take it
    assert "Item 1 (crisis request)" in await said(h, h.moderator, "/mod queue")
    await later(h, timedelta(minutes=25))
    assert len(still_waiting(h)) == 1


async def test_a_member_in_crisis_the_bot_cannot_reach_waits_as_one_request(
        harness: Harness) -> None:
    h = harness

    async def closed(group: Group, member: Member, reply: Reply, *,
                     public_fallback: bool = True) -> None:
        raise RuntimeError("their direct messages are closed")

    real = h.chat.send_private
    h.chat.send_private = closed  # type: ignore[method-assign]
    await h.say(h.member, CRISIS)
    await h.say(h.member, "I'm going to end it tonight, I have the pills")
    h.chat.send_private = real  # type: ignore[method-assign]
    assert all("could NOT reach them privately" in t for t in modlog(h))
    assert all("/mod queue claim 1" in t for t in modlog(h))
    queue = await said(h, h.moderator, "/mod queue")
    assert "Item 1 (crisis request)" in queue and "Item 2" not in queue
    assert "I could not reach them privately (case 1)" in queue
    await later(h, timedelta(minutes=30))
    assert len(still_waiting(h)) == 1


async def test_a_failed_post_in_the_log_is_retried_until_it_goes_through(
        harness: Harness) -> None:
    h = harness
    real = h.chat.alert_moderators
    failures = [RuntimeError("HTTP 503")] * 2

    async def flaky(group: Group, reply: Reply) -> None:
        if failures:
            raise failures.pop()
        await real(group, reply)

    h.chat.alert_moderators = flaky  # type: ignore[method-assign]
    await h.say(h.member, INSULT)
    assert modlog(h) == [] and "Case 1: remove" in private(h, h.moderator)[-1]
    await later(h, timedelta(minutes=1))  # the first retry fails too
    assert modlog(h) == [] and failures == []
    await later(h, timedelta(minutes=4))
    assert modlog(h) == []
    await later(h, timedelta(minutes=1))  # five minutes after the second failure
    assert len(modlog(h)) == 1 and "Case 1: remove" in modlog(h)[0]
    assert len(private(h, h.moderator)) == 1  # the moderators were messaged only once
    pending = await h.bot.services.store.db.fetchall("SELECT id FROM mod_alerts")
    assert pending == []


async def test_a_kept_alert_survives_a_restart(config: Config, clock: FakeClock) -> None:
    async with open_harness(config, clock) as h:
        h.chat.default_modlog = None
        await h.say(h.member, INSULT)
    async with open_harness(config, clock) as h:  # the same database, a new process
        await later(h, timedelta(minutes=2))
        assert len(modlog(h)) == 1 and "Case 1: remove" in modlog(h)[0]


# -- the member's data ----------------------------------------------------------------------
async def test_mydata_shows_queue_items_and_delete_keeps_the_skeleton(
        harness: Harness) -> None:
    h = harness
    h.chat.default_modlog = None
    await h.say(h.member, INSULT)
    await said(h, h.member, "/appeal 1 I was quoting a film at him")
    export = await said(h, h.member, "/mydata export")
    assert '"queue_items"' in export and '"kind": "appeal"' in export
    assert "I was quoting a film at him" in export
    assert '"alerts_waiting_for_moderators": 2' in export
    assert "erased what I kept about you" in await said(h, h.member, "/mydata delete yes")
    after = await said(h, h.member, "/mydata export")
    assert "I was quoting a film" not in after and '"kind": "appeal"' in after
    queue = await said(h, h.moderator, "/mod queue")
    assert "Item 2 (appeal) Case 1 (appeal)" in queue and "quoting a film" not in queue
    await said(h, h.moderator, "/mod setup modlog #mod-log")
    posted = "\n".join(modlog(h))
    assert "quoting a film" not in posted and "its text was erased at their request" in posted


# -- upgrading ------------------------------------------------------------------------------
async def test_cases_waiting_before_the_upgrade_become_queue_items(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    for mig in load_migrations():
        if mig.version <= 8:
            raw.executescript(mig.sql)
    raw.executescript("""
        PRAGMA user_version = 8;
        INSERT INTO groups (id, platform, name, timezone, region, created_at)
            VALUES ('g', 'console', 'G', 'UTC', 'US', '2026-01-01T00:00:00+00:00');
        INSERT INTO mod_cases (group_id, number, member_id, action, reason, source,
                               needs_review, created_by, created_at)
        VALUES ('g', 1, 'u-a', 'escalate', 'a threat', 'message', 1, 'bot',
                '2026-01-01T00:00:00+00:00'),
               ('g', 2, 'u-b', 'remove', 'an insult', 'message', 0, 'bot',
                '2026-01-02T00:00:00+00:00'),
               ('g', 3, 'u-c', 'escalate', 'closed already', 'message', 1, 'bot',
                '2026-01-03T00:00:00+00:00');
        INSERT INTO mod_amendments (group_id, case_number, kind, body, by_member, at)
        VALUES ('g', 2, 'appeal', 'please look again', 'u-b', '2026-01-02T01:00:00+00:00'),
               ('g', 3, 'close', 'done', 'u-mod', '2026-01-03T01:00:00+00:00');
    """)
    raw.commit()
    raw.close()
    async with Database(path) as db:
        rows = await db.fetchall("SELECT number, kind, case_number, member_id, asked_by, "
                                 "status FROM mod_queue ORDER BY number")
    assert [tuple(r) for r in rows] == [(1, "escalation", 1, "u-a", None, "open"),
                                        (2, "appeal", 2, "u-b", "u-b", "open")]


@pytest.fixture
async def no_modlog(config: Config, clock: FakeClock) -> AsyncIterator[Harness]:
    async with open_harness(config, clock) as h:
        h.chat.default_modlog = None
        yield h


async def test_a_schedule_alert_is_kept_too(no_modlog: Harness) -> None:
    h = no_modlog
    schedules: Any = h.bot.feature("schedules")
    await schedules.dispatcher.alert(h.chat.group, Reply.public("a missed post", title="Schedules"))
    assert "a missed post" in private(h, h.moderator)[-1]
    assert "Item 1 (alert) Schedules: a missed post" in await said(h, h.moderator, "/mod queue")
