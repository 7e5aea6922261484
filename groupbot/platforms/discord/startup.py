"""Reaching Discord at start: bounded retries with backoff and one line per failure.

Without this, a bot started while the network is down dies on its login with a long aiohttp
traceback (exit 1), and a gateway it cannot reach is retried by discord.py every 5 s forever,
a traceback each time. Here each failed try is one log line naming what failed and when the
next try is; after the last one the process stops with one clear message and exit code 75
(`EXIT_UNREACHABLE`: a temporary failure, worth starting again later).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import discord
import yarl

from groupbot.core.errors import GroupbotError

log = logging.getLogger(__name__)
T = TypeVar("T")

# What "cannot reach" means: no route, refused, DNS, a reset or a timeout (OSError covers
# aiohttp's connector errors and TimeoutError), an HTTP exchange cut short, or Discord
# answering 5xx (an outage).
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError, aiohttp.ClientError, discord.DiscordServerError, discord.GatewayNotFound)


class DiscordUnreachable(GroupbotError):
    """Discord could not be reached at start, after every try; the message says what and why."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """How start-up keeps trying: `attempts` tries in all, waiting `first` seconds after the
    first failure and doubling up to `longest` (1, 2, 4 ... 60 s: ten tries span about four
    minutes), each try given at most `timeout` seconds (a network that drops packets would
    otherwise hang a login for minutes)."""

    attempts: int = 10
    first: float = 1.0
    longest: float = 60.0
    timeout: float = 30.0

    def delay(self, failures: int) -> float:
        """The wait after the `failures`-th failed try."""
        return min(self.longest, self.first * 2.0 ** (failures - 1))

    def total(self) -> float:
        """The time spent waiting between the tries, in all."""
        return sum(self.delay(n) for n in range(1, self.attempts))


START_BACKOFF = Backoff()
Sleep = Callable[[float], Awaitable[None]]


async def reach(what: str, attempt: Callable[[], Awaitable[T]], backoff: Backoff, *,
                sleep: Sleep = asyncio.sleep,
                after_failure: Callable[[], Awaitable[None]] | None = None) -> T:
    """`attempt()` until it succeeds, at most `backoff.attempts` times; network failures are
    logged one line each and retried after the backoff's delay (anything else propagates).
    Raises `DiscordUnreachable` after the last. `after_failure` tidies up between tries."""
    for n in range(1, backoff.attempts + 1):
        try:
            return await asyncio.wait_for(attempt(), backoff.timeout)
        except NETWORK_ERRORS as exc:
            reason = describe(exc)
            if after_failure is not None:
                await after_failure()
            if n == backoff.attempts:
                raise DiscordUnreachable(
                    f"could not reach {what} after {n} tries over {_span(backoff.total())} "
                    f"({reason}). Check this machine's network (and GROUPBOT_DISCORD_API_BASE "
                    "or GROUPBOT_DISCORD_GATEWAY, if set), then start groupbot again."
                ) from None
            delay = backoff.delay(n)
            log.warning(f"cannot reach {what} ({reason}); trying again in {delay:g} s "
                        f"(try {n + 1} of {backoff.attempts})",
                        extra={"attempt": n, "retry_in": delay})
            await sleep(delay)
    raise AssertionError("unreachable: Backoff.attempts must be at least 1")


async def probe_gateway(gateway: yarl.URL) -> None:
    """Open a websocket to the gateway and close it at once (no IDENTIFY, so no session is
    used up): proof that discord.py's own connection can get through. (`reach` bounds it.)"""
    url = gateway.with_query({"v": "10", "encoding": "json"})
    async with aiohttp.ClientSession() as session, session.ws_connect(str(url), autoping=False):
        pass


def describe(exc: BaseException) -> str:
    """One line for a network error (aiohttp's already name the host)."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, discord.DiscordServerError):
        return f"Discord answered HTTP {exc.status}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:g} s"
    return f"about {round(seconds / 60)} minutes"
