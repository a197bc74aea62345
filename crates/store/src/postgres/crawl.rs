//! PostgreSQL: the crawl ledger: due sources, leases, fetch results and known entries.

use super::*;

#[async_trait]
impl CrawlLedger for PgStore {
    async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<(Source, i64)>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {SOURCE_COLS}, s.failures FROM sources s
                     WHERE s.next_fetch_at IS NULL OR s.next_fetch_at <= $1 ORDER BY s.next_fetch_at NULLS FIRST, s.id"
                ),
                &[&ts(now)],
            )
            .await?;
        rows.iter().map(|r| Ok((source_from_row(r, 0)?, r.try_get(SOURCE_NCOLS)?))).collect()
    }

    async fn claim_due_sources(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<(Source, i64)>> {
        let client = self.client().await?;
        // SKIP LOCKED: a row another worker is claiming right now is passed
        // over instead of waited for, so claims never block each other.
        let rows = client
            .query(
                &format!(
                    "WITH due AS (
                         SELECT id FROM sources
                         WHERE (next_fetch_at IS NULL OR next_fetch_at <= $3)
                           AND (lease_until IS NULL OR lease_until < $3)
                         ORDER BY next_fetch_at NULLS FIRST, id
                         LIMIT $4
                         FOR UPDATE SKIP LOCKED)
                     UPDATE sources s SET lease_owner = $1, lease_until = $2
                     FROM due WHERE s.id = due.id
                     RETURNING {SOURCE_COLS}, s.failures"
                ),
                &[&worker, &ts(now + lease), &ts(now), &(limit as i64)],
            )
            .await?;
        rows.iter().map(|r| Ok((source_from_row(r, 0)?, r.try_get(SOURCE_NCOLS)?))).collect()
    }

    async fn record_fetch(&self, source_id: i64, o: FetchOutcome) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let status = if o.error.is_some() { SourceStatus::Failing } else { SourceStatus::Ok };
        tx.execute(
            "UPDATE sources SET status = $2, last_error = $3, last_fetched_at = $4,
                 etag = COALESCE($5, etag), last_modified = COALESCE($6, last_modified),
                 next_fetch_at = $7, lease_owner = NULL, lease_until = NULL,
                 failures = CASE WHEN $3::TEXT IS NULL THEN 0 ELSE failures + 1 END,
                 last_note = $8
             WHERE id = $1",
            &[
                &source_id,
                &status.as_str(),
                &o.error,
                &ts(o.at),
                &o.etag,
                &o.last_modified,
                &o.next_fetch.map(ts),
                &o.note,
            ],
        )
        .await?;
        if let Some(moved) = o.moved_to {
            let taken = tx.query_opt("SELECT 1 FROM sources WHERE feed_url = $1", &[&moved.as_str()]).await?.is_some();
            if !taken {
                tx.execute("UPDATE sources SET feed_url = $2 WHERE id = $1", &[&source_id, &moved.as_str()]).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn known_entries(&self, source_id: i64, keys: &[String]) -> Result<Vec<String>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT guid FROM articles WHERE source_id = $1 AND guid = ANY($2)
                 UNION SELECT url FROM articles WHERE url = ANY($2)",
                &[&source_id, &keys],
            )
            .await?;
        let found: std::collections::HashSet<String> = rows.iter().map(|r| r.get(0)).collect();
        Ok(keys.iter().filter(|k| found.contains(*k)).cloned().collect())
    }
}
