"""Check-in posts, members' private answers, and reminder preferences.

Answers belong to the member: they can export and erase them (/mydata), and moderators only
ever get aggregates through `aggregate`, which refuses to summarise fewer than K answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from groupbot.core.types import Group
from groupbot.storage.backend import Db
from groupbot.storage.schedules import parse_ts, ts

K_ANONYMITY = 5  # fewest distinct members an aggregate may describe


@dataclass(frozen=True, slots=True)
class CheckinPost:
    id: int
    group_id: str
    channel_id: str
    schedule_id: int | None
    occurrence: str | None
    created_at: datetime
    reminded: bool


@dataclass(frozen=True, slots=True)
class Answer:
    checkin_id: int | None
    mood: int
    note: str | None
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Either a summary of at least K members, or only how many answered (never who or what)."""

    members: int
    average: float | None = None
    low: int | None = None  # answers of 1 or 2
    middle: int | None = None  # 3
    high: int | None = None  # 4 or 5

    @property
    def shown(self) -> bool:
        return self.average is not None


@dataclass(frozen=True, slots=True)
class WeekSpread:
    """One week of check-ins (Monday to Sunday in the group's time zone): how many members
    answered and, only when at least K did, how their moods spread (each member's latest
    answer that week) and the average; below K, the counts are None."""

    start: date
    members: int
    low: int | None = None  # 1 or 2: finding it hard
    middle: int | None = None  # 3: okay
    high: int | None = None  # 4 or 5: good
    average: float | None = None

    @property
    def shown(self) -> bool:
        return self.average is not None


def _post(r: Any) -> CheckinPost:
    return CheckinPost(int(r[0]), r[1], r[2], r[3], r[4], parse_ts(r[5]), bool(r[6]))


class CheckinRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    # -- posts -------------------------------------------------------------------------------
    async def create_post(self, group_id: str, channel_id: str, now: datetime, *,
                          schedule_id: int | None = None, occurrence: str | None = None) -> int:
        """A check-in post's row; for a scheduled one, the same row on every retry."""
        async with self.db.transaction() as conn:
            if schedule_id is not None:
                # another process making the same occurrence's post may insert it first
                # (PostgreSQL: this waits for it): then that row is the one
                await conn.execute(
                    "INSERT INTO checkins (group_id, channel_id, schedule_id, occurrence, "
                    "created_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (schedule_id, occurrence) DO NOTHING",
                    (group_id, channel_id, schedule_id, occurrence, ts(now)))
                async with conn.execute(
                    "SELECT id FROM checkins WHERE schedule_id = ? AND occurrence = ?",
                    (schedule_id, occurrence)) as cur:
                    found = await cur.fetchone()
                assert found is not None
                return int(found[0])
            async with conn.execute(
                "INSERT INTO checkins (group_id, channel_id, schedule_id, occurrence, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (group_id, channel_id, schedule_id, occurrence, ts(now))) as cur:
                assert cur.lastrowid is not None
                return cur.lastrowid

    async def post(self, checkin_id: int) -> CheckinPost | None:
        r = await self.db.fetchone(
            "SELECT id, group_id, channel_id, schedule_id, occurrence, created_at, reminded "
            "FROM checkins WHERE id = ?", (checkin_id,))
        return _post(r) if r is not None else None

    async def group(self, group_id: str) -> Group | None:
        r = await self.db.fetchone("SELECT id, name, platform FROM groups WHERE id = ?",
                                   (group_id,))
        return Group(r[0], r[1], r[2]) if r is not None else None

    async def latest_post(self, group_id: str) -> CheckinPost | None:
        r = await self.db.fetchone(
            "SELECT id, group_id, channel_id, schedule_id, occurrence, created_at, reminded "
            "FROM checkins WHERE group_id = ? ORDER BY id DESC LIMIT 1", (group_id,))
        return _post(r) if r is not None else None

    async def posts_to_remind(self, since: datetime) -> list[CheckinPost]:
        rows = await self.db.fetchall(
            "SELECT id, group_id, channel_id, schedule_id, occurrence, created_at, reminded "
            "FROM checkins WHERE reminded = 0 AND created_at >= ? ORDER BY id", (ts(since),))
        return [_post(r) for r in rows]

    async def mark_reminded(self, checkin_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE checkins SET reminded = 1 WHERE id = ? AND reminded = 0", (checkin_id,))
            return cur.rowcount == 1

    # -- answers -----------------------------------------------------------------------------
    async def answer(self, group_id: str, member_id: str, mood: int, note: str | None,
                     now: datetime, checkin_id: int | None = None) -> bool:
        """Record an answer. Answering the same post again changes the answer (returns False);
        a first answer returns True. A note given earlier is kept unless a new one is given."""
        if not 1 <= mood <= 5:
            raise ValueError("mood must be 1 to 5")
        async with self.db.transaction() as conn:
            if checkin_id is not None:
                cur = await conn.execute(
                    "UPDATE checkin_answers SET mood = ?, note = COALESCE(?, note), "
                    "answered_at = ? WHERE checkin_id = ? AND member_id = ?",
                    (mood, note, ts(now), checkin_id, member_id))
                if cur.rowcount == 1:
                    return False
            await conn.execute(
                "INSERT INTO checkin_answers (group_id, member_id, checkin_id, mood, note, "
                "answered_at) VALUES (?, ?, ?, ?, ?, ?)",
                (group_id, member_id, checkin_id, mood, note, ts(now)))
            return True

    async def add_note(self, checkin_id: int, member_id: str, note: str) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE checkin_answers SET note = ? WHERE checkin_id = ? AND member_id = ?",
                (note, checkin_id, member_id))
            return cur.rowcount == 1

    async def history(self, group_id: str, member_id: str, limit: int = 12) -> list[Answer]:
        rows = await self.db.fetchall(
            "SELECT checkin_id, mood, note, answered_at FROM checkin_answers "
            "WHERE group_id = ? AND member_id = ? ORDER BY answered_at DESC, id DESC LIMIT ?",
            (group_id, member_id, limit))
        return [Answer(r[0], int(r[1]), r[2], parse_ts(r[3])) for r in rows]

    async def answered(self, checkin_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT member_id FROM checkin_answers WHERE checkin_id = ?", (checkin_id,))
        return {r[0] for r in rows}

    async def aggregate(self, group_id: str, *, checkin_id: int | None = None,
                        since: datetime | None = None, k: int = K_ANONYMITY) -> Aggregate:
        """Aggregate over each member's latest answer in scope; below `k` members, only a count.

        The k check happens here, next to the data, so no caller can forget it.
        """
        where = ["group_id = ?"]
        params: list[object] = [group_id]
        if checkin_id is not None:
            where.append("checkin_id = ?")
            params.append(checkin_id)
        if since is not None:
            where.append("answered_at >= ?")
            params.append(ts(since))
        rows = await self.db.fetchall(
            f"SELECT member_id, mood FROM checkin_answers WHERE {' AND '.join(where)} "
            "ORDER BY answered_at, id", params)
        latest: dict[str, int] = {}
        for r in rows:  # each member counts once, with their latest answer in scope
            latest[r[0]] = int(r[1])
        moods = list(latest.values())
        if len(moods) < k:
            return Aggregate(members=len(moods))
        return Aggregate(members=len(moods), average=round(sum(moods) / len(moods), 1),
                         low=sum(1 for m in moods if m <= 2),
                         middle=sum(1 for m in moods if m == 3),
                         high=sum(1 for m in moods if m >= 4))

    async def weekly_spread(self, group_id: str, since: datetime, until: datetime,
                            zone: ZoneInfo, k: int = K_ANONYMITY) -> list[WeekSpread]:
        """Every week from the one holding `since` to the one holding `until` (Monday first,
        in `zone`), oldest first: each member's latest answer in the week, summarised only
        when at least `k` members answered (the k check is here, next to the data, as for
        `aggregate`). Never says who answered or what one member said."""
        rows = await self.db.fetchall(
            "SELECT member_id, mood, answered_at FROM checkin_answers WHERE group_id = ? AND "
            "answered_at >= ? AND answered_at < ? ORDER BY answered_at, id",
            (group_id, ts(since), ts(until)))
        first = _monday(since.astimezone(zone).date())
        last = _monday(until.astimezone(zone).date())
        latest: dict[date, dict[str, int]] = {}
        for r in rows:
            week = _monday(parse_ts(r[2]).astimezone(zone).date())
            latest.setdefault(week, {})[r[0]] = int(r[1])
        weeks: list[WeekSpread] = []
        day = first
        while day <= last:
            moods = list(latest.get(day, {}).values())
            if len(moods) < k:
                weeks.append(WeekSpread(day, len(moods)))
            else:
                weeks.append(WeekSpread(
                    day, len(moods), low=sum(1 for m in moods if m <= 2),
                    middle=sum(1 for m in moods if m == 3),
                    high=sum(1 for m in moods if m >= 4),
                    average=round(sum(moods) / len(moods), 1)))
            day += timedelta(days=7)
        return weeks

    # -- reminders ---------------------------------------------------------------------------
    async def set_reminder(self, group_id: str, member_id: str, enabled: bool,
                           now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO checkin_reminders (group_id, member_id, enabled, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(group_id, member_id) DO UPDATE SET "
                "enabled = excluded.enabled, updated_at = excluded.updated_at",
                (group_id, member_id, int(enabled), ts(now)))

    async def reminder_on(self, group_id: str, member_id: str) -> bool:
        r = await self.db.fetchone(
            "SELECT enabled FROM checkin_reminders WHERE group_id = ? AND member_id = ?",
            (group_id, member_id))
        return bool(r[0]) if r else False

    async def reminder_members(self, group_id: str) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT member_id FROM checkin_reminders WHERE group_id = ? AND enabled = 1 "
            "ORDER BY member_id", (group_id,))
        return [r[0] for r in rows]

    # -- /mydata -----------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]:
        answers = await self.history(group_id, member_id, limit=100_000)
        return {
            "answers": [{"checkin": a.checkin_id, "mood": a.mood, "note": a.note,
                         "answered_at": a.answered_at.isoformat()} for a in answers],
            "reminder": await self.reminder_on(group_id, member_id),
        }

    async def delete_member(self, group_id: str, member_id: str) -> int:
        async with self.db.transaction() as conn:
            a = await conn.execute(
                "DELETE FROM checkin_answers WHERE group_id = ? AND member_id = ?",
                (group_id, member_id))
            b = await conn.execute(
                "DELETE FROM checkin_reminders WHERE group_id = ? AND member_id = ?",
                (group_id, member_id))
            return a.rowcount + b.rowcount


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
