"""What every feature gets (services) and may offer (commands, message hooks, background work)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from groupbot.config import Config
from groupbot.core.commands import CommandRegistry
from groupbot.core.errors import MissingFeature
from groupbot.core.ports import ChatPort, Clock, SystemClock
from groupbot.core.types import Group, Message
from groupbot.scheduling.upkeep import Upkeep
from groupbot.storage.groups import GroupSettings
from groupbot.storage.store import Store

T = TypeVar("T")


@dataclass
class Services:
    """The ports and shared state a feature depends on. No platform types in here."""

    config: Config
    store: Store
    clock: Clock
    chat: ChatPort
    registry: CommandRegistry = field(default_factory=CommandRegistry)
    features: dict[str, Feature] = field(default_factory=dict)
    # periodic jobs (purges, reminders, re-announcements): APScheduler on the real clock
    upkeep: Upkeep = field(init=False)

    def __post_init__(self) -> None:
        self.upkeep = Upkeep(self.clock, wall=isinstance(self.clock, SystemClock))

    def feature(self, name: str) -> Feature:
        """Another feature by name (filled in by the Bot). Raises MissingFeature when the
        bot has none by that name: never a quiet None."""
        found = self.features.get(name)
        if found is None:
            raise MissingFeature(f"this bot has no '{name}' feature")
        return found

    def need(self, name: str, contract: type[T]) -> T:
        """Another feature as the contract asked of it (a Protocol in
        `groupbot.features.contracts`), so features never import each other. The asker
        lists `name` in its `requires`, which the Bot checks when it is assembled."""
        found = self.feature(name)
        if not isinstance(found, contract):
            raise MissingFeature(f"the '{name}' feature does not offer {contract.__name__}")
        return found

    async def settings(self, group: Group) -> GroupSettings:
        """The group's settings, creating the group on first sight with configured defaults."""
        existing = await self.store.groups.settings(group.id)
        if existing is not None:
            return existing
        return await self.store.groups.ensure(
            group, self.clock.now(), timezone=self.config.timezone, region=self.config.region
        )


class Feature:
    """A unit of behaviour. Subclasses register commands and may watch messages."""

    name = "feature"
    # the features this one calls (by name), each started before it (see `start_order`)
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, services: Services) -> None:
        self.services = services

    def register(self, registry: CommandRegistry) -> None:
        """Declare this feature's commands and button handlers."""

    async def on_message(self, message: Message) -> bool:
        """See a member's message (new or edited). Return True to stop later hooks."""
        return False

    async def start(self) -> None:
        """Start background work (schedules). Must return promptly."""

    async def stop(self) -> None:
        """Stop background work; called before the database closes."""

    async def idle(self) -> None:
        """Return once background work has nothing to do until the clock moves (tests, demo)."""


def start_order(features: Sequence[Feature]) -> list[Feature]:
    """The features in the order they start: each after every feature it requires, otherwise
    as listed. Raises MissingFeature naming both when a required feature is not there, or
    the features that require each other in a circle."""
    by_name = {f.name: f for f in features}
    for feature in features:
        for needed in feature.requires:
            if needed not in by_name:
                raise MissingFeature(f"the '{feature.name}' feature requires the '{needed}' "
                                     "feature, which this bot was not built with")
    ordered: list[Feature] = []
    placed: set[str] = set()

    def place(feature: Feature, path: tuple[str, ...]) -> None:
        if feature.name in placed:
            return
        if feature.name in path:
            circle = " -> ".join((*path[path.index(feature.name):], feature.name))
            raise MissingFeature(f"features require each other in a circle: {circle}")
        for needed in feature.requires:
            place(by_name[needed], (*path, feature.name))
        placed.add(feature.name)
        ordered.append(feature)

    for feature in features:
        place(feature, ())
    return ordered
