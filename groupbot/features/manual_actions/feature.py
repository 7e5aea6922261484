"""The manual-actions feature: its commands and buttons, composed from one class per command."""

from __future__ import annotations

from groupbot.core.commands import Access, CommandRegistry, OptionKind, OptionSpec
from groupbot.features.case_log import NO_CASE
from groupbot.features.manual_actions.common import (
    CONFIRM_WARN,
    LIFT_TIMEOUT,
)
from groupbot.features.manual_actions.pardons import PardonCommands
from groupbot.features.manual_actions.removals import RemoveCommands
from groupbot.features.manual_actions.timeouts import TimeoutCommands
from groupbot.features.manual_actions.warning import WarnCommands


class ManualActionsFeature(TimeoutCommands, RemoveCommands, WarnCommands, PardonCommands):
    name = "manual_actions"
    requires = ("moderation",)  # its strike settings, member locks and queue

    # -- wiring --------------------------------------------------------------------------
    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        member = OptionSpec("member", OptionKind.MEMBER, "the member")
        registry.command("mod warn", "Warn a member privately and add a strike (asking first "
                         "when it would cross a strike threshold)", member,
                         OptionSpec("reason", OptionKind.TEXT, "why (the member sees this)"),
                         OptionSpec("confirm", OptionKind.CHOICE,
                                    "go ahead when the warning crosses a strike threshold",
                                    required=False, choices=("yes",), keyword_only=True),
                         access=mod, private=True)(self.cmd_warn)
        registry.command("mod pardon", "Stop a member's strikes counting (all, or one case's)",
                         member,
                         OptionSpec("case", OptionKind.INTEGER, "a case number", required=False,
                                    min_value=1, missing=NO_CASE),
                         access=mod, private=True)(self.cmd_pardon)
        registry.command("mod timeout",
                         "Pause a member from posting for a while (a case; they are told why)",
                         member,
                         OptionSpec("duration", OptionKind.STRING,
                                    "how long: 10m, 2h, 1d, 7d (at most 28 days)"),
                         OptionSpec("reason", OptionKind.TEXT, "why (the member sees this)",
                                    required=False),
                         access=mod, private=True)(self.cmd_timeout)
        registry.command("mod untimeout", "Lift a member's timeout (a case; they are told)",
                         member, access=mod, private=True)(self.cmd_untimeout)
        registry.command("mod remove",
                         "Remove a member's message (a case; its author gets a private copy)",
                         OptionSpec("message", OptionKind.STRING,
                                    "a message link, or the id of a message in this channel"),
                         OptionSpec("reason", OptionKind.TEXT, "why (the author sees this)",
                                    required=False),
                         access=mod, private=True)(self.cmd_remove)
        registry.add_button(CONFIRM_WARN, self.btn_confirm_warn)
        registry.add_button(LIFT_TIMEOUT, self.btn_lift)
