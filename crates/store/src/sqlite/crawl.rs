//! SQLite: the crawl ledger: due sources, leases, fetch results and known entries.

use super::*;

#[async_trait]
impl CrawlLedger for SqliteStore {
    async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<(Source, i64)>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SOURCE_COLS}, s.failures FROM sources s
                 WHERE s.next_fetch_at IS NULL OR s.next_fetch_at <= ?1 ORDER BY s.next_fetch_at, s.id"
            ))?;
            let rows = stmt.query_map([ts(now)], |r| Ok((source_from_row(r, 0)?, r.get::<_, i64>(SOURCE_NCOLS)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn claim_due_sources(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<(Source, i64)>> {
        let worker = worker.to_string();
        self.write(move |conn| {
            // One writer connection: the UPDATE's own transaction is enough
            // to keep two claims apart.
            let tx = conn.transaction()?;
            let ids: Vec<i64> = {
                let mut st = tx.prepare_cached(
                    "UPDATE sources SET lease_owner = ?1, lease_until = ?2
                     WHERE id IN (SELECT id FROM sources
                                  WHERE (next_fetch_at IS NULL OR next_fetch_at <= ?3)
                                    AND (lease_until IS NULL OR lease_until < ?3)
                                  ORDER BY next_fetch_at, id LIMIT ?4)
                     RETURNING id",
                )?;
                let rows = st.query_map(params![worker, ts(now + lease), ts(now), limit as i64], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut out = Vec::with_capacity(ids.len());
            {
                let mut st =
                    tx.prepare_cached(&format!("SELECT {SOURCE_COLS}, s.failures FROM sources s WHERE s.id = ?1"))?;
                for id in ids {
                    out.push(st.query_row([id], |r| Ok((source_from_row(r, 0)?, r.get::<_, i64>(SOURCE_NCOLS)?)))?);
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn record_fetch(&self, source_id: i64, o: FetchOutcome) -> Result<()> {
        self.write(move |conn| {
            let status = if o.error.is_some() { SourceStatus::Failing } else { SourceStatus::Ok };
            conn.execute(
                "UPDATE sources SET status = ?2, last_error = ?3, last_fetched_at = ?4,
                     etag = COALESCE(?5, etag), last_modified = COALESCE(?6, last_modified),
                     next_fetch_at = ?7, lease_owner = NULL, lease_until = NULL,
                     failures = CASE WHEN ?3 IS NULL THEN 0 ELSE failures + 1 END,
                     last_note = ?8
                 WHERE id = ?1",
                params![
                    source_id,
                    status.as_str(),
                    o.error,
                    ts(o.at),
                    o.etag,
                    o.last_modified,
                    o.next_fetch.map(ts),
                    o.note
                ],
            )?;
            if let Some(moved) = o.moved_to {
                // Another source may already poll the new URL; keep the old one then.
                let taken = conn
                    .query_row("SELECT 1 FROM sources WHERE feed_url = ?1", [moved.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !taken {
                    conn.execute("UPDATE sources SET feed_url = ?2 WHERE id = ?1", params![source_id, moved.as_str()])?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn known_entries(&self, source_id: i64, keys: &[String]) -> Result<Vec<String>> {
        let keys = keys.to_vec();
        self.read(move |conn| {
            let mut found = Vec::new();
            let mut by_guid = conn.prepare_cached("SELECT 1 FROM articles WHERE source_id = ?1 AND guid = ?2")?;
            let mut by_url = conn.prepare_cached("SELECT 1 FROM articles WHERE url = ?1")?;
            for k in keys {
                if by_guid.exists(params![source_id, k])? || by_url.exists([&k])? {
                    found.push(k);
                }
            }
            Ok(found)
        })
        .await
    }
}
