"""Policy and resources files: every mistake is reported (file, line, key), and
`/mod policy reload` swaps both in live, or keeps the ones in force when either has errors."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from groupbot.cli import main
from groupbot.config import Config
from groupbot.core.errors import ContentError, ContentErrors
from groupbot.core.ports import FakeClock
from groupbot.core.types import Member
from groupbot.features.moderation import ModerationFeature
from groupbot.features.moderation import commands as moderation_commands
from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.policy_file import (
    PolicyErrors,
    default_policy_path,
    load_policy,
    parse_policy,
)
from groupbot.moderation.resources import load_resource_table
from groupbot.moderation.verdict import Action
from tests.conftest import Harness, open_harness

DEFAULT = default_policy_path().read_text(encoding="utf-8")

# Three independent mistakes in the default policy, each on its own line.
THREE_MISTAKES = [
    ("    severe: timeout\n    strike: 3\n",
     "    severe: timeout\n    strike: lots\n", "categories.hate.strike"),
    ("  threat:\n    action: hold ",
     "  threat:\n    action: explode ", "categories.threat.action"),
    ("  half_life_days: 30\n", "  half_life_dayz: 30\n", "strikes.half_life_dayz"),
]


def _with_mistakes(mistakes: list[tuple[str, str, str]] = THREE_MISTAKES) -> str:
    text = DEFAULT
    for good, bad, _key in mistakes:
        assert text.count(good) == 1, f"the default policy changed: update {good!r}"
        text = text.replace(good, bad)
    return text


def _line_of(text: str, snippet: str) -> int:
    """The line (1-based) of the last line of `snippet` in `text`."""
    return text[:text.index(snippet) + len(snippet.rstrip("\n"))].count("\n") + 1


def test_a_policy_with_three_mistakes_reports_all_three_with_lines_and_keys() -> None:
    text = _with_mistakes()
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "my-policy.yaml")
    errors = info.value.errors
    assert [(e.path, e.line, e.field) for e in errors] == [
        ("my-policy.yaml", _line_of(text, bad), key) for _good, bad, key in THREE_MISTAKES]
    # still a ContentError: the first problem, for callers that want only that
    assert isinstance(info.value, ContentError)
    assert (info.value.line, info.value.field) == (errors[0].line, errors[0].field)
    # the message lists every problem, one a line, each as file:line: key
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    for line, err in zip(lines, errors, strict=True):
        assert line.startswith(f"my-policy.yaml:{err.line}: field '{err.field}':")
    assert "did you mean 'half_life_days'" in lines[2]


def test_one_mistake_never_hides_the_next_inside_a_rule_or_a_threshold() -> None:
    text = DEFAULT.replace("strikes:\n", "strikes:\n  bogus: 1\n", 1).replace(
        "rules:\n", "rules:\n  - id: two-bad\n    category: spamm\n    severity: 9\n"
                    "    regex: ['(?=x)abc', 'ok', '(?<!y)z']\n", 1)
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "p.yaml")
    fields = [e.field for e in info.value.errors]
    assert fields == ["strikes.bogus", "rules[0] (two-bad).category",
                      "rules[0] (two-bad).severity", "rules[0] (two-bad).regex",
                      "rules[0] (two-bad).regex"]


def test_a_misspelt_key_is_not_also_reported_missing() -> None:
    text = "version: 1\ncategories:\n  harassment:\n    acton: remove\n"
    with pytest.raises(PolicyErrors) as info:
        parse_policy(text, "p.yaml")
    fields = [e.field for e in info.value.errors]
    assert fields[0] == "categories.harassment.acton"
    assert "categories.harassment.action" not in fields  # the hint says it already
    assert fields[1:] == ["categories"]  # the other categories really are missing


def test_a_good_policy_still_loads_and_an_unreadable_one_is_one_clear_error(
        tmp_path: Path) -> None:
    assert parse_policy(DEFAULT, "p.yaml").name
    with pytest.raises(PolicyErrors) as info:
        load_policy(tmp_path / "nope.yaml")
    assert len(info.value.errors) == 1 and "does not exist" in str(info.value)


def test_groupbot_moderate_reports_every_mistake(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(_with_mistakes(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\n"))
    assert main(["moderate", "--policy", str(bad)]) == 1
    err = capsys.readouterr().err
    for _good, snippet, key in THREE_MISTAKES:
        assert f"{bad}:{_line_of(_with_mistakes(), snippet)}: field '{key}'" in err


def test_the_bots_start_reports_every_mistake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(_with_mistakes(), encoding="utf-8")
    monkeypatch.setenv("GROUPBOT_DATABASE", str(tmp_path / "g.db"))
    conf = tmp_path / "groupbot.toml"
    conf.write_text(f'[bot]\npolicy_file = "{bad}"\n', encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--config", str(conf), "console"]) == 1
    err = capsys.readouterr().err
    assert all(key in err for _good, _bad, key in THREE_MISTAKES)


# --- resources --------------------------------------------------------------------------

GOOD_RESOURCES = """regions:
  US:
    - name: Line A
      reach: call 1
      source: https://example.org/a
  INTL:
    - name: Line I
      reach: call 2
      source: https://example.org/i
"""


def test_a_resources_file_with_several_mistakes_reports_them_all(tmp_path: Path) -> None:
    f = tmp_path / "res.yaml"
    f.write_text("regions:\n  US:\n    - name: X\n      reach: call 1\n"
                 "    - name: Y\n      reach: call 2\n      source: http://plain.example/\n"
                 "      topic: abuse\n  GB: []\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as info:
        load_resource_table(f)
    got = [(e.line, e.field) for e in info.value.errors]
    assert got == [(3, "regions.US[0].source"), (5, "regions.US[1].source"),
                   (5, "regions.US[1].topic"), (9, "regions.GB"), (1, "regions")]
    assert all(str(e).startswith(f"{f}:") for e in info.value.errors)


def test_a_broken_resources_file_stops_the_start_with_every_mistake(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    res = tmp_path / "res.yaml"
    res.write_text("regions:\n  US: []\n  GB: nope\n", encoding="utf-8")
    monkeypatch.setenv("GROUPBOT_DATABASE", str(tmp_path / "g.db"))
    conf = tmp_path / "groupbot.toml"
    conf.write_text(f'[bot]\nresources_file = "{res}"\n', encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--config", str(conf), "console"]) == 1
    err = capsys.readouterr().err
    assert f"{res}:2: field 'regions.US'" in err and f"{res}:3: field 'regions.GB'" in err


def test_swap_puts_a_whole_policy_in_force_and_keeps_the_flood_history() -> None:
    engine = ModerationEngine(parse_policy(DEFAULT, "a.yaml"))
    spam = "buy my stuff please friends"
    for t in (1.0, 2.0):
        assert engine.decide(spam, stateful=True, now=t, author_id="a").action is Action.ALLOW
    assert DEFAULT.count("repeats: {count: 3,") == 1
    four = parse_policy(DEFAULT.replace("repeats: {count: 3,", "repeats: {count: 4,"), "b.yaml")
    old = engine.swap(four)
    assert old.source == "a.yaml" and engine.policy is four and four.compiled is not None
    # the third repeat is fine under the new policy (four are needed) ...
    assert engine.decide(spam, stateful=True, now=3.0, author_id="a").action is Action.ALLOW
    # ... and the fourth counts the two seen before the swap
    assert engine.decide(spam, stateful=True, now=4.0, author_id="a").action is Action.REMOVE


# --- /mod policy reload -----------------------------------------------------------------

TEAPOT_RULE = """rules:
  - id: no-teapots
    category: harassment
    severity: 2
    words: ["teapot"]
"""


def _policy_with_teapots(name: str = "Teapot policy") -> str:
    assert DEFAULT.count("\nrules:\n") == 1 and DEFAULT.count("\nname: ") == 1
    text = DEFAULT.replace("\nrules:\n", "\n" + TEAPOT_RULE, 1)
    return re.sub(r"\nname: .*\n", f"\nname: {name}\n", text, count=1)


def _resources(line: str) -> str:
    return GOOD_RESOURCES.replace("Line A", line)


@pytest.fixture
async def live(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    """A running bot whose policy removes "teapot" and whose US resources are "Line A"."""
    config.policy_file = tmp_path / "policy.yaml"
    config.policy_file.write_text(_policy_with_teapots(), encoding="utf-8")
    config.resources_file = tmp_path / "resources.yaml"
    config.resources_file.write_text(_resources("Line A"), encoding="utf-8")
    async with open_harness(config, clock) as h:
        yield h


async def _cmd(h: Harness, text: str, who: Member | None = None) -> str:
    replies = await h.bot.handle_text_command(h.chat.group, h.general, who or h.moderator,
                                              text, h.chat)
    return "\n".join(r.text for r in replies)


async def _removed(h: Harness, text: str) -> bool:
    return await h.say(h.member, text) in h.chat.deleted


async def test_a_broken_policy_keeps_the_old_one_and_lists_every_error(
        live: Harness, caplog: pytest.LogCaptureFixture) -> None:
    path = live.bot.services.config.policy_file
    assert path is not None
    assert await _removed(live, "what a teapot")
    broken = _with_mistakes()  # the default policy (no teapot rule) with three mistakes
    path.write_text(broken, encoding="utf-8")
    with caplog.at_level(logging.INFO):
        reply = await _cmd(live, "/mod policy reload")
    assert "Nothing was reloaded" in reply and "3 problems" in reply
    for _good, snippet, key in THREE_MISTAKES:
        assert f"• {path}:{_line_of(broken, snippet)}: field '{key}':" in reply
    assert await _removed(live, "another teapot")  # still judged by the old policy
    assert "Teapot policy" in await _cmd(live, "/mod policy show")
    refused = [r for r in caplog.records if r.getMessage().startswith("moderation policy reload")]
    assert refused and getattr(refused[-1], "moderator", None) == live.moderator.id


async def test_a_good_policy_takes_effect_and_the_log_says_who(
        live: Harness, caplog: pytest.LogCaptureFixture) -> None:
    path = live.bot.services.config.policy_file
    assert path is not None
    path.write_text(re.sub(r"\nname: .*\n", "\nname: Kettle policy\n", DEFAULT, count=1),
                    encoding="utf-8")
    with caplog.at_level(logging.INFO):
        reply = await _cmd(live, "/mod policy reload")
    assert reply.startswith("Reloaded.") and "Kettle policy" in reply
    assert not await _removed(live, "what a teapot")  # the new policy has no teapot rule
    assert "Kettle policy" in await _cmd(live, "/mod policy show")
    done = [r for r in caplog.records if r.getMessage() == "moderation policy reloaded"]
    assert len(done) == 1 and getattr(done[0], "moderator", None) == live.moderator.id
    assert "teapot" not in " ".join(str(vars(r)) for r in caplog.records
                                    if r.name.startswith("groupbot.features"))


async def test_the_strike_settings_follow_the_reloaded_policy(live: Harness) -> None:
    path = live.bot.services.config.policy_file
    assert path is not None
    feature = live.bot.feature("moderation")
    assert isinstance(feature, ModerationFeature)
    assert feature.strikes.half_life_days == 30
    path.write_text(_policy_with_teapots().replace("half_life_days: 30", "half_life_days: 9"),
                    encoding="utf-8")
    assert (await _cmd(live, "/mod policy reload")).startswith("Reloaded.")
    assert feature.strikes.half_life_days == 9


async def test_messages_judged_while_the_files_are_read_use_the_old_policy(
        live: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    path = live.bot.services.config.policy_file
    assert path is not None
    path.write_text(DEFAULT, encoding="utf-8")  # no teapot rule
    reading, release = threading.Event(), threading.Event()
    real = moderation_commands._read_policy

    def slow_read(p: Path) -> Any:
        policy = real(p)
        reading.set()
        assert release.wait(5)
        return policy

    monkeypatch.setattr(moderation_commands, "_read_policy", slow_read)
    reload = asyncio.create_task(_cmd(live, "/mod policy reload"))
    assert await asyncio.to_thread(reading.wait, 5)
    # the new policy is built and compiled, but not yet in force
    assert await _removed(live, "a teapot during the reload")
    release.set()
    assert (await reload).startswith("Reloaded.")
    assert not await _removed(live, "a teapot after the reload")


async def test_resources_reload_likewise(live: Harness) -> None:
    path = live.bot.services.config.resources_file
    assert path is not None
    assert "Line A" in await _cmd(live, "/resources", live.member)
    path.write_text(_resources("Line B").replace("https://example.org/a", "example.org/a"),
                    encoding="utf-8")
    reply = await _cmd(live, "/mod policy reload")
    assert "Nothing was reloaded" in reply and "1 problem," in reply
    assert f"• {path}:3: field 'regions.US[0].source':" in reply
    assert "Line A" in await _cmd(live, "/resources", live.member)
    path.write_text(_resources("Line B"), encoding="utf-8")
    reply = await _cmd(live, "/mod policy reload")
    assert reply.startswith("Reloaded.") and "2 lines for 2 regions" in reply
    assert "Line B" in await _cmd(live, "/resources", live.member)
    # the crisis reply reads the same resources
    await live.say(live.member, "I want to kill myself")
    care = [e.text for e in live.chat.private_to(live.member)]
    assert any("Line B" in t and "Line A" not in t for t in care)


async def test_when_either_file_is_broken_neither_changes(live: Harness) -> None:
    config = live.bot.services.config
    assert config.policy_file is not None and config.resources_file is not None
    config.policy_file.write_text(DEFAULT, encoding="utf-8")  # good, without teapots
    config.resources_file.write_text("regions:\n  US: []\n", encoding="utf-8")
    reply = await _cmd(live, "/mod policy reload")
    assert "Nothing was reloaded" in reply and "regions.US" in reply
    assert await _removed(live, "still a teapot")  # the good policy did not go in alone
    assert "Line A" in await _cmd(live, "/resources", live.member)


async def test_reload_is_for_moderators_only(live: Harness) -> None:
    assert "is for moderators" in await _cmd(live, "/mod policy reload", live.member)
