"""What keeps /excerpt fast without changing its answers: common words set aside while rarer
ones can fill the page, per-library caches (counts, close words) that notice changes made by
another process and give the answers a fresh search gives, and an FTS5 index merged after
ingest."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

import groupbot.library.service as service_module
from benchmarks.gen_excerpt_library import generate
from groupbot.library.model import SearchOutcome
from groupbot.library.service import ExcerptService, _tiers
from groupbot.library.synonyms import expand
from groupbot.library.text import content_words, fts_phrase, query_words
from groupbot.storage.database import Database
from groupbot.storage.library import LibraryReader, LibraryRepo


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
        real_search = LibraryReader.search

        def spy(reader: LibraryReader, match: str, weights: tuple[float, float], limit: int,
                offset: int = 0) -> list[aiosqlite.Row]:
            searched.append(match)
            return real_search(reader, match, weights, limit, offset)

        monkeypatch.setattr(LibraryReader, "search", spy)
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
        await service.search("kettle lantern")
        assert service._counts == {'"kettle"': 10, '"lantern"': 1}
        assert service._stats is not None
        assert service._stats.common_at == service_module.COMMON_MIN_PASSAGES > 10
        assert service._stats.version == await service.repo.version()


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
        real_counts = LibraryReader.term_counts

        def spy(reader: LibraryReader, phrases: list[str], cap: int) -> tuple[int, list[int]]:
            counted.append(list(phrases))
            return real_counts(reader, phrases, cap)

        monkeypatch.setattr(LibraryReader, "term_counts", spy)
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


async def _one_statement_per_hop(db: Database, query: str, limit: int,
                                 offset: int) -> SearchOutcome:
    """The search as it was before it made its reads in one hop: each statement awaited on
    its own, nothing cached. The reference the one-hop search must match exactly."""
    repo, fresh = LibraryRepo(db), ExcerptService(db)
    words = content_words(query)
    outcome = SearchOutcome(query_words=words)
    if not words:
        outcome.reason = "only-common-words" if query_words(query) else "empty"
        outcome.suggestions = await fresh.common_words()
        return outcome
    phrases = [fts_phrase(w) for w in words]
    pairs = [fts_phrase(f"{a} {b}") for a, b in itertools.pairwise(words)]
    extras = [fts_phrase(x) for x in expand(words)]
    any_match = " OR ".join(phrases + pairs + extras)
    limit, offset = max(1, min(limit, 50)), max(0, min(offset, 500))
    need = offset + limit
    pool = max(service_module.RERANK_POOL, need + service_module.RERANK_EXTRA)
    common_at = service_module._common_line(await repo.passage_count())
    _, counts = await repo.term_counts(phrases, common_at)
    outcome.missing = [w for w, n in zip(words, counts, strict=True) if not n]
    found = [(w, n) for w, n in zip(words, counts, strict=True) if n]
    groups = [" OR ".join([fts_phrase(w)] + [fts_phrase(x) for x in expand([w])])
              for w, _ in found]
    rare = [g for g, (_, n) in zip(groups, found, strict=True) if n < common_at]
    ranked: list[tuple[float, aiosqlite.Row]] = []
    seen: set[int] = set()
    for expr in _tiers(groups, rare, phrases + extras, any_match):
        rows = [r for r in await repo.search(expr, (service_module.HEADING_WEIGHT,
                                                    service_module.BODY_WEIGHT), pool)
                if int(r["id"]) not in seen]
        seen.update(int(r["id"]) for r in rows)
        ranked.extend(sorted(((service_module._rerank(r, len(words)), r) for r in rows),
                             key=lambda x: -x[0]))
        if len(ranked) >= need:
            break
    for score, row in ranked[offset : offset + limit]:
        outcome.results.append(service_module._excerpt(row, row["body_hl"], score))
    if not outcome.results:
        outcome.reason = "no-match"
    if outcome.missing:
        outcome.suggestions = await fresh.close_words(outcome.missing)
        if not outcome.results and not outcome.suggestions:
            outcome.suggestions = await fresh.common_words()
    return outcome


def _full_answer(outcome: SearchOutcome) -> tuple[object, ...]:
    return ([(r.passage_id, r.score, r.text, r.marked, r.section, r.article_slug)
             for r in outcome.results], outcome.query_words, outcome.missing,
            outcome.suggestions, outcome.reason)


async def test_one_hop_search_gives_the_answers_of_one_statement_per_hop(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "COMMON_MIN_PASSAGES", 12)  # rare and common tiers
    _, vocabulary = generate(tmp_path / "articles", articles=8, seed=4)
    queries = [*_generated_queries(vocabulary, 80), "", "the and of", "zzqx kettlz",
               '"NEAR(x* ' + vocabulary[0]]
    async with Database(tmp_path / "e.db") as db:
        service = ExcerptService(db)
        await service.ingest([tmp_path / "articles"])
        reasons: set[str | None] = set()
        for i, query in enumerate(queries):
            limit, offset = ((2, 0), (5, 0), (3, 4), (1, 25))[i % 4]
            expected = await _one_statement_per_hop(db, query, limit, offset)
            got = await service.search(query, limit=limit, offset=offset)
            assert _full_answer(got) == _full_answer(expected), (query, limit, offset)
            reasons.add(expected.reason)
        # the queries reached every kind of answer
        assert reasons == {None, "no-match", "empty", "only-common-words"}


async def test_a_search_reads_in_one_hop(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _, vocabulary = generate(tmp_path / "articles", articles=3, seed=2)
    async with Database(tmp_path / "h.db") as db:
        service = ExcerptService(db)
        await service.ingest([tmp_path / "articles"])
        hops: list[str] = []
        real_run = Database.run

        async def counting_run(self: Database, fn: Any) -> Any:
            hops.append("run")
            return await real_run(self, fn)

        def no_other_read(*args: object, **kwargs: object) -> object:
            raise AssertionError("a search read outside its one hop")

        monkeypatch.setattr(Database, "run", counting_run)
        for name in ("fetchone", "fetchall", "execute"):
            monkeypatch.setattr(db, name, no_other_read)
        monkeypatch.setattr(db.conn, "execute_fetchall", no_other_read)
        monkeypatch.setattr(db.conn, "execute", no_other_read)
        first = await service.search(f"{vocabulary[0]} {vocabulary[1]} {vocabulary[2]}x")
        assert first.results and first.missing  # counts, tiers and a letter's words
        assert hops == ["run"]
        hops.clear()
        again = await service.search(f"{vocabulary[3]} {vocabulary[1]}", limit=3, offset=2)
        assert again.results and hops == ["run"]
