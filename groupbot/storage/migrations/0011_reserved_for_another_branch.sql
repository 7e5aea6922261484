-- Placeholder: schema version 11 belongs to another branch's migration, merged separately.
-- This branch (dashboard) numbers its own migration 0013 after it, and the loader allows no
-- gaps, so this empty step stands in for it here. When merging, delete this file and keep
-- the other branch's 0011 (tests/test_storage.py fails loudly while both are present).
SELECT 1;
