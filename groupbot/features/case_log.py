"""The case log as moderators and operators read it: `/mod cases` lines, and the records of
`groupbot cases export` (JSON lines or CSV).

A case's message text appears only where the group chose to keep it and only until it
expires (`CaseRepo.case_log` leaves out a text past its time); everything else in a case is
the bot's and the moderators' own words: reasons, rules, notes, amendments with who and when.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from groupbot.storage.cases import Case

PAGE_SIZE = 10  # cases per page of /mod cases
NO_CASE = "There is no case {} in this group."

_SPAN = re.compile(r"(\d{1,5})\s*(h|hours?|d|days?|w|weeks?)", re.I)
SINCE_HELP = "a date (YYYY-MM-DD, UTC) or a span back from now (7d, 12h, 2w)"


def parse_since(text: str, now: datetime) -> datetime:
    """`since` as people write it: a date (the start of that day, UTC), a date and time
    (UTC unless it says otherwise), or a span back from `now` (7d, 12h, 2w). Raises
    ValueError with a message fit to show."""
    raw = text.strip()
    span = _SPAN.fullmatch(raw)
    if span:
        n, unit = int(span.group(1)), span.group(2)[0].lower()
        hours = {"h": 1, "d": 24, "w": 24 * 7}[unit]
        return now - timedelta(hours=n * hours)
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw[:40]}' is not a date: use {SINCE_HELP}") from None
    if len(raw) < 8:  # (fromisoformat also reads "2026" or "202601" forms: not what people mean)
        raise ValueError(f"'{raw}' is not a date: use {SINCE_HELP}")
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _who(member_id: str) -> str:
    return "the bot" if member_id == "bot" else f"<@{member_id}>"


def case_line(case: Case) -> str:
    """One short line: number, when, action, categories, member, and the moderator of a
    manual case; a case awaiting a moderator says so."""
    parts = [f"#{case.number}", f"{case.created_at:%Y-%m-%d %H:%M}", case.action,
             ", ".join(case.categories) or "no category", f"<@{case.member_id}>"]
    if case.created_by != "bot":
        parts.append(f"by {_who(case.created_by)}")
    if case.is_open:
        parts.append("awaiting a moderator")
    return " · ".join(parts)


def case_record(case: Case) -> dict[str, Any]:
    """The whole case as one JSON object (`groupbot cases export --format jsonl`)."""
    return {
        "group": case.group_id,
        "case": case.number,
        "created_at": case.created_at.isoformat(),
        "action": case.action,
        "source": case.source,
        "member": case.member_id,
        "moderator": None if case.created_by == "bot" else case.created_by,
        "channel": case.channel_id,
        "message": case.message_id,
        "categories": list(case.categories),
        "rules": list(case.rules),
        "severity": case.severity,
        "reason": case.reason,
        "current_reason": case.current_reason,
        "awaiting_moderator": case.is_open,
        "error": case.error,
        "text_hash": case.text_hash,
        "text": case.text,
        "text_expires_at": case.text_expires_at.isoformat() if case.text_expires_at else None,
        "amendments": [{"at": a.at.isoformat(), "kind": a.kind, "by": a.by_member,
                        "body": a.body} for a in case.amendments],
    }


CSV_COLUMNS = ("group", "case", "created_at", "action", "source", "member", "moderator",
               "channel", "message", "categories", "rules", "severity", "reason",
               "current_reason", "awaiting_moderator", "error", "text_hash", "text",
               "text_expires_at", "amendments")
# Free text that may come from members: a spreadsheet must not read it as a formula.
_FREE_TEXT = ("reason", "current_reason", "error", "text", "amendments")


def csv_row(case: Case) -> list[str]:
    """The case as a CSV row (CSV_COLUMNS): lists joined with spaces, one amendment a line
    ("when kind by who: body"), and free text that starts like a spreadsheet formula
    (=, +, -, @) prefixed with an apostrophe."""
    record = case_record(case)
    record["categories"] = " ".join(case.categories)
    record["rules"] = " ".join(case.rules)
    record["awaiting_moderator"] = "yes" if case.is_open else "no"
    record["amendments"] = "\n".join(f"{a.at.isoformat()} {a.kind} by {a.by_member}: {a.body}"
                                     for a in case.amendments)
    row = []
    for column in CSV_COLUMNS:
        value = record[column]
        cell = "" if value is None else str(value)
        if column in _FREE_TEXT and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            cell = "'" + cell
        row.append(cell)
    return row
