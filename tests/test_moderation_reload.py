"""Policy and resources files: every mistake is reported (file, line, key), and
`/mod policy reload` swaps both in live, or keeps the ones in force when either has errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.core.errors import ContentError, ContentErrors
from groupbot.moderation.engine import ModerationEngine, load_resource_table
from groupbot.moderation.policy import (
    PolicyErrors,
    default_policy_path,
    load_policy,
    parse_policy,
)
from groupbot.moderation.verdict import Action

DEFAULT = default_policy_path().read_text(encoding="utf-8")

# Three independent mistakes in the default policy, each on its own line.
THREE_MISTAKES = [
    ("    severe: timeout\n    strike: 3\n",
     "    severe: timeout\n    strike: lots\n", "categories.hate.strike"),
    ("  threat:\n    action: escalate\n",
     "  threat:\n    action: explode\n", "categories.threat.action"),
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
                   (5, "regions.US[1].topic"), (9, "regions.GB"), (None, "regions")]
    assert all(str(e).startswith(f"{f}:") for e in info.value.errors)


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
