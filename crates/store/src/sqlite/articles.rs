//! SQLite: reading and inserting articles.

use super::*;

#[async_trait]
impl Articles for SqliteStore {
    async fn list_articles(&self, q: &ArticleQuery) -> Result<Vec<Article>> {
        let q = q.clone();
        self.read(move |conn| {
            let (after_ts, after_id) = q.after.map_or((i64::MAX, i64::MAX), |c| (ts(c.published), c.id));
            let base =
                format!("SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id");
            let keyset = "(a.published_at < ?1 OR (a.published_at = ?1 AND a.id < ?2))";
            let order = "ORDER BY a.published_at DESC, a.id DESC LIMIT ?3";
            let limit = q.limit as i64;
            let mut out = match &q.filter {
                ArticleFilter::All => {
                    let mut st = conn.prepare_cached(&format!("{base} WHERE {keyset} {order}"))?;
                    let rows = st.query_map(params![after_ts, after_id, limit], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
                ArticleFilter::Tag(name) => {
                    let mut st = conn.prepare_cached(&format!(
                        "{base} JOIN article_tags at ON at.article_id = a.id JOIN tags t ON t.id = at.tag_id
                         WHERE t.key = ?4 AND (at.published_at < ?1 OR (at.published_at = ?1 AND at.article_id < ?2))
                         ORDER BY at.published_at DESC, at.article_id DESC LIMIT ?3"
                    ))?;
                    let rows = st.query_map(params![after_ts, after_id, limit, name.key()], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
                ArticleFilter::Category(c) => {
                    let mut st = conn.prepare_cached(&format!("{base} WHERE a.category = ?4 AND {keyset} {order}"))?;
                    let rows = st.query_map(params![after_ts, after_id, limit, c.label()], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
                ArticleFilter::Source(id) => {
                    let mut st = conn.prepare_cached(&format!("{base} WHERE a.source_id = ?4 AND {keyset} {order}"))?;
                    let rows = st.query_map(params![after_ts, after_id, limit, id], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
                ArticleFilter::Edition(region) => {
                    let mut st = conn.prepare_cached(&format!("{base} WHERE s.region = ?4 AND {keyset} {order}"))?;
                    let rows =
                        st.query_map(params![after_ts, after_id, limit, region.to_uppercase()], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
                ArticleFilter::Story(id) => {
                    let mut st = conn.prepare_cached(&format!("{base} WHERE a.story_id = ?4 AND {keyset} {order}"))?;
                    let rows = st.query_map(params![after_ts, after_id, limit, id], article_from_row)?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()?
                }
            };
            attach_tags(conn, &mut out)?;
            Ok(out)
        })
        .await
    }

    async fn article(&self, id: i64) -> Result<Option<Article>> {
        self.read(move |conn| {
            let a = conn
                .query_row(
                    &format!("SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?1"),
                    [id],
                    article_from_row,
                )
                .optional()?;
            let Some(a) = a else { return Ok(None) };
            let mut v = [a];
            attach_tags(conn, &mut v)?;
            let [a] = v;
            Ok(Some(a))
        })
        .await
    }

    async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = ids.to_vec();
        self.read(move |conn| {
            let placeholders = vec!["?"; ids.len()].join(",");
            let mut st = conn.prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id IN ({placeholders})"
            ))?;
            let mut found = st.query_map(params_from_iter(ids.iter()), article_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
            attach_tags(conn, &mut found)?;
            let mut by_id: std::collections::HashMap<i64, Article> = found.into_iter().map(|a| (a.id, a)).collect();
            Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
        })
        .await
    }

    async fn image(&self, article_id: i64) -> Result<Option<model::ImageData>> {
        self.read(move |conn| {
            Ok(conn
                .query_row("SELECT content_type, data FROM article_images WHERE article_id = ?1", [article_id], |r| {
                    Ok(model::ImageData { content_type: r.get(0)?, bytes: r.get(1)? })
                })
                .optional()?)
        })
        .await
    }

    async fn counts(&self) -> Result<Counts> {
        self.read(|conn| {
            let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
            Ok(Counts {
                sources: one("SELECT COUNT(*) FROM sources")?,
                articles: one("SELECT COUNT(*) FROM articles")?,
                tags: one("SELECT COUNT(DISTINCT tag_id) FROM article_tags")?,
                stories: one("SELECT COUNT(DISTINCT story_id) FROM articles")?,
                pending: one("SELECT COUNT(*) FROM enrich_queue")?,
            })
        })
        .await
    }
}

#[async_trait]
impl ArticleWrites for SqliteStore {
    async fn insert_articles(&self, batch: Vec<(NewArticle, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        // Group commit: batches that arrive while the writer is busy are
        // committed together, each in a savepoint of its own (so one bad
        // batch fails alone). Many feeds' small batches then share one WAL
        // write of the index pages they all touch, instead of one each.
        let (reply, result) = tokio::sync::oneshot::channel();
        self.inner.inserts.lock().unwrap_or_else(|p| p.into_inner()).push((batch, reply));
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let jobs = std::mem::take(&mut *inner.inserts.lock().unwrap_or_else(|p| p.into_inner()));
            // Empty: a writer before us took our batch along.
            if !jobs.is_empty() {
                insert_grouped(&mut conn, jobs);
                let _ = inner.wrote.try_send(());
            }
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?;
        result.await.map_err(|_| StoreError::WorkerGone)?
    }
}
