-- Slack installed in many workspaces (Bolt's OAuth flow): one row per installation, and the
-- one-time `state` values of installs under way. Plain SQL that SQLite and PostgreSQL share.

-- An installation: the ids are clear (to find it), everything else, the bot token first, is
-- one JSON document sealed with GROUPBOT_TOKEN_KEY (groupbot.storage.sealed), so the database
-- holds no token. '' stands for an id Slack did not give (no enterprise, an org-wide install).
CREATE TABLE slack_installations (
    enterprise_id TEXT NOT NULL DEFAULT '',
    team_id       TEXT NOT NULL DEFAULT '',
    user_id       TEXT NOT NULL DEFAULT '',
    installed_at  TEXT NOT NULL,
    sealed        TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, team_id, user_id)
);

-- The state of an install started at /slack/install: only its SHA-256 (hex) is kept, and it
-- is used once, before it expires (consumed by one UPDATE, so one process wins).
CREATE TABLE slack_oauth_states (
    state_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
