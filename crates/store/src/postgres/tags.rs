//! PostgreSQL: tags, aliases and tag rules.

use super::*;

#[async_trait]
impl Tags for PgStore {
    async fn top_tags(&self, since: Option<DateTime<Utc>>, limit: usize) -> Result<Vec<TagCount>> {
        let client = self.client().await?;
        let rows = client
            .query(
                if since.is_none() {
                    "SELECT t.name, t.kind, t.article_count AS n FROM tags t WHERE $1::BIGINT IS NOT NULL AND t.article_count > 0
                     ORDER BY n DESC, t.name LIMIT $2"
                } else {
                    "SELECT t.name, t.kind, COUNT(*) AS n FROM article_tags at JOIN tags t ON t.id = at.tag_id
                     WHERE at.published_at >= $1 GROUP BY t.id ORDER BY n DESC, t.name LIMIT $2"
                },
                &[&since.map_or(i64::MIN, ts), &(limit as i64)],
            )
            .await?;
        tag_counts(&rows)
    }

    async fn tag(&self, name: &TagName) -> Result<Option<TagCount>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "SELECT t.name, t.kind, t.article_count FROM tags t
                 WHERE t.key = $1 OR t.id = (SELECT tag_id FROM tag_aliases WHERE alias_key = $1)
                 ORDER BY t.key = $1 DESC LIMIT 1",
            )
            .await?;
        let rows = client.query(&st, &[&name.key()]).await?;
        Ok(tag_counts(&rows)?.into_iter().next())
    }

    async fn related_tags(&self, name: &TagName, limit: usize) -> Result<Vec<TagCount>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT t.name, t.kind, COUNT(*) AS n FROM article_tags at2 JOIN tags t ON t.id = at2.tag_id
                 WHERE at2.article_id IN (
                     SELECT at.article_id FROM article_tags at JOIN tags t0 ON t0.id = at.tag_id
                     WHERE t0.key = $1 ORDER BY at.published_at DESC LIMIT 500)
                   AND t.key <> $1
                 GROUP BY t.id ORDER BY n DESC, t.name LIMIT $2",
                &[&name.key(), &(limit as i64)],
            )
            .await?;
        tag_counts(&rows)
    }

    async fn trending_tags(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<TrendingTag>> {
        let day = ts(now) - 86_400;
        let week = day - 7 * 86_400;
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT t.name, t.kind,
                        SUM(CASE WHEN at.published_at > $1 THEN 1 ELSE 0 END)::BIGINT AS recent,
                        SUM(CASE WHEN at.published_at <= $1 THEN 1 ELSE 0 END)::BIGINT AS base
                 FROM article_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.published_at > $2 AND at.published_at <= $3
                 GROUP BY t.id HAVING SUM(CASE WHEN at.published_at > $1 THEN 1 ELSE 0 END) > 0",
                &[&day, &week, &ts(now)],
            )
            .await?;
        let out = trending(&rows)?;
        Ok(rank_trending(out, limit))
    }

    async fn search_tags(&self, prefix: &str, limit: usize) -> Result<Vec<TagCount>> {
        let pattern = like_prefix(prefix);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT t.name, t.kind, t.article_count AS n
                 FROM tags t WHERE t.key LIKE $1 ESCAPE '\\' ORDER BY n DESC, t.name LIMIT $2",
                &[&pattern, &(limit as i64)],
            )
            .await?;
        Ok(tag_counts(&rows)?.into_iter().filter(|t| t.count > 0).collect())
    }

    async fn tag_aliases(&self) -> Result<Vec<TagAlias>> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT a.alias, t.name FROM tag_aliases a JOIN tags t ON t.id = a.tag_id ORDER BY a.alias_key", &[])
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (alias, tag): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            if let (Ok(alias), Ok(tag)) = (TagName::parse(&alias), TagName::parse(&tag)) {
                out.push(TagAlias { alias, tag });
            }
        }
        Ok(out)
    }

    async fn tag_rules(&self) -> Result<Vec<TagRule>> {
        let client = self.client().await?;
        let rows = client.query("SELECT id, tag, keywords, source_id FROM tag_rules ORDER BY id", &[]).await?;
        let mut out = Vec::new();
        for r in rows {
            let (id, tag, keywords, source_id): (i64, String, String, Option<i64>) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
            if let Ok(tag) = TagName::parse(&tag) {
                let keywords = keywords.lines().map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
                out.push(TagRule { id, tag, keywords, source_id });
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl TagWrites for PgStore {
    async fn add_tag_alias(&self, alias: &TagName, tag: &TagName) -> Result<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Aliases never chain: an alias of an alias points at its tag.
        let target = tx
            .query_opt(
                "SELECT t.key, t.name FROM tag_aliases a JOIN tags t ON t.id = a.tag_id WHERE a.alias_key = $1",
                &[&tag.key()],
            )
            .await?;
        let (target_key, target_name): (String, String) = match target {
            Some(r) => (r.try_get(0)?, r.try_get(1)?),
            None => (tag.key(), tag.to_string()),
        };
        if target_key == alias.key() {
            return Err(StoreError::Invalid(format!("#{alias} cannot be an alias of itself")));
        }
        let old = tx.query_opt("SELECT id, kind FROM tags WHERE key = $1 FOR UPDATE", &[&alias.key()]).await?;
        let old: Option<(i64, String)> = match old {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
            None => None,
        };
        let kind = old.as_ref().map_or_else(|| TagKind::Rule.as_str().to_string(), |(_, k)| k.clone());
        let target_id: i64 = tx
            .query_one(
                "INSERT INTO tags (key, name, kind) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id",
                &[&target_key, &target_name, &kind],
            )
            .await?
            .try_get(0)?;
        let mut moved = 0;
        if let Some((old_id, _)) = old {
            tx.execute(
                "INSERT INTO article_tags (article_id, tag_id, score, published_at)
                 SELECT article_id, $2, score, published_at FROM article_tags WHERE tag_id = $1
                 ON CONFLICT DO NOTHING",
                &[&old_id, &target_id],
            )
            .await?;
            moved = tx.execute("DELETE FROM article_tags WHERE tag_id = $1", &[&old_id]).await?;
            tx.execute("UPDATE tag_aliases SET tag_id = $2 WHERE tag_id = $1", &[&old_id, &target_id]).await?;
            tx.execute("DELETE FROM tags WHERE id = $1", &[&old_id]).await?;
        }
        tx.execute(
            "INSERT INTO tag_aliases (alias_key, alias, tag_id) VALUES ($1, $2, $3)
             ON CONFLICT (alias_key) DO UPDATE SET alias = excluded.alias, tag_id = excluded.tag_id",
            &[&alias.key(), &alias.as_str(), &target_id],
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("DELETE FROM tag_aliases WHERE alias_key = $1", &[&alias.key()]).await? > 0)
    }

    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "INSERT INTO tag_rules (tag, keywords, source_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&rule.tag.as_str(), &rule.keywords.join("\n"), &rule.source_id, &self.clock.now().timestamp()],
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn remove_tag_rule(&self, id: i64) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("DELETE FROM tag_rules WHERE id = $1", &[&id]).await? > 0)
    }
}
