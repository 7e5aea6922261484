-- Slack events handled, by event_id, for as long as Slack may deliver one again (its retries,
-- about six minutes; a replayed signed request, up to ten): with several bot processes behind
-- one load balancer, a retry can reach a process that did not see the first delivery, so the
-- one that handles an event is whichever inserts its id first. Old ids are deleted as new
-- ones come (groupbot.storage.slack_events).
CREATE TABLE slack_events_seen (
    event_id TEXT PRIMARY KEY,
    seen_at  TEXT NOT NULL
);
CREATE INDEX slack_events_seen_at ON slack_events_seen (seen_at);
