-- Check-ins: posts asking how members are doing, their private answers, and reminders.
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL,
    schedule_id INTEGER,                       -- NULL when posted on demand
    occurrence  TEXT,                          -- the ledger key when scheduled
    created_at  TEXT NOT NULL,
    reminded    INTEGER NOT NULL DEFAULT 0,    -- reminders for it were sent
    UNIQUE (schedule_id, occurrence)
);
CREATE INDEX checkins_group ON checkins(group_id, id);

-- Answers are private to the member; moderators only ever see aggregates of five or more.
CREATE TABLE checkin_answers (
    id          INTEGER PRIMARY KEY,
    group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    checkin_id  INTEGER REFERENCES checkins(id) ON DELETE CASCADE,  -- NULL: /checkin on its own
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    note        TEXT,
    answered_at TEXT NOT NULL,
    UNIQUE (checkin_id, member_id)
);
CREATE INDEX checkin_answers_member ON checkin_answers(group_id, member_id, answered_at);
CREATE INDEX checkin_answers_group ON checkin_answers(group_id, answered_at);

CREATE TABLE checkin_reminders (
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
