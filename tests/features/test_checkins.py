"""Check-ins: private answers, history, reminders, k-anonymous summaries, the care path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.commands import CommandContext, CommandRegistry
from groupbot.core.errors import MissingFeature
from groupbot.core.ports import FakeClock
from groupbot.core.types import Group, Interaction, Member, Reply
from groupbot.features.base import Feature, Services
from groupbot.features.checkins import CheckinsFeature, has_crisis_language
from groupbot.features.contracts import Delivery
from groupbot.platforms.console import ConsoleChat
from groupbot.storage.database import Database
from groupbot.storage.store import Store
from tests.conftest import Harness


@pytest.fixture
def config(db_target: str) -> Config:
    """These tests run on each backend: SQLite, then PostgreSQL (tests/conftest.py)."""
    return Config(database=db_target)


async def run(h: Harness, who: Member, text: str) -> list[Reply]:
    return await h.bot.handle_text_command(h.chat.group, h.general, who, text, h.chat)


def joined(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def press(h: Harness, who: Member, custom_id: str) -> list[Reply]:
    return await h.bot.handle_interaction(Interaction(custom_id, h.chat.group, h.general, who))


def checkins(h: Harness) -> CheckinsFeature:
    f = h.bot.feature("checkins")
    assert isinstance(f, CheckinsFeature)
    return f


async def test_checkin_is_private_and_history_shows_only_ones_own(harness: Harness) -> None:
    h = harness
    other = h.chat.add_member("sam")
    replies = await run(h, h.member, "/checkin 2 a long week at work")
    assert all(r.visibility.value == "private" for r in replies)
    assert "noted 2" in joined(replies) and "note is saved privately" in joined(replies)
    await run(h, other, "/checkin 4")
    mine = joined(await run(h, h.member, "/checkin history"))
    assert "2 (hard)" in mine and "a long week at work" in mine and "4 (good)" not in mine
    theirs = joined(await run(h, other, "/checkin history"))
    assert "4 (good)" in theirs and "long week" not in theirs


async def test_buttons_record_and_a_second_press_updates(harness: Harness) -> None:
    h = harness
    text = joined(await run(h, h.moderator, "/mod checkin post"))
    assert "Posted a check-in in #general" in text
    post = h.chat.of_kind("post")[-1]
    assert next(b.custom_id for b in post.buttons) == "gb:checkin:mood:1:1"
    assert "noted 3" in joined(await press(h, h.member, "gb:checkin:mood:1:3"))
    assert "updated your answer to 4" in joined(await press(h, h.member, "gb:checkin:mood:1:4"))
    history = await checkins(h).repo.history(h.chat.group.id, h.member.id)
    assert [(a.checkin_id, a.mood) for a in history] == [(1, 4)]
    assert "no longer" in joined(await press(h, h.member, "gb:checkin:mood:99:3"))
    assert "no longer" in joined(await press(h, h.member, "gb:checkin:mood:1:9"))


async def test_summary_is_shown_only_from_five_members(harness: Harness) -> None:
    h = harness
    await run(h, h.moderator, "/mod checkin post")
    members = [h.chat.add_member(f"m{i}") for i in range(5)]
    for i, m in enumerate(members[:4]):
        await press(h, m, f"gb:checkin:mood:1:{i + 1}")
    summary = joined(await run(h, h.moderator, "/mod checkin summary"))
    assert "4 members answered" in summary and "1 more needed" in summary
    assert "average" not in summary
    await press(h, members[4], "gb:checkin:mood:1:5")
    summary = joined(await run(h, h.moderator, "/mod checkin summary"))
    assert "5 members answered · average 3.0 of 5" in summary
    assert "finding it hard (1-2): 2" in summary
    assert "for moderators" in joined(await run(h, h.member, "/mod checkin summary"))


async def test_a_member_answering_twice_counts_once(harness: Harness) -> None:
    h = harness
    await run(h, h.moderator, "/mod checkin post")
    for mood in (5, 5, 5, 5, 5):
        await press(h, h.member, f"gb:checkin:mood:1:{mood}")
    summary = joined(await run(h, h.moderator, "/mod checkin summary"))
    assert "1 member answered" in summary and "average" not in summary


async def test_reminders_go_only_to_those_who_asked_and_have_not_answered(
        harness: Harness) -> None:
    h = harness
    quiet = h.chat.add_member("quiet")
    answered = h.chat.add_member("answered")
    assert "private reminder" in joined(await run(h, quiet, "/checkin remind on"))
    await run(h, answered, "/checkin remind on")
    await run(h, h.member, "/checkin remind on")
    assert "no more" in joined(await run(h, h.member, "/checkin remind off"))
    # the reminder pass is driven by hand here: under a fake clock the upkeep job runs only
    # from Bot.idle, which this test never calls
    await run(h, h.moderator, "/mod checkin post")
    await press(h, answered, "gb:checkin:mood:1:4")
    await h.clock.advance(timedelta(hours=23))
    await checkins(h).send_due_reminders()
    assert h.chat.private_to(quiet) == []
    await h.clock.advance(timedelta(hours=2))
    await checkins(h).send_due_reminders()
    await checkins(h).send_due_reminders()  # a second pass does not repeat it
    assert len(h.chat.private_to(quiet)) == 1
    assert "gentle reminder" in h.chat.private_to(quiet)[0].text
    assert h.chat.private_to(answered) == [] and h.chat.private_to(h.member) == []


async def test_reminders_are_sent_only_by_the_process_that_serves_the_group(
        harness: Harness) -> None:
    h = harness
    quiet = h.chat.add_member("quiet")
    await run(h, quiet, "/checkin remind on")
    await run(h, h.moderator, "/mod checkin post")
    await h.clock.advance(timedelta(hours=25))
    h.chat.owns_group = lambda group_id: False  # type: ignore[method-assign]
    await checkins(h).send_due_reminders()  # another shard's group: left to that process
    assert h.chat.private_to(quiet) == []
    h.chat.owns_group = lambda group_id: True  # type: ignore[method-assign]
    await checkins(h).send_due_reminders()
    assert len(h.chat.private_to(quiet)) == 1


async def test_the_upkeep_sends_reminders_once_the_day_has_passed(harness: Harness) -> None:
    h = harness
    quiet = h.chat.add_member("quiet")
    await run(h, quiet, "/checkin remind on")
    await run(h, h.moderator, "/mod checkin post")
    await h.clock.advance(timedelta(hours=23))
    await h.bot.idle()
    assert h.chat.private_to(quiet) == []
    await h.clock.advance(timedelta(hours=1, minutes=5))
    await h.bot.idle()
    assert [e.text[:20] for e in h.chat.private_to(quiet)] == ["A gentle reminder: t"]
    assert h.bot.services.upkeep.runs("checkins: reminders") == 2


async def test_bad_checkin_input_gets_help(harness: Harness) -> None:
    h = harness
    assert "from 1 to 5 (1 (really hard) to 5 (great))" in joined(
        await run(h, h.member, "/checkin 7"))
    assert "from 1 to 5" in joined(await run(h, h.member, "/checkin \u202e\u0000"))
    assert "must be one of on, off" in joined(await run(h, h.member, "/checkin remind maybe"))
    assert "Only you can see your answer" in joined(await run(h, h.member, "/checkin"))
    assert "You haven't checked in yet" in joined(await run(h, h.member, "/checkin history"))
    long_note = "ü" * 3000
    await run(h, h.member, f"/checkin 3 {long_note}")
    history = await checkins(h).repo.history(h.chat.group.id, h.member.id)
    assert history[0].note is not None and len(history[0].note) <= 1000


async def test_mydata_export_and_delete_reach_checkins(harness: Harness) -> None:
    h = harness
    await run(h, h.member, "/checkin 4 feeling steadier")
    await run(h, h.member, "/checkin remind on")
    export = joined(await run(h, h.member, "/mydata export"))
    assert "feeling steadier" in export
    done = joined(await run(h, h.member, "/mydata delete yes"))
    assert "checkins: 2" in done
    assert await checkins(h).repo.history(h.chat.group.id, h.member.id) == []


# -- the care path --------------------------------------------------------------------------
@dataclass
class CareWorld:
    bot: Bot
    chat: ConsoleChat
    member: Member


class FakeModeration(Feature):
    name = "moderation"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.calls: list[tuple[str, str, str]] = []

    def register(self, registry: CommandRegistry) -> None:
        registry.command("mod strikes", "x")(self.strikes)

    async def strikes(self, ctx: CommandContext) -> None:
        return None

    async def care_for(self, group: Group, member: Member, text: str, source: str) -> None:
        self.calls.append((member.id, text, source))

    async def alert(self, group: Group, reply: Reply, *, member_id: str | None = None,
                    item: int | None = None, crisis: bool = False,
                    reason: str | None = None) -> Delivery:
        await self.services.chat.alert_moderators(group, reply)
        return Delivery(True, item=item)

    async def deliver_waiting(self, group: Group) -> tuple[int, int]:
        return 0, 0


class BrokenCare(FakeModeration):
    """A moderation feature whose care path fails (its alerts still work)."""

    async def care_for(self, group: Group, member: Member, text: str, source: str) -> None:
        raise RuntimeError("the care path broke")


async def care_world(tmp_path: Path, moderation: type[FakeModeration]
                     ) -> AsyncIterator[CareWorld]:
    clock = FakeClock()
    chat = ConsoleChat(clock=clock)
    member = chat.add_member("alex")
    async with Database(tmp_path / "care.db") as db:
        services = Services(Config(database=str(tmp_path / "care.db")), Store(db), clock, chat)
        features: list[Feature] = [CheckinsFeature(services), moderation(services)]
        bot = Bot(services, features)
        yield CareWorld(bot, chat, member)


@pytest.fixture
async def with_moderation(tmp_path: Path) -> AsyncIterator[CareWorld]:
    async for w in care_world(tmp_path, FakeModeration):
        yield w


@pytest.fixture
async def broken_care(tmp_path: Path) -> AsyncIterator[CareWorld]:
    async for w in care_world(tmp_path, BrokenCare):
        yield w


async def test_check_ins_need_the_moderation_feature(tmp_path: Path) -> None:
    chat = ConsoleChat(clock=FakeClock())
    async with Database(tmp_path / "alone.db") as db:
        services = Services(Config(database=str(tmp_path / "alone.db")), Store(db),
                            FakeClock(), chat)
        with pytest.raises(MissingFeature, match="'checkins'.*'moderation'"):
            Bot(services, [CheckinsFeature(services)])


async def checkin(w: CareWorld, text: str) -> list[Reply]:
    general = w.chat.channel("general")
    assert general is not None
    return await w.bot.handle_text_command(w.chat.group, general, w.member, text, w.chat)


async def test_mood_one_uses_the_moderation_care_path(with_moderation: CareWorld) -> None:
    w = with_moderation
    await checkin(w, "/checkin 1")
    moderation = w.bot.feature("moderation")
    assert isinstance(moderation, FakeModeration)
    assert moderation.calls == [("u-alex", "check-in mood 1 of 5", "checkin")]


async def test_crisis_language_in_a_note_uses_the_care_path(with_moderation: CareWorld) -> None:
    w = with_moderation
    await checkin(w, "/checkin 3 honestly I want to die some days")
    moderation = w.bot.feature("moderation")
    assert isinstance(moderation, FakeModeration)
    assert [c[2] for c in moderation.calls] == ["checkin"]
    await checkin(w, "/checkin 2 tired but okay")
    assert len(moderation.calls) == 1


async def test_when_the_care_path_fails_the_member_gets_kind_words_and_mods_are_told(
        broken_care: CareWorld) -> None:
    w = broken_care
    replies = await checkin(w, "/checkin 1")
    text = joined(replies)
    assert "emergency number" in text and "not a crisis service" in text
    alerts = w.chat.of_kind("modlog")
    assert len(alerts) == 1 and "u-alex" in alerts[0].text
    assert "mood" not in alerts[0].text.lower()  # the answer itself stays private


def test_crisis_phrases() -> None:
    assert has_crisis_language("I keep thinking about ending it")
    assert has_crisis_language("I don't want to be alive")
    assert not has_crisis_language("this week was hard but I killed it at my exam")
    assert not has_crisis_language(None)
