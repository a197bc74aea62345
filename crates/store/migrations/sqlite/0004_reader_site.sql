-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- The reader's site: trending tags scan article_tags by time; operator tag
-- rules; and a log of deleted articles so that search indexes on every web
-- node can follow deletions as they follow insertions (by position).
CREATE INDEX article_tags_published ON article_tags(published_at);
CREATE INDEX sources_region ON sources(region);

CREATE TABLE tag_rules (
    id INTEGER PRIMARY KEY,
    tag TEXT NOT NULL,
    -- Newline-separated keywords or phrases; any one matching adds the tag.
    -- Empty with a source: the tag is pinned to every article of the source.
    keywords TEXT NOT NULL DEFAULT '',
    source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE article_deletions (
    seq INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL
);
CREATE TRIGGER articles_deleted AFTER DELETE ON articles
BEGIN
    INSERT INTO article_deletions (article_id, deleted_at) VALUES (old.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
