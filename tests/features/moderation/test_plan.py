"""The ladder's decision as a pure function of the verdict and what was read once: strikes and
thresholds, the case's label, review, the timeout's length, and the care note's window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groupbot.features.moderation.plan import (
    CARE_NOTE_EVERY,
    care_note_due,
    plan_ladder,
)
from groupbot.features.moderation.shared import STRIKES_UNREAD
from groupbot.features.moderation.strikes import StrikePolicy
from groupbot.moderation.verdict import Action, Verdict

POLICY = StrikePolicy()  # timeout at 3 points (60 minutes), review at 5


def verdict(action: Action, *categories: str, error: str | None = None,
            **details: object) -> Verdict:
    return Verdict(action=action, categories=tuple(categories) or ("harassment",),
                   rules=("r",), reason="why", severity=2, error=error, details=dict(details))


def test_a_first_removal_climbs_nothing() -> None:
    plan = plan_ladder(verdict(Action.REMOVE), 1.0, 0.0, POLICY)
    assert (plan.label, plan.total, plan.timeout, plan.needs_review) == (
        Action.REMOVE, 1.0, None, False)
    assert plan.notes == []


def test_a_removal_that_reaches_the_timeout_threshold_is_a_timeout_case() -> None:
    plan = plan_ladder(verdict(Action.REMOVE), 1.0, 2.0, POLICY)
    assert plan.label is Action.TIMEOUT
    assert plan.timeout == timedelta(minutes=60)
    assert plan.notes == ["strikes reached 3.0 (timeout at 3)"]
    assert not plan.needs_review


def test_the_review_threshold_asks_for_a_moderator() -> None:
    plan = plan_ladder(verdict(Action.TIMEOUT), 2.0, 3.5, POLICY)
    assert plan.needs_review and plan.label is Action.TIMEOUT
    assert "strikes reached 5.5 (review at 5)" in plan.notes


def test_strikes_that_could_not_be_read_climb_no_threshold_and_say_so() -> None:
    plan = plan_ladder(verdict(Action.REMOVE), 1.0, None, POLICY)
    assert plan.label is Action.REMOVE and plan.timeout is None
    assert plan.notes == [STRIKES_UNREAD]


def test_a_verdicts_own_timeout_length_comes_first() -> None:
    plan = plan_ladder(verdict(Action.TIMEOUT, timeout_minutes=15), 2.0, 0.0, POLICY)
    assert plan.timeout == timedelta(minutes=15)
    plan = plan_ladder(verdict(Action.TIMEOUT), 2.0, 0.0, POLICY)
    assert plan.timeout == POLICY.default_timeout


def test_care_categories_are_cared_for_and_an_engine_error_is_reviewed() -> None:
    plan = plan_ladder(verdict(Action.ESCALATE, "distress", "harassment"), 0.0, 4.0, POLICY)
    assert plan.cared and plan.needs_review and plan.label is Action.ESCALATE
    plan = plan_ladder(verdict(Action.NUDGE, error="boom"), 0.0, 0.0, POLICY)
    assert plan.needs_review and plan.notes == ["engine error: boom"]


def test_the_care_note_goes_out_at_most_once_in_its_window() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert care_note_due(None, now)
    assert not care_note_due(now - CARE_NOTE_EVERY + timedelta(minutes=1), now)
    assert care_note_due(now - CARE_NOTE_EVERY, now)
