"""Assembling a running bot: database, store, services, features. Used by every platform."""

from __future__ import annotations

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
