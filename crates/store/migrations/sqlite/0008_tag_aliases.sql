-- Matches PostgreSQL 0003_tag_aliases.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Tag aliases: a tag key that always stands for another tag ("beijing" for
-- China, "u.s." for US). Articles tagged with an alias are stored under its
-- tag, and the alias's own pages show that tag.
CREATE TABLE tag_aliases (
    id INTEGER PRIMARY KEY,
    alias_key TEXT NOT NULL UNIQUE,
    alias TEXT NOT NULL,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE
);
