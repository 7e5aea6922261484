"""The prompt library as plain, immutable data.

`loader.load_library(dir)` reads and validates a folder of YAML files (see `loader.py`); the
result is read-only, so the rotation and the commands can share it safely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True)
class Prompt:
    """One discussion prompt. `excerpt` is the /excerpt query for the matching passage."""

    id: str
    theme: str
    text: str
    follow_ups: tuple[str, ...]
    content_note: str | None
    excerpt: str | None


@dataclass(frozen=True)
class CurriculumWeek:
    """One week of a curriculum: its prompts in the order they are posted."""

    number: int
    title: str | None
    prompt_ids: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class CurriculumStep:
    """One post of a curriculum, flattened: which week it belongs to and where it stands."""

    index: int  # 0-based position in the whole curriculum
    week: CurriculumWeek
    prompt_id: str


@dataclass(frozen=True)
class Curriculum:
    """An ordered track across weeks that a channel can follow instead of random rotation."""

    id: str
    title: str
    description: str | None
    weeks: tuple[CurriculumWeek, ...]

    def steps(self) -> tuple[CurriculumStep, ...]:
        out: list[CurriculumStep] = []
        for week in self.weeks:
            for pid in week.prompt_ids:
                out.append(CurriculumStep(len(out), week, pid))
        return tuple(out)

    def __len__(self) -> int:
        return sum(len(w.prompt_ids) for w in self.weeks)


@dataclass(frozen=True)
class Location:
    """Where something was defined, so moderators and facilitators can find it to edit."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


# Display names of the themes shipped in prompts/; a theme file's `title` overrides these.
KNOWN_THEME_TITLES: Mapping[str, str] = MappingProxyType({
    "boundaries": "Boundaries",
    "self-care": "Self-care",
    "codependency-interdependence": "Codependency and interdependence",
    "family-patterns": "Family patterns",
    "early-bonds": "Early bonds",
    "self-esteem": "Self-esteem",
    "change-recovery": "Change and recovery",
    "asking-for-help": "Asking for help and therapy",
    "small-wins": "Gratitude and small wins",
})


def theme_display(theme: str) -> str:
    """A readable name for a theme slug when the library gives none."""
    return KNOWN_THEME_TITLES.get(theme) or theme.replace("-", " ").capitalize()


class PromptLibrary:
    """All prompts and curricula, indexed by id and by theme, in file order."""

    def __init__(
        self,
        prompts: Iterable[Prompt],
        curricula: Iterable[Curriculum] = (),
        *,
        theme_titles: Mapping[str, str] | None = None,
        locations: Mapping[str, Location] | None = None,
        root: Path | None = None,
    ) -> None:
        self._prompts: dict[str, Prompt] = {}
        self._by_theme: dict[str, list[Prompt]] = {}
        for prompt in prompts:
            if prompt.id in self._prompts:
                raise ValueError(f"duplicate prompt id {prompt.id}")
            self._prompts[prompt.id] = prompt
            self._by_theme.setdefault(prompt.theme, []).append(prompt)
        self._curricula: dict[str, Curriculum] = {}
        for cur in curricula:
            if cur.id in self._curricula:
                raise ValueError(f"duplicate curriculum id {cur.id}")
            for week in cur.weeks:
                for pid in week.prompt_ids:
                    if pid not in self._prompts:
                        raise ValueError(f"curriculum {cur.id} names unknown prompt {pid}")
            self._curricula[cur.id] = cur
        self._titles = dict(theme_titles or {})
        self._locations = dict(locations or {})
        self.root = root

    # -- reading -------------------------------------------------------------------------
    def get(self, id: str) -> Prompt | None:
        return self._prompts.get(id)

    def themes(self) -> list[str]:
        return sorted(self._by_theme)

    def by_theme(self, theme: str) -> tuple[Prompt, ...]:
        return tuple(self._by_theme.get(theme, ()))

    def all(self) -> tuple[Prompt, ...]:
        return tuple(self._prompts.values())

    def ids(self) -> list[str]:
        return list(self._prompts)

    @property
    def curricula(self) -> Mapping[str, Curriculum]:
        return MappingProxyType(self._curricula)

    def theme_title(self, theme: str) -> str:
        return self._titles.get(theme) or theme_display(theme)

    def location(self, id: str) -> Location | None:
        """Where a prompt or curriculum is defined (file and line), when loaded from files."""
        return self._locations.get(id)

    def __len__(self) -> int:
        return len(self._prompts)

    def __contains__(self, id: object) -> bool:
        return id in self._prompts
