"""The dashboard's pages, as server-rendered HTML.

Why this shape: plain, semantic HTML works without JavaScript, with a keyboard (every action is
a real <button> in a real <form>, focus always shows, a skip link leads past the menu), with a
screen reader (landmarks, labels, headings, table captions) and on a phone (one column, large
targets). Every value goes through `markup`, which escapes it. Each action is a POST form with
the session's CSRF token; filters are GET forms, so a filtered list can be bookmarked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import urlencode

from groupbot.dashboard.markup import Safe, attrs, chat_html, esc, join, render, when
from groupbot.features.queue import KIND_LABELS
from groupbot.moderation.verdict import CATEGORIES, Action
from groupbot.storage.cases import Case
from groupbot.storage.queue import QueueItem

CASE_ACTIONS = (*(a.value for a in Action if a not in (Action.ALLOW, Action.CARE)), "warn",
                "untimeout")
PAGES = (("queue", "Queue"), ("cases", "Cases"), ("schedules", "Schedules"),
         ("checkins", "Check-ins"), ("policy", "Policy"), ("settings", "Settings"))
STYLESHEET = "/static/dashboard.css"


@dataclass(frozen=True, slots=True)
class Frame:
    """What every signed-in page shows around its content."""

    base: str  # "/g/<group>"
    group_name: str
    member_name: str
    csrf: str
    current: str  # which page of PAGES
    flash: Sequence[str] = ()
    names: Mapping[str, str] | None = None


def _head(title: str) -> Safe:
    return render(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        "<title>{title}</title>\n"
        '<link rel="stylesheet" href="{css}">\n</head>\n', title=title, css=STYLESHEET)


def csrf_field(csrf: str) -> Safe:
    return render('<input type="hidden" name="csrf" value="{csrf}">', csrf=csrf)


NOTHING = Safe("")


def action_form(url: str, csrf: str, label: str, *, fields: Safe = NOTHING,
                cls: str | None = None) -> Safe:
    """One action: a POST form with the CSRF token and a button."""
    return render('<form method="post" action="{url}">{csrf}{fields}<button type="submit"{a}>'
                  "{label}</button></form>", url=url, csrf=csrf_field(csrf), fields=fields,
                  a=attrs(class_=cls), label=label)


def text_field(name: str, label: str, field_id: str, *, value: str = "",
               required: bool = False, maxlength: int = 1000) -> Safe:
    return render('<div><label for="{id}">{label}</label><input type="text" id="{id}" '
                  'name="{name}" value="{value}" maxlength="{max}"{req}></div>', id=field_id,
                  label=label, name=name, value=value, max=maxlength,
                  req=attrs(required=required))


def page(frame: Frame, title: str, body: Safe) -> Safe:
    """A signed-in page: skip link, header with the group and the menu, the content."""
    items = join(render('<li><a href="{href}"{cur}>{label}</a></li>', href=f"{frame.base}/{key}",
                        cur=attrs(aria_current="page" if key == frame.current else None),
                        label=label) for key, label in PAGES)
    flash = join(render('<div class="flash" role="status"><pre class="reply">{text}</pre></div>',
                        text=chat_html(text, frame.names)) for text in frame.flash)
    return render(
        "{head}<body>\n"
        '<a class="skip" href="#main">Skip to the content</a>\n'
        '<header class="top">\n<div><p class="brand">{group} · moderators\' dashboard</p>'
        '<p class="who">Signed in as {name}</p></div>\n'
        '<nav aria-label="Dashboard"><ul>{items}</ul></nav>\n'
        "{signout}\n</header>\n"
        '<main id="main" tabindex="-1">\n<h1>{title}</h1>\n{flash}{body}\n</main>\n'
        "<footer>groupbot is not a therapist or a crisis service. What you do here is "
        "recorded like the same chat command, with your name.</footer>\n</body>\n</html>\n",
        head=_head(f"{title} · {frame.group_name}"), group=frame.group_name,
        name=frame.member_name, items=items,
        signout=action_form(f"{frame.base}/signout", frame.csrf, "Sign out", cls="quiet"),
        title=title, flash=flash, body=body)


def bare(title: str, body: Safe) -> Safe:
    """A page outside a session: the welcome, signing in, a refusal."""
    return render("{head}<body>\n<main id=\"main\">\n<h1>{title}</h1>\n{body}\n</main>\n"
                  "</body>\n</html>\n", head=_head(title), title=title, body=body)


# -- signing in ------------------------------------------------------------------------------
def welcome() -> Safe:
    return bare("groupbot: moderators' dashboard", render(
        "<p>This is where a group's moderators see the queue, cases, schedules and check-in "
        "trends. To sign in, type <code>/mod dashboard</code> in your group: I'll send you a "
        "private link that works once, for ten minutes.</p>"))


def confirm_signin(group_name: str, member_name: str, action: str, token: str,
                   csrf: str) -> Safe:
    return bare("Sign in", render(
        "<p>Sign in to the moderators' dashboard of <strong>{group}</strong> as "
        "<strong>{name}</strong>?</p>"
        '<form method="post" action="{action}">{csrf}'
        '<input type="hidden" name="t" value="{token}">'
        '<button type="submit">Sign in</button></form>'
        "<p>The link works only once: after this, it is used up.</p>",
        group=group_name, name=member_name, action=action, csrf=csrf_field(csrf), token=token))


def refusal(title: str, why: str, how: str) -> Safe:
    return bare(title, render('<div class="refusal" role="alert"><p>{why}</p></div><p>{how}</p>',
                              why=why, how=how))


# -- the queue -------------------------------------------------------------------------------
def _status(item: QueueItem, zone: tzinfo, names: Mapping[str, str]) -> Safe:
    if item.status == "claimed" and item.claimed_by:
        who = names.get(item.claimed_by, item.claimed_by)
        at = when(item.claimed_at, zone) if item.claimed_at else Safe("")
        return render("taken by @{who} {at}", who=who, at=at)
    if item.status == "resolved":
        return esc("resolved")
    return esc("nobody has taken it yet")


def queue_items(frame: Frame, items: Sequence[QueueItem], total: int,
                held: Mapping[int, str], zone: tzinfo, me: str) -> Safe:
    names = frame.names or {}
    if not items:
        return render('<p class="lead">The queue is empty: nothing is waiting for a '
                      "moderator.</p>")
    cards = []
    for item in items:
        label = KIND_LABELS.get(item.kind, item.kind)
        url = f"{frame.base}/queue/{item.number}"
        forms = []
        if not (item.status == "claimed" and item.claimed_by == me):
            forms.append(action_form(f"{url}/claim", frame.csrf, "Claim"))
        note = text_field("note", "Note (optional)", f"note-{item.number}")
        if item.kind == "hold":
            forms.append(action_form(f"{url}/restore", frame.csrf, "Restore the message",
                                     cls="quiet"))
            forms.append(action_form(f"{url}/confirm", frame.csrf, "Confirm the removal",
                                     fields=note, cls="danger"))
        else:
            forms.append(action_form(f"{url}/resolve", frame.csrf, "Resolve", fields=note))
        extra = Safe("")
        if item.kind == "hold":
            text = held.get(item.number)
            extra = (render("<details><summary>Show the held message</summary>"
                            '<blockquote class="held">{text}</blockquote></details>', text=text)
                     if text is not None else
                     render('<p class="meta">The held text is no longer kept.</p>'))
        elif item.text:
            extra = render('<p>In their words: <q>{text}</q></p>', text=item.text)
        case = (render(' · <a href="{base}/cases/{n}">case {n}</a>', base=frame.base,
                       n=item.case_number) if item.case_number else Safe(""))
        cards.append(render(
            '<article class="card{crisis}" aria-labelledby="item-{n}">'
            '<h3 id="item-{n}"><span class="tag{tagcls}">{label}</span> Item {n}</h3>'
            "<p>{reason}</p>{extra}"
            '<p class="meta">Opened {opened} · {status}{case}</p>'
            '<div class="actions">{forms}</div></article>',
            crisis=" crisis" if item.kind == "crisis" else
            (" hold" if item.kind == "hold" else ""),
            n=item.number, tagcls=" crisis" if item.kind == "crisis" else "", label=label,
            reason=chat_html(item.reason, names), extra=extra,
            opened=when(item.created_at, zone), status=_status(item, zone, names), case=case,
            forms=join(forms)))
    more = (render('<p class="meta">…and {n} more, shown as these are closed.</p>',
                   n=total - len(items)) if total > len(items) else Safe(""))
    return render('<p class="lead">Waiting for a moderator: crisis requests first, then oldest '
                  "first. Claiming tells the others (and a member who asked) that you have it."
                  "</p>{cards}{more}", cards=join(cards), more=more)


# -- cases -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CaseFilters:
    member: str = ""
    category: str = ""
    action: str = ""
    since: str = ""  # YYYY-MM-DD, in the group's time zone
    until: str = ""  # YYYY-MM-DD, inclusive

    def query(self, **more: object) -> str:
        pairs = {k: v for k, v in (("member", self.member), ("category", self.category),
                                   ("action", self.action), ("since", self.since),
                                   ("until", self.until)) if v}
        pairs.update({k: str(v) for k, v in more.items()})
        return urlencode(pairs)


def _select(name: str, label: str, field_id: str, options: Sequence[str], chosen: str,
            empty: str) -> Safe:
    opts = join([render('<option value="">{empty}</option>', empty=empty), *(
        render("<option{a}>{o}</option>", a=attrs(selected=o == chosen), o=o)
        for o in options)])
    return render('<div><label for="{id}">{label}</label><select id="{id}" name="{name}">'
                  "{opts}</select></div>", id=field_id, label=label, name=name, opts=opts)


def _date(name: str, label: str, value: str) -> Safe:
    return render('<div><label for="f-{name}">{label}</label><input type="date" id="f-{name}" '
                  'name="{name}" value="{value}"></div>', name=name, label=label, value=value)


def _who(member_id: str, names: Mapping[str, str]) -> str:
    return "the bot" if member_id == "bot" else "@" + names.get(member_id, member_id)


def cases_list(frame: Frame, filters: CaseFilters, cases: Sequence[Case], total: int,
               page_no: int, pages: int, zone: tzinfo, problem: str | None) -> Safe:
    names = frame.names or {}
    form = render(
        '<form method="get" action="{action}" class="card" aria-label="Filter the cases">'
        '<div class="filters">{member}{category}{act}{since}{until}'
        '<div><button type="submit">Filter</button></div></div></form>',
        action=f"{frame.base}/cases",
        member=text_field("member", "Member (id or @mention)", "f-member", value=filters.member,
                          maxlength=100),
        category=_select("category", "Category", "f-category", CATEGORIES, filters.category,
                         "any"),
        act=_select("action", "Action", "f-action", CASE_ACTIONS, filters.action, "any"),
        since=_date("since", "From (date)", filters.since),
        until=_date("until", "To (date, included)", filters.until))
    notice = (render('<div class="refusal" role="alert"><p>{p}</p></div>', p=problem)
              if problem else Safe(""))
    export = render('<p><a href="{href}" download>Export these {n} cases as CSV</a> (message '
                    "text only where the group keeps it)</p>",
                    href=f"{frame.base}/cases.csv?{filters.query()}", n=total)
    if not cases:
        return render("{form}{notice}<p>No cases match.</p>", form=form, notice=notice)
    rows = join(render(
        '<tr><th scope="row"><a href="{base}/cases/{n}">{n}</a></th><td>{at}</td>'
        "<td>{action}</td><td>{cats}</td><td>{member}</td><td>{by}</td><td>{status}</td></tr>",
        base=frame.base, n=c.number, at=when(c.created_at, zone), action=c.action,
        cats=", ".join(c.categories) or "none", member=_who(c.member_id, names),
        by=_who(c.created_by, names), status="awaiting a moderator" if c.is_open else "closed"
        if any(a.kind == "close" for a in c.amendments) else "no action needed")
        for c in cases)
    nav = []
    if page_no > 1:
        nav.append(render('<a href="{base}/cases?{q}" rel="prev">Newer cases</a>',
                          base=frame.base, q=filters.query(page=page_no - 1)))
    if page_no < pages:
        nav.append(render('<a href="{base}/cases?{q}" rel="next">Older cases</a>',
                          base=frame.base, q=filters.query(page=page_no + 1)))
    return render(
        "{form}{notice}{export}"
        '<div class="table-wrap"><table><caption>Cases, newest first: page {p} of {pages} '
        "({total} in all)</caption><thead><tr>"
        '<th scope="col">Case</th><th scope="col">When</th><th scope="col">Action</th>'
        '<th scope="col">Categories</th><th scope="col">Member</th><th scope="col">By</th>'
        '<th scope="col">Status</th></tr></thead><tbody>{rows}</tbody></table></div>'
        '<nav class="pager" aria-label="Pages of cases">{nav}</nav>',
        form=form, notice=notice, export=export, p=page_no, pages=pages, total=total,
        rows=rows, nav=join(nav))


def case_detail(frame: Frame, case: Case, zone: tzinfo, now: datetime) -> Safe:
    names = frame.names or {}
    kept = case.text is not None and case.text_expires_at is not None \
        and case.text_expires_at > now
    if kept:
        assert case.text_expires_at is not None
        text = render('<dt>Message text</dt><dd><blockquote class="held">{t}</blockquote>'
                      "(kept until {until}, as the group chose)</dd>", t=case.text,
                      until=when(case.text_expires_at, zone, date_only=True))
    else:
        text = render("<dt>Message text</dt><dd>Not kept: the group keeps only a keyed hash "
                      "and the rules that fired.</dd>")
    amendments = join(render("<li>{at}: <strong>{kind}</strong> by {who}: {body}</li>",
                             at=when(a.at, zone), kind=a.kind, who=_who(a.by_member, names),
                             body=chat_html(a.body, names)) for a in case.amendments)
    url = f"{frame.base}/cases/{case.number}"
    reason = render('<div class="actions">{a}{b}</div>',
                    a=action_form(f"{url}/reason", frame.csrf, "Amend the reason",
                                  fields=text_field("text", "New reason", "case-reason",
                                                    required=True)),
                    b=action_form(f"{url}/close", frame.csrf, "Close the case",
                                  fields=text_field("text", "Closing note", "case-close",
                                                    required=True), cls="quiet"))
    return render(
        '<p><a href="{base}/cases">All cases</a></p>'
        '<dl class="settings card"><dt>Opened</dt><dd>{at} by {by}</dd>'
        "<dt>Action</dt><dd>{action} ({source})</dd><dt>Member</dt><dd>{member}</dd>"
        "<dt>Categories</dt><dd>{cats}</dd><dt>Rules</dt><dd>{rules}</dd>"
        "<dt>Severity</dt><dd>{sev}</dd><dt>Reason</dt><dd>{reason}</dd>{orig}"
        "<dt>Status</dt><dd>{status}</dd>{text}</dl>"
        "<h2>Amendments</h2>{amend}<h2>Amend</h2>{forms}",
        base=frame.base, at=when(case.created_at, zone), by=_who(case.created_by, names),
        action=case.action, source=case.source, member=_who(case.member_id, names),
        cats=", ".join(case.categories) or "none", rules=", ".join(case.rules) or "none",
        sev=case.severity, reason=chat_html(case.current_reason or "none given", names),
        orig=render("<dt>First reason</dt><dd>{r}</dd>", r=chat_html(case.reason, names))
        if case.current_reason != case.reason else Safe(""),
        status="awaiting a moderator" if case.is_open else "no action needed", text=text,
        amend=render('<ol class="amendments">{a}</ol>', a=amendments) if case.amendments
        else render("<p>None yet.</p>"), forms=reason)


# -- schedules -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScheduleView:
    id: int
    channel: str
    what: str
    when_text: str
    timezone: str
    paused: bool
    upcoming: Sequence[datetime]


def schedules_list(frame: Frame, rows: Sequence[ScheduleView], zone: tzinfo,
                   zone_name: str) -> Safe:
    if not rows:
        return render('<p class="lead">No schedules yet. Add one in chat with '
                      "<code>/mod schedule add #channel weekly mon 09:00 [theme]</code>.</p>")
    cards = []
    for row in rows:
        url = f"{frame.base}/schedules/{row.id}"
        if row.paused:
            nxt = render("<p><strong>Paused.</strong> Posts missed while paused are not made "
                         "up.</p>")
            forms = action_form(f"{url}/resume", frame.csrf, "Resume")
        else:
            times = join(render("<li>{t}</li>", t=when(t, zone)) for t in row.upcoming)
            nxt = (render("<p>Next posts ({z}):</p><ol>{times}</ol>", z=zone_name, times=times)
                   if row.upcoming else render("<p>No upcoming post.</p>"))
            forms = join([action_form(f"{url}/pause", frame.csrf, "Pause"),
                          action_form(f"{url}/skip", frame.csrf, "Skip the next post",
                                      cls="quiet")])
        own = (render(" (its own time zone: {tz})", tz=row.timezone)
               if row.timezone != zone_name else Safe(""))
        cards.append(render(
            '<article class="card" aria-labelledby="sched-{id}">'
            '<h3 id="sched-{id}">Schedule {id}: {what} in #{channel}</h3>'
            '<p class="meta">{when}{own}</p>{next}<div class="actions">{forms}</div></article>',
            id=row.id, what=row.what, channel=row.channel, when=row.when_text, own=own,
            next=nxt, forms=forms))
    return render('<p class="lead">Times are in the group\'s time zone, {z}.</p>{cards}',
                  z=zone_name, cards=join(cards))


# -- check-ins, policy, settings -------------------------------------------------------------
def checkins(chart: Safe, table: Safe, weeks: int, k: int) -> Safe:
    legend = join(render('<li><span class="swatch {c}"></span>{w}</li>', c=c, w=w)
                  for c, w in (("hard", "Finding it hard (1-2)"), ("okay", "Okay (3)"),
                               ("good", "Good (4-5)"),
                               ("empty", f"Fewer than {k} answered: not shown")))
    return render(
        '<p class="lead">How members felt over the last {weeks} weeks: each member\'s latest '
        "check-in of the week, as a share of those who answered (the number above a bar). A "
        "week is shown only when at least {k} members answered. Answers and notes stay "
        "private: no one's answer is ever shown.</p>"
        "<figure>{chart}<figcaption><ul class=\"legend\">{legend}</ul></figcaption></figure>"
        "{table}", weeks=weeks, k=k, chart=chart, legend=legend, table=table)


def policy(frame: Frame, shown: str, tested: str | None, text: str, channel: str) -> Safe:
    result = (render('<section aria-labelledby="result"><h2 id="result">What would happen'
                     '</h2><div class="card" role="status"><pre class="reply">{r}</pre></div>'
                     "</section>", r=chat_html(tested, frame.names)) if tested is not None
              else Safe(""))
    form = render(
        '<form method="post" action="{url}" class="card">{csrf}'
        '<div><label for="p-text">A message to test</label>'
        '<textarea id="p-text" name="text" required maxlength="4000">{text}</textarea></div>'
        '<div><label for="p-channel">As if in channel (optional)</label>'
        '<input type="text" id="p-channel" name="channel" value="{channel}" maxlength="100">'
        '</div><div class="actions"><button type="submit">Test it</button></div></form>',
        url=f"{frame.base}/policy/test", csrf=csrf_field(frame.csrf), text=text,
        channel=channel)
    return render(
        "{result}<h2>Test a message</h2><p>A dry run, the same as <code>/mod policy test"
        "</code>: nothing is recorded and no one is told.</p>{form}"
        '<h2>The policy in force</h2><div class="card"><pre class="reply">{shown}</pre></div>',
        result=result, form=form, shown=chat_html(shown, frame.names))


def settings(frame: Frame, fields: Sequence[tuple[str, str]], how: str) -> Safe:
    rows = join(render("<dt>{k}</dt><dd>{v}</dd>", k=k, v=chat_html(v, frame.names))
                for k, v in fields)
    return render('<dl class="settings card">{rows}</dl><p>{how}</p>', rows=rows,
                  how=chat_html(how))
