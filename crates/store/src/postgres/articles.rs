//! PostgreSQL: reading and inserting articles.

use super::*;

#[async_trait]
impl Articles for PgStore {
    async fn list_articles(&self, q: &ArticleQuery) -> Result<Vec<Article>> {
        let client = self.client().await?;
        let (after_ts, after_id) = q.after.map_or((i64::MAX, i64::MAX), |c| (ts(c.published), c.id));
        let base = format!("SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id");
        let keyset = "(a.published_at, a.id) < ($1, $2)";
        let order = "ORDER BY a.published_at DESC, a.id DESC LIMIT $3";
        let limit = q.limit as i64;
        let (sql, extra): (String, Option<Box<dyn ToSql + Sync + Send>>) = match &q.filter {
            ArticleFilter::All => (format!("{base} WHERE {keyset} {order}"), None),
            ArticleFilter::Tag(name) => (
                format!(
                    "{base} JOIN article_tags at ON at.article_id = a.id
                     WHERE at.tag_id = (SELECT id FROM tags WHERE key = $4) AND (at.published_at, at.article_id) < ($1, $2)
                     ORDER BY at.published_at DESC, at.article_id DESC LIMIT $3"
                ),
                Some(Box::new(name.key())),
            ),
            ArticleFilter::Category(c) => {
                (format!("{base} WHERE a.category = $4 AND {keyset} {order}"), Some(Box::new(c.label().to_string())))
            }
            ArticleFilter::Source(id) => (format!("{base} WHERE a.source_id = $4 AND {keyset} {order}"), Some(Box::new(*id))),
            ArticleFilter::Story(id) => (format!("{base} WHERE a.story_id = $4 AND {keyset} {order}"), Some(Box::new(*id))),
            ArticleFilter::Edition(region) => {
                (format!("{base} WHERE s.region = $4 AND {keyset} {order}"), Some(Box::new(region.to_uppercase())))
            }
        };
        let st = client.prepare_cached(&sql).await?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&after_ts, &after_id, &limit];
        if let Some(e) = &extra {
            params.push(e.as_ref() as &(dyn ToSql + Sync));
        }
        let rows = client.query(&st, &params).await?;
        let mut out = articles_from_rows(&rows)?;
        attach_tags(&client, &mut out).await?;
        Ok(out)
    }

    async fn article(&self, id: i64) -> Result<Option<Article>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = $1"
            ))
            .await?;
        let Some(row) = client.query_opt(&st, &[&id]).await? else { return Ok(None) };
        let mut v = [article_from_row(&row)?];
        attach_tags(&client, &mut v).await?;
        let [a] = v;
        Ok(Some(a))
    }

    async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ANY($1)"
            ))
            .await?;
        let rows = client.query(&st, &[&ids]).await?;
        let mut found = articles_from_rows(&rows)?;
        attach_tags(&client, &mut found).await?;
        let mut by_id: std::collections::HashMap<i64, Article> = found.into_iter().map(|a| (a.id, a)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn image(&self, article_id: i64) -> Result<Option<model::ImageData>> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT content_type, data FROM article_images WHERE article_id = $1", &[&article_id])
            .await?;
        row.map(|r| Ok(model::ImageData { content_type: r.try_get(0)?, bytes: r.try_get(1)? })).transpose()
    }

    async fn counts(&self) -> Result<Counts> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM articles),
                        (SELECT COUNT(DISTINCT tag_id) FROM article_tags), (SELECT COUNT(DISTINCT story_id) FROM articles),
                        (SELECT COUNT(*) FROM enrich_queue)",
                &[],
            )
            .await?;
        Ok(Counts {
            sources: r.try_get(0)?,
            articles: r.try_get(1)?,
            tags: r.try_get(2)?,
            stories: r.try_get(3)?,
            pending: r.try_get(4)?,
        })
    }
}

#[async_trait]
impl ArticleWrites for PgStore {
    async fn insert_articles(&self, batch: Vec<(NewArticle, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Not waiting for the WAL flush at commit keeps row locks (tag
        // counts) short, so many workers insert in parallel. Durability is
        // kept where it matters: record_fetch commits synchronously after a
        // source's articles, and the WAL is flushed in order, so a feed's new
        // validators are never durable without the articles before them.
        tx.batch_execute("SET LOCAL synchronous_commit TO OFF").await?;
        let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
        for (i, (a, story)) in batch.iter().enumerate() {
            let join = story.story_to_join(i, &stored);
            stored.push(insert_one(&tx, a, join, *story == StoryAssignment::Pending).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }
}
