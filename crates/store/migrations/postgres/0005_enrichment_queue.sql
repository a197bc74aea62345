-- Matches SQLite 0010_enrichment_queue.sql.
-- The enrichment queue (as SQLite's 0010).
CREATE TABLE enrich_queue (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    lease_until BIGINT
);
