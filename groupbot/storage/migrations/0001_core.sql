-- Groups and their settings, set by moderators with /mod setup.
CREATE TABLE groups (
    id               TEXT PRIMARY KEY,          -- platform:native id, e.g. "discord:1234"
    platform         TEXT NOT NULL,
    name             TEXT NOT NULL,
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    region           TEXT NOT NULL DEFAULT 'US',
    modlog_channel   TEXT,                      -- channel id of the moderator log
    moderator_role   TEXT,                      -- role name or id counted as moderator
    created_at       TEXT NOT NULL
);

-- An append-only audit of moderator set-up changes: who changed what, and when.
CREATE TABLE settings_log (
    id         INTEGER PRIMARY KEY,
    group_id   TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX settings_log_group ON settings_log(group_id, changed_at);
