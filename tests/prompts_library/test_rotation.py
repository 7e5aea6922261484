"""Rotation without repeats, per pool and per channel, across restarts and racing claims;
and curricula followed in order."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groupbot.config import Config
from groupbot.core.errors import UsageError
from groupbot.core.ports import FakeClock
from groupbot.prompts_library.loader import load_library
from groupbot.prompts_library.model import Curriculum, CurriculumWeek, Prompt, PromptLibrary
from groupbot.prompts_library.rotation import PromptRotation
from groupbot.storage.database import Database
from groupbot.storage.prompts import PromptRepo

G, C = "console:local", "c-general"
REAL = load_library(Config().prompts_dir)


def small(n: int, theme: str = "t", extra: tuple[Prompt, ...] = ()) -> PromptLibrary:
    prompts = [Prompt(f"{theme}-{i:03d}", theme, f"Prompt {i}", ("Why?",), None, None)
               for i in range(1, n + 1)]
    return PromptLibrary([*prompts, *extra])


def rotation(lib: PromptLibrary, db: Database, seed: int = 7) -> PromptRotation:
    clock = FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    return PromptRotation(lib, PromptRepo(db), clock=clock, rng=random.Random(seed))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "r.db") as database:
        yield database


async def test_whole_library_never_repeats_until_used_up(db: Database) -> None:
    rot = rotation(REAL, db)
    seen = [(await rot.next_prompt(G, C)).id for _ in range(len(REAL))]
    assert len(set(seen)) == len(REAL) == len(seen)
    assert await rot.progress(G, C) == (0, len(REAL))  # a full round: the next starts afresh
    again = await rot.next_prompt(G, C)
    assert again.id != seen[-1]  # a new round never opens with the prompt just posted
    assert await rot.progress(G, C) == (1, len(REAL))


async def test_many_cycles_are_each_a_permutation_without_back_to_back(db: Database) -> None:
    rot = rotation(small(3), db, seed=1)
    seen = [(await rot.next_prompt(G, C)).id for _ in range(30)]
    for start in range(0, 30, 3):
        assert sorted(seen[start:start + 3]) == ["t-001", "t-002", "t-003"]
    assert all(a != b for a, b in itertools.pairwise(seen))
    rows = await db.fetchall("SELECT DISTINCT cycle FROM prompt_rotation")
    assert len(rows) <= 2  # old cycles are pruned


async def test_rotation_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    async with Database(path) as first:
        rot = rotation(REAL, first, seed=1)
        before = [(await rot.next_prompt(G, C, "boundaries")).id for _ in range(5)]
    async with Database(path) as second:
        # a different random seed: only the stored state can prevent repeats
        rot = rotation(REAL, second, seed=99)
        assert await rot.progress(G, C, "boundaries") == (5, 11)
        after = [(await rot.next_prompt(G, C, "boundaries")).id for _ in range(6)]
    assert set(before).isdisjoint(after)
    assert sorted(before + after) == sorted(p.id for p in REAL.by_theme("boundaries"))


async def test_theme_pools_and_channels_are_separate(db: Database) -> None:
    rot = rotation(REAL, db)
    pool = {p.id for p in REAL.by_theme("self-care")}
    got = [await rot.next_prompt(G, C, "self-care") for _ in range(len(pool))]
    assert {p.id for p in got} == pool and all(p.theme == "self-care" for p in got)
    assert await rot.progress(G, C, "boundaries") == (0, 11)
    assert await rot.progress(G, "c-other", "self-care") == (0, len(pool))
    assert await rot.progress("other-group", C, "self-care") == (0, len(pool))
    assert (await rot.next_prompt(G, C, "Self care")).theme == "self-care"  # typed loosely
    assert (await rot.next_prompt(G, C, "Asking for help and therapy")).theme == "asking-for-help"


async def test_unknown_theme_gets_a_kind_message(db: Database) -> None:
    rot = rotation(REAL, db)
    with pytest.raises(UsageError) as info:
        await rot.next_prompt(G, C, "boundries")
    message = str(info.value)
    assert "I don't know a theme called 'boundries'" in message
    assert "Did you mean 'boundaries'?" in message and "self-esteem" in message
    assert await db.fetchone("SELECT 1 FROM prompt_rotation") is None


async def test_concurrent_claims_never_take_the_same_prompt(db: Database) -> None:
    rot = rotation(small(20), db)
    got = await asyncio.gather(*(rot.next_prompt(G, C) for _ in range(20)))
    assert len({p.id for p in got}) == 20


async def test_two_processes_racing_on_one_file_never_repeat(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    lib = small(30)
    async with Database(path) as a, Database(path) as b:
        rot_a, rot_b = rotation(lib, a, seed=1), rotation(lib, b, seed=1)  # same choices!
        got = await asyncio.gather(*(r.next_prompt(G, C) for _ in range(15)
                                     for r in (rot_a, rot_b)))
    assert len({p.id for p in got}) == 30


async def test_library_edits_between_runs_are_respected(db: Database) -> None:
    rot = rotation(small(4), db)
    first = [(await rot.next_prompt(G, C)).id for _ in range(2)]
    # a facilitator removes one used prompt and adds a new one
    kept = [p for p in small(4).all() if p.id != first[0]]
    new = Prompt("t-new", "t", "A new prompt", ("Why?",), None, None)
    rot.library = PromptLibrary([*kept, new])
    rest = [(await rot.next_prompt(G, C)).id for _ in range(3)]
    assert sorted(rest) == sorted({"t-001", "t-002", "t-003", "t-004", "t-new"} - set(first))
    assert await rot.progress(G, C) == (0, 4)


async def test_release_gives_a_prompt_back(db: Database) -> None:
    rot = rotation(small(2), db)
    pick = await rot.next_pick(G, C)
    await rot.release(pick, G, C)
    assert await rot.progress(G, C) == (0, 2)


# -- curricula ------------------------------------------------------------------------------
def with_track() -> PromptLibrary:
    base = small(6)
    track = Curriculum("track", "A track", None, (
        CurriculumWeek(1, "Start", ("t-001", "t-002")),
        CurriculumWeek(2, None, ("t-003",)),
        CurriculumWeek(3, "End", ("t-004",)),
    ))
    return PromptLibrary(base.all(), [track])


async def test_curriculum_goes_in_order_then_falls_back_to_rotation(db: Database) -> None:
    rot = rotation(with_track(), db)
    await rot.set_curriculum(G, C, "track")
    picks = [await rot.next_pick(G, C) for _ in range(4)]
    assert [p.prompt.id for p in picks] == ["t-001", "t-002", "t-003", "t-004"]
    assert picks[0].heading == "A track · Week 1 of 3: Start"
    assert picks[2].heading == "A track · Week 2 of 3"
    status = await rot.curriculum_status(G, C)
    assert status is not None and status.finished
    after = await rot.next_pick(G, C)
    assert after.curriculum is None and after.pool == "*"
    # a theme given explicitly bypasses the curriculum but is its own pool
    await rot.set_curriculum(G, C, "track")
    themed = await rot.next_pick(G, C, "t")
    assert themed.curriculum is None
    assert (await rot.next_pick(G, C)).prompt.id == "t-001"


async def test_curriculum_position_survives_a_restart_and_can_start_mid_way(
        tmp_path: Path) -> None:
    path = tmp_path / "cur.db"
    async with Database(path) as first:
        rot = rotation(with_track(), first)
        await rot.set_curriculum(G, C, "A track", week=2)  # by title
        assert (await rot.next_prompt(G, C)).id == "t-003"
    async with Database(path) as second:
        rot = rotation(with_track(), second)
        assert (await rot.next_prompt(G, C)).id == "t-004"
        assert await rot.stop_curriculum(G, C)
        assert await rot.curriculum_status(G, C) is None


async def test_curriculum_errors_and_rewind(db: Database) -> None:
    rot = rotation(with_track(), db)
    with pytest.raises(UsageError, match="I don't know a curriculum called 'trak'.*Did you mean"):
        await rot.set_curriculum(G, C, "trak")
    with pytest.raises(UsageError, match="weeks 1 to 3"):
        await rot.set_curriculum(G, C, "track", week=9)
    await rot.set_curriculum(G, C, "track")
    pick = await rot.next_pick(G, C)
    await rot.release(pick, G, C)  # the post failed: the same step comes again
    assert (await rot.next_prompt(G, C)).id == "t-001"
    # a curriculum removed from the library: rotation takes over, nothing breaks
    rot.library = small(6)
    assert (await rot.next_pick(G, C)).curriculum is None
    status = await rot.curriculum_status(G, C)
    assert status is not None and "no longer in the prompt library" in status.describe()


async def test_used_at_follows_the_injected_clock(db: Database) -> None:
    rot = rotation(small(2), db)
    assert isinstance(rot.clock, FakeClock)
    await rot.clock.advance(timedelta(days=3))
    await rot.next_prompt(G, C)
    row = await db.fetchone("SELECT used_at FROM prompt_rotation")
    assert row is not None and row[0].startswith("2026-03-05T08:00")
