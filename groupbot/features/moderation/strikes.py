"""Strikes: how much each counts, how fast it fades, and the thresholds the ladder climbs.

Plain data read from the policy's `strikes` section (or these defaults), shared by the
ladder, held messages and moderators' own actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from groupbot.features.moderation.engine import Decider
from groupbot.moderation.verdict import Action


@dataclass(frozen=True, slots=True)
class Threshold:
    points: float
    action: Action  # nudge, timeout or escalate
    minutes: int = 0

@dataclass(frozen=True, slots=True)
class StrikePolicy:
    """How strikes weigh, decay and escalate. Read from the engine's policy when it has one."""

    half_life_days: float = 14.0
    thresholds: tuple[Threshold, ...] = (Threshold(3.0, Action.TIMEOUT, 60),
                                         Threshold(5.0, Action.ESCALATE))
    action_weights: tuple[tuple[Action, float], ...] = ((Action.REMOVE, 1.0),
                                                        (Action.TIMEOUT, 2.0))
    warn_weight: float = 1.0
    default_timeout: timedelta = timedelta(hours=1)

    def at(self, action: Action) -> Threshold | None:
        """The lowest threshold with this action, if any."""
        found = [t for t in self.thresholds if t.action is action]
        return min(found, key=lambda t: t.points) if found else None

    def reached(self, total: float, action: Action) -> Threshold | None:
        """The highest threshold with this action that `total` has reached.

        Compared at the one decimal moderators are shown, so two 2-point strikes minutes
        apart (3.9998 after decay, shown as 4.0) reach a threshold of 4 as they appear to.
        """
        shown = round(total, 1)
        found = [t for t in self.thresholds if t.action is action and shown >= t.points]
        return max(found, key=lambda t: t.points) if found else None

def strike_policy_from(engine: Decider) -> StrikePolicy:
    """The policy's strike settings (half-life, thresholds) when the engine has a policy."""
    if engine.policy is None:
        return StrikePolicy()
    found = engine.policy.strikes
    steps = tuple(sorted((Threshold(float(t.points), t.action, t.minutes or 0)
                          for t in found.thresholds), key=lambda t: t.points))
    if found.half_life_days > 0:
        return StrikePolicy(half_life_days=float(found.half_life_days), thresholds=steps)
    return StrikePolicy(thresholds=steps)
