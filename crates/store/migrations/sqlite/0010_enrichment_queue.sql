-- Matches PostgreSQL 0005_enrichment_queue.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- The enrichment queue (issue 4). A crawl stores what the feed and page
-- carry at once and queues the article here; the enrichment stage adds its
-- language, category, tags and story, and takes it off the queue. A worker
-- claims queued articles until lease_until (unix seconds), so that several
-- workers do not enrich the same ones; a killed worker's claims lapse. The
-- queue is a table of its own so that a claim writes a small row, not the
-- article's.
CREATE TABLE enrich_queue (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    lease_until INTEGER
);
