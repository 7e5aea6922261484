"""The dashboard's sign-in links, sessions, and what the bot last knew of its moderators.

Only the SHA-256 of a link's or a session's token is stored (the token itself lives in the
link and in the browser's cookie), so reading the database signs nobody in. The rules (how
long a link lasts, when a session ends) are `groupbot.dashboard.auth`'s: this module only keeps
rows and makes each change one guarded statement, so a link is used at most once even when two
requests race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groupbot.core.ports import utc
from groupbot.storage.backend import Db, Row

KEEP_ENDED = timedelta(days=30)  # ended sessions and spent links are forgotten after this


@dataclass(frozen=True, slots=True)
class LinkRow:
    token_hash: str
    group_id: str
    member_id: str
    member_name: str
    issued_by: str  # chat | operator
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionRow:
    token_hash: str
    group_id: str
    member_id: str
    member_name: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    ended_why: str | None


@dataclass(frozen=True, slots=True)
class ModeratorRow:
    group_id: str
    member_id: str
    display_name: str
    is_moderator: bool
    source: str  # platform | operator
    checked_at: datetime


def _ts(dt: datetime) -> str:
    return utc(dt).isoformat()


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _must(value: str) -> datetime:
    found = _dt(value)
    assert found is not None
    return found


def _link(r: Row) -> LinkRow:
    return LinkRow(r[0], r[1], r[2], r[3], r[4], _must(r[5]), _must(r[6]), _dt(r[7]))


def _session(r: Row) -> SessionRow:
    return SessionRow(r[0], r[1], r[2], r[3], _must(r[4]), _must(r[5]), _must(r[6]), _dt(r[7]),
                      r[8])


_LINK = ("token_hash, group_id, member_id, member_name, issued_by, created_at, expires_at, "
         "used_at")
_SESSION = ("token_hash, group_id, member_id, member_name, created_at, last_seen_at, "
            "expires_at, ended_at, ended_why")


class DashboardRepo:
    """Links, sessions and moderators of every group. Member data for /mydata (a moderator's
    own sign-ins)."""

    def __init__(self, db: Db) -> None:
        self.db = db

    # -- links -------------------------------------------------------------------------------
    async def add_link(self, token_hash: str, group_id: str, member_id: str, member_name: str,
                       issued_by: str, now: datetime, expires_at: datetime) -> None:
        async with self.db.transaction() as conn:
            # spent and expired links of long ago go, so the table stays small
            await conn.execute(
                "DELETE FROM dashboard_links WHERE expires_at < ?", (_ts(now - KEEP_ENDED),))
            await conn.execute(
                f"INSERT INTO dashboard_links ({_LINK}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (token_hash, group_id, member_id, member_name, issued_by, _ts(now),
                 _ts(expires_at)))

    async def link(self, token_hash: str) -> LinkRow | None:
        row = await self.db.fetchone(
            f"SELECT {_LINK} FROM dashboard_links WHERE token_hash = ?", (token_hash,))
        return _link(row) if row is not None else None

    async def use_link(self, token_hash: str, now: datetime) -> bool:
        """Mark the link used, if it is still unused and unexpired: True for exactly one
        caller, however many race."""
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE dashboard_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
            "AND expires_at > ?", (_ts(now), token_hash, _ts(now))) as cur:
            return cur.rowcount == 1

    # -- sessions ----------------------------------------------------------------------------
    async def add_session(self, token_hash: str, group_id: str, member_id: str,
                          member_name: str, now: datetime, expires_at: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM dashboard_sessions WHERE expires_at < ?",
                (_ts(now - KEEP_ENDED),))
            await conn.execute(
                f"INSERT INTO dashboard_sessions ({_SESSION}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (token_hash, group_id, member_id, member_name, _ts(now), _ts(now),
                 _ts(expires_at)))

    async def session(self, token_hash: str) -> SessionRow | None:
        row = await self.db.fetchone(
            f"SELECT {_SESSION} FROM dashboard_sessions WHERE token_hash = ?", (token_hash,))
        return _session(row) if row is not None else None

    async def touch(self, token_hash: str, now: datetime) -> None:
        await self.db.execute(
            "UPDATE dashboard_sessions SET last_seen_at = ? WHERE token_hash = ? "
            "AND ended_at IS NULL", (_ts(now), token_hash))

    async def end_session(self, token_hash: str, why: str, now: datetime) -> bool:
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE dashboard_sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ? "
            "AND ended_at IS NULL", (_ts(now), why, token_hash)) as cur:
            return cur.rowcount == 1

    async def end_member_sessions(self, group_id: str, member_id: str, why: str,
                                  now: datetime) -> int:
        """End every open session of one moderator in one group; returns how many."""
        async with self.db.transaction() as conn, conn.execute(
            "UPDATE dashboard_sessions SET ended_at = ?, ended_why = ? WHERE group_id = ? "
            "AND member_id = ? AND ended_at IS NULL", (_ts(now), why, group_id, member_id)
        ) as cur:
            return cur.rowcount

    # -- moderators --------------------------------------------------------------------------
    async def moderator(self, group_id: str, member_id: str) -> ModeratorRow | None:
        row = await self.db.fetchone(
            "SELECT group_id, member_id, display_name, is_moderator, source, checked_at "
            "FROM dashboard_moderators WHERE group_id = ? AND member_id = ?",
            (group_id, member_id))
        if row is None:
            return None
        return ModeratorRow(row[0], row[1], row[2], bool(row[3]), row[4], _must(row[5]))

    async def known_members(self) -> list[tuple[str, str, bool]]:
        """(group, member, is a moderator) of every member the dashboard knows."""
        rows = await self.db.fetchall(
            "SELECT group_id, member_id, is_moderator FROM dashboard_moderators")
        return [(r[0], r[1], bool(r[2])) for r in rows]

    async def names(self, group_id: str) -> dict[str, str]:
        rows = await self.db.fetchall(
            "SELECT member_id, display_name FROM dashboard_moderators WHERE group_id = ?",
            (group_id,))
        return {r[0]: r[1] for r in rows}

    async def set_moderator(self, group_id: str, member_id: str, display_name: str,
                            is_moderator: bool, source: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO dashboard_moderators (group_id, member_id, display_name, is_moderator,"
            " source, checked_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(group_id, member_id) DO UPDATE SET display_name = excluded.display_name,"
            " is_moderator = excluded.is_moderator, source = excluded.source,"
            " checked_at = excluded.checked_at",
            (group_id, member_id, display_name, int(is_moderator), source, _ts(now)))

    # -- /mydata -------------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]:
        record = await self.moderator(group_id, member_id)
        rows = await self.db.fetchall(
            "SELECT created_at, last_seen_at, ended_at, ended_why FROM dashboard_sessions "
            "WHERE group_id = ? AND member_id = ? ORDER BY created_at", (group_id, member_id))
        return {
            "dashboard_moderator": None if record is None else {
                "name": record.display_name, "moderator": record.is_moderator,
                "checked_at": record.checked_at.isoformat()},
            "dashboard_sessions": [{"signed_in": r[0], "last_seen": r[1], "ended": r[2],
                                    "why": r[3]} for r in rows],
        }

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Forget a member's links, sessions (which signs them out) and moderator record."""
        count = 0
        async with self.db.transaction() as conn:
            for table in ("dashboard_links", "dashboard_sessions", "dashboard_moderators"):
                async with conn.execute(
                    f"DELETE FROM {table} WHERE group_id = ? AND member_id = ?",
                    (group_id, member_id)) as cur:
                    count += cur.rowcount
        return count
