"""The dashboard's web server: aiohttp, inside the bot's own process or alone.

Why these headers on every response: the pages carry a one-time token (the sign-in page) and a
CSRF token, and show members' cases, so
- Content-Security-Policy allows only this origin's stylesheet, no script at all and no
  framing; X-Frame-Options says the same to older browsers;
- Referrer-Policy no-referrer keeps a sign-in URL out of any request the page makes;
- Cache-Control no-store keeps pages out of the browser's and any proxy's cache (the
  stylesheet alone may be cached);
- no access log is written, so no token lands in a log file.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources

from aiohttp import web

from groupbot.app import Bot
from groupbot.core.errors import ConfigError
from groupbot.dashboard import views
from groupbot.dashboard.auth import SignIn
from groupbot.dashboard.context import Dashboard, page_response
from groupbot.dashboard.markup import render
from groupbot.dashboard.routes import DASH, add_routes

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _stylesheet() -> bytes:
    return (resources.files("groupbot.dashboard") / "static" / "dashboard.css").read_bytes()


@web.middleware
async def security(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The headers above on every response, and plain pages for the errors aiohttp raises."""
    try:
        resp = await handler(request)
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            what = "There is no such page." if exc.status == 404 else \
                "That page can't be used like that."
            resp = page_response(views.bare("Not here", render(
                '<p>{what}</p><p><a href="/">The dashboard\'s front page</a></p>', what=what)),
                exc.status)
        else:
            resp = web.Response(status=exc.status, text=exc.text or exc.reason,
                                headers={k: v for k, v in exc.headers.items()
                                         if k.lower() == "location"})
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
    if request.path != views.STYLESHEET:
        resp.headers["Cache-Control"] = "no-store"
    return resp


def build_app(dashboard: Dashboard) -> web.Application:
    """The aiohttp application for one dashboard."""
    app = web.Application(middlewares=[security], client_max_size=64 * 1024)
    app[DASH] = dashboard
    css = _stylesheet()

    async def stylesheet(request: web.Request) -> web.Response:
        return web.Response(body=css, content_type="text/css", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=3600"})

    app.router.add_get(views.STYLESHEET, stylesheet)
    add_routes(app)
    return app


@dataclass(frozen=True, slots=True)
class Served:
    """A running dashboard: where it listens."""

    url: str
    port: int


def _sign_in(bot: Bot) -> SignIn:
    """The bot's own sign-in rules (the `/mod dashboard` feature's), so links and sessions
    are one thing whether made in chat or used here."""
    from groupbot.features.dashboard import DashboardFeature, sign_in_for

    feature = bot.services.features.get("dashboard")  # (a bot built without it: None)
    if isinstance(feature, DashboardFeature):
        return feature.signin
    return sign_in_for(bot.services)


@asynccontextmanager
async def serve(bot: Bot, *, host: str, port: int, alone: bool = False) -> AsyncIterator[Served]:
    """Listen on host:port (0: any free port) until the block ends."""
    dashboard = Dashboard(bot, _sign_in(bot), alone=alone)
    runner = web.AppRunner(build_app(dashboard), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(f"the dashboard cannot listen on {host}:{port}: {exc.strerror or exc}"
                          ) from None
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = int(sockets[0].getsockname()[1]) if sockets else port
    local = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    shown = f"[{local}]" if ":" in local else local
    url = f"http://{shown}:{bound}"
    from groupbot.features.dashboard import DashboardFeature

    feature = bot.services.features.get("dashboard")
    if isinstance(feature, DashboardFeature):
        feature.served_at = url
    log.info("moderators' dashboard listening", extra={"url": url, "alone": alone})
    try:
        yield Served(url, bound)
    finally:
        await runner.cleanup()
