-- Where a merged-away story went, so that its address keeps working.
CREATE TABLE story_merges (
    from_id INTEGER PRIMARY KEY,
    into_id INTEGER NOT NULL
);
