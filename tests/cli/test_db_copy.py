"""`groupbot db copy --from sqlite:///path --to postgresql://...`: every table, ids and case
numbers kept, rows per table said; a target holding data is refused unless --replace."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.core.types import Group
from groupbot.library.service import ExcerptService
from groupbot.storage.cases import NewCase
from groupbot.storage.connect import open_database
from groupbot.storage.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


async def _fill(path: Path) -> None:
    async with open_database(path) as db:
        store = Store(db)
        group = Group("console:g", "Group", "console")
        await store.groups.ensure(group, NOW)
        for n in range(3):  # case 2 is then amended; strikes get ids 1..3
            await store.cases.open_case(group.id, NewCase(
                f"m{n}", "warn", "manual", strike_weight=1.0, notes=[f"note {n}"]), NOW)
        await store.cases.amend(group.id, 2, "appeal", "please", "m1", NOW)
        await store.queue.open_item(group.id, "appeal", NOW, member_id="m1", case_number=2)
        sid = await store.schedules.add(
            group_id=group.id, channel_id="c", channel_name="general", kind="prompt",
            theme=None, when_text="daily 09:00", timezone="UTC", anchor=None,
            created_by="robin", now=NOW - timedelta(days=1))
        await store.schedules.add(
            group_id=group.id, channel_id="c", channel_name="general", kind="checkin",
            theme=None, when_text="daily 10:00", timezone="UTC", anchor=None,
            created_by="robin", now=NOW - timedelta(days=1))
        await store.db.execute("DELETE FROM schedules WHERE id = ?", (sid,))  # a gap in ids
        await ExcerptService(store.library).ingest([SEEDS])


def _counts(out: str) -> dict[str, int]:
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "rows":
            found[parts[0]] = int(parts[1])
    return found


def test_copy_moves_every_table_and_keeps_ids(tmp_path: Path, pg_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "groupbot.db"
    asyncio.run(_fill(source))
    assert main(["db", "copy", "--from", f"sqlite:///{source}", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    counts = _counts(out)
    assert counts["mod_cases"] == 3 and counts["mod_strikes"] == 3
    assert counts["mod_amendments"] == 4 and counts["mod_queue"] == 1
    assert counts["schedules"] == 1 and counts["groups"] == 1
    assert counts["library_passages"] > 0
    assert "groupbot-test" not in out  # the URL's password is never shown

    async def check() -> None:
        async with open_database(pg_url) as db:
            store = Store(db)
            cases, total = await store.cases.find("console:g", limit=10)
            assert total == 3 and sorted(c.number for c in cases) == [1, 2, 3]
            case = await store.cases.get("console:g", 2)
            assert case is not None and [a.kind for a in case.amendments] == ["note", "appeal"]
            assert [s.id for s in await store.schedules.for_group("console:g")] == [2]
            # ids go on after the copied ones; numbers after the copied case numbers
            new = await store.schedules.add(
                group_id="console:g", channel_id="c", channel_name="general", kind="prompt",
                theme=None, when_text="daily 11:00", timezone="UTC", anchor=None,
                created_by="robin", now=NOW)
            assert new == 3
            opened = await store.cases.open_case("console:g", NewCase("x", "warn", "manual"),
                                                 NOW)
            assert opened.number == 4
            outcome = await ExcerptService(store.library).search("codependency")
            assert outcome.results

    asyncio.run(check())
    # a target that holds data: refused, unless told
    assert main(["db", "copy", "--from", f"sqlite:///{source}", "--to", pg_url]) != 0
    err = capsys.readouterr().err
    assert "already holds data" in err and "groupbot-test" not in err
    assert main(["db", "copy", "--from", f"sqlite:///{source}", "--to", pg_url,
                 "--replace"]) == 0
    assert _counts(capsys.readouterr().out) == counts
