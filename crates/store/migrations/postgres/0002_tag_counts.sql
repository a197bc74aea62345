-- Matches SQLite 0007_tag_counts.sql.
-- How many articles carry each tag, kept by triggers (as SQLite's 0007).
ALTER TABLE tags ADD COLUMN article_count BIGINT NOT NULL DEFAULT 0;
UPDATE tags SET article_count = (SELECT COUNT(*) FROM article_tags at WHERE at.tag_id = tags.id);
CREATE INDEX tags_article_count ON tags(article_count);
CREATE FUNCTION count_article_tags() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE tags SET article_count = article_count + 1 WHERE id = NEW.tag_id;
        RETURN NEW;
    END IF;
    UPDATE tags SET article_count = article_count - 1 WHERE id = OLD.tag_id;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER article_tags_counted AFTER INSERT OR DELETE ON article_tags
    FOR EACH ROW EXECUTE FUNCTION count_article_tags();
