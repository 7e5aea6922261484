"""Assembling a running bot: database, store, services, features. Used by every platform."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.ports import ChatPort, Clock, SystemClock
from groupbot.features import build_features
from groupbot.features.base import Services
from groupbot.storage.database import Database
from groupbot.storage.store import Store


@asynccontextmanager
async def open_bot(config: Config, chat: ChatPort, clock: Clock | None = None, *,
                   start: bool = True) -> AsyncIterator[Bot]:
    """Open the database, build the features and start them; stop and close on exit."""
    async with Database(config.database) as db:
        services = Services(config=config, store=Store(db), clock=clock or SystemClock(),
                            chat=chat)
        bot = Bot(services, build_features(services))
        if start:
            await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()


def settle_heap() -> None:
    """Once a bot is up: collect, then move every object alive now (libraries, the word
    matcher, the policy) out of the collector's view. A full collection then scans only
    what was made since, which keeps its pause from landing on a member's message as tens
    of milliseconds. For the serving process only (what it freezes is never freed)."""
    gc.collect()
    gc.freeze()
