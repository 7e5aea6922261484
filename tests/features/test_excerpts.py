"""/excerpt and /article through the Bot, in a console group (the seed is ingested at start)."""

from __future__ import annotations

import pytest

from groupbot.config import Config
from groupbot.core.types import Interaction, Visibility
from tests.conftest import Harness


@pytest.fixture
def config(db_target: str) -> Config:
    """These tests run on each backend: SQLite, then PostgreSQL (tests/conftest.py)."""
    return Config(database=db_target)


def _posts(h: Harness) -> list[str]:
    return [e.text for e in h.chat.of_kind("post")]


async def test_excerpt_query_posts_cited_passage_with_next_button(harness: Harness) -> None:
    h = harness
    await h.command(h.member, "/excerpt what therapy helps codependency")
    post = h.chat.of_kind("post")[-1]
    reply = post.reply
    assert reply is not None and reply.visibility is Visibility.PUBLIC
    assert reply.title == "What Type Of Therapy Treats Codependency?"
    assert reply.citation is not None
    assert "Codependency Vs. Interdependence" in reply.citation
    assert "Dr. Wasif MD" in reply.citation and "2023-12-26" in reply.citation
    assert "not a substitute" in reply.citation
    assert "**" in reply.text
    assert len(reply.text.replace("**", "")) <= 600
    assert [b.label for b in reply.buttons] == ["Next result"]
    custom_id = reply.buttons[0].custom_id
    assert custom_id.startswith("gb:excerpt:next:") and len(custom_id) <= 100

    # the button works through the bot, and keeps working from its id alone
    seen = {reply.text}
    for _ in range(3):
        interaction = Interaction(custom_id, h.chat.group, h.general, h.member)
        replies = await h.bot.handle_interaction(interaction)
        assert len(replies) == 1 and replies[0].visibility is Visibility.PUBLIC
        nxt = replies[0]
        assert nxt.text.startswith("Result ")
        assert nxt.text not in seen and nxt.citation
        seen.add(nxt.text)
        custom_id = nxt.buttons[0].custom_id


async def test_excerpt_alone_gives_a_different_passage_each_time(harness: Harness) -> None:
    h = harness
    texts = []
    for _ in range(5):
        await h.command(h.member, "/excerpt")
        reply = h.chat.of_kind("post")[-1].reply
        assert reply is not None and reply.text.startswith("A passage to reflect on:")
        assert reply.citation and reply.title
        texts.append(reply.text)
    assert len(set(texts)) == 5
    button = h.chat.of_kind("post")[-1].buttons[0]
    again = await h.bot.handle_interaction(Interaction(button.custom_id, h.chat.group, h.general,
                                                       h.moderator))
    assert again[0].text not in texts


async def test_no_match_is_private_and_suggests_words(harness: Harness) -> None:
    h = harness
    before = len(_posts(h))
    await h.command(h.member, "/excerpt theraphy")
    assert len(_posts(h)) == before  # nothing unrelated posted in the channel
    note = h.chat.private_to(h.member)[-1].text
    assert "found no passage" in note and "“theraphy”" in note and "therapy" in note


async def test_partial_match_says_what_is_missing(harness: Harness) -> None:
    h = harness
    await h.command(h.member, "/excerpt boundaries")
    reply = h.chat.of_kind("post")[-1].reply
    assert reply is not None
    assert reply.text.startswith("Nothing in the library mentions “boundaries”")


async def test_odd_excerpt_queries_get_clear_answers(harness: Harness) -> None:
    h = harness
    for text in ['/excerpt "NEAR(family therapy) AND -x* (OR:', "/excerpt 🙂💔🙂",
                 "/excerpt " + "family " * 1000, "/excerpt ｆａｍｉｌｙ ｔｈｅｒａｐｙ"]:
        replies = await h.bot.handle_text_command(h.chat.group, h.general, h.member, text, h.chat)
        assert replies, text
        assert not any("went wrong" in r.text for r in replies), text
    long_reply = (await h.bot.handle_text_command(h.chat.group, h.general, h.member,
                                                  "/excerpt " + "a" * 10_000, h.chat))[0]
    assert "too long" in long_reply.text


async def test_article_browsing_commands(harness: Harness) -> None:
    h = harness
    await h.command(h.member, "/article list")
    listing = h.chat.private_to(h.member)[-1].text
    assert "1. **Codependency Vs. Interdependence**, Dr. Wasif MD" in listing
    await h.command(h.member, "/article sections")
    sections = h.chat.private_to(h.member)[-1].text
    assert "- What Does Interdependence Mean?" in sections
    assert "    - Challenges Related to Self-esteem" in sections
    await h.command(h.member, "/article references 1")
    refs = h.chat.private_to(h.member)[-1].text
    assert "4. Wright, P. H., & Wright, K. D. (1991)" in refs
    assert "Andrea Piacquadio" in refs and "not intended to be a substitute" in refs
    await h.command(h.member, "/article sections gardening")
    assert "can't find an article called 'gardening'" in h.chat.private_to(h.member)[-1].text


async def test_stale_button_ids_are_handled(harness: Harness) -> None:
    h = harness
    for custom_id in ["gb:excerpt:next:999999:1", "gb:excerpt:next:bad", "gb:excerpt:next:1:x"]:
        replies = await h.bot.handle_interaction(Interaction(custom_id, h.chat.group, h.general,
                                                             h.member))
        assert replies[0].visibility is Visibility.PRIVATE
        assert "expired" in replies[0].text or "no longer in use" in replies[0].text


async def test_seed_is_ingested_once_at_start(harness: Harness) -> None:
    feature = harness.bot.feature("excerpts")
    assert feature is not None
    library = feature.library  # type: ignore[attr-defined]
    articles = await library.articles()
    assert [a.slug for a in articles] == ["codependency-vs-interdependence"]
    again = await library.ensure_seeds(harness.bot.services.config.seeds_dir)
    assert [r.status for r in again] == ["unchanged"]
