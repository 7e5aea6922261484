"""Inputs and reference verdicts for the moderation equivalence test.

The golden file holds each input and its verdict in every context, so any change that
alters a verdict (action, categories, rules, severity, reason, PII spans) fails
`tests/moderation/test_equivalence.py`. Inputs: the string literals of the moderation tests
when it was written (the file keeps its own inputs, so editing a test does not invalidate
it), plus generated messages (seeded) mixing lexicon words, leetspeak, look-alikes, split
and stretched letters, markup, quotes, numbers and links. No data-set text.

It is plain JSON lines sorted by text, one input per line, so `git diff` shows exactly which
verdicts a change moved. Regenerate only on purpose, then read that diff:
`python -m tests.moderation_golden`.
"""

from __future__ import annotations

import ast
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "moderation_golden.jsonl"
SOURCES = ("moderation/test_crisis.py", "moderation/test_engine.py",
           "moderation/test_evasion.py", "moderation/test_paths.py")

# (label, decide keyword arguments): the default policy's overrides and context paths.
CONTEXTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("plain", {}),
    ("venting", {"channel_name": "#venting"}),
    ("heavy", {"channel_name": "heavy-topics", "group_id": "g1"}),
    ("mod", {"author_is_moderator": True, "channel_name": "introductions",
             "member_names": ["Sam", "Alex Kim"], "mentions": ["u1", "u2", "u3", "u4", "u5"]}),
)

_WORDS = (
    "i you he she they we my your me it is am are was feel so really very not never dont "
    "cant want to die kill myself yourself end it all go on anymore tonight again years ago "
    "when was a teen better now survived help call text please idiot stupid loser moron "
    "fuck fucking shit bitch damn hate all those people should be gone trash cunt whore "
    "therapist assistance scunthorpe classic analysis cocktail grass pass class "
    "free win prize claim cash now txt reply urgent offer nitro giveaway link "
    "street road avenue apt live at address phone number email me seed phrase wallet "
    "connect airdrop send your recovery words suicide suicidal thoughts cut cutting pills "
    "hopeless trapped burden nobody likes no one would care group thanks listening kind "
    "boundaries codependency week tired sad angry rape nigger faggot retard sex porn nude"
).split()
_EXTRA = ("@someone", "<@123>", "@everyone", "@here", "https://example.com/x",
          "www.shop.biz", "discord.gg/abc", "bit.ly/xy", "555-123-4567", "+44 20 7946 0958",
          "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", "123-45-6789",
          "AB 12 34 56 C", "10.0.0.1", "12 Baker Street", "Hauptstraße 5", "jo@example.org",
          "£100", "$5", "18+", "80082", "07712345678", "CN: self harm", "||spoiler||",
          "`code`", "~~strike~~", "> quoted line", '"I want to die" the article says',
          "f*ck", "sh**t", "k i l l", "f.u.c.k", "shiiiiit", "id1ot", "$h1t", "k1ll",
          "b!tch", "idi0t", "wow!", "ｆｕｃｋ", "ѕhіt", "i\u200bdiot", "fück", "𝐢𝐝𝐢𝐨𝐭",
          "ⓘⓓⓘⓞⓣ", "ɪᴅɪᴏᴛ", "😀", "\u202eevil", "you’re", "YOU ARE AN IDIOT", "n0b0dy",
          "1ike", "l0ser", "|diot", "€")


def _message(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 30)):
        r = rng.random()
        if r < 0.12:
            parts.append(rng.choice(_EXTRA))
        else:
            w = rng.choice(_WORDS)
            if rng.random() < 0.08:
                w = w.upper()
            if rng.random() < 0.05:
                w = " ".join(w)
            if rng.random() < 0.04:
                w = w.replace("i", "1").replace("o", "0").replace("e", "3")
            if rng.random() < 0.04 and w:
                k = rng.randrange(len(w))
                w = w[:k] + w[k] * rng.randint(2, 5) + w[k:]
            parts.append(w)
        if rng.random() < 0.1:
            parts.append(rng.choice((".", ",", "!", "?", "!!", "...", "\n", " -", ":")))
    return " ".join(parts)


def _noise(rng: random.Random) -> str:
    pool = ("abcdefghijklmnopqrstuvwxyz      0123456789!@#$%^&*()_+|~`'\"<>.,;:/\\-\n"
            "\u200b\u0301\u0430\u0435\u043e\u0456\uff41\U0001d41a\u24d0\u1d00é€£")
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 300)))


def test_strings() -> list[str]:
    """Every string literal (2+ characters) in the moderation test files, in order."""
    out: dict[str, None] = {}
    for name in SOURCES:
        tree = ast.parse((HERE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and len(node.value) >= 2:
                out[node.value] = None
    return list(out)


def inputs() -> list[str]:
    rng = random.Random(20261128)
    texts = test_strings()
    texts += [_message(rng) for _ in range(3000)]
    texts += [_noise(rng) for _ in range(500)]
    # A few long ones through the long path (over 2,000 characters).
    texts += [" ".join(_message(rng) for _ in range(40)) for _ in range(15)]
    return texts


def record(verdict: Any) -> list[Any]:
    d = verdict.details
    return [verdict.action.value, list(verdict.categories), list(verdict.rules),
            verdict.severity, verdict.reason, [list(s) for s in d.get("pii", [])],
            bool(d.get("truncated")), verdict.error]


def compute(texts: list[str]) -> list[dict[str, Any]]:
    from groupbot.moderation.engine import ModerationEngine

    engine = ModerationEngine()
    rows = []
    for t in texts:
        rows.append({"text": t, **{label: record(engine.decide(t, **kw))
                                   for label, kw in CONTEXTS}})
    return rows


def load() -> list[dict[str, Any]]:
    with GOLDEN.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write(rows: list[dict[str, Any]]) -> None:
    """Sorted by text, keys in a fixed order, one line each: a diff shows each moved verdict."""
    GOLDEN.parent.mkdir(exist_ok=True)
    with GOLDEN.open("w", encoding="utf-8", newline="\n") as fh:
        for row in sorted(rows, key=lambda r: r["text"]):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    # The inputs already in the file stay (the test strings of the day it was first
    # written), with any new generated ones.
    old = [r["text"] for r in load()] if GOLDEN.exists() else []
    texts = list(dict.fromkeys([*old, *inputs()]))
    rows = compute(texts)
    write(rows)
    print(f"{len(rows)} texts x {len(CONTEXTS)} contexts -> {GOLDEN}")
