"""Held messages in the database: the queue's new kind (and the upgrade that allows it), and
the held text, kept only until a moderator settles the hold or the member erases their data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.core.types import Group
from groupbot.storage.database import Database, load_migrations
from groupbot.storage.groups import GroupRepo
from groupbot.storage.holds import HoldRepo
from groupbot.storage.queue import QueueRepo

NOW = datetime(2026, 3, 2, 14, 2, tzinfo=UTC)
TEXT = "I know where you live"


async def test_the_upgrade_keeps_every_queue_item_and_allows_holds(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    for mig in load_migrations():
        if mig.version <= 9:
            raw.executescript(mig.sql)
    raw.executescript("""
        PRAGMA user_version = 9;
        INSERT INTO groups (id, platform, name, timezone, region, created_at)
            VALUES ('g', 'console', 'G', 'UTC', 'US', '2026-01-01T00:00:00+00:00');
        INSERT INTO mod_queue (group_id, number, kind, member_id, asked_by, case_number, reason,
                               text, created_at, status, claimed_by, claimed_at, resolved_by,
                               resolved_at, resolution, announced_at, reannounced)
        VALUES ('g', 1, 'crisis', 'u-a', 'u-a', 1, 'asked to talk', NULL,
                '2026-01-01T00:00:00+00:00', 'claimed', 'u-mod', '2026-01-01T00:10:00+00:00',
                NULL, NULL, NULL, '2026-01-01T00:00:00+00:00', 2),
               ('g', 2, 'appeal', 'u-b', 'u-b', 2, 'appealed', 'please look again',
                '2026-01-02T00:00:00+00:00', 'resolved', NULL, NULL, 'u-mod',
                '2026-01-02T01:00:00+00:00', 'done', '2026-01-02T00:00:00+00:00', 0);
    """)
    with pytest.raises(sqlite3.IntegrityError):  # before the upgrade: no such kind
        raw.execute("INSERT INTO mod_queue (group_id, number, kind, created_at) "
                    "VALUES ('g', 3, 'hold', '2026-01-03T00:00:00+00:00')")
    before = raw.execute("SELECT * FROM mod_queue ORDER BY number").fetchall()
    raw.commit()
    raw.close()
    async with Database(path) as db:
        after = await db.fetchall("SELECT * FROM mod_queue ORDER BY number")
        assert [tuple(r) for r in after] == before
        item = await QueueRepo(db).open_item("g", "hold", NOW, member_id="u-c", case_number=3,
                                             reason="Case 3 (hold)")
        assert (item.number, item.kind) == (3, "hold")
        indexes = {r[0] for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mod_queue' "
            "AND name NOT LIKE 'sqlite_%'")}
        assert indexes == {"mod_queue_waiting", "mod_queue_member", "mod_queue_asked",
                           "mod_queue_case"}
        with pytest.raises(sqlite3.IntegrityError):  # the CHECK is still there
            await db.execute("INSERT INTO mod_queue (group_id, number, kind, created_at) "
                             "VALUES ('g', 9, 'whatever', '2026-01-03T00:00:00+00:00')")


async def _repos(db: Database) -> tuple[QueueRepo, HoldRepo]:
    await GroupRepo(db).ensure(Group("g", "G", "console"), NOW)
    return QueueRepo(db), HoldRepo(db)


async def test_a_hold_keeps_its_text_until_it_is_settled_once() -> None:
    async with Database(":memory:") as db:
        queue, holds = await _repos(db)
        item = await queue.open_item("g", "hold", NOW, member_id="u-a", case_number=1)
        hold = await holds.record("g", item.number, case_number=1, member_id="u-a",
                                  channel_id="c-general", channel_name="general",
                                  message_id="m1", held_at=NOW, removed=True,
                                  strike_weight=3.0, text=TEXT)
        assert (hold.text, hold.waiting, hold.strike_weight, hold.removed) == (TEXT, True, 3.0,
                                                                              True)
        assert await holds.texts("g", [item.number, 99]) == {item.number: TEXT}
        later = NOW + timedelta(minutes=5)
        settled = await holds.settle("g", item.number, "restored", "u-mod", later, "m9")
        assert settled is not None
        assert (settled.outcome, settled.resolved_by, settled.resolved_at,
                settled.restored_message_id, settled.text) == ("restored", "u-mod", later,
                                                               "m9", None)
        assert await holds.texts("g", [item.number]) == {}
        # settled once: a second decision changes nothing
        assert await holds.settle("g", item.number, "confirmed", "u-other", later) is None
        again = await holds.get("g", item.number)
        assert again is not None and again.outcome == "restored"
        with pytest.raises(ValueError):
            await holds.settle("g", item.number, "forgotten", "u-mod", later)


async def test_mydata_shows_a_held_text_and_delete_erases_it() -> None:
    async with Database(":memory:") as db:
        queue, holds = await _repos(db)
        for n, who in ((1, "u-a"), (2, "u-b")):
            item = await queue.open_item("g", "hold", NOW, member_id=who, case_number=n)
            await holds.record("g", item.number, case_number=n, member_id=who,
                               channel_id="c-general", channel_name="general",
                               message_id=f"m{n}", held_at=NOW, removed=True, strike_weight=3,
                               text=f"{TEXT} {who}")
        export = await holds.export_member("g", "u-a")
        assert export == {"held_messages": [{
            "case": 1, "item": 1, "channel": "general", "held_at": NOW.isoformat(),
            "status": "waiting for a moderator", "your_text": f"{TEXT} u-a"}]}
        assert await holds.delete_member("g", "u-a") == 1
        assert await holds.delete_member("g", "u-a") == 0
        erased = await holds.get("g", 1)
        assert erased is not None and erased.text is None and erased.waiting
        other = await holds.get("g", 2)
        assert other is not None and other.text == f"{TEXT} u-b"  # only their own
        assert (await holds.export_member("g", "u-a"))["held_messages"][0]["your_text"] is None
