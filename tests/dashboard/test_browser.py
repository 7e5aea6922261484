"""The moderators' dashboard end to end in a real headless browser.

Debian's Chromium (/usr/bin/chromium), driven by Playwright for Python pointed at that
executable (Playwright's own browser download is never used). A console bot runs in this
process with the dashboard on a free port; members and moderators type into the console, the
operator's `groupbot dashboard link` runs as a separate process, and the moderator clicks
through the pages. A screenshot of each page is saved under test-output/dashboard/ (or
$GROUPBOT_TEST_OUTPUT), named at the end of the run.

Skipped, saying why, only where no Chromium is installed (`.ci/run` installs Debian's, and
then makes a missing browser a failure).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.features.dashboard import DashboardFeature
from groupbot.platforms.console import ConsoleChat
from groupbot.platforms.console_session import ConsoleSession
from groupbot.runtime import open_bot
from tests.conftest import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def unavailable(why: str) -> None:
    """Skip, saying why; fail instead where a browser was installed for these tests
    (`.ci/run` sets GROUPBOT_REQUIRE_BROWSER once it has Chromium)."""
    if os.environ.get("GROUPBOT_REQUIRE_BROWSER"):
        pytest.fail(why + " (GROUPBOT_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(why)


def chromium() -> str:
    for candidate in (os.environ.get("GROUPBOT_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    unavailable("no Chromium to drive: install Debian's chromium package (apt-get install "
                "chromium; .ci/run does) to run the dashboard's browser tests")
    raise AssertionError("unreachable")


def shots_dir() -> Path:
    folder = Path(os.environ.get("GROUPBOT_TEST_OUTPUT") or ROOT / "test-output") / "dashboard"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class World:
    """A console group with a running bot and its dashboard, and a browser."""

    bot: Bot
    chat: ConsoleChat
    url: str  # the dashboard's address
    database: str
    browser: Any  # a Playwright browser context (its own fresh profile)
    tmp: Path
    pw: Any = None  # Playwright, to start another browser
    errors: list[str] = field(default_factory=list)  # the browser console's errors (CSP)
    lines: list[str] = field(default_factory=list)  # what the console printed

    def session(self, name: str, moderator: bool = False) -> ConsoleSession:
        member = self.chat.members.get(f"u-{name}") or self.chat.add_member(name, moderator)
        channel = self.chat.channel("general")
        assert channel is not None
        return ConsoleSession(self.bot, self.chat, member, channel, out=self.lines.append)

    async def type(self, name: str, *lines: str, moderator: bool = False) -> None:
        """`name` types these lines into the console (messages and commands)."""
        session = self.session(name, moderator)
        for line in lines:
            assert await session.handle_line(line)

    async def operator_link(self, member_id: str, name: str) -> str:
        """`groupbot dashboard link`, run by an operator as its own process."""
        env = {**os.environ, "GROUPBOT_DATABASE": self.database,
               "GROUPBOT_DASHBOARD_PUBLIC_URL": self.url}
        env.pop("GROUPBOT_CONFIG", None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "groupbot", "dashboard", "link", "--group", "console:local",
            "--moderator", member_id, "--name", name, env=env, cwd=self.tmp,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        assert "valid for 10 minutes" in err.decode()
        link = out.decode().strip()
        assert re.fullmatch(re.escape(self.url) + r"/g/console%3Alocal/signin\?t=[\w-]{43}",
                            link), link
        return link

    async def new_page(self, context: Any = None) -> Any:
        page = await (context or self.browser).new_page()
        page.on("console", lambda msg: self.errors.append(msg.text)
                if msg.type == "error" else None)
        return page


async def shoot(page: Any, name: str, *, full: bool = True) -> None:
    path = shots_dir() / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 1000
    SCREENSHOTS.append(path)


async def launch(pw: Any, profile: Path, *, javascript: bool = False) -> Any:
    """A fresh Chromium profile; with JavaScript off unless asked (the dashboard needs none)."""
    return await pw.chromium.launch_persistent_context(
        str(profile), executable_path=chromium(), headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1000, "height": 800}, java_script_enabled=javascript)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    executable = chromium()  # (skips, saying why, where there is none)
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        unavailable("Playwright for Python is not installed: pip install -e '.[dev]'")
    assert executable
    config = Config(database=str(tmp_path / "groupbot.db"))
    config.dashboard.port = 0
    chat = ConsoleChat()
    chat.add_member("robin", moderator=True)
    async with open_bot(config, chat) as bot, async_playwright() as pw:
        feature = bot.feature("dashboard")
        assert isinstance(feature, DashboardFeature) and feature.served_at
        browser = await launch(pw, tmp_path / "profile")
        probe = await browser.new_page()  # the pages below are seen with JavaScript off
        await probe.set_content("<title>off</title><script>document.title = 'on'</script>")
        assert await probe.title() == "off"
        await probe.close()
        w = World(bot, chat, feature.served_at, config.database, browser, tmp_path, pw)
        try:
            yield w
        finally:
            await browser.close()
    assert not [e for e in w.errors if "Content Security Policy" in e], w.errors


async def signed_in_page(w: World) -> Any:
    """robin signs in with the operator's link: opens it, presses Sign in."""
    await w.type("alex", "hello all")  # (the group exists once someone has spoken)
    link = await w.operator_link("u-robin", "robin")
    page = await w.new_page()
    await page.goto(link)
    assert await page.title() == "Sign in"
    await shoot(page, "01-sign-in")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r".*/queue$"))
    return page


async def test_sign_in_see_a_case_claim_an_item_and_pause_a_schedule(world: World) -> None:
    w = world
    # through the console: a threat (held: case 1, a queue item), a member asking to talk,
    # and a schedule
    await w.type("alex", "I will kill you, robin", "I don't want to be here anymore, "
                 "I'm going to end it")
    buttons = [b.label for b in w.chat.last_buttons]
    reach = next(i for i, label in enumerate(buttons, 1) if "moderator" in label.lower())
    await w.type("alex", f"/press {reach}")
    await w.type("robin", "/mod schedule add #general weekly mon 09:00 boundaries",
                 moderator=True)
    assert await w.bot.services.store.db.fetchone("SELECT id FROM schedules WHERE id = 1")
    page = await signed_in_page(w)

    # the queue: the crisis request first, then the held message
    crisis = page.get_by_role("article").filter(has_text="crisis request")
    held = page.get_by_role("article").filter(has_text="held message")
    assert await crisis.count() == 1 and await held.count() == 1
    box_c, box_h = await crisis.bounding_box(), await held.bounding_box()
    assert box_c is not None and box_h is not None and box_c["y"] < box_h["y"]
    await shoot(page, "02-queue")
    await crisis.get_by_role("button", name="Claim").click()
    await page.wait_for_load_state()
    status = page.get_by_role("status")
    assert "is yours" in await status.inner_text()
    assert "taken by @robin" in await crisis.inner_text()
    item = await w.bot.services.store.db.fetchone(
        "SELECT status, claimed_by FROM mod_queue WHERE kind = 'crisis'")
    assert item is not None and tuple(item) == ("claimed", "u-robin")
    await shoot(page, "03-queue-claimed")

    # the case made through the console, and its page
    await page.get_by_role("link", name="Cases").click()
    row = page.get_by_role("row").filter(has_text="threat")
    assert await row.count() == 1
    assert "hold" in await row.inner_text() and "@alex" in await row.inner_text()
    await shoot(page, "04-cases")
    await row.get_by_role("link", name="1", exact=True).click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Case 1"
    assert "threat.violence" in await page.locator("main").inner_text()
    await shoot(page, "05-case")

    # pause the schedule
    await page.get_by_role("link", name="Schedules").click()
    await page.get_by_role("button", name="Pause").click()
    await page.wait_for_load_state()
    assert "Paused schedule 1" in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("button", name="Resume").count() == 1
    row = await w.bot.services.store.db.fetchone("SELECT paused FROM schedules WHERE id = 1")
    assert row is not None and row[0] == 1
    await shoot(page, "06-schedules")

    # the policy and a dry run, then the settings
    await page.get_by_role("link", name="Policy").click()
    await page.get_by_label("A message to test").fill("you are all worthless idiots")
    await page.get_by_role("button", name="Test it").click()
    result = await page.get_by_role("status").inner_text()
    assert "Action:" in result and "nothing was recorded" in result
    await shoot(page, "07-policy")
    await page.get_by_role("link", name="Settings").click()
    assert "checked through the platform" in await page.locator("main").inner_text()
    await shoot(page, "08-settings")


async def test_keyboard_and_phone(world: World) -> None:
    page = await signed_in_page(world)
    # the first Tab reaches the skip link, which leads past the menu to the content
    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert await focused.inner_text() == "Skip to the content"
    outline = await focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")  # focus shows
    await page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    # every control has a name a screen reader can say
    for role in ("button", "link", "textbox"):
        for element in await page.get_by_role(role).all():
            name = (await element.get_attribute("aria-label") or await element.inner_text()
                    or await element.evaluate("e => e.labels && e.labels.length ? "
                                              "e.labels[0].textContent : ''"))
            assert name.strip(), role
    # on a phone: one column, nothing wider than the screen
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.get_by_role("link", name="Cases").click()
    wide = await page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390
    await shoot(page, "09-phone-cases")


async def test_the_checkin_chart_appears_after_five_answers(world: World) -> None:
    w = world
    for name in ("ann", "ben", "cat", "dan"):
        await w.type(name, f"/checkin {3 if name != 'dan' else 5} a private note from {name}")
    page = await signed_in_page(w)
    await page.get_by_role("link", name="Check-ins").click()
    chart = page.get_by_role("img", name="How members felt, week by week")
    assert await chart.count() == 1
    assert await page.locator("svg rect.okay").count() == 0  # four answers: no bar
    await w.type("eve", "/checkin 2 another private note")
    await page.reload()
    assert await page.locator("svg rect.okay").count() == 1
    assert await page.locator("svg rect.good").count() == 1
    assert await page.locator("svg rect.hard").count() == 1
    table = await page.get_by_role("table").inner_text()
    assert "3 (60%)" in table  # three of five said 3, and the table says so in words
    text = await page.locator("main").inner_text()
    assert "private note" not in text and "@ann" not in text and "u-ann" not in text
    await shoot(page, "10-checkins")


async def test_the_same_link_does_not_sign_in_twice(world: World, tmp_path: Path) -> None:
    w = world
    await w.type("alex", "hello all")
    link = await w.operator_link("u-robin", "robin")
    page = await w.new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r".*/queue$"))
    # the same link again, in another browser (someone who saw it, or the moderator later)
    other = await launch(w.pw, tmp_path / "other-profile")
    try:
        again = await w.new_page(other)
        response = await again.goto(link)
        assert response is not None and response.status == 403
        alert = await again.get_by_role("alert").inner_text()
        assert "already used" in alert
        assert "/mod dashboard" in await again.locator("main").inner_text()
        assert await again.get_by_role("button", name="Sign in").count() == 0
        await shoot(again, "11-link-used")
        # and it signs nobody in there: the queue is not shown
        response = await again.goto(w.url + "/g/console%3Alocal/queue")
        assert response is not None and response.status == 401
    finally:
        await other.close()
