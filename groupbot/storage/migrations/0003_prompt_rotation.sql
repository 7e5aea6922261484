-- Prompt rotation: which prompts each channel has already had, per pool and cycle, so a
-- prompt is not repeated until its pool is used up, across restarts.
-- pool is a theme slug, or '*' for the whole library. A cycle ends when every prompt in the
-- pool has been used; older cycles are pruned, the previous one is kept to avoid posting the
-- same prompt twice in a row across a cycle boundary.
CREATE TABLE prompt_rotation (
    seq        INTEGER PRIMARY KEY,          -- claim order (monotonic), for "last used"
    group_id   TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    pool       TEXT NOT NULL,
    cycle      INTEGER NOT NULL,
    prompt_id  TEXT NOT NULL,
    used_at    TEXT NOT NULL,
    UNIQUE (group_id, channel_id, pool, cycle, prompt_id)
);
CREATE INDEX prompt_rotation_pool ON prompt_rotation(group_id, channel_id, pool, cycle);

-- A channel following a curriculum: the next step to post (0-based) and when it finished.
CREATE TABLE prompt_curriculum (
    group_id      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    curriculum_id TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finished_at   TEXT,
    PRIMARY KEY (group_id, channel_id)
);
