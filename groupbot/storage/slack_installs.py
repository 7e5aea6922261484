"""Slack installations (one per workspace) and the OAuth flow's one-time states.

The repository stores what it is given: the platform layer
(`groupbot.platforms.slack.oauth`) seals each installation with GROUPBOT_TOKEN_KEY before it
gets here, and hashes each state, so no token and no usable state is ever in the database.
Plain SQL with `?` placeholders, for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from groupbot.storage.backend import Db


@dataclass(frozen=True, slots=True)
class SealedInstallation:
    enterprise_id: str
    team_id: str
    user_id: str
    installed_at: str
    sealed: str


def _stamp(when: datetime) -> str:
    """A fixed-width UTC time, so text order is time order."""
    return when.isoformat(timespec="microseconds")


class SlackInstallRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    # -- installations ----------------------------------------------------------------------
    async def save(self, enterprise_id: str, team_id: str, user_id: str,
                   installed_at: datetime, sealed: str) -> None:
        """Insert or replace the installation with these ids (a re-install replaces it)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO slack_installations (enterprise_id, team_id, user_id, "
                "installed_at, sealed) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (enterprise_id, team_id, user_id) DO UPDATE SET "
                "installed_at = excluded.installed_at, sealed = excluded.sealed",
                (enterprise_id, team_id, user_id, _stamp(installed_at), sealed))

    async def find(self, enterprise_id: str, team_id: str,
                   user_id: str | None = None) -> SealedInstallation | None:
        """The installation by `user_id`, or (None) the latest in the workspace."""
        sql = ("SELECT enterprise_id, team_id, user_id, installed_at, sealed "
               "FROM slack_installations WHERE enterprise_id = ? AND team_id = ?")
        params: list[str] = [enterprise_id, team_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        row = await self.db.fetchone(sql + " ORDER BY installed_at DESC, user_id LIMIT 1",
                                     params)
        return SealedInstallation(*(str(v) for v in row)) if row is not None else None

    async def delete(self, enterprise_id: str, team_id: str,
                     user_id: str | None = None) -> int:
        sql = "DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ?"
        params: list[str] = [enterprise_id, team_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        async with self.db.transaction() as conn:
            cur = await conn.execute(sql, params)
            return int(cur.rowcount)

    async def any_sealed(self) -> SealedInstallation | None:
        """One installation (the latest), to check at start that the key opens them."""
        row = await self.db.fetchone(
            "SELECT enterprise_id, team_id, user_id, installed_at, sealed "
            "FROM slack_installations ORDER BY installed_at DESC LIMIT 1")
        return SealedInstallation(*(str(v) for v in row)) if row is not None else None

    async def teams(self) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT team_id FROM slack_installations WHERE team_id <> '' "
            "ORDER BY team_id")
        return [str(r[0]) for r in rows]

    # -- /mydata ------------------------------------------------------------------------------
    async def export_member(self, group_id: str, member_id: str) -> dict[str, object]:
        """The installations of this workspace that the member made (ids and times only)."""
        rows = await self.db.fetchall(
            "SELECT installed_at FROM slack_installations WHERE team_id = ? AND user_id = ? "
            "ORDER BY installed_at", (group_id.removeprefix("slack:"), member_id))
        return {"installed_the_app": [str(r[0]) for r in rows]} if rows else {}

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Nothing is erased: an installation belongs to the workspace, and removing the app
        from the workspace deletes it (with the installer's id)."""
        return 0

    # -- OAuth states -----------------------------------------------------------------------
    async def issue_state(self, state_hash: str, now: datetime, expires_at: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO slack_oauth_states (state_hash, created_at, expires_at) "
                "VALUES (?, ?, ?)", (state_hash, _stamp(now), _stamp(expires_at)))

    async def consume_state(self, state_hash: str, now: datetime) -> bool:
        """True once for a state issued here and not expired: one UPDATE marks it used, so
        of two processes given the same state one wins. Unknown, expired, used: False."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE slack_oauth_states SET used_at = ? WHERE state_hash = ? "
                "AND used_at IS NULL AND expires_at > ?",
                (_stamp(now), state_hash, _stamp(now)))
            return int(cur.rowcount) == 1

    async def prune_states(self, before: datetime) -> int:
        """Forget states that expired before `before` (used or not)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM slack_oauth_states WHERE expires_at < ?",
                                     (_stamp(before),))
            return int(cur.rowcount)
