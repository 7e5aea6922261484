-- PostgreSQL's form of ../0015_slack_events.sql (same number, same table and columns).
-- Slack events handled, by event_id, for as long as Slack may deliver one again: the process
-- that handles an event is whichever inserts its id first.
CREATE TABLE slack_events_seen (
    event_id TEXT COLLATE "C" PRIMARY KEY,
    seen_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX slack_events_seen_at ON slack_events_seen (seen_at);
