"""Moderation when the database cannot be written: the platform acts first, the records wait
in the outbox and land later, once each, and the moderators are told.

End to end on the console (and once on the fake Discord): the real features, engine, policy
and SQLite file, a fake clock for every pause. The disk is filled for real with SQLite's
`PRAGMA max_page_count` (writes then fail with "database or disk is full"), or, where a test
needs every write to fail from the first, by the outbox's repository raising that same error;
the database is locked by a second connection holding `BEGIN EXCLUSIVE`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.text import numbers
from groupbot.core.types import Interaction, Member
from groupbot.features import outbox as outbox_module
from groupbot.features.moderation import STRIKES_UNREAD, TALK_BUTTON, ModerationFeature
from groupbot.features.outbox import Outbox
from groupbot.platforms.console import deliver
from groupbot.storage.cases import CaseRepo
from groupbot.storage.database import Database
from tests.conftest import Harness, open_harness
from tests.fakes.discord_fake import FakeDiscord, FakeGuild
from tests.platforms.discord.test_e2e import running

INSULT = "robin you worthless idiot"
CRISIS = "I don't want to be here anymore, I'm going to end it"
FULL = "database or disk is full"
FAILING = "My storage is failing"
RECOVERED = "My storage works again"


# -- helpers ---------------------------------------------------------------------------------
def moderation(h: Harness) -> ModerationFeature:
    found = h.bot.feature("moderation")
    assert isinstance(found, ModerationFeature)
    return found


def outbox(h: Harness) -> Outbox:
    return moderation(h).outbox


def modlog(h: Harness) -> list[str]:
    return [e.text for e in h.chat.of_kind("modlog")]


def storage_notices(h: Harness) -> list[str]:
    return [t for t in modlog(h) if t.startswith(("My storage", "After a restart"))]


def private(h: Harness, who: Member) -> list[str]:
    return [e.text for e in h.chat.private_to(who)]


async def later(h: Harness, delta: timedelta) -> None:
    await h.clock.advance(delta)
    await h.bot.idle()


async def cases_by_message(h: Harness) -> dict[str, int]:
    """How many cases each message has (read through the bot's main connection)."""
    rows = await h.bot.services.store.db.fetchall(
        "SELECT message_id, COUNT(*) FROM mod_cases WHERE group_id = ? GROUP BY message_id",
        (h.chat.group.id,))
    return {str(r[0]): int(r[1]) for r in rows}


async def count(h: Harness, sql: str, *params: Any) -> int:
    row = await h.bot.services.store.db.fetchone(sql, params)
    assert row is not None
    return int(row[0])


def _connections(h: Harness) -> list[Database]:
    main, own = h.bot.services.store.db, outbox(h).db
    return [main] if own is main else [main, own]


async def fill_disk(h: Harness) -> None:
    """Make the database full for every connection of the bot: no new page may be added."""
    for db in _connections(h):
        row = await db.fetchone("PRAGMA page_count")
        assert row is not None
        await db.fetchall(f"PRAGMA max_page_count = {int(row[0])}")  # (read to the end)


async def clear_disk(h: Harness) -> None:
    for db in _connections(h):
        await db.fetchall("PRAGMA max_page_count = 1073741823")


class FullDisk:
    """Every write transaction, on every connection, fails as on a full disk while `on`
    (reads still work, as they do on a full disk)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = False
        self.refused = 0
        real = Database.transaction

        @contextlib.asynccontextmanager
        async def transaction(db: Database) -> AsyncIterator[Any]:
            if self.on:
                self.refused += 1
                raise sqlite3.OperationalError(FULL)
            async with real(db) as conn:
                yield conn

        monkeypatch.setattr(Database, "transaction", transaction)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    return FullDisk(monkeypatch)


@pytest.fixture
async def h(config: Config, clock: FakeClock) -> AsyncIterator[Harness]:
    async with open_harness(config, clock) as harness:
        await harness.say(harness.moderator, "good morning, everyone")  # the group exists
        yield harness


# -- a full disk -----------------------------------------------------------------------------
async def test_a_full_disk_leaves_no_insult_up_and_every_case_lands_once(h: Harness) -> None:
    members = [h.chat.add_member(f"member{n}") for n in range(150)]
    await fill_disk(h)
    sent = [await h.say(m, INSULT) for m in members]

    # every insult is down at once, and its author has their copy
    assert all(message_id in h.chat.deleted for message_id in sent)
    for m in members:
        dms = private(h, m)
        assert "I removed your message in #general" in dms[0] and INSULT in dms
    # the moderators were alerted about each one, and the disk really is full
    alerts = [t for t in modlog(h) if ": remove for <@" in t]
    assert len(alerts) == 150
    waiting = outbox(h).waiting
    assert waiting > 100
    assert sum((await cases_by_message(h)).values()) == 150 - waiting
    assert sum("A new case: remove" in t for t in alerts) == waiting
    assert storage_notices(h) == []  # one failed write is not yet worth a notice

    await later(h, timedelta(seconds=1))  # the first retry fails too: the moderators hear
    notices = storage_notices(h)
    assert len(notices) == 1 and FAILING in notices[0] and FULL in notices[0]
    for _ in range(6):  # minutes more of a full disk: retried, never told twice
        await later(h, timedelta(seconds=30))
    assert storage_notices(h) == notices and outbox(h).waiting == waiting

    await clear_disk(h)
    await later(h, timedelta(minutes=1))
    assert outbox(h).waiting == 0
    by_message = await cases_by_message(h)
    assert [by_message.get(message_id) for message_id in sent] == [1] * 150
    assert await count(h, "SELECT COUNT(*) FROM mod_strikes WHERE group_id = ?",
                       h.chat.group.id) == 150
    numbers_late = list(range(150 - waiting + 1, 151))
    notices = storage_notices(h)
    assert len(notices) == 2 and notices[1].startswith(RECOVERED)
    assert f"{waiting} records were written late: cases {numbers(numbers_late)}." in notices[1]
    assert "Nothing was lost" in notices[1]
    # written in the order the insults came
    rows = await h.bot.services.store.db.fetchall(
        "SELECT message_id FROM mod_cases WHERE group_id = ? ORDER BY number",
        (h.chat.group.id,))
    assert [str(r[0]) for r in rows] == sent


async def test_a_crisis_on_a_full_disk_gets_its_reply_and_the_moderators_alert(
        h: Harness, full_disk: FullDisk) -> None:
    full_disk.on = True
    await h.say(h.member, CRISIS)
    replies = h.chat.private_to(h.member)
    assert len(replies) == 1
    reply = replies[0].reply
    assert reply is not None and reply.title == "You're not alone" and "988" in reply.text
    # no case number to name yet: the button asks for a moderator all the same
    assert [b.custom_id for b in reply.buttons] == [f"{TALK_BUTTON}{h.member.id}"]
    alerts = [t for t in modlog(h) if "may be going through a very hard time" in t]
    assert len(alerts) == 1 and CRISIS not in alerts[0]
    assert full_disk.refused == 1

    # within the cooldown the reply is not repeated: the waiting record counts
    await later(h, timedelta(minutes=10))
    await h.say(h.member, "I don't want to be here anymore")
    assert len(h.chat.private_to(h.member)) == 1
    assert "didn't repeat them" in modlog(h)[-1]

    # the member asks for a moderator from the reply, storage still failing
    answer = await h.bot.handle_interaction(
        Interaction(reply.buttons[0].custom_id, h.chat.group, h.general, h.member))
    await deliver(h.chat, h.chat.group, h.general, h.member, answer)
    assert "let the moderators know" in answer[0].text
    asked = modlog(h)[-1]
    assert "would like to talk with a moderator privately" in asked
    assert "goes into `/mod queue` as soon as it works again" in asked
    again = await h.bot.handle_interaction(
        Interaction(reply.buttons[0].custom_id, h.chat.group, h.general, h.member))
    assert "already let the moderators know" in again[0].text  # the waiting request counts

    full_disk.on = False
    await later(h, timedelta(seconds=2))
    assert outbox(h).waiting == 0
    rows = await h.bot.services.store.db.fetchall(
        "SELECT number, action FROM mod_cases WHERE group_id = ? ORDER BY number",
        (h.chat.group.id,))
    assert [tuple(r) for r in rows] == [(1, "support"), (2, "support")]
    last = await moderation(h).cases.last_care(h.chat.group.id, h.member.id)
    assert last is not None and last[1] == 3
    items = await h.bot.services.store.db.fetchall(
        "SELECT number, kind, asked_by FROM mod_queue WHERE group_id = ?", (h.chat.group.id,))
    assert [tuple(r) for r in items] == [(1, "crisis", h.member.id)]


async def test_a_group_first_seen_while_the_disk_is_full_is_moderated_and_recorded_later(
        config: Config, clock: FakeClock, full_disk: FullDisk) -> None:
    async with open_harness(config, clock) as h:
        full_disk.on = True  # before the group's first message: it has no row yet
        sent = await h.say(h.member, INSULT)
        assert sent in h.chat.deleted
        # the log's channel is a setting it cannot read yet: the moderators hear directly
        assert "A new case: remove" in private(h, h.moderator)[-1]
        full_disk.on = False
        await later(h, timedelta(minutes=2))  # the case, then the alert the log could not take
        assert await cases_by_message(h) == {sent: 1}
        assert any("A new case: remove" in t for t in modlog(h))


async def test_the_ladder_counts_strikes_that_are_still_waiting(
        h: Harness, full_disk: FullDisk) -> None:
    full_disk.on = True
    await h.say(h.member, INSULT)
    assert h.chat.is_timed_out(h.member) is None
    await later(h, timedelta(minutes=5))
    await h.say(h.member, "shut up you stupid moron")  # two strikes of 2: the timeout step
    assert h.chat.is_timed_out(h.member) is not None
    assert any("paused from posting" in t for t in private(h, h.member))
    full_disk.on = False
    await later(h, timedelta(minutes=1))
    assert await count(h, "SELECT COUNT(*) FROM mod_strikes WHERE member_id = ?",
                       h.member.id) == 2


async def test_strikes_that_cannot_be_read_mean_the_verdict_alone(
        h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await h.say(h.member, INSULT)  # a strike of 2, written
    await later(h, timedelta(minutes=5))

    async def unreadable(*args: Any, **kwargs: Any) -> float:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(CaseRepo, "effective_strikes", unreadable)
    second = await h.say(h.member, "shut up you stupid moron")
    assert second in h.chat.deleted  # still removed
    assert h.chat.is_timed_out(h.member) is None  # but no escalation it could not check
    assert "Effective strikes: unknown" in modlog(h)[-1]
    monkeypatch.undo()
    case = await moderation(h).cases.get(h.chat.group.id, 2)
    assert case is not None and STRIKES_UNREAD in [a.body for a in case.amendments]


async def test_a_crisis_reply_is_never_skipped_for_a_care_log_that_cannot_be_read(
        h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    async def unreadable(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(CaseRepo, "last_care", unreadable)
    await h.say(h.member, CRISIS)
    await later(h, timedelta(minutes=10))
    await h.say(h.member, CRISIS)  # within the cooldown, but nobody could tell
    assert [e.reply.title for e in h.chat.private_to(h.member) if e.reply] == [
        "You're not alone", "You're not alone"]
    assert sum("very hard time" in t for t in modlog(h)) == 2


async def test_past_the_bound_records_are_not_kept_and_the_modlog_says_so(
        h: Harness, full_disk: FullDisk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "MAX_PENDING", 5)
    members = [h.chat.add_member(f"member{n}") for n in range(8)]
    full_disk.on = True
    sent = [await h.say(m, INSULT) for m in members]
    assert all(message_id in h.chat.deleted for message_id in sent)  # every one acted on
    assert outbox(h).waiting == 5
    await later(h, timedelta(seconds=1))
    notices = storage_notices(h)
    assert len(notices) == 2
    assert sum("the most I keep" in t for t in notices) == 1
    full_disk.on = False
    await later(h, timedelta(seconds=2))
    last = storage_notices(h)[-1]
    assert last.startswith(RECOVERED) and "5 records were written late: cases 1-5." in last
    assert "3 records were not kept" in last and "Nothing was lost" not in last
    assert sum((await cases_by_message(h)).values()) == 5


async def test_an_alert_neither_the_log_nor_the_database_can_keep_waits_in_the_outbox(
        h: Harness, full_disk: FullDisk) -> None:
    h.chat.default_modlog = None  # no moderator log
    full_disk.on = True
    await h.say(h.member, INSULT)
    assert "A new case: remove" in private(h, h.moderator)[-1]  # reached directly
    assert outbox(h).waiting == 2  # the case, and the alert to keep
    full_disk.on = False
    await later(h, timedelta(seconds=2))
    assert await count(h, "SELECT COUNT(*) FROM mod_alerts") == 1
    before = len(private(h, h.moderator))
    await h.command(h.moderator, "/mod setup modlog #mod-log")
    assert "posted there the 1 alert that waited for it" in private(h, h.moderator)[before]
    assert any("A new case: remove" in t for t in modlog(h))


async def test_a_hold_on_a_full_disk_can_be_restored_once_it_is_written(
        h: Harness, full_disk: FullDisk) -> None:
    threat = "I will hurt you robin"
    full_disk.on = True
    held = await h.say(h.member, threat)
    assert held in h.chat.deleted
    told = private(h, h.member)
    assert "held your message in #general" in told[0] and "a case for the moderators" in told[0]
    assert threat in told  # their copy
    assert "this hold has no case or queue item yet" in modlog(h)[-1]
    full_disk.on = False
    await later(h, timedelta(seconds=2))
    queue = private(h, h.moderator)
    await h.command(h.moderator, "/mod queue")
    listed = private(h, h.moderator)[len(queue):]
    assert any("Item 1 (held message) Case 1 (hold)" in t and threat in t for t in listed)
    await h.command(h.moderator, "/mod queue restore 1")
    assert any(f"a message from <@{h.member.id}>" in e.text and threat in e.text
               for e in h.chat.of_kind("post"))


async def test_what_the_platform_could_not_do_reaches_the_case_and_the_queue_later(
        h: Harness, full_disk: FullDisk) -> None:
    async def closed(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("their direct messages are closed")

    full_disk.on = True
    h.chat.send_private = closed  # type: ignore[method-assign]
    await h.say(h.member, INSULT)
    assert outbox(h).waiting == 2  # the case, then what became of it (it names the case)
    full_disk.on = False
    await later(h, timedelta(seconds=2))
    case = await moderation(h).cases.get(h.chat.group.id, 1)
    assert case is not None and case.action == "remove" and case.is_open
    assert [(a.kind, a.body.split(":")[0]) for a in case.amendments] == [
        ("note", "could not message the member privately"),
        ("review", "the platform could not carry out the action")]
    row = await h.bot.services.store.db.fetchone(
        "SELECT kind, case_number, reason FROM mod_queue WHERE group_id = ? AND number = 1",
        (h.chat.group.id,))
    assert row is not None and (row[0], row[1]) == ("escalation", 1)
    assert str(row[2]).startswith(f"Case 1 (remove) <@{h.member.id}>")


# -- a locked database ---------------------------------------------------------------------
async def test_a_locked_database_is_retried_and_the_case_recorded(
        config: Config, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "WRITER_BUSY_MS", 20)  # SQLite's own wait, real time
    async with open_harness(config, clock) as h:
        await h.say(h.moderator, "good morning")
        locker = sqlite3.connect(config.database, timeout=0, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")  # another process holds the database
            sent = await h.say(h.member, INSULT)
            assert sent in h.chat.deleted
            assert "I removed your message in #general (a case for the moderators)" in (
                private(h, h.member)[0])
            assert await cases_by_message(h) == {}  # (reads still work: WAL)
            for _ in range(4):  # 8 seconds and more, by the fake clock, the lock still held
                await later(h, timedelta(seconds=2))
            notices = storage_notices(h)
            assert len(notices) == 1 and "database is locked" in notices[0]
            assert outbox(h).waiting == 1
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        await later(h, timedelta(seconds=10))
        assert outbox(h).waiting == 0
        assert await cases_by_message(h) == {sent: 1}
        recovered = storage_notices(h)[-1]
        assert recovered.startswith(RECOVERED) and "1 record was written late: case 1." in (
            recovered)
        # the next insult is written at once again, with its number
        sam = h.chat.add_member("sam")
        await h.say(sam, INSULT)
        assert "(case 2)" in private(h, sam)[0]


# -- a clean stop with records waiting -------------------------------------------------------
async def test_what_waits_at_a_stop_is_spilled_and_replayed_once_at_the_next_start(
        config: Config, clock: FakeClock, full_disk: FullDisk) -> None:
    spill = Path(config.database + ".outbox.jsonl")
    async with open_harness(config, clock) as h:
        await h.say(h.moderator, "good morning")
        full_disk.on = True
        insult = await h.say(h.member, INSULT)
        await h.say(h.moderator, CRISIS)
        waiting = outbox(h).waiting
        assert waiting >= 3  # the case, the crisis case, the crisis reply's log
    # stopped with the disk still full: the stop's last try failed, it is all in the file
    assert stat.S_IMODE(os.stat(spill).st_mode) == 0o600
    saved = _read(spill)
    assert len(saved.splitlines()) == waiting

    full_disk.on = False
    async with open_harness(config, clock) as h:
        await h.bot.idle()
        assert not _exists(spill)
        assert (await cases_by_message(h))[insult] == 1
        rows = await h.bot.services.store.db.fetchall(
            "SELECT number, action, member_id FROM mod_cases ORDER BY number")
        assert [tuple(r) for r in rows] == [(1, "remove", h.member.id),
                                            (2, "support", h.moderator.id)]
        notices = storage_notices(h)
        assert len(notices) == 1 and notices[0].startswith("After a restart")
        assert "cases 1 and 2" in notices[0]

    _write(spill, saved)  # as if the last run had died before deleting it
    async with open_harness(config, clock) as h:
        await h.bot.idle()
        assert not _exists(spill)
        assert await count(h, "SELECT COUNT(*) FROM mod_cases") == 2  # nothing twice
        assert await count(h, "SELECT COUNT(*) FROM mod_strikes") == 1
        assert storage_notices(h) == []  # nothing was written late this time


def _exists(path: Path) -> bool:
    return path.exists()


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


# -- the fake Discord ------------------------------------------------------------------------
@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    f = await FakeDiscord().start()
    yield f
    await f.stop()


async def test_on_discord_a_full_disk_still_removes_and_alerts(
        config: Config, fake: FakeDiscord, clock: FakeClock, full_disk: FullDisk) -> None:
    guild: FakeGuild = fake.add_guild("Thursday circle")
    alex = fake.add_member(guild, "alex")
    fake.add_member(guild, "robin", roles=("moderator",))
    async with running(config, fake, clock, with_probe=False) as (_c, _chat, bot, _p):
        moderation_feature = bot.feature("moderation")
        assert isinstance(moderation_feature, ModerationFeature)
        await fake.member_says(guild, "general", alex, "hello all")
        full_disk.on = True
        sent = await fake.member_says(guild, "general", alex, INSULT)
        mod_log = guild.channels["mod-log"]
        alerts = await fake.wait_for(lambda: [
            r for r in fake.calls("POST", rf"/channels/{mod_log}/messages")
            if r.status == 200])
        assert (guild.channels["general"], int(sent["id"])) in fake.deleted
        assert moderation_feature.outbox.waiting == 1
        full_disk.on = False
        await clock.advance(timedelta(seconds=1))
        await bot.idle()
        assert moderation_feature.outbox.waiting == 0
        cases = await moderation_feature.cases.find_by_message(str(guild.id), sent["id"])
    assert "A new case: remove" in str(alerts[0].body)
    assert [c.action for c in cases] == ["remove"]


def test_numbers_read_as_ranges() -> None:
    assert numbers([3]) == "3"
    assert numbers([3, 5]) == "3 and 5"
    assert numbers([9, 3, 4, 5, 6, 7, 12]) == "3-7, 9 and 12"
    assert numbers(list(range(0, 40, 2))).endswith("and 8 more")
