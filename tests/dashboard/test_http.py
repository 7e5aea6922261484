"""The moderators' dashboard over HTTP: served by a running console bot (the real features,
engine and SQLite file, a fake clock for time), read and driven with an HTTP client."""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from groupbot.cli.cases import write_case_log
from groupbot.config import Config
from groupbot.core.ports import FakeClock
from groupbot.core.types import Group, Interaction, Member
from groupbot.dashboard.app import CSP, serve
from groupbot.dashboard.auth import csrf_token
from groupbot.dashboard.context import signin_cookie_name
from groupbot.dashboard.standalone import PLATFORM_CAPABILITIES, DetachedChat
from groupbot.features.dashboard import DashboardFeature
from groupbot.features.moderation import ModerationFeature
from groupbot.platforms.console import ConsoleChat
from groupbot.runtime import open_bot
from groupbot.storage.cases import NewCase
from tests.conftest import Harness, open_harness

THREAT = "I will kill you, robin"
CRISIS = "I don't want to be here anymore, I'm going to end it"


def moderation(h: Harness) -> ModerationFeature:
    feature = h.bot.feature("moderation")
    assert isinstance(feature, ModerationFeature)
    return feature


def dashboard(h: Harness) -> DashboardFeature:
    feature = h.bot.feature("dashboard")
    assert isinstance(feature, DashboardFeature)
    return feature


async def link_for(h: Harness, who: Member) -> str:
    """The link /mod dashboard gives `who` (privately)."""
    replies = await h.bot.handle_text_command(h.chat.group, h.general, who, "/mod dashboard")
    assert len(replies) == 1 and replies[0].visibility.value == "private"
    found = re.search(r"https?://\S+", replies[0].text)
    assert found, replies[0].text
    return found.group(0)


def text_of(page: str) -> str:
    """What a page says, as read: tags dropped, entities undone."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """An HTTP client with its own cookies, signed in (or not) to the group's dashboard."""

    http: aiohttp.ClientSession
    base: str  # http://127.0.0.1:PORT/g/console%3Alocal
    csrf: str = ""

    async def get(self, path: str, **kw: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, **kw) as resp:
            return resp.status, await resp.text(), resp

    async def page(self, path: str, **kw: Any) -> str:
        """A page that must be there (200)."""
        status, page, _ = await self.get(path, **kw)
        assert status == 200, page
        return page

    async def post(self, path: str, data: dict[str, str] | None = None,
                   **kw: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.post(self.base + path, data=data or {}, **kw) as resp:
            return resp.status, await resp.text(), resp

    async def act(self, path: str, **fields: str) -> str:
        """An action as a browser sends it (with this session's CSRF token); the page after."""
        status, page, _ = await self.post(path, {"csrf": self.csrf, **fields})
        assert status == 200, page
        return page


async def press_sign_in(http: aiohttp.ClientSession, base: str, token: str, status: int,
                        headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Open a link and press its Sign in button, as a browser does: the form's CSRF token
    goes with the cookie the page set (or one an earlier sign-in page set in this browser).
    The page after it, and the Set-Cookie headers."""
    headers = dict(headers or {})
    name = signin_cookie_name("console:local")
    async with http.get(f"{base}/signin?t={token}", headers=headers) as resp:
        page = await resp.text()
        pre = resp.cookies[name].value if name in resp.cookies else None
    if pre is None:  # (a refused link: its page has no form, and sets nothing)
        jar = {c.key: c.value for c in http.cookie_jar}
        pre = jar.get(name)
    else:
        assert csrf_of(page) == csrf_token(pre)  # the form carries the token for the cookie
    if pre:
        headers["Cookie"] = f"{name}={pre}"
    async with http.post(base + "/signin", data={"t": token, "csrf": csrf_token(pre or "")},
                         headers=headers, allow_redirects=False) as resp:
        assert resp.status == status, await resp.text()
        return await resp.text(), ", ".join(resp.headers.getall("Set-Cookie", []))


async def sign_in(h: Harness, who: Member, http: aiohttp.ClientSession) -> Browser:
    url = await link_for(h, who)
    base, token = url.split("/signin?t=")
    async with http.get(url) as resp:
        assert resp.status == 200 and "Sign in" in await resp.text()
    await press_sign_in(http, base, token, 303)
    browser = Browser(http, base)
    status, page, _ = await browser.get("/queue")
    assert status == 200, page
    browser.csrf = csrf_of(page)
    return browser


@pytest.fixture
async def h(config: Config, clock: FakeClock) -> AsyncIterator[Harness]:
    config.dashboard.port = 0
    async with open_harness(config, clock) as harness:
        yield harness


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


@pytest.fixture
async def robin(h: Harness, http: aiohttp.ClientSession) -> Browser:
    return await sign_in(h, h.moderator, http)


async def open_item(h: Harness, kind: str = "hold") -> int:
    """A queue item: a held threat (`hold`), or a member asking to talk (`crisis`)."""
    if kind == "hold":
        await h.say(h.member, THREAT)
    else:
        await h.say(h.member, CRISIS)
        reply = h.chat.private_to(h.member)[-1].reply
        assert reply is not None
        reach = next(b.custom_id for b in reply.buttons if "reach" in b.custom_id)
        await h.bot.handle_interaction(Interaction(reach, h.chat.group, h.general, h.member))
    items, _ = await moderation(h).queue.repo.waiting(h.chat.group.id)
    return max(i.number for i in items if i.kind == kind)


# -- headers, cookies, scope -----------------------------------------------------------------
async def test_every_page_carries_the_security_headers(h: Harness, robin: Browser) -> None:
    await open_item(h)
    for path in ("/queue", "/cases", "/cases/1", "/schedules", "/checkins", "/policy",
                 "/settings", "/nowhere"):
        status, page, resp = await robin.get(path)
        assert status == (404 if path == "/nowhere" else 200), path
        assert resp.headers["Content-Security-Policy"] == CSP
        assert "frame-ancestors 'none'" in CSP and "script-src 'none'" in CSP
        assert "unsafe-inline" not in CSP
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert resp.headers["Cache-Control"] == "no-store"
        assert "<script" not in page and " style=" not in page and "<style" not in page
        assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), path
        if status == 200:  # every form that changes something carries the CSRF token
            forms = re.findall(r'<form method="post".*?</form>', page, re.S)
            assert forms and all(f'name="csrf" value="{robin.csrf}"' in f for f in forms), path
    async with robin.http.get(robin.base.split("/g/")[0] + "/static/dashboard.css") as resp:
        assert resp.status == 200 and resp.content_type == "text/css"
        assert "url(" not in await resp.text()  # nothing fetched from anywhere else


async def test_the_session_cookie_is_httponly_strict_and_secure_behind_https(
        h: Harness, http: aiohttp.ClientSession) -> None:
    base = f"{dashboard(h).served_at}/g/console%3Alocal"

    async def cookie(headers: dict[str, str]) -> str:
        token = (await link_for(h, h.moderator)).split("/signin?t=")[1]
        _, set_cookie = await press_sign_in(http, base, token, 303, headers)
        assert set_cookie.count("gb_dash_") == 1  # the session's
        return set_cookie

    plain = await cookie({})
    assert "HttpOnly" in plain and "SameSite=Strict" in plain and "Path=/" in plain
    assert "Secure" not in plain and "Max-Age" not in plain and "expires" not in plain.lower()
    # and the sign-in page's own cookie (its form's CSRF token is bound to it)
    async with http.get(await link_for(h, h.moderator)) as resp:
        pre = resp.headers["Set-Cookie"]
    assert "HttpOnly" in pre and "SameSite=Strict" in pre and "Max-Age=600" in pre
    # behind a TLS proxy on this machine (a trusted proxy by default)
    assert "Secure" in await cookie({"X-Forwarded-Proto": "https"})
    h.bot.services.config.dashboard.trusted_proxies = ("10.0.0.1",)
    assert "Secure" not in await cookie({"X-Forwarded-Proto": "https"})  # not from a proxy
    h.bot.services.config.dashboard.public_url = "https://mods.example.org"
    assert "Secure" in await cookie({})


async def test_pages_belong_to_the_signed_in_group_only(h: Harness, robin: Browser) -> None:
    other = Group("elsewhere", "Another group", "console")
    await h.bot.services.settings(other)
    await moderation(h).cases.open_case(other.id, NewCase(
        member_id="u-zed", action="remove", source="message", reason="SECRET-OF-OTHER"),
        h.clock.now())
    base = robin.base.split("/g/")[0] + "/g/elsewhere"
    async with robin.http.get(base + "/cases") as resp:
        assert resp.status == 401
        assert "not signed in" in await resp.text()
    status, page, _ = await robin.get("/cases")
    assert status == 200 and "SECRET-OF-OTHER" not in page
    status, page, _ = await robin.get("/cases/1")
    assert "There is no such case" in page  # case 1 is the other group's


async def test_without_a_session_nothing_is_shown(h: Harness, http: aiohttp.ClientSession
                                                  ) -> None:
    await open_item(h)
    base = dashboard(h).served_at
    async with http.get(f"{base}/g/console%3Alocal/queue") as resp:
        page = await resp.text()
        assert resp.status == 401 and "held" not in page.lower()
        assert "/mod dashboard" in page
    async with http.get(f"{base}/") as resp:
        assert resp.status == 200 and "/mod dashboard" in await resp.text()


# -- sign-in pages ---------------------------------------------------------------------------
async def test_a_refused_link_says_why_and_how_to_get_a_new_one(
        h: Harness, http: aiohttp.ClientSession) -> None:
    url = await link_for(h, h.moderator)
    base, token = url.split("/signin?t=")
    await sign_in_with(http, base, token, 303)
    for link, why in ((url, "already used"),
                      (base + "/signin?t=" + token[::-1], "not one I made"),
                      (url.replace("console%3Alocal", "elsewhere"), "not one I made")):
        async with http.get(link) as resp:
            page = await resp.text()
            assert resp.status == 403, link
            assert why in page and "/mod dashboard" in page and "groupbot dashboard link" in page
    page = await sign_in_with(http, base, token, 403)
    assert "already used" in page
    late = await link_for(h, h.moderator)
    await h.clock.advance(timedelta(minutes=10))
    async with http.get(late) as resp:
        assert resp.status == 403 and "expired" in await resp.text()


async def sign_in_with(http: aiohttp.ClientSession, base: str, token: str, status: int) -> str:
    return (await press_sign_in(http, base, token, status))[0]


async def test_the_sign_in_form_needs_its_pages_csrf_token(
        h: Harness, http: aiohttp.ClientSession) -> None:
    url = await link_for(h, h.moderator)
    base, token = url.split("/signin?t=")
    # posted from elsewhere: no cookie from the sign-in page, or not its token
    async with aiohttp.ClientSession() as elsewhere, elsewhere.post(
            base + "/signin", data={"t": token, "csrf": csrf_token("x")},
            allow_redirects=False) as resp:
        assert resp.status == 403 and "did not use the link" in await resp.text()
    async with http.get(url) as resp:
        assert resp.status == 200  # (the page sets its cookie)
    for csrf in ("", "0" * 64, csrf_token("another browser's cookie")):
        async with http.post(base + "/signin", data={"t": token, "csrf": csrf},
                             allow_redirects=False) as resp:
            assert resp.status == 403 and "did not use the link" in await resp.text(), csrf
    # the link is still good: none of that used it
    await press_sign_in(http, base, token, 303)


async def test_a_link_for_another_group_is_refused_there(h: Harness,
                                                         http: aiohttp.ClientSession) -> None:
    other = Group("elsewhere", "Another group", "console")
    await h.bot.services.settings(other)
    await h.bot.services.settings(h.chat.group)
    token = await dashboard(h).signin.issue_link(other.id, "u-robin", "robin",
                                                 issued_by="operator")
    base = f"{dashboard(h).served_at}/g/console%3Alocal"
    async with http.get(f"{base}/signin?t={token}") as resp:
        assert resp.status == 403 and "another group" in await resp.text()
    page = await sign_in_with(http, base, token, 403)
    assert "another group" in page


async def test_a_demoted_moderator_is_shut_out_at_the_next_page(h: Harness,
                                                                 robin: Browser) -> None:
    h.chat.add_member("robin", moderator=False)  # the role was taken away
    status, page, _ = await robin.get("/queue")
    assert status == 403 and "no longer a moderator" in page
    h.chat.add_member("robin", moderator=True)
    status, page, _ = await robin.get("/queue")
    assert status == 401  # that session stays ended (its cookie is gone): a new link is needed
    row = await h.bot.services.store.db.fetchone(
        "SELECT ended_why FROM dashboard_sessions WHERE member_id = 'u-robin'")
    assert row is not None and row[0] == "no longer a moderator"


async def test_a_moderator_seen_without_the_role_in_chat_is_signed_out(
        h: Harness, robin: Browser) -> None:
    demoted = h.chat.add_member("robin", moderator=False)
    await h.say(demoted, "hello everyone")  # what the bot sees decides, even with no page open
    row = await h.bot.services.store.db.fetchone(
        "SELECT ended_why FROM dashboard_sessions WHERE member_id = 'u-robin'")
    assert row is not None and row[0] == "no longer a moderator"
    record = await dashboard(h).repo.moderator(h.chat.group.id, "u-robin")
    assert record is not None and not record.is_moderator


# -- actions ---------------------------------------------------------------------------------
async def test_actions_are_post_only_and_need_this_sessions_csrf_token(
        h: Harness, robin: Browser, config: Config) -> None:
    number = await open_item(h, "crisis")
    path = f"/queue/{number}/claim"
    status, _, _ = await robin.get(path)
    assert status == 405
    second = await sign_in(h, h.moderator, aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)))
    try:
        for fields in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": second.csrf}):
            status, page, _ = await robin.post(path, fields)
            assert status == 403 and "nothing was done" in page, fields
        # and a form posted from another site is refused even with the right token
        status, _, _ = await robin.post(path, {"csrf": robin.csrf},
                                        headers={"Origin": "http://evil.example"})
        assert status == 403
        item = await moderation(h).queue.repo.get(h.chat.group.id, number)
        assert item is not None and item.status == "open"
        page = await robin.act(path)
        item = await moderation(h).queue.repo.get(h.chat.group.id, number)
        assert item is not None and (item.status, item.claimed_by) == ("claimed", "u-robin")
        assert f"Item {number} is yours" in page
    finally:
        await second.http.close()


async def test_dashboard_actions_are_the_chat_commands_with_the_moderators_name(
        h: Harness, robin: Browser, caplog: pytest.LogCaptureFixture) -> None:
    crisis = await open_item(h, "crisis")
    before = len(h.chat.of_kind("modlog"))
    with caplog.at_level(logging.INFO):
        page = await robin.act(f"/queue/{crisis}/claim")
    # what /mod queue claim does: the member is told privately, the others in the mod-log
    assert "Please send @alex a direct message soon" in text_of(page)
    assert any("robin, one of the group's moderators" in e.text
               for e in h.chat.private_to(h.member))
    assert any(f"has taken item {crisis}" in e.text for e in h.chat.of_kind("modlog")[before:])
    records = [r for r in caplog.records if r.getMessage() in ("command", "dashboard action")]
    assert {(r.getMessage(), getattr(r, "member", None)) for r in records} == {
        ("command", "u-robin"), ("dashboard action", "u-robin")}
    assert [getattr(r, "moderator", None) for r in records
            if r.getMessage() == "dashboard action"] == ["robin"]
    page = await robin.act(f"/queue/{crisis}/resolve", note="called them, they're okay")
    assert f"Resolved item {crisis} with your note" in page
    item = await moderation(h).queue.repo.get(h.chat.group.id, crisis)
    assert item is not None
    assert (item.resolved_by, item.resolution) == ("u-robin", "called them, they're okay")


async def test_the_queue_lists_crisis_first_and_settles_a_held_message(h: Harness,
                                                                      robin: Browser) -> None:
    held = await open_item(h, "hold")
    crisis = await open_item(h, "crisis")
    page = await robin.page("/queue")
    assert page.index(f'id="item-{crisis}"') < page.index(f'id="item-{held}"')
    assert "Show the held message" in page and "I will kill you, robin" in page
    page = await robin.act(f"/queue/{held}/restore")
    assert f"Restored item {held}" in page
    assert any("Restored by the moderators" in e.text for e in h.chat.of_kind("post"))
    page = await robin.page("/queue")
    assert f'id="item-{held}"' not in page and "I will kill you" not in page


async def test_member_words_are_escaped(h: Harness, robin: Browser) -> None:
    await h.say(h.member, 'I will kill you <img src=x onerror="alert(1)">')
    page = await robin.page("/queue")
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


async def test_a_case_with_its_amendments_and_the_text_only_where_kept(
        h: Harness, robin: Browser) -> None:
    await open_item(h)  # case 1: the group keeps no text (the default)
    page = await robin.act("/cases/1/reason", text="a threat, but a clumsy joke")
    assert "Reason amended" in page
    assert "a threat, but a clumsy joke" in page and "First reason" in page
    assert "by @robin" in page and "Not kept" in page and "I will kill you" not in page
    await h.command(h.moderator, "/mod policy keep-text 30")
    await h.say(h.member, "I will hurt you, robin")  # case 2, its text kept for 30 days
    page = await robin.page("/cases/2")
    assert "I will hurt you, robin" in page and "kept until" in page
    await h.clock.advance(timedelta(days=31))
    robin = await sign_in(h, h.moderator, robin.http)  # (that session ended long ago)
    page = await robin.page("/cases/2")
    assert "I will hurt you, robin" not in page and "Not kept" in page


async def test_cases_filter_and_export_as_the_cli_exports(h: Harness, robin: Browser) -> None:
    await open_item(h)
    await h.command(h.moderator, "/mod warn alex please be kind")
    status, page, _ = await robin.get("/cases", params={"action": "warn"})
    assert '<a href="/g/console%3Alocal/cases/2">2</a>' in page
    assert '<a href="/g/console%3Alocal/cases/1">1</a>' not in page
    status, page, _ = await robin.get("/cases", params={"category": "threat",
                                                        "member": "@alex"})
    assert "/cases/1\">1</a>" in page and "/cases/2\">2</a>" not in page
    status, page, _ = await robin.get("/cases", params={"since": "2026-03-03"})
    assert "No cases match" in page  # both are from 2 March
    status, page, _ = await robin.get("/cases", params={"until": "2026-03-02",
                                                        "category": "nonsense"})
    assert "There is no category" in page
    status, csv_text, resp = await robin.get("/cases.csv", params={"category": "threat"})
    assert status == 200 and resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    expected = io.StringIO()
    count = await write_case_log(moderation(h).cases, h.chat.group.id, h.clock.now(),
                                 expected, fmt="csv", category="threat")
    assert count == 1 and csv_text == expected.getvalue()


async def test_schedules_pause_resume_and_skip_from_the_dashboard(h: Harness,
                                                                  robin: Browser) -> None:
    await h.command(h.moderator, "/mod setup timezone Europe/Berlin")
    await h.command(h.moderator, "/mod schedule add #general weekly mon 09:00 boundaries")
    page = await robin.page("/schedules")
    assert "Schedule 1: prompt (boundaries) in #general" in page
    assert "Mon 9 Mar 2026, 09:00 CET" in page  # the next posts, in the group's zone
    page = await robin.act("/schedules/1/pause")
    assert "Paused schedule 1" in page and "Resume" in page
    row = await h.bot.services.store.db.fetchone("SELECT paused FROM schedules WHERE id = 1")
    assert row is not None and row[0] == 1
    page = await robin.act("/schedules/1/resume")
    assert "Resumed schedule 1" in page
    page = await robin.act("/schedules/1/skip")
    assert "Skipped the post due Mon 09 Mar 2026" in page
    assert "Mon 16 Mar 2026, 09:00 CET" in page
    ledger = await h.bot.services.store.db.fetchone(
        "SELECT state, note FROM schedule_occurrences WHERE schedule_id = 1")
    assert ledger is not None and tuple(ledger) == ("skipped", "skipped by u-robin")


async def test_the_checkin_chart_shows_only_weeks_of_five_and_never_an_answer(
        h: Harness, robin: Browser) -> None:
    members = [h.chat.add_member(f"m{i}") for i in range(5)]
    for i, member in enumerate(members[:4]):
        await h.command(member, f"/checkin {2 + i % 4} private-note-{i}")
    page = await robin.page("/checkins")
    assert "No week had at least 5 members answering" in page
    assert 'class="hard"' not in page and 'class="good"' not in page
    assert "fewer than 5 answered" in page
    await h.command(members[4], "/checkin 4 private-note-4")
    page = await robin.page("/checkins")
    assert "1 of 26 weeks had at least 5 members answering" in page
    assert "Week of 2 Mar: 1 of 5 finding it hard" in page  # (a 2)
    assert "<td class=\"num\">5</td>" in page  # the table: 5 answered
    for i in range(5):
        assert f"private-note-{i}" not in page
    assert "u-m0" not in page and "@m0" not in page
    for path in ("/queue", "/cases", "/settings"):
        assert "private-note" not in (await robin.get(path))[1]


async def test_the_policy_test_is_the_chat_dry_run(h: Harness, robin: Browser) -> None:
    page = await robin.page("/policy")
    assert "Strikes halve every" in page
    page = await robin.act("/policy/test", text="you are all worthless idiots",
                           channel="general")
    chat = await h.bot.handle_text_command(h.chat.group, h.general, h.moderator,
                                           "/mod policy test you are all worthless idiots")
    for line in chat[0].text.splitlines():
        assert line.replace('"', "&quot;").replace(">", "&gt;") in page, line
    assert await moderation(h).cases.find(h.chat.group.id) == ([], 0)  # nothing recorded


async def test_settings_show_the_groups_set_up(h: Harness, robin: Browser) -> None:
    await h.command(h.moderator, "/mod setup region GB")
    page = await robin.page("/settings")
    assert "GB (the support lines /resources shows)" in page
    assert "checked through the platform (console), on every page" in page
    assert "end after 30 minutes without use" in page


async def test_mod_dashboard_says_when_no_dashboard_is_set_up(config: Config,
                                                             clock: FakeClock) -> None:
    async with open_harness(config, clock) as h:
        replies = await h.bot.handle_text_command(h.chat.group, h.general, h.moderator,
                                                  "/mod dashboard")
        assert "not set up" in replies[0].text and "--dashboard-port" in replies[0].text
        replies = await h.bot.handle_text_command(h.chat.group, h.general, h.member,
                                                  "/mod dashboard")
        assert "for moderators" in replies[0].text


# -- the dashboard alone ---------------------------------------------------------------------
async def test_alone_it_runs_the_same_commands_and_says_what_needs_the_bot(
        config: Config, clock: FakeClock, http: aiohttp.ClientSession) -> None:
    async with open_harness(config, clock) as h:  # the bot, to make a crisis request
        number = await open_item(h, "crisis")
    config.dashboard.port = None
    async with open_bot(config, DetachedChat("console"), clock, start=False) as bot, \
            serve(bot, host="127.0.0.1", port=0, alone=True) as served:
        feature = bot.feature("dashboard")
        assert isinstance(feature, DashboardFeature)
        token = await feature.signin.issue_link("console:local", "u-robin", "robin",
                                                issued_by="operator")
        base = f"{served.url}/g/console%3Alocal"
        await sign_in_with(http, base, token, 303)
        browser = Browser(http, base)
        page = await browser.page("/queue")
        browser.csrf = csrf_of(page)
        page = await browser.act(f"/queue/{number}/claim")
        assert f"Item {number} is yours" in page
        # (no platform to reach them: the command says so, as it would for closed DMs)
        assert "couldn't let @u-alex know privately" in text_of(page)  # (no name alone)
        page = await browser.page("/settings")
        assert "what the bot last saw" in page


def test_the_capabilities_alone_are_the_adapters() -> None:
    from groupbot.platforms.discord.chat import DiscordChat
    from groupbot.platforms.slack.chat import SlackChat

    assert PLATFORM_CAPABILITIES == {"console": ConsoleChat.capabilities,
                                     "discord": DiscordChat.capabilities,
                                     "slack": SlackChat.capabilities}


async def test_run_and_console_take_the_dashboard_switches(tmp_path: Path) -> None:
    from groupbot.cli import build_parser
    from groupbot.cli.run import apply_dashboard_args

    for argv in (["run", "--dashboard-port", "8123", "--dashboard-host", "0.0.0.0"],
                 ["console", "--dashboard-port", "8123", "--dashboard-host", "0.0.0.0"]):
        args = build_parser().parse_args(argv)
        cfg = Config(database=str(tmp_path / "x.db"))
        apply_dashboard_args(args, cfg)
        assert (cfg.dashboard.port, cfg.dashboard.host) == (8123, "0.0.0.0")
