"""The result of judging one message: what to do, why, and which rules fired.

Shared by the pure engine (which produces verdicts) and the moderation feature (which acts
on them), so neither depends on the other's internals.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

CATEGORIES = ("harassment", "hate", "threat", "sexual", "profanity", "pii", "spam", "distress",
              "crisis")
# The care categories: a message showing either is never removed, timed out or counted as a
# strike, whatever else it contains (see engine._care_verdict).
CARE_CATEGORIES = frozenset(("distress", "crisis"))


class Action(enum.Enum):
    """The ladder, mildest first. `care` (a short private note for a member in distress) and
    `support` (the crisis path) are never a punishment."""

    ALLOW = "allow"
    NUDGE = "nudge"
    CARE = "care"
    REMOVE = "remove"
    TIMEOUT = "timeout"
    ESCALATE = "escalate"
    SUPPORT = "support"

    @property
    def rank(self) -> int:
        return _RANK[self]


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})  # shared, so read-only

_RANK = {Action.ALLOW: 0, Action.NUDGE: 1, Action.CARE: 2, Action.REMOVE: 3, Action.TIMEOUT: 4,
         Action.ESCALATE: 5, Action.SUPPORT: 6}


class Verdict(NamedTuple):
    """What to do with one message, and why. Immutable (a tuple: the engine builds one per
    message, and a tuple is several times cheaper to make than a frozen dataclass)."""

    action: Action
    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    reason: str = ""
    severity: int = 0  # 0 none, 1 mild, 2 serious, 3 severe (crisis: 3 = intent or plan)
    error: str | None = None  # set when the engine failed and fell open to escalate
    details: Mapping[str, Any] = _NO_DETAILS  # fingerprint, PII spans, truncated, ...

    def as_json(self) -> dict[str, Any]:
        """The `groupbot moderate` line format from the public interface."""
        return {
            "action": self.action.value,
            "categories": list(self.categories),
            "rules": list(self.rules),
            "reason": self.reason,
        }
