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
# The categories whose messages may be held for a moderator's review (`hold`): what a
# moderator should see before it counts. Never distress or crisis (care comes first), nor
# profanity (swearing is venting, not something to review).
HOLD_CATEGORIES = frozenset(("harassment", "hate", "threat", "sexual", "pii", "spam"))


class Action(enum.Enum):
    """The ladder, mildest first. `care` (a short private note for a member in distress) and
    `support` (the crisis path) are never a punishment. `hold` removes a message pending a
    moderator's review: they restore it or confirm the removal, and only a confirmed removal
    counts a strike."""

    ALLOW = "allow"
    NUDGE = "nudge"
    CARE = "care"
    REMOVE = "remove"
    HOLD = "hold"
    TIMEOUT = "timeout"
    ESCALATE = "escalate"
    SUPPORT = "support"

    @property
    def rank(self) -> int:
        return _RANK[self]


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})  # shared, so read-only

# The strongest action of a message's findings wins. `hold` ranks above `remove` (the message
# goes as well, and a moderator looks) and below `timeout` (which also pauses the member).
_RANK = {Action.ALLOW: 0, Action.NUDGE: 1, Action.CARE: 2, Action.REMOVE: 3, Action.HOLD: 4,
         Action.TIMEOUT: 5, Action.ESCALATE: 6, Action.SUPPORT: 7}


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
