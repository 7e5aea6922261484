"""The moderation engine's reading tables are built when the bot starts, not on the first
member's message (found by the Discord burst benchmark: half a second of blocked event loop
and ~15 MB allocated after `settle_heap` froze the heap)."""

from __future__ import annotations

from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.moderation import abuse_words, vocabulary
from tests.conftest import open_harness


async def test_the_speller_and_lexicon_exist_once_the_bot_has_started(
        config: Config, clock: FakeClock) -> None:
    vocabulary.speller.cache_clear()
    abuse_words.abuse_words.cache_clear()
    assert vocabulary.speller.cache_info().currsize == 0
    async with open_harness(config, clock) as h:
        assert vocabulary.speller.cache_info().currsize == 1
        assert abuse_words.abuse_words.cache_info().currsize == 1
        # the dry run left nothing behind: no case, no message, no queue item
        db = h.bot.services.store.db
        assert (await db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 0
        assert (await db.fetchone("SELECT COUNT(*) FROM mod_queue"))[0] == 0
        assert h.chat.events == []
