-- Matches SQLite 0011_source_notes.sql.
-- What the last successful crawl of a source left undone (as SQLite's 0011).
ALTER TABLE sources ADD COLUMN last_note TEXT;
