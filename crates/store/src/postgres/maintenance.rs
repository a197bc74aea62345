//! PostgreSQL: retention: pruning and pinning.

use super::*;

#[async_trait]
impl Maintenance for PgStore {
    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE published_at < $1 AND NOT pinned LIMIT $2)",
                &[&ts(before), &(limit as i64)],
            )
            .await?;
        Ok(n as usize)
    }

    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("UPDATE articles SET pinned = $2 WHERE id = $1", &[&article_id, &pinned]).await? > 0)
    }
}
