"""A protocol-level fake Slack (Web API, Socket Mode websocket, response URLs) on 127.0.0.1.

It lets the tests drive the real slack-bolt and slack_sdk: their HTTP clients, the Socket
Mode client and bolt's request parsing run unchanged against it. Every Web API call is
recorded; a method the fake does not know answers `ok: false, error: unknown_method` and lands
in `unknown_methods`, so a gap fails loudly. Bodies arrive the way Slack's SDK sends them:
JSON for chat.postMessage, form-encoded for auth.test, query strings for GET methods.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    content_type: str
    headers: dict[str, str]
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeUser:
    id: str
    name: str
    is_bot: bool = False
    tz: str = "Europe/Berlin"
    is_admin: bool = False  # a workspace admin
    is_owner: bool = False  # a workspace owner

    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "team_id": "T0FAKE0001", "name": self.name, "deleted": False,
                "real_name": self.name.title(), "tz": self.tz, "is_bot": self.is_bot,
                "is_admin": self.is_admin or self.is_owner, "is_owner": self.is_owner,
                "is_primary_owner": False,
                "profile": {"display_name": self.name, "real_name": self.name.title()}}


@dataclass
class Fault:
    method: str
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int = 1


class FakeSlack:
    def __init__(self, *, team_id: str = "T0FAKE0001", team: str = "thursday-circle",
                 echo_bot_messages: bool = True) -> None:
        self.team_id = team_id
        self.team = team
        self.echo_bot_messages = echo_bot_messages
        self._n = itertools.count(1)
        self._ts = itertools.count(1)
        self.bot = FakeUser("U0BOT00001", "groupbot", is_bot=True)
        self.bot_id = "B0BOT00001"
        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, str] = {}  # name -> id
        self.channel_names: dict[str, str] = {}  # id -> name
        self.dms: dict[str, str] = {}  # dm channel id -> user id
        self.usergroups: dict[str, list[str]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel id -> oldest first
        self.ephemerals: list[dict[str, Any]] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}  # response key -> bodies
        self.deleted: list[tuple[str, str]] = []
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.faults: list[Fault] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.connections = 0
        self.envelopes: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, dict[str, Any]] = {}
        # called with each message chat.postMessage creates, before the answer goes back (a
        # crash test kills the bot here: Slack made it, the bot never heard)
        self.on_posted: Callable[[str, dict[str, Any]], Any] | None = None
        # many workspaces (OAuth): bot token -> (team id, team name, bot id); the code an
        # installer brings back from Slack's consent page -> the token it is exchanged for
        self.workspaces: dict[str, tuple[str, str, str]] = {
            BOT_TOKEN: (team_id, team, self.bot_id)}
        self.codes: dict[str, str] = {}
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/respond/{key}", self._respond)
        self._app = app
        for name in ("general", "mod-log", "venting"):
            self.add_channel(name)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = int(server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        for ws in self.sockets:
            if not ws.closed:
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- world building --------------------------------------------------------------------
    def add_workspace(self, team_id: str, name: str) -> str:
        """A workspace whose admin approves the app on Slack's consent page: the OAuth code
        Slack would send back (exchanged once, with oauth.v2.access, for its own token)."""
        n = len(self.workspaces)
        token = f"xoxb-{team_id.lower()}-{n}-secret"
        self.workspaces[token] = (team_id, name, f"B0{team_id[-4:]}BOT{n}")
        code = f"code-{team_id}-{n}"
        self.codes[code] = token
        return code

    def token_of(self, call: Call) -> str:
        return call.headers.get("Authorization", "").removeprefix("Bearer ")

    def _id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._n):08d}"

    def add_channel(self, name: str) -> str:
        cid = self._id("C")
        self.channels[name] = cid
        self.channel_names[cid] = name
        self.messages[cid] = []
        return cid

    def add_user(self, name: str, *, admin: bool = False, owner: bool = False) -> FakeUser:
        u = FakeUser(self._id("U"), name, is_admin=admin, is_owner=owner)
        self.users[name] = u
        return u

    def add_usergroup(self, *members: FakeUser) -> str:
        gid = self._id("S")
        self.usergroups[gid] = [m.id for m in members]
        return gid

    def user_by_id(self, uid: str) -> FakeUser | None:
        if uid == self.bot.id:
            return self.bot
        return next((u for u in self.users.values() if u.id == uid), None)

    def next_ts(self) -> str:
        return f"{1772438400 + next(self._ts)}.{next(self._n):06d}"

    def fail(self, method: str, status: int = 429, *, retry_after: float | None = 1,
             error: str = "ratelimited", times: int = 1) -> None:
        """The next `times` calls of `method` fail (a 429 with Retry-After by default)."""
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        self.faults.append(Fault(method, status, headers, {"ok": False, "error": error}, times))

    # -- reading what happened ---------------------------------------------------------------
    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts_in(self, name: str) -> list[dict[str, Any]]:
        """Top-level messages the bot posted in a channel (not thread replies)."""
        cid = self.channels[name]
        return [m for m in self.messages[cid] if m.get("bot_id") and
                m.get("thread_ts", m["ts"]) == m["ts"]]

    def thread_replies(self, name: str, ts: str) -> list[dict[str, Any]]:
        cid = self.channels[name]
        return [m for m in self.messages[cid] if m.get("thread_ts") == ts and m["ts"] != ts]

    def dms_to(self, user: FakeUser) -> list[dict[str, Any]]:
        return [m for cid, u in self.dms.items() if u == user.id for m in self.messages[cid]]

    def ephemerals_to(self, user: FakeUser) -> list[dict[str, Any]]:
        return [e for e in self.ephemerals if e["user"] == user.id]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait (on the fake's own events, not by sleeping) until `predicate()` is truthy."""
        async def until() -> Any:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    await self._changed.wait()
        return await asyncio.wait_for(until(), within)

    # -- the Web API -------------------------------------------------------------------------
    @staticmethod
    def _json(data: dict[str, Any], status: int = 200,
              headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(data, status=status, headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if request.method == "POST" and request.can_read_body:
            raw = await request.read()
            if ctype == "application/json":
                args.update(json.loads(raw or b"{}"))
            else:
                args.update(dict(urllib.parse.parse_qsl(raw.decode())))
        call = Call(method, args, ctype, dict(request.headers))
        self.calls.append(call)
        try:
            response = await self._answer(request, method, args, call)
            call.status = response.status
            if response.body is not None and isinstance(response.body, bytes):
                call.answer = json.loads(response.body)
            return response
        finally:
            await self._notify()

    async def _answer(self, request: web.Request, method: str, args: dict[str, Any],
                      call: Call) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if method == "oauth.v2.access":
            return self._json(self._oauth_access(auth, args))
        if method == "apps.connections.open":
            if auth != f"Bearer {APP_TOKEN}":
                return self._json({"ok": False, "error": "invalid_auth"})
        elif auth.removeprefix("Bearer ") not in self.workspaces:
            return self._json({"ok": False, "error": "invalid_auth"})
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                return self._json(fault.body, fault.status, fault.headers)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            self.unknown_methods.append(method)
            return self._json({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = await handler(args)
        return self._json(result)

    async def _m_auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        token = self.token_of(self.calls[-1])
        team_id, team, bot_id = self.workspaces.get(token, (self.team_id, self.team,
                                                            self.bot_id))
        return {"ok": True, "url": f"https://{team}.slack.com/", "team": team,
                "user": self.bot.name, "team_id": team_id, "user_id": self.bot.id,
                "bot_id": bot_id, "is_enterprise_install": False}

    def _oauth_access(self, auth: str, a: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: the app's credentials (HTTP basic auth) and a code used once."""
        import base64

        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {expected}":
            return {"ok": False, "error": "invalid_client_id"}
        token = self.codes.pop(str(a.get("code") or ""), None)
        if token is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, name, _bot = self.workspaces[token]
        return {"ok": True, "app_id": "A0FAKE0001", "access_token": token,
                "token_type": "bot", "scope": "chat:write,commands,users:read",
                "bot_user_id": self.bot.id, "team": {"id": team_id, "name": name},
                "enterprise": None, "is_enterprise_install": False,
                "authed_user": {"id": "U0INSTALL1"}}

    async def _m_apps_connections_open(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def _check_blocks(self, blocks: Any) -> str | None:
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not isinstance(blocks, list) or len(blocks) > 50:
            return "invalid_blocks"
        action_ids: set[str] = set()
        for b in blocks:
            kind = b.get("type")
            if kind == "section" and len(b["text"]["text"]) > 3000:
                return "invalid_blocks"
            if kind == "header" and (b["text"]["type"] != "plain_text"
                                     or len(b["text"]["text"]) > 150):
                return "invalid_blocks"
            if kind == "context" and (len(b["elements"]) > 10 or any(
                    len(e.get("text", "")) > 3000 for e in b["elements"])):
                return "invalid_blocks"
            if kind == "actions":
                if len(b["elements"]) > 25:
                    return "invalid_blocks"
                for e in b["elements"]:
                    if len(e["action_id"]) > 255 or e["action_id"] in action_ids \
                            or len(e["text"]["text"]) > 75:
                        return "invalid_blocks"
                    action_ids.add(e["action_id"])
        return None

    def _message_error(self, a: dict[str, Any]) -> str | None:
        channel = str(a.get("channel", ""))
        if channel not in self.messages:
            return "channel_not_found"
        if not a.get("text") and not a.get("blocks"):
            return "no_text"
        if len(str(a.get("text") or "")) > 40000:
            return "msg_too_long"
        if a.get("blocks"):
            return self._check_blocks(a["blocks"])
        return None

    async def _m_chat_postMessage(self, a: dict[str, Any]) -> dict[str, Any]:
        error = self._message_error(a)
        if error:
            return {"ok": False, "error": error}
        cid = str(a["channel"])
        blocks = a.get("blocks")
        msg: dict[str, Any] = {"type": "message", "ts": self.next_ts(), "user": self.bot.id,
                               "bot_id": self.bot_id, "text": a.get("text") or "",
                               "team": self.team_id}
        if blocks:
            msg["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        if a.get("metadata"):
            meta = a["metadata"]
            msg["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
        if a.get("thread_ts"):
            msg["thread_ts"] = str(a["thread_ts"])
            parent = next((m for m in self.messages[cid] if m["ts"] == msg["thread_ts"]), None)
            if parent is None:
                return {"ok": False, "error": "thread_not_found"}
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = parent.get("reply_count", 0) + 1
        self.messages[cid].append(msg)
        if self.echo_bot_messages and cid in self.channel_names:
            await self.event({**msg, "channel": cid, "channel_type": "channel"})
        if self.on_posted is not None:
            await self.on_posted(cid, msg)
        return {"ok": True, "channel": cid, "ts": msg["ts"], "message": msg}

    async def _m_chat_postEphemeral(self, a: dict[str, Any]) -> dict[str, Any]:
        error = self._message_error(a)
        if error:
            return {"ok": False, "error": error}
        if self.user_by_id(str(a.get("user", ""))) is None:
            return {"ok": False, "error": "user_not_found"}
        self.ephemerals.append(dict(a))
        return {"ok": True, "message_ts": self.next_ts()}

    async def _m_chat_delete(self, a: dict[str, Any]) -> dict[str, Any]:
        cid, ts = str(a.get("channel")), str(a.get("ts"))
        msgs = self.messages.get(cid)
        found = next((m for m in msgs or [] if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        if found.get("bot_id") != self.bot_id:  # a bot token deletes only its own messages
            return {"ok": False, "error": "cant_delete_message"}
        assert msgs is not None
        msgs.remove(found)
        self.deleted.append((cid, ts))
        return {"ok": True, "channel": cid, "ts": ts}

    async def _m_chat_getPermalink(self, a: dict[str, Any]) -> dict[str, Any]:
        """As Slack answers: the message's web address, a thread reply's naming its thread."""
        cid, ts = str(a.get("channel", "")), str(a.get("message_ts", ""))
        if cid not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        found = next((m for m in self.messages[cid] if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://{self.team}.slack.com/archives/{cid}/p{ts.replace('.', '')}"
        if found.get("thread_ts", ts) != ts:
            link += f"?thread_ts={found['thread_ts']}&cid={cid}"
        return {"ok": True, "channel": cid, "permalink": link}

    async def _m_conversations_open(self, a: dict[str, Any]) -> dict[str, Any]:
        uid = str(a.get("users", ""))
        if self.user_by_id(uid) is None or "," in uid:
            return {"ok": False, "error": "user_not_found"}
        cid = next((c for c, u in self.dms.items() if u == uid), None)
        if cid is None:
            cid = self._id("D")
            self.dms[cid] = uid
            self.messages[cid] = []
        return {"ok": True, "channel": {"id": cid}}

    async def _m_conversations_history(self, a: dict[str, Any]) -> dict[str, Any]:
        cid = str(a.get("channel", ""))
        if cid not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        with_meta = str(a.get("include_all_metadata", "")).lower() in ("1", "true")
        top = [m for m in reversed(self.messages[cid]) if m.get("thread_ts", m["ts"]) == m["ts"]]
        inclusive = str(a.get("inclusive", "")).lower() in ("1", "true")
        if a.get("latest"):  # bounds compare as numbers; `inclusive` keeps the edges
            latest = float(a["latest"])
            top = [m for m in top if float(m["ts"]) < latest or
                   (inclusive and float(m["ts"]) == latest)]
        if a.get("oldest"):
            oldest = float(a["oldest"])
            top = [m for m in top if float(m["ts"]) > oldest or
                   (inclusive and float(m["ts"]) == oldest)]
        limit = int(a.get("limit") or 100)
        start = int(a.get("cursor") or 0)
        page = top[start:start + limit]
        out = [m if with_meta else {k: v for k, v in m.items() if k != "metadata"}
               for m in page]
        more = start + limit < len(top)
        return {"ok": True, "messages": out, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    async def _m_conversations_replies(self, a: dict[str, Any]) -> dict[str, Any]:
        """As Slack answers: `ts` of a thread's parent or of one of its replies gives the
        whole thread, parent first; `ts` of an unthreaded message gives just that one."""
        cid, ts = str(a.get("channel", "")), str(a.get("ts", ""))
        if cid not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        found = next((m for m in self.messages[cid] if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "thread_not_found"}
        root = str(found.get("thread_ts") or ts)
        thread = [m for m in self.messages[cid] if m["ts"] == root or m.get("thread_ts") == root]
        return {"ok": True, "messages": thread, "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    async def _m_conversations_info(self, a: dict[str, Any]) -> dict[str, Any]:
        cid = str(a.get("channel", ""))
        if cid not in self.channel_names:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": cid, "name": self.channel_names[cid],
                                        "is_channel": True, "is_member": True}}

    async def _m_conversations_list(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channels": [{"id": c, "name": n, "is_channel": True,
                                          "is_private": False}
                                         for c, n in self.channel_names.items()],
                "response_metadata": {"next_cursor": ""}}

    async def _m_users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        user = self.user_by_id(str(a.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.payload()}

    async def _m_users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "members": [u.payload() for u in [self.bot, *self.users.values()]],
                "response_metadata": {"next_cursor": ""}}

    async def _m_usergroups_users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        gid = str(a.get("usergroup", ""))
        if gid not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[gid])}

    # -- response_url ------------------------------------------------------------------------
    async def _respond(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        if key not in self.responses:
            return web.Response(status=404, text="no_response_url")
        self.responses[key].append(await request.json())
        await self._notify()
        return web.Response(text="ok")

    def new_response_url(self) -> tuple[str, str]:
        key = f"r{next(self._n)}"
        self.responses[key] = []
        return key, f"http://127.0.0.1:{self.port}/respond/{key}"

    # -- Socket Mode -----------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self.connections += 1
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0FAKE0001"},
                                      "debug_info": {"host": "fake"}}))
        await self._notify()
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            eid = data.get("envelope_id")
            if eid in self.envelopes:
                self.acks[eid] = data
                await self._notify()
        return ws

    def live_socket(self) -> web.WebSocketResponse | None:
        return next((ws for ws in reversed(self.sockets) if not ws.closed), None)

    async def send_envelope(self, kind: str, payload: dict[str, Any], *,
                            accepts_response_payload: bool = False) -> str:
        """Deliver an envelope on the live socket; returns its id (see `acked`)."""
        ws = await self.wait_for(self.live_socket)
        eid = f"env-{next(self._n)}"
        envelope = {"envelope_id": eid, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload}
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        self.envelopes[eid] = envelope
        await ws.send_str(json.dumps(envelope))
        return eid

    async def acked(self, envelope_id: str) -> dict[str, Any]:
        ack: dict[str, Any] = await self.wait_for(lambda: self.acks.get(envelope_id))
        return ack

    async def refresh(self) -> None:
        """Slack's periodic `disconnect`: the client must fetch a new URL and reconnect."""
        ws = self.live_socket()
        assert ws is not None
        await ws.send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                      "debug_info": {"host": "fake"}}))

    # -- payloads a test sends -----------------------------------------------------------------
    def slash_payload(self, user: FakeUser, channel: str, text: str) -> tuple[str, dict[str, Any]]:
        key, url = self.new_response_url()
        return key, {
            "token": "legacy", "team_id": self.team_id, "team_domain": self.team,
            "channel_id": self.channels[channel], "channel_name": channel,
            "user_id": user.id, "user_name": user.name, "command": "/groupbot", "text": text,
            "api_app_id": "A0FAKE0001", "is_enterprise_install": "false",
            "response_url": url, "trigger_id": f"trig.{next(self._n)}"}

    async def slash(self, user: FakeUser, channel: str, text: str) -> str:
        """`/groupbot <text>` over Socket Mode; returns the response_url key."""
        key, payload = self.slash_payload(user, channel, text)
        await self.send_envelope("slash_commands", payload, accepts_response_payload=True)
        return key

    async def answer(self, key: str, n: int = 1) -> list[dict[str, Any]]:
        """The first `n` bodies posted to a response_url."""
        found: list[dict[str, Any]] = await self.wait_for(
            lambda: self.responses[key] if len(self.responses[key]) >= n else None)
        return found

    def event_payload(self, event: dict[str, Any], event_id: str | None = None, *,
                      team_id: str | None = None) -> dict[str, Any]:
        team_id = team_id or self.team_id
        return {"token": "legacy", "team_id": team_id, "api_app_id": "A0FAKE0001",
                "event": event, "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._n):08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": team_id, "user_id": self.bot.id,
                                    "is_bot": True, "is_enterprise_install": False}],
                "is_ext_shared_channel": False, "event_context": "ctx"}

    async def event(self, event: dict[str, Any], event_id: str | None = None) -> str | None:
        if self.live_socket() is None:
            return None
        return await self.send_envelope("events_api", self.event_payload(event, event_id))

    async def say(self, user: FakeUser, channel: str, text: str, *,
                  event_id: str | None = None, thread_ts: str | None = None) -> dict[str, Any]:
        cid = self.channels[channel]
        msg: dict[str, Any] = {"type": "message", "user": user.id, "text": text,
                               "ts": self.next_ts(), "team": self.team_id}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        self.messages[cid].append(msg)
        await self.event({**msg, "channel": cid, "channel_type": "channel",
                          "event_ts": msg["ts"]}, event_id)
        return msg

    async def edit(self, channel: str, original: dict[str, Any], text: str) -> dict[str, Any]:
        cid = self.channels[channel]
        new = {**original, "text": text, "edited": {"user": original["user"],
                                                    "ts": self.next_ts()}}
        self.messages[cid] = [new if m["ts"] == original["ts"] else m
                              for m in self.messages[cid]]
        await self.event({"type": "message", "subtype": "message_changed", "channel": cid,
                          "channel_type": "channel", "hidden": True, "message": new,
                          "previous_message": original, "ts": self.next_ts(),
                          "event_ts": self.next_ts()})
        return new

    def click_payload(self, user: FakeUser, channel: str, message: dict[str, Any],
                      action_id: str) -> tuple[str, dict[str, Any]]:
        key, url = self.new_response_url()
        cid = self.channels.get(channel) or channel
        element = next(e for b in message.get("blocks", []) if b["type"] == "actions"
                       for e in b["elements"] if e["action_id"] == action_id)
        return key, {
            "type": "block_actions", "team": {"id": self.team_id, "domain": self.team},
            "user": {"id": user.id, "username": user.name, "name": user.name,
                     "team_id": self.team_id},
            "api_app_id": "A0FAKE0001", "token": "legacy",
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": cid,
                          "is_ephemeral": False},
            "trigger_id": f"trig.{next(self._n)}", "channel": {"id": cid, "name": channel},
            "message": message, "response_url": url, "state": {"values": {}},
            "actions": [{"action_id": element["action_id"], "block_id": "b1",
                         "value": element["value"], "type": "button",
                         "text": element["text"], "action_ts": self.next_ts()}]}

    async def click(self, user: FakeUser, channel: str, message: dict[str, Any],
                    action_id: str) -> str:
        key, payload = self.click_payload(user, channel, message, action_id)
        await self.send_envelope("interactive", payload, accepts_response_payload=False)
        return key


async def post_signed(url: str, body: str, *, secret: str = SIGNING_SECRET,
                      timestamp: int | None = None, form: bool = True) -> tuple[int, str]:
    """POST to an HTTP-mode bot as Slack does, signed with `secret` (used by tests)."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert sig is not None
    headers = {"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts,
               "Content-Type": "application/x-www-form-urlencoded" if form
               else "application/json"}
    async with aiohttp.ClientSession() as session, \
            session.post(url, data=body.encode(), headers=headers) as resp:
        return resp.status, await resp.text()
