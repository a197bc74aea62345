//! SQLite: retention: pruning and pinning.

use super::*;

#[async_trait]
impl Maintenance for SqliteStore {
    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        self.write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE published_at < ?1 AND pinned = 0 LIMIT ?2)",
                params![ts(before), limit as i64],
            )?)
        })
        .await
    }

    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool> {
        self.write(move |conn| {
            Ok(conn.execute("UPDATE articles SET pinned = ?2 WHERE id = ?1", params![article_id, pinned as i64])? > 0)
        })
        .await
    }
}
