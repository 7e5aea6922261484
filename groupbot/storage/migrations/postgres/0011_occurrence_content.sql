-- PostgreSQL's form of ../0011_occurrence_content.sql (same number, same tables and columns).
-- What a claimed occurrence posts, recorded with the claim itself (one BEGIN IMMEDIATE
-- transaction) before anything is sent: after a crash, the process that takes the claim over
-- posts exactly this content under the same idempotency key (the Discord nonce, the Slack
-- metadata marker), instead of choosing a different prompt.
--   content      the rendered post (JSON: text, title, citation, buttons, thread name)
--   content_ref  what it was made from, for people reading the ledger (e.g. prompt:boundaries-003)
--   attempts     how many times it was handed to the platform (a retry reuses the content)
-- A temporary failure (a 429, a 5xx) no longer releases (deletes) the claim as 0004 describes:
-- the claim keeps its content and key and is retried; each attempt renews `claimed_at`.
ALTER TABLE schedule_occurrences ADD COLUMN content TEXT COLLATE "C";
ALTER TABLE schedule_occurrences ADD COLUMN content_ref TEXT COLLATE "C";
ALTER TABLE schedule_occurrences ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
