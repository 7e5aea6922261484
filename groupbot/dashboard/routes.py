"""The dashboard's pages and actions.

Pages are GET and change nothing (opening a sign-in link included: it only shows a button).
Actions are POST only, each checked for the session's CSRF token, each run as the matching chat
command (`Dashboard.run`), then answered with a redirect to the page, which shows the command's
reply (post, redirect, get: reloading a page never repeats an action). Every group page first
goes through `Dashboard.enter`, which checks the session for that group and that its moderator
still is one.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from groupbot.core.types import Channel
from groupbot.dashboard import views
from groupbot.dashboard.auth import LINK_LIFETIME, Refusal, csrf_ok, csrf_token, new_token
from groupbot.dashboard.charts import mood_chart, mood_table
from groupbot.dashboard.context import (
    Ctx,
    Dashboard,
    cookie_name,
    group_path,
    page_response,
    refusal_response,
    signin_cookie_name,
)
from groupbot.dashboard.markup import Safe
from groupbot.features.case_log import PAGE_SIZE, write_case_log
from groupbot.features.schedules import SchedulesFeature
from groupbot.moderation.verdict import CATEGORIES
from groupbot.scheduling.jobs import what
from groupbot.storage.checkins import K_ANONYMITY
from groupbot.storage.store import Store

DASH: web.AppKey[Dashboard] = web.AppKey("dashboard", Dashboard)
CHART_WEEKS = 26  # about six months of check-ins
QUEUE_SHOWN = 50

Page = Callable[[web.Request, Dashboard, Ctx], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request, Dashboard, Ctx, dict[str, str]], Awaitable[web.StreamResponse]]


def signed_in(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A page of one group, for its signed-in moderators only."""
    async def wrapped(request: web.Request) -> web.StreamResponse:
        dash = request.app[DASH]
        ctx = await dash.enter(request)
        if isinstance(ctx, web.Response):
            return ctx
        return await handler(request, dash, ctx)
    return wrapped


def form_action(handler: Action) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An action of one group: signed in, and the form carries this session's CSRF token."""
    async def wrapped(request: web.Request) -> web.StreamResponse:
        dash = request.app[DASH]
        ctx = await dash.enter(request)
        if isinstance(ctx, web.Response):
            return ctx
        fields = await dash.check_form(ctx)
        if isinstance(fields, web.Response):
            return fields
        return await handler(request, dash, ctx, fields)
    return wrapped


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def show(dash: Dashboard, ctx: Ctx, current: str, title: str, body_of: Callable[
        [views.Frame], Any], *texts: str | None, ids: tuple[str, ...] = ()) -> web.Response:
    """A signed-in page: names filled in, and any message an action left for it."""
    flash = dash.take_flash(ctx)
    await dash.name(ctx, *texts, *flash, ids=ids)
    frame = ctx.frame(current, flash)
    return page_response(views.page(frame, title, body_of(frame)))


# -- outside a session -----------------------------------------------------------------------
async def welcome(request: web.Request) -> web.Response:
    return page_response(views.welcome())


async def signin_page(request: web.Request) -> web.Response:
    """Opening a link: shows who it signs in, and a button that spends it (a link preview
    fetching the URL spends nothing)."""
    dash = request.app[DASH]
    group = await dash.group(request)
    token = request.query.get("t", "")
    if group is None:
        return refusal_response(Refusal.FORGED, signing_in=True)
    found = await dash.signin.inspect(token, group.id)
    if isinstance(found, Refusal):
        return refusal_response(found, signing_in=True)
    # This form's CSRF token is bound to a random cookie set here (SameSite=Strict): a form
    # posted from anywhere else cannot sign this browser in, even with a good link.
    pre = request.cookies.get(signin_cookie_name(group.id)) or new_token()
    resp = page_response(views.confirm_signin(group.name, found.member_name,
                                              f"{group_path(group.id)}/signin", token,
                                              csrf_token(pre)))
    resp.set_cookie(signin_cookie_name(group.id), pre, path="/", httponly=True,
                    samesite="Strict", secure=dash.is_https(request),
                    max_age=int(LINK_LIFETIME.total_seconds()))
    return resp


async def signin_post(request: web.Request) -> web.Response:
    dash = request.app[DASH]
    group = await dash.group(request)
    form = await request.post()
    token = form.get("t")
    if group is None or not isinstance(token, str) or not dash.same_origin(request):
        return refusal_response(Refusal.FORGED, signing_in=True)
    found = await dash.signin.inspect(token, group.id)  # (a refused link says why first)
    if isinstance(found, Refusal):
        return refusal_response(found, signing_in=True)
    given = form.get("csrf")
    pre = request.cookies.get(signin_cookie_name(group.id), "")
    if not pre or not csrf_ok(pre, given if isinstance(given, str) else None):
        return page_response(views.refusal(
            "Can't sign you in", "That sign-in form did not come from the page your link "
            "opened in this browser, so I did not use the link.",
            "Open the link again and press Sign in there."), 403)
    session = await dash.signin.redeem(token, group)
    if isinstance(session, Refusal):
        return refusal_response(session, signing_in=True)
    resp = see_other(f"{group_path(group.id)}/queue")
    resp.set_cookie(cookie_name(group.id), session.token, path="/", httponly=True,
                    samesite="Strict", secure=dash.is_https(request))
    return resp


# -- signed in -------------------------------------------------------------------------------
async def home(request: web.Request) -> web.Response:
    return see_other(f"{group_path(request.match_info['group'])}/queue")


@form_action
async def signout(request: web.Request, dash: Dashboard, ctx: Ctx,
                  fields: dict[str, str]) -> web.StreamResponse:
    await dash.signin.sign_out(ctx.session)
    resp = page_response(views.refusal("Signed out", "You signed out of the dashboard.",
                                       "Type /mod dashboard in your group to sign in again."))
    resp.del_cookie(cookie_name(ctx.group.id), path="/")
    return resp


def _store(dash: Dashboard) -> Store:
    """What the pages read: the store's repositories (actions go through the commands)."""
    return dash.services.store


@signed_in
async def queue(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    store = _store(dash)
    items, total = await store.queue.waiting(ctx.group.id, QUEUE_SHOWN)
    held = await store.holds.texts(ctx.group.id, [i.number for i in items if i.kind == "hold"])
    ids = tuple(x for i in items for x in (i.member_id, i.asked_by, i.claimed_by) if x)
    return await show(dash, ctx, "queue", "Queue", lambda frame: views.queue_items(
        frame, items, total, held, ctx.zone, ctx.session.member_id),
        *(i.reason for i in items), ids=ids)


QUEUE_COMMANDS = {"claim": "mod queue claim", "resolve": "mod queue resolve",
                  "restore": "mod queue restore", "confirm": "mod queue confirm"}


@form_action
async def queue_action(request: web.Request, dash: Dashboard, ctx: Ctx,
                       fields: dict[str, str]) -> web.StreamResponse:
    verb = request.match_info["verb"]
    raw = {"id": request.match_info["n"]}
    if verb in ("resolve", "confirm"):
        raw["note"] = fields.get("note", "").strip()
    dash.flash(ctx, await dash.run(ctx, QUEUE_COMMANDS[verb], raw))
    return see_other(f"{ctx.base}/queue")


# -- cases -----------------------------------------------------------------------------------
def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


async def _filters(dash: Dashboard, ctx: Ctx) -> tuple[views.CaseFilters, dict[str, Any],
                                                       list[str]]:
    """The case filters of the query string: as typed (to show again), as the repository
    takes them, and what was wrong with them."""
    q = ctx.request.query
    shown = views.CaseFilters(member=q.get("member", "")[:100], category=q.get("category", ""),
                              action=q.get("action", ""), since=q.get("since", ""),
                              until=q.get("until", ""))
    problems: list[str] = []
    wanted: dict[str, Any] = {}
    if shown.member.strip():
        wanted["member_id"] = await dash.member_id(ctx.group, shown.member)
    if shown.category:
        if shown.category in CATEGORIES:
            wanted["category"] = shown.category
        else:
            problems.append(f"There is no category '{shown.category[:30]}'.")
    if shown.action:
        if shown.action in views.CASE_ACTIONS:
            wanted["action"] = shown.action
        else:
            problems.append(f"There is no action '{shown.action[:30]}'.")
    for key, text, extra in (("since", shown.since, 0), ("until", shown.until, 1)):
        if not text:
            continue
        day = _day(text)
        if day is None:
            problems.append(f"'{text[:20]}' is not a date (YYYY-MM-DD).")
            continue
        wanted[key] = datetime.combine(day + timedelta(days=extra), time(),
                                       tzinfo=ctx.zone)
    return shown, wanted, problems


@signed_in
async def cases(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    shown, wanted, problems = await _filters(dash, ctx)
    try:
        page_no = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page_no = 1
    store = _store(dash)
    now = dash.clock.now()
    found, total = await store.cases.find(ctx.group.id, limit=PAGE_SIZE,
                                               offset=(page_no - 1) * PAGE_SIZE, now=now,
                                               **wanted)
    pages = max(1, -(-total // PAGE_SIZE))
    ids = tuple(x for c in found for x in (c.member_id, c.created_by))
    return await show(dash, ctx, "cases", "Cases", lambda frame: views.cases_list(
        frame, shown, found, total, page_no, pages, ctx.zone, " ".join(problems) or None),
        ids=ids)


@signed_in
async def cases_csv(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    """The cases the list shows (same filters), by the export code `groupbot cases export`
    uses: message text only where the group keeps it."""
    _shown, wanted, problems = await _filters(dash, ctx)
    if problems:
        return page_response(views.refusal("Can't export", " ".join(problems),
                                           "Go back and correct the filter."), 400)
    out = io.StringIO()
    now = dash.clock.now()
    count = await write_case_log(_store(dash).cases, ctx.group.id, now, out, fmt="csv",
                                 **wanted)
    dash.log_export(ctx, count)
    name = f"cases-{''.join(c for c in ctx.group.id if c.isalnum())[:40]}-{now:%Y%m%d}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@signed_in
async def case(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    number = int(request.match_info["n"])
    now = dash.clock.now()
    found = await _store(dash).cases.get(ctx.group.id, number, now)
    if found is None:
        return await show(dash, ctx, "cases", f"Case {number}", lambda frame: Safe(
            "<p>There is no such case in this group.</p>"))
    ids = (found.member_id, found.created_by, *(a.by_member for a in found.amendments))
    return await show(dash, ctx, "cases", f"Case {number}", lambda frame: views.case_detail(
        frame, found, ctx.zone, now), found.reason, found.current_reason,
        *(a.body for a in found.amendments), ids=ids)


@form_action
async def case_action(request: web.Request, dash: Dashboard, ctx: Ctx,
                      fields: dict[str, str]) -> web.StreamResponse:
    number = request.match_info["n"]
    dash.flash(ctx, await dash.run(ctx, "mod case", {
        "id": number, "action": request.match_info["verb"],
        "text": fields.get("text", "").strip()}))
    return see_other(f"{ctx.base}/cases/{number}")


# -- schedules -------------------------------------------------------------------------------
def _schedules(dash: Dashboard) -> SchedulesFeature:
    feature = dash.bot.feature("schedules")
    assert isinstance(feature, SchedulesFeature)
    return feature


@signed_in
async def schedules(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    feature = _schedules(dash)
    rows = []
    for row in await feature.repo.for_group(ctx.group.id):
        # the feature's own reckoning of the next posts (exception dates and skips left out)
        upcoming = [] if row.paused else [o.due for o in await feature._upcoming(row, 3)]
        rows.append(views.ScheduleView(row.id, row.channel_name, what(row), row.when_text,
                                       row.timezone, row.paused, upcoming))
    return await show(dash, ctx, "schedules", "Schedules", lambda frame: views.schedules_list(
        frame, rows, ctx.zone, ctx.settings.timezone))


SCHEDULE_COMMANDS = {"pause": "mod schedule pause", "resume": "mod schedule resume",
                     "skip": "mod schedule skip"}


@form_action
async def schedule_action(request: web.Request, dash: Dashboard, ctx: Ctx,
                          fields: dict[str, str]) -> web.StreamResponse:
    dash.flash(ctx, await dash.run(ctx, SCHEDULE_COMMANDS[request.match_info["verb"]],
                                   {"id": request.match_info["n"]}))
    return see_other(f"{ctx.base}/schedules")


# -- check-ins -------------------------------------------------------------------------------
@signed_in
async def checkins(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    now = dash.clock.now()
    weeks = await dash.services.store.checkins.weekly_spread(
        ctx.group.id, now - timedelta(weeks=CHART_WEEKS - 1), now + timedelta(seconds=1),
        ctx.zone)
    return await show(dash, ctx, "checkins", "Check-ins", lambda frame: views.checkins(
        mood_chart(weeks), mood_table(weeks), len(weeks), K_ANONYMITY))


# -- policy ----------------------------------------------------------------------------------
async def _policy_page(dash: Dashboard, ctx: Ctx, tested: str | None = None, text: str = "",
                       channel: str = "") -> web.StreamResponse:
    shown = "\n\n".join(await dash.run(ctx, "mod policy show", {}))
    return await show(dash, ctx, "policy", "Policy", lambda frame: views.policy(
        frame, shown, tested, text, channel), shown, tested)


@signed_in
async def policy(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    return await _policy_page(dash, ctx)


@form_action
async def policy_test(request: web.Request, dash: Dashboard, ctx: Ctx,
                      fields: dict[str, str]) -> web.StreamResponse:
    """A dry run (nothing is recorded, so no redirect: the answer is this page)."""
    text = fields.get("text", "")
    name = fields.get("channel", "").strip().lstrip("#")[:100]
    channel = (Channel(f"dashboard:{name}", name, ctx.group.id) if name else None)
    tested = "\n".join(await dash.run(ctx, "mod policy test", {"text": text}, channel))
    return await _policy_page(dash, ctx, tested, text, name)


# -- settings --------------------------------------------------------------------------------
@signed_in
async def settings(request: web.Request, dash: Dashboard, ctx: Ctx) -> web.StreamResponse:
    s = ctx.settings
    keep = await _store(dash).cases.keep_text_days(ctx.group.id)
    cfg = dash.config
    role = s.moderator_role or dash.services.config.moderator_role or "not set"
    check = ("what the bot last saw (the dashboard is running without the bot)" if dash.alone
             else f"the platform ({ctx.group.platform}), on every page")
    fields = [
        ("Group", f"{ctx.group.name} ({ctx.group.platform})"),
        ("Time zone", s.timezone),
        ("Region", f"{s.region} (the support lines /resources shows)"),
        ("Moderator log", f"<#{s.modlog_channel}>" if s.modlog_channel else "not set"),
        ("Moderator role", role),
        ("Message text in cases", f"kept for {keep} days" if keep else
         "not kept (only a keyed hash and the rules)"),
        ("Who counts as a moderator here", f"checked through {check}"),
        ("Dashboard sessions", f"end after {cfg.idle_minutes} minutes without use, and "
         f"{cfg.session_hours} hours after signing in"),
    ]
    how = ("Change these in chat: `/mod setup timezone <Area/City>`, `/mod setup region "
           "<code>`, `/mod setup modlog <channel>`, `/mod setup role <role>`, `/mod policy "
           "keep-text <days>`.")
    return await show(dash, ctx, "settings", "Settings", lambda frame: views.settings(
        frame, fields, how))


def add_routes(app: web.Application) -> None:
    g = "/g/{group}"
    app.router.add_get("/", welcome)
    app.router.add_get(g + "/signin", signin_page)
    app.router.add_post(g + "/signin", signin_post)
    app.router.add_post(g + "/signout", signout)
    app.router.add_get(g, home)
    app.router.add_get(g + "/", home)
    app.router.add_get(g + "/queue", queue)
    app.router.add_post(g + r"/queue/{n:\d{1,9}}/{verb:claim|resolve|restore|confirm}",
                        queue_action)
    app.router.add_get(g + "/cases", cases)
    app.router.add_get(g + "/cases.csv", cases_csv)
    app.router.add_get(g + r"/cases/{n:\d{1,9}}", case)
    app.router.add_post(g + r"/cases/{n:\d{1,9}}/{verb:reason|close}", case_action)
    app.router.add_get(g + "/schedules", schedules)
    app.router.add_post(g + r"/schedules/{n:\d{1,9}}/{verb:pause|resume|skip}",
                        schedule_action)
    app.router.add_get(g + "/checkins", checkins)
    app.router.add_get(g + "/policy", policy)
    app.router.add_post(g + "/policy/test", policy_test)
    app.router.add_get(g + "/settings", settings)
