"""`groupbot health`: is the running bot's event loop still turning? (Docker's HEALTHCHECK)

`groupbot run` touches a heartbeat file every `BEAT` seconds when GROUPBOT_HEARTBEAT names
one (the image sets it), from the same event loop that serves members, so a loop that is
stuck stops the beat. `groupbot health` answers 0 while the file is fresh and 1 otherwise,
in one line either way. It reads no database and reaches no platform: it is cheap enough to
run every minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from groupbot.config import Config

ENV = "GROUPBOT_HEARTBEAT"
BEAT = 15.0  # seconds between beats
STALE = 120.0  # default --max-age: eight missed beats


def register_cli(sub: Any) -> None:
    health = sub.add_parser(
        "health", help="is the running bot alive? (for a container's health check)",
        description=f"Exit 0 when the heartbeat file ({ENV}) of `groupbot run` was touched "
                    "recently, else 1.")
    health.add_argument("--max-age", type=float, default=STALE, metavar="SECONDS",
                        help=f"how old the last beat may be (default {STALE:g})")
    health.add_argument("--file", help=f"the heartbeat file (default: ${ENV})")
    health.set_defaults(func=health_cmd)


async def health_cmd(args: argparse.Namespace, config: Config) -> int:
    name = args.file or os.environ.get(ENV)
    if not name:
        print(f"unknown: no heartbeat file (set {ENV} for `groupbot run` and here)")
        return 1
    healthy, said = check(Path(name), args.max_age, time.time())
    print(said)
    return 0 if healthy else 1


def check(path: Path, max_age: float, now: float) -> tuple[bool, str]:
    """Whether the heartbeat at `path` is at most `max_age` seconds old at `now`, and why."""
    try:
        beat = path.stat().st_mtime
    except FileNotFoundError:
        return False, f"unhealthy: no heartbeat at {path} (is `groupbot run` running?)"
    except OSError as exc:
        return False, f"unhealthy: cannot read {path}: {exc.strerror}"
    age = now - beat
    if age > max_age:
        return False, (f"unhealthy: the last heartbeat is {age:.0f} s old (more than "
                       f"{max_age:g} s): the bot's event loop is stuck or stopped")
    return True, f"ok: the bot's event loop beat {max(age, 0):.0f} s ago"


@contextlib.asynccontextmanager
async def heartbeat(name: str | None, every: float = BEAT) -> AsyncIterator[None]:
    """Touch the file `name` now and every `every` seconds while the body runs (nothing when
    `name` is empty); remove it at the end, so a stopped bot is never reported alive."""
    if not name:
        yield
        return
    path = Path(name)

    async def beat() -> None:
        while True:
            try:
                await asyncio.to_thread(path.touch)
            except OSError:
                pass  # (the health check then reports the stale or missing file)
            await asyncio.sleep(every)

    task = asyncio.create_task(beat(), name="heartbeat")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(OSError):
            await asyncio.to_thread(path.unlink)
