"""The moderation quality benchmark's metric helpers, on tiny made-up rows, and its per-set
skipping. Needs no shared data and no peer packages (peers are stubbed where a section runs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from benchmarks import bench_moderation_quality as bq
from groupbot.moderation.verdict import Action, Verdict

ALL_FILES = (bq.DAVIDSON, bq.SMS, bq.CSSRS, bq.PRESIDIO, bq.HATECHECK, bq.RMHD)


def _judge(table: dict[str, Verdict]) -> Callable[[str], Verdict]:
    return lambda text: table.get(text, Verdict(Action.ALLOW))


def _no_peers() -> dict[str, tuple[bq.Flag | None, str]]:
    return {}


def _by_metric(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(r["metric"]): r for r in rows if r["peer"] is None}


# --- helpers ----------------------------------------------------------------------------------

def test_accuracy_by_group_counts_each_group_in_first_seen_order() -> None:
    got = bq.accuracy_by_group([("b", True, True), ("a", False, True), ("b", True, False),
                                ("a", False, False), ("b", False, False)])
    assert list(got) == ["b", "a"]
    assert got["b"][0] == pytest.approx(2 / 3) and got["b"][1] == 3
    assert got["a"] == (0.5, 2)


def test_rate_by_group_and_share() -> None:
    got = bq.rate_by_group([("x", True), ("y", False), ("x", False), ("x", True)])
    assert list(got) == ["x", "y"]
    assert got["x"][0] == pytest.approx(2 / 3) and got["x"][1] == 3
    assert got["y"] == (0.0, 1)
    assert bq.share([True, False, False, False]) == 0.25
    assert bq.share([]) == 0.0
    assert bq.accuracy([True, False, True], [True, True, True]) == pytest.approx(2 / 3)


def test_negative_groups_are_those_without_a_positive_case() -> None:
    assert bq.negative_groups([("p_h", True), ("q_nh", False), ("mixed", False),
                               ("mixed", True), ("q_nh", False)]) == {"q_nh"}


def test_worst_picks_lowest_or_highest_and_breaks_ties_by_name() -> None:
    values = {"m": 0.5, "c": 0.2, "a": 0.9, "b": 0.2}
    assert bq.worst(values) == ("b", 0.2)
    assert bq.worst(values, highest=True) == ("a", 0.9)
    assert bq.worst({"z": 0.3, "y": 0.3}, highest=True) == ("y", 0.3)
    with pytest.raises(ValueError):
        bq.worst({})


def test_stride_by_group_strides_within_each_wanted_group() -> None:
    groups = ["s", "o", "s", "x", "s", "o", "o", "s"]
    assert bq.stride_by_group(groups, {"s", "o"}, 2) == [0, 1, 4, 6]
    assert bq.stride_by_group(groups, {"x"}, 2) == [3]
    assert bq.stride_by_group(groups, {"s"}, 1) == [0, 2, 4, 7]


def test_verdict_readings() -> None:
    assert bq.is_care(Verdict(Action.CARE))
    assert bq.is_care(Verdict(Action.SUPPORT))
    assert bq.is_care(Verdict(Action.ESCALATE, ("distress", "threat")))
    assert not bq.is_care(Verdict(Action.NUDGE, ("profanity",)))
    assert bq.shows_care(Verdict(Action.ALLOW, ("distress",)))
    assert not bq.shows_care(Verdict(Action.CARE))
    assert bq.is_punished(Verdict(Action.TIMEOUT, ("hate",)))
    assert bq.is_punished(Verdict(Action.REMOVE, ("spam",)))
    assert not bq.is_punished(Verdict(Action.ESCALATE, ("threat",)))
    assert not bq.is_punished(Verdict(Action.SUPPORT, ("crisis",)))
    assert bq.is_hateful(Verdict(Action.REMOVE, ("harassment", "hate")))
    assert not bq.is_hateful(Verdict(Action.REMOVE, ("harassment",)))
    assert bq.is_hateful_wide(Verdict(Action.ESCALATE, ("threat",)))
    assert not bq.is_hateful_wide(Verdict(Action.REMOVE, ("profanity", "sexual")))


def test_subreddit_kinds_and_order() -> None:
    assert bq.subreddit_kind("suicidewatch") == "crisis"
    assert bq.subreddit_kind("UKPersonalFinance") == "ordinary"
    assert bq.subreddit_kind("lonely") == "support"
    assert bq.subreddit_order(["guns", "lonely", "suicidewatch", "UKPersonalFinance", "ADHD",
                               "guns"]) == ["suicidewatch", "ADHD", "lonely", "guns",
                                            "UKPersonalFinance"]


def test_flag_all_uses_one_batch_call_when_it_can() -> None:
    calls: list[int] = []

    def many(texts: Sequence[str]) -> list[bool]:
        calls.append(len(texts))
        return [t.startswith("b") for t in texts]

    batch = bq.BatchFlag(many)
    assert bq.flag_all(batch, ["bee", "ant", "bat"]) == [True, False, True]
    assert calls == [3]
    assert batch("bee") is True and calls == [3, 1]
    assert bq.flag_all(lambda t: t == "ant", ["bee", "ant"]) == [False, True]
    assert bq.flag_all(batch, []) == []


# --- sections on made-up rows -------------------------------------------------------------------

def test_hatecheck_rows_per_functionality_targets_and_peers() -> None:
    cases = [bq.HateCase("f_h", "h1", True), bq.HateCase("f_h", "h2", True),
             bq.HateCase("g_nh", "n1", False), bq.HateCase("g_nh", "n2", False),
             bq.HateCase("g_nh", "n3", False), bq.HateCase("k_nh", "n4", False)]
    ours = _judge({"h1": Verdict(Action.REMOVE, ("hate",)),
                   "h2": Verdict(Action.ESCALATE, ("threat",)),
                   "n1": Verdict(Action.REMOVE, ("hate",))})
    peer = bq.PeerSet(lambda: {"stub": (lambda t: t in ("h1", "h2", "n2"), ""),
                               "gone": (None, "not available: made up")})
    rows = bq.hatecheck_rows(ours, cases, peer, [])
    m = _by_metric(rows)
    assert m["HateCheck accuracy, f_h (n=2)"]["value"] == 0.5
    assert m["HateCheck accuracy, f_h (n=2)"]["target"] is None
    g = m["HateCheck accuracy, g_nh (n=3, non-hateful)"]
    assert g["value"] == pytest.approx(0.6667) and g["target"] == ">= 0.90" and g["met"] is False
    assert m["HateCheck accuracy, k_nh (n=1, non-hateful)"]["met"] is True
    assert m["HateCheck accuracy, all cases (n=6)"]["value"] == pytest.approx(0.6667)
    low = m["HateCheck lowest functionality accuracy: f_h"]
    assert low["value"] == 0.5 and low["met"] is False
    assert m["HateCheck recall on hateful cases (n=2)"]["value"] == 0.5
    # the wider reading counts the threat as hateful too
    assert m["HateCheck accuracy, wider reading: hate or harassment or threat (information)"][
        "value"] == pytest.approx(5 / 6, abs=1e-4)
    stub = {r["metric"]: r for r in rows if r["peer"] == "stub"}
    assert stub["HateCheck accuracy, all cases (n=6)"]["peer_value"] == pytest.approx(0.8333)
    assert stub["HateCheck recall on hateful cases (n=2)"]["peer_value"] == 1.0
    assert not any(r["peer"] == "gone" for r in rows)
    assert peer.notes() == ["peer gone: not available: made up"]


def test_rmhd_rows_rates_targets_worst_and_peer_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bq, "RMHD_PEER_STRIDE", 2)
    posts = [("suicidewatch", "c1"), ("suicidewatch", "c2"), ("suicidewatch", "a1"),
             ("suicidewatch", "a2"), ("lonely", "d1"), ("lonely", "a3"), ("guns", "p1"),
             ("guns", "a4"), ("guns", "a5"), ("guns", "a6")]
    ours = _judge({"c1": Verdict(Action.SUPPORT, ("crisis",)),
                   "c2": Verdict(Action.SUPPORT, ("crisis",)),
                   "d1": Verdict(Action.CARE, ("distress",)),
                   "p1": Verdict(Action.REMOVE, ("spam",))})
    peer = bq.PeerSet(lambda: {"stub": (lambda t: t.startswith("c"), "")})
    lines: list[str] = []
    rows = bq.rmhd_rows(ours, posts, peer, lines)
    m = _by_metric(rows)
    sw = m["RMHD care rate, r/suicidewatch (crisis, n=4)"]
    assert sw["value"] == 0.5 and sw["target"] == ">= 0.90" and sw["met"] is False
    assert m["RMHD care rate, r/lonely (support, n=2)"]["value"] == 0.5
    assert m["RMHD crisis rate, r/lonely (support, n=2)"]["value"] == 0.0
    assert m["RMHD crisis rate, r/guns (ordinary, n=4)"]["met"] is True
    assert m["RMHD crisis rate, ordinary subreddits pooled (n=4)"]["value"] == 0.0
    guns = m["RMHD punished rate, r/guns (ordinary, n=4)"]
    assert guns["value"] == 0.25 and guns["met"] is False
    assert m["RMHD punished rate, r/lonely (support, n=2)"]["met"] is True
    assert m["RMHD highest punished rate: r/guns"]["value"] == 0.25
    # every 2nd post of suicidewatch (c1, a1) and of guns (p1, a5); lonely is not sampled
    stub = {r["metric"]: r for r in rows if r["peer"] == "stub"}
    assert stub["RMHD r/suicidewatch posts punished/flagged (n=2)"]["peer_value"] == 0.5
    assert stub["RMHD ordinary-subreddit posts punished/flagged (n=2)"]["value"] == 0.5
    assert stub["RMHD ordinary-subreddit posts punished/flagged (n=2)"]["peer_value"] == 0.0
    assert any("Support subreddits" in line and "(1: lonely)" in line for line in lines)
    missing = [line for line in lines if "not in the file" in line]
    assert missing and "conspiracy" in missing[0] and "guns" not in missing[0]


# --- main -------------------------------------------------------------------------------------

def test_main_skips_every_set_cleanly_on_an_empty_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GROUPBOT_SHARED_DATA", str(tmp_path))
    monkeypatch.setattr(bq, "peers", _no_peers)
    assert bq.main() == []
    out = capsys.readouterr().out
    for name in ALL_FILES:
        assert f"skipped: {name} not found" in out


def test_main_runs_the_sets_it_finds_and_never_prints_their_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / bq.HATECHECK).write_text(
        ",functionality,test_case,label_gold\n"
        "0,made_up_nh,plain words about zebra crossings,non-hateful\n"
        "1,made_up_nh,more plain words about teapots,non-hateful\n"
        "2,other_nh,quiet talk of marmalade,non-hateful\n", encoding="utf-8")
    monkeypatch.setenv("GROUPBOT_SHARED_DATA", str(tmp_path))
    monkeypatch.setattr(bq, "peers", _no_peers)
    rows = bq.main()
    out = capsys.readouterr().out
    for name in ALL_FILES:
        assert (f"skipped: {name} not found" in out) is (name != bq.HATECHECK)
    assert rows and all(str(r["metric"]).startswith("HateCheck") for r in rows)
    assert "HateCheck accuracy, made_up_nh (n=2, non-hateful)" in _by_metric(rows)
    assert "HateCheck accuracy, all cases (n=3)" in _by_metric(rows)
    for word in ("zebra", "teapots", "marmalade"):
        assert word not in out
