-- PostgreSQL's form of ../0010_held_messages.sql (same number, same tables and columns).
-- Held messages: the policy action `hold` removes a message until a moderator restores it or
-- confirms the removal. Each hold is a queue item of the new kind 'hold' and a row here.

-- The queue takes the new kind.
ALTER TABLE mod_queue DROP CONSTRAINT mod_queue_kind_check;
ALTER TABLE mod_queue ADD CONSTRAINT mod_queue_kind_check
    CHECK (kind IN ('crisis', 'appeal', 'escalation', 'alert', 'hold'));

-- One row per held message (per 'hold' queue item). `text` is the member's message, kept only
-- so a moderator can restore it (no platform can undelete: it is reposted with attribution).
-- It is erased (set to NULL) as soon as the item is resolved, restored or confirmed, and at
-- once when the member runs /mydata delete. The case keeps what the group's text retention
-- allows, like any other case (by default a keyed hash, not the text).
CREATE TABLE mod_holds (
    group_id             TEXT COLLATE "C" NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    item_number          BIGINT NOT NULL,        -- the 'hold' queue item
    case_number          BIGINT NOT NULL,
    member_id            TEXT COLLATE "C" NOT NULL,           -- the author
    channel_id           TEXT COLLATE "C" NOT NULL,
    channel_name         TEXT COLLATE "C" NOT NULL,
    message_id           TEXT COLLATE "C" NOT NULL,
    held_at              TEXT COLLATE "C" NOT NULL,
    removed              BIGINT NOT NULL,        -- 1: the bot removed it; 0: it could not (Slack)
    strike_weight        DOUBLE PRECISION NOT NULL DEFAULT 0, -- counted only if a moderator confirms
    text                 TEXT COLLATE "C",                    -- until resolved, or erased at the member's request
    outcome              TEXT COLLATE "C" CHECK (outcome IN ('restored', 'confirmed')),
    resolved_by          TEXT COLLATE "C",
    resolved_at          TEXT COLLATE "C",
    restored_message_id  TEXT COLLATE "C",                    -- the repost, when restored
    PRIMARY KEY (group_id, item_number)
);
CREATE INDEX mod_holds_member ON mod_holds(group_id, member_id);
