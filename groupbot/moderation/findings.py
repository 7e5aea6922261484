"""What a detector reports: a `Finding` (category, rule, severity, a note for moderators),
and the few findings more than one reader gives."""

from __future__ import annotations

from typing import Any, Final, NamedTuple


class Finding(NamedTuple):
    category: str
    rule: str
    severity: int
    note: str  # a short, moderator-readable explanation (never the member's PII)


# Builds a Finding without the NamedTuple's Python-level __new__ (the commonest finding).
new_finding: Any = tuple.__new__


# Signs of distress without crisis: hopelessness, feeling a burden or trapped, self-hatred.
DISTRESS: Final = Finding("distress", "distress.signs", 1,
                    "distress: signs of hopelessness or distress, no sign of crisis")

# How a crisis note names danger from someone (the care reply looks for it: see
# features.moderation).
DANGER_LABEL: Final = "someone hurting them or putting them in danger"
# A threat someone made to the writer, told to the group: cared for as danger to them.
RECEIVED_THREAT: Final = Finding("crisis", "crisis.danger", 2,
                          f"crisis: signs of {DANGER_LABEL} (severity 2)")


class Span(NamedTuple):
    """Where a personal detail was found (pii.find): its kind and its place in the text."""

    kind: str
    start: int
    end: int
