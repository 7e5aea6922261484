"""Storage throughput: moderation cases written per second and schedule occurrences claimed
per second, on PostgreSQL with 1, 2 and 4 processes, beside SQLite with one. Printed, never
asserted.

Cases: each process opens cases (with a strike and a note, as the moderation feature does) in
16 groups, round robin; numbers stay gap-free per group under the group's advisory lock.
Claims: 2,000 schedules due at the same minute; every process tries to claim every one (in
its own shuffled order, reading first as the dispatcher does), as N bots on one database do;
the figure is claims won per second,
across all processes, until every occurrence is claimed.

PostgreSQL: GROUPBOT_BENCH_POSTGRES (a URL to an empty database you may fill), else a
throw-away server started like the tests' (tests/pgserver.py: initdb and pg_ctl from the
machine's packages, fsync off). Run: .venv/bin/python benchmarks/bench_storage.py
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from groupbot.core.types import Group  # noqa: E402
from groupbot.storage.cases import NewCase  # noqa: E402
from groupbot.storage.connect import open_database  # noqa: E402
from groupbot.storage.schedules import Claim  # noqa: E402
from groupbot.storage.store import Store  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUPS = [Group(f"bench:{n}", f"Group {n}", "console") for n in range(16)]
CASES_PER_PROCESS = int(os.environ.get("GROUPBOT_BENCH_CASES", "1500"))
SCHEDULES = int(os.environ.get("GROUPBOT_BENCH_SCHEDULES", "2000"))
OCCURRENCE = "2026-03-02T09:00"


async def _prepare(target: str) -> list[int]:
    async with open_database(target) as db:
        store = Store(db)
        for g in GROUPS:
            await store.groups.ensure(g, NOW)
        await store.schedules.add_many(
            [(GROUPS[n % len(GROUPS)].id, f"c{n % 200}", f"c{n % 200}", "prompt", None,
              "daily 09:00", "UTC", None, "bench") for n in range(SCHEDULES)],
            NOW - timedelta(days=1))
        rows = await db.fetchall("SELECT id FROM schedules ORDER BY id")
        return [int(r[0]) for r in rows]


async def _cases(target: str, worker: int, barrier: Any) -> tuple[float, float, int]:
    async with open_database(target, migrate=False) as db:
        store = Store(db)
        barrier.wait()
        start = time.perf_counter()
        for n in range(CASES_PER_PROCESS):
            group = GROUPS[(n + worker) % len(GROUPS)]
            await store.cases.open_case(group.id, NewCase(
                f"m{n % 50}", "remove", "message", message_id=f"{worker}-{n}",
                categories=["spam"], reason="bench", strike_weight=1.0,
                notes=["engine note"]), NOW)
        return start, time.perf_counter(), CASES_PER_PROCESS


async def _claims(target: str, worker: int, barrier: Any, ids: list[int]
                  ) -> tuple[float, float, int]:
    order = list(ids)
    random.Random(worker).shuffle(order)
    async with open_database(target, migrate=False) as db:
        store = Store(db)
        barrier.wait()
        start = time.perf_counter()
        won = 0
        for sid in order:
            # as the dispatcher does: a read first, so a lost race costs no write
            if await store.schedules.claimable(sid, OCCURRENCE, NOW) is not Claim.CLAIMED:
                continue
            outcome = await store.schedules.claim(
                sid, OCCURRENCE, NOW, by=f"w{worker}", idempotency_key=f"k{sid}", now=NOW,
                content='{"text": "bench"}', content_ref="bench")
            won += outcome is Claim.CLAIMED
        return start, time.perf_counter(), won


def _worker(kind: str, target: str, worker: int, barrier: Any, ids: list[int],
            out: Any) -> None:
    if kind == "cases":
        out.put(asyncio.run(_cases(target, worker, barrier)))
    else:
        out.put(asyncio.run(_claims(target, worker, barrier, ids)))


def _run(kind: str, target: str, processes: int, ids: list[int]) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(kind, target, w, barrier, ids, out))
             for w in range(processes)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    total = sum(r[2] for r in results)
    return total / (end - start), total


def _fresh(server: Any, url: str | None, label: str) -> str:
    if server is not None:
        return str(server.new_database())
    assert url is not None
    import asyncpg  # type: ignore[import-untyped]

    async def wipe() -> None:
        raw = await asyncpg.connect(url)
        try:
            await raw.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await raw.close()
    asyncio.run(wipe())
    return url


def main() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url = os.environ.get("GROUPBOT_BENCH_POSTGRES")
    server = None
    if url is None:
        from tests.pgserver import start_server

        server = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs: list[tuple[str, int, str]] = [("SQLite", 1, "")] + [
                ("PostgreSQL", n, "") for n in (1, 2, 4)]
            for backend, processes, _ in runs:
                for kind, unit in (("cases", "cases/s"), ("claims", "claims/s")):
                    if backend == "SQLite":
                        target = os.path.join(tmp, f"{kind}.db")
                    else:
                        target = _fresh(server, url, f"{kind}-{processes}")
                    ids = asyncio.run(_prepare(target))
                    rate, total = _run(kind, target, processes, ids)
                    rows.append({"benchmark": "storage", "metric":
                                 f"{kind} ({backend}, {processes} process"
                                 f"{'es' if processes > 1 else ''})",
                                 "value": rate, "unit": unit, "peer": None,
                                 "peer_value": None, "ratio": None, "target": None,
                                 "met": None, "total": total})
    finally:
        if server is not None:
            server.stop()
    return rows


if __name__ == "__main__":
    for row in main():
        print(f"{row['metric']:<40} {row['value']:>10,.0f} {row['unit']}"
              f"  ({row['total']} in all)")
