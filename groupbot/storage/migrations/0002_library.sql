-- The article library: articles with their metadata, sections, references and passages, and
-- two FTS5 indexes over the passages (external content, kept in step by triggers):
--   library_fts   porter + unicode61 without diacritics: what searches rank (bm25)
--   library_words unicode61 without diacritics, no stemming: its fts5vocab view gives the
--                 library's real words, for "did you mean" suggestions.
CREATE TABLE library_articles (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    author           TEXT,
    reviewer         TEXT,                  -- medical reviewer
    publisher        TEXT,
    published        TEXT,                  -- ISO date when known
    photo_credit     TEXT,
    disclaimer       TEXT,
    short_disclaimer TEXT,                  -- shown under every excerpt
    source           TEXT NOT NULL,         -- the file it was read from
    source_url       TEXT,
    format           TEXT NOT NULL,         -- text | markdown | html
    content_hash     TEXT NOT NULL,         -- of the file and its metadata: re-ingest is a no-op
    ingested_at      TEXT NOT NULL
);

CREATE TABLE library_sections (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES library_articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    title       TEXT NOT NULL,
    parent      TEXT
);
CREATE INDEX library_sections_article ON library_sections(article_id, position);

CREATE TABLE library_references (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES library_articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX library_references_article ON library_references(article_id, position);

CREATE TABLE library_passages (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER NOT NULL REFERENCES library_articles(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    section       TEXT NOT NULL,            -- the section's own title
    section_path  TEXT NOT NULL,            -- "Parent › Sub-section" for citations
    heading       TEXT NOT NULL,            -- indexed: section title and the paragraph's label
    body          TEXT NOT NULL             -- indexed: the paragraph as published
);
CREATE INDEX library_passages_article ON library_passages(article_id, position);

CREATE VIRTUAL TABLE library_fts USING fts5(
    heading, body, content='library_passages', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE library_words USING fts5(
    heading, body, content='library_passages', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE library_vocab USING fts5vocab(library_words, 'row');

CREATE TRIGGER library_passages_ai AFTER INSERT ON library_passages BEGIN
    INSERT INTO library_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body);
    INSERT INTO library_words(rowid, heading, body) VALUES (new.id, new.heading, new.body);
END;
CREATE TRIGGER library_passages_ad AFTER DELETE ON library_passages BEGIN
    INSERT INTO library_fts(library_fts, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
    INSERT INTO library_words(library_words, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
END;
CREATE TRIGGER library_passages_au AFTER UPDATE ON library_passages BEGIN
    INSERT INTO library_fts(library_fts, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
    INSERT INTO library_words(library_words, rowid, heading, body)
        VALUES ('delete', old.id, old.heading, old.body);
    INSERT INTO library_fts(rowid, heading, body) VALUES (new.id, new.heading, new.body);
    INSERT INTO library_words(rowid, heading, body) VALUES (new.id, new.heading, new.body);
END;

-- Passages recently shown in a channel, so "/excerpt" alone offers something new.
-- Keyed by channel only; nothing here names a member.
CREATE TABLE library_recent (
    id          INTEGER PRIMARY KEY,
    channel_key TEXT NOT NULL,              -- "group id/channel id"
    passage_id  INTEGER NOT NULL,
    shown_at    TEXT NOT NULL
);
CREATE INDEX library_recent_channel ON library_recent(channel_key, id);

-- The searched words behind a "Next result" button (its persistent custom id holds this id).
-- Only the normalised search words are kept, never who asked; rows expire after 30 days.
CREATE TABLE library_queries (
    id          INTEGER PRIMARY KEY,
    words       TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
