"""The `<when>` of a schedule: human forms or 5-field cron, in an IANA time zone.

Occurrences are generated as local wall-clock times and then placed on the UTC time line:
- a wall time that does not exist (spring forward) fires at the first valid instant after it,
  which is the moment the clocks jump;
- a wall time that happens twice (fall back) fires once, at its first instance;
- several wall times that land on one instant (inside a gap) fire once.
Each occurrence is keyed by its local date and time, so a key can never be posted twice.

We compute this ourselves with `zoneinfo` rather than with APScheduler's `CronTrigger`, which
the bot uses for its periodic upkeep (`groupbot.scheduling.upkeep`) but not for posts: at a
fall-back, APScheduler 3.x fires a daily 01:30 twice, an hour apart (01:30 EDT, then 01:30
EST), and a support group would get the same prompt twice. tests/scheduling/test_dst.py shows
both. The arithmetic is small, and owning it lets us state and test what happens across DST.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from groupbot.core.errors import UsageError

EXAMPLES = ("weekly mon 09:00 · daily 19:30 · every 2 weeks fri 18:00 · weekdays 08:30 · "
            "or cron like '0 9 * * 1'")

_DAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}
_SHORT = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_CRON_DOW = {d: (i + 1) % 7 for i, d in enumerate(_SHORT)}  # cron: sun=0, mon=1 ...
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_SEARCH_DAYS = 366 * 8  # how far ahead a rule may be before we call it "never"


class WhenError(UsageError):
    """A `<when>` or time zone that cannot be used; the message says why and shows examples."""


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One firing: its ledger key (local 'YYYY-MM-DDTHH:MM'), local wall time and UTC instant."""

    key: str
    local: datetime  # naive wall time in the schedule's zone
    due: datetime  # aware, UTC

    @property
    def local_date(self) -> str:
        return self.key[:10]


@dataclass(frozen=True, slots=True)
class _DayRule:
    """Which local dates match, and the wall times on a matching date."""

    kind: str  # "days" | "weeks" | "cron"
    times: tuple[time, ...]
    interval: int = 1  # every N days / weeks
    weekdays: frozenset[int] = frozenset(range(7))  # Python weekday numbers (mon=0)
    months: frozenset[int] = frozenset(range(1, 13))
    monthdays: frozenset[int] = frozenset(range(1, 32))
    dom_star: bool = True
    dow_star: bool = True

    def matches(self, d: date, anchor: date | None) -> bool:
        if self.kind == "days":
            return anchor is None or (d - anchor).days % self.interval == 0
        if self.kind == "weeks":
            if d.weekday() not in self.weekdays:
                return False
            if self.interval == 1 or anchor is None:
                return True
            weeks = ((d - timedelta(days=d.weekday())) - anchor).days // 7
            return weeks % self.interval == 0
        if d.month not in self.months:
            return False
        dom_ok = d.day in self.monthdays
        dow_ok = d.weekday() in self.weekdays
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok  # cron: both restricted means either may match


@dataclass(frozen=True, slots=True)
class When:
    """A parsed `<when>`: `text` is its normal form (what we store and show)."""

    text: str
    rule: _DayRule

    @property
    def needs_anchor(self) -> bool:
        return self.rule.interval > 1


def parse_when(text: str) -> When:
    """Parse a human form or a 5-field cron. Raises `WhenError` with a clear message."""
    raw = " ".join(str(text).split()).lower()
    if not raw:
        raise WhenError(f"Say when to post, for example: {EXAMPLES}")
    if len(raw) > 120:
        raise WhenError(f"That schedule is too long to be a time. Examples: {EXAMPLES}")
    words = raw.split(" ")
    head = words[0]
    if head == "daily":
        return _days(1, words[1:], raw)
    if head == "weekdays":
        return _weeks(1, "mon-fri", words[1:], raw, "weekdays")
    if head == "weekly":
        if len(words) < 3:
            raise WhenError(f"'weekly' needs a day and a time, like 'weekly mon 09:00'. "
                            f"Examples: {EXAMPLES}")
        return _weeks(1, words[1], words[2:], raw)
    if head == "every":
        return _every(words[1:], raw)
    if len(words) == 5 and not any(":" in w for w in words):
        return _cron(words, raw)
    raise WhenError(f"I don't understand '{_clip(raw)}' as a time. Examples: {EXAMPLES}")


def _every(words: list[str], raw: str) -> When:
    n = 1
    if words and words[0].isdigit():
        n = int(words[0])
        words = words[1:]
    if not words:
        raise WhenError(f"'every' needs more, like 'every 2 weeks fri 18:00'. Examples: {EXAMPLES}")
    unit = words[0]
    if unit in ("day", "days"):
        if n < 1 or n > 365:
            raise WhenError("'every N days' needs N between 1 and 365.")
        return _days(n, words[1:], raw)
    if unit in ("week", "weeks"):
        if n < 1 or n > 52:
            raise WhenError("'every N weeks' needs N between 1 and 52.")
        if len(words) < 3:
            raise WhenError("'every N weeks' needs a day and a time, like "
                            "'every 2 weeks fri 18:00'.")
        return _weeks(n, words[1], words[2:], raw)
    if n == 1 and len(words) >= 2:  # "every monday 09:00"
        return _weeks(1, words[0], words[1:], raw)
    raise WhenError(f"I don't understand '{_clip(raw)}'. Examples: {EXAMPLES}")


def _days(n: int, time_words: list[str], raw: str) -> When:
    times = _times(time_words, raw)
    text = ("daily" if n == 1 else f"every {n} days") + " " + _fmt_times(times)
    return When(text, _DayRule("days", times, interval=n))


def _weeks(n: int, days_word: str, time_words: list[str], raw: str,
           label: str | None = None) -> When:
    days = _weekdays(days_word)
    times = _times(time_words, raw)
    day_text = label or ",".join(_SHORT[d] for d in sorted(days))
    prefix = "weekly" if n == 1 else f"every {n} weeks"
    text = f"{day_text} {_fmt_times(times)}"
    if not label:
        text = f"{prefix} {text}"
    return When(text, _DayRule("weeks", times, interval=n, weekdays=frozenset(days)))


def _weekdays(word: str) -> set[int]:
    out: set[int] = set()
    for part in word.split(","):
        if "-" in part:
            a, _, b = part.partition("-")
            if a not in _DAY_NAMES or b not in _DAY_NAMES:
                raise WhenError(f"'{_clip(part)}' is not a range of days like mon-fri.")
            i, j = _DAY_NAMES[a], _DAY_NAMES[b]
            out.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part in _DAY_NAMES:
            out.add(_DAY_NAMES[part])
        else:
            raise WhenError(f"'{_clip(part)}' is not a day. Use mon, tue, wed, thu, fri, sat or "
                            f"sun (or a list like mon,thu).")
    return out


def _times(words: list[str], raw: str) -> tuple[time, ...]:
    if not words:
        raise WhenError(f"'{_clip(raw)}' needs a time of day like 09:00. Examples: {EXAMPLES}")
    joined = " ".join(words).replace(" am", "am").replace(" pm", "pm")
    out: set[time] = set()
    for part in joined.split(","):
        part = part.strip()
        m = _TIME.match(part)
        if not m:
            raise WhenError(f"'{_clip(part)}' is not a time of day. Use 24-hour HH:MM, like "
                            f"09:00 or 19:30.")
        hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if ampm:
            if not 1 <= hour <= 12:
                raise WhenError(f"'{_clip(part)}' is not a time of day.")
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        elif m.group(2) is None:
            raise WhenError(f"'{_clip(part)}' needs minutes too, like {hour:02d}:00.")
        if hour > 23 or minute > 59:
            raise WhenError(f"'{_clip(part)}' is not a time of day (hours 00-23, minutes 00-59).")
        out.add(time(hour, minute))
    if len(out) > 24:
        raise WhenError("That is too many times in one day.")
    return tuple(sorted(out))


def _fmt_times(times: tuple[time, ...]) -> str:
    return ",".join(f"{t.hour:02d}:{t.minute:02d}" for t in times)


# -- cron ----------------------------------------------------------------------------------
def _cron(words: list[str], raw: str) -> When:
    names = ("minute", "hour", "day of month", "month", "day of week")
    minute = _cron_field(words[0], 0, 59, names[0], {})
    hour = _cron_field(words[1], 0, 23, names[1], {})
    dom = _cron_field(words[2], 1, 31, names[2], {})
    month = _cron_field(words[3], 1, 12, names[3], _MONTHS)
    dow_cron = _cron_field(words[4], 0, 7, names[4], _CRON_DOW)
    dows = frozenset((d - 1) % 7 for d in dow_cron)  # cron sun=0/7 -> python sun=6
    times = tuple(time(h, m) for h in sorted(hour) for m in sorted(minute))
    rule = _DayRule("cron", times, weekdays=dows, months=frozenset(month),
                    monthdays=frozenset(dom), dom_star=words[2].startswith("*"),
                    dow_star=words[4].startswith("*"))
    when = When(" ".join(words), rule)
    if not _any_date(rule):
        raise WhenError(f"The cron '{_clip(raw)}' never happens (check the day and month).")
    return when


def _cron_field(field: str, lo: int, hi: int, name: str, names: dict[str, int]) -> set[int]:
    out: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) < 1:
                raise WhenError(f"cron {name}: '{_clip(step_text)}' is not a step.")
            step = int(step_text)
        if part == "*":
            a, b = lo, hi
        elif "-" in part:
            x, _, y = part.partition("-")
            a, b = _cron_value(x, lo, hi, name, names), _cron_value(y, lo, hi, name, names)
            if a > b:
                raise WhenError(f"cron {name}: the range '{_clip(part)}' runs backwards.")
        else:
            a = _cron_value(part, lo, hi, name, names)
            b = hi if step > 1 else a
        out.update(range(a, b + 1, step))
    return out


def _cron_value(text: str, lo: int, hi: int, name: str, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise WhenError(f"cron {name}: '{_clip(text)}' is not a number from {lo} to {hi}.")
    value = int(text)
    if not lo <= value <= hi:
        raise WhenError(f"cron {name}: {value} is outside {lo}-{hi}.")
    return value


def _any_date(rule: _DayRule) -> bool:
    d = date(2024, 1, 1)  # covers leap years within the search window
    return any(rule.matches(d + timedelta(days=i), None) for i in range(366 * 4 + 7))


# -- time zones and occurrences ------------------------------------------------------------
@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """An IANA zone by name; raises `WhenError` for an unknown one."""
    if not name or len(name) > 64 or ("/" not in name and name != "UTC"):
        raise WhenError(f"'{_clip(name)}' is not a time zone. Use an IANA name like "
                        "Europe/Berlin or America/New_York.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WhenError(f"I don't know the time zone '{_clip(name)}'. Use an IANA name like "
                        "Europe/Berlin or America/New_York.") from None


def to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """Place a local wall time on the UTC time line (first instance; gaps jump forward)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # The wall time falls in a gap: fire at the transition, the first valid instant after it.
    other = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(first, other), max(first, other)
    lo_offset = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == lo_offset:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A `When` bound to a zone (and, for every-N rules, an anchor date)."""

    when: When
    tz_name: str
    anchor: date | None = None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.tz_name)

    def iter_after(self, after: datetime) -> Iterator[Occurrence]:
        """Occurrences strictly after `after` (aware), in time order, each instant once."""
        tz = self.tz
        rule = self.when.rule
        after_utc = after.astimezone(UTC)
        start = after_utc.astimezone(tz).date() - timedelta(days=1)
        last = after_utc
        misses = 0
        d = start
        while misses <= _SEARCH_DAYS and d.year < 9000:
            if rule.matches(d, self.anchor):
                misses = 0
                for t in rule.times:
                    wall = datetime.combine(d, t)
                    due = to_utc(wall, tz)
                    if due > last:
                        last = due
                        yield Occurrence(wall.strftime("%Y-%m-%dT%H:%M"), wall, due)
            else:
                misses += 1
            d += timedelta(days=1)

    def next_after(self, after: datetime) -> Occurrence | None:
        return next(self.iter_after(after), None)

    def between(self, after: datetime, until: datetime) -> Iterator[Occurrence]:
        """Occurrences with `after < due <= until`."""
        for occ in self.iter_after(after):
            if occ.due > until:
                return
            yield occ

    def bind(self, now: datetime) -> Recurrence:
        """Fix the anchor of an every-N rule to the first matching day after `now`."""
        if not self.when.needs_anchor:
            return Recurrence(self.when, self.tz_name, None)
        loose = Recurrence(When(self.when.text, _replace_interval(self.when.rule)), self.tz_name)
        first = loose.next_after(now)
        assert first is not None  # a parsed rule always has a matching day
        d = first.local.date()
        anchor = d - timedelta(days=d.weekday()) if self.when.rule.kind == "weeks" else d
        return Recurrence(self.when, self.tz_name, anchor)


def _replace_interval(rule: _DayRule) -> _DayRule:
    return _DayRule(rule.kind, rule.times, 1, rule.weekdays, rule.months, rule.monthdays,
                    rule.dom_star, rule.dow_star)


@lru_cache(maxsize=4096)
def recurrence(when_text: str, tz_name: str, anchor: str | None = None) -> Recurrence:
    """A cached Recurrence from stored text; many schedules share the same few forms."""
    return Recurrence(parse_when(when_text), tz_name,
                      date.fromisoformat(anchor) if anchor else None)


def split_when_and_theme(text: str) -> tuple[When, str | None]:
    """`weekly mon 09:00 boundaries` -> (when, "boundaries"): the longest valid prefix wins."""
    words = " ".join(str(text).split()).split(" ")
    errors: dict[int, WhenError] = {}
    for n in range(min(len(words), 8), 0, -1):
        try:
            when = parse_when(" ".join(words[:n]))
        except WhenError as exc:
            errors[n] = exc
            continue
        rest = " ".join(words[n:]).strip()
        return when, rest or None
    # Report the error of the prefix that most looks like a whole <when> (ends in a time).
    for n in sorted(errors, reverse=True):
        last = words[n - 1]
        if ":" in last or last.endswith(("am", "pm")) or n == 5:
            raise errors[n]
    raise errors[max(errors)]


def describe(occ: Occurrence, tz_name: str) -> str:
    """'Mon 12 Jan 2026, 09:00 CET' (the instant as shown in the schedule's zone)."""
    local = occ.due.astimezone(zone(tz_name))
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def _clip(text: str, n: int = 40) -> str:
    text = "".join(ch for ch in str(text) if ch.isprintable())
    return text if len(text) <= n else text[: n - 1] + "…"
