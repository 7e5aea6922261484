"""The library's API for features and the command line: ingest, search, quote, browse.

Other features use it too, e.g. a prompt links to its passage with `await service.best(q)`.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from groupbot.core.errors import ContentError
from groupbot.core.ports import Clock, SystemClock
from groupbot.library.model import ArticleInfo, Excerpt, SearchOutcome
from groupbot.library.parse import is_article_file, parse_file
from groupbot.library.synonyms import expand
from groupbot.library.text import (
    STOPWORDS,
    content_words,
    fts_phrase,
    query_words,
    split_sentences,
)
from groupbot.storage.database import Database
from groupbot.storage.library import HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, LibraryRepo

log = logging.getLogger(__name__)

HEADING_WEIGHT = 8.0  # a word in the section title counts eight times a word in the body
BODY_WEIGHT = 1.0
MAX_EXCERPT_CHARS = 600
MAX_SENTENCES = 3
RERANK_POOL = 20  # candidates re-ranked; the same pool for every page keeps paging stable
RERANK_EXTRA = 8
BODY_HIT_BONUS = 0.1  # per distinct matched word in the body, up to three
HEADING_COVERAGE_BONUS = 0.5  # times the share of the query's words in the section title
COMMON_SHARE = 0.03  # a word in 3% of the passages or more is common ...
COMMON_MIN_PASSAGES = 250  # ... and never one in fewer passages than this
RECENT_KEEP = 5  # "/excerpt" alone avoids the last few passages shown in the channel
CACHED_TERMS = 20_000  # phrase counts and close-word answers kept per library version
_MARKS = re.compile(f"[{HIGHLIGHT_OPEN}{HIGHLIGHT_CLOSE}]")
_MARKED = re.compile(f"{HIGHLIGHT_OPEN}([^{HIGHLIGHT_CLOSE}]*){HIGHLIGHT_CLOSE}")


@dataclass(frozen=True, slots=True)
class _LibraryStats:
    version: int
    passages: int
    common_at: int  # a word in this many passages or more is "common"


def _common_line(passages: int) -> int:
    """Words in COMMON_SHARE of the passages or more are common, as in IR practice, but
    never below COMMON_MIN_PASSAGES: scoring that many passages costs well under 1 ms, and in
    a small library (the seed article) every word keeps its full weight."""
    return max(COMMON_MIN_PASSAGES, math.ceil(COMMON_SHARE * passages))


def _tiers(groups: list[str], rare: list[str], words: list[str], any_match: str) -> list[str]:
    """FTS5 expressions searched in turn, best first; a later one runs only when the earlier
    ones cannot fill the page, and its order is fixed, so "next" never repeats.

    `groups`: each found word with its synonyms; `rare`: those of words that are not common.
    Each tier is ANDed with `any_match` so bm25 still scores every word, pair and synonym of
    the query in the passages the tier selects.
      1. all the words; 2. any two of them; 3. a word in the section title;
      4. when the query mixes rare and common words: any rare word (common words that never
         meet would otherwise make FTS5 score thousands of passages for one page);
      5. any word.
    """
    tiers = []
    if len(groups) > 1:
        tiers.append(" AND ".join(f"({g})" for g in groups) + f" AND ({any_match})")
    if len(groups) > 2:
        both = " OR ".join(f"(({a}) AND ({b}))" for a, b in itertools.combinations(groups, 2))
        tiers.append(f"({both}) AND ({any_match})")
    tiers.append(f"{{heading}} : ({' OR '.join(words)}) AND ({any_match})")
    if rare and len(rare) < len(groups):
        tiers.append(f"({' OR '.join(f'({g})' for g in rare)}) AND ({any_match})")
    tiers.append(any_match)
    return tiers


@dataclass(frozen=True, slots=True)
class IngestResult:
    path: str
    status: str  # added | replaced | unchanged | error
    title: str | None = None
    passages: int = 0
    error: str | None = None


class ExcerptService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.repo = LibraryRepo(db)
        self.clock = clock or SystemClock()
        self._stats: _LibraryStats | None = None
        self._common_words: tuple[int, list[str]] | None = None
        self._vocab: dict[str, list[str]] = {}  # first letter -> library words
        self._close: dict[tuple[str, int], list[str]] = {}  # (word, per_word) -> close words
        self._vocab_version = -1
        # FTS5 phrase -> passages holding it, counted up to the "common" line, for the
        # library version in self._stats (the library is read-mostly; members reuse words)
        self._counts: dict[str, int] = {}

    # -- ingesting ---------------------------------------------------------------------------
    async def ingest(self, paths: Iterable[str | Path]) -> list[IngestResult]:
        """Ingest files and folders of articles. Each article is stored in its own
        transaction; a file that cannot be parsed is reported and changes nothing."""
        results: list[IngestResult] = []
        files = await asyncio.to_thread(_expand, list(paths), results)
        for path in files:
            try:
                article = await asyncio.to_thread(parse_file, path)
            except ContentError as exc:
                results.append(IngestResult(str(path), "error", error=str(exc)))
                continue
            status = await self.repo.store_article(article, self.clock.now())
            results.append(IngestResult(str(path), status, article.title, len(article.passages)))
        if any(r.status in ("added", "replaced") for r in results):
            await self.repo.optimize()
        return results

    async def ensure_seeds(self, seeds_dir: Path) -> list[IngestResult]:
        """Ingest the seed folder: adds it on first start, replaces changed files, else no-op."""
        if not await asyncio.to_thread(seeds_dir.is_dir):
            log.warning("no seed library folder", extra={"path": str(seeds_dir)})
            return []
        results = await self.ingest([seeds_dir])
        for r in results:
            if r.status == "error":
                log.error("seed article not ingested", extra={"path": r.path, "error": r.error})
            elif r.status != "unchanged":
                log.info("seed article ingested", extra={"path": r.path, "status": r.status})
        return results

    # -- searching ---------------------------------------------------------------------------
    async def search(self, query: str, limit: int = 5, offset: int = 0) -> SearchOutcome:
        """The best passages for a query, as cited excerpts. Never raises on odd input."""
        words = content_words(query)
        outcome = SearchOutcome(query_words=words)
        if not words:
            outcome.reason = "only-common-words" if query_words(query) else "empty"
            outcome.suggestions = await self.common_words()
            return outcome
        phrases = [fts_phrase(w) for w in words]
        # adjacent pairs as phrases too: "relationship addiction" beats either word alone
        pairs = [fts_phrase(f"{a} {b}") for a, b in itertools.pairwise(words)]
        extras = [fts_phrase(x) for x in expand(words)]
        any_match = " OR ".join(phrases + pairs + extras)
        limit = max(1, min(limit, 50))
        offset = max(0, min(offset, 500))
        need = offset + limit
        pool = max(RERANK_POOL, need + RERANK_EXTRA)
        version, counts, common_at = await self._term_counts(phrases)
        outcome.missing = [w for w, n in zip(words, counts, strict=True) if not n]
        found = [(w, n) for w, n in zip(words, counts, strict=True) if n]
        groups = [" OR ".join([fts_phrase(w)] + [fts_phrase(x) for x in expand([w])])
                  for w, _ in found]  # words no passage contains cannot be required
        rare = [g for g, (_, n) in zip(groups, found, strict=True) if n < common_at]
        ranked: list[tuple[float, aiosqlite.Row]] = []
        seen: set[int] = set()
        for expr in _tiers(groups, rare, phrases + extras, any_match):
            rows = [r for r in await self.repo.search(expr, (HEADING_WEIGHT, BODY_WEIGHT), pool)
                    if int(r["id"]) not in seen]
            seen.update(int(r["id"]) for r in rows)
            # re-rank each tier from its highlights alone
            ranked.extend(sorted(((_rerank(r, len(words)), r) for r in rows),
                                 key=lambda x: -x[0]))
            if len(ranked) >= need:
                break
        for score, row in ranked[offset : offset + limit]:  # cut only for the page shown
            outcome.results.append(_excerpt(row, row["body_hl"], score))
        if not outcome.results:
            outcome.reason = "no-match"
        if outcome.missing:
            outcome.suggestions = await self._close_words(outcome.missing, version)
            if not outcome.results and not outcome.suggestions:
                outcome.suggestions = await self.common_words()
        return outcome

    async def _term_counts(self, phrases: list[str]) -> tuple[int, list[int], int]:
        """The library's version; how many passages hold each phrase, counted up to the
        "common" line; and that line.

        The line and the counts depend on the library, so they are kept until it changes:
        a search counts only phrases it has not met before (counting a common word walks
        hundreds of passages). The same statement reports the library's version, so a
        change is noticed on the next search and everything is counted afresh.
        """
        stats = self._stats or await self._load_stats()
        # a copy: another search may reload or trim the cache while this one waits
        known = {p: self._counts[p] for p in phrases if p in self._counts}
        todo = [p for p in dict.fromkeys(phrases) if p not in known]
        version, counts = await self.repo.term_counts(todo, stats.common_at)
        if version != stats.version:
            stats = await self._load_stats()
            known = {}
            todo = list(dict.fromkeys(phrases))
            version, counts = await self.repo.term_counts(todo, stats.common_at)
        fresh = dict(zip(todo, counts, strict=True))
        if self._stats is not None and self._stats.version == version:
            if len(self._counts) + len(fresh) > CACHED_TERMS:
                self._counts.clear()
            self._counts.update(fresh)
        known.update(fresh)
        return version, [known[p] for p in phrases], stats.common_at

    async def _load_stats(self) -> _LibraryStats:
        version = await self.repo.version()
        passages = await self.repo.passage_count()
        self._stats = _LibraryStats(version, passages, _common_line(passages))
        self._common_words = None
        self._counts = {}
        return self._stats

    async def common_words(self) -> list[str]:
        """The library's most widespread words (suggestions when a query finds nothing).

        Reading them scans the whole vocabulary (~0.1 s for 1,000 articles), so they are
        kept until the library changes."""
        version = await self.repo.version()
        cached = self._common_words
        if cached is None or cached[0] != version:
            cached = (version, await self.repo.common_words(6, STOPWORDS))
            self._common_words = cached
        return list(cached[1])

    async def best(self, query: str) -> Excerpt | None:
        """The single best excerpt for a query, or None when nothing matches."""
        return (await self.search(query, limit=1)).best

    async def matches(self, query: str) -> bool:
        """Whether a query (e.g. a prompt's `excerpt`) finds a passage."""
        return await self.best(query) is not None

    async def close_words(self, words: Sequence[str], per_word: int = 3) -> list[str]:
        """Words the library does contain that are spelled close to `words`."""
        version = await self.repo.version()
        return await self._close_words(words, version, per_word)

    async def _close_words(self, words: Sequence[str], version: int,
                           per_word: int = 3) -> list[str]:
        """Candidates share the word's first letter; each letter's words are read once (a
        range scan of the vocabulary, ~2 ms for 1,000 articles) and kept until `version`
        changes, and so is each word's answer (~0.5 ms of difflib: a misspelling, or a word
        the library lacks, tends to come back)."""
        if self._vocab_version != version:
            self._vocab.clear()
            self._close.clear()
            self._vocab_version = version
        out: dict[str, None] = {}
        for word in words:
            if not word:
                continue
            hits = self._close.get((word, per_word))
            if hits is None:
                hits = await self._close_to(word, per_word)
                if self._vocab_version == version:  # not if another search moved on
                    if len(self._close) >= CACHED_TERMS:
                        self._close.clear()
                    self._close[(word, per_word)] = hits
            out.update(dict.fromkeys(hits))
        return list(out)[:6]

    async def _close_to(self, word: str, per_word: int) -> list[str]:
        first = word[0]
        if first not in self._vocab:
            self._vocab[first] = [t for t in await self.repo.words_starting(first)
                                  if t not in STOPWORDS and not t.isdigit()]
        low, high = max(2, len(word) - 3), len(word) + 3
        vocab = [t for t in self._vocab[first] if low <= len(t) <= high]
        return difflib.get_close_matches(word, vocab, n=per_word, cutoff=0.7)

    # -- reflecting --------------------------------------------------------------------------
    async def reflect(self, channel_key: str) -> Excerpt | None:
        """A passage to reflect on, not one of the last few shown in this channel."""
        recent = await self.repo.recent(channel_key, RECENT_KEEP)
        pid = await self.repo.random_passage(recent, min_chars=120)
        if pid is None and recent:
            pid = await self.repo.random_passage(recent[:1], min_chars=1)
        if pid is None:
            return None
        row = (await self.repo.passages([pid]))[pid]
        return _excerpt(row, row["body"], 0.0)

    async def remember(self, channel_key: str, excerpt: Excerpt) -> None:
        """Note that `excerpt` was shown in a channel."""
        await self.repo.record_shown(channel_key, excerpt.passage_id, self.clock.now(),
                                     keep=RECENT_KEEP * 4)

    async def save_query(self, query: str) -> int | None:
        """Keep a query's search words for a "next result" button; returns its id."""
        words = " ".join(content_words(query))
        return await self.repo.save_query(words, self.clock.now()) if words else None

    async def saved_query(self, query_id: int) -> str | None:
        return await self.repo.query_words(query_id)

    # -- browsing ----------------------------------------------------------------------------
    async def articles(self) -> list[ArticleInfo]:
        return await self.repo.articles()

    async def find_article(self, name: str | None) -> ArticleInfo | None:
        """An article by list number, slug or (part of) its title; the only one if no name."""
        articles = await self.articles()
        if not name or not name.strip():
            return articles[0] if len(articles) == 1 else None
        wanted = name.strip().lower()
        if wanted.isdigit() and 1 <= int(wanted) <= len(articles):
            return articles[int(wanted) - 1]
        for a in articles:
            if wanted in (a.slug, a.title.lower()):
                return a
        folded = " ".join(query_words(wanted))
        for a in articles:
            if folded and folded in " ".join(query_words(a.title)):
                return a
        return None

    async def sections(self, article: ArticleInfo) -> list[tuple[int, str, str | None]]:
        return await self.repo.sections(article.id)

    async def references(self, article: ArticleInfo) -> list[str]:
        return await self.repo.references(article.id)


def _expand(paths: Iterable[str | Path], results: list[IngestResult]) -> list[Path]:
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_article_file(p))
            if not found:
                results.append(IngestResult(str(path), "error",
                                            error=f"{path}: no .txt, .md or .html articles here"))
            files.extend(found)
        else:
            files.append(path)
    return files


def _excerpt(row: aiosqlite.Row, marked_body: str, score: float) -> Excerpt:
    marked = _window(split_sentences(marked_body))
    plain = _MARKS.sub("", marked)
    bold = marked.replace(f"{HIGHLIGHT_CLOSE} {HIGHLIGHT_OPEN}", " ")
    bold = bold.replace(HIGHLIGHT_OPEN, "**").replace(HIGHLIGHT_CLOSE, "**")
    return Excerpt(
        passage_id=int(row["pid"]), article_slug=row["slug"], article_title=row["title"],
        section=row["section"], section_path=row["section_path"], text=plain, marked=bold,
        score=score, author=row["author"], reviewer=row["reviewer"], publisher=row["publisher"],
        published=row["published"], short_disclaimer=row["short_disclaimer"],
    )


def _rerank(row: aiosqlite.Row, n_words: int) -> float:
    """bm25 (made positive), nudged up by how much of the question the section title covers
    and by matched words in the paragraph itself: within a section whose title matched, the
    paragraph that says it wins."""
    body, _ = _hits(str(row["body_hl"]))
    heading, _ = _hits(str(row["heading_hl"]))
    coverage = min(1.0, heading / max(1, n_words))
    return (-float(row["score"]) * (1 + BODY_HIT_BONUS * min(body, 3))
            * (1 + HEADING_COVERAGE_BONUS * coverage))


def _hits(sentence: str) -> tuple[int, int]:
    """Distinct and total highlighted words."""
    words = _MARKED.findall(sentence) if HIGHLIGHT_OPEN in sentence else []
    return len({w.lower() for w in words}), len(words)


def _window(sentences: list[str]) -> str:
    """One to three whole sentences, at most MAX_EXCERPT_CHARS, with the most matched words.

    Ties go to windows that start at a matched sentence, then to fuller ones (up to ~420
    characters), then to the earliest.
    """
    if not sentences:
        return ""
    best: tuple[tuple[int, int, int, int, int], int, int] | None = None
    lengths = [len(_MARKS.sub("", s)) for s in sentences]
    marked = [[w.lower() for w in _MARKED.findall(s)] for s in sentences]
    for i in range(len(sentences)):
        total = -1
        distinct: set[str] = set()
        count = 0
        starts_marked = int(bool(marked[i]))
        for j in range(i, min(i + MAX_SENTENCES, len(sentences))):
            total += 1 + lengths[j]
            if total > MAX_EXCERPT_CHARS and j > i:
                break
            distinct.update(marked[j])
            count += len(marked[j])
            key = (len(distinct), count, starts_marked, min(total, 420), -i)
            if best is None or key > best[0]:
                best = (key, i, j)
            if total > MAX_EXCERPT_CHARS:
                break
    assert best is not None
    _, i, j = best
    text = " ".join(sentences[i : j + 1])
    return _clip(text)


def _clip(text: str) -> str:
    """A single sentence longer than the limit is cut at a clause boundary, marked with …"""
    if len(_MARKS.sub("", text)) <= MAX_EXCERPT_CHARS:
        return text
    cut = text[:MAX_EXCERPT_CHARS]
    for sep in ("; ", " — ", ", ", " "):
        at = cut.rfind(sep)
        if at > MAX_EXCERPT_CHARS // 2:
            cut = cut[:at]
            break
    if cut.count(HIGHLIGHT_OPEN) > cut.count(HIGHLIGHT_CLOSE):
        cut += HIGHLIGHT_CLOSE
    return cut.rstrip(" ,;—") + " …"
