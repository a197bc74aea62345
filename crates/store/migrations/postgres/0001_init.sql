-- Matches SQLite 0001_init.sql, 0002_extract_rules.sql, 0003_schedule.sql, 0004_reader_site.sql, 0005_images.sql, 0006_leases.sql.
-- Tagline schema for PostgreSQL: the same tables and meaning as the SQLite
-- migrations 0001-0006, written once for this backend. Times are BIGINT
-- unix seconds, as in SQLite.
CREATE TABLE sources (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    home_url TEXT,
    feed_url TEXT NOT NULL UNIQUE,
    region TEXT,
    lang TEXT,
    fetch_pages BOOLEAN NOT NULL DEFAULT TRUE,
    trusted_hosts TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',
    last_error TEXT,
    last_fetched_at BIGINT,
    etag TEXT,
    last_modified TEXT,
    created_at BIGINT NOT NULL,
    extract_keep TEXT,
    extract_drop TEXT NOT NULL DEFAULT '',
    next_fetch_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT
);
CREATE INDEX sources_due ON sources(next_fetch_at);
CREATE INDEX sources_region ON sources(region);

CREATE TABLE stories (
    id BIGSERIAL PRIMARY KEY,
    lead_article_id BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    source_id BIGINT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    guid TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    published_at BIGINT NOT NULL,
    updated_at BIGINT,
    lang TEXT,
    category TEXT,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    image TEXT,
    story_id BIGINT REFERENCES stories(id),
    fetched_at BIGINT NOT NULL,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (source_id, guid)
);
CREATE UNIQUE INDEX articles_url ON articles(url);
CREATE INDEX articles_published ON articles(published_at, id);
CREATE INDEX articles_category ON articles(category, published_at, id);
CREATE INDEX articles_source ON articles(source_id, published_at, id);
CREATE INDEX articles_story ON articles(story_id);

CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);
-- Prefix search on keys (the "#" suggestions) with LIKE 'abc%'.
CREATE INDEX tags_key_prefix ON tags(key text_pattern_ops);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags(id),
    score DOUBLE PRECISION NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags(tag_id, published_at, article_id);
CREATE INDEX article_tags_published ON article_tags(published_at);

CREATE TABLE tag_rules (
    id BIGSERIAL PRIMARY KEY,
    tag TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '',
    source_id BIGINT REFERENCES sources(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE TABLE article_images (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL
);

CREATE TABLE article_deletions (
    seq BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL,
    deleted_at BIGINT NOT NULL
);
CREATE FUNCTION log_article_deletion() RETURNS trigger AS $$
BEGIN
    INSERT INTO article_deletions (article_id, deleted_at) VALUES (OLD.id, extract(epoch FROM now())::BIGINT);
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER articles_deleted AFTER DELETE ON articles FOR EACH ROW EXECUTE FUNCTION log_article_deletion();
