"""What every dashboard request shares: the bot, the sign-in gate, and running a command.

Why actions run chat commands: a dashboard button must do exactly what the chat command does,
with the same checks, replies, log lines and records (who claimed an item, who amended a case).
So `Dashboard.run` looks the command up in the registry and calls `Bot.handle_command` with the
signed-in moderator as the one who typed it; the reply becomes the message shown on the next
page. There is no second implementation of any action here.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from aiohttp import web

from groupbot.app import Bot
from groupbot.core.commands import Access
from groupbot.core.ports import MemberLookup
from groupbot.core.types import Channel, Group, Member, Reply
from groupbot.dashboard import views
from groupbot.dashboard.auth import NEW_LINK, Refusal, Session, SignIn, csrf_ok, token_hash
from groupbot.storage.dashboard import DashboardRepo
from groupbot.storage.groups import GroupSettings

log = logging.getLogger(__name__)

COOKIE_PREFIX = "gb_dash_"
FLASH_KEEP = 500  # sessions with a message waiting to be shown, at most
NAME_TTL = timedelta(minutes=5)
NAME_LOOKUPS = 40  # platform look-ups of names per page, at most
_MENTION = re.compile(r"<@!?([^<>\s]{1,80})>")


def cookie_name(group_id: str) -> str:
    """One cookie per group, so a moderator of two groups can have both open."""
    return COOKIE_PREFIX + hashlib.sha256(group_id.encode("utf-8")).hexdigest()[:12]


def signin_cookie_name(group_id: str) -> str:
    """The cookie the sign-in page sets, to which its form's CSRF token is bound."""
    return COOKIE_PREFIX + "in_" + hashlib.sha256(group_id.encode("utf-8")).hexdigest()[:12]


def group_path(group_id: str) -> str:
    return f"/g/{quote(group_id, safe='')}"


def mentioned(*texts: str | None) -> set[str]:
    """The member ids mentioned (<@id>) in chat-formatted texts."""
    return {m.group(1) for t in texts if t for m in _MENTION.finditer(t)}


@dataclass(slots=True)
class Ctx:
    """One signed-in request: the group, the moderator, and the group's set-up."""

    request: web.Request
    group: Group
    session: Session
    settings: GroupSettings
    zone: ZoneInfo
    base: str
    names: dict[str, str] = field(default_factory=dict)

    def frame(self, current: str, flash: Iterable[str] = ()) -> views.Frame:
        return views.Frame(self.base, self.group.name, self.session.member_name,
                           self.session.csrf, current, tuple(flash), self.names)


class NameBook:
    """Member ids as names: what the bot wrote down of moderators, then the platform (when
    the bot runs), cached a few minutes. An id no one can name is shown as it is."""

    def __init__(self, repo: DashboardRepo, platform: MemberLookup | None) -> None:
        self.repo = repo
        self.platform = platform
        self._cache: dict[tuple[str, str], tuple[str | None, datetime]] = {}

    async def of(self, group: Group, ids: Iterable[str], now: datetime) -> dict[str, str]:
        wanted = {i for i in ids if i and i != "bot"}
        names = {i: n for i, n in (await self.repo.names(group.id)).items() if i in wanted}
        lookups = 0
        for member_id in sorted(wanted - set(names)):
            hit = self._cache.get((group.id, member_id))
            if hit is not None and now - hit[1] < NAME_TTL:
                if hit[0]:
                    names[member_id] = hit[0]
                continue
            if self.platform is None or lookups >= NAME_LOOKUPS:
                continue
            lookups += 1
            try:
                member = await self.platform.member_info(group, member_id)
            except Exception:
                continue
            name = member.display_name if member is not None else None
            if len(self._cache) > 5000:
                self._cache.clear()
            self._cache[(group.id, member_id)] = (name, now)
            if name:
                names[member_id] = name
        return names

    def seen(self, group_id: str) -> dict[str, str]:
        """The names looked up lately in this group, by id."""
        return {m: n for (g, m), (n, _) in self._cache.items() if g == group_id and n}


class Dashboard:
    """The dashboard's state: one per server (with the bot, or alone)."""

    def __init__(self, bot: Bot, signin: SignIn, *, alone: bool) -> None:
        self.bot = bot
        self.services = bot.services
        self.signin = signin
        self.alone = alone
        self.config = bot.services.config.dashboard
        self.clock = bot.services.clock
        self.repo = signin.repo
        self.flashes: OrderedDict[str, list[str]] = OrderedDict()
        chat = bot.services.chat
        self.names = NameBook(self.repo, chat if chat.capabilities.member_lookup else None)

    # -- requests ----------------------------------------------------------------------------
    def is_https(self, request: web.Request) -> bool:
        """Served over https: the public URL says so, or the trusted proxy in front does."""
        if (self.config.public_url or "").startswith("https://") or request.secure:
            return True
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto == "https" and (request.remote or "") in self.config.trusted_proxies

    def same_origin(self, request: web.Request) -> bool:
        """A POST from our own pages (browsers send Origin 'null' under no-referrer, and
        Sec-Fetch-Site from a page of our own origin is same-origin)."""
        site = request.headers.get("Sec-Fetch-Site", "")
        if site in ("cross-site", "same-site"):
            return False
        origin = request.headers.get("Origin")
        if not origin or origin == "null":
            return True
        hosts = {request.host}
        if self.config.public_url:
            hosts.add(urlsplit(self.config.public_url).netloc)
        return urlsplit(origin).netloc in hosts

    async def group(self, request: web.Request) -> Group | None:
        group_id = request.match_info.get("group", "")
        if self.alone:  # the bot may have changed the set-up since
            self.services.store.groups.forget(group_id)
        return await self.services.store.groups.group(group_id)

    async def enter(self, request: web.Request) -> Ctx | web.Response:
        """The signed-in moderator of the group this page belongs to, or the page saying why
        not (and clearing a dead cookie)."""
        group = await self.group(request)
        if group is None:
            return page_response(views.refusal(
                "No such group", "I don't know that group.", NEW_LINK), 404)
        cookie = request.cookies.get(cookie_name(group.id))
        found = await self.signin.session(cookie, group)
        if isinstance(found, Refusal):
            resp = refusal_response(found, signing_in=False)
            if cookie:
                resp.del_cookie(cookie_name(group.id), path="/")
            return resp
        settings = await self.services.settings(group)
        try:
            zone = ZoneInfo(settings.timezone)
        except (ValueError, KeyError):
            zone = ZoneInfo("UTC")
        return Ctx(request, group, found, settings, zone, group_path(group.id))

    async def check_form(self, ctx: Ctx) -> dict[str, str] | web.Response:
        """A POSTed form's fields, once its CSRF token is this session's."""
        form = await ctx.request.post()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not self.same_origin(ctx.request) or not csrf_ok(ctx.session.token,
                                                             fields.get("csrf")):
            log.warning("dashboard form refused: bad CSRF token or origin",
                        extra={"group": ctx.group.id, "member": ctx.session.member_id})
            return page_response(views.refusal(
                "That form can't be used",
                "That form did not come from your current dashboard page (it may be from an "
                "older session, or from another site), so nothing was done.",
                "Go back, reload the page and try again."), 403)
        return fields

    async def name(self, ctx: Ctx, *texts: str | None, ids: Iterable[str] = ()) -> None:
        """Fill `ctx.names` for the members these texts mention and these ids."""
        wanted = mentioned(*texts) | set(ids) | {ctx.session.member_id}
        ctx.names.update(await self.names.of(ctx.group, wanted, self.clock.now()))
        ctx.names.setdefault(ctx.session.member_id, ctx.session.member_name)

    async def member_id(self, group: Group, typed: str) -> str:
        """What a moderator typed in a member filter (<@id>, an id, @name) as an id: a
        mention as it says; a name of a moderator the bot knows or of a member named lately
        on these pages; a name the platform can resolve (the console's); else as typed."""
        text = typed.strip()
        m = _MENTION.fullmatch(text)
        if m:
            return m.group(1)
        bare = text.lstrip("@")
        known = {**self.names.seen(group.id), **await self.repo.names(group.id)}
        if bare in known:
            return bare
        by_name = sorted({i for i, n in known.items() if n.lower() == bare.lower()})
        if len(by_name) == 1:
            return by_name[0]
        resolve = getattr(self.services.chat, "resolve_member", None)
        if callable(resolve):
            try:
                member = await resolve(group, text)
            except Exception:
                member = None
            if isinstance(member, Member):
                return member.id
        return bare

    def log_export(self, ctx: Ctx, count: int) -> None:
        log.info("dashboard export", extra={"group": ctx.group.id, "cases": count,
                                            "member": ctx.session.member_id,
                                            "moderator": ctx.session.member_name})

    # -- flash messages ----------------------------------------------------------------------
    def flash(self, ctx: Ctx, texts: Iterable[str]) -> None:
        key = token_hash(ctx.session.token)
        self.flashes.setdefault(key, []).extend(texts)
        self.flashes.move_to_end(key)
        while len(self.flashes) > FLASH_KEEP:
            self.flashes.popitem(last=False)

    def take_flash(self, ctx: Ctx) -> list[str]:
        return self.flashes.pop(token_hash(ctx.session.token), [])

    # -- actions -----------------------------------------------------------------------------
    async def run(self, ctx: Ctx, path: str, raw: dict[str, Any],
                  channel: Channel | None = None) -> list[str]:
        """Run a moderator's chat command as the signed-in moderator; its replies' texts."""
        spec = self.bot.registry.get(path.split())
        if spec is None or spec.access is not Access.MODERATOR or not spec.private:
            raise RuntimeError(f"/{path} is not a private moderator command")
        member = Member(ctx.session.member_id, ctx.session.member_name, is_moderator=True)
        where = channel or Channel("dashboard", "dashboard", ctx.group.id, is_private=True)
        replies = await self.bot.handle_command(ctx.group, where, member, spec,
                                                {k: v for k, v in raw.items() if v != ""})
        log.info("dashboard action", extra={"group": ctx.group.id, "command": path,
                                            "member": ctx.session.member_id,
                                            "moderator": ctx.session.member_name})
        return [_reply_text(r) for r in replies]


def _reply_text(reply: Reply) -> str:
    return f"{reply.title}\n{reply.text}" if reply.title else reply.text


# -- responses -------------------------------------------------------------------------------
def page_response(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def refusal_response(why: Refusal, *, signing_in: bool) -> web.Response:
    title = "Can't sign you in" if signing_in else (
        "Signed out" if why.status == 401 else "Can't let you in")
    if why is Refusal.UNCHECKED:
        how = ("Try again in a minute" + (": the link is not used up." if signing_in
                                          else " by reloading this page."))
    else:
        how = NEW_LINK
    return page_response(views.refusal(title, why.value, how), why.status)
