"""`groupbot moderate [--policy FILE] [--jsonl] [--stateful]`: a dry run over messages on stdin.

One message per line in, one JSON verdict per line out (`{"action", "categories", "rules",
"reason"}`). Bad lines (not JSON, nested too deeply to read, not UTF-8, huge) get a verdict with
a clear reason rather than stopping the run, so output lines always match input lines; a line
that could not be judged is also named on stderr, one line each.

`action` is one of allow, nudge, care, remove, hold, timeout, escalate, support; `categories`
names what was found, the care categories first: crisis (support) or distress (care: the short
private note; escalate when the rest of the message would be removed or held, so nothing is).
`hold` removes a message pending a moderator's review; its reason says so in plain words.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from groupbot.config import Config
from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.verdict import Action, Verdict

INVALID = "input.invalid"  # the rule a line gets when it could not be judged


def register_cli(sub: Any) -> None:
    p = sub.add_parser(
        "moderate", help="judge messages from stdin with the moderation policy",
        description='One JSON verdict per line: {"action", "categories", "rules", "reason"}. '
                    "Actions: allow, nudge, care (a short private note for a member in "
                    "distress), remove, hold (removed at once, pending a moderator's review: "
                    "restored, or the removal confirmed), timeout, escalate, support (the crisis "
                    "reply). A message showing distress or crisis is never removed, held or "
                    "timed out.")
    p.add_argument("--policy", help="policy YAML file (default: the config's, else groupbot's)")
    p.add_argument("--jsonl", action="store_true",
                   help='each line is {"text": ..., "author": ..., "channel": ..., "ts": ...}')
    p.add_argument("--stateful", action="store_true",
                   help="apply flood and repeat history in order (per author)")
    p.add_argument("--interval", type=float, default=5.0,
                   help="with --stateful, seconds between lines that have no 'ts' (default 5)")
    p.set_defaults(func=moderate)


async def moderate(args: argparse.Namespace, config: Config) -> int:
    engine = ModerationEngine(args.policy or config.policy_file)
    return run(engine, sys.stdin.buffer, sys.stdout, jsonl=args.jsonl, stateful=args.stateful,
               interval=args.interval, err=sys.stderr)


def run(engine: ModerationEngine, source: Any, out: TextIO, *, jsonl: bool, stateful: bool,
        interval: float = 5.0, err: TextIO | None = None) -> int:
    clock = 0.0
    for number, raw in enumerate(source, 1):
        if isinstance(raw, bytes):
            line = raw.decode("utf-8", errors="replace")
        else:
            line = raw
        line = line.rstrip("\r\n")
        clock += interval
        verdict = _judge(engine, line, number, jsonl=jsonl, stateful=stateful, clock=clock)
        out.write(json.dumps(verdict.as_json(), ensure_ascii=False) + "\n")
        if err is not None and INVALID in verdict.rules:
            err.write(f"groupbot moderate: {verdict.reason}\n")
    out.flush()
    return 0


def _judge(engine: ModerationEngine, line: str, number: int, *, jsonl: bool, stateful: bool,
           clock: float) -> Verdict:
    text = line
    ctx: dict[str, Any] = {}
    when = clock
    if jsonl:
        if not line.strip():
            return Verdict(Action.ALLOW, reason=f"line {number}: empty")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            return Verdict(Action.ALLOW, rules=(INVALID,),
                           reason=f"line {number}: not a JSON object ({exc.msg}); not judged")
        except RecursionError:  # arrays or objects nested thousands deep: the decoder recurses
            return Verdict(Action.ALLOW, rules=(INVALID,),
                           reason=f"line {number}: not a JSON object (nested too deeply to "
                                  "read); not judged")
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            return Verdict(Action.ALLOW, rules=(INVALID,),
                           reason=f'line {number}: expected an object with a "text" string; '
                                  "not judged")
        text = obj["text"]
        if isinstance(obj.get("author"), str | int):
            ctx["author_id"] = str(obj["author"])
        if isinstance(obj.get("channel"), str | int):
            ctx["channel_name"] = str(obj["channel"])
        if isinstance(obj.get("ts"), int | float) and not isinstance(obj.get("ts"), bool):
            when = float(obj["ts"])
        if isinstance(obj.get("moderator"), bool):
            ctx["author_is_moderator"] = obj["moderator"]
    if not text.strip():
        return Verdict(Action.ALLOW, reason=f"line {number}: empty")
    if stateful:
        ctx.setdefault("author_id", "-")
        return engine.decide(text, stateful=True, now=when, **ctx)
    return engine.decide(text, **ctx)
