//! SQLite: what the search index follows.

use super::*;

#[async_trait]
impl SearchFeed for SqliteStore {
    async fn articles_after_id(&self, after_id: i64, limit: usize) -> Result<Vec<Article>> {
        self.read(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE a.id > ?1 AND a.{ENRICHED_PREFIX} ORDER BY a.id LIMIT ?2"
            ))?;
            let mut out = st
                .query_map(params![after_id, limit as i64], article_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            attach_tags(conn, &mut out)?;
            Ok(out)
        })
        .await
    }

    async fn article_ids_after(&self, after_id: i64, limit: usize) -> Result<Vec<i64>> {
        self.read(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT id FROM articles WHERE id > ?1 AND {ENRICHED_PREFIX} ORDER BY id LIMIT ?2"
            ))?;
            let rows = st.query_map(params![after_id, limit as i64], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn deletions_after(&self, after: i64, limit: usize) -> Result<Deletions> {
        self.read(move |conn| {
            let mut st = conn
                .prepare_cached("SELECT seq, article_id FROM article_deletions WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
            let mut out = Deletions { ids: Vec::new(), through: after };
            let rows =
                st.query_map(params![after, limit as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (seq, id) = row?;
                out.ids.push(id);
                out.through = seq;
            }
            Ok(out)
        })
        .await
    }
}
