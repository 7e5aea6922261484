"""The library's API for features and the command line: ingest, search, quote, browse.

Other features use it too, e.g. a prompt links to its passage with `await service.best(q)`.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import logging
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
RECENT_KEEP = 5  # "/excerpt" alone avoids the last few passages shown in the channel
_MARKS = re.compile(f"[{HIGHLIGHT_OPEN}{HIGHLIGHT_CLOSE}]")


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
            outcome.suggestions = await self.repo.common_words(6, STOPWORDS)
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
        present = await self.repo.terms_present(phrases)
        outcome.missing = [w for w, ok in zip(words, present, strict=True) if not ok]
        found = [w for w, ok in zip(words, present, strict=True) if ok]
        # Tiers, best first: passages with all the words, then those with a word in their
        # section title, then any passage with any word. A later tier is only searched when
        # the earlier ones cannot fill the page, so common words do not make FTS5 score
        # every passage; the order is the same for every page, so "next" never repeats.
        groups = [" OR ".join([fts_phrase(w)] + [fts_phrase(x) for x in expand([w])])
                  for w in found]  # words no passage contains cannot be required
        tiers = []
        if len(groups) > 1:
            tiers.append(" AND ".join(f"({g})" for g in groups) + f" AND ({any_match})")
        if len(groups) > 2:  # any two of the words together
            both = " OR ".join(f"(({a}) AND ({b}))" for a, b in itertools.combinations(groups, 2))
            tiers.append(f"({both}) AND ({any_match})")
        tiers.append(f"{{heading}} : ({' OR '.join(phrases + extras)}) AND ({any_match})")
        tiers.append(any_match)
        ranked: list[tuple[float, aiosqlite.Row]] = []
        seen: set[int] = set()
        for expr in tiers:
            rows = [r for r in await self.repo.search(expr, (HEADING_WEIGHT, BODY_WEIGHT), pool)
                    if int(r["id"]) not in seen]
            seen.update(int(r["id"]) for r in rows)
            # re-rank each tier from its highlights alone
            ranked.extend(sorted(((_rerank(r, len(words)), r) for r in rows),
                                 key=lambda x: -x[0]))
            if len(ranked) >= need:
                break
        page = ranked[offset : offset + limit]
        details = await self.repo.passages([int(r["id"]) for _, r in page])
        for score, row in page:  # excerpts are cut only for the page shown
            passage = details.get(int(row["id"]))
            if passage is not None:
                outcome.results.append(_excerpt(passage, row["body_hl"], score))
        if not outcome.results:
            outcome.reason = "no-match"
        if outcome.missing:
            outcome.suggestions = await self.close_words(outcome.missing)
            if not outcome.results and not outcome.suggestions:
                outcome.suggestions = await self.repo.common_words(6, STOPWORDS)
        return outcome

    async def best(self, query: str) -> Excerpt | None:
        """The single best excerpt for a query, or None when nothing matches."""
        return (await self.search(query, limit=1)).best

    async def matches(self, query: str) -> bool:
        """Whether a query (e.g. a prompt's `excerpt`) finds a passage."""
        return await self.best(query) is not None

    async def close_words(self, words: Sequence[str], per_word: int = 3) -> list[str]:
        """Words the library does contain that are spelled close to `words`."""
        out: dict[str, None] = {}
        for word in words:
            if not word:
                continue
            near = await self.repo.vocabulary_near(word[0], max(2, len(word) - 3), len(word) + 3)
            vocab = [t for t, _ in near if t not in STOPWORDS and not t.isdigit()]
            for hit in difflib.get_close_matches(word, vocab, n=per_word, cutoff=0.7):
                out.setdefault(hit, None)
        return list(out)[:6]

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
    words = re.findall(f"{HIGHLIGHT_OPEN}([^{HIGHLIGHT_CLOSE}]*){HIGHLIGHT_CLOSE}", sentence)
    return len({w.lower() for w in words}), len(words)


def _window(sentences: list[str]) -> str:
    """One to three whole sentences, at most MAX_EXCERPT_CHARS, with the most matched words.

    Ties go to windows that start at a matched sentence, then to fuller ones (up to ~420
    characters), then to the earliest.
    """
    if not sentences:
        return ""
    best: tuple[tuple[int, int, int, int, int], int, int] | None = None
    for i in range(len(sentences)):
        total = -1
        distinct: set[str] = set()
        count = 0
        for j in range(i, min(i + MAX_SENTENCES, len(sentences))):
            total += 1 + len(_MARKS.sub("", sentences[j]))
            if total > MAX_EXCERPT_CHARS and j > i:
                break
            words = re.findall(f"{HIGHLIGHT_OPEN}([^{HIGHLIGHT_CLOSE}]*){HIGHLIGHT_CLOSE}",
                               sentences[j])
            distinct |= {w.lower() for w in words}
            count += len(words)
            key = (len(distinct), count, int(_hits(sentences[i])[0] > 0), min(total, 420), -i)
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
