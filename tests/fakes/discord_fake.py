"""A protocol-level fake Discord (REST + gateway websocket) on 127.0.0.1.

It lets the test suite and the benchmark drive the real discord.py: the library's own HTTP
client, gateway client and payload parsing run unchanged against it. It records every REST
call; routes it does not know answer 404 and land in `unknown_routes`, so a gap fails loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
MANAGE_MESSAGES = 1 << 13
VIEW_AND_SEND = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 6)
INTENT_MEMBERS = 1 << 1
INTENT_PRESENCES = 1 << 8
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED = {"members": INTENT_MEMBERS, "presences": INTENT_PRESENCES,
              "message_content": INTENT_MESSAGE_CONTENT}
JSON = "application/json"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: float
    status: int = 200


@dataclass
class FakeMember:
    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    bot: bool = False
    timed_out_until: str | None = None  # communication_disabled_until, as last PATCHed

    def user(self) -> dict[str, Any]:
        return {"id": str(self.id), "username": self.name, "global_name": self.name,
                "discriminator": "0", "avatar": None, "bot": self.bot}

    def payload(self) -> dict[str, Any]:
        return {"user": self.user(), "roles": [str(r) for r in self.roles], "nick": None,
                "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                "flags": 0, "communication_disabled_until": self.timed_out_until}


@dataclass
class FakeGuild:
    id: int
    name: str
    channels: dict[str, int] = field(default_factory=dict)  # name -> id
    roles: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (id, perms)
    members: dict[str, FakeMember] = field(default_factory=dict)

    def role_perms(self, member: FakeMember) -> int:
        perms = self.roles["@everyone"][1]
        for rid, p in self.roles.values():
            if rid in member.roles:
                perms |= p
        return perms


@dataclass
class Session:
    id: str
    shard: tuple[int, int]
    intents: int
    seq: int = 0
    log: list[tuple[int, str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None


class FakeDiscord:
    def __init__(self, *, token: str = "fake-token-123456", portal_intents: tuple[str, ...] = (
            "members", "message_content"), echo_bot_messages: bool = True) -> None:
        self.token = token
        self.portal_intents = set(portal_intents)
        self.echo_bot_messages = echo_bot_messages
        self._ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._n = itertools.count()
        self.app_id = self.snowflake()
        self.bot = FakeMember(self.app_id, "groupbot", bot=True)
        self.guilds: dict[int, FakeGuild] = {}
        self.channel_guild: dict[int, int | None] = {}
        self.channel_names: dict[int, str] = {}
        self.threads: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # channel id -> user id
        self.dm_closed: set[int] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.deleted: list[tuple[int, int]] = []
        self.nonces: dict[tuple[int, str], int] = {}
        # False: a repeated nonce makes a second message (a test that must see every send)
        self.deduplicate_nonces = True
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.callbacks: dict[str, list[dict[str, Any]]] = {}  # interaction token -> bodies
        self.requests: list[Recorded] = []
        self.unknown_routes: list[tuple[str, str]] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.sessions: dict[str, Session] = {}
        self.faults: list[tuple[str, re.Pattern[str], int, dict[str, Any], list[int]]] = []
        # called with each message the bot creates, after it exists and before the answer
        # goes back (a crash test kills the bot here: Discord made it, the bot never heard)
        self.on_created: Callable[[dict[str, Any]], Any] | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._app = app
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            (m, re.compile("^" + p + "$"), h) for m, p, h in [  # type: ignore[misc]
                ("GET", r"/users/@me", self._me),
                ("GET", r"/oauth2/applications/@me", self._application),
                ("GET", r"/gateway/bot", self._gateway_bot),
                ("GET", r"/gateway", self._gateway_info),
                ("PUT", r"/applications/(\d+)/commands", self._put_commands),
                ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
                ("POST", r"/channels/(\d+)/messages", self._create_message),
                ("GET", r"/channels/(\d+)/messages", self._list_messages),
                ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message),
                ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message),
                ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._delete_message),
                ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._thread_on_message),
                ("POST", r"/channels/(\d+)/threads", self._thread),
                ("POST", r"/users/@me/channels", self._open_dm),
                ("PATCH", r"/guilds/(\d+)/members/(\d+)", self._edit_member),
                ("GET", r"/guilds/(\d+)/members/(\d+)", self._get_member),
                ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
                ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
                ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._edit_followup),
                ("GET", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._get_followup),
            ]
        ]

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        for s in self.sessions.values():
            if s.ws is not None and not s.ws.closed:
                await s.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- world building ----------------------------------------------------------------
    def snowflake(self) -> int:
        """Each id gets its own millisecond, so guilds spread over shards like real ones."""
        n = next(self._n)
        return ((self._ms + n) << 22) | (n & 0xFFF)

    def add_guild(self, name: str, channels: tuple[str, ...] = ("general", "mod-log"),
                  moderator_role: str = "moderator") -> FakeGuild:
        g = FakeGuild(self.snowflake(), name)
        g.roles["@everyone"] = (g.id, VIEW_AND_SEND)
        g.roles[moderator_role] = (self.snowflake(), 0)
        g.roles["Helpers"] = (self.snowflake(), MANAGE_MESSAGES)
        for c in channels:
            cid = self.snowflake()
            g.channels[c] = cid
            self.channel_guild[cid] = g.id
            self.channel_names[cid] = c
        g.members[self.bot.name] = self.bot
        self.guilds[g.id] = g
        return g

    def add_member(self, guild: FakeGuild, name: str, roles: tuple[str, ...] = ()) -> FakeMember:
        m = FakeMember(self.snowflake(), name, [guild.roles[r][0] for r in roles])
        guild.members[name] = m
        return m

    def guild_payload(self, g: FakeGuild) -> dict[str, Any]:
        return {
            "id": str(g.id), "name": g.name, "owner_id": str(self.bot.id), "unavailable": False,
            "member_count": len(g.members), "large": False, "features": [], "emojis": [],
            "stickers": [], "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0,
            "preferred_locale": "en-US", "afk_timeout": 300, "system_channel_flags": 0,
            "roles": [{"id": str(rid), "name": n, "permissions": str(p), "position": i,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False,
                       "flags": 0} for i, (n, (rid, p)) in enumerate(g.roles.items())],
            "channels": [{"id": str(cid), "type": 0, "name": n, "position": i,
                          "permission_overwrites": [], "guild_id": str(g.id), "nsfw": False,
                          "parent_id": None} for i, (n, cid) in enumerate(g.channels.items())],
            "threads": [], "members": [m.payload() for m in g.members.values()],
            "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
        }

    # -- gateway -----------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250},
                                      "s": None, "t": None}))
        session: Session | None = None
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, d = frame.get("op"), frame.get("d")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                session = await self._identify(ws, d)
            elif op == 6:
                session = await self._resume(ws, d)
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session | None:
        self.identifies.append(d)
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(d.get("intents", 0))
        for name, bit in PRIVILEGED.items():
            if intents & bit and name not in self.portal_intents:
                await ws.close(code=4014, message=b"Disallowed intent(s).")
                return None
        shard = tuple(d.get("shard") or (0, 1))
        s = Session(f"sess-{len(self.sessions)}", (int(shard[0]), int(shard[1])), intents, ws=ws)
        self.sessions[s.id] = s
        mine = [g for g in self.guilds.values() if self.owns(s, g.id)]
        await self._send(s, "READY", {
            "v": 10, "user": {**self.bot.user(), "verified": True, "mfa_enabled": False,
                              "flags": 0},
            "session_id": s.id, "resume_gateway_url": self.gateway_url,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "application": {"id": str(self.app_id), "flags": 0}, "shard": list(s.shard),
            "private_channels": [], "relationships": [],
        })
        for g in mine:
            await self._send(s, "GUILD_CREATE", self.guild_payload(g))
        await self._notify()
        return s

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> Session | None:
        self.resumes.append(d)
        s = self.sessions.get(d.get("session_id", ""))
        if s is None or d.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
            return None
        s.ws = ws
        since = int(d.get("seq") or 0)
        for seq, event, data in s.log:
            if seq > since:
                await ws.send_str(json.dumps({"op": 0, "s": seq, "t": event, "d": data}))
        await self._send(s, "RESUMED", {})
        await self._notify()
        return s

    def owns(self, s: Session, guild_id: int | None) -> bool:
        shard_id, count = s.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % count == shard_id

    async def _send(self, s: Session, event: str, data: Any) -> None:
        s.seq += 1
        s.log.append((s.seq, event, data))
        del s.log[:-500]
        if s.ws is not None and not s.ws.closed:
            try:
                await s.ws.send_str(json.dumps({"op": 0, "s": s.seq, "t": event, "d": data}))
            except ConnectionResetError:  # the client is gone (killed): Discord drops it too
                s.ws = None

    async def dispatch(self, event: str, data: Any, guild_id: int | None = None) -> None:
        """Send a dispatch to every live session whose shard owns `guild_id`."""
        for s in list(self.sessions.values()):
            if self.owns(s, guild_id) and (s.ws is not None or event != "READY"):
                if event == "MESSAGE_CREATE" and not s.intents & INTENT_MESSAGE_CONTENT:
                    data = {**data, "content": ""} if data.get("guild_id") and not any(
                        u["id"] == str(self.bot.id) for u in data.get("mentions", [])) else data
                await self._send(s, event, data)

    async def send_op(self, op: int, d: Any = None) -> None:
        for s in self.sessions.values():
            if s.ws is not None and not s.ws.closed:
                await s.ws.send_str(json.dumps({"op": op, "d": d, "s": None, "t": None}))

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway socket the way a network blip does (the client should RESUME)."""
        for s in self.sessions.values():
            if s.ws is not None and not s.ws.closed:
                ws, s.ws = s.ws, None
                await ws.close(code=code)

    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.ws is not None and not s.ws.closed]

    # -- events a test sends -----------------------------------------------------------
    def message_payload(self, guild: FakeGuild, channel: str, author: FakeMember, content: str,
                        *, message_id: int | None = None) -> dict[str, Any]:
        cid = guild.channels.get(channel) or next(
            (t for t, d in self.threads.items() if d["name"] == channel), 0)
        return {
            "id": str(message_id or self.snowflake()), "channel_id": str(cid),
            "guild_id": str(guild.id), "type": 0, "content": content, "author": author.user(),
            "member": {k: v for k, v in author.payload().items() if k != "user"},
            "timestamp": "2026-01-05T08:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": [], "pinned": False, "flags": 0, "components": [],
        }

    async def member_says(self, guild: FakeGuild, channel: str, author: FakeMember,
                          content: str) -> dict[str, Any]:
        data = self.message_payload(guild, channel, author, content)
        self.messages[int(data["id"])] = data
        await self.dispatch("MESSAGE_CREATE", data, guild.id)
        return data

    async def member_edits(self, original: dict[str, Any], content: str) -> dict[str, Any]:
        data = {**original, "content": content, "edited_timestamp": "2026-01-05T08:01:00+00:00"}
        self.messages[int(data["id"])] = data
        await self.dispatch("MESSAGE_UPDATE", data, int(data["guild_id"]))
        return data

    def _interaction_base(self, guild: FakeGuild, channel: str, member: FakeMember,
                          itype: int) -> dict[str, Any]:
        cid = guild.channels[channel]
        perms = guild.role_perms(member)
        return {
            "id": str(self.snowflake()), "application_id": str(self.app_id), "type": itype,
            "token": f"itok{self.snowflake()}", "version": 1,
            "attachment_size_limit": 8 * 1024 * 1024, "guild_id": str(guild.id),
            "channel_id": str(cid),
            "channel": {"id": str(cid), "type": 0, "name": channel, "guild_id": str(guild.id),
                        "position": 0, "permission_overwrites": []},
            "member": {**member.payload(), "permissions": str(perms)},
            "app_permissions": str(VIEW_AND_SEND | MANAGE_MESSAGES), "locale": "en-US",
            "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {},
            "context": 0,
        }

    async def slash(self, guild: FakeGuild, channel: str, member: FakeMember, path: str, /,
                    **options: Any) -> str:
        """Invoke `/path` with options; member options take FakeMember, channels a name."""
        data = self._interaction_base(guild, channel, member, 2)
        names = path.split()
        resolved: dict[str, dict[str, Any]] = {}
        opts: list[dict[str, Any]] = []
        for k, v in options.items():
            if isinstance(v, FakeMember):
                resolved.setdefault("users", {})[str(v.id)] = v.user()
                resolved.setdefault("members", {})[str(v.id)] = {
                    **{k2: v2 for k2, v2 in v.payload().items() if k2 != "user"},
                    "permissions": str(guild.role_perms(v))}
                opts.append({"name": k, "type": 6, "value": str(v.id)})
            elif isinstance(v, str) and v.startswith("#"):
                cid = guild.channels[v[1:]]
                resolved.setdefault("channels", {})[str(cid)] = {
                    "id": str(cid), "name": v[1:], "type": 0, "permissions": str(VIEW_AND_SEND)}
                opts.append({"name": k, "type": 7, "value": str(cid)})
            else:
                opts.append({"name": k, "type": 4 if isinstance(v, int) else 3, "value": v})
        for depth, sub in enumerate(reversed(names[1:])):
            opts = [{"name": sub, "type": 1 if depth == 0 else 2, "options": opts}]
        data["data"] = {"id": str(self.snowflake()), "name": names[0], "type": 1,
                        "options": opts, "resolved": resolved, "guild_id": str(guild.id)}
        self.callbacks[data["token"]] = []
        await self.dispatch("INTERACTION_CREATE", data, guild.id)
        return str(data["token"])

    async def click(self, guild: FakeGuild, channel: str, member: FakeMember, custom_id: str,
                    message: dict[str, Any] | None = None) -> str:
        data = self._interaction_base(guild, channel, member, 3)
        msg = message or self.message_payload(guild, channel, self.bot, "")
        data["message"] = msg
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        self.callbacks[data["token"]] = []
        await self.dispatch("INTERACTION_CREATE", data, guild.id)
        return str(data["token"])

    # -- waiting -----------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait (bounded) until `predicate()` is truthy.

        Re-checked on every REST call the fake records, and every few milliseconds for state
        that lives in the client (a test's feature saw a message).
        """
        async def loop() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.005)
                return result
        return await asyncio.wait_for(loop(), within)

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        rx = re.compile("^" + pattern + "$")
        return [r for r in self.requests if r.method == method and rx.match(r.path)]

    def fault(self, method: str, pattern: str, status: int, body: dict[str, Any] | None = None,
              times: int = 1) -> None:
        """Answer the next `times` matching requests with `status` (429s carry `Via`)."""
        self.faults.append((method, re.compile("^" + pattern + "$"), status, body or {}, [times]))

    # -- REST --------------------------------------------------------------------------
    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None
              ) -> web.Response:
        # exactly application/json: with "; charset" discord.py treats the body as text
        resp = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
        resp.headers["Content-Type"] = JSON
        return resp

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
        rec = Recorded(request.method, path, dict(request.query), body, dict(request.headers),
                       time.monotonic())
        self.requests.append(rec)
        try:
            for method, rx, status, fbody, left in self.faults:
                if left[0] > 0 and method == request.method and rx.match(path):
                    left[0] -= 1
                    rec.status = status
                    headers = {"Via": "1.1 google"} if status == 429 else {}
                    if status == 429:
                        fbody = {"message": "You are being rate limited.", "retry_after": 0.05,
                                 "global": False, **fbody}
                    return self._json(fbody or {"message": "fault", "code": 0}, status, headers)
            is_webhook = path.startswith(("/webhooks/", "/interactions/"))
            if not is_webhook and request.headers.get("Authorization") != f"Bot {self.token}":
                rec.status = 401
                return self._json({"message": "401: Unauthorized", "code": 0}, 401)
            for method, rx, handler in self._routes:
                m = rx.match(path)
                if m and method == request.method:
                    resp: web.Response = await handler(request, body, *m.groups())
                    rec.status = resp.status
                    return resp
            self.unknown_routes.append((request.method, path))
            rec.status = 404
            return self._json({"message": "404: Not Found", "code": 0}, 404)
        finally:
            await self._notify()

    async def _me(self, _r: web.Request, _b: Any) -> web.Response:
        return self._json({**self.bot.user(), "verified": True, "flags": 0})

    async def _application(self, _r: web.Request, _b: Any) -> web.Response:
        return self._json({"id": str(self.app_id), "name": "groupbot", "icon": None,
                           "description": "", "bot_public": True,
                           "bot_require_code_grant": False, "verify_key": "00",
                           "flags": (1 << 15 if "members" in self.portal_intents else 0)
                           | (1 << 19 if "message_content" in self.portal_intents else 0),
                           "owner": self.bot.user(), "team": None})

    async def _gateway_bot(self, _r: web.Request, _b: Any) -> web.Response:
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})

    async def _gateway_info(self, _r: web.Request, _b: Any) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _put_commands(self, _r: web.Request, body: Any, _app: str,
                            guild: str | None = None) -> web.Response:
        out = [{**c, "id": str(self.snowflake()), "application_id": str(self.app_id),
                "version": "1", **({"guild_id": guild} if guild else {})} for c in body]
        self.commands[int(guild) if guild else None] = out
        return self._json(out)

    def _message(self, channel_id: int, body: dict[str, Any], *,
                 flags: int = 0) -> dict[str, Any]:
        gid = self.channel_guild.get(channel_id)
        msg: dict[str, Any] = {
            "id": str(self.snowflake()), "channel_id": str(channel_id), "type": 0,
            "content": body.get("content") or "", "author": self.bot.user(),
            "embeds": body.get("embeds") or [], "components": body.get("components") or [],
            "timestamp": "2026-01-05T08:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "pinned": False, "flags": flags | int(body.get("flags") or 0),
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if gid is not None:
            msg["guild_id"] = str(gid)
        return msg

    async def _create_message(self, _r: web.Request, body: Any, channel: str) -> web.Response:
        cid = int(channel)
        if cid in self.dm_channels and self.dm_channels[cid] in self.dm_closed:
            return self._json({"message": "Cannot send messages to this user",
                               "code": 50007}, 403)
        if cid not in self.channel_guild and cid not in self.dm_channels:
            return self._json({"message": "Unknown Channel", "code": 10003}, 404)
        content = body.get("content") or ""
        if len(content) > 2000:
            return self._json({"message": "Invalid Form Body", "code": 50035, "errors": {
                "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}}}, 400)
        for e in body.get("embeds") or []:
            if len(e.get("description") or "") > 4096 or len(e.get("title") or "") > 256:
                return self._json({"message": "Invalid Form Body", "code": 50035}, 400)
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and self.deduplicate_nonces:
            existing = self.nonces.get((cid, str(nonce)))
            if existing is not None:
                return self._json(self.messages[existing])
        msg = self._message(cid, body)
        self.messages[int(msg["id"])] = msg
        if nonce is not None:
            self.nonces[(cid, str(nonce))] = int(msg["id"])
        if self.echo_bot_messages and cid in self.channel_guild:
            await self.dispatch("MESSAGE_CREATE", msg, self.channel_guild[cid])
        if self.on_created is not None:
            await self.on_created(msg)
        return self._json(msg)

    async def _edit_message(self, _r: web.Request, body: Any, channel: str,
                            message: str) -> web.Response:
        msg = self.messages.get(int(message))
        if msg is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        msg.update({k: v for k, v in (body or {}).items() if k in ("content", "embeds",
                                                                   "components")})
        return self._json(msg)

    async def _delete_message(self, _r: web.Request, _b: Any, channel: str,
                              message: str) -> web.Response:
        if self.messages.pop(int(message), None) is None:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        self.deleted.append((int(channel), int(message)))
        return web.Response(status=204)

    def _new_thread(self, parent: int, name: str, message_id: int | None) -> dict[str, Any]:
        tid = message_id or self.snowflake()
        gid = self.channel_guild.get(parent)
        t = {"id": str(tid), "type": 11, "name": name, "parent_id": str(parent),
             "guild_id": str(gid), "owner_id": str(self.bot.id), "message_count": 0,
             "member_count": 1, "rate_limit_per_user": 0, "flags": 0,
             "thread_metadata": {"archived": False, "auto_archive_duration": 1440,
                                 "archive_timestamp": "2026-01-05T08:00:00+00:00",
                                 "locked": False}}
        self.threads[tid] = t
        self.channel_guild[tid] = gid
        self.channel_names[tid] = name
        return t

    async def _thread_on_message(self, _r: web.Request, body: Any, channel: str,
                                 message: str) -> web.Response:
        if int(message) not in self.messages:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        if int(message) in self.threads:
            return self._json({"message": "A thread has already been created for this message",
                               "code": 160004}, 400)
        thread = self._new_thread(int(channel), body["name"], int(message))
        self.messages[int(message)]["thread"] = thread  # as Discord shows it in the history
        return self._json(thread, 201)

    async def _thread(self, _r: web.Request, body: Any, channel: str) -> web.Response:
        return self._json(self._new_thread(int(channel), body["name"], None), 201)

    async def _open_dm(self, _r: web.Request, body: Any) -> web.Response:
        uid = int(body["recipient_id"])
        cid = next((c for c, u in self.dm_channels.items() if u == uid), None)
        if cid is None:
            cid = self.snowflake()
            self.dm_channels[cid] = uid
        user = next((m.user() for g in self.guilds.values() for m in g.members.values()
                     if m.id == uid), {"id": str(uid), "username": "someone",
                                       "discriminator": "0", "avatar": None})
        return self._json({"id": str(cid), "type": 1, "recipients": [user],
                           "last_message_id": None})

    def _member_of(self, guild: str, user: str) -> FakeMember | None:
        g = self.guilds.get(int(guild))
        return next((m for m in g.members.values() if m.id == int(user)), None) if g else None

    async def _edit_member(self, _r: web.Request, body: Any, guild: str,
                           user: str) -> web.Response:
        m = self._member_of(guild, user)
        if m is None:
            return self._json({"message": "Unknown Member", "code": 10007}, 404)
        if "communication_disabled_until" in (body or {}):
            m.timed_out_until = body["communication_disabled_until"]
        return self._json({**m.payload(), **(body or {})})

    async def _get_member(self, _r: web.Request, _b: Any, guild: str,
                          user: str) -> web.Response:
        m = self._member_of(guild, user)
        if m is None:
            return self._json({"message": "Unknown Member", "code": 10007}, 404)
        return self._json(m.payload())

    async def _list_messages(self, request: web.Request, _b: Any, channel: str) -> web.Response:
        """GET /channels/{c}/messages as Discord answers it: newest first, at most `limit`
        (1-100, default 50) before `before`, or the oldest after `after`; no nonce (Discord
        does not keep it), no guild_id."""
        cid = int(channel)
        if cid not in self.channel_guild:
            return self._json({"message": "Unknown Channel", "code": 10003}, 404)
        limit = max(1, min(100, int(request.query.get("limit", 50))))
        mine = sorted((m for m in self.messages.values() if m.get("channel_id") == channel),
                      key=lambda m: int(m["id"]), reverse=True)
        if "before" in request.query:
            mine = [m for m in mine if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            mine = [m for m in mine if int(m["id"]) > int(request.query["after"])][-limit:]
        return self._json([{k: v for k, v in m.items() if k not in ("guild_id", "member",
                                                                     "nonce")}
                           for m in mine[:limit]])

    async def _get_message(self, _r: web.Request, _b: Any, channel: str,
                           message: str) -> web.Response:
        """As Discord answers GET /channels/{c}/messages/{m}: no guild_id, no member."""
        msg = self.messages.get(int(message))
        if msg is None or msg.get("channel_id") != channel:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        return self._json({k: v for k, v in msg.items() if k not in ("guild_id", "member")})

    async def _callback(self, _r: web.Request, body: Any, iid: str,
                        token: str) -> web.Response:
        if token not in self.callbacks:
            return self._json({"message": "Unknown interaction", "code": 10062}, 404)
        if any(c.get("type") in (4, 5, 6, 7) for c in self.callbacks[token]):
            return self._json({"message": "Interaction has already been acknowledged.",
                               "code": 40060}, 400)
        self.callbacks[token].append(body)
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & 64)
        msg = None
        if body.get("type") == 4:
            cid = int(_r.query.get("channel_id", 0)) or self._interaction_channel(token)
            msg = self._message(cid, data)
            self.messages[int(msg["id"])] = msg
            self.callbacks[token].append({"original": msg})
        resource: dict[str, Any] = {"type": body.get("type")}
        if msg is not None:
            resource["message"] = msg
        return self._json({"interaction": {
            "id": iid, "type": 2, "response_message_id": msg["id"] if msg else None,
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": ephemeral}, "resource": resource})

    def _interaction_channel(self, token: str) -> int:
        for s in self.sessions.values():
            for _seq, event, data in reversed(s.log):
                if event == "INTERACTION_CREATE" and data["token"] == token:
                    return int(data["channel_id"])
        return 0

    async def _followup(self, request: web.Request, body: Any, app: str,
                        token: str) -> web.Response:
        if token not in self.callbacks:
            return self._json({"message": "Unknown Webhook", "code": 10015}, 404)
        msg = self._message(self._interaction_channel(token), body or {})
        self.messages[int(msg["id"])] = msg
        self.callbacks[token].append({"followup": msg})
        return self._json(msg)

    async def _edit_followup(self, _r: web.Request, body: Any, app: str, token: str,
                             which: str) -> web.Response:
        if token not in self.callbacks:
            return self._json({"message": "Unknown Webhook", "code": 10015}, 404)
        msg = self._message(self._interaction_channel(token), body or {})
        self.callbacks[token].append({"edit": msg})
        return self._json(msg)

    async def _get_followup(self, _r: web.Request, _b: Any, app: str, token: str,
                            which: str) -> web.Response:
        for entry in reversed(self.callbacks.get(token, [])):
            if "original" in entry:
                return self._json(entry["original"])
        return self._json({"message": "Unknown Message", "code": 10008}, 404)


def loopback_trace(violations: list[str]) -> Any:
    """An aiohttp TraceConfig for `Client(http_trace=...)`: any host but 127.0.0.1 fails."""
    import aiohttp

    trace = aiohttp.TraceConfig()

    async def on_start(_session: Any, _ctx: Any, params: Any) -> None:
        host = params.url.host
        if host != "127.0.0.1":
            violations.append(f"{params.method} {params.url}")
            raise RuntimeError(f"test tried to reach {host}: tests must stay on 127.0.0.1")

    trace.on_request_start.append(on_start)
    return trace
