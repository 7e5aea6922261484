-- Moderation: numbered cases (append-only), their amendments, strikes, and the crisis-care log.

-- Per-group moderation settings. `hash_key` keys the SHA-256 of case texts so a hash from one
-- group cannot be matched against another's; `keep_text_days` 0 means no text is ever kept.
CREATE TABLE mod_settings (
    group_id        TEXT PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
    hash_key        TEXT NOT NULL,
    keep_text_days  INTEGER NOT NULL DEFAULT 0 CHECK (keep_text_days BETWEEN 0 AND 365)
);

-- One row per case, numbered per group. Never updated, except that a kept text is erased
-- (set to NULL) when it expires or when its member asks.
CREATE TABLE mod_cases (
    group_id         TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    member_id        TEXT NOT NULL,
    channel_id       TEXT,
    message_id       TEXT,
    action           TEXT NOT NULL,             -- allow/nudge/remove/timeout/escalate/support/warn
    categories       TEXT NOT NULL DEFAULT '',  -- comma-separated
    rules            TEXT NOT NULL DEFAULT '',  -- comma-separated rule ids
    reason           TEXT NOT NULL DEFAULT '',  -- the reason at creation; edits are amendments
    severity         INTEGER NOT NULL DEFAULT 0,
    source           TEXT NOT NULL,             -- message, edit, checkin, manual, ...
    needs_review     INTEGER NOT NULL DEFAULT 0,
    error            TEXT,                      -- set when the engine failed open
    text_hash        TEXT,                      -- HMAC-SHA256 of the text, keyed per group
    text             TEXT,                      -- only when the group opted in
    text_expires_at  TEXT,
    created_by       TEXT NOT NULL,             -- 'bot' or the moderator's member id
    created_at       TEXT NOT NULL,
    PRIMARY KEY (group_id, number)
);
CREATE INDEX mod_cases_member ON mod_cases(group_id, member_id);
CREATE INDEX mod_cases_message ON mod_cases(group_id, message_id);
CREATE INDEX mod_cases_text_expiry ON mod_cases(text_expires_at) WHERE text IS NOT NULL;

-- Append-only amendments: reason edits, appeals, closings, pardons, notes. Who and when.
CREATE TABLE mod_amendments (
    id           INTEGER PRIMARY KEY,
    group_id     TEXT NOT NULL,
    case_number  INTEGER NOT NULL,
    kind         TEXT NOT NULL,   -- reason, appeal, review, close, pardon, note
    body         TEXT NOT NULL DEFAULT '',
    by_member    TEXT NOT NULL,
    at           TEXT NOT NULL,
    FOREIGN KEY (group_id, case_number) REFERENCES mod_cases(group_id, number) ON DELETE CASCADE
);
CREATE INDEX mod_amendments_case ON mod_amendments(group_id, case_number, id);

-- Strikes decay with a half-life; a pardon stops one counting without deleting the record.
CREATE TABLE mod_strikes (
    id           INTEGER PRIMARY KEY,
    group_id     TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id    TEXT NOT NULL,
    case_number  INTEGER,
    weight       REAL NOT NULL,
    created_at   TEXT NOT NULL,
    pardoned_at  TEXT,
    pardoned_by  TEXT
);
CREATE INDEX mod_strikes_member ON mod_strikes(group_id, member_id);

-- When a member last got the crisis-care reply, so it is not repeated within a few hours.
CREATE TABLE mod_care (
    group_id       TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id      TEXT NOT NULL,
    last_at        TEXT NOT NULL,
    last_severity  INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
