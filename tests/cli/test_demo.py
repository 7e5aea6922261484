"""`groupbot demo` runs every scene for real, and its transcript shows each (issue 17)."""

from __future__ import annotations

import re

import pytest

from groupbot.config import Config
from groupbot.demo import MOODS, SCENES, run_demo


@pytest.fixture(scope="module")
def transcript(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import asyncio
    import contextlib
    import io

    out = io.StringIO()
    configured = tmp_path_factory.mktemp("demo") / "configured.db"
    with contextlib.redirect_stdout(out):
        assert asyncio.run(run_demo(Config(database=str(configured)))) == 0
    assert not configured.exists()  # the demo's week goes into a temporary database
    text = out.getvalue()
    parts = re.split(r"^=== .*? UTC · (.+?) ===$", text, flags=re.M)
    scenes = dict(zip(parts[1::2], parts[2::2], strict=True))
    scenes["(all)"] = text
    return scenes


def test_every_scene_runs_in_order_and_nothing_is_skipped(transcript: dict[str, str]) -> None:
    assert [name for name in transcript if name != "(all)"] == list(SCENES)
    whole = transcript["(all)"]
    for sign in ("skipped", "not available", "Traceback", "went wrong"):
        assert sign not in whole
    assert whole.rstrip().endswith("=== end of the demo week ===")


def test_the_set_up(transcript: dict[str, str]) -> None:
    scene = transcript["a moderator sets the group up"]
    assert "The group's region is now GB" in scene
    assert "Schedule 1: prompts on boundaries in #general, weekly mon 09:00" in scene
    assert "Schedule 2: check-ins in #general, weekly fri 18:00" in scene


def test_the_first_prompt_is_posted_by_its_schedule(transcript: dict[str, str]) -> None:
    scene = transcript["the week's first prompt"]
    assert scene.lstrip().startswith("[#general] groupbot:")
    assert "── Boundaries ──" in scene and "[thread]" in scene
    assert "[#general] Alex: I said no to an extra shift" in scene


def test_the_library_answers_with_a_citation(transcript: dict[str, str]) -> None:
    scene = transcript["a member asks the library"]
    assert "— “Codependency Vs. Interdependence”" in scene and "Dr. Wasif MD" in scene


def test_the_insult_is_removed_and_logged(transcript: dict[str, str]) -> None:
    scene = transcript["a targeted insult"]
    assert "[removed] Jordan's message in #general" in scene
    assert "[mod-log]" in scene and "Case 1:" in scene
    assert "Here is a copy of what you wrote" in scene


def test_the_crisis_request_reaches_the_queue_and_a_moderator_takes_it(
        transcript: dict[str, str]) -> None:
    scene = transcript["a member in a hard moment"]
    reply = scene.split("[private → Alex]", 1)[1]
    assert "Samaritans" in reply and "not a therapist" in reply
    assert "iasp.info/crisis-centres-helplines" in reply
    assert '[console] Alex pressed "Talk to a moderator privately"' in scene
    assert "• Item 1 (crisis request) @Alex asked to talk with a moderator privately" in scene
    assert "Robin, one of the group's moderators, has seen that you'd like to talk" in scene
    assert "don't want to be alive" not in scene.split("[#general] Alex: ", 1)[1].split(
        "\n", 1)[1]  # the member's words are never quoted back, to them or the moderators


def test_at_least_five_members_answer_the_check_in(transcript: dict[str, str]) -> None:
    scene = transcript["the weekly check-in"]
    assert "── Weekly check-in ──" in scene and "How are you doing this week?" in scene
    answered = re.findall(r"^\[private → (\w+)\] Thank you. I noted (\d)", scene, re.M)
    assert len(answered) >= 5
    assert {name: int(mood) for name, mood in answered} == MOODS


def test_the_summary_has_real_totals_and_a_chart_and_a_moderator_acts(
        transcript: dict[str, str]) -> None:
    scene = transcript["moderators review the week"]
    moods = list(MOODS.values())
    average = round(sum(moods) / len(moods), 1)
    assert f"{len(moods)} members answered · average {average} of 5" in scene
    low = sum(1 for m in moods if m <= 2)
    assert f"finding it hard (1-2): {low}" in scene
    chart = re.search(r"hard (█*░*) (\d) · okay (█*░*) (\d) · good (█*░*) (\d)", scene)
    assert chart is not None and all(len(chart.group(i)) == 10 for i in (1, 3, 5))
    assert int(chart.group(2)) + int(chart.group(4)) + int(chart.group(6)) == len(moods)
    assert "Case 3: warned @Casey" in scene  # a moderator's own action
    assert "[private → Casey]" in scene
    assert "Resolved item 1" in scene and "The queue is empty" in scene


def test_a_member_exports_their_data(transcript: dict[str, str]) -> None:
    scene = transcript["a member looks at their data"]
    assert "Here is everything I store about you in this group" in scene
    assert '"action": "support"' in scene and '"mood": 3' in scene
