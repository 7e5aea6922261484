"""Why scheduled posts keep their own recurrence arithmetic (`groupbot.scheduling.when`).

APScheduler's CronTrigger (3.x) fires a wall time twice when the clocks fall back; a support
group would get the same prompt twice. Our recurrence fires it once, at its first instance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from groupbot.scheduling.when import recurrence

ZONE = "America/New_York"  # clocks fall back at 02:00 EDT on Sunday 1 November 2026
BEFORE = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def _cron_fire_times(trigger: CronTrigger, after: datetime, until: datetime) -> list[datetime]:
    """Its fire times in UTC (compared in UTC: two local times one fold apart compare equal
    in their own zone)."""
    times: list[datetime] = []
    previous = None
    now = after
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire.astimezone(UTC) > until or (
                times and fire.astimezone(UTC) == times[-1]):
            return times
        times.append(fire.astimezone(UTC))
        previous, now = fire, fire + timedelta(seconds=1)


def test_apschedulers_cron_trigger_fires_twice_at_a_fall_back() -> None:
    trigger = CronTrigger(hour=1, minute=30, timezone=ZoneInfo(ZONE))
    fired = _cron_fire_times(trigger, BEFORE, AFTER)
    on_the_day = [t for t in fired if t.astimezone(ZoneInfo(ZONE)).date().day == 1]
    assert len(on_the_day) == 2
    assert on_the_day[1] - on_the_day[0] == timedelta(hours=1)


def test_our_recurrence_fires_once_at_the_first_instance() -> None:
    occurrences = list(recurrence("daily 01:30", ZONE).between(BEFORE, AFTER))
    on_the_day = [o for o in occurrences if o.local_date == "2026-11-01"]
    assert len(on_the_day) == 1
    assert on_the_day[0].due == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
