"""Speed work must not change a verdict: every input in the golden file (written by the
engine before the optimisations) is judged again in each context and compared in full."""

from __future__ import annotations

from groupbot.moderation.engine import ModerationEngine
from tests.moderation_golden import CONTEXTS, inputs, load, record


def test_golden_file_is_complete() -> None:
    """The file keeps its own inputs (so editing a test file does not invalidate it); it
    was written from `inputs()`, and still holds every generated message."""
    rows = load()
    assert len(rows) >= 4000
    assert all(label in r for r in rows for label, _ in CONTEXTS)
    texts = [r["text"] for r in rows]
    assert texts == sorted(texts)  # (sorted, so that a diff shows each moved verdict)
    assert set(inputs()[-3515:]) <= set(texts)


def test_every_verdict_matches_the_pre_optimisation_engine() -> None:
    engine = ModerationEngine()
    mismatches = []
    for row in load():
        for label, kw in CONTEXTS:
            got = record(engine.decide(row["text"], **kw))
            if got != row[label]:
                mismatches.append((label, row["text"][:80], row[label], got))
    assert not mismatches, f"{len(mismatches)} changed verdicts, first: {mismatches[:3]}"


def test_repeated_judging_is_stable() -> None:
    """Caches (scopes, compiled data) give the same verdict on a second pass."""
    engine = ModerationEngine()
    rows = load()[:300]
    first = [record(engine.decide(r["text"], **kw)) for r in rows for _, kw in CONTEXTS]
    second = [record(engine.decide(r["text"], **kw)) for r in rows for _, kw in CONTEXTS]
    assert first == second


def test_stretch_gate_agrees_with_the_regex_on_random_flat_text() -> None:
    import random

    from groupbot.moderation import disguise as D
    from groupbot.moderation import normalise as N

    rng = random.Random(5)
    for _ in range(5000):
        words = ["".join(rng.choice("aab01 ") for _ in range(rng.randint(1, 8)))
                 for _ in range(rng.randint(0, 12))]
        flat = " " + " ".join(" ".join(words).split()) + " "
        assert N._maybe_stretched(flat) == (D.STRETCH.search(flat) is not None), flat


def test_regex_prefilter_never_skips_a_rule_that_would_match() -> None:
    from groupbot.moderation.engine import compile_policy
    from groupbot.moderation.policy_file import default_policy_path, parse_policy

    text = default_policy_path().read_text(encoding="utf-8").replace(
        "rules:\n", "rules:\n  - id: loose\n    category: spam\n    regex: ['\\d{3,}']\n", 1)
    loose = ModerationEngine(parse_policy(text, "loose.yaml"))
    assert compile_policy(loose.policy).regex_literals is None  # no required literal: always run
    assert "rule.loose" in loose.decide("win 100 coins now").rules
    assert "rule.loose" not in loose.decide("win 10 coins now").rules
    default = compile_policy(ModerationEngine().policy)
    assert default.regex_literals is not None
    assert not default.regex_may_match(" hello there ")
    assert "rule.crypto-scam" in ModerationEngine().decide("send me your seed phrase").rules
