"""/mod prompt commands through the Bot on the console platform, and start-up checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from groupbot.config import Config
from groupbot.core.errors import ContentError
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel
from groupbot.features.prompts import PromptsFeature
from groupbot.platforms.console import ConsoleChat
from groupbot.prompts_library.model import PromptLibrary
from groupbot.prompts_library.rotation import PromptRotation
from groupbot.runtime import open_bot
from tests.conftest import Harness, open_harness


def last_private(h: Harness) -> str:
    return h.chat.private_to(h.moderator)[-1].text


def feature(h: Harness) -> PromptsFeature:
    found = h.bot.feature("prompts")
    assert isinstance(found, PromptsFeature)
    return found


async def test_feature_exposes_library_and_rotation(harness: Harness) -> None:
    prompts = feature(harness)
    assert isinstance(prompts.library, PromptLibrary) and len(prompts.library) >= 80
    assert isinstance(prompts.rotation, PromptRotation)


async def test_moderator_posts_a_themed_prompt_with_a_thread(harness: Harness) -> None:
    await harness.command(harness.moderator, "/mod prompt post boundaries")
    (post,) = harness.chat.of_kind("post")
    assert post.channel_id == harness.general.id and post.reply is not None
    assert post.reply.title == "Boundaries"
    assert "Share only what you want to" in post.text
    (thread,) = harness.chat.of_kind("thread")
    assert thread.text == post.reply.thread_name and thread.text.startswith("Boundaries: ")
    prompt_id = last_private(harness).split("`")[1]
    prompt = feature(harness).library.get(prompt_id)
    assert prompt is not None and prompt.theme == "boundaries" and prompt.text in post.text
    assert "1 of 11 prompts (Boundaries) used" in last_private(harness)
    await harness.command(harness.moderator, "/mod prompt post boundaries")
    assert "2 of 11" in last_private(harness)
    assert len({e.text for e in harness.chat.of_kind("post")}) == 2


async def test_members_cannot_post_prompts(harness: Harness) -> None:
    await harness.command(harness.member, "/mod prompt post")
    assert harness.chat.of_kind("post") == []
    assert "is for moderators" in harness.chat.private_to(harness.member)[-1].text


async def test_unknown_theme_is_a_kind_private_reply(harness: Harness) -> None:
    await harness.command(harness.moderator, "/mod prompt post selfcare")
    assert harness.chat.of_kind("post") == []
    text = last_private(harness)
    assert "I don't know a theme called 'selfcare'" in text and "Did you mean 'self-care'" in text


async def test_list_and_preview(harness: Harness) -> None:
    await harness.command(harness.moderator, "/mod prompt list")
    overview = last_private(harness)
    assert "prompts in 9 themes" in overview
    assert "`family-patterns` Family patterns (10)" in overview
    assert "`codependency-to-interdependence` From codependency to interdependence: 8 weeks" \
        in overview
    await harness.command(harness.moderator, "/mod prompt list family patterns")
    listing = last_private(harness)
    assert "Family patterns: 10 prompts (0 used" in listing
    assert "`family-patterns-005`" in listing and "[content note]" in listing
    await harness.command(harness.moderator, "/mod prompt preview family-patterns-005")
    preview = last_private(harness)
    assert preview.startswith("Content note:") and "Preview only, not posted" in preview
    assert "family-patterns.yaml:" in preview
    await harness.command(harness.moderator, "/mod prompt preview family-patterns-05")
    assert "Did you mean `family-patterns-005`" in last_private(harness)
    assert harness.chat.of_kind("post") == []  # nothing was posted by browsing


async def test_curriculum_command_drives_posts_in_order(harness: Harness) -> None:
    await harness.command(harness.moderator,
                          "/mod prompt curriculum codependency-to-interdependence")
    assert "now follows From codependency to interdependence from week 1 of 8" \
        in last_private(harness)
    for week in (1, 2):
        await harness.command(harness.moderator, "/mod prompt post")
        post = harness.chat.of_kind("post")[-1]
        assert post.reply is not None and post.reply.title is not None
        assert post.reply.title.startswith(
            f"From codependency to interdependence · Week {week} of 8")
    lib = feature(harness).library
    first = lib.get(lib.curricula["codependency-to-interdependence"].weeks[0].prompt_ids[0])
    assert first is not None and first.text in harness.chat.of_kind("post")[0].text
    await harness.command(harness.moderator, "/mod prompt curriculum")
    assert "next is week 3 of 8" in last_private(harness)
    await harness.command(harness.moderator, "/mod prompt curriculum off")
    assert "back to random rotation" in last_private(harness)
    await harness.command(harness.moderator, "/mod prompt curriculum nope")
    assert "I don't know a curriculum called 'nope'" in last_private(harness)


async def test_curriculum_for_another_channel(harness: Harness) -> None:
    other = harness.chat.add_channel("support")
    await harness.command(harness.moderator, "/mod prompt curriculum gentle-self-care 6 "
                                             "channel=#support")
    assert "#support now follows Gentle self-care from week 6 of 6" in last_private(harness)
    await harness.command(harness.moderator, "/mod prompt post", channel=other)
    post = harness.chat.of_kind("post")[-1]
    assert post.channel_id == other.id and post.reply is not None
    assert post.reply.title == "Gentle self-care · Week 6 of 6: Small steps, celebrated"


async def test_a_failed_post_gives_the_prompt_back(harness: Harness) -> None:
    ghost = Channel(id="c-ghost", name="ghost", group_id=harness.chat.group.id)
    await harness.command(harness.moderator, "/mod prompt post boundaries", channel=ghost)
    assert harness.chat.of_kind("post") == []
    assert "cannot post in unknown channel" in last_private(harness)
    rotation = feature(harness).rotation
    assert await rotation.progress(harness.chat.group.id, ghost.id, "boundaries") == (0, 11)


async def test_a_broken_library_stops_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "prompts"
    broken.mkdir()
    (broken / "a.yaml").write_text("theme: boundaries\nprompts:\n  - id: b-001\n    text: x\n",
                                   encoding="utf-8")
    config = Config(database=str(tmp_path / "g.db"), prompts_dir=broken)
    clock = FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    with pytest.raises(ContentError) as info:
        async with open_bot(config, ConsoleChat(clock=clock), clock):
            pass
    assert str(info.value) == f"{broken / 'a.yaml'}:3: field 'prompts[0].follow_ups': is missing"


@pytest.fixture
def prompts_copy(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "prompts"
    shutil.copytree(Path(__file__).resolve().parents[2] / "prompts", folder)
    return folder


async def test_reload_applies_edited_prompt_files_and_refuses_broken_ones(
        tmp_path: Path, prompts_copy: Path, clock: FakeClock) -> None:
    """A facilitator edits the files while the bot runs: `/mod prompt reload` swaps the
    new library in when it checks out, and otherwise names the problems and keeps the old."""
    folder = prompts_copy
    config = Config(database=str(tmp_path / "g.db"), prompts_dir=folder)
    async with open_harness(config, clock) as h:
        member, moderator = h.member, h.moderator
        before = len(feature(h).library)
        (folder / "rest.yaml").write_text(
            "theme: rest\ntitle: Rest\nprompts:\n"
            "  - id: rest-001\n    text: What does a restful evening look like for you?\n"
            "    follow_ups:\n      - What gets in the way of it?\n", encoding="utf-8")
        await h.command(moderator, "/mod prompt reload")
        assert "Reloaded" in last_private(h)
        assert len(feature(h).library) == before + 1
        assert feature(h).library.get("rest-001") is not None
        assert feature(h).rotation.library is feature(h).library
        small = folder / "small-wins.yaml"
        original = small.read_text(encoding="utf-8")
        small.write_text(original.replace("\n    text:", "\n    txet:", 1), encoding="utf-8")
        kept = feature(h).library
        await h.command(moderator, "/mod prompt reload")
        reply = last_private(h)
        assert "small-wins.yaml:" in reply and "stays as it is" in reply
        assert feature(h).library is kept
        await h.command(member, "/mod prompt reload")  # members may not
        assert feature(h).library is kept
