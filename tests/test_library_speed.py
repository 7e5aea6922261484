"""What keeps /excerpt fast without changing its answers: common words set aside while rarer
ones can fill the page, per-library caches (counts, close words) that notice changes made by
another process and give the answers a fresh search gives, and an FTS5 index merged after
ingest."""

from __future__ import annotations

import random
from pathlib import Path

import aiosqlite
import pytest

import groupbot.library.service as service_module
from benchmarks.gen_excerpt_library import generate
from groupbot.library.model import SearchOutcome
from groupbot.library.service import ExcerptService, _tiers
from groupbot.storage.database import Database


def _write_mixed_article(path: Path) -> None:
    """"kettle" in ten paragraphs, "lantern" in one, never together nor in a title."""
    paras = [f"The kettle number {i} sang on a quiet stove today." for i in range(10)]
    paras.insert(6, "Someone kept a small lantern by the window for the long winter.")
    paras.append("Nothing here but porridge and a spoon.")
    path.write_text("# Morning Notes\n\n## Quiet Hours\n\n" + "\n\n".join(paras) + "\n", "utf-8")


async def test_common_word_does_not_bury_the_rare_one(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # a tiny library: make "common" mean "in 3 passages or more" so the rule applies
    monkeypatch.setattr(service_module, "COMMON_MIN_PASSAGES", 3)
    art = tmp_path / "notes.md"
    _write_mixed_article(art)
    async with Database(tmp_path / "m.db") as db:
        service = ExcerptService(db)
        await service.ingest([art])
        searched: list[str] = []
        real_search = service.repo.search

        async def spy(match: str, weights: tuple[float, float], limit: int,
                      offset: int = 0) -> list[aiosqlite.Row]:
            searched.append(match)
            return await real_search(match, weights, limit, offset)

        monkeypatch.setattr(service.repo, "search", spy)
        best = await service.best("kettle lantern")
        assert best is not None and "**lantern**" in best.marked
        # the page was filled by the rare word's tier: the common word's ten passages
        # were not all scored for it
        assert searched[-1].startswith('(("lantern")) AND (')
        assert not any(expr.startswith('"kettle" OR') for expr in searched)

        # paging on still reaches every passage with either word, once each, rare one first
        pages = [await service.search("kettle lantern", limit=1, offset=i) for i in range(12)]
        ids = [p.results[0].passage_id for p in pages if p.results]
        assert len(ids) == len(set(ids)) == 11
        assert "lantern" in pages[0].results[0].text
        assert all("kettle" in p.results[0].text for p in pages[1:11])
        assert pages[11].best is None


async def test_small_library_keeps_every_word_in_every_tier(tmp_path: Path) -> None:
    art = tmp_path / "notes.md"
    _write_mixed_article(art)
    async with Database(tmp_path / "s.db") as db:
        service = ExcerptService(db)
        await service.ingest([art])
        version, counts, common_at = await service._term_counts(['"kettle"', '"lantern"'])
        assert counts == [10, 1]
        assert common_at == service_module.COMMON_MIN_PASSAGES > 10
        assert version == await service.repo.version()


def test_tiers_add_a_rare_word_tier_only_for_mixed_queries() -> None:
    groups = ['"kettle"', '"lantern"']
    words = ['"kettle"', '"lantern"']
    any_match = '"kettle" OR "lantern" OR "kettle lantern"'
    mixed = _tiers(groups, ['"lantern"'], words, any_match)
    assert mixed == [
        f'("kettle") AND ("lantern") AND ({any_match})',
        f'{{heading}} : ("kettle" OR "lantern") AND ({any_match})',
        f'(("lantern")) AND ({any_match})',
        any_match,
    ]
    assert _tiers(groups, groups, words, any_match) == [*mixed[:2], any_match]  # none common
    assert _tiers(groups, [], words, any_match) == [*mixed[:2], any_match]  # all common


async def test_caches_notice_another_process_changing_the_library(tmp_path: Path) -> None:
    first = tmp_path / "first.md"
    first.write_text("# Tea Notes\n\n## Brewing\n\nWarm the pot before the leaves go in.\n",
                     "utf-8")
    second = tmp_path / "second.md"
    second.write_text("# Lamp Notes\n\n## Evenings\n\nA lantern glows by the lantern-lit "
                      "window. The lantern needs oil.\n", "utf-8")
    async with Database(tmp_path / "c.db") as bot_db:
        bot = ExcerptService(bot_db)
        await bot.ingest([first])
        before = await bot.search("lanternn")
        assert before.best is None and before.suggestions != ["lantern"]
        assert "lantern" not in await bot.common_words()
        version = await bot.repo.version()

        async with Database(tmp_path / "c.db") as cli_db:  # e.g. `groupbot library ingest`
            await ExcerptService(cli_db).ingest([second])

        assert await bot.repo.version() > version
        after = await bot.search("lanternn")
        assert after.suggestions[0] == "lantern"  # the vocabulary cache was refreshed
        assert "lantern" in await bot.common_words()
        found = await bot.best("lantern")
        assert found is not None and found.section == "Evenings"
        assert bot._stats is not None and bot._stats.passages == 2


async def test_version_changes_with_every_article_change(tmp_path: Path) -> None:
    art = tmp_path / "notes.md"
    art.write_text("# Notes\n\n## One\n\nA first line of text.\n", "utf-8")
    async with Database(tmp_path / "v.db") as db:
        service = ExcerptService(db)
        v0 = await service.repo.version()
        await service.ingest([art])
        v1 = await service.repo.version()
        await service.ingest([art])  # unchanged
        assert await service.repo.version() == v1 > v0
        art.write_text("# Notes\n\n## One\n\nA changed line of text.\n", "utf-8")
        await service.ingest([art])
        v2 = await service.repo.version()
        assert await service.repo.remove_article("notes")
        assert await service.repo.version() > v2 > v1


async def test_ingest_leaves_each_index_in_one_segment(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    for i in range(6):
        (folder / f"a{i}.md").write_text(
            f"# Article {i}\n\n## Part\n\nParagraph {i} about tea and kettles.\n\n"
            f"Another paragraph {i} about lanterns.\n", "utf-8")
    async with Database(tmp_path / "o.db") as db:
        service = ExcerptService(db)
        assert {r.status for r in await service.ingest([folder])} == {"added"}
        for table in ("library_fts_idx", "library_words_idx"):
            row = await db.fetchone(f"SELECT count(DISTINCT segid) FROM {table}")
            assert row is not None and row[0] == 1, table
        hits = await service.search("kettles", limit=10)
        assert len(hits.results) == 6
        integrity = await db.fetchone(
            "INSERT INTO library_fts(library_fts, rank) VALUES('integrity-check', 1)")
        assert integrity is None


async def test_counts_and_close_words_are_kept_until_the_library_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = tmp_path / "first.md"
    first.write_text("# Tea Notes\n\n## Brewing\n\nWarm the kettle before the leaves go in.\n",
                     "utf-8")
    second = tmp_path / "second.md"
    second.write_text("# Lamp Notes\n\n## Evenings\n\nA lantern glows by the kettle.\n",
                      "utf-8")
    async with Database(tmp_path / "k.db") as bot_db:
        bot = ExcerptService(bot_db)
        await bot.ingest([first])
        counted: list[list[str]] = []
        real_counts = bot.repo.term_counts

        async def spy(phrases: list[str], cap: int) -> tuple[int, list[int]]:
            counted.append(list(phrases))
            return await real_counts(phrases, cap)

        monkeypatch.setattr(bot.repo, "term_counts", spy)
        close_calls: list[str] = []
        real_close = bot._close_to

        async def close_spy(word: str, per_word: int) -> list[str]:
            close_calls.append(word)
            return await real_close(word, per_word)

        monkeypatch.setattr(bot, "_close_to", close_spy)

        before = await bot.search("kettle lantern kettel")
        assert before.missing == ["lantern", "kettel"] and before.suggestions == ["kettle"]
        again = await bot.search("kettle lantern kettel")
        assert again.missing == before.missing and again.suggestions == before.suggestions
        assert [r.passage_id for r in again.results] == [r.passage_id for r in before.results]
        # the second search counted nothing and asked difflib nothing
        assert counted == [['"kettle"', '"lantern"', '"kettel"'], []]
        assert close_calls == ["lantern", "kettel"]

        async with Database(tmp_path / "k.db") as cli_db:  # another process adds "lantern"
            await ExcerptService(cli_db).ingest([second])

        other = await bot.search("warm")  # the first search after the change reloads
        assert other.best is not None and counted[-1] == ['"warm"']
        after = await bot.search("kettle lantern kettel")
        assert after.missing == ["kettel"]  # the cached zero for "lantern" was dropped
        best = after.best
        assert best is not None and best.section == "Evenings"
        assert counted[-1] == ['"kettle"', '"lantern"', '"kettel"']  # counted afresh
        assert close_calls[-1] == "kettel"  # asked afresh of the new vocabulary


def _generated_queries(vocabulary: list[str], count: int) -> list[str]:
    rng = random.Random(5)
    queries = []
    for i in range(count):
        words = rng.sample(vocabulary[:40] if i % 3 else vocabulary, rng.choice((1, 2, 3, 4)))
        if i % 5 == 0:
            words.append(words[0][:-1] + "x")  # a misspelling: close-word suggestions
        if i % 7 == 0:
            words.insert(0, "what is")
        queries.append(" ".join(words))
    return queries + queries[:10]  # some come back, as members' words do


def _answer(outcome: SearchOutcome) -> tuple[object, ...]:
    return ([(r.passage_id, r.score, r.marked) for r in outcome.results], outcome.missing,
            outcome.suggestions, outcome.reason)


@pytest.mark.parametrize("cached_terms", [service_module.CACHED_TERMS, 3])
async def test_cached_counts_give_the_answers_of_a_fresh_search(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached_terms: int) -> None:
    # small library, and "common" low enough that rare/common tiers both come into play
    monkeypatch.setattr(service_module, "COMMON_MIN_PASSAGES", 12)
    monkeypatch.setattr(service_module, "CACHED_TERMS", cached_terms)
    _, vocabulary = generate(tmp_path / "articles", articles=8, seed=3)
    async with Database(tmp_path / "g.db") as db:
        warm = ExcerptService(db)
        await warm.ingest([tmp_path / "articles"])
        queries = _generated_queries(vocabulary, 60)
        compared = 0
        for i, query in enumerate(queries):
            limit, offset = (2, 0) if i % 4 else (3, 2)
            fresh = await ExcerptService(db).search(query, limit=limit, offset=offset)
            got = await warm.search(query, limit=limit, offset=offset)
            assert _answer(got) == _answer(fresh), query
            compared += bool(fresh.results)
        assert compared > 40  # the queries did find passages
        assert len(warm._counts) <= max(cached_terms, 8)
