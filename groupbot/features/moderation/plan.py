"""What the ladder will do with a verdict, decided as a pure function of what was read once.

The ladder reads a member's state once (`MemberState`: strikes, when they last got the crisis
reply and the care note), plans here with no I/O, then acts on the platform and records. Kept
apart so the decision can be read and tested on its own: strikes and thresholds, the label the
case gets, whether moderators must review it, how long a timeout lasts, and whether a care
note is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from groupbot.features.moderation.shared import STRIKES_UNREAD
from groupbot.features.moderation.strikes import StrikePolicy, Threshold
from groupbot.moderation.verdict import CARE_CATEGORIES, Action, Verdict

# The care note (distress): at most once per member and group in this window.
CARE_NOTE_EVERY = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class LadderPlan:
    label: Action  # what the case is called (a removal that reaches a timeout is a timeout)
    total: float  # strikes after this one (before, plus its weight)
    needs_review: bool  # a moderator must look (escalate, review threshold, engine error)
    cared: bool  # distress or crisis in the verdict: no strike, and the care note
    timeout: timedelta | None  # how long the member is paused, if at all
    timeout_step: Threshold | None
    notes: list[str] = field(default_factory=list)  # for the case, in this order


def plan_ladder(verdict: Verdict, weight: float, before: float | None,
                strikes: StrikePolicy) -> LadderPlan:
    """The ladder's decision for `verdict`, whose strike weighs `weight`, for a member with
    `before` effective strikes (None: they could not be read, so no threshold is climbed)."""
    action = verdict.action
    total = (before or 0.0) + weight
    climbs = weight > 0 and before is not None
    timeout_step = strikes.reached(total, Action.TIMEOUT) if climbs else None
    review_step = strikes.reached(total, Action.ESCALATE) if climbs else None
    notes: list[str] = []
    if timeout_step is not None and action is not Action.TIMEOUT:
        notes.append(f"strikes reached {total:.1f} (timeout at {timeout_step.points:g})")
    if review_step is not None:
        notes.append(f"strikes reached {total:.1f} (review at {review_step.points:g})")
    if before is None:
        notes.append(STRIKES_UNREAD)
    if verdict.error:
        notes.append(f"engine error: {verdict.error}")
    timeout = None
    if action is Action.TIMEOUT or timeout_step is not None:
        minutes = verdict.details.get("timeout_minutes")
        if isinstance(minutes, int | float) and minutes > 0:
            timeout = timedelta(minutes=float(minutes))
        elif timeout_step is not None and timeout_step.minutes > 0:
            timeout = timedelta(minutes=timeout_step.minutes)
        else:
            timeout = strikes.default_timeout
    label = (Action.TIMEOUT if timeout_step is not None
             and action in (Action.REMOVE, Action.NUDGE) else action)
    return LadderPlan(
        label=label, total=total,
        needs_review=(action is Action.ESCALATE or review_step is not None
                      or verdict.error is not None),
        cared=not CARE_CATEGORIES.isdisjoint(verdict.categories),
        timeout=timeout, timeout_step=timeout_step, notes=notes)


def care_note_due(last: datetime | None, now: datetime) -> bool:
    """Whether the care note may go out now: never sent, or not within CARE_NOTE_EVERY."""
    return last is None or now - last >= CARE_NOTE_EVERY
