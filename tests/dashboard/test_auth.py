"""The dashboard's sign-in rules and CSRF tokens, with a fake clock and a fake platform."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.core.errors import GroupbotError
from groupbot.core.ports import FakeClock, MemberLookup
from groupbot.core.types import Group, Member
from groupbot.dashboard.auth import (
    Moderators,
    Refusal,
    Session,
    SignIn,
    csrf_ok,
    csrf_token,
    token_hash,
)
from groupbot.storage.dashboard import DashboardRepo
from groupbot.storage.database import Database
from groupbot.storage.groups import GroupRepo

GROUP = Group("g1", "Group one", "console")
OTHER = Group("g2", "Group two", "console")


class FakePlatform:
    """Who is a moderator, as a platform would say; `down` makes it unreachable."""

    def __init__(self) -> None:
        self.moderators = {"u-robin", "u-sam"}
        self.members = {"u-robin", "u-sam", "u-alex"}
        self.down = False

    async def member_info(self, group: Group, member_id: str) -> Member | None:
        if self.down:
            raise GroupbotError("the platform did not answer")
        if member_id not in self.members:
            return None
        return Member(member_id, member_id[2:], is_moderator=member_id in self.moderators)


@dataclass
class Rig:
    db: Database
    repo: DashboardRepo
    clock: FakeClock
    platform: FakePlatform
    signin: SignIn

    async def link(self, member: str = "u-robin", group: Group = GROUP) -> str:
        return await self.signin.issue_link(group.id, member, member[2:], issued_by="chat")

    async def session(self, member: str = "u-robin") -> Session:
        found = await self.signin.redeem(await self.link(member), GROUP)
        assert isinstance(found, Session)
        return found


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    clock = FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    async with Database(tmp_path / "d.db") as db:
        for group in (GROUP, OTHER):
            await GroupRepo(db).ensure(group, clock.now())
        repo = DashboardRepo(db)
        platform = FakePlatform()
        assert isinstance(platform, MemberLookup)
        signin = SignIn(repo, clock, Moderators(repo, clock, platform),
                        idle=timedelta(minutes=30), lifetime=timedelta(hours=12))
        yield Rig(db, repo, clock, platform, signin)


# -- links ---------------------------------------------------------------------------------
async def test_a_link_signs_in_once_and_only_once(rig: Rig) -> None:
    token = await rig.link()
    first = await rig.signin.redeem(token, GROUP)
    assert isinstance(first, Session)
    assert (first.group_id, first.member_id) == ("g1", "u-robin")
    assert await rig.signin.redeem(token, GROUP) is Refusal.USED
    assert await rig.signin.inspect(token, GROUP.id) is Refusal.USED


async def test_opening_a_link_does_not_use_it(rig: Rig) -> None:
    token = await rig.link()
    for _ in range(3):  # a chat platform's link preview, then the moderator
        assert not isinstance(await rig.signin.inspect(token, GROUP.id), Refusal)
    assert isinstance(await rig.signin.redeem(token, GROUP), Session)


async def test_a_link_expires_after_ten_minutes(rig: Rig) -> None:
    early, late = await rig.link(), await rig.link()
    await rig.clock.advance(timedelta(minutes=9, seconds=59))
    assert isinstance(await rig.signin.redeem(early, GROUP), Session)
    await rig.clock.advance(timedelta(seconds=1))
    assert await rig.signin.inspect(late, GROUP.id) is Refusal.EXPIRED
    assert await rig.signin.redeem(late, GROUP) is Refusal.EXPIRED


async def test_a_forged_or_altered_link_is_refused(rig: Rig) -> None:
    token = await rig.link()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert await rig.signin.redeem(altered, GROUP) is Refusal.FORGED
    assert await rig.signin.redeem("", GROUP) is Refusal.FORGED
    assert await rig.signin.redeem("x" * 5000, GROUP) is Refusal.FORGED
    # the real one still works: a forged try spends nothing
    assert isinstance(await rig.signin.redeem(token, GROUP), Session)


async def test_another_groups_link_is_refused_and_stays_unused(rig: Rig) -> None:
    token = await rig.link(group=OTHER)
    assert await rig.signin.redeem(token, GROUP) is Refusal.OTHER_GROUP
    assert isinstance(await rig.signin.redeem(token, OTHER), Session)


async def test_someone_no_longer_a_moderator_cannot_use_their_link(rig: Rig) -> None:
    token = await rig.link("u-sam")
    rig.platform.moderators.discard("u-sam")
    assert await rig.signin.redeem(token, GROUP) is Refusal.NOT_MODERATOR
    assert await rig.signin.redeem(token, GROUP) is Refusal.USED  # it was spent
    record = await rig.repo.moderator("g1", "u-sam")
    assert record is not None and not record.is_moderator


async def test_when_the_platform_cannot_say_nobody_gets_in_and_the_link_keeps(rig: Rig) -> None:
    token = await rig.link()
    rig.platform.down = True
    assert await rig.signin.redeem(token, GROUP) is Refusal.UNCHECKED
    rig.platform.down = False
    assert isinstance(await rig.signin.redeem(token, GROUP), Session)


async def test_two_racing_redemptions_make_one_session(rig: Rig) -> None:
    import asyncio

    token = await rig.link()
    results = await asyncio.gather(*(rig.signin.redeem(token, GROUP) for _ in range(5)))
    assert sum(isinstance(r, Session) for r in results) == 1
    assert all(r is Refusal.USED for r in results if not isinstance(r, Session))


async def test_tokens_are_stored_only_as_sha256(rig: Rig, tmp_path: Path) -> None:
    token = await rig.link()
    session = await rig.signin.redeem(token, GROUP)
    assert isinstance(session, Session)
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(sqlite3.connect(tmp_path / "d.db").iterdump())
    assert token not in dump and session.token not in dump
    assert token_hash(token) in dump and token_hash(session.token) in dump
    assert len(token) >= 43  # 32 random bytes, URL-safe


# -- sessions ------------------------------------------------------------------------------
async def test_a_session_is_for_its_group_only(rig: Rig) -> None:
    session = await rig.session()
    assert isinstance(await rig.signin.session(session.token, GROUP), Session)
    assert await rig.signin.session(session.token, OTHER) is Refusal.NO_SESSION
    assert await rig.signin.session(None, GROUP) is Refusal.NO_SESSION
    assert await rig.signin.session("forged", GROUP) is Refusal.NO_SESSION


async def test_a_session_ends_after_thirty_idle_minutes(rig: Rig) -> None:
    session = await rig.session()
    for _ in range(4):  # used every 29 minutes: still signed in after two hours
        await rig.clock.advance(timedelta(minutes=29))
        assert isinstance(await rig.signin.session(session.token, GROUP), Session)
    await rig.clock.advance(timedelta(minutes=30))
    assert await rig.signin.session(session.token, GROUP) is Refusal.IDLE
    await rig.clock.advance(timedelta(minutes=1))  # and it stays ended
    assert await rig.signin.session(session.token, GROUP) is Refusal.IDLE


async def test_a_session_ends_at_its_absolute_lifetime_however_busy(rig: Rig) -> None:
    session = await rig.session()
    for _ in range(12 * 3 - 1):
        await rig.clock.advance(timedelta(minutes=20))
        assert isinstance(await rig.signin.session(session.token, GROUP), Session)
    await rig.clock.advance(timedelta(minutes=20))  # 12 hours after signing in
    assert await rig.signin.session(session.token, GROUP) is Refusal.ENDED


async def test_a_moderator_demoted_mid_session_is_signed_out_everywhere(rig: Rig) -> None:
    one, two = await rig.session(), await rig.session()
    rig.platform.moderators.discard("u-robin")
    assert await rig.signin.session(one.token, GROUP) is Refusal.NOT_MODERATOR
    rig.platform.moderators.add("u-robin")  # made a moderator again: a new link is needed
    assert await rig.signin.session(two.token, GROUP) is Refusal.NOT_MODERATOR
    assert isinstance(await rig.session(), Session)


async def test_a_member_who_left_the_group_is_signed_out(rig: Rig) -> None:
    session = await rig.session("u-sam")
    rig.platform.members.discard("u-sam")
    assert await rig.signin.session(session.token, GROUP) is Refusal.NOT_MODERATOR


async def test_signing_out_ends_only_that_session(rig: Rig) -> None:
    one, two = await rig.session(), await rig.session()
    await rig.signin.sign_out(one)
    assert await rig.signin.session(one.token, GROUP) is Refusal.SIGNED_OUT
    assert isinstance(await rig.signin.session(two.token, GROUP), Session)


async def test_alone_the_dashboard_trusts_the_bots_record(rig: Rig) -> None:
    """Without the platform, the record the bot keeps decides; `revoke` changes it."""
    alone = SignIn(rig.repo, rig.clock, Moderators(rig.repo, rig.clock, None))
    token = await alone.issue_link("g1", "u-sam", "sam", issued_by="operator")
    session = await alone.redeem(token, GROUP)
    assert isinstance(session, Session)
    assert await alone.revoke("g1", "u-sam", "sam") == 1
    assert await alone.session(session.token, GROUP) is Refusal.NOT_MODERATOR
    # a record the bot wrote: no longer a moderator
    token = await alone.issue_link("g1", "u-robin", "robin", issued_by="operator")
    await rig.repo.set_moderator("g1", "u-robin", "robin", False, "platform", rig.clock.now())
    assert await alone.redeem(token, GROUP) is Refusal.NOT_MODERATOR
    # and someone the bot never saw as a moderator cannot sign in alone
    await rig.db.execute("INSERT INTO dashboard_links (token_hash, group_id, member_id, "
                         "member_name, issued_by, created_at, expires_at) VALUES (?, 'g1', "
                         "'u-zed', 'zed', 'chat', ?, ?)",
                         (token_hash("zed-token"), rig.clock.now().isoformat(),
                          (rig.clock.now() + timedelta(minutes=5)).isoformat()))
    assert await alone.redeem("zed-token", GROUP) is Refusal.NOT_MODERATOR


# -- CSRF ----------------------------------------------------------------------------------
async def test_csrf_tokens_are_bound_to_their_session(rig: Rig) -> None:
    one, two = await rig.session(), await rig.session()
    assert csrf_ok(one.token, one.csrf)
    assert one.csrf == csrf_token(one.token)  # the same on every page of the session
    assert not csrf_ok(one.token, None)  # missing
    assert not csrf_ok(one.token, "")
    assert not csrf_ok(one.token, "0" * 64)  # wrong
    assert not csrf_ok(one.token, one.csrf[:-1])
    assert not csrf_ok(one.token, two.csrf)  # another session's
    assert not csrf_ok(two.token, one.csrf)
    assert one.token not in one.csrf
