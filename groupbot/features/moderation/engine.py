"""The moderation engine as the feature sees it: its contract, and the default one.

The engine itself (`groupbot.moderation`) knows nothing of chat or storage; the feature
depends only on `Decider`, so tests give it a scripted one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from groupbot.features.base import Services
from groupbot.moderation.verdict import Verdict

if TYPE_CHECKING:
    from groupbot.moderation.policy import Policy


class Decider(Protocol):
    """The engine contract the feature relies on (`groupbot.moderation.engine`).

    Context keywords: group_id, channel_id, channel_name, author_id, author_is_moderator,
    mentions, member_names. With `stateful`, the engine applies and updates its bounded
    flood and repeat history, timed by `now` (seconds).
    """

    @property
    def policy(self) -> Policy | None:
        """The policy in force (None: a decider set in code, with no policy file)."""
        ...

    def decide(self, text: str, *, stateful: bool = False, now: float | None = None,
               **ctx: Any) -> Verdict: ...

    def swap(self, policy: Policy) -> Policy:
        """Put a checked policy in force; the one it replaces."""
        ...


def default_engine(services: Services) -> Decider:
    from groupbot.moderation.engine import ModerationEngine

    return ModerationEngine(services.config.policy_file)
