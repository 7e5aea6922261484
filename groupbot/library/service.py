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
from groupbot.storage.backend import Db
from groupbot.storage.library import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    LibraryReader,
    LibraryRepo,
)

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


def _read_stats(reader: LibraryReader) -> _LibraryStats:
    version = reader.version()
    passages = reader.passage_count()
    return _LibraryStats(version, passages, _common_line(passages))


def _candidates(terms: list[str]) -> list[str]:
    """Library words that may be suggested for a misspelling."""
    return [t for t in terms if t not in STOPWORDS and not t.isdigit()]


@dataclass(frozen=True, slots=True)
class _Found:
    """What a search read in its one hop to the database thread."""
    stats: _LibraryStats  # the plan's, or reloaded because the library changed
    version: int
    fresh: dict[str, int]  # phrase counts read now (to cache)
    missing: list[str]  # query words no passage holds
    tiers: list[list[aiosqlite.Row]]  # each tier run: its new rows, bm25 order
    vocab: dict[str, list[str]]  # the words of missing words' first letters, if not cached


@dataclass(frozen=True, slots=True)
class _SearchPlan:
    """A search's reads, run in one go on the database thread (`LibraryRepo.read`): one
    hop costs ~0.1-0.5 ms after the thread sat idle, and a search made three to five.
    Inputs are snapshots of the service's caches; `run` touches no shared state."""
    words: tuple[str, ...]
    phrases: tuple[str, ...]  # per word
    extras: tuple[str, ...]  # synonyms
    groups: tuple[str, ...]  # per word: it and its synonyms
    any_match: str
    need: int
    pool: int
    stats: _LibraryStats | None
    known: dict[str, int]  # cached phrase counts, valid for `stats`
    vocab_letters: frozenset[str]  # first letters whose words are cached for `stats`

    def run(self, reader: LibraryReader) -> _Found:
        """Counts first: how many passages hold each phrase, counted up to the "common"
        line. The line and the counts depend on the library, so they are cached until it
        changes: only phrases not met before are counted (counting a common word walks
        hundreds of passages). The same statement reports the library's version, so a
        change is noticed on the next search and everything is counted afresh. Then the
        search tiers, until the page can be filled."""
        stats = self.stats if self.stats is not None else _read_stats(reader)
        known = self.known if self.stats is not None else {}
        todo = [p for p in dict.fromkeys(self.phrases) if p not in known]
        version, counts = reader.term_counts(todo, stats.common_at)
        if version != stats.version:
            stats = _read_stats(reader)
            known = {}
            todo = list(dict.fromkeys(self.phrases))
            version, counts = reader.term_counts(todo, stats.common_at)
        fresh = dict(zip(todo, counts, strict=True))
        every = {**known, **fresh}
        found = [(g, every[p]) for g, p in zip(self.groups, self.phrases, strict=True)
                 if every[p]]  # words no passage contains cannot be required
        groups = [g for g, _ in found]
        rare = [g for g, n in found if n < stats.common_at]
        tiers: list[list[aiosqlite.Row]] = []
        seen: set[int] = set()
        ranked = 0
        for expr in _tiers(groups, rare, [*self.phrases, *self.extras], self.any_match):
            rows = [r for r in reader.search(expr, (HEADING_WEIGHT, BODY_WEIGHT), self.pool)
                    if int(r["id"]) not in seen]
            seen.update(int(r["id"]) for r in rows)
            tiers.append(rows)
            ranked += len(rows)
            if ranked >= self.need:
                break
        missing = [w for w, p in zip(self.words, self.phrases, strict=True) if not every[p]]
        cached = self.vocab_letters if stats is self.stats else frozenset()  # not reloaded
        vocab = {first: reader.words_starting(first)
                 for first in dict.fromkeys(w[0] for w in missing if w)
                 if first not in cached}
        return _Found(stats, version, fresh, missing, tiers, vocab)


@dataclass(frozen=True, slots=True)
class IngestResult:
    path: str
    status: str  # added | replaced | unchanged | error
    title: str | None = None
    passages: int = 0
    error: str | None = None


class ExcerptService:
    def __init__(self, store: Db | LibraryRepo, clock: Clock | None = None) -> None:
        """Over the bot's store's library (`store.library`), or a database of its own (the
        command-line tools)."""
        self.repo = store if isinstance(store, LibraryRepo) else LibraryRepo(store)
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
        limit = max(1, min(limit, 50))
        offset = max(0, min(offset, 500))
        need = offset + limit
        # snapshots: the plan runs on the database thread while other searches may change
        # the caches
        stats = self._stats
        plan = _SearchPlan(
            words=tuple(words), phrases=tuple(phrases), extras=tuple(extras),
            groups=tuple(" OR ".join([p] + [fts_phrase(x) for x in expand([w])])
                         for w, p in zip(words, phrases, strict=True)),
            any_match=" OR ".join(phrases + pairs + extras), need=need,
            pool=max(RERANK_POOL, need + RERANK_EXTRA), stats=stats,
            known={p: self._counts[p] for p in phrases if p in self._counts},
            vocab_letters=frozenset(self._vocab) if stats is not None
            and self._vocab_version == stats.version else frozenset(),
        )
        found = await self.repo.read(plan.run)
        version = found.version
        if found.stats is not stats:
            self._stats = found.stats
            self._common_words = None
            self._counts = {}
        if self._stats is not None and self._stats.version == version:
            if len(self._counts) + len(found.fresh) > CACHED_TERMS:
                self._counts.clear()
            self._counts.update(found.fresh)
        outcome.missing = found.missing
        ranked: list[tuple[float, aiosqlite.Row]] = []
        for rows in found.tiers:  # re-rank each tier from its highlights alone
            ranked.extend(sorted(((_rerank(r, len(words)), r) for r in rows),
                                 key=lambda x: -x[0]))
        for score, row in ranked[offset : offset + limit]:  # cut only for the page shown
            outcome.results.append(_excerpt(row, row["body_hl"], score))
        if not outcome.results:
            outcome.reason = "no-match"
        if outcome.missing:
            outcome.suggestions = await self._close_words(outcome.missing, version,
                                                          vocab=found.vocab)
            if not outcome.results and not outcome.suggestions:
                outcome.suggestions = await self._common_words_at(version)
        return outcome

    async def common_words(self) -> list[str]:
        """The library's most widespread words (suggestions when a query finds nothing)."""
        return await self._common_words_at(await self.repo.version())

    async def _common_words_at(self, version: int) -> list[str]:
        """Reading them scans the whole vocabulary (~0.1 s for 1,000 articles), so they are
        kept until the library changes (`version` is the library's, read just before)."""
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

    async def _close_words(self, words: Sequence[str], version: int, per_word: int = 3,
                           vocab: dict[str, list[str]] | None = None) -> list[str]:
        """Candidates share the word's first letter; each letter's words are read once (a
        range scan of the vocabulary, ~2 ms for 1,000 articles) and kept until `version`
        changes, and so is each word's answer (~0.5 ms of difflib: a misspelling, or a word
        the library lacks, tends to come back). `vocab`: letters' words a search already
        read at `version`, in its one hop."""
        if self._vocab_version != version:
            self._vocab.clear()
            self._close.clear()
            self._vocab_version = version
        for first, terms in (vocab or {}).items():
            if first not in self._vocab:
                self._vocab[first] = _candidates(terms)
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
            self._vocab[first] = _candidates(await self.repo.words_starting(first))
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
