-- The moderators' queue: every request for a moderator is an item, numbered per group, with
-- who, when, why and a status. A member asking to talk ("crisis", shown first), an appeal, an
-- escalation, an alert the moderator log could not take. Items are never deleted: claiming
-- and resolving record who and when; /mydata delete erases only the member's own words.
CREATE TABLE mod_queue (
    group_id        TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('crisis', 'appeal', 'escalation', 'alert')),
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
CREATE INDEX mod_queue_waiting ON mod_queue(status, kind) WHERE status != 'resolved';
CREATE INDEX mod_queue_member ON mod_queue(group_id, member_id);
CREATE INDEX mod_queue_asked ON mod_queue(group_id, asked_by) WHERE asked_by IS NOT NULL;
CREATE INDEX mod_queue_case ON mod_queue(group_id, case_number) WHERE case_number IS NOT NULL;

-- Alerts the moderator log could not take (none set, deleted, a platform error): kept until
-- delivered, retried with a growing pause, and posted when /mod setup modlog sets a log.
CREATE TABLE mod_alerts (
    id               INTEGER PRIMARY KEY,
    group_id         TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    item_number      INTEGER,                 -- the queue item it waits in
    member_id        TEXT,                    -- the member it is about, for /mydata
    title            TEXT,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 1,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT
);
CREATE INDEX mod_alerts_group ON mod_alerts(group_id, id);

-- Cases already waiting for a moderator before this version become queue items, so nothing
-- that was waiting is lost by the upgrade (the same rule as Case.is_open).
INSERT INTO mod_queue (group_id, number, kind, member_id, asked_by, case_number, reason,
                       created_at, announced_at)
SELECT group_id, ROW_NUMBER() OVER (PARTITION BY group_id ORDER BY number),
       CASE WHEN last_appeal IS NOT NULL THEN 'appeal' ELSE 'escalation' END,
       member_id,
       CASE WHEN last_appeal IS NOT NULL THEN member_id END,
       number,
       'Case ' || number || ' (' || CASE WHEN last_appeal IS NOT NULL THEN 'appeal'
                                         WHEN error IS NOT NULL THEN 'engine error'
                                         ELSE action END || ') <@' || member_id || '>: '
           || substr(reason, 1, 200),
       created_at, created_at
FROM (
    SELECT c.group_id, c.number, c.member_id, c.action, c.reason, c.error, c.created_at,
           c.needs_review,
           (SELECT MAX(a.id) FROM mod_amendments a WHERE a.group_id = c.group_id
              AND a.case_number = c.number AND a.kind = 'close') AS last_close,
           (SELECT MAX(a.id) FROM mod_amendments a WHERE a.group_id = c.group_id
              AND a.case_number = c.number AND a.kind IN ('appeal', 'review')) AS last_ask,
           (SELECT MAX(a.id) FROM mod_amendments a WHERE a.group_id = c.group_id
              AND a.case_number = c.number AND a.kind = 'appeal') AS last_appeal
    FROM mod_cases c
)
WHERE COALESCE(last_ask, 0) > COALESCE(last_close, 0)
   OR (needs_review = 1 AND last_close IS NULL);
