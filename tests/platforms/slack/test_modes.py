"""Slack's HTTP mode (signed requests), Socket Mode refreshes, 429s, and start-up failures."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from groupbot.cli import main
from groupbot.config import Config, Secret
from groupbot.core.errors import GroupbotError, Unsupported
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Group, Member, Reply
from groupbot.platforms.slack.chat import RateLimitRetry, SlackChat, make_client
from groupbot.platforms.slack.runner import SlackSession, run_slack, slack_session
from groupbot.scheduling.limiter import RetryLater, temporary_delay
from tests.fakes.slack_fake import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    post_signed,
)
from tests.platforms.slack.test_features import INSULT, running, slack_config, texts


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    f.add_user("robin")
    yield f
    await f.stop()
    assert f.unknown_methods == [], f.unknown_methods


@asynccontextmanager
async def http_mode(config: Config, fake: FakeSlack,
                    clock: FakeClock) -> AsyncIterator[tuple[SlackSession, str]]:
    cfg = slack_config(config, fake, fake.users["robin"])
    cfg.secrets = {"SLACK_BOT_TOKEN": Secret(BOT_TOKEN),
                   "SLACK_SIGNING_SECRET": Secret(SIGNING_SECRET)}
    async with slack_session(cfg, http=True, port=0, host="127.0.0.1", clock=clock) as s:
        yield s, f"http://127.0.0.1:{s.port}/slack/events"


# -- HTTP mode --------------------------------------------------------------------------------
async def test_http_mode_answers_signed_requests_and_refuses_bad_signatures(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with http_mode(config, fake, clock) as (session, url):
        assert session.socket is None and fake.connections == 0
        key, payload = fake.slash_payload(alex, "general", "help")
        body = urllib.parse.urlencode(payload)
        status, _ = await post_signed(url, body)
        helped = await fake.answer(key)
        wrong, _ = await post_signed(url, body, secret="not-the-secret")
        tampered_key, tampered = fake.slash_payload(alex, "general", "resources")
        signed_for = urllib.parse.urlencode(tampered)
        stale, _ = await post_signed(url, signed_for, timestamp=int(time.time()) - 301)
        challenge_status, challenge = await post_signed(
            url, json.dumps({"type": "url_verification", "challenge": "c-123",
                             "token": "legacy"}), form=False)
    assert status == 200 and "/excerpt" in texts(helped)
    assert wrong == 401 and stale == 401
    assert fake.responses[tampered_key] == []  # refused requests never ran
    assert challenge_status == 200 and "c-123" in challenge


async def test_http_mode_events_are_deduplicated_across_slack_retries(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with http_mode(config, fake, clock) as (session, url):
        msg = {"type": "message", "user": alex.id, "text": INSULT, "ts": fake.next_ts(),
               "channel": fake.channels["general"], "channel_type": "channel"}
        body = json.dumps(fake.event_payload(msg, "Ev0HTTP0001"))
        first, _ = await post_signed(url, body, form=False)
        # Slack's retry of the same event: signed again, a second later
        second, _ = await post_signed(url, body, form=False, timestamp=int(time.time()) + 1)
        await fake.wait_for(lambda: fake.dms_to(alex))
        await fake.wait_for(lambda: fake.dms_to(fake.users["robin"]))  # no mod-log: a DM
        rows = await session.bot.services.store.db.fetchall("SELECT COUNT(*) FROM mod_cases")
        assert session.gate is not None
        gate = session.gate
    assert first == second == 200
    assert rows[0][0] == 1
    assert gate.duplicate_events == 1 and gate.dispatched == 1  # the retry never reached bolt


# -- Socket Mode ------------------------------------------------------------------------------
async def test_socket_mode_reconnects_on_a_refresh_request(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    alex = fake.users["alex"]
    async with running(config, fake, clock):
        await fake.refresh()
        await fake.wait_for(lambda: fake.connections == 2)
        helped = await fake.answer(await fake.slash(alex, "general", "help"))
    assert len(fake.called("apps.connections.open")) == 2
    assert "/excerpt" in texts(helped)


# -- rate limits -------------------------------------------------------------------------------
async def test_a_short_429_is_retried_after_retry_after(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)

    retry = RateLimitRetry(sleep=record)
    async with running(config, fake, clock, retry=retry) as session:
        fake.fail("chat.postMessage", 429, retry_after=2)
        group = session.adapter.group(fake.team_id)
        posted = await session.chat.post(group, Channel(fake.channels["general"], "general",
                                                        group.id), Reply.public("hello all"))
    attempts = fake.called("chat.postMessage")
    assert [c.status for c in attempts[:2]] == [429, 200]
    assert waited == [2.0] and retry.waited == [2.0]
    assert [m["ts"] for m in fake.posts_in("general")] == [posted.id]


async def test_a_long_429_becomes_retry_later_for_the_scheduler(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    async with running(config, fake, clock) as session:
        fake.fail("chat.postMessage", 429, retry_after=120)
        group = session.adapter.group(fake.team_id)
        with pytest.raises(RetryLater) as caught:
            await session.chat.post(group, Channel(fake.channels["general"], "general",
                                                   group.id), Reply.public("hello all"))
    assert caught.value.retry_after == 120.0
    assert temporary_delay(caught.value) == (120.0, False)
    assert fake.posts_in("general") == []


# -- what Slack cannot do -----------------------------------------------------------------------
async def test_delete_and_timeout_are_unsupported_and_say_so(fake: FakeSlack,
                                                             config: Config) -> None:
    chat = SlackChat(make_client(BOT_TOKEN, fake.api_base), config)
    group = Group("slack:T1", "t", "slack")
    with pytest.raises(Unsupported, match="delete"):
        await chat.delete_message(group, Channel("C1", "general", group.id), "1.2")
    with pytest.raises(Unsupported, match="time out"):
        await chat.timeout_member(group, Member("U1", "alex"), clock_now(), "x")
    with pytest.raises(Unsupported, match="no timeout of mine to lift"):
        await chat.remove_timeout(group, Member("U1", "alex"), "x")
    with pytest.raises(Unsupported, match="time out"):
        await chat.timed_out_until(group, Member("U1", "alex"))
    assert not chat.capabilities.delete_member_messages
    assert not chat.capabilities.timeout_members and not chat.capabilities.idempotent_posts
    assert fake.calls == []  # refused before any request


def clock_now() -> datetime:
    return datetime(2026, 3, 2, tzinfo=UTC)


async def test_a_refused_post_says_why(fake: FakeSlack, config: Config) -> None:
    chat = SlackChat(make_client(BOT_TOKEN, fake.api_base), config)
    group = Group("slack:T1", "t", "slack")
    with pytest.raises(GroupbotError, match="can't see that channel"):
        await chat.post(group, Channel("C0MISSING1", "gone", group.id), Reply.public("hi"))


# -- start-up -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("env", "http", "named"), [
    ({}, False, "SLACK_BOT_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN}, False, "SLACK_APP_TOKEN"),
    ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}, True, "SLACK_SIGNING_SECRET"),
])
async def test_a_missing_token_is_named_and_exits_2(
        config: Config, capsys: pytest.CaptureFixture[str], env: dict[str, str], http: bool,
        named: str) -> None:
    cfg = dataclasses.replace(config, secrets={k: Secret(v) for k, v in env.items()})
    code = await run_slack(cfg, argparse.Namespace(http=http, port=0))
    err = capsys.readouterr().err
    assert code == 2 and named in err
    assert BOT_TOKEN not in err and APP_TOKEN not in err


async def test_a_rejected_bot_token_exits_2(
        config: Config, fake: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = slack_config(config, fake)
    cfg.secrets = {"SLACK_BOT_TOKEN": Secret("xoxb-wrong"), "SLACK_APP_TOKEN": Secret(APP_TOKEN)}
    code = await run_slack(cfg, argparse.Namespace(http=False, port=0))
    err = capsys.readouterr().err
    assert code == 2 and "did not accept SLACK_BOT_TOKEN" in err and "xoxb-wrong" not in err


async def test_run_slack_serves_until_stopped(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_slack(slack_config(config, fake),
                                           argparse.Namespace(http=False, port=0),
                                           clock=clock, stop=stop))
    await fake.wait_for(fake.live_socket)
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0


def test_groupbot_run_platform_slack_without_tokens(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)
    code = main(["--database", str(tmp_path / "g.db"), "run", "--platform", "slack"])
    assert code == 2 and "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
