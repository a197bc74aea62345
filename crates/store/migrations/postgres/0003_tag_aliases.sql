-- Matches SQLite 0008_tag_aliases.sql.
-- Tag aliases (as SQLite's 0008).
CREATE TABLE tag_aliases (
    id BIGSERIAL PRIMARY KEY,
    alias_key TEXT NOT NULL UNIQUE,
    alias TEXT NOT NULL,
    tag_id BIGINT NOT NULL REFERENCES tags(id) ON DELETE CASCADE
);
