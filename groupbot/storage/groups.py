"""Groups and their set-up (time zone, region, moderator log, moderator role)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from groupbot.core.types import Group
from groupbot.storage.backend import Db

SETTING_KEYS = ("timezone", "region", "modlog_channel", "moderator_role")


@dataclass(frozen=True, slots=True)
class GroupSettings:
    group_id: str
    timezone: str
    region: str
    modlog_channel: str | None
    moderator_role: str | None


class GroupRepo:
    """Settings are read on every message, so they are cached here and refreshed on change.

    Each group is served by one process (shards split guilds), so the cache stays coherent.
    """

    def __init__(self, db: Db) -> None:
        self.db = db
        self._cache: dict[str, GroupSettings] = {}

    async def ensure(self, group: Group, now: datetime, *, timezone: str = "UTC",
                     region: str = "US") -> GroupSettings:
        """Create the group's row on first sight (defaults from config); return its settings."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO groups (id, platform, name, timezone, region, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                (group.id, group.platform, group.name, timezone, region, now.isoformat()),
            )
        settings = await self.settings(group.id)
        assert settings is not None
        return settings

    async def settings(self, group_id: str) -> GroupSettings | None:
        cached = self._cache.get(group_id)
        if cached is not None:
            return cached
        row = await self.db.fetchone(
            "SELECT id, timezone, region, modlog_channel, moderator_role FROM groups WHERE id = ?",
            (group_id,),
        )
        if row is None:
            return None
        settings = GroupSettings(row[0], row[1], row[2], row[3], row[4])
        self._cache[group_id] = settings
        return settings

    async def set(self, group_id: str, key: str, value: str | None, changed_by: str,
                  now: datetime) -> None:
        """Change one setting and record who changed it, in one transaction."""
        if key not in SETTING_KEYS:
            raise ValueError(f"unknown setting {key}")
        async with self.db.transaction() as conn:
            await conn.execute(f"UPDATE groups SET {key} = ? WHERE id = ?", (value, group_id))
            await conn.execute(
                "INSERT INTO settings_log (group_id, key, value, changed_by, changed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (group_id, key, value, changed_by, now.isoformat()),
            )
        self._cache.pop(group_id, None)

    async def group(self, group_id: str) -> Group | None:
        """The group as stored (its name as last seen, and its platform)."""
        row = await self.db.fetchone("SELECT id, name, platform FROM groups WHERE id = ?",
                                     (group_id,))
        return Group(row[0], row[1], row[2]) if row is not None else None

    def forget(self, group_id: str) -> None:
        """Drop the cached settings, so the next read sees another process's change (the
        dashboard running without the bot reads what the bot wrote)."""
        self._cache.pop(group_id, None)

    async def all_ids(self) -> list[str]:
        return [r[0] for r in await self.db.fetchall("SELECT id FROM groups ORDER BY id")]

    async def export_member(self, group_id: str, member_id: str) -> dict[str, object]:
        rows = await self.db.fetchall(
            "SELECT key, value, changed_at FROM settings_log WHERE group_id = ? AND changed_by = ?"
            " ORDER BY id", (group_id, member_id))
        return {"settings_changes": [dict(zip(("key", "value", "changed_at"), r, strict=True))
                                     for r in rows]}

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Nothing is erased: the settings a moderator changed are the group's record of
        its own set-up (they are shown by /mydata export)."""
        return 0
