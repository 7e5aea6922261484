"""SQL for the article library: articles, passages and their FTS5 indexes.

All writes of one article happen in one transaction, so a failure part-way leaves the
previous version of the article (and everything else) exactly as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from groupbot.library.model import ArticleInfo, ParsedArticle
from groupbot.storage.backend import Db, Row
from groupbot.storage.database import Database

QUERY_TTL = timedelta(days=30)
HIGHLIGHT_OPEN = "\x02"
HIGHLIGHT_CLOSE = "\x03"

T = TypeVar("T")
_ARTICLE_COLUMNS = ("a.id, a.slug, a.title, a.author, a.reviewer, a.publisher, a.published, "
                    "a.photo_credit, a.short_disclaimer, a.source")


def _info(row: Row, passages: int = 0) -> ArticleInfo:
    return ArticleInfo(int(row["id"]), row["slug"], row["title"], row["author"], row["reviewer"],
                       row["publisher"], row["published"], row["photo_credit"],
                       row["short_disclaimer"], row["source"], passages,
                       row["source_url"] if "source_url" in row.keys() else None)


class LibraryReader:
    """The search's reads on the database thread's own sqlite3 connection (`Database.run`),
    so a search makes all its statements in one hop. Reads only: writes stay in
    `LibraryRepo`, in transactions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def version(self) -> int:
        """Changes whenever an article is added, replaced or removed."""
        return int(self.conn.execute("SELECT version FROM library_meta").fetchone()[0])

    def passage_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM library_passages").fetchone()[0])

    def term_counts(self, phrases: Sequence[str], cap: int) -> tuple[int, list[int]]:
        """The library's version, and for each FTS5 phrase how many passages contain it,
        counted up to `cap` (0: absent). One statement; each count stops at `cap` rows."""
        parts = "".join(", (SELECT count(*) FROM (SELECT 1 FROM library_fts "
                        "WHERE library_fts MATCH ? LIMIT ?))" for _ in phrases)
        params: list[object] = []
        for phrase in phrases:
            params += [phrase, cap]
        row = self.conn.execute(f"SELECT (SELECT version FROM library_meta){parts}",
                                params).fetchone()
        return int(row[0]), [int(row[i + 1]) for i in range(len(phrases))]

    def search(self, match: str, weights: tuple[float, float], limit: int,
               offset: int = 0) -> list[Row]:
        """Passages matching an FTS5 expression, best first (bm25 with column weights), with
        their highlights and citation fields, so a search needs no second read.

        `ORDER BY rank` lets FTS5 sort internally, so highlight() runs only for the rows
        returned, not for every match; the join runs only for those rows too.
        """
        rank = f"bm25({float(weights[0])}, {float(weights[1])})"
        return self.conn.execute(
            "SELECT f.id, f.score, f.heading_hl, f.body_hl, p.id AS pid, p.section, "
            f"p.section_path, p.article_id, {_ARTICLE_COLUMNS} FROM ("
            "SELECT rowid AS id, rank AS score, "
            f"highlight(library_fts, 0, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}') AS heading_hl, "
            f"highlight(library_fts, 1, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}') AS body_hl "
            "FROM library_fts WHERE library_fts MATCH ? AND rank MATCH ? "
            "ORDER BY rank LIMIT ? OFFSET ?) AS f "
            "JOIN library_passages p ON p.id = f.id "
            "JOIN library_articles a ON a.id = p.article_id ORDER BY f.score, f.id",
            (match, rank, limit, offset),
        ).fetchall()

    def words_starting(self, first: str) -> list[str]:
        """The library's (unstemmed) words that start with `first`."""
        rows = self.conn.execute("SELECT term FROM library_vocab WHERE term >= ? AND term < ?",
                                 (first, first + "\U0010ffff")).fetchall()
        return [r[0] for r in rows]


class LibraryRepo:
    def __init__(self, db: Db) -> None:
        self.db = db

    # -- writing -----------------------------------------------------------------------------
    async def store_article(self, article: ParsedArticle, now: datetime) -> str:
        """Add or replace an article. Returns "added", "replaced" or "unchanged"."""
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT id, content_hash FROM library_articles WHERE slug = ?",
                                    (article.slug,)) as cur:
                old = await cur.fetchone()
            if old is not None and old["content_hash"] == article.content_hash:
                return "unchanged"
            if old is not None:
                # passages first, so the FTS delete triggers see every row
                await conn.execute("DELETE FROM library_passages WHERE article_id = ?",
                                   (old["id"],))
                await conn.execute("DELETE FROM library_articles WHERE id = ?", (old["id"],))
            async with conn.execute(
                "INSERT INTO library_articles (slug, title, author, reviewer, publisher, "
                "published, photo_credit, disclaimer, short_disclaimer, source, source_url, "
                "format, content_hash, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (article.slug, article.title, article.author, article.reviewer,
                 article.publisher, article.published, article.photo_credit, article.disclaimer,
                 article.short_disclaimer, article.source, article.source_url, article.format,
                 article.content_hash, now.isoformat()),
            ) as cur:
                article_id = cur.lastrowid
            await conn.executemany(
                "INSERT INTO library_sections (article_id, position, level, title, parent) "
                "VALUES (?,?,?,?,?)",
                [(article_id, i, s.level, s.title, s.parent)
                 for i, s in enumerate(article.sections)],
            )
            await conn.executemany(
                "INSERT INTO library_references (article_id, position, text) VALUES (?,?,?)",
                [(article_id, i, r) for i, r in enumerate(article.references)],
            )
            await conn.executemany(
                "INSERT INTO library_passages (article_id, position, section, section_path, "
                "heading, body) VALUES (?,?,?,?,?,?)",
                [(article_id, i, p.section.title, p.section.path, p.heading, p.text)
                 for i, p in enumerate(article.passages)],
            )
        return "added" if old is None else "replaced"

    async def remove_article(self, slug: str) -> bool:
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT id FROM library_articles WHERE slug = ?",
                                    (slug,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return False
            await conn.execute("DELETE FROM library_passages WHERE article_id = ?", (row["id"],))
            await conn.execute("DELETE FROM library_articles WHERE id = ?", (row["id"],))
            return True

    # -- articles ----------------------------------------------------------------------------
    async def articles(self) -> list[ArticleInfo]:
        rows = await self.db.fetchall(
            f"SELECT {_ARTICLE_COLUMNS}, a.source_url, (SELECT count(*) FROM library_passages p "
            "WHERE p.article_id = a.id) AS n FROM library_articles a ORDER BY a.title, a.id")
        return [_info(r, int(r["n"])) for r in rows]

    async def article_count(self) -> int:
        row = await self.db.fetchone("SELECT count(*) FROM library_articles")
        return int(row[0]) if row else 0

    async def passage_count(self) -> int:
        return await self.read(LibraryReader.passage_count)

    async def article_hashes(self) -> dict[str, str]:
        rows = await self.db.fetchall("SELECT slug, content_hash FROM library_articles")
        return {r["slug"]: r["content_hash"] for r in rows}

    async def sections(self, article_id: int) -> list[tuple[int, str, str | None]]:
        rows = await self.db.fetchall(
            "SELECT level, title, parent FROM library_sections WHERE article_id = ? "
            "ORDER BY position", (article_id,))
        return [(int(r["level"]), r["title"], r["parent"]) for r in rows]

    async def references(self, article_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT text FROM library_references WHERE article_id = ? ORDER BY position",
            (article_id,))
        return [r["text"] for r in rows]

    async def disclaimer(self, article_id: int) -> str | None:
        row = await self.db.fetchone("SELECT disclaimer FROM library_articles WHERE id = ?",
                                     (article_id,))
        return row["disclaimer"] if row else None

    # -- searching ---------------------------------------------------------------------------
    async def read(self, fn: Callable[[LibraryReader], T]) -> T:
        """`fn` with a `LibraryReader` on the database thread: all its statements in one hop."""
        if not isinstance(self.db, Database):
            from groupbot.storage.pg_library import read_on_thread

            return await read_on_thread(self.db, fn)
        return await self.db.run(lambda conn: fn(LibraryReader(conn)))

    async def search(self, match: str, weights: tuple[float, float], limit: int,
                     offset: int = 0) -> list[Row]:
        """Passages matching an FTS5 expression, best first: see `LibraryReader.search`."""
        return await self.read(lambda r: r.search(match, weights, limit, offset))

    async def passages(self, ids: Sequence[int]) -> dict[int, Row]:
        """Passages with their article's citation fields, by id."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = await self._rows(
            f"SELECT p.id AS pid, p.section, p.section_path, p.body, p.article_id, "
            f"{_ARTICLE_COLUMNS} FROM library_passages p JOIN library_articles a "
            f"ON a.id = p.article_id WHERE p.id IN ({marks})", tuple(ids))
        return {int(r["pid"]): r for r in rows}

    async def term_counts(self, phrases: Sequence[str], cap: int) -> tuple[int, list[int]]:
        """The library's version and each phrase's passage count: see `LibraryReader`."""
        return await self.read(lambda r: r.term_counts(phrases, cap))

    async def version(self) -> int:
        """Changes whenever an article is added, replaced or removed."""
        return await self.read(lambda r: r.version())

    async def optimize(self) -> None:
        """Merge each FTS5 index into one segment, so a term is read once per query rather
        than once per segment. Run after ingesting; takes ~0.3 s per 16,000 passages."""
        if self.db.dialect != "sqlite":  # PostgreSQL's GIN index needs no merging
            return
        async with self.db.transaction() as conn:
            await conn.execute("INSERT INTO library_fts(library_fts) VALUES ('optimize')")
            await conn.execute("INSERT INTO library_words(library_words) VALUES ('optimize')")

    async def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """A read in one hop to the database thread (a cursor would take three): searches
        make several reads, and each hop costs ~0.1 ms."""
        if not isinstance(self.db, Database):
            return await self.db.fetchall(sql, params)
        return list(await self.db.conn.execute_fetchall(sql, params))

    async def words_starting(self, first: str) -> list[str]:
        """The library's (unstemmed) words that start with `first`."""
        return await self.read(lambda r: r.words_starting(first))

    async def common_words(self, limit: int, exclude: frozenset[str]) -> list[str]:
        """The library's most widespread words (for suggestions), skipping `exclude`."""
        rows = await self.db.fetchall(
            "SELECT term FROM library_vocab WHERE length(term) > 4 ORDER BY doc DESC, term "
            "LIMIT ?", (limit + len(exclude),))
        return [r["term"] for r in rows if r["term"] not in exclude][:limit]

    async def random_passage(self, exclude: Sequence[int], min_chars: int) -> int | None:
        marks = ",".join("?" * len(exclude))
        unseen = f"id NOT IN ({marks}) AND " if exclude else ""  # PostgreSQL refuses IN ()
        row = await self.db.fetchone(
            f"SELECT id FROM library_passages WHERE {unseen}length(body) >= ? "
            "AND body NOT LIKE '%:' ORDER BY random() LIMIT 1", (*exclude, min_chars))
        return int(row["id"]) if row else None

    # -- per-channel state -------------------------------------------------------------------
    async def recent(self, channel_key: str, limit: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT passage_id FROM library_recent WHERE channel_key = ? ORDER BY id DESC "
            "LIMIT ?", (channel_key, limit))
        return [int(r["passage_id"]) for r in rows]

    async def record_shown(self, channel_key: str, passage_id: int, now: datetime,
                           keep: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO library_recent (channel_key, passage_id, shown_at) VALUES (?,?,?)",
                (channel_key, passage_id, now.isoformat()))
            await conn.execute(
                "DELETE FROM library_recent WHERE channel_key = ? AND id NOT IN (SELECT id FROM "
                "library_recent WHERE channel_key = ? ORDER BY id DESC LIMIT ?)",
                (channel_key, channel_key, keep))

    async def save_query(self, words: str, now: datetime) -> int:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM library_queries WHERE created_at < ?",
                               ((now - QUERY_TTL).isoformat(),))
            await conn.execute(
                "INSERT INTO library_queries (words, created_at) VALUES (?, ?) "
                "ON CONFLICT(words) DO UPDATE SET created_at = excluded.created_at",
                (words, now.isoformat()))
            async with conn.execute("SELECT id FROM library_queries WHERE words = ?",
                                    (words,)) as cur:
                row = await cur.fetchone()
        assert row is not None
        return int(row["id"])

    async def query_words(self, query_id: int) -> str | None:
        row = await self.db.fetchone("SELECT words FROM library_queries WHERE id = ?",
                                     (query_id,))
        return row["words"] if row else None
