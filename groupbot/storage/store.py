"""The store port: one object that gives features the repositories they need.

Each concern has its own repository module in this package, so the SQL stays in one layer
and a PostgreSQL store can be added beside it for multi-process deployments.
"""

from __future__ import annotations

from typing import Any, Protocol

from groupbot.storage.database import Database
from groupbot.storage.groups import GroupRepo


class MemberData(Protocol):
    """A repository that holds data about members implements these for /mydata."""

    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]: ...


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.groups = GroupRepo(db)
        # Repositories register here so /mydata export and delete reach every one of them.
        self.member_data: dict[str, Any] = {"groups": self.groups}

    def register_member_data(self, name: str, repo: Any) -> None:
        """Add a repository that stores per-member data (it must offer export_member, and
        delete_member if it keeps anything that /mydata delete must erase)."""
        self.member_data[name] = repo
