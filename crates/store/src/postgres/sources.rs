//! PostgreSQL: sources and regions.

use super::*;

#[async_trait]
impl Sources for PgStore {
    async fn sources(&self) -> Result<Vec<Source>> {
        let client = self.client().await?;
        let rows =
            client.query(&format!("SELECT {SOURCE_COLS} FROM sources s ORDER BY lower(s.name), s.id"), &[]).await?;
        rows.iter().map(|r| source_from_row(r, 0)).collect()
    }

    async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let client = self.client().await?;
        let st = client.prepare_cached(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.slug = $1")).await?;
        client.query_opt(&st, &[&slug]).await?.map(|r| source_from_row(&r, 0)).transpose()
    }

    async fn regions(&self) -> Result<Vec<Region>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT UPPER(region), COUNT(*) FROM sources WHERE region IS NOT NULL AND region <> '' GROUP BY UPPER(region) ORDER BY 1",
                &[],
            )
            .await?;
        rows.iter().map(|r| Ok(Region { code: r.try_get(0)?, sources: r.try_get(1)? })).collect()
    }
}

#[async_trait]
impl SourceWrites for PgStore {
    async fn add_source(&self, s: NewSource) -> Result<(Source, bool)> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Two processes adding the same feed at once: the unique index on
        // feed_url decides, and the loser reads the winner's row.
        tx.execute("SELECT pg_advisory_xact_lock(7243118)", &[]).await?;
        let select = format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.feed_url = $1");
        if let Some(row) = tx.query_opt(&select, &[&s.feed_url.as_str()]).await? {
            return Ok((source_from_row(&row, 0)?, false));
        }
        let slug = unique_slug(&tx, &s.name).await?;
        let row = tx
            .query_one(
                "INSERT INTO sources (slug, name, home_url, feed_url, region, lang, fetch_pages, trusted_hosts, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', $9) RETURNING id",
                &[
                    &slug,
                    &s.name,
                    &s.home_url.as_ref().map(FeedUrl::as_str),
                    &s.feed_url.as_str(),
                    &s.region,
                    &s.lang,
                    &s.fetch_pages,
                    &s.trusted_hosts.join(" "),
                    &self.clock.now().timestamp(),
                ],
            )
            .await?;
        let id: i64 = row.get(0);
        let src = source_from_row(
            &tx.query_one(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.id = $1"), &[&id]).await?,
            0,
        )?;
        tx.commit().await?;
        Ok((src, true))
    }

    async fn remove_source(&self, source_id: i64) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("DELETE FROM articles WHERE source_id = $1", &[&source_id]).await?;
        let n = tx.execute("DELETE FROM sources WHERE id = $1", &[&source_id]).await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn set_extract_rules(&self, source_id: i64, rules: model::ExtractRules) -> Result<()> {
        self.client()
            .await?
            .execute(
                "UPDATE sources SET extract_keep = $2, extract_drop = $3 WHERE id = $1",
                &[&source_id, &rules.keep, &rules.drop.join("\n")],
            )
            .await?;
        Ok(())
    }
}
