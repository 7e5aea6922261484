-- Schedules made by moderators with /mod schedule, and the occurrence ledger that makes
-- dispatch exactly-once: the database, not the in-memory alarm clock, is the source of truth.
CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY,
    group_id      TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    channel_id    TEXT NOT NULL,
    channel_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('prompt', 'checkin')),
    theme         TEXT,
    when_text     TEXT NOT NULL,              -- the normal form of <when>
    timezone      TEXT NOT NULL,              -- IANA name
    anchor        TEXT,                       -- local date that fixes "every N weeks/days"
    grace_seconds INTEGER NOT NULL DEFAULT 3600,
    paused        INTEGER NOT NULL DEFAULT 0,
    armed_from    TEXT NOT NULL,              -- UTC; occurrences at or before it never count
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX schedules_group ON schedules(group_id, id);

-- Dates (local, YYYY-MM-DD) on which a schedule does not post: holidays.
CREATE TABLE schedule_exceptions (
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    local_date  TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    PRIMARY KEY (schedule_id, local_date)
);

-- One row per occurrence ever handled. `occurrence` is the local date and time of the
-- occurrence in the schedule's zone, so a fall-back hour can never produce a second post.
-- claimed -> posted on success; released (deleted) on a temporary failure before posting;
-- missed (past its grace window), skipped (skip/exception), failed (refused by the platform),
-- uncertain (interrupted after claiming, and the platform cannot tell us whether it posted).
CREATE TABLE schedule_occurrences (
    schedule_id     INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    occurrence      TEXT NOT NULL,
    due_at          TEXT NOT NULL,            -- UTC ISO instant
    state           TEXT NOT NULL CHECK (state IN
                        ('claimed', 'posted', 'missed', 'skipped', 'failed', 'uncertain')),
    claimed_by      TEXT,
    claimed_at      TEXT,
    idempotency_key TEXT,
    message_id      TEXT,
    note            TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (schedule_id, occurrence)
);
CREATE INDEX schedule_occurrences_due ON schedule_occurrences(schedule_id, due_at);
CREATE INDEX schedule_occurrences_claimed ON schedule_occurrences(state) WHERE state = 'claimed';
