"""The store port: one object that gives features every repository they use.

Features take their repositories from here (`store.cases`, `store.schedules`, ...) and never
build one from a database connection, so the seam between features and storage is the
`Store`, not SQLite: the same repositories run on SQLite or PostgreSQL
(`backend.Db`). Each concern has its own repository module in this package, so the SQL stays in
one layer.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Protocol

from groupbot.storage.backend import Db
from groupbot.storage.cases import CaseRepo
from groupbot.storage.checkins import CheckinRepo
from groupbot.storage.connect import open_database
from groupbot.storage.dashboard import DashboardRepo
from groupbot.storage.groups import GroupRepo
from groupbot.storage.holds import HoldRepo
from groupbot.storage.library import LibraryRepo
from groupbot.storage.outbox import OutboxRepo
from groupbot.storage.prompts import PromptRepo
from groupbot.storage.queue import QueueRepo
from groupbot.storage.schedules import ScheduleRepo
from groupbot.storage.slack_events import SlackEventRepo
from groupbot.storage.slack_installs import SlackInstallRepo


class MemberData(Protocol):
    """A repository that holds data about members, for /mydata export and delete."""

    async def export_member(self, group_id: str, member_id: str) -> dict[str, Any]: ...

    async def delete_member(self, group_id: str, member_id: str) -> int:
        """Erase what /mydata delete must erase; how many records (0: nothing to erase)."""
        ...


class Store:
    def __init__(self, db: Db) -> None:
        self.db = db  # (for the command-line tools; features use the repositories)
        self.groups = GroupRepo(db)
        self.cases = CaseRepo(db)
        self.queue = QueueRepo(db)
        self.holds = HoldRepo(db)
        self.checkins = CheckinRepo(db)
        self.prompts = PromptRepo(db)
        self.schedules = ScheduleRepo(db)
        self.library = LibraryRepo(db)
        self.outbox = OutboxRepo(db)
        self.dashboard = DashboardRepo(db)
        self.slack_installs = SlackInstallRepo(db)  # sealed; see platforms/slack/oauth
        self.slack_events = SlackEventRepo(db)  # events handled, across processes
        # what /mydata export shows and /mydata delete erases, in that order
        self.member_data: dict[str, MemberData] = {
            "groups": self.groups, "moderation": self.cases, "queue": self.queue,
            "holds": self.holds, "checkins": self.checkins, "dashboard": self.dashboard,
            "slack": self.slack_installs}

    def file_beside(self, suffix: str) -> Path | None:
        """A local file for what must outlive the process when the database cannot be
        written (see `local_file`)."""
        return local_file(self.db.dialect, self.db.path, suffix)

    async def open_writer(self, busy_timeout_ms: int) -> Store | None:
        """A second store on its own connection with a short busy timeout, so that writes
        retried through it never stall the reads on this one; None when the database
        cannot be shared that way (in memory) or the connection cannot be opened. The
        caller closes it with `close`."""
        if self.db.dialect == "postgresql":  # another connection to the same server
            own = open_database(getattr(self.db, "url", ""), migrate=False)
            await own.open()
            return Store(own)
        if self.file_beside("") is None:
            return None
        own = open_database(self.db.path, migrate=False, busy_timeout_ms=busy_timeout_ms)
        await own.open()
        return Store(own)

    async def close(self) -> None:
        await self.db.close()


STATE_DIR_ENV = "GROUPBOT_STATE_DIR"


def local_file(dialect: str, path: str, suffix: str) -> Path | None:
    """Where a file that belongs with the database is kept on this machine: next to an SQLite
    file (`<database><suffix>`); for PostgreSQL, in GROUPBOT_STATE_DIR (by default
    ~/.local/state/groupbot, created 0700), named after the server and database so that two
    databases never share one. None for an in-memory database, or where that folder cannot
    be made."""
    if dialect == "sqlite":
        if path == ":memory:" or path.startswith("file:"):
            return None
        return Path(path + suffix)
    folder = Path(os.environ.get(STATE_DIR_ENV) or Path.home() / ".local" / "state" / "groupbot")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]  # (path: no password)
    return folder / f"{dialect}-{digest}{suffix}"
