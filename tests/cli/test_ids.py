"""Numbers beyond what SQLite can hold (10^23) are simply not found: every command and button
that takes an integer answers with "there is no such ..." or a usage line, and nothing reaches
the database to raise OverflowError (issue 15, part 7)."""

from __future__ import annotations

import logging

import pytest

from groupbot.core.commands import (
    SQL_INT_MAX,
    CommandRegistry,
    OptionKind,
    OptionSpec,
    stored_id,
)
from groupbot.core.errors import UsageError
from groupbot.core.types import Group, Interaction, Reply
from tests.conftest import Harness

BIG = str(10**23)
JUST_OVER = str(SQL_INT_MAX + 1)

# (who, command, what the reply says)
NOT_FOUND = [
    ("mod", f"/mod case {BIG}", f"There is no case {BIG} in this group."),
    ("mod", f"/mod case {BIG} reason typo", f"There is no case {BIG} in this group."),
    ("mod", f"/mod case {BIG} close done", f"There is no case {BIG} in this group."),
    ("mod", f"/mod case {JUST_OVER}", f"There is no case {JUST_OVER} in this group."),
    ("member", f"/appeal {BIG} please look again", f"Case {BIG} isn't one about you"),
    ("mod", f"/mod queue claim {BIG}", f"There is no item {BIG} in this group's queue."),
    ("mod", f"/mod queue resolve {BIG} done", f"There is no item {BIG} in this group's queue."),
    ("mod", f"/mod queue restore {BIG}", f"There is no item {BIG} in this group's queue."),
    ("mod", f"/mod queue confirm {BIG}", f"There is no item {BIG} in this group's queue."),
    ("mod", f"/mod schedule pause {BIG}", f"There is no schedule {BIG} in this group."),
    ("mod", f"/mod schedule resume {BIG}", f"There is no schedule {BIG} in this group."),
    ("mod", f"/mod schedule skip {BIG}", f"There is no schedule {BIG} in this group."),
    ("mod", f"/mod schedule remove {BIG}", f"There is no schedule {BIG} in this group."),
    ("mod", f"/mod schedule except {BIG} 2026-12-25",
     f"There is no schedule {BIG} in this group."),
    ("mod", f"/mod schedule pause {JUST_OVER}", f"There is no schedule {JUST_OVER} in this"),
    ("mod", f"/mod pardon alex {BIG}", f"There is no case {BIG} in this group."),
    # other integer options: a usage line
    ("mod", f"/mod cases page={BIG}", "<page> is too large a number. Usage: /mod cases"),
    ("mod", f"/mod policy keep-text {BIG}", "<days> must be a whole number from 0 to 365"),
    ("member", f"/checkin {BIG}", "<mood> must be a whole number from 1 to 5"),
    ("mod", f"/mod prompt curriculum boundaries {BIG}", "<week> must be a whole number from 1"),
    ("mod", f"/mod schedule add #general daily 09:00 grace={BIG}",
     "<grace> must be a whole number from 1 to 1440"),
    ("mod", f"/mod case -{BIG}", "<id> must be at least 1"),
]


@pytest.mark.parametrize(("who", "command", "expected"), NOT_FOUND,
                         ids=[c.split(" 1")[0].split(" -1")[0] for _w, c, _e in NOT_FOUND])
async def test_an_id_beyond_sqlite_is_not_found_and_nothing_is_logged(
        harness: Harness, caplog: pytest.LogCaptureFixture, who: str, command: str,
        expected: str) -> None:
    invoker = harness.moderator if who == "mod" else harness.member
    with caplog.at_level(logging.WARNING):
        replies = await harness.bot.handle_text_command(
            harness.chat.group, harness.general, invoker, command, harness.chat)
    assert len(replies) == 1 and expected in replies[0].text, replies
    assert "something went wrong" not in replies[0].text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "OverflowError" not in caplog.text


async def test_a_page_past_int64_offsets_is_past_the_last_page(harness: Harness) -> None:
    """page=10^18 fits SQLite, but (page - 1) * 10 would not: still no traceback."""
    replies = await harness.bot.handle_text_command(
        harness.chat.group, harness.general, harness.moderator,
        f"/mod cases page={10**18}", harness.chat)
    assert replies[0].text == "No cases in this group."


async def test_the_largest_stored_integer_is_still_looked_up(harness: Harness) -> None:
    """The boundary itself reaches the query (and is not there): not a usage error."""
    replies = await harness.bot.handle_text_command(
        harness.chat.group, harness.general, harness.moderator,
        f"/mod schedule pause {SQL_INT_MAX}", harness.chat)
    assert replies[0].text.startswith(f"There is no schedule {SQL_INT_MAX} in this group.")


@pytest.mark.parametrize("custom_id", [
    f"gb:care:reach:{BIG}", f"gb:care:ok:{BIG}", f"gb:checkin:mood:{BIG}:3",
    f"gb:excerpt:next:{BIG}:1", f"gb:excerpt:next:1:{BIG}",
])
async def test_buttons_carrying_huge_numbers_are_no_longer_in_use(
        harness: Harness, caplog: pytest.LogCaptureFixture, custom_id: str) -> None:
    assert harness.bot.registry.button_handler(custom_id) is not None, custom_id
    clicked = Interaction(custom_id, harness.chat.group, harness.general, harness.member, None)
    with caplog.at_level(logging.WARNING):
        replies = await harness.bot.handle_interaction(clicked)
    assert replies and all(isinstance(r, Reply) for r in replies)
    assert "no longer in use" in replies[0].text or "someone else" in replies[0].text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), ("42", 42), (str(SQL_INT_MAX), SQL_INT_MAX), (str(SQL_INT_MAX + 1), None),
    (BIG, None), ("0", None), ("-3", None), ("", None), ("12a", None), ("١٢", None),
    ("9" * 5000, None),
])
def test_stored_id(text: str, expected: int | None) -> None:
    assert stored_id(text) == expected


async def test_the_parser_rule_covers_every_integer_option() -> None:
    """A feature's INTEGER option with no `missing` wording still never lets a huge number
    through: the parser gives a usage line."""
    registry = CommandRegistry()

    async def handler(ctx: object) -> None:
        raise AssertionError("not reached")

    registry.command("thing", "x", OptionSpec("n", OptionKind.INTEGER, "a number"))(handler)
    spec = registry.get(("thing",))
    assert spec is not None
    group = Group("g", "G", "console")
    for raw in (BIG, -(10**23), 10**23):  # text, and the native ints Discord would send
        with pytest.raises(UsageError, match="<n> is too large a number"):
            await registry.convert(spec, {"n": raw}, group, None)
    assert (await registry.convert(spec, {"n": str(SQL_INT_MAX)}, group, None)) == {
        "n": SQL_INT_MAX}
