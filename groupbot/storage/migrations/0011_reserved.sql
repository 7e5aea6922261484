-- PLACEHOLDER, to be deleted at merge: number 0011 belongs to the crash-safe scheduled posts
-- branch (harden-sched). It exists only so that this branch's 0012 is in sequence on its own.
-- When both branches are merged, delete this file and keep theirs (two 0011 files stop every
-- start with "out of sequence", so it cannot be missed).
SELECT 1;
