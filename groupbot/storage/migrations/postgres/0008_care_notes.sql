-- PostgreSQL's form of ../0008_care_notes.sql (same number, same tables and columns).
-- The care note: when a member in distress (not in crisis) last got the short private note
-- pointing to /resources, so it goes out at most once every few days. One row per member and
-- group, no message text and no case. It is the member's data: /mydata export shows it and
-- /mydata delete erases it. (Kept apart from mod_care, the crisis reply's log, so a care note
-- never holds back a crisis reply.)
CREATE TABLE mod_care_notes (
    group_id  TEXT COLLATE "C" NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id TEXT COLLATE "C" NOT NULL,
    sent_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
