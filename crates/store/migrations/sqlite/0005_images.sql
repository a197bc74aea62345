-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Lead images, fetched by the crawler and served from Tagline's own origin
-- so that pages make no third-party requests.
CREATE TABLE article_images (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL
);
