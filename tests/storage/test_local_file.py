"""Where the files that belong with a database live on this machine (the outbox's spill
file): beside an SQLite file; for PostgreSQL, in GROUPBOT_STATE_DIR, one per database."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from groupbot.storage.store import STATE_DIR_ENV, local_file


def test_beside_an_sqlite_file_and_nowhere_for_memory(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    assert local_file("sqlite", db, ".outbox.jsonl") == Path(db + ".outbox.jsonl")
    assert local_file("sqlite", ":memory:", ".outbox.jsonl") is None
    assert local_file("sqlite", "file:g?mode=memory", ".outbox.jsonl") is None


def test_postgresql_gets_a_private_folder_and_a_file_per_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state" / "groupbot"
    monkeypatch.setenv(STATE_DIR_ENV, str(state))
    one = local_file("postgresql", "postgresql://bot:***@db:5432/groups", ".outbox.jsonl")
    two = local_file("postgresql", "postgresql://bot:***@db:5432/other", ".outbox.jsonl")
    assert one is not None and two is not None and one != two
    assert one.parent == state and one.name.endswith(".outbox.jsonl")
    assert "groups" not in one.name and "bot" not in one.name  # (named by a digest)
    assert stat.S_IMODE(os.stat(state).st_mode) & 0o077 == 0
    assert one == local_file("postgresql", "postgresql://bot:***@db:5432/groups",
                             ".outbox.jsonl")  # the same file after a restart


def test_no_file_where_the_state_folder_cannot_be_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(STATE_DIR_ENV, str(blocker / "state"))
    assert local_file("postgresql", "postgresql://db/groups", ".outbox.jsonl") is None
