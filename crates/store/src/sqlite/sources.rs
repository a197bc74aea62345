//! SQLite: sources and regions.

use super::*;

#[async_trait]
impl Sources for SqliteStore {
    async fn sources(&self) -> Result<Vec<Source>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!("SELECT {SOURCE_COLS} FROM sources s ORDER BY s.name COLLATE NOCASE, s.id"))?;
            let rows = stmt.query_map([], |r| source_from_row(r, 0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let slug = slug.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.slug = ?1"), [slug], |r| {
                    source_from_row(r, 0)
                })
                .optional()?)
        })
        .await
    }

    async fn regions(&self) -> Result<Vec<Region>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT UPPER(region), COUNT(*) FROM sources WHERE region IS NOT NULL AND region <> '' GROUP BY UPPER(region) ORDER BY 1",
            )?;
            let rows = st.query_map([], |r| Ok(Region { code: r.get(0)?, sources: r.get(1)? }))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}

#[async_trait]
impl SourceWrites for SqliteStore {
    async fn add_source(&self, s: NewSource) -> Result<(Source, bool)> {
        let now = self.clock.now().timestamp();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let existing = tx
                .query_row(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.feed_url = ?1"), [s.feed_url.as_str()], |r| source_from_row(r, 0))
                .optional()?;
            if let Some(src) = existing {
                return Ok((src, false));
            }
            let slug = unique_slug(&tx, &s.name)?;
            tx.execute(
                "INSERT INTO sources (slug, name, home_url, feed_url, region, lang, fetch_pages, trusted_hosts, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'new', ?9)",
                params![
                    slug,
                    s.name,
                    s.home_url.as_ref().map(FeedUrl::as_str),
                    s.feed_url.as_str(),
                    s.region,
                    s.lang,
                    s.fetch_pages as i64,
                    s.trusted_hosts.join(" "),
                    now
                ],
            )?;
            let id = tx.last_insert_rowid();
            let src = tx.query_row(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.id = ?1"), [id], |r| source_from_row(r, 0))?;
            tx.commit()?;
            Ok((src, true))
        })
        .await
    }

    async fn remove_source(&self, source_id: i64) -> Result<bool> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            // Explicit, so that the deletion trigger logs each article for
            // the search indexes.
            tx.execute("DELETE FROM articles WHERE source_id = ?1", [source_id])?;
            let n = tx.execute("DELETE FROM sources WHERE id = ?1", [source_id])?;
            tx.commit()?;
            Ok(n > 0)
        })
        .await
    }

    async fn set_extract_rules(&self, source_id: i64, rules: model::ExtractRules) -> Result<()> {
        self.write(move |conn| {
            conn.execute(
                "UPDATE sources SET extract_keep = ?2, extract_drop = ?3 WHERE id = ?1",
                params![source_id, rules.keep, rules.drop.join("\n")],
            )?;
            Ok(())
        })
        .await
    }
}
