"""Slack HTTP mode against strangers, through the real aiohttp server and the real slack-bolt
app on 127.0.0.1: bodies over the limit refused unread, every malformed signature header 401,
signed but malformed bodies 400, each event and each signed request run once, and no member's
words or request body in the log above DEBUG.

Requests go over a plain socket (`raw_post`) where the test must control the bytes: a
Content-Length that lies, a non-ASCII header, chunked or gzip bodies.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from groupbot.config import Config, Secret, load_config
from groupbot.core.errors import ConfigError
from groupbot.core.ports import FakeClock
from groupbot.logging_setup import WITHHELD
from groupbot.platforms.slack.http_mode import HttpGate
from groupbot.platforms.slack.runner import SlackSession, slack_session
from tests.fakes.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.platforms.slack.test_features import INSULT, slack_config, texts

MEMBER_WORDS = "my sister said I always put myself last"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    f.add_user("robin")
    yield f
    await f.stop()
    assert f.unknown_methods == [], f.unknown_methods


@asynccontextmanager
async def serving(config: Config, fake: FakeSlack, clock: FakeClock,
                  **slack: Any) -> AsyncIterator[tuple[SlackSession, HttpGate]]:
    cfg = slack_config(config, fake, fake.users["robin"])
    cfg.secrets = {"SLACK_BOT_TOKEN": Secret(BOT_TOKEN),
                   "SLACK_SIGNING_SECRET": Secret(SIGNING_SECRET)}
    cfg.slack = dataclasses.replace(cfg.slack, **slack)
    async with slack_session(cfg, http=True, port=0, host="127.0.0.1", clock=clock) as s:
        assert s.gate is not None
        yield s, s.gate


def sign(body: bytes, ts: str, secret: str = SIGNING_SECRET) -> str:
    mac = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return "v0=" + mac.hexdigest()


def signed(body: bytes, *, ts: int | None = None, content_type: str = FORM,
           secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sign(body, stamp, secret),
            "Content-Type": content_type}


@dataclasses.dataclass
class Answer:
    status: int
    body: bytes


async def raw_post(port: int, headers: dict[str, str], body: bytes = b"", *,
                   length: int | None = -1, chunked: bool = False,
                   within: float = 5.0) -> Answer:
    """POST exactly these bytes; `length=-1` sends the body's true Content-Length, None none."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if chunked:
            lines.append("Transfer-Encoding: chunked")
            size = 16 * 1024
            payload = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
                               for i in range(0, len(body), size)) + b"0\r\n\r\n"
        else:
            if length is not None:
                lines.append(f"Content-Length: {len(body) if length == -1 else length}")
            payload = body
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + payload)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), within)
        status = int(head.split(b" ", 2)[1])
        found = [h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")]
        n = int(found[0].split(b":", 1)[1]) if found else 0
        return Answer(status, await asyncio.wait_for(reader.readexactly(n), within))
    finally:
        writer.close()


def slash_body(fake: FakeSlack, text: str) -> tuple[str, bytes]:
    key, payload = fake.slash_payload(fake.users["alex"], "general", text)
    return key, urllib.parse.urlencode(payload).encode()


def event_body(fake: FakeSlack, text: str, event_id: str, pad: int = 0) -> bytes:
    alex = fake.users["alex"]
    msg = {"type": "message", "user": alex.id, "text": text, "ts": fake.next_ts(),
           "channel": fake.channels["general"], "channel_type": "channel"}
    fake.messages[msg["channel"]].append({k: v for k, v in msg.items()
                                          if k not in ("channel", "channel_type")})
    payload = fake.event_payload(msg, event_id)
    if pad:
        payload["padding"] = "x" * pad
    return json.dumps(payload).encode()


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records
            if r.levelno >= logging.ERROR or r.exc_info]


# -- size ---------------------------------------------------------------------------------------
async def test_a_body_over_the_limit_is_refused_from_its_length_before_it_is_read(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with serving(config, fake, clock) as (session, gate):
        start = b"token=x&text=" + MEMBER_WORDS.encode()
        ts = str(int(time.time()))
        # 10 GB announced, a few bytes sent: the answer can only come if nothing waits for
        # the rest
        huge = await raw_post(session.port or 0, {
            "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(start, ts),
            "Content-Type": FORM}, start, length=10 * 1024 ** 3)
        just_over = await raw_post(session.port or 0, {
            "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(start, ts),
            "Content-Type": FORM}, start, length=gate.max_body + 1)
    assert huge.status == 413 and just_over.status == 413
    assert gate.max_body == 1024 * 1024  # the default
    assert gate.refused == {"413 body over the limit": 2} and gate.dispatched == 0


async def test_a_body_without_a_length_is_read_only_up_to_the_limit(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with serving(config, fake, clock, max_body_bytes=64 * 1024) as (session, gate):
        port = session.port or 0
        big = b"text=" + b"x" * (200 * 1024)
        chunked = await raw_post(port, signed(big), big, chunked=True)
        bomb = gzip.compress(b"a" * (8 * 1024 * 1024))  # 8 MB that travels as a few KB
        gzipped = await raw_post(port, {**signed(bomb), "Content-Encoding": "gzip"}, bomb)
        assert len(bomb) < gate.max_body
        # a signed event just under the limit is still answered, and runs
        fits = event_body(fake, INSULT, "Ev0FITS0001", pad=60 * 1024)
        assert len(fits) < gate.max_body
        ok = await raw_post(port, signed(fits, content_type="application/json"), fits)
        await fake.wait_for(lambda: fake.dms_to(fake.users["alex"]))
        over = event_body(fake, INSULT, "Ev0OVER0001", pad=70 * 1024)
        signed_but_big = await raw_post(port, signed(over, content_type="application/json"),
                                        over)
    assert (chunked.status, gzipped.status, ok.status, signed_but_big.status) == \
        (413, 413, 200, 413)
    assert gate.refused == {"413 body over the limit": 3} and gate.dispatched == 1


# -- signature headers ----------------------------------------------------------------------------
async def test_every_malformed_signature_header_is_401_and_runs_nothing(
        config: Config, fake: FakeSlack, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with serving(config, fake, clock) as (session, gate):
        port = session.port or 0
        now = int(time.time())
        answers: dict[str, int] = {}
        keys: list[str] = []

        async def send(name: str, make: Any) -> None:
            key, body = slash_body(fake, "help")
            keys.append(key)
            answers[name] = (await raw_post(port, {"Content-Type": FORM, **make(body)},
                                            body)).status

        good = sign  # the right signature for (body, ts)
        await send("no headers", lambda b: {})
        await send("timestamp only", lambda b: {"X-Slack-Request-Timestamp": str(now)})
        await send("signature only", lambda b: {"X-Slack-Signature": good(b, str(now))})
        for name, ts in [("letters", "abcdef"), ("400 digits", "9" * 400), ("negative", "-5"),
                         ("a fraction", f"{now}.5"), ("empty", ""),
                         ("Arabic-Indic digits", "١٧٠٠٠٠٠٠٠٠"),
                         ("stale by 301 s (clock skew)", str(now - 301)),
                         ("ahead by 301 s", str(now + 301))]:
            await send(f"timestamp {name}", lambda b, ts=ts: {
                "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": good(b, ts)})
        for name, make_sig in [
                ("non-ASCII", lambda b: "v0=" + "é" * 64),
                ("version v1", lambda b: "v1=" + good(b, str(now))[3:]),
                ("no version", lambda b: good(b, str(now))[3:]),
                ("upper-case hex", lambda b: "v0=" + good(b, str(now))[3:].upper()),
                ("too short", lambda b: good(b, str(now))[:-1]),
                ("too long", lambda b: good(b, str(now)) + "0"),
                ("another secret", lambda b: sign(b, str(now), "not-the-secret")),
                ("another body", lambda b: sign(b + b"&x=1", str(now)))]:
            await send(f"signature {name}", lambda b, f=make_sig: {
                "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": f(b)})
        refused_dispatched = gate.dispatched
        key, body = slash_body(fake, "help")
        valid = await raw_post(port, signed(body), body)
        helped = await fake.answer(key)
    assert answers == {name: 401 for name in answers} and len(answers) == 19
    assert refused_dispatched == 0 and gate.dispatched == 1
    assert valid.status == 200 and "/excerpt" in texts(helped)
    assert all(fake.responses[k] == [] for k in keys)  # none of the refused ever ran
    assert no_tracebacks(caplog) == []


# -- bodies ---------------------------------------------------------------------------------------
async def test_a_signed_but_malformed_body_is_400_without_a_traceback(
        config: Config, fake: FakeSlack, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    js = "application/json"
    bodies: dict[str, tuple[bytes, str]] = {
        "not UTF-8": (b"text=\xff\xfe&command=%2Fgroupbot", FORM),
        "not UTF-8 JSON": (b'{"type": "event_callback", "x": "\xc3"}', js),
        "not JSON": (b'{"type": "event_callback", ', js),
        "a JSON list": (b"[1, 2, 3]", js),
        "JSON nested 100,000 deep": (b"[" * 100_000, js),
        "an object nested 100,000 deep": (b'{"a":' * 100_000, js),
        "empty JSON": (b"", js),
        "not form-encoded": (b"just some words", FORM),
        "an empty form": (b"", FORM),
        "percent-escapes that are not UTF-8": (b"command=%2Fgroupbot&text=%FF%FE", FORM),
        "a button payload that is not JSON": (b"payload=%7Bnot+json", FORM),
        "a button payload that is a list": (b"payload=%5B1%5D", FORM),
        "an event bolt cannot read": (json.dumps({
            "type": "event_callback", "event_id": "Ev0BAD00001", "team_id": "T0FAKE0001",
            "authorizations": "not a list", "event": {"type": "message"}}).encode(), js),
    }
    caplog.set_level(logging.DEBUG)
    async with serving(config, fake, clock) as (session, gate):
        answers = {name: (await raw_post(session.port or 0, signed(body, content_type=ct),
                                         body)).status
                   for name, (body, ct) in bodies.items()}
    assert answers == {name: 400 for name in bodies}
    assert gate.dispatched == 0
    assert no_tracebacks(caplog) == []


# -- once -----------------------------------------------------------------------------------------
async def test_an_event_runs_once_across_slack_retries_and_a_replay(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with serving(config, fake, clock) as (session, gate):
        port = session.port or 0
        body = event_body(fake, INSULT, "Ev0ONCE0001")
        now = int(time.time())
        first = signed(body, ts=now, content_type="application/json")
        statuses = [(await raw_post(port, first, body)).status,
                    (await raw_post(port, first, body)).status]  # the same bytes again
        for n in (1, 2):  # Slack's retries: signed anew, with the retry headers
            statuses.append((await raw_post(port, {
                **signed(body, ts=now + n, content_type="application/json"),
                "X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"},
                body)).status)
        await fake.wait_for(lambda: fake.dms_to(alex))
        # another event after them all: once it is handled, the retries would have been too
        other = event_body(fake, INSULT + " again", "Ev0ONCE0002")
        statuses.append((await raw_post(port, signed(other, content_type="application/json"),
                                        other)).status)
        await fake.wait_for(lambda: len(fake.dms_to(alex)) >= 2)
        rows = await session.bot.services.store.db.fetchall(
            "SELECT message_id FROM mod_cases ORDER BY number")
    assert statuses == [200] * 5
    assert len(rows) == 2 and rows[0][0] != rows[1][0]  # one case per event, not four
    assert gate.replays == 1 and gate.duplicate_events == 2 and gate.retries == 2
    assert gate.dispatched == 2


async def test_a_replayed_slash_command_runs_once(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with serving(config, fake, clock) as (session, gate):
        port = session.port or 0
        key, body = slash_body(fake, "help")
        headers = signed(body)
        first = await raw_post(port, headers, body)
        await fake.answer(key)
        again = await raw_post(port, headers, body)  # a captured request, sent again
        later_key, later = slash_body(fake, "resources")
        await raw_post(port, signed(later), later)
        await fake.answer(later_key)
    assert first.status == again.status == 200
    assert len(fake.responses[key]) == 1
    assert gate.replays == 1 and gate.dispatched == 2


async def test_a_command_whose_words_say_payload_is_answered(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    """Bolt alone reads any form holding the word "payload" as a button's, finds no button,
    and the command goes unanswered (404 to Slack)."""
    async with serving(config, fake, clock) as (session, _gate):
        key, body = slash_body(fake, "help payload")
        answer = await raw_post(session.port or 0, signed(body), body)
        replies = await fake.answer(key)
    assert answer.status == 200 and replies


# -- the log --------------------------------------------------------------------------------------
async def test_refused_requests_never_put_member_words_or_bodies_in_the_log(
        config: Config, fake: FakeSlack, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    words = urllib.parse.quote_plus(MEMBER_WORDS)
    async with serving(config, fake, clock) as (session, gate):
        port = session.port or 0
        _key, body = slash_body(fake, MEMBER_WORDS)
        assert words.encode() in body
        now = int(time.time())
        event = event_body(fake, MEMBER_WORDS, "Ev0LOGS0001")
        statuses = [
            # a stranger's guess at the signature
            (await raw_post(port, signed(body, secret="not-the-secret"), body)).status,
            # a genuine request from Slack, refused for clock skew
            (await raw_post(port, signed(body, ts=now - 400), body)).status,
            (await raw_post(port, signed(event, ts=now + 400,
                                         content_type="application/json"), event)).status,
            # 300 KB with the words in it, unsigned
            (await raw_post(port, {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(now),
                                   "X-Slack-Signature": "v0=" + "0" * 64},
                            body + b"&pad=" + b"x" * 300_000)).status,
            (await raw_post(port, {"Content-Type": FORM}, body, length=5 * 1024 ** 2)).status,
        ]
    logged = "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records
                       if r.levelno > logging.DEBUG)
    assert statuses == [401, 401, 401, 401, 413]
    assert MEMBER_WORDS not in logged and words not in logged
    assert "token=legacy" not in logged and "event_callback" not in logged
    assert "refused requests to the Slack endpoint" in logged  # the log was being captured
    assert sum(gate.refused.values()) == 5


async def test_bolt_logging_a_refused_body_at_info_has_it_withheld(
        config: Config, fake: FakeSlack, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    """If slack_bolt's loggers are ever set to INFO again, its line quoting a refused body
    keeps the signature and timestamp and loses the body. To make bolt refuse a request the
    gate let through, the gate's clock runs 400 s slow here: bolt finds the timestamp stale."""
    verification = logging.getLogger("slack_bolt.RequestVerification")
    caplog.set_level(logging.INFO)
    try:
        async with serving(config, fake, clock) as (session, gate):
            verification.setLevel(logging.INFO)  # what an operator or a library might do
            gate.clock = lambda: time.time() - 400
            _key, body = slash_body(fake, MEMBER_WORDS)
            answer = await raw_post(session.port or 0, signed(body, ts=int(time.time()) - 400),
                                    body)
    finally:
        verification.setLevel(logging.NOTSET)
    from_bolt = [r for r in caplog.records if r.name == "slack_bolt.RequestVerification"]
    assert answer.status == 401 and gate.dispatched == 1
    assert len(from_bolt) == 1 and from_bolt[0].levelno == logging.INFO
    line = from_bolt[0].getMessage()
    assert line.startswith("Invalid request signature detected") and line.endswith(WITHHELD)
    assert "token=legacy" not in line and "sister" not in line


# -- configuration -------------------------------------------------------------------------------
def test_the_body_limit_is_a_checked_setting(tmp_path: Any) -> None:
    path = tmp_path / "groupbot.toml"
    path.write_text("[slack]\nmax_body_bytes = 262144\n")
    assert load_config(path, env={}).slack.max_body_bytes == 256 * 1024
    assert load_config(None, env={}).slack.max_body_bytes == 1024 * 1024
    for bad in ("100", "-1", '"big"', "true", str(10 ** 9)):
        path.write_text(f"[slack]\nmax_body_bytes = {bad}\n")
        with pytest.raises(ConfigError, match="slack.max_body_bytes"):
            load_config(path, env={})
