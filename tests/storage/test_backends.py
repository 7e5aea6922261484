"""The same repository tests on each backend: an SQLite file, and a real PostgreSQL server
(tests/pgserver.py). `db_target` runs every test here once per backend."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from groupbot.core.errors import StorageError
from groupbot.core.types import Group
from groupbot.library.service import ExcerptService
from groupbot.storage.backend import is_postgres
from groupbot.storage.cases import NewCase
from groupbot.storage.connect import open_database
from groupbot.storage.database import latest_version
from groupbot.storage.schedules import Claim
from groupbot.storage.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUP = Group("console:g", "Group", "console")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
async def store(db_target: str) -> AsyncIterator[Store]:
    async with open_database(db_target) as db:
        s = Store(db)
        await s.groups.ensure(GROUP, NOW)
        yield s


async def test_the_schema_is_at_the_latest_version(store: Store) -> None:
    assert await store.db.schema_version() == latest_version()
    start, end = await store.db.migrate()
    assert (start, end) == (latest_version(), latest_version())


async def test_groups_settings_and_their_log(store: Store) -> None:
    await store.groups.set(GROUP.id, "timezone", "Europe/Paris", "robin", NOW)
    settings = await store.groups.settings(GROUP.id)
    assert settings is not None and settings.timezone == "Europe/Paris"
    assert await store.groups.all_ids() == [GROUP.id]
    group = await store.groups.group(GROUP.id)
    assert group is not None and group.name == "Group"


async def test_cases_are_numbered_amended_and_found(store: Store) -> None:
    first = await store.cases.open_case(GROUP.id, NewCase(
        "alex", "remove", "message", message_id="m1", categories=["spam"], reason="links",
        strike_weight=1.0, notes=["first note"]), NOW)
    second = await store.cases.open_case(GROUP.id, NewCase("alex", "warn", "manual"), NOW)
    assert (first.number, second.number) == (1, 2)
    amendment = await store.cases.amend(GROUP.id, 1, "reason", "spam links", "robin", NOW)
    assert amendment is not None and amendment.id > 0
    assert await store.cases.amend(GROUP.id, 99, "reason", "x", "robin", NOW) is None
    case = await store.cases.get(GROUP.id, 1, NOW)
    assert case is not None and [a.kind for a in case.amendments] == ["note", "reason"]
    assert [c.number for c in await store.cases.find_by_message(GROUP.id, "m1")] == [1]
    found, _total = await store.cases.find(GROUP.id, category="spam")
    assert [c.number for c in found] == [1]
    strikes = await store.cases.strikes(GROUP.id, "alex")
    assert [s.weight for s in strikes] == [1.0]


async def test_cases_opened_concurrently_are_numbered_without_gaps(db_target: str) -> None:
    """Four connections (as four processes would) open 40 cases in one group at once."""
    async with open_database(db_target) as db:
        await Store(db).groups.ensure(GROUP, NOW)
    dbs = [open_database(db_target) for _ in range(4)]
    for db in dbs:
        await db.open()
    try:
        async def open_ten(db: object) -> list[int]:
            store = Store(db)  # type: ignore[arg-type]
            return [(await store.cases.open_case(
                GROUP.id, NewCase("alex", "warn", "manual", strike_weight=0.5), NOW)).number
                for _ in range(10)]

        numbers = await asyncio.gather(*(open_ten(db) for db in dbs))
        store = Store(dbs[0])
        items = await asyncio.gather(*(store.queue.open_item(GROUP.id, "escalation", NOW)
                                       for _ in range(10)))
    finally:
        for db in dbs:
            await db.close()
    assert sorted(n for batch in numbers for n in batch) == list(range(1, 41))
    assert sorted(i.number for i in items) == list(range(1, 11))


async def test_the_queue_claims_and_resolves(store: Store) -> None:
    item = await store.queue.open_item(GROUP.id, "crisis", NOW, member_id="alex",
                                       asked_by="alex", reason="asked to talk")
    assert item.number == 1
    claimed = await store.queue.claim(GROUP.id, 1, "robin", NOW)
    assert claimed is not None and claimed[1].status == "claimed"
    again = await store.queue.claim(GROUP.id, 1, "sam", NOW)  # taken over
    assert again is not None and again[0].claimed_by == "robin" and again[1].claimed_by == "sam"
    await store.queue.resolve(GROUP.id, 1, "sam", NOW, "talked")
    after = await store.queue.claim(GROUP.id, 1, "robin", NOW)  # resolved: left as it is
    assert after is not None and after[1].status == "resolved" and after[1].claimed_by == "sam"
    alert = await store.queue.keep_alert(GROUP.id, item_number=1, member_id="alex", title="t",
                                         body="b", error="no log", now=NOW, next_attempt=NOW)
    assert alert > 0 and [a.id for a in await store.queue.pending_alerts(GROUP.id)] == [alert]


async def test_schedules_claim_each_occurrence_once(store: Store) -> None:
    sid = await store.schedules.add(
        group_id=GROUP.id, channel_id="c", channel_name="general", kind="prompt", theme=None,
        when_text="daily 09:00", timezone="UTC", anchor=None, created_by="robin",
        now=NOW - timedelta(days=1))
    assert sid > 0
    due = NOW
    occ = "2026-03-02T09:00"
    first = await store.schedules.claim(sid, occ, due, by="p1", idempotency_key="k", now=NOW,
                                        content="{}")
    second = await store.schedules.claim(sid, occ, due, by="p2", idempotency_key="k", now=NOW)
    assert (first, second) == (Claim.CLAIMED, Claim.TAKEN)
    assert await store.schedules.takeover(sid, occ, "p1", "p2", NOW)
    assert not await store.schedules.takeover(sid, occ, "p1", "p3", NOW)
    assert await store.schedules.begin_attempt(sid, occ, "p2", NOW)
    assert await store.schedules.mark_posted(sid, occ, "msg-1", NOW)
    entry = await store.schedules.entry(sid, occ)
    assert entry is not None and entry.state == "posted" and entry.message_id == "msg-1"
    recorded = await store.schedules.record_many(
        [(sid, "2026-03-03T09:00", due + timedelta(days=1), "missed", "late"),
         (sid, occ, due, "missed", "late")], NOW)
    assert recorded == 1
    assert await store.schedules.add_exception(sid, "2026-03-04", "robin")
    assert not await store.schedules.add_exception(sid, "2026-03-04", "robin")
    assert await store.schedules.claim(sid, "2026-03-04T09:00", due + timedelta(days=2),
                                       by="p1", idempotency_key="k2", now=NOW) \
        == Claim.EXCEPTION
    assert await store.schedules.count_states(sid) == {"posted": 1, "missed": 1, "skipped": 1}


async def test_checkins_prompts_and_the_dashboard(store: Store) -> None:
    post = await store.checkins.create_post(GROUP.id, "c", NOW)
    assert await store.checkins.answer(GROUP.id, "alex", 4, "ok", NOW, checkin_id=post)
    assert not await store.checkins.answer(GROUP.id, "alex", 2, None, NOW, checkin_id=post)
    assert [a.mood for a in await store.checkins.history(GROUP.id, "alex")] == [2]
    claim = await store.prompts.claim(GROUP.id, "c", "*", ["a", "b"],
                                      choose=lambda ids: ids[0], now=NOW)
    assert claim.seq > 0 and claim.prompt_id == "a"
    await store.dashboard.add_link("h1", GROUP.id, "robin", "Robin", "chat", NOW,
                                   NOW + timedelta(minutes=10))
    assert await store.dashboard.use_link("h1", NOW)
    assert not await store.dashboard.use_link("h1", NOW)
    exported = {name: await repo.export_member(GROUP.id, "alex")
                for name, repo in store.member_data.items()}
    assert exported["checkins"]
    erased = [await repo.delete_member(GROUP.id, "alex") for repo in store.member_data.values()]
    assert sum(erased) > 0


async def test_the_library_is_ingested_and_searched(store: Store) -> None:
    service = ExcerptService(store.library)
    results = await service.ingest([SEEDS])
    assert results and all(r.status == "added" for r in results), results
    outcome = await service.search("codependency")
    assert outcome.results, outcome
    assert any("codependen" in (r.text + r.section).lower() for r in outcome.results)
    again = await service.ingest([SEEDS])
    assert all(r.status == "unchanged" for r in again)


async def test_a_newer_schema_is_refused_untouched(db_target: str) -> None:
    async with open_database(db_target) as db:
        if db.dialect == "sqlite":
            await db.execute(f"PRAGMA user_version = {latest_version() + 1}")
        else:
            await db.execute("UPDATE schema_version SET version = ?", (latest_version() + 1,))
    with pytest.raises(StorageError, match="newer groupbot"):
        async with open_database(db_target):
            pass
    if is_postgres(db_target):
        raw = await asyncpg.connect(db_target)
        try:
            assert await raw.fetchval("SELECT version FROM schema_version") == latest_version() + 1
        finally:
            await raw.close()
    else:
        with contextlib.closing(sqlite3.connect(db_target)) as raw:
            assert raw.execute("PRAGMA user_version").fetchone()[0] == latest_version() + 1


async def test_concurrent_writers_from_two_connections_do_not_double_up(db_target: str) -> None:
    """Two processes (two connections) pardon the same strikes and make the same scheduled
    check-in's post at once: one pardon each, one post row."""
    async with open_database(db_target) as db:
        store = Store(db)
        await store.groups.ensure(GROUP, NOW)
        for _ in range(3):
            await store.cases.open_case(GROUP.id, NewCase("alex", "warn", "manual",
                                                          strike_weight=1.0), NOW)
        sid = await store.schedules.add(
            group_id=GROUP.id, channel_id="c", channel_name="general", kind="checkin",
            theme=None, when_text="daily 09:00", timezone="UTC", anchor=None,
            created_by="robin", now=NOW - timedelta(days=1))
    a, b = open_database(db_target), open_database(db_target)
    await a.open()
    await b.open()
    try:
        pardons = await asyncio.gather(
            *(Store(db).cases.pardon(GROUP.id, "alex", None, who, NOW)
              for db, who in ((a, "robin"), (b, "sam"))))
        posts = await asyncio.gather(
            *(Store(db).checkins.create_post(GROUP.id, "c", NOW, schedule_id=sid,
                                             occurrence="2026-03-02T09:00")
              for db in (a, b) for _ in range(3)))
        amendments = await a.fetchall(
            "SELECT case_number FROM mod_amendments WHERE kind = 'pardon' ORDER BY case_number")
    finally:
        await a.close()
        await b.close()
    assert sorted(n for n, _ in pardons) == [0, 3]  # one moderator pardoned all three
    assert [int(r[0]) for r in amendments] == [1, 2, 3]
    assert len(set(posts)) == 1


async def test_slack_installations_and_states(store: Store) -> None:
    repo = store.slack_installs
    await repo.save("", "T1", "U1", NOW, "sealed-1")
    await repo.save("", "T1", "U2", NOW + timedelta(minutes=1), "sealed-2")
    await repo.save("", "T1", "U1", NOW + timedelta(minutes=2), "sealed-3")  # re-install
    latest = await repo.find("", "T1")
    assert latest is not None and (latest.user_id, latest.sealed) == ("U1", "sealed-3")
    assert await repo.teams() == ["T1"]
    await repo.issue_state("h", NOW, NOW + timedelta(minutes=10))
    used = await asyncio.gather(repo.consume_state("h", NOW), repo.consume_state("h", NOW))
    assert sorted(used) == [False, True]  # used once
    assert await repo.delete("", "T1") == 2
    assert await repo.find("", "T1") is None


async def test_a_slack_event_is_handled_by_one_process_only(db_target: str) -> None:
    """Two processes on one database (two connections here): whichever inserts an event's id
    first handles it; the other drops its copy. Old ids are forgotten."""
    from groupbot.storage.slack_events import KEEP

    async with open_database(db_target) as one_db, open_database(db_target) as other_db:
        one, other = Store(one_db), Store(other_db)
        assert await one.slack_events.first("Ev1", NOW)
        assert not await other.slack_events.first("Ev1", NOW + timedelta(seconds=1))
        assert not await one.slack_events.first("Ev1", NOW + timedelta(minutes=6))
        assert await other.slack_events.first("Ev2", NOW)
        assert await one.slack_events.prune(NOW + KEEP + timedelta(seconds=1)) == 2
        assert await other.slack_events.first("Ev1", NOW + KEEP + timedelta(minutes=1))
