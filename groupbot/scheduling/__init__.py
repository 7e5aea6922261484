"""Schedules that never double-post or silently skip: `<when>` parsing, recurrence across DST,
the occurrence ledger's rules, the dispatcher, and the fan-out rate limiter."""
