"""Moderation cases, amendments, strikes, the crisis-care log and the care-note log.

Cases are numbered per group and append-only: a reason edit, an appeal, a pardon or a closing
is an amendment that records who and when. By default a case keeps the rules that fired and
a keyed SHA-256 of the text, never the text itself; a group may opt in to keeping the text for
a set number of days, after which it is erased.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from groupbot.core.ports import utc
from groupbot.storage.database import Database

MAX_KEEP_TEXT_DAYS = 365
ERASED = "[erased at the member's request]"
_CASE_COLUMNS = (
    "number, member_id, channel_id, message_id, action, categories, rules, reason, severity, "
    "source, needs_review, error, text_hash, text, text_expires_at, created_by, created_at"
)

_RECORD_CARE = (
    "INSERT INTO mod_care (group_id, member_id, last_at, last_severity) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(group_id, member_id) DO UPDATE SET last_at = excluded.last_at, "
    "last_severity = excluded.last_severity")
_RECORD_CARE_NOTE = (
    "INSERT INTO mod_care_notes (group_id, member_id, sent_at) VALUES (?, ?, ?) "
    "ON CONFLICT(group_id, member_id) DO UPDATE SET sent_at = excluded.sent_at")


@dataclass(frozen=True, slots=True)
class Amendment:
    id: int
    case_number: int
    kind: str
    body: str
    by_member: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Case:
    group_id: str
    number: int
    member_id: str
    channel_id: str | None
    message_id: str | None
    action: str
    categories: tuple[str, ...]
    rules: tuple[str, ...]
    reason: str
    severity: int
    source: str
    needs_review: bool
    error: str | None
    text_hash: str | None
    text: str | None
    text_expires_at: datetime | None
    created_by: str
    created_at: datetime
    amendments: tuple[Amendment, ...] = ()

    @property
    def current_reason(self) -> str:
        """The reason as last amended (the original stays in `reason`)."""
        edits = [a.body for a in self.amendments if a.kind == "reason"]
        return edits[-1] if edits else self.reason

    @property
    def is_open(self) -> bool:
        """Awaiting a moderator: it needed review, or was appealed or flagged for review since
        it was last closed."""
        last_close = max((a.id for a in self.amendments if a.kind == "close"), default=0)
        last_ask = max((a.id for a in self.amendments if a.kind in ("appeal", "review")),
                       default=0)
        if last_ask > last_close:
            return True
        return self.needs_review and last_close == 0


@dataclass(frozen=True, slots=True)
class Strike:
    id: int
    member_id: str
    case_number: int | None
    weight: float
    created_at: datetime
    pardoned_at: datetime | None

    def effective(self, now: datetime, half_life_days: float) -> float:
        """The strike's weight after decay: halves every `half_life_days`."""
        if self.pardoned_at is not None:
            return 0.0
        age_days = max(0.0, (now - self.created_at).total_seconds() / 86400.0)
        if half_life_days <= 0:
            return self.weight
        return self.weight * math.pow(0.5, age_days / half_life_days)


@dataclass(slots=True)
class NewCase:
    """What the feature knows when it opens a case."""

    member_id: str
    action: str
    source: str
    created_by: str = "bot"
    channel_id: str | None = None
    message_id: str | None = None
    categories: Sequence[str] = ()
    rules: Sequence[str] = ()
    reason: str = ""
    severity: int = 0
    needs_review: bool = False
    error: str | None = None
    text: str | None = None
    strike_weight: float = 0.0
    keep_text: bool = True  # False: hash only, even if the group keeps texts (crisis care)
    notes: list[str] = field(default_factory=list)


def _ts(dt: datetime) -> str:
    return utc(dt).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


@dataclass(frozen=True, slots=True)
class MemberState:
    """What moderation reads about a member before acting, in one read. `strikes` is None
    when the database could not be read (the ladder then acts on the verdict alone)."""

    strikes: float | None
    last_care: tuple[datetime, int] | None = None  # the crisis reply: when, at what severity
    last_care_note: datetime | None = None



class CaseRepo:
    """All moderation state for all groups. Registered as member data for /mydata."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- settings ------------------------------------------------------------------------
    async def _settings(self, conn: aiosqlite.Connection, group_id: str) -> tuple[bytes, int]:
        async with conn.execute(
            "SELECT hash_key, keep_text_days FROM mod_settings WHERE group_id = ?", (group_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            key = secrets.token_hex(32)
            await conn.execute(
                "INSERT INTO mod_settings (group_id, hash_key, keep_text_days) VALUES (?, ?, 0)",
                (group_id, key),
            )
            return bytes.fromhex(key), 0
        return bytes.fromhex(row[0]), int(row[1])

    async def keep_text_days(self, group_id: str) -> int:
        row = await self.db.fetchone(
            "SELECT keep_text_days FROM mod_settings WHERE group_id = ?", (group_id,))
        return int(row[0]) if row else 0

    async def set_keep_text_days(self, group_id: str, days: int) -> None:
        """Opt in (days > 0) or out (0). Opting out erases every text kept so far."""
        if not 0 <= days <= MAX_KEEP_TEXT_DAYS:
            raise ValueError(f"keep-text days must be between 0 and {MAX_KEEP_TEXT_DAYS}")
        async with self.db.transaction() as conn:
            await self._settings(conn, group_id)
            await conn.execute("UPDATE mod_settings SET keep_text_days = ? WHERE group_id = ?",
                               (days, group_id))
            if days == 0:
                await conn.execute(
                    "UPDATE mod_cases SET text = NULL, text_expires_at = NULL "
                    "WHERE group_id = ? AND text IS NOT NULL", (group_id,))

    async def text_hash(self, group_id: str, text: str) -> str:
        async with self.db.transaction() as conn:
            key, _ = await self._settings(conn, group_id)
        return _hash(key, text)

    # -- cases ---------------------------------------------------------------------------
    async def open_case(self, group_id: str, new: NewCase, now: datetime) -> Case:
        """Number and store a case (and its strike and notes) in one transaction."""
        async with self.db.transaction() as conn:
            number = await self.insert_case(conn, group_id, new, now)
        case = await self.get(group_id, number, now)
        assert case is not None
        return case

    async def insert_case(self, conn: aiosqlite.Connection, group_id: str, new: NewCase,
                          now: datetime) -> int:
        """`open_case` inside a transaction the caller holds (the outbox's); its number."""
        key, keep_days = await self._settings(conn, group_id)
        async with conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM mod_cases WHERE group_id = ?",
            (group_id,),
        ) as cur:
            row = await cur.fetchone()
        number = int(row[0]) if row else 1
        digest = _hash(key, new.text) if new.text is not None else None
        kept = None
        if new.text is not None and new.keep_text and keep_days > 0:
            kept = new.text.encode("utf-8", "replace").decode("utf-8")
        expires = _ts(now + timedelta(days=keep_days)) if kept is not None else None
        await conn.execute(
            f"INSERT INTO mod_cases (group_id, {_CASE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (group_id, number, new.member_id, new.channel_id, new.message_id, new.action,
             ",".join(new.categories), ",".join(new.rules), new.reason, new.severity,
             new.source, int(new.needs_review), new.error, digest, kept, expires,
             new.created_by, _ts(now)),
        )
        if new.strike_weight > 0:
            await conn.execute(
                "INSERT INTO mod_strikes (group_id, member_id, case_number, weight, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (group_id, new.member_id, number, new.strike_weight, _ts(now)),
            )
        for note in new.notes:
            await conn.execute(
                "INSERT INTO mod_amendments (group_id, case_number, kind, body, by_member, "
                "at) VALUES (?, ?, 'note', ?, 'bot', ?)", (group_id, number, note, _ts(now)))
        return number

    async def amend(self, group_id: str, number: int, kind: str, body: str, by_member: str,
                    now: datetime) -> Amendment | None:
        """Append an amendment. Returns None when the case does not exist."""
        async with self.db.transaction() as conn:
            amendment_id = await self.insert_amendment(conn, group_id, number, kind, body,
                                                       by_member, now)
        if amendment_id is None:
            return None
        return Amendment(amendment_id, number, kind, body, by_member, now)

    async def insert_amendment(self, conn: aiosqlite.Connection, group_id: str, number: int,
                               kind: str, body: str, by_member: str,
                               now: datetime) -> int | None:
        """`amend` inside a transaction the caller holds; the amendment's id, or None when
        the case does not exist."""
        async with conn.execute(
            "SELECT 1 FROM mod_cases WHERE group_id = ? AND number = ?", (group_id, number)
        ) as cur:
            if await cur.fetchone() is None:
                return None
        async with conn.execute(
            "INSERT INTO mod_amendments (group_id, case_number, kind, body, by_member, at) "
            "VALUES (?, ?, ?, ?, ?, ?)", (group_id, number, kind, body, by_member, _ts(now)),
        ) as cur:
            return cur.lastrowid or 0

    async def get(self, group_id: str, number: int, now: datetime | None = None) -> Case | None:
        """One case with its amendments; erases its kept text first if it has expired."""
        if now is not None:
            await self.purge_expired(now)
        row = await self.db.fetchone(
            f"SELECT {_CASE_COLUMNS} FROM mod_cases WHERE group_id = ? AND number = ?",
            (group_id, number),
        )
        if row is None:
            return None
        amendments = await self._amendments(group_id, [number])
        return _case(group_id, row, amendments.get(number, ()))

    async def find_by_message(self, group_id: str, message_id: str) -> list[Case]:
        rows = await self.db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM mod_cases WHERE group_id = ? AND message_id = ? "
            "ORDER BY number", (group_id, message_id))
        return [_case(group_id, r, ()) for r in rows]

    async def member_cases(self, group_id: str, member_id: str,
                           now: datetime | None = None) -> list[Case]:
        if now is not None:
            await self.purge_expired(now)
        rows = await self.db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM mod_cases WHERE group_id = ? AND member_id = ? "
            "ORDER BY number", (group_id, member_id))
        amendments = await self._amendments(group_id, [int(r[0]) for r in rows])
        return [_case(group_id, r, amendments.get(int(r[0]), ())) for r in rows]

    async def find(self, group_id: str, *, member_id: str | None = None,
                   category: str | None = None, since: datetime | None = None,
                   limit: int = 10, offset: int = 0,
                   now: datetime | None = None, action: str | None = None,
                   until: datetime | None = None) -> tuple[list[Case], int]:
        """One page of the group's cases, newest first, with their amendments, and how many
        match in all. Filters: the member the case is about, a category among its
        categories, its action, created at or after `since` and before `until`."""
        if now is not None:
            await self.purge_expired(now)
        where, params = _filters(group_id, member_id, category, since, action=action,
                                 until=until)
        row = await self.db.fetchone(f"SELECT COUNT(*) FROM mod_cases WHERE {where}", params)
        total = int(row[0]) if row else 0
        rows = await self.db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM mod_cases WHERE {where} "
            "ORDER BY number DESC LIMIT ? OFFSET ?", (*params, limit, offset))
        amendments = await self._amendments(group_id, [int(r[0]) for r in rows])
        return [_case(group_id, r, amendments.get(int(r[0]), ())) for r in rows], total

    async def case_log(self, group_id: str, now: datetime, *, since: datetime | None = None,
                       batch: int = 500, member_id: str | None = None,
                       category: str | None = None, action: str | None = None,
                       until: datetime | None = None) -> AsyncIterator[Case]:
        """Every case of the group (created at or after `since`; the other filters as in
        `find`), oldest first, with its amendments, read a batch at a time. A kept text comes
        only while it is kept: one past its time is left out here even before the purge
        erases it. Reads only."""
        where, params = _filters(group_id, member_id, category, since, action=action,
                                 until=until)
        last = 0
        while True:
            rows = await self.db.fetchall(
                f"SELECT {_CASE_COLUMNS} FROM mod_cases WHERE {where} AND number > ? "
                "ORDER BY number LIMIT ?", (*params, last, batch))
            if not rows:
                return
            amendments = await self._amendments(group_id, [int(r[0]) for r in rows])
            for r in rows:
                case = _case(group_id, r, amendments.get(int(r[0]), ()))
                if case.text is not None and (case.text_expires_at is None
                                              or case.text_expires_at <= now):
                    case = replace(case, text=None, text_expires_at=None)
                yield case
            last = int(rows[-1][0])

    async def queue(self, group_id: str, limit: int = 25) -> list[Case]:
        """Cases awaiting a moderator (escalations and appeals not yet closed), oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM mod_cases c WHERE group_id = ? AND ("
            " needs_review = 1 OR EXISTS (SELECT 1 FROM mod_amendments a WHERE a.group_id ="
            " c.group_id AND a.case_number = c.number AND a.kind IN ('appeal', 'review')))"
            " ORDER BY number",
            (group_id,),
        )
        amendments = await self._amendments(group_id, [int(r[0]) for r in rows])
        cases = [_case(group_id, r, amendments.get(int(r[0]), ())) for r in rows]
        return [c for c in cases if c.is_open][:limit]

    async def _amendments(self, group_id: str,
                          numbers: Sequence[int]) -> dict[int, tuple[Amendment, ...]]:
        if not numbers:
            return {}
        out: dict[int, list[Amendment]] = {}
        # chunk to stay under SQLite's variable limit
        for i in range(0, len(numbers), 500):
            chunk = list(numbers[i:i + 500])
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                "SELECT id, case_number, kind, body, by_member, at FROM mod_amendments "
                f"WHERE group_id = ? AND case_number IN ({marks}) ORDER BY id",
                (group_id, *chunk),
            )
            for r in rows:
                at = _dt(r[5])
                assert at is not None
                out.setdefault(int(r[1]), []).append(
                    Amendment(int(r[0]), int(r[1]), r[2], r[3], r[4], at))
        return {k: tuple(v) for k, v in out.items()}

    async def purge_expired(self, now: datetime) -> int:
        """Erase kept texts whose time is up. Returns how many were erased."""
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE mod_cases SET text = NULL, text_expires_at = NULL "
            "WHERE text IS NOT NULL AND text_expires_at <= ?", (_ts(now),),
        ) as cur:
            return cur.rowcount

    # -- strikes -------------------------------------------------------------------------
    async def add_strike(self, group_id: str, member_id: str, case_number: int | None,
                         weight: float, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO mod_strikes (group_id, member_id, case_number, weight, created_at) "
            "VALUES (?, ?, ?, ?, ?)", (group_id, member_id, case_number, weight, _ts(now)))

    async def strikes(self, group_id: str, member_id: str) -> list[Strike]:
        rows = await self.db.fetchall(
            "SELECT id, member_id, case_number, weight, created_at, pardoned_at FROM mod_strikes "
            "WHERE group_id = ? AND member_id = ? ORDER BY id", (group_id, member_id))
        out = []
        for r in rows:
            created = _dt(r[4])
            assert created is not None
            out.append(Strike(int(r[0]), r[1], r[2], float(r[3]), created, _dt(r[5])))
        return out

    async def effective_strikes(self, group_id: str, member_id: str, now: datetime,
                                half_life_days: float) -> float:
        return sum(s.effective(now, half_life_days)
                   for s in await self.strikes(group_id, member_id))

    async def pardon(self, group_id: str, member_id: str, case_number: int | None,
                     by_member: str, now: datetime, note: str = "") -> tuple[int, list[int]]:
        """Stop active strikes counting (one case's, or all). Each pardon is an amendment on
        its case. Returns how many strikes were pardoned and on which cases."""
        async with self.db.transaction() as conn:
            sql = ("SELECT id, case_number FROM mod_strikes WHERE group_id = ? AND member_id = ?"
                   " AND pardoned_at IS NULL")
            params: list[Any] = [group_id, member_id]
            if case_number is not None:
                sql += " AND case_number = ?"
                params.append(case_number)
            async with conn.execute(sql, params) as cur:
                rows = list(await cur.fetchall())
            for r in rows:
                await conn.execute(
                    "UPDATE mod_strikes SET pardoned_at = ?, pardoned_by = ? WHERE id = ?",
                    (_ts(now), by_member, r[0]))
            cases = sorted({int(r[1]) for r in rows if r[1] is not None})
            for number in cases:
                await conn.execute(
                    "INSERT INTO mod_amendments (group_id, case_number, kind, body, by_member, "
                    "at) VALUES (?, ?, 'pardon', ?, ?, ?)",
                    (group_id, number, note or "strike pardoned", by_member, _ts(now)))
        return len(rows), cases

    # -- crisis care log -----------------------------------------------------------------
    async def member_state(self, group_id: str, member_id: str, now: datetime,
                           half_life_days: float) -> MemberState:
        """What moderation reads about a member before acting, in one call: effective
        strikes, the last crisis reply, the last care note."""
        return MemberState(await self.effective_strikes(group_id, member_id, now, half_life_days),
                           await self.last_care(group_id, member_id),
                           await self.last_care_note(group_id, member_id))

    async def last_care(self, group_id: str, member_id: str) -> tuple[datetime, int] | None:
        row = await self.db.fetchone(
            "SELECT last_at, last_severity FROM mod_care WHERE group_id = ? AND member_id = ?",
            (group_id, member_id))
        if row is None:
            return None
        at = _dt(row[0])
        assert at is not None
        return at, int(row[1])

    async def record_care(self, group_id: str, member_id: str, severity: int,
                          now: datetime, conn: aiosqlite.Connection | None = None) -> None:
        """(In the caller's transaction when `conn` is given.)"""
        params = (group_id, member_id, _ts(now), severity)
        if conn is not None:
            await conn.execute(_RECORD_CARE, params)
        else:
            await self.db.execute(_RECORD_CARE, params)

    # -- care-note log ---------------------------------------------------------------------
    async def last_care_note(self, group_id: str, member_id: str) -> datetime | None:
        """When the member last got the care note (distress, not crisis) in this group."""
        row = await self.db.fetchone(
            "SELECT sent_at FROM mod_care_notes WHERE group_id = ? AND member_id = ?",
            (group_id, member_id))
        return _dt(row[0]) if row else None

    async def record_care_note(self, group_id: str, member_id: str, now: datetime,
                               conn: aiosqlite.Connection | None = None) -> None:
        """(In the caller's transaction when `conn` is given.)"""
        params = (group_id, member_id, _ts(now))
        if conn is not None:
            await conn.execute(_RECORD_CARE_NOTE, params)
        else:
            await self.db.execute(_RECORD_CARE_NOTE, params)

    # -- /mydata ---------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]:
        cases = await self.member_cases(group_id, member_id)
        strikes = await self.strikes(group_id, member_id)
        care = await self.last_care(group_id, member_id)
        note = await self.last_care_note(group_id, member_id)
        return {
            "cases": [
                {"case": c.number, "action": c.action, "categories": list(c.categories),
                 "rules": list(c.rules), "reason": c.current_reason,
                 "created_at": c.created_at.isoformat(), "text_kept": c.text,
                 "text_hash": c.text_hash,
                 "amendments": [{"kind": a.kind, "by": "you" if a.by_member == member_id
                                 else "moderator" if a.by_member != "bot" else "bot",
                                 "at": a.at.isoformat(),
                                 "text": a.body if a.by_member == member_id else ""}
                                for a in c.amendments]}
                for c in cases
            ],
            "strikes": [{"case": s.case_number, "weight": s.weight,
                         "created_at": s.created_at.isoformat(),
                         "pardoned": s.pardoned_at is not None} for s in strikes],
            "last_support_reply": care[0].isoformat() if care else None,
            "last_care_note": note.isoformat() if note else None,
        }

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Erase strikes, kept texts, appeal texts, the care log and the care-note log. The
        case skeleton (rules and hash) stays so moderators can see a case existed."""
        async with self.db.transaction() as conn:
            count = 0
            async with conn.execute(
                "DELETE FROM mod_strikes WHERE group_id = ? AND member_id = ?",
                (group_id, member_id)) as cur:
                count += cur.rowcount
            async with conn.execute(
                "UPDATE mod_cases SET text = NULL, text_expires_at = NULL "
                "WHERE group_id = ? AND member_id = ? AND text IS NOT NULL",
                (group_id, member_id)) as cur:
                count += cur.rowcount
            async with conn.execute(
                "UPDATE mod_amendments SET body = ? WHERE group_id = ? AND by_member = ? "
                "AND body != ?", (ERASED, group_id, member_id, ERASED)) as cur:
                count += cur.rowcount
            async with conn.execute(
                "DELETE FROM mod_care WHERE group_id = ? AND member_id = ?",
                (group_id, member_id)) as cur:
                count += cur.rowcount
            async with conn.execute(
                "DELETE FROM mod_care_notes WHERE group_id = ? AND member_id = ?",
                (group_id, member_id)) as cur:
                count += cur.rowcount
        return count


def _filters(group_id: str, member_id: str | None, category: str | None,
             since: datetime | None, *, action: str | None = None,
             until: datetime | None = None) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause (and its values) selecting a group's cases."""
    where = ["group_id = ?"]
    params: list[Any] = [group_id]
    if member_id is not None:
        where.append("member_id = ?")
        params.append(member_id)
    if category is not None:
        where.append("instr(',' || categories || ',', ?) > 0")
        params.append(f",{category},")
    if since is not None:
        where.append("created_at >= ?")
        params.append(_ts(since))
    if until is not None:
        where.append("created_at < ?")
        params.append(_ts(until))
    if action is not None:
        where.append("action = ?")
        params.append(action)
    return " AND ".join(where), tuple(params)


def _hash(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def _case(group_id: str, r: aiosqlite.Row, amendments: Sequence[Amendment]) -> Case:
    created = _dt(r[16])
    assert created is not None
    return Case(
        group_id=group_id, number=int(r[0]), member_id=r[1], channel_id=r[2], message_id=r[3],
        action=r[4], categories=_split(r[5]), rules=_split(r[6]), reason=r[7],
        severity=int(r[8]), source=r[9], needs_review=bool(r[10]), error=r[11],
        text_hash=r[12], text=r[13], text_expires_at=_dt(r[14]), created_by=r[15],
        created_at=created, amendments=tuple(amendments),
    )
