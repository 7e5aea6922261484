"""The case store: numbering, append-only amendments, hashing, kept text, strikes, /mydata."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from groupbot.core.types import Group
from groupbot.storage.cases import ERASED, CaseRepo, NewCase
from groupbot.storage.connect import open_database
from groupbot.storage.store import Store

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
G = Group("console:g1", "Group one", "console")
G2 = Group("console:g2", "Group two", "console")


@pytest.fixture
async def repo(db_target: str) -> AsyncIterator[CaseRepo]:
    """On each backend: SQLite, then PostgreSQL (tests/conftest.py: db_target)."""
    async with open_database(db_target) as db:
        store = Store(db)
        await store.groups.ensure(G, T0)
        await store.groups.ensure(G2, T0)
        yield CaseRepo(db)


def _new(member: str = "u1", text: str | None = "some words", **kw: object) -> NewCase:
    return NewCase(member_id=member, action=str(kw.pop("action", "remove")), source="message",
                   rules=("harassment.insult",), categories=("harassment",), reason="insult",
                   text=text, **kw)  # type: ignore[arg-type]


async def test_cases_are_numbered_per_group(repo: CaseRepo) -> None:
    a = await repo.open_case(G.id, _new(), T0)
    b = await repo.open_case(G.id, _new(), T0)
    c = await repo.open_case(G2.id, _new(), T0)
    assert (a.number, b.number, c.number) == (1, 2, 1)


async def test_case_stores_hash_not_text_by_default(repo: CaseRepo) -> None:
    case = await repo.open_case(G.id, _new(text="a private sentence"), T0)
    assert case.text is None
    assert case.text_hash is not None and len(case.text_hash) == 64
    raw = await repo.db.fetchall("SELECT * FROM mod_cases")
    assert all("a private sentence" not in str(tuple(r)) for r in raw)
    # keyed per group: the same text hashes differently in another group, the same within one
    assert await repo.text_hash(G.id, "a private sentence") == case.text_hash
    assert await repo.text_hash(G2.id, "a private sentence") != case.text_hash


async def test_kept_text_expires_and_opting_out_erases(repo: CaseRepo) -> None:
    await repo.set_keep_text_days(G.id, 2)
    case = await repo.open_case(G.id, _new(text="keep me"), T0)
    assert case.text == "keep me"
    assert case.text_expires_at == T0 + timedelta(days=2)
    still = await repo.get(G.id, case.number, T0 + timedelta(days=1))
    assert still is not None and still.text == "keep me"
    gone = await repo.get(G.id, case.number, T0 + timedelta(days=2, seconds=1))
    assert gone is not None and gone.text is None and gone.text_hash == case.text_hash
    second = await repo.open_case(G.id, _new(text="also kept"), T0)
    await repo.set_keep_text_days(G.id, 0)
    after = await repo.get(G.id, second.number)
    assert after is not None and after.text is None
    with pytest.raises(ValueError):
        await repo.set_keep_text_days(G.id, 9999)


async def test_crisis_text_is_never_kept(repo: CaseRepo) -> None:
    await repo.set_keep_text_days(G.id, 30)
    case = await repo.open_case(G.id, _new(text="hard words", action="support",
                                           keep_text=False), T0)
    assert case.text is None and case.text_hash


async def test_amendments_append_and_record_who_and_when(repo: CaseRepo) -> None:
    case = await repo.open_case(G.id, _new(), T0)
    t1 = T0 + timedelta(hours=1)
    t2 = T0 + timedelta(hours=2)
    await repo.amend(G.id, case.number, "reason", "first edit", "mod-a", t1)
    await repo.amend(G.id, case.number, "reason", "second edit", "mod-b", t2)
    got = await repo.get(G.id, case.number)
    assert got is not None
    assert got.reason == "insult"  # the original stays
    assert got.current_reason == "second edit"
    assert [(a.kind, a.body, a.by_member, a.at) for a in got.amendments] == [
        ("reason", "first edit", "mod-a", t1), ("reason", "second edit", "mod-b", t2)]
    assert await repo.amend(G.id, 999, "reason", "x", "mod-a", t1) is None


async def test_queue_holds_escalations_and_appeals_until_closed(repo: CaseRepo) -> None:
    esc = await repo.open_case(G.id, _new(action="escalate", needs_review=True), T0)
    plain = await repo.open_case(G.id, _new(), T0)
    assert [c.number for c in await repo.queue(G.id)] == [esc.number]
    await repo.amend(G.id, plain.number, "appeal", "please look", "u1", T0)
    assert [c.number for c in await repo.queue(G.id)] == [esc.number, plain.number]
    await repo.amend(G.id, esc.number, "close", "handled", "mod-a", T0)
    await repo.amend(G.id, plain.number, "close", "upheld", "mod-a", T0)
    assert await repo.queue(G.id) == []
    # a new appeal after a close reopens it
    await repo.amend(G.id, plain.number, "appeal", "one more thing", "u1", T0)
    assert [c.number for c in await repo.queue(G.id)] == [plain.number]


async def test_strikes_decay_with_half_life_and_pardon(repo: CaseRepo) -> None:
    case = await repo.open_case(G.id, _new(strike_weight=2.0), T0)
    assert await repo.effective_strikes(G.id, "u1", T0, 14) == pytest.approx(2.0)
    later = T0 + timedelta(days=14)
    assert await repo.effective_strikes(G.id, "u1", later, 14) == pytest.approx(1.0)
    assert await repo.effective_strikes(G.id, "u1", T0 + timedelta(days=28), 14) == \
        pytest.approx(0.5)
    count, cases = await repo.pardon(G.id, "u1", None, "mod-a", later)
    assert (count, cases) == (1, [case.number])
    assert await repo.effective_strikes(G.id, "u1", later, 14) == 0.0
    got = await repo.get(G.id, case.number)
    assert got is not None and [a.kind for a in got.amendments] == ["pardon"]
    assert await repo.pardon(G.id, "u1", None, "mod-a", later) == (0, [])


async def test_export_and_delete_member(repo: CaseRepo) -> None:
    await repo.set_keep_text_days(G.id, 10)
    case = await repo.open_case(G.id, _new(text="mine", strike_weight=1.0), T0)
    await repo.amend(G.id, case.number, "appeal", "my side of it", "u1", T0)
    await repo.amend(G.id, case.number, "reason", "moderator's private note", "mod-a", T0)
    await repo.record_care(G.id, "u1", 2, T0)
    other = await repo.open_case(G.id, _new(member="u2", text="theirs", strike_weight=1.0), T0)

    exported = await repo.export_member(G.id, "u1")
    assert [c["case"] for c in exported["cases"]] == [case.number]
    assert exported["cases"][0]["text_kept"] == "mine"
    assert len(exported["strikes"]) == 1
    bodies = [a["text"] for a in exported["cases"][0]["amendments"]]
    assert "my side of it" in bodies and "moderator's private note" not in bodies

    erased = await repo.delete_member(G.id, "u1")
    assert erased >= 4  # strike, kept text, appeal text, care log
    after = await repo.get(G.id, case.number)
    assert after is not None
    assert after.text is None and after.text_hash == case.text_hash  # skeleton kept
    assert after.rules == ("harassment.insult",)
    assert [a.body for a in after.amendments if a.kind == "appeal"] == [ERASED]
    assert await repo.strikes(G.id, "u1") == []
    assert await repo.last_care(G.id, "u1") is None
    # the other member is untouched
    theirs = await repo.get(G.id, other.number)
    assert theirs is not None and theirs.text == "theirs"
    assert len(await repo.strikes(G.id, "u2")) == 1


async def test_care_note_log_is_per_member_and_group_and_the_members_to_erase(
        repo: CaseRepo) -> None:
    assert await repo.last_care_note(G.id, "u1") is None
    await repo.record_care_note(G.id, "u1", T0)
    later = T0 + timedelta(days=4)
    await repo.record_care_note(G.id, "u1", later)  # one row, moved on
    await repo.record_care_note(G2.id, "u1", T0)
    await repo.record_care_note(G.id, "u2", T0)
    assert await repo.last_care_note(G.id, "u1") == later
    # a care note is not the crisis reply: it never holds that back
    assert await repo.last_care(G.id, "u1") is None
    exported = await repo.export_member(G.id, "u1")
    assert exported["last_care_note"] == later.isoformat()
    assert exported["cases"] == [] and exported["last_support_reply"] is None
    assert await repo.delete_member(G.id, "u1") == 1
    assert await repo.last_care_note(G.id, "u1") is None
    assert (await repo.export_member(G.id, "u1"))["last_care_note"] is None
    # the same member in another group, and another member here, are untouched
    assert await repo.last_care_note(G2.id, "u1") == T0
    assert await repo.last_care_note(G.id, "u2") == T0


async def test_odd_unicode_text_is_hashed_and_kept_safely(repo: CaseRepo) -> None:
    await repo.set_keep_text_days(G.id, 1)
    odd = "a\ud800b\u200b\U0001f600" + "x" * 20000
    case = await repo.open_case(G.id, _new(text=odd), T0)
    assert case.text_hash and case.text is not None and case.text.endswith("x" * 100)
