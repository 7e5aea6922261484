"""Signing in without accounts: one-time links, sessions, CSRF tokens, and the moderator check.

Why it is built this way:
- A moderator already proves who they are to the platform; the bot hands them (privately,
  `/mod dashboard`) a link for them and their group, valid ten minutes and good once. An
  operator with the database can print one (`groupbot dashboard link`). No passwords to keep.
- Tokens are 32 random bytes; only their SHA-256 is stored, and a stored hash is compared with
  `hmac.compare_digest`, so neither a database copy nor timing tells anyone a token.
- Opening a link only shows a button: the link is spent by the POST that button sends. Chat
  platforms fetch links to preview them, and a preview must not use up a one-time link.
- A session ends when idle too long, at an absolute end, when signed out, and as soon as its
  moderator is found to be no longer one: checked on every page, through the platform when the
  bot runs the dashboard, else through what the database knows (`Moderators`).
- Each form carries a CSRF token derived from the session's own token (an HMAC of a fixed
  label under it): bound to that session, never stored, useless for any other. The sign-in
  form, before there is a session, has one bound the same way to a random SameSite=Strict
  cookie its page sets, so another site cannot sign a browser in (with its own link).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from groupbot.core.ports import Clock, MemberLookup
from groupbot.core.types import Group
from groupbot.storage.dashboard import DashboardRepo, LinkRow, SessionRow

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=10)
TOKEN_BYTES = 32
CSRF_LABEL = b"groupbot dashboard csrf v1"
NEW_LINK = ("Type /mod dashboard in your group for a new link (it works once, for ten "
            "minutes), or ask an operator to run `groupbot dashboard link --group GROUP "
            "--moderator YOU`.")


class Refusal(enum.Enum):
    """Why a link or a session is not accepted; each value is what the page says."""

    FORGED = "This sign-in link is not one I made (it may be mistyped or cut short)."
    USED = "This sign-in link was already used: each link works only once."
    EXPIRED = "This sign-in link has expired: links work for ten minutes."
    OTHER_GROUP = "This sign-in link is for another group, not this one."
    NOT_MODERATOR = "You are no longer a moderator of this group, so I signed you out."
    UNCHECKED = ("I could not check with the platform that you are still a moderator (it did "
                 "not answer), so I can't let you in right now.")
    NO_SESSION = "You are not signed in to this group's dashboard."
    SIGNED_OUT = "You signed out."
    IDLE = "You were signed out after a while without using the dashboard."
    ENDED = "Your session reached its time limit, so you were signed out."

    @property
    def status(self) -> int:
        """The HTTP status of the page saying so."""
        return 401 if self in (Refusal.NO_SESSION, Refusal.SIGNED_OUT, Refusal.IDLE,
                               Refusal.ENDED) else 403


def new_token() -> str:
    """A fresh token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """How a token is stored and looked up: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: only that session's cookie can have made it."""
    return hmac.new(session_token.encode("utf-8", "surrogatepass"), CSRF_LABEL,
                    hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str | None) -> bool:
    """Whether a form's token is this session's (missing and wrong both fail)."""
    if not given:
        return False
    return hmac.compare_digest(csrf_token(session_token).encode("ascii"),
                               given.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in moderator of one group, as every page and action sees them."""

    token: str  # the cookie's value (never stored)
    group_id: str
    member_id: str
    member_name: str
    expires_at: datetime

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


class Moderators:
    """Whether someone is still a moderator of a group.

    With the bot running (a platform that implements `MemberLookup`), the platform decides,
    exactly as it does for their messages, and the answer is written down. Without it
    (`groupbot dashboard` alone), the last thing the bot wrote down decides: who it saw as a
    moderator (their `/mod dashboard`, an operator's link, a page they opened) or as no longer
    one (a message of theirs, a page check). A demotion the bot never saw is caught once the
    bot runs again, or by the session's absolute end; `groupbot dashboard revoke` ends it at
    once."""

    def __init__(self, repo: DashboardRepo, clock: Clock,
                 platform: MemberLookup | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.platform = platform
        # (group, member) -> what was last written, so a page view writes only on change
        self._written: dict[tuple[str, str], tuple[bool, datetime]] = {}

    @property
    def through_platform(self) -> bool:
        return self.platform is not None

    async def check(self, group: Group, member_id: str, name: str) -> bool | None:
        """True or False; None when the platform could not say (fail closed: no entry)."""
        if self.platform is None:
            row = await self.repo.moderator(group.id, member_id)
            return row is not None and row.is_moderator
        try:
            member = await self.platform.member_info(group, member_id)
        except Exception as exc:
            log.warning("could not check a dashboard moderator with the platform",
                        extra={"group": group.id, "error": type(exc).__name__})
            return None
        is_mod = member is not None and member.is_moderator and not member.is_bot
        await self.record(group.id, member_id, member.display_name if member else name, is_mod,
                          "platform")
        return is_mod

    async def record(self, group_id: str, member_id: str, name: str, is_moderator: bool,
                     source: str) -> None:
        """Write down what is known now (at most every ten minutes when nothing changed)."""
        now = self.clock.now()
        key = (group_id, member_id)
        last = self._written.get(key)
        if last is not None and last[0] == is_moderator and now - last[1] < timedelta(minutes=10):
            return
        await self.repo.set_moderator(group_id, member_id, name, is_moderator, source, now)
        self._written[key] = (is_moderator, now)


class SignIn:
    """The rules for links and sessions (see the module's docstring)."""

    def __init__(self, repo: DashboardRepo, clock: Clock, moderators: Moderators, *,
                 idle: timedelta = timedelta(minutes=30),
                 lifetime: timedelta = timedelta(hours=12)) -> None:
        self.repo = repo
        self.clock = clock
        self.moderators = moderators
        self.idle = idle
        self.lifetime = lifetime

    # -- links -------------------------------------------------------------------------------
    async def issue_link(self, group_id: str, member_id: str, member_name: str, *,
                         issued_by: str) -> str:
        """A new one-time link's token for this moderator of this group (`issued_by`: chat,
        when the platform vouched for them; operator, when someone with the database did).
        Records them as a moderator: the dashboard alone trusts that record."""
        token = new_token()
        now = self.clock.now()
        await self.repo.add_link(token_hash(token), group_id, member_id, member_name, issued_by,
                                 now, now + LINK_LIFETIME)
        await self.moderators.record(group_id, member_id, member_name, True,
                                     "platform" if issued_by == "chat" else "operator")
        log.info("dashboard link issued", extra={"group": group_id, "member": member_id,
                                                 "by": issued_by})
        return token

    async def _link(self, token: str) -> LinkRow | None:
        if not token or len(token) > 200:
            return None
        digest = token_hash(token)
        row = await self.repo.link(digest)
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return row

    async def inspect(self, token: str, group_id: str) -> LinkRow | Refusal:
        """What opening the link shows, changing nothing: the link, or why it is refused."""
        row = await self._link(token)
        if row is None:
            return Refusal.FORGED
        if not hmac.compare_digest(row.group_id.encode(), group_id.encode()):
            return Refusal.OTHER_GROUP
        if row.used_at is not None:
            return Refusal.USED
        if self.clock.now() >= row.expires_at:
            return Refusal.EXPIRED
        return row

    async def redeem(self, token: str, group: Group) -> Session | Refusal:
        """Spend the link and open a session, or say why not. A link is spent even when its
        moderator turns out to be one no longer; it is kept when the platform could not say."""
        found = await self.inspect(token, group.id)
        if isinstance(found, Refusal):
            return found
        allowed = await self.moderators.check(group, found.member_id, found.member_name)
        if allowed is None:  # the platform did not answer: the link stays good for now
            return Refusal.UNCHECKED
        now = self.clock.now()
        if not await self.repo.use_link(found.token_hash, now):  # someone was faster
            fresh = await self.inspect(token, group.id)
            return fresh if isinstance(fresh, Refusal) else Refusal.USED
        if not allowed:
            await self.repo.end_member_sessions(group.id, found.member_id,
                                                "no longer a moderator", now)
            return Refusal.NOT_MODERATOR
        session_token = new_token()
        expires = now + self.lifetime
        await self.repo.add_session(token_hash(session_token), group.id, found.member_id,
                                    found.member_name, now, expires)
        log.info("dashboard sign-in", extra={"group": group.id, "member": found.member_id})
        return Session(session_token, group.id, found.member_id, found.member_name, expires)

    # -- sessions ----------------------------------------------------------------------------
    async def _session_row(self, token: str | None) -> SessionRow | None:
        if not token or len(token) > 200:
            return None
        digest = token_hash(token)
        row = await self.repo.session(digest)
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return row

    async def session(self, token: str | None, group: Group) -> Session | Refusal:
        """The signed-in moderator behind a cookie, checked for this group and this moment:
        not ended, not idle too long, not past its end, and still a moderator. Counts as use
        (the idle time starts again)."""
        row = await self._session_row(token)
        if row is None or token is None:
            return Refusal.NO_SESSION
        if not hmac.compare_digest(row.group_id.encode(), group.id.encode()):
            return Refusal.NO_SESSION  # (a cookie for another group's dashboard)
        if row.ended_at is not None:
            return {"signed out": Refusal.SIGNED_OUT, "idle": Refusal.IDLE,
                    "no longer a moderator": Refusal.NOT_MODERATOR,
                    "revoked": Refusal.NOT_MODERATOR}.get(row.ended_why or "", Refusal.ENDED)
        now = self.clock.now()
        if now >= row.expires_at:
            await self.repo.end_session(row.token_hash, "expired", now)
            return Refusal.ENDED
        if now - row.last_seen_at >= self.idle:
            await self.repo.end_session(row.token_hash, "idle", now)
            return Refusal.IDLE
        allowed = await self.moderators.check(group, row.member_id, row.member_name)
        if allowed is None:
            return Refusal.UNCHECKED
        if not allowed:
            await self.repo.end_member_sessions(group.id, row.member_id,
                                                "no longer a moderator", now)
            log.info("dashboard session ended: no longer a moderator",
                     extra={"group": group.id, "member": row.member_id})
            return Refusal.NOT_MODERATOR
        await self.repo.touch(row.token_hash, now)
        return Session(token, row.group_id, row.member_id, row.member_name, row.expires_at)

    async def sign_out(self, session: Session) -> None:
        await self.repo.end_session(token_hash(session.token), "signed out", self.clock.now())
        log.info("dashboard sign-out", extra={"group": session.group_id,
                                              "member": session.member_id})

    async def revoke(self, group_id: str, member_id: str, name: str) -> int:
        """An operator's word that someone is no longer a moderator: their sessions end and
        a dashboard running alone refuses them from now on. Returns sessions ended."""
        now = self.clock.now()
        await self.repo.set_moderator(group_id, member_id, name, False, "operator", now)
        self.moderators._written.pop((group_id, member_id), None)
        return await self.repo.end_member_sessions(group_id, member_id, "revoked", now)


__all__ = ["LINK_LIFETIME", "NEW_LINK", "Moderators", "Refusal", "Session", "SignIn",
           "csrf_ok", "csrf_token", "new_token", "token_hash"]
