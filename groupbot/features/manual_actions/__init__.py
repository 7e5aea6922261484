"""Moderators acting through the bot: warn, pardon, timeout, untimeout and remove.

Why a module of its own: the moderation feature (`groupbot.features.moderation`) judges
members' messages and climbs the ladder by itself; this one carries out what a moderator
decides, and nothing happens here that a moderator did not ask for. Each action is a numbered
case naming the moderator who acted (`/mod case`, `/mod cases`, `groupbot cases export`), the
member is told privately what happened, why and how to appeal, and the moderator log hears of
it through the moderation queue, the one outlet for moderator alerts.

What a platform cannot do (Slack lets no bot delete a member's message or time anyone out)
is said plainly to the moderator, and the case is recorded all the same, as the ladder does.
A warning that would cross a strike threshold says so, and what that threshold does, before
anything is done; a pardon that leaves a running timeout unearned offers to lift it, and
never lifts it silently. Manual timeouts and removals add no strike: a moderator chose the
consequence; `/mod warn` is the way to give a strike by hand."""

from groupbot.features.manual_actions.common import LIFT_TIMEOUT, parse_duration, parse_message_ref
from groupbot.features.manual_actions.feature import ManualActionsFeature

__all__ = ["LIFT_TIMEOUT", "ManualActionsFeature", "parse_duration", "parse_message_ref"]
