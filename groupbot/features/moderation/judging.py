"""Judging a message: the engine's contract, failing open to `escalate`, and the policy's
view of a verdict (its strike weight and guideline). Care before judgement is held here
too (`_care_first`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from groupbot.core.types import Channel
from groupbot.features.moderation.shared import DEFAULT_GUIDELINE, GUIDELINES, ModerationParts
from groupbot.moderation.verdict import CARE_CATEGORIES, Action, Verdict

if TYPE_CHECKING:
    from groupbot.moderation.policy import CategoryPolicy

log = logging.getLogger(__name__)


class JudgingMixin(ModerationParts):
    """The engine's verdict and what the policy says of it."""

    # -- judging -------------------------------------------------------------------------
    def judge(self, text: str, *, stateful: bool = False, **ctx: Any) -> Verdict:
        """Run the engine; a failure inside it fails open to `escalate`, never to silence.

        `ctx`: group_id, channel_id, channel_name, author_id, author_is_moderator, mentions.
        With `stateful`, the engine's bounded flood/repeat history applies (live messages)."""
        try:
            if stateful:
                return self.engine.decide(text, stateful=True,
                                          now=self.services.clock.now().timestamp(), **ctx)
            return self.engine.decide(text, **ctx)
        except Exception as exc:
            log.exception("moderation engine failed", extra={"group": ctx.get("group_id")})
            return Verdict(Action.ESCALATE, rules=("engine.error",),
                           reason="the moderation engine failed on this message",
                           error=f"{type(exc).__name__}: {exc}"[:300])

    # -- the policy's view of a verdict -------------------------------------------------
    def _scope_categories(self, group_id: str, channel: Channel | None
                          ) -> Mapping[str, CategoryPolicy] | None:
        policy = self.engine.policy
        if policy is None:
            return None
        try:
            return policy.scope(group_id, channel.id if channel else None,
                                channel.name if channel else None).categories
        except Exception:
            log.exception("reading the policy scope failed", extra={"group": group_id})
            return None

    def strike_weight(self, verdict: Verdict, group_id: str, channel: Channel | None) -> float:
        """Strikes only follow punitive actions (remove, timeout, escalate); never support,
        care or a nudge, nor anything showing distress or crisis. The policy's per-category
        `strike` decides the weight when there is one."""
        if verdict.action not in (Action.REMOVE, Action.TIMEOUT, Action.ESCALATE):
            return 0.0
        if verdict.error is not None:
            return 0.0  # our failure, not the member's
        if not CARE_CATEGORIES.isdisjoint(verdict.categories):
            return 0.0  # care before judgement: distress or crisis never counts as a strike
        cats = self._scope_categories(group_id, channel)
        if cats is not None:
            weights = [float(cats[c].strike) for c in verdict.categories if c in cats]
            return max(weights, default=0.0)
        return dict(self.strikes.action_weights).get(verdict.action, 0.0)

    def guideline(self, verdict: Verdict, group_id: str, channel: Channel | None) -> str:
        """The guideline sentence for the verdict's main category, from the policy if set."""
        cats = self._scope_categories(group_id, channel)
        for category in verdict.categories:
            text = ""
            if cats is not None and category in cats:
                text = cats[category].guideline.strip()
            text = text or GUIDELINES.get(category, "")
            if text:
                return text if text.endswith((".", "!", "?")) else text + "."
        return DEFAULT_GUIDELINE


def _care_first(verdict: Verdict) -> Verdict:
    """Care before judgement, held here too: a verdict that shows distress or crisis is never
    carried out as a removal, a hold or a timeout. (The engine never gives one; should it,
    moderators are asked to look instead.)"""
    if (verdict.action in (Action.REMOVE, Action.HOLD, Action.TIMEOUT)
            and not CARE_CATEGORIES.isdisjoint(verdict.categories)):
        return verdict._replace(action=Action.ESCALATE)
    return verdict

