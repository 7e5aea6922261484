-- PostgreSQL's form of ../0007_library_speed.sql (same number, same tables and columns).
-- Library search speed.
--   library_meta.version changes whenever an article is added, replaced or removed, so the
--   search can cache per-library figures (passage count, the commonest words) until it does.
--   The FTS5 indexes are merged into one segment each: a term is then looked up once, not once
--   per segment (ingest merges again after every change).
CREATE TABLE library_meta (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO library_meta (id, version) VALUES (1, 1);

CREATE FUNCTION library_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE library_meta SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER library_articles_version AFTER INSERT OR UPDATE OR DELETE ON library_articles
    FOR EACH ROW EXECUTE FUNCTION library_version_bump();
