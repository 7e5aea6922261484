"""HTML that is escaped by default.

Why: the dashboard shows text that came from members and moderators (reasons, notes, names,
a held message). Templates here are constant strings with `{name}` fields, and every value put
into one is escaped unless it is already `Safe` (made by this module). So forgetting to escape
cannot happen by accident; writing raw HTML takes `Safe(...)` on purpose.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo


class Safe(str):
    """A string that is already HTML (escaped where it needed to be)."""

    __slots__ = ()


def esc(value: object) -> Safe:
    """`value` as HTML text: escaped, unless it already is HTML."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def render(template: str, /, **values: object) -> Safe:
    """Fill a constant template's `{name}` fields, escaping each value that is not Safe."""
    return Safe(template.format_map({k: esc(v) for k, v in values.items()}))


def join(parts: Iterable[object], sep: str = "") -> Safe:
    """Several pieces one after another (`sep` is literal HTML)."""
    return Safe(sep.join(esc(p) for p in parts))


def attrs(**values: object) -> Safe:
    """` name="value"` pairs (False and None leave the attribute out; True writes it bare)."""
    out = []
    for name, value in values.items():
        key = name.rstrip("_").replace("_", "-")
        if value is None or value is False:
            continue
        out.append(f" {key}" if value is True else f' {key}="{esc(value)}"')
    return Safe("".join(out))


_CHAT = re.compile(r"<@!?([^<>\s]{1,80})>"  # a member
                   r"|<#([^<>\s|]{1,80})(?:\|([^<>]{0,80}))?>"  # a channel (Slack: with its name)
                   r"|`([^`\n]{1,400})`")  # code


def chat_html(text: str, names: Mapping[str, str] | None = None) -> Safe:
    """A reply written for chat (mentions like <@id>, `code`, one fact a line) as HTML:
    mentions become names where known, code stays code, lines stay lines."""
    names = names or {}
    lines = []
    for line in text.splitlines():
        parts: list[str] = []
        pos = 0
        for m in _CHAT.finditer(line):
            parts.append(esc(line[pos:m.start()]))
            if m.group(1) is not None:
                who = names.get(m.group(1), m.group(1))
                parts.append(render('<span class="who">@{who}</span>', who=who))
            elif m.group(2) is not None:
                parts.append(esc("#" + (m.group(3) or m.group(2))))
            else:
                parts.append(render("<code>{code}</code>", code=m.group(4)))
            pos = m.end()
        parts.append(esc(line[pos:]))
        lines.append("".join(parts))
    return Safe("<br>\n".join(lines))


def when(at: datetime, zone: tzinfo, *, date_only: bool = False) -> Safe:
    """A <time> in the group's time zone: 'Mon 2 Mar 2026, 09:00 CET'."""
    local = at.astimezone(zone)
    if date_only:
        shown = f"{local:%a} {local.day} {local:%b %Y}"
    else:
        shown = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname() or ''}"
    return render('<time datetime="{iso}">{shown}</time>', iso=at.isoformat(),
                  shown=shown.strip())
