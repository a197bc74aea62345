-- Matches PostgreSQL 0004_story_merges.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Where a merged-away story went, so that its address keeps working.
CREATE TABLE story_merges (
    from_id INTEGER PRIMARY KEY,
    into_id INTEGER NOT NULL
);
