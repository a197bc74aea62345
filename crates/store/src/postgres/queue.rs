//! PostgreSQL: the enrichment queue.

use super::*;

#[async_trait]
impl EnrichQueue for PgStore {
    async fn claim_pending(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: usize) -> Result<Vec<Article>> {
        let client = self.client().await?;
        // SKIP LOCKED, as for sources: workers never wait on each other's
        // claims.
        let rows = client
            .query(
                "WITH due AS (
                     SELECT article_id FROM enrich_queue WHERE lease_until IS NULL OR lease_until < $2
                     ORDER BY article_id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 UPDATE enrich_queue q SET lease_until = $1 FROM due WHERE q.article_id = due.article_id
                 RETURNING q.article_id",
                &[&ts(now + lease), &ts(now), &(limit as i64)],
            )
            .await?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.try_get(0)).collect::<std::result::Result<_, _>>()?;
        ids.sort_unstable();
        self.articles_by_ids(&ids).await
    }

    async fn complete_enrichment(&self, batch: Vec<(Enrichment, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // As insert_articles: short row locks on tag counts.
        tx.batch_execute("SET LOCAL synchronous_commit TO OFF").await?;
        let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
        for (i, (e, story)) in batch.iter().enumerate() {
            let join = story.story_to_join(i, &stored);
            stored.push(enrich_one(&tx, e, join).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }
}
