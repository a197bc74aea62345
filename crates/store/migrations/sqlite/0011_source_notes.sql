-- What the last successful crawl of a source left undone (issue 14): for
-- example the article pages it did not fetch because of the per-crawl
-- limit. NULL when nothing was left. (PostgreSQL's 0006.)
ALTER TABLE sources ADD COLUMN last_note TEXT;
