"""Choosing the next prompt for a channel: a curriculum step, or a rotation without repeats.

A pool is a theme, or the whole library. A channel never gets a prompt again from a pool until
it has had every prompt in that pool; then a new cycle starts (and never with the prompt it
just had). The state lives in SQLite (`PromptRepo`), so it survives restarts, and each claim is
one short transaction, so two dispatchers cannot take the same prompt.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from groupbot.core.errors import UsageError
from groupbot.core.ports import Clock, SystemClock
from groupbot.prompts_library.model import Curriculum, CurriculumStep, Prompt, PromptLibrary
from groupbot.storage.prompts import ALL_POOL, Claim, PromptRepo


@dataclass(frozen=True)
class PromptPick:
    """A chosen prompt and where it came from (a pool claim, or a curriculum step)."""

    prompt: Prompt
    pool: str | None = None  # theme slug, "*" for the whole library, None for a curriculum
    claim: Claim | None = None
    curriculum: Curriculum | None = None
    step: CurriculumStep | None = None

    @property
    def heading(self) -> str | None:
        """For curriculum steps: "Track title · Week 3 of 8: Focus"."""
        if self.curriculum is None or self.step is None:
            return None
        week = self.step.week
        focus = f": {week.title}" if week.title else ""
        return (f"{self.curriculum.title} · Week {week.number} of "
                f"{len(self.curriculum.weeks)}{focus}")


@dataclass(frozen=True)
class CurriculumStatus:
    curriculum: Curriculum | None  # None when the stored id is no longer in the library
    curriculum_id: str
    position: int  # next step, 0-based
    finished: bool

    def describe(self) -> str:
        if self.curriculum is None:
            return (f"'{self.curriculum_id}', which is no longer in the prompt library; "
                    "random rotation is used instead")
        total = len(self.curriculum)
        if self.finished or self.position >= total:
            return f"{self.curriculum.title}: finished (all {total} prompts posted)"
        step = self.curriculum.steps()[self.position]
        return (f"{self.curriculum.title}: next is week {step.week.number} of "
                f"{len(self.curriculum.weeks)} (prompt {self.position + 1} of {total}, "
                f"{step.prompt_id})")


class PromptRotation:
    def __init__(self, library: PromptLibrary, repo: PromptRepo, *, clock: Clock | None = None,
                 rng: random.Random | None = None) -> None:
        self.library = library
        self.repo = repo
        self.clock: Clock = clock or SystemClock()
        self._rng = rng or random.SystemRandom()

    # -- themes --------------------------------------------------------------------------
    def resolve_theme(self, theme: str) -> str:
        """A theme slug from what a moderator typed ("Self care", "self-care", a title)."""
        wanted = "-".join(theme.strip().lower().replace("_", " ").split())
        themes = self.library.themes()
        if wanted in themes:
            return wanted
        by_title = {"-".join(self.library.theme_title(t).lower().split()): t for t in themes}
        if wanted in by_title:
            return by_title[wanted]
        close = difflib.get_close_matches(wanted, themes, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        shown = wanted[:40] or "(empty)"
        raise UsageError(f"I don't know a theme called '{shown}'.{hint} The themes are: "
                         f"{', '.join(themes)}.")

    def _pool(self, theme: str | None) -> tuple[str, list[str]]:
        if theme is None:
            return ALL_POOL, self.library.ids()
        slug = self.resolve_theme(theme)
        return slug, [p.id for p in self.library.by_theme(slug)]

    def _choose(self, candidates: Sequence[str]) -> str:
        return self._rng.choice(list(candidates))

    # -- picking -------------------------------------------------------------------------
    async def next_prompt(self, group_id: str, channel_id: str,
                          theme: str | None = None) -> Prompt:
        """The next prompt for a channel (see `next_pick`)."""
        return (await self.next_pick(group_id, channel_id, theme)).prompt

    async def next_pick(self, group_id: str, channel_id: str,
                        theme: str | None = None) -> PromptPick:
        """With no theme, a channel following a curriculum gets its next step; otherwise (or
        once the curriculum is finished) the next unused prompt from the theme or library."""
        if theme is None:
            step = await self.next_in_curriculum(group_id, channel_id)
            if step is not None:
                return step
        return await self.next_from_pool(group_id, channel_id, theme)

    async def next_from_pool(self, group_id: str, channel_id: str,
                             theme: str | None = None) -> PromptPick:
        pool, ids = self._pool(theme)
        if not ids:
            raise UsageError("The prompt library has no prompts for that theme yet.")
        claim = await self.repo.claim(group_id, channel_id, pool, ids, self._choose,
                                      self.clock.now())
        prompt = self.library.get(claim.prompt_id)
        assert prompt is not None  # claim only returns ids from the pool
        return PromptPick(prompt, pool=pool, claim=claim)

    async def release(self, pick: PromptPick, group_id: str, channel_id: str) -> None:
        """The post of `pick` failed: give the prompt (or curriculum step) back."""
        if pick.claim is not None:
            await self.repo.release(pick.claim)
        elif pick.curriculum is not None and pick.step is not None:
            await self.repo.rewind_curriculum(group_id, channel_id, pick.curriculum.id,
                                              pick.step.index, self.clock.now())

    async def progress(self, group_id: str, channel_id: str,
                       theme: str | None = None) -> tuple[int, int]:
        """(prompts used in the current cycle, pool size) for a channel."""
        pool, ids = self._pool(theme)
        return await self.repo.progress(group_id, channel_id, pool, ids)

    # -- curricula -----------------------------------------------------------------------
    def resolve_curriculum(self, name: str) -> Curriculum:
        wanted = "-".join(name.strip().lower().split())
        found = self.library.curricula.get(wanted)
        if found is not None:
            return found
        for cur in self.library.curricula.values():
            if "-".join(cur.title.lower().split()) == wanted:
                return cur
        ids = sorted(self.library.curricula)
        close = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        listing = ", ".join(ids) if ids else "none yet"
        raise UsageError(f"I don't know a curriculum called '{wanted[:40]}'.{hint} "
                         f"The curricula are: {listing}.")

    async def set_curriculum(self, group_id: str, channel_id: str, curriculum: str,
                             *, week: int = 1) -> Curriculum:
        """Make a channel follow a curriculum from `week` (1-based) on."""
        cur = self.resolve_curriculum(curriculum)
        if not 1 <= week <= len(cur.weeks):
            raise UsageError(f"{cur.title} has weeks 1 to {len(cur.weeks)}.")
        position = next(s.index for s in cur.steps() if s.week.number == week)
        await self.repo.set_curriculum(group_id, channel_id, cur.id, self.clock.now(), position)
        return cur

    async def stop_curriculum(self, group_id: str, channel_id: str) -> bool:
        return await self.repo.clear_curriculum(group_id, channel_id)

    async def curriculum_status(self, group_id: str, channel_id: str) -> CurriculumStatus | None:
        state = await self.repo.curriculum(group_id, channel_id)
        if state is None:
            return None
        cur = self.library.curricula.get(state.curriculum_id)
        return CurriculumStatus(cur, state.curriculum_id, state.position,
                                state.finished_at is not None)

    async def next_in_curriculum(self, group_id: str, channel_id: str) -> PromptPick | None:
        """The channel's next curriculum step (and advance), or None if it follows none or
        has finished it."""

        def length_of(cid: str) -> int | None:
            cur = self.library.curricula.get(cid)
            return len(cur) if cur is not None else None

        claimed = await self.repo.advance_curriculum(group_id, channel_id, length_of,
                                                     self.clock.now())
        if claimed is None:
            return None
        cid, position = claimed
        cur = self.library.curricula[cid]
        step = cur.steps()[position]
        prompt = self.library.get(step.prompt_id)
        assert prompt is not None  # the loader refuses curricula with unknown ids
        return PromptPick(prompt, curriculum=cur, step=step)
