//! PostgreSQL: what the search index follows.

use super::*;

#[async_trait]
impl SearchFeed for PgStore {
    async fn articles_after_id(&self, after_id: i64, limit: usize) -> Result<Vec<Article>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id
                     WHERE a.id > $1 AND a.{ENRICHED_PREFIX} ORDER BY a.id LIMIT $2"
                ),
                &[&after_id, &(limit as i64)],
            )
            .await?;
        let mut out = articles_from_rows(&rows)?;
        attach_tags(&client, &mut out).await?;
        Ok(out)
    }

    async fn article_ids_after(&self, after_id: i64, limit: usize) -> Result<Vec<i64>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT id FROM articles WHERE id > $1 AND {ENRICHED_PREFIX} ORDER BY id LIMIT $2"),
                &[&after_id, &(limit as i64)],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn deletions_after(&self, after: i64, limit: usize) -> Result<Deletions> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT seq, article_id FROM article_deletions WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &(limit as i64)],
            )
            .await?;
        let mut out = Deletions { ids: Vec::new(), through: after };
        for r in rows {
            out.through = r.try_get(0)?;
            out.ids.push(r.try_get(1)?);
        }
        Ok(out)
    }
}
