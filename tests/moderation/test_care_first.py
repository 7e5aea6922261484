"""Care before judgement, as an invariant: a message with any sign of crisis or distress is
never removed, timed out or counted as a strike, whatever else in it fires. Every rule family
is run here together with a care signal, on the engine and through the live feature."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.features.base import Services
from groupbot.features.moderation import ModerationFeature
from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.policy_file import default_policy_path, parse_policy
from groupbot.moderation.resources import load_resources
from groupbot.moderation.verdict import Action
from groupbot.platforms.console import ConsoleChat
from groupbot.storage.database import Database
from groupbot.storage.store import Store

# One message per rule family, each removed (or held, timed out, or escalated) on its own.
RULE_FAMILIES = {
    "harassment insult": "sam you are a worthless idiot",
    "harassment attack": "nobody likes you, go die in a fire",
    "hate slur": "too many trannies in here",
    "hate by structure": "immigrants are vermin",
    "threat": "I know where you live",
    "sexual": "send nudes",
    "pii, someone else's": "her address is 12 Baker Street, London NW1",
    "pii, my own": "text me on 07700 900123",
    "spam": "win a free iphone, claim now at http://bit.ly/x1",
    "custom word rule": "send me your seed phrase",
}
CRISIS = "I want to kill myself tonight"
DISTRESS = "I feel so hopeless and I can't do this anymore"
POLICY = parse_policy(default_policy_path().read_text(encoding="utf-8"), "default")
ENGINE = ModerationEngine(POLICY)
NEVER = (Action.REMOVE, Action.HOLD, Action.TIMEOUT)


@pytest.mark.parametrize("family", sorted(RULE_FAMILIES))
def test_every_rule_family_fires_alone(family: str) -> None:
    """(So that the pairs below test something: each message is punished on its own.)"""
    verdict = ENGINE.decide(RULE_FAMILIES[family])
    assert verdict.action in (Action.REMOVE, Action.HOLD, Action.TIMEOUT, Action.ESCALATE), (
        verdict.as_json())


@pytest.mark.parametrize("family", sorted(RULE_FAMILIES))
def test_with_a_crisis_sign_it_is_support_never_punishment(family: str) -> None:
    for text in (f"{RULE_FAMILIES[family]}. {CRISIS}", f"{CRISIS}. {RULE_FAMILIES[family]}"):
        verdict = ENGINE.decide(text)
        assert verdict.action is Action.SUPPORT, (text, verdict.as_json())
        assert verdict.categories[0] == "crisis"


@pytest.mark.parametrize("family", sorted(RULE_FAMILIES))
def test_with_a_distress_sign_it_is_care_or_escalate_never_punishment(family: str) -> None:
    for text in (f"{RULE_FAMILIES[family]}. {DISTRESS}", f"{DISTRESS}. {RULE_FAMILIES[family]}"):
        verdict = ENGINE.decide(text)
        assert verdict.action not in NEVER, (text, verdict.as_json())
        assert verdict.action in (Action.CARE, Action.ESCALATE)
        assert "distress" in verdict.categories


@pytest.mark.parametrize("text", [
    "I failed the exam again, I'm so stupid, I know what I am, kys",
    "im such a mess lately, me of all people, drop dead already",
])
def test_an_attack_said_to_oneself_is_distress_first(text: str) -> None:
    """Whichever reader finds the sign (here the abuse detector, reading "kys" after the
    writer's words about themselves), care comes first: moderators may look, nothing is
    removed. Aimed at someone, it is still an attack."""
    verdict = ENGINE.decide(text)
    assert verdict.action is Action.ESCALATE, verdict.as_json()
    assert verdict.categories[0] == "distress"
    assert ENGINE.decide("kys").action is Action.TIMEOUT
    assert ENGINE.decide("I think you should kys").action is Action.TIMEOUT


def test_a_flood_of_care_is_never_spam() -> None:
    engine = ModerationEngine(POLICY)
    verdicts = [engine.decide(DISTRESS, stateful=True, now=float(i), group_id="g",
                              author_id="a") for i in range(8)]
    assert all(v.action not in NEVER for v in verdicts), [v.as_json() for v in verdicts]


def test_a_group_may_let_distress_be_but_never_crisis() -> None:
    text = default_policy_path().read_text(encoding="utf-8").replace(
        "groups: {}", "groups:\n  g1:\n    categories:\n      distress: {action: allow}\n")
    engine = ModerationEngine(parse_policy(text, "p.yaml"))
    assert engine.decide(DISTRESS, group_id="g1").action is Action.ALLOW
    assert engine.decide(CRISIS, group_id="g1").action is Action.SUPPORT
    # with an insult too, care still comes first: moderators look, nothing is removed
    assert engine.decide(f"{DISTRESS}. you idiot", group_id="g1").action is Action.ESCALATE


@pytest.fixture
async def live() -> AsyncIterator[tuple[Bot, ConsoleChat, ModerationFeature]]:
    clock = FakeClock()
    chat = ConsoleChat(clock=clock)
    async with Database(":memory:") as db:
        services = Services(config=Config(), store=Store(db), clock=clock, chat=chat)
        feature = ModerationFeature(services, engine=ModerationEngine(POLICY),
                                    resources=load_resources)
        bot = Bot(services, [feature])
        await bot.start()
        try:
            yield bot, chat, feature
        finally:
            await bot.stop()


async def test_through_the_live_feature_nothing_is_removed_and_no_strike_counts(
        live: tuple[Bot, ConsoleChat, ModerationFeature]) -> None:
    bot, chat, feature = live
    general = chat.channel("general") or chat.add_channel("general")
    member = chat.add_member("Alex")
    for i, (family, text) in enumerate(sorted(RULE_FAMILIES.items())):
        sign = CRISIS if i % 2 else DISTRESS
        msg = chat.new_message(general, member, f"{text}. {sign}")
        await bot.handle_message(msg)
        assert msg.id not in chat.deleted, family
    now = feature.services.clock.now()
    assert await feature.cases.effective_strikes(chat.group.id, member.id, now, 30.0) == 0.0
    assert not chat.of_kind("timeout")
    # the member was cared for, privately (crisis replies and the care note)
    assert chat.private_to(member)
