"""Slack HTTP mode's front door: what a stranger sends costs little memory and writes no log.

Every POST to `/slack/events` passes `HttpGate.handle` before slack-bolt sees it:

1. **Size.** A body over the limit (`[slack] max_body_bytes`, 1 MiB by default; Slack's own
   payloads are a few KB, and even an edited 40,000-character message with its blocks stays
   far below) is refused with 413 from its Content-Length, before any of it is read. A body
   sent without one (chunked, or compressed) is read only up to the limit.
2. **Signature headers**, checked before the body is read: the timestamp must be ASCII digits
   within five minutes of our clock, the signature `v0=` and 64 lowercase hex digits; anything
   else (missing, letters, 400 digits, non-ASCII, another version) is 401.
3. **The body** is read by at most `MAX_BODIES` requests at a time, each within
   `BODY_SECONDS`, in the chunks aiohttp holds (64 KiB), with the signature computed as it
   arrives. A wrong signature is 401 and the chunks are dropped there and then. So memory for
   bodies is at most `MAX_BODIES` x the limit, whatever the number of connections.
4. **A signed body** must be UTF-8; an event a JSON object; a command or a button
   form-encoded (a button's `payload` a JSON object). Otherwise 400, and nothing runs.
5. **Once.** The same timestamp and signature again (a replay, within the signature's ten
   minutes) and an event whose `event_id` already came (Slack's retries, with
   `X-Slack-Retry-Num`) are answered 200 and not run again (`dedupe.Seen`).

Why memory grew without bound before: bolt's aiohttp adapter reads a request with
`request.text()`. aiohttp's `read()` grows a bytearray to the body's size and, past
`client_max_size`, raises HTTPRequestEntityTooLarge from inside that loop; the exception's
traceback keeps the reading frame, and with it the megabyte already read, and aiohttp keeps the
exception in a reference cycle with the request. Only the cyclic collector frees such cycles,
and groupbot runs it rarely on purpose (`runtime.settle_heap`: thousands of allocations between
young collections), so each 413 left a megabyte or two behind, and what glibc got back it kept.
(Under the limit, bolt also parsed an unverified body before checking its signature, and logged
it whole at INFO when the check failed.) Here nothing is read for a 413, nothing is raised while
reading, and a body is parsed only once its signature is right.

Refusals are logged at DEBUG, one line each; above DEBUG only a count by reason, at most once
a minute: never a body, a header value, or a member's text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from groupbot.platforms.slack.dedupe import Seen

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 1024 * 1024  # bytes
MAX_BODIES = 16  # bodies being read at once, over all connections
BODY_SECONDS = 10.0  # to send a whole body (Slack sends one at once)
WAIT_SECONDS = 10.0  # for a turn to read the body when MAX_BODIES are being read
SIGNATURE_SECONDS = 300  # Slack's: a timestamp more than five minutes off is refused
NOTE_SECONDS = 60.0  # at most one note of refusals a minute above DEBUG
# After refusing a body it has not read, aiohttp reads and drops the rest for this long (so the
# client, still sending, can read the answer) and then closes; its default is 10 s, and it
# does not notice a client that hung up meanwhile.
LINGER_SECONDS = 2.0
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_INVALID = {"error": "invalid request"}  # what bolt answers a bad signature


def signature_headers_problem(timestamp: str | None, signature: str | None,
                              now: float) -> str | None:
    """Why these headers cannot be Slack's (a short reason naming no value), or None."""
    if not timestamp or not signature:
        return "missing signature headers"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "malformed timestamp"
    if abs(now - int(timestamp)) > SIGNATURE_SECONDS:
        return "timestamp more than five minutes off"
    if not _SIGNATURE.fullmatch(signature):
        return "malformed signature"
    return None


def parse_payload(text: str, content_type: str) -> dict[str, Any] | None:
    """A signed body as a dict, or None when it is not what Slack sends.

    Events come as a JSON object; commands and buttons form-encoded (a button's form holds one
    field, `payload`, a JSON object). Bolt treats any body starting with `{` as JSON too."""
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text)
    try:
        form = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True,
                              errors="strict"))
    except ValueError:  # a field without '=', or percent-escapes that are not UTF-8
        return None
    if not form:
        return None
    if "payload" in form:
        return _json_object(form["payload"])
    return form


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class HttpGate:
    """The checks above, then the bolt app for what passes them."""

    def __init__(self, app: AsyncApp, signing_secret: str, *,
                 max_body: int = DEFAULT_MAX_BODY, max_bodies: int = MAX_BODIES,
                 clock: Callable[[], float] = time.time, seen: Seen | None = None) -> None:
        self.app = app
        self._secret = signing_secret.encode()
        self.max_body = max_body
        self.clock = clock
        self.seen = seen or Seen()
        self._turns = asyncio.Semaphore(max_bodies)
        self.refused: Counter[str] = Counter()  # "413 body over the limit" -> count
        self.replays = 0  # the same timestamp and signature again
        self.duplicate_events = 0  # an event_id already handled
        self.retries = 0  # requests with X-Slack-Retry-Num
        self.dispatched = 0  # requests handed to bolt
        self._unnoted: Counter[str] = Counter()
        self._noted_at = float("-inf")
        # GET pages beside the events (the OAuth install and redirect pages): public by
        # nature, they carry no body and no signature
        self.pages: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}

    def runner(self, path: str) -> web.AppRunner:
        """The aiohttp server for `path`: no access log (it would be written by strangers)."""
        return web.AppRunner(self.web_app(path), access_log=None,
                             lingering_time=LINGER_SECONDS)

    def web_app(self, path: str) -> web.Application:
        # client_max_size only matters if something calls request.read(); nothing here does
        app = web.Application(client_max_size=self.max_body)
        app.router.add_post(path, self.handle)
        for page, handler in self.pages.items():
            app.router.add_get(page, handler)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > self.max_body:
            return self._refuse(413, "body over the limit")
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        problem = signature_headers_problem(timestamp, signature, self.clock())
        if problem:
            return self._refuse(401, problem)
        assert timestamp is not None and signature is not None
        body = await self._read_signed(request, timestamp, signature)
        if isinstance(body, web.Response):
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse(400, "signed body is not UTF-8")
        del body
        payload = parse_payload(text, request.content_type)
        if payload is None:
            return self._refuse(400, "signed body is not what Slack sends")
        replay = hashlib.sha256(f"{timestamp}:{signature}".encode()).hexdigest()
        if not self.seen.first(f"sig:{replay}"):
            self.replays += 1
            log.debug("a replayed request ignored (same timestamp and signature)")
            return web.Response(status=200)
        event_key = self._event_key(request, payload)
        if event_key is not None and not self.seen.first(event_key):
            self.duplicate_events += 1
            log.debug("an event already handled ignored", extra={
                "event_id": payload.get("event_id"),
                "retry": request.headers.get("X-Slack-Retry-Num"),
                "retry_reason": request.headers.get("X-Slack-Retry-Reason")})
            return web.Response(status=200)
        try:
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string,
                                            headers=request.headers)  # type: ignore[arg-type]
            # bolt reads a form whose *text* holds the word "payload" as a button's (and
            # finds nothing): it gets the body as parsed here instead
            bolt_request.body = payload
            bolt_request.context = build_async_context(AsyncBoltContext({}), payload)
        except Exception:  # a shape bolt cannot read, e.g. a string where it wants an object
            if event_key is not None:
                self.seen.forget(event_key)
            return self._refuse(400, "signed body bolt cannot read")
        self.dispatched += 1
        response = await self.app.async_dispatch(bolt_request)
        if event_key is not None and response.status >= 500:
            self.seen.forget(event_key)  # nothing ran: let Slack's retry run it
        return await to_aiohttp_response(response)

    def _event_key(self, request: web.Request, payload: dict[str, Any]) -> str | None:
        if request.headers.get("X-Slack-Retry-Num"):
            self.retries += 1
        event_id = payload.get("event_id")
        if payload.get("type") != "event_callback" or not isinstance(event_id, str) \
                or not event_id:
            return None
        return f"event:{event_id}"

    async def _read_signed(self, request: web.Request, timestamp: str,
                           signature: str) -> bytes | web.Response:
        """The body, if it is within the limit and its signature is right; else the refusal.

        Read chunk by chunk (never `request.read()`), hashing as it comes; nothing is raised
        while chunks are held, so a refused body is freed as soon as this returns."""
        mac = hmac.new(self._secret, f"v0:{timestamp}:".encode(), hashlib.sha256)
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                await self._turns.acquire()
        except TimeoutError:
            return self._refuse(503, "too many bodies being read", retry_after=1)
        chunks: list[bytes] = []
        size = 0
        outcome: str | None = None
        try:
            async with asyncio.timeout(BODY_SECONDS):
                while True:
                    chunk = await request.content.readany()
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_body:
                        outcome = "over"
                        break
                    mac.update(chunk)
                    chunks.append(chunk)
        except TimeoutError:
            outcome = "slow"
        except Exception:  # the connection dropped, or a broken chunked or gzip encoding
            outcome = "broken"
        finally:
            self._turns.release()
        if outcome is not None:
            chunks.clear()
            if outcome == "over":
                return self._refuse(413, "body over the limit")
            if outcome == "slow":
                return self._refuse(408, f"body not sent within {BODY_SECONDS:g} s")
            return self._refuse(400, "body could not be read")
        if not hmac.compare_digest(mac.hexdigest(), signature[3:]):
            chunks.clear()
            return self._refuse(401, "wrong signature")
        return b"".join(chunks)

    def _refuse(self, status: int, reason: str, *, retry_after: int | None = None
                ) -> web.Response:
        key = f"{status} {reason}"
        self.refused[key] += 1
        self._unnoted[key] += 1
        log.debug("refused a request", extra={"status": status, "reason": reason})
        now = time.monotonic()
        if now - self._noted_at >= NOTE_SECONDS:
            since = {} if self._noted_at == float("-inf") else \
                {"since_seconds": round(now - self._noted_at)}
            log.warning("refused requests to the Slack endpoint", extra={
                "count": sum(self._unnoted.values()), **since,
                "reasons": "; ".join(f"{k} x{n}" for k, n in self._unnoted.most_common())})
            self._unnoted.clear()
            self._noted_at = now
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        if status == 401:
            return web.json_response(_INVALID, status=401)
        return web.Response(status=status, text=f"{reason}\n", headers=headers)
