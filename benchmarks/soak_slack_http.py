"""Slack HTTP mode under a flood from strangers: memory, log size, replies, and a real request.

The real bot runs as a child process, started the way an operator starts it
(`python -m groupbot run --platform slack --http --port N`, log level INFO, text log to a
file), its Web API pointed at the local fake Slack (`tests/fakes/slack_fake.py`) that runs in
this process on 127.0.0.1. Then 50 connections flood `POST /slack/events` for `--seconds`
(30 by default) with what anyone who knows the URL can send without the signing secret:

- unsigned 2 MB bodies with a Content-Length (over the body limit), and 2 MB sent chunked
  (no Content-Length, so the limit must stop the read itself);
- unsigned 900 KB bodies under the limit, with a fresh timestamp and a well-formed but wrong
  signature (so the bot must read them to find that out), some of them carrying a member's
  words in the body;
- malformed signature headers: none, letters or 400 digits for the timestamp, a stale
  timestamp, a non-ASCII signature, a wrong version prefix.

Halfway through, a correctly signed slash command and a correctly signed message event go in
among the flood; each must be answered (the command through its response_url, the event with
the warning DM). Figures: the child's RSS (VmRSS from /proc) before the flood, at its peak and
after; how much its log grew; replies by status (every one must be 401, 413 or 400; a reset
connection or any other status counts as unexpected); and whether the real requests got
through. Linux only (/proc). Not a test: the figures depend on the machine.

    .venv/bin/python benchmarks/soak_slack_http.py --seconds 30
    .venv/bin/python benchmarks/run_all.py soak_slack_http

`--only 2MB` floods with one kind of request (to find which one costs memory), `--verbose`
prints the replies by kind, `--keep` keeps the bot's log (deleted otherwise: a bot that logs
what strangers send can write gigabytes here).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import aiohttp  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402

from tests.fakes.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack  # noqa: E402

BENCH = "slack HTTP soak (strangers' flood)"
CONNECTIONS = 50
SECONDS = 30.0
BIG = 2 * 1000 * 1000  # over the default 1 MiB limit
MEDIUM = 900 * 1000  # under it: must be read to check its signature
MEMBER_TEXT = "SOAK-MEMBER-TEXT my sister said I always put myself last"
TARGET_RSS_MB = 50.0
TARGET_LOG_BYTES = 1_000_000
EXPECTED = {400, 401, 413}


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signed(body: str, *, ts: int | None = None) -> dict[str, str]:
    stamp = str(ts if ts is not None else int(time.time()))
    sig = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    assert sig is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig}


@dataclass
class Tally:
    sent: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    by_kind: dict[str, collections.Counter[int]] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter))
    bytes_sent: int = 0

    @property
    def unexpected(self) -> int:
        return sum(n for s, n in self.statuses.items() if s not in EXPECTED) + \
            sum(self.errors.values())


def _bodies() -> dict[str, bytes]:
    words = urllib.parse.quote(MEMBER_TEXT)
    medium_form = (f"token=x&team_id=T0FAKE0001&user_id=U1&command=%2Fgroupbot&text={words}&"
                   ).encode()
    medium_form += b"x" * (MEDIUM - len(medium_form))
    event = json.dumps({"type": "event_callback", "event_id": "EvSOAK",
                        "event": {"type": "message", "text": MEMBER_TEXT, "pad": ""}})
    medium_json = event.replace('"pad": ""', '"pad": "' + "y" * (MEDIUM - len(event)) + '"')
    return {"big": b"z" * BIG, "medium_form": medium_form,
            "medium_json": medium_json.encode()}


def _kinds(bodies: dict[str, bytes]) -> list[tuple[str, bytes, dict[str, str], bool]]:
    """(name, body, headers, chunked) for each kind of stranger's request, in rotation."""
    now = str(int(time.time()))
    wrong = "v0=" + "0" * 64
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    js = {"Content-Type": "application/json"}
    small = f"text={urllib.parse.quote(MEMBER_TEXT)}".encode()
    return [
        ("2MB unsigned", bodies["big"], {**form, "X-Slack-Request-Timestamp": now,
                                         "X-Slack-Signature": wrong}, False),
        ("2MB chunked", bodies["big"], {**form, "X-Slack-Request-Timestamp": now,
                                        "X-Slack-Signature": wrong}, True),
        ("900KB form, wrong signature", bodies["medium_form"],
         {**form, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": wrong}, False),
        ("900KB JSON, wrong signature", bodies["medium_json"],
         {**js, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": wrong}, False),
        ("900KB, no signature", bodies["medium_form"], form, False),
        ("timestamp letters", small, {**form, "X-Slack-Request-Timestamp": "abcdef",
                                      "X-Slack-Signature": wrong}, False),
        ("timestamp 400 digits", small, {**form, "X-Slack-Request-Timestamp": "9" * 400,
                                         "X-Slack-Signature": wrong}, False),
        ("stale timestamp", small, {**form, "X-Slack-Request-Timestamp": "1000000000",
                                    "X-Slack-Signature": wrong}, False),
        ("non-ASCII signature", small, {**form, "X-Slack-Request-Timestamp": now,
                                        "X-Slack-Signature": "v0=" + "é" * 64}, False),
        ("wrong version prefix", small, {**form, "X-Slack-Request-Timestamp": now,
                                         "X-Slack-Signature": "v1=" + "0" * 64}, False),
    ]


async def _chunks(body: bytes, size: int = 64 * 1024) -> Any:
    for i in range(0, len(body), size):
        yield body[i:i + size]


async def _flood(url: str, tally: Tally, until: float, worker: int,
                 session: aiohttp.ClientSession, bodies: dict[str, bytes],
                 only: str | None) -> None:
    i = worker
    while time.monotonic() < until:
        kinds = [k for k in _kinds(bodies) if not only or only in k[0]]  # fresh timestamps
        name, body, headers, chunked = kinds[i % len(kinds)]
        i += 1
        data: Any = _chunks(body) if chunked else body
        try:
            async with session.post(url, data=data, headers=headers) as resp:
                await resp.read()
                tally.statuses[resp.status] += 1
                tally.by_kind[name][resp.status] += 1
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            tally.errors[f"{name}: {type(exc).__name__}"] += 1
        tally.sent += 1
        tally.bytes_sent += len(body)


async def _real_requests(url: str, fake: FakeSlack, n: int) -> dict[str, Any]:
    """A signed slash command and a signed message event (the `n`th), sent among the flood."""
    alex = fake.users["alex"]
    dms_before = len(fake.dms_to(alex))
    key, payload = fake.slash_payload(alex, "general", "help")
    form = urllib.parse.urlencode(payload)
    msg = {"type": "message", "user": alex.id, "text": "robin you worthless idiot",
           "ts": fake.next_ts(), "channel": fake.channels["general"],
           "channel_type": "channel"}
    fake.messages[msg["channel"]].append(
        {k: v for k, v in msg.items() if k not in ("channel", "channel_type")})
    event = json.dumps(fake.event_payload(msg, f"Ev0SOAK{n:04d}"))
    out: dict[str, Any] = {}
    started = time.monotonic()
    async with aiohttp.ClientSession() as s:
        async with s.post(url, data=form.encode(), headers={
                **_signed(form), "Content-Type": "application/x-www-form-urlencoded"}) as r:
            out["command_status"] = r.status
        async with s.post(url, data=event.encode(), headers={
                **_signed(event), "Content-Type": "application/json"}) as r:
            out["event_status"] = r.status
    try:
        await fake.answer(key)
        out["command_answered_s"] = time.monotonic() - started
    except TimeoutError:
        out["command_answered_s"] = None
    try:
        await fake.wait_for(lambda: len(fake.dms_to(alex)) > dms_before, within=10.0)
        out["event_answered_s"] = time.monotonic() - started
    except TimeoutError:
        out["event_answered_s"] = None
    return out


async def _wait_listening(port: int, child: asyncio.subprocess.Process, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if child.returncode is not None:
            raise RuntimeError(f"the bot exited with {child.returncode} before listening")
        with contextlib.suppress(OSError):
            _r, w = await asyncio.open_connection("127.0.0.1", port)
            w.close()
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the bot did not start listening")


async def _soak(seconds: float, connections: int, only: str | None = None,
                keep: bool = False) -> dict[str, Any]:
    fake = await FakeSlack().start()
    fake.add_user("alex")
    fake.add_user("robin")
    tmp = Path(tempfile.mkdtemp(prefix="groupbot-soak-"))
    log_path = tmp / "bot.log"
    port = _free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "GROUPBOT_SLACK_API_BASE": fake.api_base, "GROUPBOT_LOG_LEVEL": "INFO"}
    for var in ("SLACK_APP_TOKEN", "GROUPBOT_CONFIG"):
        env.pop(var, None)
    log = log_path.open("wb")
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "groupbot", "--database", str(tmp / "g.db"), "run",
        "--platform", "slack", "--http", "--port", str(port),
        stdout=log, stderr=log, env=env, cwd=str(HERE.parent))
    url = f"http://127.0.0.1:{port}/slack/events"
    result: dict[str, Any] = {}
    try:
        await _wait_listening(port, child, 30.0)
        # warm up: one real command, so that start-up allocations are in the baseline
        await _real_requests(url, fake, 1)
        await asyncio.sleep(1.0)
        result["rss_before_mb"] = _rss_kb(child.pid) / 1024
        log.flush()
        log_before = log_path.stat().st_size
        peak = result["rss_before_mb"]
        tally = Tally()
        bodies = _bodies()
        until = time.monotonic() + seconds
        connector = aiohttp.TCPConnector(limit=connections, force_close=False)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            workers = [asyncio.ensure_future(_flood(url, tally, until, w, session, bodies, only))
                       for w in range(connections)]

            async def sample() -> None:
                nonlocal peak
                while time.monotonic() < until + 1:
                    peak = max(peak, _rss_kb(child.pid) / 1024)
                    await asyncio.sleep(0.25)

            sampler = asyncio.ensure_future(sample())
            await asyncio.sleep(seconds / 2)
            result.update(await _real_requests(url, fake, 2))
            await asyncio.gather(*workers)
            await sampler
        await asyncio.sleep(2.0)
        result["rss_peak_mb"] = peak
        result["rss_after_mb"] = _rss_kb(child.pid) / 1024
        log.flush()
        result["log_growth_bytes"] = log_path.stat().st_size - log_before
        result["log_has_member_text"] = MEMBER_TEXT.encode() in log_path.read_bytes()
        result["tally"] = tally
        result["seconds"] = seconds
        result["alive"] = child.returncode is None
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(child.wait(), 10)
            except TimeoutError:
                child.kill()
                await child.wait()
        log.close()
        await fake.stop()
        if keep:
            result["log_path"] = str(log_path)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def _row(metric: str, value: Any, unit: str, target: str | None = None,
         met: bool | None = None) -> dict[str, Any]:
    return {"benchmark": BENCH, "metric": metric, "value": value, "unit": unit, "peer": None,
            "peer_value": None, "ratio": None, "target": target, "met": met}


def rows_of(r: dict[str, Any], connections: int) -> list[dict[str, Any]]:
    t: Tally = r["tally"]
    growth = r["rss_peak_mb"] - r["rss_before_mb"]
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(t.statuses.items()))
    cmd, ev = r.get("command_answered_s"), r.get("event_answered_s")
    return [
        _row(f"requests from {connections} connections in {r['seconds']:g} s "
             f"({statuses})", t.sent, "requests"),
        _row("bytes the strangers sent", round(t.bytes_sent / 1e6), "MB"),
        _row("RSS before the flood", round(r["rss_before_mb"], 1), "MB"),
        _row("RSS growth at the peak of the flood", round(growth, 1), "MB",
             f"< {TARGET_RSS_MB:g}", growth < TARGET_RSS_MB),
        _row("RSS growth 2 s after the flood", round(r["rss_after_mb"] - r["rss_before_mb"], 1),
             "MB", f"< {TARGET_RSS_MB:g}", r["rss_after_mb"] - r["rss_before_mb"] < TARGET_RSS_MB),
        _row("log growth during the flood (INFO)", r["log_growth_bytes"], "bytes",
             f"< {TARGET_LOG_BYTES:,}", r["log_growth_bytes"] < TARGET_LOG_BYTES),
        _row("member text in the log", "yes" if r["log_has_member_text"] else "no", "",
             "no", not r["log_has_member_text"]),
        _row("replies other than 401/413/400 (or no reply)", t.unexpected, "requests", "0",
             t.unexpected == 0),
        _row("signed command during the flood: answered after", _r(cmd), "s",
             "answered", cmd is not None and r.get("command_status") == 200),
        _row("signed event during the flood: warning DM after", _r(ev), "s",
             "answered", ev is not None and r.get("event_status") == 200),
        _row("bot still running after the flood", "yes" if r["alive"] else "no", "", "yes",
             r["alive"]),
    ]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--only", help="flood with just the kinds of request whose name "
                        "contains this (e.g. '2MB', 'timestamp')")
    parser.add_argument("--verbose", action="store_true",
                        help="print replies by kind of request, and any errors")
    parser.add_argument("--keep", action="store_true",
                        help="keep the bot's log and database (and print where)")
    args = parser.parse_args([] if argv is None else argv)
    r = asyncio.run(_soak(args.seconds, args.connections, args.only, args.keep))
    if args.verbose:
        t: Tally = r["tally"]
        for kind, counts in sorted(t.by_kind.items()):
            print(f"  {kind}: {dict(counts)}", file=sys.stderr)
        for err, n in t.errors.most_common():
            print(f"  error {err}: {n}", file=sys.stderr)
    if "log_path" in r:
        print(f"  bot log: {r['log_path']}", file=sys.stderr)
    return rows_of(r, args.connections)


if __name__ == "__main__":
    from benchmarks.run_all import KEYS, _fmt

    rows = main(sys.argv[1:])
    table = [[_fmt(row.get(k)) for k in KEYS] for row in rows]
    widths = [max(len(k), *(len(row[i]) for row in table)) for i, k in enumerate(KEYS)]
    print("  ".join(k.ljust(w) for k, w in zip(KEYS, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    raise SystemExit(0 if all(row["met"] is not False for row in rows) else 1)
