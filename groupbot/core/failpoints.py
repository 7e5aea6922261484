"""Crash points for the kill -9 tests: inert unless GROUPBOT_FAILPOINT names one.

`failpoint("schedule-claimed")` kills this process with SIGKILL (no cleanup, no `finally`,
nothing flushed) when the environment variable GROUPBOT_FAILPOINT is exactly that name (or
`name@N`: the Nth time it is reached), so a test can run the real bot in a subprocess and
stop it dead between two steps of a scheduled post. Read once at import: a running bot
never changes it.
"""

from __future__ import annotations

import os
import signal

ENV = "GROUPBOT_FAILPOINT"
SCHEDULE_PREPARED = "schedule-prepared"  # the content is made (a prompt taken); no claim yet
SCHEDULE_CLAIMED = "schedule-claimed"  # the claim (with its content) is committed; nothing sent
SCHEDULE_POSTED = "schedule-posted"  # the platform answered the post; nothing recorded yet
NAMES = (SCHEDULE_PREPARED, SCHEDULE_CLAIMED, SCHEDULE_POSTED)

_armed, _, _nth = (os.environ.get(ENV) or "").partition("@")
_left = int(_nth) if _nth.isdigit() and int(_nth) > 0 else 1


def failpoint(name: str) -> None:
    """Die here when armed with this name; `name@N`: the Nth time this point is reached
    (a process killed part-way through many posts, by the multi-process tests)."""
    global _left
    if _armed and _armed == name:
        _left -= 1
        if _left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
