"""The `hold` action in the policy and the engine: where a policy may use it (and the errors,
with file, line and key, where it may not), its rank on the ladder, its plain-words reason,
and care before judgement (a message showing distress or crisis is never held)."""

from __future__ import annotations

import pytest

from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.policy_file import (
    PolicyErrors,
    default_policy,
    default_policy_path,
    parse_policy,
)
from groupbot.moderation.verdict import CARE_CATEGORIES, HOLD_CATEGORIES, Action

DEFAULT = default_policy_path().read_text(encoding="utf-8")


def _line_of(text: str, snippet: str) -> int:
    """The line (1-based) of the last line of `snippet` in `text`."""
    return text[:text.index(snippet) + len(snippet.rstrip("\n"))].count("\n") + 1


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the default policy changed: update {old!r}"
    return text.replace(old, new)


HARASSMENT = "  harassment:\n    mild: nudge\n    action: remove\n    severe: timeout\n"


def _threat_policy(action: str) -> str:
    """The default policy with the threat category's action set to `action`."""
    start = DEFAULT.index("  threat:\n")
    end = DEFAULT.index("    strike:", start)
    return DEFAULT[:start] + f"  threat:\n    action: {action}\n" + DEFAULT[end:]


# -- where hold is allowed --------------------------------------------------------------------
def test_hold_ranks_between_remove_and_timeout() -> None:
    assert Action.REMOVE.rank < Action.HOLD.rank < Action.TIMEOUT.rank
    ladder = sorted(Action, key=lambda a: a.rank)
    assert ladder.index(Action.HOLD) == ladder.index(Action.REMOVE) + 1


def test_hold_is_allowed_for_the_six_reviewable_categories() -> None:
    assert HOLD_CATEGORIES == {"harassment", "hate", "threat", "sexual", "pii", "spam"}
    assert HOLD_CATEGORIES.isdisjoint(CARE_CATEGORIES)
    text = _threat_policy("hold")
    text = _replace(text, HARASSMENT, HARASSMENT.replace("action: remove", "action: hold"))
    text = _replace(text, "  hate:\n    action: remove", "  hate:\n    action: hold")
    text = _replace(text, "  sexual:\n", "  sexual:\n    severe: hold\n")
    text = _replace(text, "  pii:\n    mild: remove", "  pii:\n    mild: hold")
    text = _replace(text, "  spam:\n", "  spam:\n    severe: hold\n")
    policy = parse_policy(text, "held.yaml")
    cats = policy.categories
    assert cats["threat"].action_for(2) is Action.HOLD
    assert cats["threat"].action_for(3) is Action.HOLD
    assert cats["harassment"].action_for(2) is Action.HOLD
    assert cats["harassment"].action_for(3) is Action.TIMEOUT  # stronger: kept
    assert cats["hate"].action_for(2) is Action.HOLD
    assert cats["sexual"].action_for(3) is Action.HOLD
    assert cats["spam"].action_for(3) is Action.HOLD
    assert cats["pii"].action_for(1) is Action.HOLD
    assert "threat: mild hold, serious hold, severe hold" in policy.describe()


@pytest.mark.parametrize(("category", "old", "expected"), [
    ("distress", "    action: care    #", "a member in distress gets 'care'"),
    ("crisis", "    action: support\n", "crisis messages always get support"),
    ("profanity", "    action: allow   # venting", "'hold' (removed until a moderator"),
])
def test_hold_is_refused_for_distress_crisis_and_profanity_with_file_and_line(
        category: str, old: str, expected: str) -> None:
    start = DEFAULT.index(f"  {category}:")
    at = DEFAULT.index(old, start)
    bad = old.replace(old.split(":")[1].split()[0], "hold", 1)
    text = DEFAULT[:at] + bad + DEFAULT[at + len(old):]
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "mine.yaml")
    [err] = info.value.errors
    assert (err.path, err.line, err.field) == ("mine.yaml", _line_of(text, bad),
                                               f"categories.{category}.action")
    assert expected in str(err) and "'hold'" in str(err)
    assert str(err).startswith(f"mine.yaml:{err.line}: field 'categories.{category}.action':")


def test_hold_is_refused_in_a_channel_override_for_distress_and_as_a_threshold() -> None:
    text = _replace(DEFAULT, "      profanity: {action: allow}\n",
                    "      profanity: {action: allow}\n      distress: {action: hold}\n")
    text = _replace(text, "    - points: 7\n      action: escalate\n",
                    "    - points: 7\n      action: hold\n")
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "mine.yaml")
    errors = {e.field: e for e in info.value.errors}
    assert set(errors) == {"strikes.thresholds[1].action",
                           "channels.venting.categories.distress.action"}
    override = errors["channels.venting.categories.distress.action"]
    assert override.line == _line_of(text, "      distress: {action: hold}\n")
    assert "never 'hold'" in str(override)
    threshold = errors["strikes.thresholds[1].action"]
    assert threshold.line == _line_of(text, "      action: hold\n")
    assert "a threshold can nudge, timeout or escalate" in str(threshold)


def test_the_errors_for_other_wrong_actions_offer_hold_where_it_is_allowed() -> None:
    text = _replace(DEFAULT, "  sexual:\n    action: remove", "  sexual:\n    action: care")
    text = _replace(text, "    action: allow   # venting", "    action: support # venting")
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "mine.yaml")
    messages = {e.field: str(e) for e in info.value.errors}
    assert "use nudge, remove, hold, timeout or escalate" in messages[
        "categories.sexual.action"]
    assert "use nudge, remove, timeout or escalate" in messages["categories.profanity.action"]


# -- the engine ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def held() -> ModerationEngine:
    return ModerationEngine(parse_policy(_threat_policy("hold"), "held.yaml"))


def test_a_threat_held_by_the_policy_says_so_in_plain_words(held: ModerationEngine) -> None:
    v = held.decide("I will hurt you")
    assert v.action is Action.HOLD and v.categories == ("threat",)
    assert v.reason.endswith("-> hold (policy for threat, severity 2): removed at once and "
                             "held until a moderator restores it or confirms the removal")
    assert v.as_json()["action"] == "hold"


def test_the_strongest_action_wins_around_hold(held: ModerationEngine) -> None:
    # a threat (hold) with insults (remove): held, the stronger of the two
    both = held.decide("you stupid idiot, I will kill you")
    assert both.action is Action.HOLD
    assert set(both.categories) == {"threat", "harassment"}
    assert held.decide("you stupid idiot").action is Action.REMOVE
    # a threat (hold) with harassment the policy times out (severe): the timeout is stronger
    severe = _replace(_threat_policy("hold"), "\nrules:\n", "\nrules:\n"
                      "  - id: test-severe\n    category: harassment\n    severity: 3\n"
                      "    words: [\"pineapple pizza lover\"]\n")
    engine = ModerationEngine(parse_policy(severe, "mine.yaml"))
    assert engine.decide("you pineapple pizza lover").action is Action.TIMEOUT
    assert engine.decide("you pineapple pizza lover, I will kill you").action is Action.TIMEOUT
    assert engine.decide("I will kill you").action is Action.HOLD


@pytest.mark.parametrize("text", [
    "I can't do this anymore, I will hurt you",
    "I feel like such a burden, watch your back",
])
def test_distress_with_a_threat_is_never_held(held: ModerationEngine, text: str) -> None:
    v = held.decide(text)
    assert v.action is Action.ESCALATE  # moderators look; the message stays up
    assert v.categories[0] == "distress" and "threat" in v.categories
    assert "the message stays up and no strike is counted" in v.reason
    assert "would be hold" in v.reason


def test_crisis_with_a_threat_gets_support_never_a_hold(held: ModerationEngine) -> None:
    v = held.decide("I'm going to kill you, I want to die")
    assert v.action is Action.SUPPORT and v.categories[0] == "crisis"
    assert "nothing is removed and no strike is counted" in v.reason


def test_the_default_policy_holds_every_threat_and_counts_its_strike_on_confirmation() -> None:
    threat = default_policy().categories["threat"]
    assert [threat.action_for(s) for s in (1, 2, 3)] == [Action.HOLD] * 3
    assert threat.strike == 3  # counted by the live feature only when a moderator confirms
    # nothing else in the default policy holds (yet)
    others = [c for name, c in default_policy().categories.items() if name != "threat"]
    assert all(Action.HOLD not in (c.mild, c.action, c.severe) for c in others)
