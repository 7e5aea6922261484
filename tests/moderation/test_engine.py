"""The pure engine: crisis first, PII checksums, policy validation and overrides, safe
regexes, failing open, stateful spam, resources, and the `groupbot moderate` CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from groupbot.cli import main
from groupbot.core.errors import ContentError
from groupbot.moderation import pii
from groupbot.moderation.engine import (
    ModerationContext,
    ModerationEngine,
    decide,
)
from groupbot.moderation.policy import Policy
from groupbot.moderation.policy_file import default_policy, default_policy_path, parse_policy
from groupbot.moderation.resources import load_resources
from groupbot.moderation.verdict import Action

ENGINE = ModerationEngine()


# --- crisis ---------------------------------------------------------------------------------

CRISIS = [
    ("I want to kill myself", 2),
    ("honestly i just want to die", 2),
    ("I dont want to be alive anymore", 2),
    ("i've been cutting myself again", 2),
    ("I have a plan to end it tonight, I wrote a note", 3),
    ("i'm going to kill myself this weekend", 3),
    ("I tried to kill myself last month and I still want to die", 2),
    ("fuck everything, i want to kill myself", 2),
]

NOT_CRISIS = [
    "If you're thinking of suicide, please call or text 988. You are not alone.",
    "Are you having thoughts of killing yourself? I'm here for you.",
    "I used to want to die years ago, but I'm doing better now.",
    "My friend said she wants to die and I don't know how to help her",
    "I don't want to die, I want things to change",
    "The article says \"people who want to die often feel like a burden to others\".",
    "> I want to kill myself\nThat line from the article hit me hard, it is so well written",
    "This exam is killing me lol",
    "I'm so tired of this rain",
    "Talking about hard times in group helped me a lot this week",
]


@pytest.mark.parametrize(("text", "severity"), CRISIS)
def test_crisis_gets_support_never_punishment(text: str, severity: int) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.SUPPORT, v.as_json()
    assert v.categories[0] == "crisis"
    assert v.severity >= severity


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_supporting_or_talking_about_is_not_crisis(text: str) -> None:
    v = ENGINE.decide(text)
    assert "crisis" not in v.categories, v.as_json()


def test_crisis_wins_over_other_categories() -> None:
    v = ENGINE.decide("you idiot, I want to kill myself, call me at 555-123-4567")
    assert v.action is Action.SUPPORT
    assert "crisis" in v.categories and "pii" in v.categories


# --- targeted vs untargeted -----------------------------------------------------------------

def test_profanity_is_allowed_but_aimed_insults_are_not() -> None:
    assert ENGINE.decide("this week was fucking shit").action is Action.ALLOW
    assert ENGINE.decide("this week was fucking shit").categories == ("profanity",)
    assert ENGINE.decide("you are a fucking idiot").action is Action.REMOVE
    assert ENGINE.decide("I feel like such an idiot today").action is Action.ALLOW
    assert ENGINE.decide("you are not stupid at all").action is Action.ALLOW


def test_insult_by_member_name_and_mention() -> None:
    v = ENGINE.decide("jordan is a moron", member_names=["Jordan"])
    assert "harassment" in v.categories
    v = ENGINE.decide("<@123> moron", mentions=["123"])
    assert "harassment" in v.categories


@pytest.mark.parametrize(("text", "is_hate"), [
    ("i hate all muslims", True),
    ("fuck these immigrants", True),
    ("look at that white trash", True),
    ("muslims hate being stereotyped", False),
    ("we hate losing to the other team", False),
    ("cheese and crackers for lunch", False),
    ("my Polish grandmother makes the best pierogi", False),
])
def test_attacks_on_groups_and_compound_slurs(text: str, is_hate: bool) -> None:
    assert ("hate" in ENGINE.decide(text).categories) is is_hate


def test_threats_are_held_for_review_by_default() -> None:
    v = ENGINE.decide("I will kill you")
    assert v.action is Action.HOLD and "threat" in v.categories
    assert v.reason.endswith("removed at once and held until a moderator restores it or "
                             "confirms the removal")
    assert "threat" not in ENGINE.decide("I would never hurt you").categories


# --- pii ------------------------------------------------------------------------------------

def test_luhn_and_iban_checks() -> None:
    assert pii.luhn_ok("4111111111111111")
    assert not pii.luhn_ok("4111111111111112")
    assert pii.iban_ok("GB82 WEST 1234 5698 7654 32")
    assert not pii.iban_ok("GB82 WEST 1234 5698 7654 33")
    assert pii.iban_ok("DE89370400440532013000")


@pytest.mark.parametrize(("text", "kind"), [
    ("my card is 4111 1111 1111 1111", "card"),
    ("IBAN: DE89 3704 0044 0532 0130 00", "iban"),
    ("ssn 123-45-6789", "ssn"),
    ("write to sam.jones@example.org", "email"),
    ("her number is (415) 555-0134", "phone"),
    ("nobody is answering at 20 734 118", "phone"),
    ("leave a message on 381 2264", "phone"),
    ("office +31 (0)6 123 456 78", "phone"),
    ("he lives at 221 Baker Street", "address"),
    ("NI number AB 12 34 56 C", "nino"),
])
def test_pii_kinds(text: str, kind: str) -> None:
    assert kind in [s.kind for s in pii.find(text)]


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112", "GB82 WEST 1234 5698 7654 33 is wrong",
    "I ran 5 miles down the road",
    "between 2019 2020 we met", "ssn 000-12-3456", "the meeting is 12.05.2024",
])
def test_pii_checks_reject_lookalikes(text: str) -> None:
    kinds = {s.kind for s in pii.find(text)}
    assert not kinds & {"card", "iban", "ssn", "address"}
    if "GB82" not in text and "ssn" not in text:  # digit groups may still read as a number
        assert kinds == set()


def test_own_vs_someone_elses_details() -> None:
    own = ENGINE.decide("you can call me at 555-123-4567")
    other = ENGINE.decide("her number is 555-123-4567, go tell her")
    assert own.severity == 1 and "their own" in own.reason
    assert other.severity == 3 and "someone else's" in other.reason
    assert "555" not in own.reason + other.reason  # the value is never echoed


# --- policy ---------------------------------------------------------------------------------

def _policy_text(extra: str = "") -> str:
    return default_policy_path().read_text(encoding="utf-8") + extra


def test_default_policy_loads_and_describes() -> None:
    p = default_policy()
    text = p.describe()
    assert "profanity" in text and "Channel #venting" in text


@pytest.mark.parametrize(("bad", "line", "key"), [
    ("version: 1\ncategories:\n  harassment:\n    acton: remove\n", 4,
     "categories.harassment.acton"),
    ("version: 1\ncategories:\n  harrasment: {action: remove}\n", 3, "categories.harrasment"),
    ("version: 1\ncategories:\n  crisis: {action: remove}\n", 3, "categories.crisis.action"),
    ("version: 1\ncategories: [1, 2\n", 3, None),  # YAML reports where the list ran out
])
def test_policy_errors_name_file_line_and_key(bad: str, line: int, key: str | None) -> None:
    with pytest.raises(ContentError) as info:
        parse_policy(bad, "my-policy.yaml")
    err = info.value
    assert err.path == "my-policy.yaml"
    assert err.line == line
    assert err.field == key
    assert str(err).startswith(f"my-policy.yaml:{line}")


def _without(text: str, category: str, following: str) -> str:
    """The policy text without one category's block (the one before `following`)."""
    return text[:text.index(f"\n  {category}:")] + text[text.index(f"\n{following}:"):]


@pytest.mark.parametrize(("snippet", "message"), [
    ("  distress: {action: remove}\n", "never 'remove'"),
    ("  distress: {action: care, strike: 1}\n", "never counts as a strike"),
    ("  spam: {action: care}\n", "'care' is the note for a member in distress"),
])
def test_distress_gets_care_or_allow_and_never_a_strike(snippet: str, message: str) -> None:
    text = _without(_policy_text(), "distress", "  harassment")
    if snippet.startswith("  spam"):
        text = _without(text, "spam", "\nstrikes")
    text = text.replace("categories:\n", "categories:\n" + snippet, 1)
    with pytest.raises(ContentError) as info:
        parse_policy(text, "p.yaml")
    assert message in str(info.value)


def test_a_policy_written_before_the_care_tier_still_loads_with_care_for_distress() -> None:
    old = parse_policy(_without(_policy_text(), "distress", "  harassment"), "old.yaml")
    assert old.categories["distress"].action is Action.CARE
    allow = parse_policy(_policy_text().replace("groups: {}", "groups:\n  g1:\n    categories:\n"
                                      "      distress: {action: allow}\n"), "p.yaml")
    assert allow.scope("g1").categories["distress"].action is Action.ALLOW
    assert allow.scope("g2").categories["distress"].action is Action.CARE


def test_unknown_category_in_override_is_an_error() -> None:
    text = _policy_text().replace("groups: {}", "groups:\n  g1:\n    channels:\n      lounge:\n"
                                               "        categories:\n          swearing: "
                                               "{action: allow}\n")
    with pytest.raises(ContentError) as info:
        parse_policy(text, "p.yaml")
    assert info.value.field == "groups.g1.channels.lounge.categories.swearing"
    assert "unknown category" in str(info.value)


def test_invalid_regex_is_an_error_with_its_line() -> None:
    text = _policy_text().replace("""regex: ['\\b(?:send""", """regex: ['(?=x)\\b(?:send""")
    with pytest.raises(ContentError) as info:
        parse_policy(text, "p.yaml")
    assert info.value.field is not None and info.value.field.endswith(".regex")
    assert "RE2" in str(info.value)


def test_channel_and_group_overrides() -> None:
    text = _policy_text().replace("groups: {}", "groups:\n  g1:\n    categories:\n"
                                               "      profanity: {action: remove}\n")
    eng = ModerationEngine(parse_policy(text, "p.yaml"))
    swear = "this is shit"
    assert eng.decide(swear, channel_name="newcomers").action is Action.NUDGE
    assert eng.decide(swear, channel_name="#venting").action is Action.ALLOW
    assert eng.decide(swear, group_id="g1").action is Action.REMOVE
    assert eng.decide(swear).action is Action.ALLOW
    note = eng.decide("I want to talk about the abuse I went through", channel_name="heavy-topics")
    assert note.action is Action.NUDGE and "content_note.missing" in note.rules
    ok = eng.decide("CN: abuse. I want to talk about the abuse", channel_name="heavy-topics")
    assert ok.action is Action.ALLOW


def test_pathological_regex_rule_does_not_hang() -> None:
    text = _policy_text().replace("groups: {}", "groups: {}\n").replace(
        "rules:\n", "rules:\n  - id: patho\n    category: spam\n    regex: ['(a+)+$', "
                    "'(x|x|x|x)*y', '(.*a){25}']\n", 1)
    eng = ModerationEngine(parse_policy(text, "p.yaml"))
    v = eng.decide("a" * 5000 + "!")  # would take ages with backtracking
    assert v.error is None
    assert "rule.patho" in v.rules  # '(.*a){25}' matches, linear time
    assert eng.decide("hello there").action is Action.ALLOW


def test_moderators_are_exempt_from_spam_only() -> None:
    many = " ".join(f"<@{i}>" for i in range(8))
    assert ENGINE.decide(many + " meeting now").categories == ("spam",)
    mod = ENGINE.decide(many + " meeting now", author_is_moderator=True)
    assert mod.action is Action.ALLOW
    assert ENGINE.decide("you idiot", author_is_moderator=True).action is Action.REMOVE


# --- failing open ---------------------------------------------------------------------------

class _ExplodingPolicy(Policy):
    """A policy whose lookup of the settings in force crashes: a failure inside the engine."""

    __slots__ = ()

    def scope(self, group_id: str | None = None, channel_id: str | None = None,
              channel_name: str | None = None) -> Any:
        raise RuntimeError("detector exploded")


def test_engine_failure_fails_open_to_escalate(caplog: pytest.LogCaptureFixture) -> None:
    # (Broken through the data it is given, not by patching a module: the engine's modules
    # may be compiled, and a compiled module does not see a patched global.)
    base = default_policy()
    broken = _ExplodingPolicy(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)
                                 if f.name not in ("compiled", "_scopes")})
    with caplog.at_level(logging.ERROR):
        v = decide("hello", ModerationContext(broken))
    assert v.action is Action.ESCALATE
    assert v.error == "RuntimeError: detector exploded"
    assert "engine.error" in v.rules
    assert any("escalating" in r.getMessage() for r in caplog.records)
    assert decide("hello", ModerationContext(default_policy())).action is Action.ALLOW


@pytest.mark.parametrize("text", [None, b"you idiot", 42, ["a list"]])
def test_a_message_that_is_not_text_fails_open(text: object) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.ESCALATE and v.error and "TypeError" in v.error


def test_a_wrong_type_in_the_context_fails_open_too() -> None:
    # (compiled, the context's fields are type-checked when it is built)
    v = ENGINE.decide("hello", channel_id=123)
    assert v.action in (Action.ESCALATE, Action.ALLOW)
    if v.action is Action.ESCALATE:
        assert v.error and "TypeError" in v.error
    assert ENGINE.decide("hello", stateful=True, now=1.0, channel_id=123).action in (
        Action.ESCALATE, Action.ALLOW)


# --- spam -----------------------------------------------------------------------------------

def test_spam_wording_and_invites() -> None:
    assert "spam" in ENGINE.decide(
        "FREE entry! Txt WIN to 80086 to claim your £1000 cash prize now").categories
    assert "spam.invite" in ENGINE.decide("join us at discord.gg/abc123").rules
    assert ENGINE.decide("are you free for a call later? I won my chess game").action \
        is Action.ALLOW


def test_stateful_flood_and_repeat() -> None:
    eng = ModerationEngine()
    verdicts = [eng.decide("same words posted over and over", stateful=True, now=float(i * 20),
                           author_id="a", group_id="g") for i in range(3)]
    assert [v.action for v in verdicts[:2]] == [Action.ALLOW, Action.ALLOW]
    assert "spam.repeat" in verdicts[2].rules
    flood = [eng.decide(f"message number {i}", stateful=True, now=1000 + i * 0.5,
                        author_id="b", group_id="g") for i in range(6)]
    assert "spam.flood" in flood[-1].rules and "spam.flood" not in flood[0].rules
    # another member is unaffected
    assert eng.decide("message number 1", stateful=True, now=1003, author_id="c",
                      group_id="g").action is Action.ALLOW


def test_tracker_is_bounded() -> None:
    eng = ModerationEngine()
    for i in range(eng.policy.spam.max_members + 50):
        eng.tracker.record("g", f"m{i}", float(i), 1)
    assert len(eng.tracker) == eng.policy.spam.max_members


# --- resources ------------------------------------------------------------------------------

@pytest.mark.parametrize(("region", "needle"), [
    ("US", "988"), ("CA", "988"), ("GB", "116 123"), ("UK", "116 123"), ("IE", "116 123"),
    ("AU", "13 11 14"), ("NZ", "1737"), ("DE", "0800 111 0 111"), ("ZZ", "findahelpline"),
    # lines for people being hurt by someone
    ("US", "1-800-799-7233"), ("GB", "0808 2000 247"), ("IE", "1800 341 900"),
    ("AU", "1800 737 732"), ("NZ", "0800 733 843"), ("DE", "116 016"),
    # lines for children and teenagers
    ("US", "1-800-422-4453"), ("GB", "0800 1111"), ("AU", "1800 55 1800"),
    ("IE", "1800 66 66 66"), ("NZ", "0800 376 633"), ("DE", "116 111"),
])
def test_resources_per_region(region: str, needle: str) -> None:
    found = load_resources(None, region)
    assert any(needle in r.reach or needle in r.source for r in found)
    assert all(r.source.startswith("https://") for r in found)


@pytest.mark.parametrize(("region", "young_line"), [
    ("US", "422-4453"), ("CA", "668-6868"), ("GB", "0800 1111"), ("AU", "1800 55 1800"),
    ("IE", "1800 66 66 66"), ("NZ", "0800 376 633"), ("DE", "116 111")])
def test_lines_for_young_people_lead_for_the_young_and_are_left_out_for_adults(
        region: str, young_line: str) -> None:
    from groupbot.features.moderation import resource_lines

    def loader(r: str) -> list[Any]:
        return list(load_resources(None, r))

    adult = "\n".join(resource_lines(loader, region, first=()))
    assert young_line not in adult and adult  # (the crisis lines are there)
    young = resource_lines(loader, region, first=("young",))
    assert young_line in young[0]
    assert any(young_line in line for line in resource_lines(loader, region))  # /resources


def _resources_error(tmp_path: Path, text: str, region: str) -> ContentError:
    f = tmp_path / "res.yaml"
    f.write_text(text)
    with pytest.raises(ContentError) as info:
        load_resources(f, region)
    return info.value


def test_bad_resources_file_names_line_and_key(tmp_path: Path) -> None:
    err = _resources_error(tmp_path, "regions:\n  US:\n    - name: X\n      reach: call 1\n"
                           "  INTL:\n    - name: Y\n      reach: z\n"
                           "      source: https://example.org/\n", "US")
    assert err.line == 3 and err.field == "regions.US[0].source"


def test_a_resource_topic_must_be_known(tmp_path: Path) -> None:
    err = _resources_error(tmp_path, "regions:\n  INTL:\n    - name: Y\n      reach: z\n"
                           "      source: https://example.org/\n      topic: abuse\n", "INTL")
    assert err.line == 3 and err.field == "regions.INTL[0].topic" and "danger" in str(err)


def test_danger_lines_are_marked_and_crisis_lines_are_the_default() -> None:
    topics = {r.name: r.topic for r in load_resources(None, "US")}
    assert topics["National Domestic Violence Hotline"] == "danger"
    assert topics["988 Suicide & Crisis Lifeline"] == "crisis"


# --- CLI ------------------------------------------------------------------------------------

def _run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             args: list[str], data: bytes) -> list[dict[str, object]]:
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(["moderate", *args])
    assert code == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_cli_plain_lines(monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    data = ("you are an idiot\n\nI want to kill myself\n\xff\x00 binary\n".encode()
            + b"\xff\xfe\x00raw bytes\n" + ("x" * 200_000 + "\n").encode())
    rows = _run_cli(monkeypatch, capsys, [], data)
    assert len(rows) == 6
    assert rows[0]["action"] == "remove" and rows[0]["categories"] == ["harassment"]
    assert rows[1]["action"] == "allow"
    assert rows[2]["action"] == "support"
    assert set(rows[0]) == {"action", "categories", "rules", "reason"}


def test_cli_jsonl_stateful(monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"text": "buy my stuff please friends", "author": "a"})] * 3
    lines += ["not json", json.dumps({"text": "this is shit", "channel": "newcomers"})]
    rows = _run_cli(monkeypatch, capsys, ["--jsonl", "--stateful"],
                    ("\n".join(lines) + "\n").encode())
    assert [r["action"] for r in rows[:3]] == ["allow", "allow", "remove"]
    assert rows[2]["rules"] == ["spam.repeat"]
    assert rows[3]["rules"] == ["input.invalid"]
    assert rows[4]["action"] == "nudge"


def test_cli_policy_error_is_clear(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncategories:\n  spam: {action: explode}\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\n"))
    assert main(["moderate", "--policy", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3" in err and "categories.spam.action" in err


@pytest.mark.parametrize(("text", "third"), [
    ("please someone help me", Action.SUPPORT),  # a call for help nobody has answered
    ("is anyone here?", Action.ALLOW),  # a member waiting for anyone at all
    ("buy cheap followers now", Action.REMOVE),  # an advert, repeated: spam
    ("is anyone here? please help", Action.SUPPORT),  # the call for help counts anywhere
    ("can anyone help me with the bot commands", Action.ALLOW),  # a question, not distress
    ("you are an idiot, help me", Action.REMOVE),  # a plea tacked on: the insult stands
])
def test_a_repeated_call_for_help_is_never_spam(text: str, third: Action) -> None:
    eng = ModerationEngine()
    verdicts = [eng.decide(text, stateful=True, now=100.0 + 20 * i, group_id="g",
                           author_id="a") for i in range(3)]
    assert verdicts[2].action is third, verdicts[2].as_json()
    assert ("spam" in verdicts[2].categories) is (text == "buy cheap followers now")


def test_sentence_ends_line_up_with_the_flat_tokens() -> None:
    from groupbot.moderation.normalise import normalise, sentence_ends

    assert sentence_ends(normalise("What a jerk. You ok?")) == [3, 5, 5]
    assert sentence_ends(normalise("see amazon.com/x today")) is None  # a dot in a word
    assert sentence_ends(normalise("no sentence end here")) is None


@pytest.mark.parametrize(("text", "young"), [
    ("I'm 16 and my mom's boyfriend keeps touching me", True),
    ("I am 12 years old", True),
    ("I'm in high school and he hits me", True),
    ("I am a minor", True),
    ("I'm 12 weeks sober", False),  # a number of something, not an age
    ("i am 7 minutes late", False),
    ("I'm 30 days free of porn", False),
    ("I'm 35 and tired of people pleasing", False),
    ("i'm 8 years sober", False),  # years of recovery
    ("im 14 years married", False),
    ("i'm fifteen and scared", True),
    ("i'm a 15 year old girl", True),
])
def test_a_writer_who_says_they_are_young(text: str, young: bool) -> None:
    from groupbot.moderation.crisis import writer_is_young

    assert writer_is_young(text) is young


def test_a_week_sober_is_not_spam_wording() -> None:
    """SMS price wording ("£1.50 a wk") is spam; "a week" is how members count their days."""
    assert ENGINE.decide("I've been sober a week now and I'm proud, free at last").categories \
        == ()
    assert "spam" in ENGINE.decide("WIN a prize! txt WIN to 80086, £1.50 a wk, free entry "
                                   "now").categories
