"""`<when>` parsing and recurrence, including spring-forward and fall-back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import islice

import pytest

from groupbot.scheduling.when import (
    Recurrence,
    WhenError,
    parse_when,
    recurrence,
    split_when_and_theme,
    to_utc,
    zone,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("text", "normal"), [
    ("weekly mon 09:00", "weekly mon 09:00"),
    ("Weekly  MONDAY 9:00", "weekly mon 09:00"),
    ("daily 19:30", "daily 19:30"),
    ("every 2 weeks fri 18:00", "every 2 weeks fri 18:00"),
    ("every monday 7pm", "weekly mon 19:00"),
    ("weekdays 08:30", "weekdays 08:30"),
    ("weekly mon,thu 09:00", "weekly mon,thu 09:00"),
    ("every 3 days 07:00", "every 3 days 07:00"),
    ("0 9 * * 1", "0 9 * * 1"),
    ("30 18 * * mon-fri", "30 18 * * mon-fri"),
])
def test_forms_parse_to_a_normal_text(text: str, normal: str) -> None:
    assert parse_when(text).text == normal


@pytest.mark.parametrize(("text", "needle"), [
    ("", "Say when"),
    ("weekly mun 09:00", "'mun' is not a day"),
    ("daily 25:00", "not a time of day"),
    ("daily 9", "needs minutes"),
    ("weekly mon", "needs a day and a time"),
    ("every 0 weeks fri 18:00", "between 1 and 52"),
    ("0 9 31 2 *", "never happens"),
    ("61 9 * * *", "outside 0-59"),
    ("sometimes", "don't understand"),
    ("x" * 500, "too long"),
    ("daily 09:00\u202e", "not a time"),
])
def test_bad_forms_get_a_clear_message(text: str, needle: str) -> None:
    with pytest.raises(WhenError) as err:
        parse_when(text)
    assert needle in str(err.value)


def test_theme_follows_the_when() -> None:
    when, theme = split_when_and_theme("weekly mon 09:00 boundaries")
    assert (when.text, theme) == ("weekly mon 09:00", "boundaries")
    when, theme = split_when_and_theme("0 9 * * 1 self care")
    assert (when.text, theme) == ("0 9 * * 1", "self care")
    assert split_when_and_theme("daily 19:30")[1] is None
    with pytest.raises(WhenError, match="'mun' is not a day"):
        split_when_and_theme("weekly mun 09:00 boundaries")


def test_unknown_time_zone() -> None:
    with pytest.raises(WhenError, match="don't know the time zone"):
        zone("Mars/Olympus")
    with pytest.raises(WhenError, match="not a time zone"):
        zone("CET-ish")
    assert str(zone("America/New_York")) == "America/New_York"


def test_weekly_in_a_zone() -> None:
    rec = recurrence("weekly mon 09:00", "Europe/Berlin")
    occ = rec.next_after(utc(2026, 1, 5, 7, 0))  # a Monday, 08:00 in Berlin
    assert occ is not None
    assert occ.key == "2026-01-05T09:00"
    assert occ.due == utc(2026, 1, 5, 8, 0)


def test_every_two_weeks_is_anchored_at_the_first_post() -> None:
    now = utc(2026, 1, 10, 12, 0)  # a Saturday
    rec = Recurrence(parse_when("every 2 weeks fri 18:00"), "UTC").bind(now)
    keys = [o.key for o in islice(rec.iter_after(now), 3)]
    assert keys == ["2026-01-16T18:00", "2026-01-30T18:00", "2026-02-13T18:00"]
    # reloaded from storage with its anchor, it keeps the same rhythm
    again = recurrence("every 2 weeks fri 18:00", "UTC", rec.anchor.isoformat()
                       if rec.anchor else None)
    assert [o.key for o in islice(again.iter_after(now + timedelta(days=10)), 1)] == [
        "2026-01-30T18:00"]


def test_cron_day_of_month_or_day_of_week() -> None:
    rec = recurrence("0 12 1 * fri", "UTC")  # the 1st of the month OR any Friday
    days = [o.local.date() for o in islice(rec.iter_after(utc(2026, 4, 28)), 4)]
    assert days == [date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 15), date(2026, 5, 22)]


# -- daylight saving ------------------------------------------------------------------------
@pytest.mark.parametrize(("tz", "day", "expected_utc"), [
    ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),  # 02:30 -> 03:00 CEST
    ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),  # 02:30 -> 03:00 EDT
])
def test_spring_forward_posts_at_the_first_valid_instant(tz: str, day: date,
                                                          expected_utc: datetime) -> None:
    rec = recurrence("daily 02:30", tz)
    occs = list(rec.between(datetime.combine(day - timedelta(days=1), datetime.min.time(),
                                             tzinfo=UTC),
                            datetime.combine(day + timedelta(days=1), datetime.min.time(),
                                             tzinfo=UTC) + timedelta(hours=12)))
    on_day = [o for o in occs if o.local.date() == day]
    assert len(on_day) == 1
    assert on_day[0].key == f"{day.isoformat()}T02:30"
    assert on_day[0].due == expected_utc
    local = on_day[0].due.astimezone(zone(tz))
    assert (local.hour, local.minute) == (3, 0)


@pytest.mark.parametrize(("tz", "day", "expected_utc"), [
    ("Europe/Berlin", date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # first 02:30 (CEST)
    ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),  # first 01:30 (EDT)
])
def test_fall_back_posts_once_at_the_first_instance(tz: str, day: date,
                                                     expected_utc: datetime) -> None:
    wall = "02:30" if tz == "Europe/Berlin" else "01:30"
    rec = recurrence(f"daily {wall}", tz)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=12)
    occs = [o for o in rec.between(start, start + timedelta(days=1, hours=12))
            if o.local.date() == day]
    assert [o.due for o in occs] == [expected_utc]


def test_half_hourly_cron_collapses_the_gap_and_does_not_repeat_the_fold() -> None:
    rec = recurrence("*/30 1-3 * * *", "Europe/Berlin")
    spring = list(rec.between(utc(2026, 3, 28, 23), utc(2026, 3, 29, 3)))
    assert [o.key[-5:] for o in spring] == ["01:00", "01:30", "02:00", "03:30"]
    assert len({o.due for o in spring}) == len(spring)
    autumn = list(rec.between(utc(2026, 10, 24, 22), utc(2026, 10, 25, 3)))
    keys = [o.key for o in autumn]
    assert len(keys) == len(set(keys)) == 6  # 01:00 .. 03:30, each wall time once


def test_to_utc_handles_ordinary_gap_and_fold_times() -> None:
    berlin = zone("Europe/Berlin")
    assert to_utc(datetime(2026, 7, 1, 12, 0), berlin) == utc(2026, 7, 1, 10, 0)
    assert to_utc(datetime(2026, 3, 29, 2, 0), berlin) == utc(2026, 3, 29, 1, 0)
    assert to_utc(datetime(2026, 10, 25, 2, 0), berlin) == utc(2026, 10, 25, 0, 0)
