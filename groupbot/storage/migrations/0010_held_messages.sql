-- Held messages: the policy action `hold` removes a message until a moderator restores it or
-- confirms the removal. Each hold is a queue item of the new kind 'hold' and a row here.

-- The queue takes the new kind. SQLite cannot change a CHECK in place: the table is rebuilt
-- with the same columns, rows and indexes (nothing refers to it by a foreign key).
CREATE TABLE mod_queue_next (
    group_id        TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('crisis', 'appeal', 'escalation', 'alert', 'hold')),
    member_id       TEXT,                     -- the member it is about (NULL: nobody)
    asked_by        TEXT,                     -- the member who asked; told when it is taken
    case_number     INTEGER,                  -- the case it belongs to, if any
    reason          TEXT NOT NULL DEFAULT '', -- why, in the bot's words (never a member's)
    text            TEXT,                     -- the member's own words (an appeal)
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'claimed', 'resolved')),
    claimed_by      TEXT,
    claimed_at      TEXT,
    resolved_by     TEXT,                     -- a moderator's id, or 'bot'
    resolved_at     TEXT,
    resolution      TEXT,                     -- the moderator's note, if any
    announced_at    TEXT,                     -- when moderators were last told
    reannounced     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, number)
);
INSERT INTO mod_queue_next (group_id, number, kind, member_id, asked_by, case_number, reason,
                            text, created_at, status, claimed_by, claimed_at, resolved_by,
                            resolved_at, resolution, announced_at, reannounced)
SELECT group_id, number, kind, member_id, asked_by, case_number, reason, text, created_at,
       status, claimed_by, claimed_at, resolved_by, resolved_at, resolution, announced_at,
       reannounced
FROM mod_queue;
DROP TABLE mod_queue;
ALTER TABLE mod_queue_next RENAME TO mod_queue;
CREATE INDEX mod_queue_waiting ON mod_queue(status, kind) WHERE status != 'resolved';
CREATE INDEX mod_queue_member ON mod_queue(group_id, member_id);
CREATE INDEX mod_queue_asked ON mod_queue(group_id, asked_by) WHERE asked_by IS NOT NULL;
CREATE INDEX mod_queue_case ON mod_queue(group_id, case_number) WHERE case_number IS NOT NULL;

-- One row per held message (per 'hold' queue item). `text` is the member's message, kept only
-- so a moderator can restore it (no platform can undelete: it is reposted with attribution).
-- It is erased (set to NULL) as soon as the item is resolved, restored or confirmed, and at
-- once when the member runs /mydata delete. The case keeps what the group's text retention
-- allows, like any other case (by default a keyed hash, not the text).
CREATE TABLE mod_holds (
    group_id             TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    item_number          INTEGER NOT NULL,        -- the 'hold' queue item
    case_number          INTEGER NOT NULL,
    member_id            TEXT NOT NULL,           -- the author
    channel_id           TEXT NOT NULL,
    channel_name         TEXT NOT NULL,
    message_id           TEXT NOT NULL,
    held_at              TEXT NOT NULL,
    removed              INTEGER NOT NULL,        -- 1: the bot removed it; 0: it could not (Slack)
    strike_weight        REAL NOT NULL DEFAULT 0, -- counted only if a moderator confirms
    text                 TEXT,                    -- until resolved, or erased at the member's request
    outcome              TEXT CHECK (outcome IN ('restored', 'confirmed')),
    resolved_by          TEXT,
    resolved_at          TEXT,
    restored_message_id  TEXT,                    -- the repost, when restored
    PRIMARY KEY (group_id, item_number)
);
CREATE INDEX mod_holds_member ON mod_holds(group_id, member_id);
