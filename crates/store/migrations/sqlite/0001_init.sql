-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Tagline schema, version 1. Portable SQL: INTEGER unix seconds for times,
-- TEXT for enumerations, no SQLite-only types.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    home_url TEXT,
    feed_url TEXT NOT NULL UNIQUE,
    region TEXT,
    lang TEXT,
    fetch_pages INTEGER NOT NULL DEFAULT 1,
    -- Space-separated non-public hosts the operator allowed for this source.
    trusted_hosts TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new',
    last_error TEXT,
    last_fetched_at INTEGER,
    etag TEXT,
    last_modified TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    lead_article_id INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    guid TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT,
    published_at INTEGER NOT NULL,
    updated_at INTEGER,
    lang TEXT,
    category TEXT,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    image TEXT,
    story_id INTEGER REFERENCES stories(id),
    fetched_at INTEGER NOT NULL,
    UNIQUE (source_id, guid)
);
CREATE UNIQUE INDEX articles_url ON articles(url);
CREATE INDEX articles_published ON articles(published_at, id);
CREATE INDEX articles_category ON articles(category, published_at, id);
CREATE INDEX articles_source ON articles(source_id, published_at, id);
CREATE INDEX articles_story ON articles(story_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    score REAL NOT NULL,
    -- Copied from the article so that a tag page is one index range scan.
    published_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags(tag_id, published_at, article_id);
