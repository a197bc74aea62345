//! SQLite: the enrichment queue.

use super::*;

#[async_trait]
impl EnrichQueue for SqliteStore {
    async fn claim_pending(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: usize) -> Result<Vec<Article>> {
        let mut ids: Vec<i64> = self
            .write(move |conn| {
                let mut st = conn.prepare_cached(
                    "UPDATE enrich_queue SET lease_until = ?1 WHERE article_id IN (
                         SELECT article_id FROM enrich_queue WHERE lease_until IS NULL OR lease_until < ?2
                         ORDER BY article_id LIMIT ?3)
                     RETURNING article_id",
                )?;
                let rows = st.query_map(params![ts(now + lease), ts(now), limit as i64], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        // Read outside the writer: the claim is what must be serial.
        ids.sort_unstable();
        self.articles_by_ids(&ids).await
    }

    async fn complete_enrichment(&self, batch: Vec<(Enrichment, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
            for (i, (e, story)) in batch.iter().enumerate() {
                let join = story.story_to_join(i, &stored);
                stored.push(enrich_one(&tx, e, join)?);
            }
            tx.commit()?;
            Ok(stored)
        })
        .await
    }
}
