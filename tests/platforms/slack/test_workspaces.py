"""Slack installed in many workspaces: Bolt's OAuth flow against the fake Slack, the
installations sealed in the database, a token per workspace, and the token key's errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sqlite3
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import yaml
from cryptography.fernet import Fernet

from groupbot.config import Config, Secret
from groupbot.core.errors import ConfigError, GroupbotError
from groupbot.core.ports import FakeClock
from groupbot.core.types import Channel, Group, Reply
from groupbot.platforms.slack.oauth import DEFAULT_SCOPES
from groupbot.platforms.slack.runner import SlackSession, slack_session
from groupbot.storage.sealed import TokenKeyError
from tests.fakes.slack_fake import (
    BOT_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    SIGNING_SECRET,
    FakeSlack,
    post_signed,
)
from tests.platforms.slack.test_features import slack_config, texts

ROOT = Path(__file__).resolve().parents[3]
KEY = Fernet.generate_key().decode()
COOKIE = "slack-app-oauth-state"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = await FakeSlack().start()
    f.add_user("alex")
    yield f
    await f.stop()
    assert f.unknown_methods == [], f.unknown_methods


def oauth_config(config: Config, fake: FakeSlack, key: str | None = KEY) -> Config:
    cfg = dataclasses.replace(config)
    cfg.secrets = {"SLACK_SIGNING_SECRET": Secret(SIGNING_SECRET),
                   "SLACK_CLIENT_SECRET": Secret(CLIENT_SECRET)}
    if key is not None:
        cfg.secrets["GROUPBOT_TOKEN_KEY"] = Secret(key)
    cfg.slack = dataclasses.replace(cfg.slack, api_base=fake.api_base, client_id=CLIENT_ID)
    return cfg


@asynccontextmanager
async def serving(cfg: Config, clock: FakeClock) -> AsyncIterator[tuple[SlackSession, str]]:
    async with slack_session(cfg, http=True, port=0, host="127.0.0.1", clock=clock) as s:
        yield s, f"http://127.0.0.1:{s.port}"


async def start_install(base: str) -> tuple[str, str]:
    """GET /slack/install: Slack's consent page address, and the state it carries."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http, \
            http.get(base + "/slack/install", allow_redirects=False) as r:
        assert r.status == 302
        assert f"{COOKIE}=" in r.headers["Set-Cookie"]
        location = r.headers["Location"]
    state = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)["state"][0]
    return location, state


async def come_back(base: str, code: str, state: str, cookie: str | None = None
                    ) -> tuple[int, str]:
    """Slack sending the installer back to /slack/oauth_redirect with a code and the state."""
    headers = {"Cookie": f"{COOKIE}={cookie if cookie is not None else state}"}
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http, \
            http.get(base + "/slack/oauth_redirect", params={"code": code, "state": state},
                     headers=headers, allow_redirects=False) as r:
        return r.status, await r.text()


async def install(base: str, code: str) -> int:
    _url, state = await start_install(base)
    status, _ = await come_back(base, code, state)
    return status


def raw_bytes(db_path: str) -> bytes:
    return b"".join(Path(db_path + suffix).read_bytes() for suffix in ("", "-wal")
                    if Path(db_path + suffix).exists())


async def test_install_redirects_to_slack_and_the_callback_stores_a_sealed_installation(
        config: Config, fake: FakeSlack, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code = fake.add_workspace("T0AAAA0001", "monday-circle")
    token = fake.codes[code]
    cfg = oauth_config(config, fake)
    async with serving(cfg, clock) as (session, base):
        location, state = await start_install(base)
        status, page = await come_back(base, code, state)
        found = await session.installs.bot_token("T0AAAA0001")
        rows = await session.bot.services.store.db.fetchall(
            "SELECT team_id, sealed FROM slack_installations")
        states = await session.bot.services.store.db.fetchall(
            "SELECT state_hash, used_at FROM slack_oauth_states")
        group = await session.bot.services.store.groups.group("slack:T0AAAA0001")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    assert location.startswith("https://slack.com/oauth/v2/authorize?")
    assert query["client_id"] == [CLIENT_ID]
    assert set(query["scope"][0].split(",")) == set(DEFAULT_SCOPES)
    assert status == 200 and "error" not in page.lower()
    assert found is not None and found[0] == token
    assert [r[0] for r in rows] == ["T0AAAA0001"]
    assert group is not None and group.name == "monday-circle"  # the workspace is a group
    assert token not in rows[0][1] and "xoxb-" not in rows[0][1]
    assert token.encode() not in raw_bytes(cfg.database)  # nowhere in the file, nor its WAL
    assert b"xoxb-" not in raw_bytes(cfg.database)
    assert [(len(h), h != state, used is not None) for h, used in states] == [(64, True, True)]
    assert "slack app installed" in caplog.text
    assert token not in caplog.text and KEY not in caplog.text  # never logged


async def test_two_workspaces_each_get_their_own_token(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    code_a = fake.add_workspace("T0AAAA0001", "monday-circle")
    code_b = fake.add_workspace("T0BBBB0002", "friday-circle")
    token_a, token_b = fake.codes[code_a], fake.codes[code_b]
    general = fake.channels["general"]
    async with serving(oauth_config(config, fake), clock) as (session, base):
        assert await install(base, code_a) == 200
        assert await install(base, code_b) == 200
        start = len(fake.calls)
        for team in ("T0AAAA0001", "T0BBBB0002"):  # as a scheduled post does: by group
            await session.chat.post(Group(f"slack:{team}", team, "slack"),
                                    Channel(general, "general", f"slack:{team}"),
                                    Reply.public(f"hello {team}"))
        posts = {c.args["text"]: fake.token_of(c) for c in fake.calls[start:]
                 if c.method == "chat.postMessage"}
        # a slash command from workspace B: every call made for it carries B's token
        start = len(fake.calls)
        key, payload = fake.slash_payload(fake.users["alex"], "general", "help")
        payload["team_id"] = "T0BBBB0002"
        status, _ = await post_signed(f"{base}/slack/events", urllib.parse.urlencode(payload))
        answered = await fake.answer(key)
        key, payload = fake.slash_payload(fake.users["alex"], "general", "help")
        payload["team_id"] = "T0BBBB0002"
        await post_signed(f"{base}/slack/events", urllib.parse.urlencode(payload))
        await fake.answer(key)
        used = {fake.token_of(c) for c in fake.calls[start:]}
        checks = [c for c in fake.calls[start:] if c.method == "auth.test"]
    assert posts == {"hello T0AAAA0001": token_a, "hello T0BBBB0002": token_b}
    assert status == 200 and "/excerpt" in texts(answered)
    assert used == {token_b}
    assert len(checks) == 1  # bolt's check of B's token, once for both commands


async def test_a_forged_expired_reused_or_other_browsers_state_is_refused(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    codes = [fake.add_workspace(f"T0CCCC000{i}", f"circle-{i}") for i in range(5)]
    async with serving(oauth_config(config, fake), clock) as (session, base):
        forged, _ = await come_back(base, codes[0], "made-up-state")
        _url, state = await start_install(base)
        other_browser, _ = await come_back(base, codes[0], state, cookie="someone-elses")
        first, _ = await come_back(base, codes[1], state)
        reused, _ = await come_back(base, codes[2], state)
        _url, late = await start_install(base)
        await clock.advance(timedelta(minutes=11))
        expired, _ = await come_back(base, codes[3], late)
        teams = await session.bot.services.store.slack_installs.teams()
    assert first == 200
    assert forged == 401 and reused == 401 and expired == 401
    assert other_browser == 400
    assert teams == ["T0CCCC0001"]  # only the one good install
    assert codes[0] in fake.codes and codes[2] in fake.codes and codes[3] in fake.codes


async def test_a_missing_malformed_or_wrong_token_key_is_refused_naming_the_variable(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY is not set"):
        async with serving(oauth_config(config, fake, key=None), clock):
            pass
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY is not a Fernet key"):
        async with serving(oauth_config(config, fake, key="not-a-key"), clock):
            pass
    code = fake.add_workspace("T0AAAA0001", "monday-circle")
    async with serving(oauth_config(config, fake), clock) as (_session, base):
        assert await install(base, code) == 200
    other = Fernet.generate_key().decode()
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY cannot open") as wrong:
        async with serving(oauth_config(config, fake, key=other), clock):
            pass
    assert "install the Slack app again" in str(wrong.value)
    assert KEY not in str(wrong.value) and other not in str(wrong.value)
    # the old key after a comma (rotation) still opens them
    async with serving(oauth_config(config, fake, key=f"{other},{KEY}"), clock) as (s, _b):
        assert (await s.installs.bot_token("T0AAAA0001")) is not None


async def test_many_workspaces_need_http_mode_and_the_client_secret(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    cfg = oauth_config(config, fake)
    with pytest.raises(ConfigError, match="--http"):
        async with slack_session(cfg, http=False, clock=clock):
            pass
    del cfg.secrets["SLACK_CLIENT_SECRET"]
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET is not set"):
        async with serving(cfg, clock):
            pass


async def test_single_token_mode_is_unchanged(config: Config, fake: FakeSlack,
                                              clock: FakeClock) -> None:
    cfg = slack_config(config, fake)
    cfg.secrets["SLACK_SIGNING_SECRET"] = Secret(SIGNING_SECRET)
    async with serving(cfg, clock) as (session, base):
        async with aiohttp.ClientSession() as http, \
                http.get(base + "/slack/install", allow_redirects=False) as r:
            no_install_page = r.status
        await session.chat.post(Group("slack:T0FAKE0001", "t", "slack"),
                                Channel(fake.channels["general"], "general", "slack:T0FAKE0001"),
                                Reply.public("one workspace"))
        installs = await session.bot.services.store.slack_installs.teams()
    assert session.installs is None and session.team_id == fake.team_id
    assert no_install_page == 404
    assert installs == []
    posted = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert [fake.token_of(c) for c in posted] == [BOT_TOKEN]


def test_the_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load((ROOT / "slack_manifest.yaml").read_text(encoding="utf-8"))
    assert set(DEFAULT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


def test_the_installation_tables_are_plain_portable_sql() -> None:
    sql = (ROOT / "groupbot/storage/migrations/0014_slack_installations.sql").read_text()
    assert not any(word in sql.upper() for word in ("AUTOINCREMENT", "WITHOUT ROWID",
                                                    "PRAGMA", "STRICT"))
    sqlite3.connect(":memory:").executescript(sql)  # it runs


async def test_uninstalling_the_app_forgets_that_workspaces_installation(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    code_a = fake.add_workspace("T0AAAA0001", "monday-circle")
    code_b = fake.add_workspace("T0BBBB0002", "friday-circle")
    async with serving(oauth_config(config, fake), clock) as (session, base):
        assert await install(base, code_a) == 200
        assert await install(base, code_b) == 200
        payload = fake.event_payload({"type": "app_uninstalled"}, "Ev0UNINSTALL",
                                     team_id="T0AAAA0001")
        status, _ = await post_signed(f"{base}/slack/events", json.dumps(payload), form=False)
        repo = session.bot.services.store.slack_installs
        for _ in range(500):  # bolt runs event listeners after its answer
            if len(teams := await repo.teams()) < 2:
                break
            await asyncio.sleep(0.01)
        with pytest.raises(GroupbotError, match="not installed"):
            await session.chat.post(Group("slack:T0AAAA0001", "a", "slack"),
                                    Channel(fake.channels["general"], "general", "x"),
                                    Reply.public("after the uninstall"))
    assert status == 200
    assert teams == ["T0BBBB0002"]


async def test_the_stores_find_delete_and_consume_as_bolt_expects(tmp_path: Path) -> None:
    from slack_sdk.oauth.installation_store import Installation

    from groupbot.platforms.slack.oauth import DatabaseInstallationStore, DatabaseStateStore
    from groupbot.storage.database import Database
    from groupbot.storage.sealed import Sealer
    from groupbot.storage.store import Store

    now = [datetime(2026, 3, 2, 8, 0, tzinfo=UTC)]
    async with Database(tmp_path / "g.db") as db:
        repo = Store(db).slack_installs
        installs = DatabaseInstallationStore(repo, Sealer(KEY), CLIENT_ID)
        await installs.async_save(Installation(user_id="U1", team_id="T1", team_name="one",
                                               bot_token="xoxb-1", bot_id="B1"))
        latest = await installs.async_find_installation(enterprise_id=None, team_id="T1")
        by_other_user = await installs.async_find_installation(
            enterprise_id=None, team_id="T1", user_id="U2")
        bot = await installs.async_find_bot(enterprise_id=None, team_id="T1")
        nowhere = await installs.bot_token("T9")
        exported = await repo.export_member("slack:T1", "U1")
        not_theirs = await repo.export_member("slack:T1", "U2")
        await installs.async_delete_all(enterprise_id=None, team_id="T1")
        gone = await installs.bot_token("T1")
        states = DatabaseStateStore(repo, now=lambda: now[0])
        state = await states.async_issue()
        first, again = await states.async_consume(state), await states.async_consume(state)
        forged = await states.async_consume(state[:-1] + ("A" if state[-1] != "A" else "B"))
        late = await states.async_issue()
        now[0] += timedelta(seconds=601)
        expired = await states.async_consume(late)
    assert latest is not None and latest.bot_token == "xoxb-1" and latest.bot_scopes == []
    assert by_other_user is None
    assert bot is not None and (bot.bot_token, bot.bot_id) == ("xoxb-1", "B1")
    assert nowhere is None and gone is None
    assert exported == {"installed_the_app": [exported["installed_the_app"][0]]}
    assert not_theirs == {}
    assert (first, again, forged, expired) == (True, False, False, False)


async def test_two_processes_on_one_database_share_installs_and_states(
        config: Config, fake: FakeSlack, clock: FakeClock) -> None:
    code = fake.add_workspace("T0AAAA0001", "monday-circle")
    token = fake.codes[code]
    cfg = oauth_config(config, fake)
    async with serving(cfg, clock) as (first, base1), serving(cfg, clock) as (second, base2):
        _url, state = await start_install(base1)  # the installer's browser reaches one host
        status, _ = await come_back(base2, code, state)  # and comes back to the other
        replay, _ = await come_back(base1, code, state)
        start = len(fake.calls)
        await first.chat.post(Group("slack:T0AAAA0001", "a", "slack"),
                              Channel(fake.channels["general"], "general", "x"),
                              Reply.public("from the first process"))
    assert status == 200 and replay == 401
    assert first.installs.saved == 0 and second.installs.saved == 1
    assert [fake.token_of(c) for c in fake.calls[start:]] == [token]
