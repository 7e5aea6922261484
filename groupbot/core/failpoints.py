"""Crash points for the kill -9 tests: inert unless GROUPBOT_FAILPOINT names one.

`failpoint("schedule-claimed")` kills this process with SIGKILL (no cleanup, no `finally`,
nothing flushed) when the environment variable GROUPBOT_FAILPOINT is exactly that name, so a
test can run the real bot in a subprocess and stop it dead between two steps of a scheduled
post. Read once at import: a running bot never changes it.
"""

from __future__ import annotations

import os
import signal

ENV = "GROUPBOT_FAILPOINT"
SCHEDULE_PREPARED = "schedule-prepared"  # the content is made (a prompt taken); no claim yet
SCHEDULE_CLAIMED = "schedule-claimed"  # the claim (with its content) is committed; nothing sent
SCHEDULE_POSTED = "schedule-posted"  # the platform answered the post; nothing recorded yet
NAMES = (SCHEDULE_PREPARED, SCHEDULE_CLAIMED, SCHEDULE_POSTED)

_armed = os.environ.get(ENV) or None


def failpoint(name: str) -> None:
    if _armed is not None and _armed == name:
        os.kill(os.getpid(), signal.SIGKILL)
