"""Excerpt search latency on a generated 1,000-article library, against a plain Python scan.

Both sides do the same job per query: rank every passage for the query's words (section
title weighted above body) and cut the best one into a short excerpt. groupbot uses its
SQLite FTS5 index (bm25); the peer scans the same passages in memory with a compiled regex.
Targets (issue 4): p95 under 5 ms, and at least 20x faster than the scan. Also shown: p99,
and for the slowest tenth of the queries how much of their time the ranked FTS5 statements
(one per search tier run) take, to say where a slow query's time goes.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.gen_excerpt_library import FUNCTION_WORDS, generate
from groupbot.library.service import ExcerptService
from groupbot.library.text import content_words, split_sentences
from groupbot.storage.database import Database
from groupbot.storage.library import LibraryReader

ARTICLES = 1000
QUERIES = 200
HEADING_WEIGHT = 8.0


def _queries(rng: random.Random, vocabulary: list[str],
             passages: list[tuple[str, str]]) -> list[str]:
    """Member-like queries. Half name words that occur together in some passage (people ask
    about what they read); half are random vocabulary words, a third of them very common
    ones, that need not occur together at all. Some carry question words or FTS syntax."""
    out = []
    for i in range(QUERIES):
        n = rng.choice((1, 2, 2, 3))
        if i % 2 == 0:
            _, body = rng.choice(passages)
            own = [w for w in dict.fromkeys(body.lower().rstrip(".?").split())
                   if w not in FUNCTION_WORDS]
            words = rng.sample(own, min(n, len(own)))
        else:
            pool = vocabulary[:150] if i % 3 == 0 else vocabulary
            words = rng.sample(pool, n)
        if i % 4 == 0:
            words = ["what", "is", *words]
        if i % 10 == 0:
            words.append('"NEAR(x*')  # FTS syntax must be harmless and not slow
        out.append(" ".join(words))
    return out


class PlainScan:
    """The peer: every passage in memory, ranked per query by a regex scan and BM25."""

    def __init__(self, passages: list[tuple[str, str]]) -> None:
        self.passages = [(h.lower(), b.lower(), b) for h, b in passages]
        self.avg = statistics.fmean(len(b.split()) for _, b, _ in self.passages)

    def search(self, query: str, limit: int = 2) -> list[tuple[float, str]]:
        words = content_words(query)
        if not words:
            return []
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*")
        hits: list[tuple[int, dict[str, int], dict[str, int]]] = []
        df: dict[str, int] = dict.fromkeys(words, 0)
        for i, (head, body, _) in enumerate(self.passages):
            tf_b: dict[str, int] = {}
            tf_h: dict[str, int] = {}
            for m in pattern.finditer(body):
                tf_b[m.group(1)] = tf_b.get(m.group(1), 0) + 1
            for m in pattern.finditer(head):
                tf_h[m.group(1)] = tf_h.get(m.group(1), 0) + 1
            if tf_b or tf_h:
                for w in set(tf_b) | set(tf_h):
                    df[w] += 1
                hits.append((i, tf_h, tf_b))
        n = len(self.passages)
        scored = []
        for i, tf_h, tf_b in hits:
            length = len(self.passages[i][1].split())
            score = 0.0
            for w in set(tf_h) | set(tf_b):
                idf = max(1e-6, math.log((n - df[w] + 0.5) / (df[w] + 0.5)))
                tf = HEADING_WEIGHT * tf_h.get(w, 0) + tf_b.get(w, 0)
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / self.avg))
            scored.append((score, i))
        scored.sort(reverse=True)
        out = []
        for score, i in scored[:limit]:
            sentences = split_sentences(self.passages[i][2])
            text = ""
            for s in sentences[:3]:
                if len(text) + len(s) > 600:
                    break
                text = f"{text} {s}".strip()
            out.append((score, text))
        return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


async def _run() -> list[dict[str, object]]:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        paths, vocabulary = generate(folder, ARTICLES, seed=7)
        assert not set(FUNCTION_WORDS) & set(vocabulary[:5])
        async with Database(Path(tmp) / "bench.db") as db:
            service = ExcerptService(db)
            started = time.perf_counter()
            results = await service.ingest([folder])
            ingest_s = time.perf_counter() - started
            errors = [r for r in results if r.status == "error"]
            if errors:
                raise RuntimeError(f"{len(errors)} generated articles failed: {errors[0].error}")
            rows = await db.fetchall("SELECT heading, body FROM library_passages")
            passages = [(r["heading"], r["body"]) for r in rows]
            scan = PlainScan(passages)
            queries = _queries(rng, vocabulary, passages)
            for q in queries[:20]:  # warm both sides
                await service.search(q, limit=2)
                scan.search(q)
            fts_ms: list[float] = []
            scan_ms: list[float] = []
            tier_ms: list[list[float]] = []  # per query: each ranked tier statement
            real_search = LibraryReader.search

            def timed_search(reader: LibraryReader, match: str, weights: tuple[float, float],
                             limit: int, offset: int = 0) -> list[Any]:
                # runs on the database thread, inside the search's one hop
                t0 = time.perf_counter()
                rows = real_search(reader, match, weights, limit, offset)
                tier_ms[-1].append((time.perf_counter() - t0) * 1000)
                return rows

            LibraryReader.search = timed_search  # type: ignore[method-assign]
            try:
                found = 0
                for q in queries:
                    tier_ms.append([])
                    t0 = time.perf_counter()
                    outcome = await service.search(q, limit=2)
                    fts_ms.append((time.perf_counter() - t0) * 1000)
                    found += outcome.best is not None
                    t0 = time.perf_counter()
                    scan.search(q)
                    scan_ms.append((time.perf_counter() - t0) * 1000)
            finally:
                LibraryReader.search = real_search  # type: ignore[method-assign]
    p50, p95, p99 = _pct(fts_ms, 0.5), _pct(fts_ms, 0.95), _pct(fts_ms, 0.99)
    s50, s95, s99 = _pct(scan_ms, 0.5), _pct(scan_ms, 0.95), _pct(scan_ms, 0.99)
    slow = sorted(range(len(fts_ms)), key=lambda i: -fts_ms[i])[: max(1, len(fts_ms) // 10)]
    slow_total = sum(fts_ms[i] for i in slow)
    slow_tiers = sum(sum(tier_ms[i]) for i in slow)
    slow_statements = statistics.fmean(len(tier_ms[i]) for i in slow)
    peer = "plain Python scan"
    name = "excerpt"
    return [
        {"benchmark": name, "metric": f"library: articles / passages ({found}/{len(queries)} "
         "queries matched)", "value": float(len(paths)), "unit": "articles", "peer": None,
         "peer_value": float(len(passages)), "ratio": None, "target": "1,000 articles",
         "met": len(paths) >= 1000},
        {"benchmark": name, "metric": "ingest time (parse + FTS5 index)", "value": ingest_s,
         "unit": "s", "peer": None, "peer_value": None, "ratio": None, "target": None,
         "met": None},
        {"benchmark": name, "metric": "query latency p50", "value": p50, "unit": "ms",
         "peer": peer, "peer_value": s50, "ratio": s50 / p50, "target": None, "met": None},
        {"benchmark": name, "metric": "query latency p95", "value": p95, "unit": "ms",
         "peer": peer, "peer_value": s95, "ratio": s95 / p95,
         "target": "p95 < 5 ms and >= 20x faster", "met": p95 < 5.0 and s95 / p95 >= 20},
        {"benchmark": name, "metric": "query latency p99", "value": p99, "unit": "ms",
         "peer": peer, "peer_value": s99, "ratio": s99 / p99, "target": None, "met": None},
        {"benchmark": name, "metric": f"slowest 10%: share in ranked tier statements "
         f"({slow_statements:.1f} per query)", "value": 100 * slow_tiers / slow_total,
         "unit": "%", "peer": None, "peer_value": None, "ratio": None, "target": None,
         "met": None},
    ]


def main() -> list[dict[str, object]]:
    return asyncio.run(_run())


if __name__ == "__main__":
    for row in main():
        value = row["value"]
        peer_value = row["peer_value"]
        ratio = row["ratio"]
        print(f"{row['metric']:<55} {value:>10.3f} {row['unit']:<9}"
              + (f" peer {peer_value:>9.3f}" if isinstance(peer_value, float) else "")
              + (f"  ratio {ratio:>6.1f}x" if isinstance(ratio, float) else "")
              + (f"  target: {row['target']} met: {row['met']}" if row["target"] else ""))
