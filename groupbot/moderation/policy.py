"""The moderation policy in force, as plain data: what each category does, the strike ladder,
spam thresholds, custom rules and per-group and per-channel overrides. It is read from a
YAML file a moderator can edit (policy_file.py checks it at load). Per-group and
per-channel overrides change actions per category (a venting channel that allows profanity)
or ask for content notes. Custom rules are whole-word lists and google-re2 regular
expressions (linear time: no pattern can make the bot hang), compiled once at load.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from groupbot.moderation.verdict import CATEGORIES, Action

log = logging.getLogger(__name__)

ACTIONS = {a.value: a for a in Action}
DISTRESS_GUIDELINE = "It's okay to not be okay here. You're welcome to share, and to reach out."
_PUNITIVE = (Action.REMOVE, Action.TIMEOUT)
MAX_REGEX_LEN = 1000
MAX_RULES = 500


@dataclass(frozen=True, slots=True)
class CategoryPolicy:
    """What to do for one category, by severity (1 mild, 2 serious, 3 severe)."""

    action: Action
    mild: Action
    severe: Action
    strike: float = 0.0
    enabled: bool = True
    guideline: str = ""

    def action_for(self, severity: int) -> Action:
        if not self.enabled:
            return Action.ALLOW
        if severity >= 3:
            return self.severe
        if severity <= 1:
            return self.mild
        return self.action


@dataclass(frozen=True, slots=True)
class Threshold:
    points: float
    action: Action
    minutes: int = 0


@dataclass(frozen=True, slots=True)
class StrikePolicy:
    half_life_days: float = 30.0
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True, slots=True)
class SpamPolicy:
    score_threshold: float = 4.0
    mass_mentions: int = 5
    allow_invites: bool = False
    flood_messages: int = 6
    flood_seconds: float = 10.0
    repeat_count: int = 3
    repeat_seconds: float = 300.0
    history_per_member: int = 20
    max_members: int = 5000


@dataclass(frozen=True, slots=True)
class Rule:
    """A custom rule from the policy file: words and/or re2 patterns for one category."""

    id: str
    category: str
    severity: int
    words: tuple[str, ...] = ()
    patterns: tuple[Any, ...] = ()  # compiled re2 objects
    channels: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """The settings in force in one place (group + channel), after overrides."""

    categories: Mapping[str, CategoryPolicy]
    require_content_note: bool = False
    exempt_moderators: frozenset[str] = frozenset()


@dataclass(slots=True)
class Override:
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    require_content_note: bool | None = None


@dataclass(eq=False, slots=True)
class Policy:
    source: str
    name: str
    categories: dict[str, CategoryPolicy]
    strikes: StrikePolicy
    spam: SpamPolicy
    rules: tuple[Rule, ...]
    exempt_moderators: frozenset[str]
    channels: dict[str, Override]
    groups: dict[str, tuple[Override, dict[str, Override]]]
    text: str = ""  # the file as loaded, for `/mod policy show`
    compiled: Any = field(default=None, repr=False)  # the engine's matcher, built once
    _scopes: dict[tuple[str | None, str | None, str | None], Scope] = field(default_factory=dict)

    def scope(self, group_id: str | None = None, channel_id: str | None = None,
              channel_name: str | None = None) -> Scope:
        """The settings for a place; cached, so this costs a dict lookup per message."""
        key = (group_id, channel_id, channel_name)
        found = self._scopes.get(key)
        if found is None:
            found = self._resolve(group_id, channel_id, channel_name)
            if len(self._scopes) > 4096:
                self._scopes.clear()
            self._scopes[key] = found
        return found

    def _resolve(self, group_id: str | None, channel_id: str | None,
                 channel_name: str | None) -> Scope:
        layers: list[Override] = []
        names = [n for n in (channel_id, _channel_key(channel_name)) if n]
        for n in names:
            if n in self.channels:
                layers.append(self.channels[n])
                break
        if group_id is not None and group_id in self.groups:
            group_override, group_channels = self.groups[group_id]
            layers.append(group_override)
            for n in names:
                if n in group_channels:
                    layers.append(group_channels[n])
                    break
        cats = dict(self.categories)
        note = False
        for layer in layers:
            for cat, changes in layer.categories.items():
                cats[cat] = replace(cats[cat], **changes)
            if layer.require_content_note is not None:
                note = layer.require_content_note
        return Scope(cats, note, self.exempt_moderators)

    def describe(self) -> str:
        """A readable summary of the policy in force (for `/mod policy show`)."""
        lines = [f"Policy: {self.name} ({self.source})"]
        for cat in CATEGORIES:
            c = self.categories[cat]
            state = "" if c.enabled else " (off)"
            lines.append(f"- {cat}{state}: mild {c.mild.value}, serious {c.action.value}, "
                         f"severe {c.severe.value}; strike {c.strike:g}")
        lines.append(f"Strikes halve every {self.strikes.half_life_days:g} days; thresholds: "
                     + (", ".join(f"{t.points:g} -> {t.action.value}"
                                  + (f" {t.minutes} min" if t.minutes else "")
                                  for t in self.strikes.thresholds) or "none"))
        if self.exempt_moderators:
            lines.append("Moderators exempt from: " + ", ".join(sorted(self.exempt_moderators)))
        for name, ov in self.channels.items():
            lines.append(f"Channel #{name}: " + _describe_override(ov))
        for gid, (gov, chans) in self.groups.items():
            lines.append(f"Group {gid}: " + _describe_override(gov))
            for name, ov in chans.items():
                lines.append(f"  Channel #{name}: " + _describe_override(ov))
        if self.rules:
            lines.append("Custom rules: " + ", ".join(r.id for r in self.rules))
        return "\n".join(lines)


def _describe_override(ov: Override) -> str:
    parts = [f"{cat} " + ", ".join(f"{k}={_show(v)}" for k, v in ch.items())
             for cat, ch in ov.categories.items()]
    if ov.require_content_note:
        parts.append("content notes required on heavy topics")
    return "; ".join(parts) or "no changes"


def _show(v: Any) -> str:
    return v.value if isinstance(v, Action) else str(v)


def _channel_key(name: str | None) -> str | None:
    return name.lstrip("#").lower() if name else None
