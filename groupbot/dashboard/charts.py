"""The check-in chart: an SVG drawn on the server, and the same numbers as a table.

Why SVG on the server: it needs no script and no outside library, scales to a phone, prints,
and the page's Content-Security-Policy can forbid every script. Colours come from the
stylesheet through classes (no inline styles), and every bar has a text twin in the table that
follows it, for screen readers and for anyone who would rather read numbers.

Only weeks the storage layer summarised (at least five members answered) get a bar; the rest
are marked as not shown. Nothing here can show one member's answer: it only ever receives
counts (`WeekSpread`).
"""

from __future__ import annotations

from collections.abc import Sequence

from groupbot.dashboard.markup import Safe, join, render
from groupbot.storage.checkins import K_ANONYMITY, WeekSpread

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 26, 46
BANDS = (("hard", "finding it hard (1-2)"), ("okay", "okay (3)"), ("good", "good (4-5)"))


def _label(week: WeekSpread) -> str:
    return f"{week.start.day} {week.start:%b}"


def _counts(week: WeekSpread) -> tuple[int, int, int]:
    return (week.low or 0, week.middle or 0, week.high or 0)


def mood_chart(weeks: Sequence[WeekSpread], *, chart_id: str = "moods") -> Safe:
    """A 100% stacked bar a week (finding it hard, okay, good), with how many answered."""
    shown = [w for w in weeks if w.shown]
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = max(len(weeks), 1)
    step = plot_w / n
    bar = max(step * 0.7, 2.0)
    parts: list[str] = []
    for pct in (0, 50, 100):  # grid lines and the y axis's labels
        y = TOP + plot_h * (1 - pct / 100)
        parts.append(render('<line class="grid" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>'
                            '<text x="{tx}" y="{ty}" text-anchor="end">{pct}%</text>',
                            x1=LEFT, x2=WIDTH - RIGHT, y=f"{y:.1f}", tx=LEFT - 6,
                            ty=f"{y + 4:.1f}", pct=pct))
    every = max(1, -(-len(weeks) // 9))  # at most about nine dates under the axis
    for i, week in enumerate(weeks):
        x = LEFT + step * i + (step - bar) / 2
        if week.shown:
            total = week.members
            y = TOP + plot_h
            for (cls, words), count in zip(BANDS, _counts(week), strict=True):
                if count <= 0:
                    continue
                h = plot_h * count / total
                y -= h
                parts.append(render(
                    '<rect class="{cls}" x="{x}" y="{y}" width="{w}" height="{h}">'
                    "<title>Week of {label}: {count} of {total} {words}</title></rect>",
                    cls=cls, x=f"{x:.1f}", y=f"{y:.1f}", w=f"{bar:.1f}", h=f"{h:.1f}",
                    label=_label(week), count=count, total=total, words=words))
            parts.append(render('<text x="{x}" y="{y}" text-anchor="middle">{n}</text>',
                                x=f"{x + bar / 2:.1f}", y=TOP - 8, n=total))
        else:
            parts.append(render(
                '<rect class="empty" x="{x}" y="{y}" width="{w}" height="4">'
                "<title>Week of {label}: fewer than {k} answered, not shown</title></rect>",
                x=f"{x:.1f}", y=f"{TOP + plot_h - 4:.1f}", w=f"{bar:.1f}", label=_label(week),
                k=K_ANONYMITY))
        if i % every == 0:
            parts.append(render('<text x="{x}" y="{y}" text-anchor="middle">{label}</text>',
                                x=f"{x + bar / 2:.1f}", y=HEIGHT - BOTTOM + 16,
                                label=_label(week)))
    parts.append(render('<line class="axis" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}"/>',
                        x1=LEFT, x2=WIDTH - RIGHT, y=TOP + plot_h))
    parts.append(render('<text x="{x}" y="{y}" text-anchor="middle">week starting (Monday)'
                        "</text>", x=LEFT + plot_w / 2, y=HEIGHT - 8))
    if shown:
        summary = (f"{len(shown)} of {len(weeks)} weeks had at least {K_ANONYMITY} members "
                   "answering and are shown as bars; the table below gives the same numbers.")
    else:
        summary = (f"No week had at least {K_ANONYMITY} members answering, so no week is "
                   "shown.")
    return render(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        '<title id="{id}-t">How members felt, week by week</title>'
        '<desc id="{id}-d">{summary}</desc>{body}</svg>',
        w=WIDTH, h=HEIGHT, id=chart_id, summary=summary, body=join(parts))


def mood_table(weeks: Sequence[WeekSpread]) -> Safe:
    """The chart's numbers as a table (newest week first)."""
    rows = []
    for week in reversed(weeks):
        if week.shown:
            total = week.members
            cells = join(render('<td class="num">{n} ({pct}%)</td>', n=count,
                                pct=round(100 * count / total))
                         for count in _counts(week))
            rows.append(render('<tr><th scope="row">{label}</th><td class="num">{members}</td>'
                               '{cells}<td class="num">{avg}</td></tr>',
                               label=f"{week.start:%Y-%m-%d}", members=total, cells=cells,
                               avg=f"{week.average:.1f}"))
        else:
            rows.append(render('<tr><th scope="row">{label}</th><td colspan="5">fewer than {k} '
                               "answered: not shown</td></tr>",
                               label=f"{week.start:%Y-%m-%d}", k=K_ANONYMITY))
    return render(
        '<div class="table-wrap"><table><caption>Check-ins by week (each member\'s latest '
        "answer in the week)</caption><thead><tr><th scope=\"col\">Week starting</th>"
        '<th scope="col" class="num">Answered</th><th scope="col" class="num">Finding it hard '
        '(1-2)</th><th scope="col" class="num">Okay (3)</th><th scope="col" class="num">Good '
        '(4-5)</th><th scope="col" class="num">Average</th></tr></thead><tbody>{rows}'
        "</tbody></table></div>", rows=join(rows))
