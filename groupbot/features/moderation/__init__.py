"""Live moderation: judge every message and edit, act on the verdict, keep cases and strikes.

Care comes before judgement: a message showing distress or crisis is never removed, timed out
or counted as a strike. Crisis (`support`): the member gets a private, warm reply with the
region's resources and a way to reach a moderator; moderators are told without the message
being quoted. Distress (`care`): one short private note pointing to /resources and to the
group, at most once every few days, and nothing else: no moderator alert, no case, nothing in
the channel. Distress in a message that would otherwise be removed is `escalate`: moderators
look, nothing is removed, and the member still gets the care note. Everything else climbs the
ladder (nudge, remove, timeout, escalate) with strikes that decay, and every action is a
numbered, append-only case.

One module per concern, composed into `ModerationFeature` (`feature`): `judging` (the
engine's verdict and the policy's view of it), `ladder`, `care`, `commands`, `strikes`,
`names` (who an insult by name is aimed at), `engine` (the engine's contract) and `shared`
(what the parts use of each other). The support resources' formatting is shared with
/resources in `groupbot.features.resource_book`.
"""

from __future__ import annotations

from groupbot.features.moderation.care import (
    CARE_COOLDOWN,
    TALK_BUTTON,
    care_note_reply,
)
from groupbot.features.moderation.engine import Decider
from groupbot.features.moderation.feature import ModerationFeature
from groupbot.features.moderation.judging import _care_first
from groupbot.features.moderation.names import RecentNames
from groupbot.features.moderation.plan import CARE_NOTE_EVERY
from groupbot.features.moderation.shared import STRIKES_UNREAD
from groupbot.features.moderation.strikes import StrikePolicy, Threshold, strike_policy_from
from groupbot.features.resource_book import (
    NOT_A_THERAPIST,
    ResourceBook,
    default_resources,
    format_resource,
    resource_lines,
)

__all__ = ["CARE_COOLDOWN", "CARE_NOTE_EVERY", "NOT_A_THERAPIST", "STRIKES_UNREAD",
           "TALK_BUTTON", "Decider", "ModerationFeature", "RecentNames", "ResourceBook",
           "StrikePolicy", "Threshold", "_care_first", "care_note_reply", "default_resources",
           "format_resource", "resource_lines", "strike_policy_from"]
