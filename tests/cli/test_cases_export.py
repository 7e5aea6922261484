"""`groupbot cases export`: exactly the group's cases, with amendments, and kept message text
only while it is kept."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.core.types import Group
from groupbot.storage.cases import CaseRepo, NewCase
from groupbot.storage.database import Database
from groupbot.storage.store import Store

G = Group("console:g1", "Group one", "console")
G2 = Group("console:g2", "Group two", "console")


def _new(member: str, text: str | None, **kw: object) -> NewCase:
    return NewCase(member_id=member, action=str(kw.pop("action", "remove")), source="message",
                   rules=("harassment.insult",), categories=("harassment",), reason="insult",
                   text=text, **kw)  # type: ignore[arg-type]


async def _fill(path: Path, now: datetime) -> None:
    """Group one keeps texts for 2 days: case 1 (its text past its time half an hour ago,
    and not yet purged), case 2 (an hour old, kept), case 3 (a moderator's warning). Group
    two has cases with the same numbers and texts of its own."""
    async with Database(path) as db:
        store = Store(db)
        await store.groups.ensure(G, now)
        await store.groups.ensure(G2, now)
        repo = CaseRepo(db)
        await repo.set_keep_text_days(G.id, 2)
        await repo.set_keep_text_days(G2.id, 30)
        old = await repo.open_case(G.id, _new("u1", "expired words"),
                                   now - timedelta(days=2, minutes=30))
        await repo.amend(G.id, old.number, "reason", "=HYPERLINK(\"x\")", "mod-a",
                         now - timedelta(days=2, minutes=20))
        await repo.amend(G.id, old.number, "appeal", "please look again", "u1",
                         now - timedelta(days=2, minutes=10))
        await repo.open_case(G.id, _new("u2", "kept words"), now - timedelta(hours=1))
        await repo.open_case(G.id, NewCase(member_id="u1", action="warn", source="manual",
                                           created_by="mod-a", reason="be kind"),
                             now - timedelta(minutes=45))
        for n in range(2):
            await repo.open_case(G2.id, _new("u9", f"other group's words {n}"),
                                 now - timedelta(hours=2))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "groupbot.db"
    asyncio.run(_fill(path, datetime.now(UTC)))
    return path


def _export(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str,
                                                                                     str]:
    code = main(["--database", str(db_path), "cases", "export", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_jsonl_has_exactly_the_groups_cases_and_no_text_past_its_time(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    async def stored() -> str | None:
        async with Database(db_path) as db:
            row = await db.fetchone("SELECT text FROM mod_cases WHERE group_id = ? AND "
                                    "number = 1", (G.id,))
        return None if row is None else row[0]

    assert asyncio.run(stored()) == "expired words"  # past its time, not purged yet
    code, out, err = _export(capsys, db_path, "--group", G.id)
    assert code == 0 and "3 cases of console:g1 written." in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["group"], r["case"]) for r in rows] == [(G.id, 1), (G.id, 2), (G.id, 3)]
    assert "other group" not in out
    first, kept, warn = rows
    assert first["text"] is None and first["text_hash"] and "expired words" not in out
    assert kept["text"] == "kept words" and kept["text_expires_at"]
    assert first["reason"] == "insult" and first["current_reason"] == "=HYPERLINK(\"x\")"
    assert [(a["kind"], a["by"], a["body"]) for a in first["amendments"]] == [
        ("reason", "mod-a", "=HYPERLINK(\"x\")"), ("appeal", "u1", "please look again")]
    assert all(datetime.fromisoformat(a["at"]) for a in first["amendments"])
    assert first["awaiting_moderator"] is True  # appealed
    assert (warn["action"], warn["moderator"], warn["member"]) == ("warn", "mod-a", "u1")
    assert kept["moderator"] is None and kept["categories"] == ["harassment"]
    assert kept["rules"] == ["harassment.insult"]


def test_csv_has_the_same_cases_and_is_safe_to_open_in_a_spreadsheet(
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, _err = _export(capsys, db_path, "--group", G.id, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["group"], r["case"]) for r in rows] == [(G.id, "1"), (G.id, "2"), (G.id, "3")]
    assert "other group" not in out and "expired words" not in out
    assert rows[0]["text"] == "" and rows[1]["text"] == "kept words"
    assert rows[0]["current_reason"] == "'=HYPERLINK(\"x\")"  # not a formula
    amendments = rows[0]["amendments"].splitlines()
    assert len(amendments) == 2 and " reason by mod-a: " in amendments[0]
    assert " appeal by u1: please look again" in amendments[1]
    assert rows[2]["moderator"] == "mod-a" and rows[2]["categories"] == ""


def test_the_other_group_gets_only_its_own(capsys: pytest.CaptureFixture[str],
                                           db_path: Path) -> None:
    code, out, _err = _export(capsys, db_path, "--group", G2.id)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["group"], r["case"], r["text"]) for r in rows] == [
        (G2.id, 1, "other group's words 0"), (G2.id, 2, "other group's words 1")]


def test_since_leaves_out_older_cases(capsys: pytest.CaptureFixture[str],
                                      db_path: Path) -> None:
    code, out, _err = _export(capsys, db_path, "--group", G.id, "--since", "2d")
    assert code == 0
    assert [json.loads(line)["case"] for line in out.splitlines()] == [2, 3]
    today = datetime.now(UTC) + timedelta(days=1)
    code, out, _err = _export(capsys, db_path, "--group", G.id, "--since", f"{today:%Y-%m-%d}")
    assert code == 0 and out == ""


def test_an_unknown_group_or_a_bad_date_is_a_clear_error(capsys: pytest.CaptureFixture[str],
                                                         db_path: Path, tmp_path: Path) -> None:
    code, out, err = _export(capsys, db_path, "--group", "console:nope")
    assert code == 1 and out == ""
    assert "no group 'console:nope'" in err and "console:g1, console:g2" in err
    code, out, err = _export(capsys, db_path, "--group", G.id, "--since", "2026-02-30")
    assert code == 2 and out == ""
    assert "--since: '2026-02-30' is not a date: use a date (YYYY-MM-DD" in err
    missing = tmp_path / "nowhere.db"
    code, out, err = _export(capsys, missing, "--group", G.id)
    assert code == 1 and "no database at" in err and not missing.exists()
