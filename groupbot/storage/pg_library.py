"""The library search's reads on PostgreSQL: what `LibraryReader` does with FTS5 on SQLite,
done with the passages' tsvector columns (migration 0002 for PostgreSQL).

The search plan (`groupbot.library.service`) is synchronous: it runs on a worker thread here,
and each read it makes is run on the event loop's connection pool and waited for. Its FTS5
expressions (quoted phrases, AND, OR, parentheses, `{heading} :` column filters) become SQL
conditions over `phraseto_tsquery`; ranking is ts_rank with the same column weights, negated
so that, as with bm25, a smaller score is better.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from groupbot.storage.backend import Db, Row

T = TypeVar("T")
HIGHLIGHT = "StartSel=\x02, StopSel=\x03, HighlightAll=true"
_TOKEN = re.compile(r'"(?:[^"]|"")*"|\{heading\}\s*:|\(|\)|\bAND\b|\bOR\b|\bNOT\b')
_ARTICLE_COLUMNS = ("a.id AS aid, a.slug, a.title, a.author, a.reviewer, a.publisher, "
                    "a.published, a.photo_credit, a.short_disclaimer, a.source")


def phrase_text(token: str) -> str:
    return token[1:-1].replace('""', '"')


def condition(expr: str) -> tuple[str, list[Any]]:
    """An FTS5 expression as an SQL condition on passage `p` (and its parameters)."""
    out: list[str] = []
    params: list[Any] = []
    heading_depth: list[int] = []  # open-paren depths at which a heading filter applies
    depth = 0
    pending_heading = False
    for m in _TOKEN.finditer(expr):
        tok = m.group(0)
        if tok.startswith("{"):
            pending_heading = True
        elif tok == "(":
            depth += 1
            if pending_heading:
                heading_depth.append(depth)
                pending_heading = False
            out.append("(")
        elif tok == ")":
            if heading_depth and heading_depth[-1] == depth:
                heading_depth.pop()
            depth -= 1
            out.append(")")
        elif tok in ("AND", "OR"):
            out.append(tok)
        elif tok == "NOT":
            out.append("AND NOT")
        else:
            column = ("to_tsvector('english', p.heading)" if heading_depth or pending_heading
                      else "p.search")
            pending_heading = False
            out.append(f"{column} @@ phraseto_tsquery('english', ?)")
            params.append(phrase_text(tok))
    return " ".join(out) or "FALSE", params


def any_query(expr: str) -> tuple[str, list[Any]]:
    """Every phrase of `expr` ORed, as one tsquery (what ts_rank and ts_headline use)."""
    phrases = [phrase_text(t) for t in _TOKEN.findall(expr) if t.startswith('"')]
    if not phrases:
        return "to_tsquery('english', '')", []
    return " || ".join("phraseto_tsquery('english', ?)" for _ in phrases), phrases


class PgLibraryReader:
    """`LibraryReader`'s reads, each run on the event loop and waited for (from a thread)."""

    def __init__(self, db: Db, loop: asyncio.AbstractEventLoop) -> None:
        self.db = db
        self.loop = loop

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return asyncio.run_coroutine_threadsafe(self.db.fetchall(sql, params),
                                                self.loop).result()

    def version(self) -> int:
        return int(self._all("SELECT version FROM library_meta")[0][0])

    def passage_count(self) -> int:
        return int(self._all("SELECT count(*) FROM library_passages")[0][0])

    def term_counts(self, phrases: Sequence[str], cap: int) -> tuple[int, list[int]]:
        parts = "".join(", (SELECT count(*) FROM (SELECT 1 FROM library_passages p WHERE "
                        "p.search @@ phraseto_tsquery('english', ?) LIMIT ?) s)"
                        for _ in phrases)
        params: list[Any] = []
        for phrase in phrases:
            params += [phrase_text(phrase), cap]
        row = self._all(f"SELECT (SELECT version FROM library_meta){parts}", params)[0]
        return int(row[0]), [int(row[i + 1]) for i in range(len(phrases))]

    def search(self, match: str, weights: tuple[float, float], limit: int,
               offset: int = 0) -> list[Row]:
        where, where_params = condition(match)
        query, query_params = any_query(match)
        top = max(weights) or 1.0
        ranks = f"'{{0, 0, {weights[1] / top:.6f}, {weights[0] / top:.6f}}}'"
        sql = (
            f"WITH q AS (SELECT {query} AS q) "
            f"SELECT p.id, -ts_rank({ranks}::float4[], p.search, q.q) AS score, "
            f"ts_headline('english', p.heading, q.q, '{HIGHLIGHT}') AS heading_hl, "
            f"ts_headline('english', p.body, q.q, '{HIGHLIGHT}') AS body_hl, "
            "p.id AS pid, p.section, p.section_path, p.article_id, "
            f"{_ARTICLE_COLUMNS} FROM library_passages p CROSS JOIN q "
            "JOIN library_articles a ON a.id = p.article_id "
            f"WHERE {where} ORDER BY score, p.id LIMIT ? OFFSET ?")
        return self._all(sql, [*query_params, *where_params, limit, offset])

    def words_starting(self, first: str) -> list[str]:
        rows = self._all("SELECT term FROM library_vocab WHERE term >= ? AND term < ?",
                         (first, first + "\U0010ffff"))
        return [r[0] for r in rows]


async def read_on_thread(db: Db, fn: Callable[[Any], T]) -> T:
    """`fn(reader)` on a worker thread, its reads on this loop."""
    reader = PgLibraryReader(db, asyncio.get_running_loop())
    return await asyncio.to_thread(fn, reader)
