-- Matches SQLite 0009_story_merges.sql.
-- Where a merged-away story went (as SQLite's 0009).
CREATE TABLE story_merges (
    from_id BIGINT PRIMARY KEY,
    into_id BIGINT NOT NULL
);
