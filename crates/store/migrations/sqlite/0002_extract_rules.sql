-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Per-source extraction rules: a CSS selector for the content to keep, and
-- selectors (one per line) for elements to drop.
ALTER TABLE sources ADD COLUMN extract_keep TEXT;
ALTER TABLE sources ADD COLUMN extract_drop TEXT NOT NULL DEFAULT '';
