-- Library search speed.
--   library_meta.version changes whenever an article is added, replaced or removed, so the
--   search can cache per-library figures (passage count, the commonest words) until it does.
--   The FTS5 indexes are merged into one segment each: a term is then looked up once, not once
--   per segment (ingest merges again after every change).
CREATE TABLE library_meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO library_meta (id, version) VALUES (1, 1);

CREATE TRIGGER library_articles_version_ai AFTER INSERT ON library_articles BEGIN
    UPDATE library_meta SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER library_articles_version_ad AFTER DELETE ON library_articles BEGIN
    UPDATE library_meta SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER library_articles_version_au AFTER UPDATE ON library_articles BEGIN
    UPDATE library_meta SET version = version + 1 WHERE id = 1;
END;

INSERT INTO library_fts(library_fts) VALUES ('optimize');
INSERT INTO library_words(library_words) VALUES ('optimize');
