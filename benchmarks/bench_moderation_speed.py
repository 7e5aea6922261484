"""Moderation speed: messages judged per second, one call per message, next to the peers
(better-profanity, glin-profanity, alt-profanity-check) on the same tweets (the target: at
least 3 times the fastest peer in the same run), plus the worst cases: 10,000 and 40,000
characters of adversarial Unicode and a pathological policy regex.

Uses the Davidson tweets from ../shared/data when present (text never printed); otherwise
generated chat-like messages, and says so.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GROUPBOT_SHARED_DATA", ROOT.parent / "shared" / "data"))
BENCH = "moderation_speed"
PEER_SECONDS = 6.0  # each peer runs for about this long (they are slow; rate is per call)


def _row(metric: str, value: float, unit: str, peer: str | None = None,
         peer_value: float | None = None, target: str | None = None,
         met: bool | None = None) -> dict[str, Any]:
    ratio = value / peer_value if peer_value else None
    return {"benchmark": BENCH, "metric": metric, "value": round(value, 3), "unit": unit,
            "peer": peer, "peer_value": None if peer_value is None else round(peer_value, 3),
            "ratio": None if ratio is None else round(ratio, 2), "target": target, "met": met}


def messages() -> tuple[list[str], str]:
    f = DATA / "davidson_labeled_data.csv"
    if f.exists():
        with open(f, encoding="utf-8", newline="") as fh:
            return [r["tweet"] for r in csv.DictReader(fh)], "Davidson tweets"
    rng = random.Random(7)
    words = ("i feel so tired today but the group helps thanks for listening you are kind "
             "what a week my therapist said boundaries matter call me later").split()
    return ([" ".join(rng.choice(words) for _ in range(rng.randint(4, 25)))
             for _ in range(20000)], "generated chat (no shared data found)")


def rate(fn: Callable[[str], Any], texts: Sequence[str], budget: float | None = None) -> float:
    """Messages per second of CPU time, one call each; stops after `budget` CPU seconds if
    given. CPU time, for every system alike: on a shared virtual machine wall time also
    counts the time other tenants take the core (seen here: the same run 23k or 32k/s)."""
    start = time.process_time()
    n = 0
    for t in texts:
        fn(t)
        n += 1
        if budget is not None and n % 50 == 0 and time.process_time() - start > budget:
            break
    return n / (time.process_time() - start)


def adversarial(rng: random.Random, length: int = 10_000) -> str:
    pool = ("\u200b\u200d\u2060\ufeff\u0301\u0308\u202e\u0430\u0435\u043e\u0456\u0455"
            "\uff41\uff4b\U0001d41a\U0001d42e\u24d0\u1d00\u026a\U0001f1e6|*.1!@$"
            "k i l l f*ck s h i t ||x|| ` ~ 😀 \ufffd\u0000 ")
    return "".join(rng.choice(pool) for _ in range(length))


def settled_rate(decide: Callable[[str], Any], texts: Sequence[str]) -> float:
    """The best of three settled runs (the heap frozen, as the serving bot runs)."""
    from groupbot.runtime import settle_heap

    for t in texts[:2000]:  # warm up
        decide(t)
    settle_heap()
    return max(rate(decide, texts) for _ in range(3))


def interpreted_rate() -> float | None:
    """The same engine with its mypyc-compiled modules loaded from their sources
    (GROUPBOT_PURE_PYTHON=1), in a fresh interpreter on the same messages: what mypyc is
    worth (the issue's bar to keep it: 1.5 times). None when nothing runs compiled here."""
    from groupbot.moderation.compiled import running_compiled

    if not running_compiled():
        return None
    env = dict(os.environ, GROUPBOT_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--interpreted-rate"],
                         env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> list[dict[str, Any]]:
    import gc

    from groupbot.moderation.engine import ModerationEngine
    from groupbot.moderation.policy_file import default_policy_path, parse_policy
    from groupbot.runtime import GC_THRESHOLDS, settle_heap

    texts, source = messages()
    engine = ModerationEngine()
    decide = engine.decide
    for t in texts[:2000]:  # warm up
        decide(t)
    default_gc = gc.get_threshold()
    # As the serving bot runs (the runners call settle_heap once connected: the heap frozen,
    # young objects collected less often), and with CPython's defaults, in turns, so that a
    # slow spell of this shared machine does not land on one of the two. The peers run
    # after this, settled alike.
    settled: list[float] = []
    unsettled: list[float] = []
    for _ in range(3):
        gc.unfreeze()
        gc.set_threshold(*default_gc)
        unsettled.append(rate(decide, texts))
        settle_heap()
        settled.append(rate(decide, texts))
    ours, ours_default_gc = max(settled), max(unsettled)
    rows: list[dict[str, Any]] = []
    from groupbot.moderation.compiled import PLAN, running_compiled
    from groupbot.moderation.normalise import NATIVE

    notes: list[str] = [f"messages: {len(texts)} {source}",
                        "native fast path: " + ("built" if NATIVE else
                                                "NOT built (pure Python; no C compiler?)"),
                        "compiled (mypyc) modules: " + (", ".join(running_compiled()) or
                                                        f"none ({PLAN})"),
                        f"garbage collector: as the serving bot sets it, thresholds "
                        f"{GC_THRESHOLDS} after freezing the heap (CPython's default "
                        f"{default_gc}: see the row for it); peers measured the same way"]
    peer_rates: dict[str, float] = {}
    try:
        from better_profanity import profanity

        profanity.load_censor_words()
        peer_rates["better-profanity"] = rate(profanity.contains_profanity, texts, PEER_SECONDS)
    except Exception as exc:
        notes.append(f"better-profanity not run: {exc}")
    try:
        from glin_profanity import Filter

        flt = Filter()
        peer_rates["glin-profanity"] = rate(flt.is_profane, texts, PEER_SECONDS)
    except Exception as exc:
        notes.append(f"glin-profanity not run: {exc}")
    try:
        import warnings

        warnings.filterwarnings("ignore")
        from profanity_check import predict

        peer_rates["alt-profanity-check"] = rate(lambda t: predict([t]), texts, PEER_SECONDS)
    except Exception as exc:
        notes.append(f"alt-profanity-check not run: {exc}")
    fastest = max(peer_rates.items(), key=lambda kv: kv[1]) if peer_rates else None
    rows.append(_row("messages/s of CPU time, one call per message", ours, "msg/s"))
    interpreted = interpreted_rate()
    if interpreted is None:
        notes.append("mypyc: nothing runs compiled here, so no compiled/interpreted ratio")
    else:
        rows.append(_row("compiled (mypyc) vs the same code interpreted", ours, "msg/s",
                         peer="interpreted", peer_value=interpreted,
                         target=">= 1.5x to keep mypyc", met=ours >= 1.5 * interpreted))
    rows.append(_row("same, with CPython's default garbage-collector thresholds",
                     ours_default_gc, "msg/s"))
    for name, r in sorted(peer_rates.items(), key=lambda kv: -kv[1]):
        is_fastest = fastest is not None and name == fastest[0]
        rows.append(_row("messages/s vs peer" + (" (fastest peer)" if is_fastest else ""),
                         ours, "msg/s", peer=name, peer_value=r,
                         target=">= 3x fastest peer" if is_fastest else None,
                         met=(ours >= 3 * r) if is_fastest else None))
    # Worst cases.
    rng = random.Random(11)
    samples = [adversarial(rng) for _ in range(30)]
    worst = 0.0
    total = 0.0
    for s in samples:
        # The median of three runs of each message, so that one scheduling hiccup of a
        # shared machine is not reported as the engine's worst case; the worst message
        # still counts.
        runs = []
        for _ in range(3):
            t0 = time.process_time()
            v = decide(s)
            runs.append(time.process_time() - t0)
            assert v.error is None
        runs.sort()
        worst = max(worst, runs[1])
        total += runs[1]
    rows.append(_row("worst case: 10,000 chars adversarial Unicode (CPU ms, median of 3 "
                     "runs, worst of 30 messages)", worst * 1000, "ms", target="< 5 ms",
                     met=worst < 0.005))
    rows.append(_row("mean: 10,000 chars adversarial Unicode", total / len(samples) * 1000,
                     "ms"))
    # The largest message a platform sends is judged whole, in time linear in its length.
    long_worst = 0.0
    for _ in range(10):
        s = adversarial(rng, 40_000)
        runs = []
        for _ in range(3):
            t0 = time.process_time()
            v = decide(s)
            runs.append(time.process_time() - t0)
            assert v.error is None and not v.details.get("truncated")
        runs.sort()
        long_worst = max(long_worst, runs[1])
    rows.append(_row("worst case: 40,000 chars adversarial Unicode, judged whole (CPU ms)",
                     long_worst * 1000, "ms", target="< 20 ms", met=long_worst < 0.020))
    text = default_policy_path().read_text(encoding="utf-8").replace(
        "rules:\n", "rules:\n  - id: patho\n    category: spam\n"
                    "    regex: ['(a+)+$', '(x|x|x|x)*y', '(.*a){20}b']\n", 1)
    patho = ModerationEngine(parse_policy(text, "pathological.yaml"))
    worst_rule = 0.0
    for n in (1000, 5000, 10_000):
        payload = "a" * n + "!"
        t0 = time.process_time()
        patho.decide(payload)
        worst_rule = max(worst_rule, time.process_time() - t0)
    rows.append(_row("worst case: pathological regex rule, 10,000 chars", worst_rule * 1000,
                     "ms", target="< 5 ms", met=worst_rule < 0.005))
    for note in notes:
        print(note)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--interpreted-rate"]:
        from groupbot.moderation.engine import ModerationEngine

        print(settled_rate(ModerationEngine().decide, messages()[0]))
        raise SystemExit(0)
    result = main()
    print(f"{'metric':<52} {'ours':>10} {'unit':<6} {'peer':<20} {'peer':>9} {'ratio':>7}  "
          "target  met")
    for r in result:
        pv = "" if r["peer_value"] is None else f"{r['peer_value']:.1f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        print(f"{r['metric']:<52} {r['value']:>10.1f} {r['unit']:<6} {r['peer'] or '':<20} "
              f"{pv:>9} {ratio:>7}  {r['target'] or ''} {met}")
