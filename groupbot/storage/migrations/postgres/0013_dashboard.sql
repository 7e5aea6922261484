-- PostgreSQL's form of ../0013_dashboard.sql (same number, same tables and columns).
-- The moderators' dashboard (groupbot.dashboard): one-time sign-in links, sessions, and what
-- the bot last knew of who is a moderator. No token is stored: only the SHA-256 (hex) of
-- each 32-byte random token, so a copy of the database signs nobody in.
-- (0011 is held for another branch's migration, 0012 is the moderation outbox.)

-- A link from /mod dashboard or `groupbot dashboard link`: for one moderator of one group,
-- valid ten minutes, used at most once.
CREATE TABLE dashboard_links (
    token_hash   TEXT COLLATE "C" PRIMARY KEY,
    group_id     TEXT COLLATE "C" NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id    TEXT COLLATE "C" NOT NULL,
    member_name  TEXT COLLATE "C" NOT NULL,
    issued_by    TEXT COLLATE "C" NOT NULL CHECK (issued_by IN ('chat', 'operator')),
    created_at   TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL,
    used_at      TEXT COLLATE "C"
);
CREATE INDEX dashboard_links_member ON dashboard_links(group_id, member_id);

-- A signed-in browser: ends when idle too long, at its absolute end, when signed out, or when
-- its moderator is found to be no longer a moderator.
CREATE TABLE dashboard_sessions (
    token_hash   TEXT COLLATE "C" PRIMARY KEY,
    group_id     TEXT COLLATE "C" NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id    TEXT COLLATE "C" NOT NULL,
    member_name  TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL,
    ended_at     TEXT COLLATE "C",
    ended_why    TEXT COLLATE "C"
);
CREATE INDEX dashboard_sessions_member ON dashboard_sessions(group_id, member_id);

-- Who the bot last saw as a moderator (or no longer one), and when: what a dashboard running
-- without the bot (`groupbot dashboard`) checks, as it cannot ask the platform.
CREATE TABLE dashboard_moderators (
    group_id     TEXT COLLATE "C" NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id    TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C" NOT NULL,
    is_moderator BIGINT NOT NULL,
    source       TEXT COLLATE "C" NOT NULL CHECK (source IN ('platform', 'operator')),
    checked_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
