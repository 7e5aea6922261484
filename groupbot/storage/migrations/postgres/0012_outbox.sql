-- PostgreSQL's form of ../0012_outbox.sql (same number, same tables and columns).
-- The moderation outbox (groupbot.features.outbox): every moderation record (a case with its
-- strike and notes, a care log, a queue item, a held message, a kept alert) is an entry with a
-- stable id, written in one transaction with its row here. An entry retried after an unclear
-- failure, or replayed at start from the spill file, finds its row and is not written twice;
-- a later entry that refers to it (a note on its case, an item for it) reads its numbers here.
CREATE TABLE mod_outbox_done (
    entry_id     TEXT COLLATE "C" PRIMARY KEY,
    group_id     TEXT COLLATE "C" NOT NULL,
    case_number  BIGINT,          -- the case the entry opened, if any
    item_number  BIGINT,          -- the queue item it opened (or joined), if any
    done_at      TEXT COLLATE "C" NOT NULL     -- when it was written (old rows are pruned)
);
CREATE INDEX mod_outbox_done_at ON mod_outbox_done(done_at);
