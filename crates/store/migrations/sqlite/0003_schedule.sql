-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Adaptive scheduling: when each source is next due, and how many fetches
-- in a row have failed (for backoff).
ALTER TABLE sources ADD COLUMN next_fetch_at INTEGER;
ALTER TABLE sources ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sources_due ON sources(next_fetch_at);
