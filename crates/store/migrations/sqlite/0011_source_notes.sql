-- Matches PostgreSQL 0006_source_notes.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- What the last successful crawl of a source left undone (issue 14): for
-- example the article pages it did not fetch because of the per-crawl
-- limit. NULL when nothing was left. (PostgreSQL's 0006.)
ALTER TABLE sources ADD COLUMN last_note TEXT;
