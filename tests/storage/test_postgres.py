"""The PostgreSQL backend's own parts: SQL translation, migrations under a lock, the numbers of
both backends' migrations, and the URL's password kept out of what is shown."""

from __future__ import annotations

import asyncio

import asyncpg  # type: ignore[import-untyped]
import pytest

from groupbot.config import load_config
from groupbot.core.errors import StorageError
from groupbot.storage.backend import redact
from groupbot.storage.connect import open_database
from groupbot.storage.database import latest_version, load_migrations
from groupbot.storage.postgres import PostgresDatabase, load_pg_migrations, translate


def test_translate_placeholders_is_and_lastrowid() -> None:
    sql, returning = translate(
        "INSERT INTO mod_strikes (group_id, note) VALUES (?, 'what? it''s ?') ")
    assert sql == ("INSERT INTO mod_strikes (group_id, note) VALUES ($1, 'what? it''s ?') "
                   "RETURNING id")
    assert returning == "id"
    sql, returning = translate("UPDATE t SET a = ? WHERE b IS ? AND c IS NOT ? AND d = ?")
    assert sql == ("UPDATE t SET a = $1 WHERE b IS NOT DISTINCT FROM $2 AND c IS DISTINCT "
                   "FROM $3 AND d = $4")
    assert returning is None
    assert translate("SELECT x FROM mod_queue WHERE n = ? /*FOR UPDATE*/")[0] == \
        "SELECT x FROM mod_queue WHERE n = $1 FOR UPDATE"
    assert translate("INSERT INTO prompt_rotation (a) VALUES (?)")[1] == "seq"
    assert translate("INSERT INTO mod_cases (a) VALUES (?)")[1] is None  # no integer id


def test_both_backends_have_the_same_migration_numbers() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations()]
    postgres = [(m.version, m.name) for m in load_pg_migrations()]
    assert sqlite == postgres


def test_a_postgres_url_is_taken_as_it_is_and_shown_without_its_password(tmp_path) -> None:
    url = "postgresql://bot:s3cret@db.internal:5432/groupbot"
    config = load_config(None, env={"GROUPBOT_DATABASE": url})
    assert config.database == url
    assert redact(url) == "postgresql://bot:***@db.internal:5432/groupbot"
    assert "s3cret" not in PostgresDatabase(url).path


async def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    dbs = [PostgresDatabase(pg_url) for _ in range(4)]
    await asyncio.gather(*(db.open() for db in dbs))
    try:
        versions = [await db.schema_version() for db in dbs]
    finally:
        for db in dbs:
            await db.close()
    assert versions == [latest_version()] * 4
    raw = await asyncpg.connect(pg_url)
    try:
        assert await raw.fetchval("SELECT count(*) FROM schema_version") == 1
        assert await raw.fetchval("SELECT count(*) FROM library_meta") == 1
    finally:
        await raw.close()


async def test_a_server_that_cannot_be_reached_is_one_line_without_the_password(
        pg_server: object) -> None:
    url = "postgresql://bot:s3cret@127.0.0.1:1/none"
    with pytest.raises(StorageError) as caught:
        async with open_database(url):
            pass
    assert "cannot open the database at postgresql://bot:***@127.0.0.1:1/none" in str(
        caught.value)
    assert "s3cret" not in str(caught.value)
