-- PostgreSQL's form of ../0014_slack_installations.sql (same number, same tables and columns).
-- Slack installed in many workspaces (Bolt's OAuth flow): one row per installation, and the
-- one-time `state` values of installs under way. Plain SQL that SQLite and PostgreSQL share.

-- An installation: the ids are clear (to find it), everything else, the bot token first, is
-- one JSON document sealed with GROUPBOT_TOKEN_KEY (groupbot.storage.sealed), so the database
-- holds no token. '' stands for an id Slack did not give (no enterprise, an org-wide install).
CREATE TABLE slack_installations (
    enterprise_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    team_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
    user_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
    installed_at  TEXT COLLATE "C" NOT NULL,
    sealed        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (enterprise_id, team_id, user_id)
);

-- The state of an install started at /slack/install: only its SHA-256 (hex) is kept, and it
-- is used once, before it expires (consumed by one UPDATE, so one process wins).
CREATE TABLE slack_oauth_states (
    state_hash TEXT COLLATE "C" PRIMARY KEY,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    used_at    TEXT COLLATE "C"
);
