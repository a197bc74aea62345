-- Matches PostgreSQL 0002_tag_counts.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- How many articles carry each tag, kept by triggers, so that a tag page or
-- the list of most used tags does not count millions of rows.
ALTER TABLE tags ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
UPDATE tags SET article_count = (SELECT COUNT(*) FROM article_tags at WHERE at.tag_id = tags.id);
CREATE INDEX tags_article_count ON tags(article_count);
CREATE TRIGGER article_tags_added AFTER INSERT ON article_tags
BEGIN
    UPDATE tags SET article_count = article_count + 1 WHERE id = new.tag_id;
END;
CREATE TRIGGER article_tags_removed AFTER DELETE ON article_tags
BEGIN
    UPDATE tags SET article_count = article_count - 1 WHERE id = old.tag_id;
END;
