"""Typos get help: the closest commands, only the relevant level of the tree, and options
such as tz= and grace= wherever they are typed (issue 17)."""

from __future__ import annotations

import pytest

from groupbot.core.errors import UsageError
from tests.conftest import Harness


def _last_private(h: Harness) -> str:
    return h.chat.of_kind("private")[-1].text


@pytest.mark.parametrize(("typed", "wanted"), [
    ("/exerpt boundaries", "Did you mean /excerpt?"),
    ("/hlep", "Did you mean /help?"),
    ("/mydta export", "Did you mean /mydata?"),
])
async def test_an_unknown_command_suggests_the_closest(harness: Harness, typed: str,
                                                       wanted: str) -> None:
    await harness.command(harness.member, typed)
    text = _last_private(harness)
    assert wanted in text
    assert "Type /help" in text


async def test_an_unknown_subcommand_suggests_its_sibling_and_lists_one_level_only(
        harness: Harness) -> None:
    await harness.command(harness.moderator, "/mod shedule list")
    text = _last_private(harness)
    assert "/mod has no 'shedule'. Did you mean /mod schedule?" in text
    assert "schedule" in text and "queue" in text  # the names one level down ...
    assert "/mod queue claim" not in text  # ... not the 28 commands below them
    assert text.count("/mod") < 6

    await harness.command(harness.moderator, "/mod schedule lst")
    text = _last_private(harness)
    assert "Did you mean /mod schedule list?" in text
    assert "/mod schedule add <channel> <when>" in text  # leaves: how to type each
    assert "/mod queue" not in text


async def test_a_typo_of_a_default_groups_subcommand_is_not_taken_as_its_options(
        harness: Harness) -> None:
    await harness.command(harness.member, "/checkin histroy")
    text = _last_private(harness)
    assert "Did you mean /checkin history?" in text
    await harness.command(harness.member, "/checkin 4")
    assert "I noted 4 (good)" in _last_private(harness)


async def test_help_for_a_moderator_group_tells_a_member_who_it_is_for(
        harness: Harness) -> None:
    await harness.command(harness.member, "/help mod")
    text = _last_private(harness)
    assert "for the group's moderators" in text
    assert "no such command" not in text.lower() and "There is no command" not in text
    await harness.command(harness.member, "/help mod schedule add")
    assert "/mod schedule add is for the group's moderators" in _last_private(harness)


async def test_help_narrows_by_whole_words_and_suggests_on_a_typo(harness: Harness) -> None:
    await harness.command(harness.moderator, "/help mod schedule")
    text = _last_private(harness)
    assert "/mod schedule add" in text and "/mod setup" not in text
    await harness.command(harness.member, "/help exerpt")
    text = _last_private(harness)
    assert "Did you mean /excerpt?" in text and "/help for the list" in text
    await harness.command(harness.moderator, "/help mod shedule")
    assert "Did you mean /mod schedule?" in _last_private(harness)


@pytest.mark.parametrize("typed", [
    "/mod schedule add #general daily 03:10 tz=UTC checkin",
    "/mod schedule add #general tz=UTC daily 03:10 checkin",
    "/mod schedule add #general daily tz=UTC 03:10 grace=30 checkin",
    "/mod schedule add tz=UTC #general daily 03:10 checkin",
])
async def test_keyword_options_may_come_anywhere(harness: Harness, typed: str) -> None:
    await harness.command(harness.moderator, typed)
    text = _last_private(harness)
    assert text.startswith("Schedule 1: check-ins in #general, daily 03:10 (UTC)"), text


def test_the_parser_takes_keywords_out_of_the_middle_of_text(harness: Harness) -> None:
    registry = harness.bot.registry
    parsed = registry.parse("/mod schedule add #general every 2 weeks tz=Europe/Berlin "
                            "fri 18:00 grace=30 boundaries")
    assert parsed.raw == {"channel": "#general", "when": "every 2 weeks fri 18:00 boundaries",
                          "tz": "Europe/Berlin", "grace": "30"}
    # a quoted phrase is text, never an option
    parsed = registry.parse('/mod policy test "tz=UTC" is fine')
    assert parsed.raw == {"text": '"tz=UTC" is fine'}


def test_a_mistyped_option_name_is_named(harness: Harness) -> None:
    with pytest.raises(UsageError, match=r"has no option tzz=; did you mean tz=\?"):
        harness.bot.registry.parse("/mod schedule add #general daily 03:10 tzz=UTC checkin")
