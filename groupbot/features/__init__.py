"""Features: each one a module with one entry class. `build_features` lists them in order.

Order matters for message hooks: moderation runs first so crisis care comes before anything.
"""

from __future__ import annotations

from groupbot.features.base import Feature, Services
from groupbot.features.checkins import CheckinsFeature
from groupbot.features.dashboard import DashboardFeature
from groupbot.features.excerpts import ExcerptsFeature
from groupbot.features.help import HelpFeature
from groupbot.features.manual_actions import ManualActionsFeature
from groupbot.features.moderation import ModerationFeature
from groupbot.features.privacy import PrivacyFeature
from groupbot.features.prompts import PromptsFeature
from groupbot.features.resource_book import default_resources
from groupbot.features.resources import ResourcesFeature
from groupbot.features.schedules import SchedulesFeature
from groupbot.features.setup import SetupFeature


def build_features(services: Services) -> list[Feature]:
    resources = default_resources(services)  # one book: a reload reaches both features
    moderation = ModerationFeature(services, resources=resources)
    features: list[Feature] = [
        moderation,
        ManualActionsFeature(services),  # moderators acting through the bot
        ResourcesFeature(services, resources=resources),
        HelpFeature(services),
        SetupFeature(services),
        PrivacyFeature(services),
        ExcerptsFeature(services),
        PromptsFeature(services),
        CheckinsFeature(services),
        SchedulesFeature(services),
        DashboardFeature(services),  # /mod dashboard; watches moderator rights it knows
    ]
    return features
