//! SQLite: tags, aliases and tag rules.

use super::*;

#[async_trait]
impl Tags for SqliteStore {
    async fn top_tags(&self, since: Option<DateTime<Utc>>, limit: usize) -> Result<Vec<TagCount>> {
        self.read(move |conn| {
            // All time: the kept counts. A window: count that window's rows.
            let mut st = conn.prepare_cached(if since.is_none() {
                "SELECT t.name, t.kind, t.article_count AS n FROM tags t WHERE ?1 IS NOT NULL AND t.article_count > 0
                 ORDER BY n DESC, t.name LIMIT ?2"
            } else {
                "SELECT t.name, t.kind, COUNT(*) AS n FROM article_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.published_at >= ?1 GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?2"
            })?;
            tag_counts(&mut st, params![since.map_or(i64::MIN, ts), limit as i64])
        })
        .await
    }

    async fn tag(&self, name: &TagName) -> Result<Option<TagCount>> {
        let key = name.key();
        self.read(move |conn| {
            let mut st = conn.prepare_cached(
                "SELECT t.name, t.kind, t.article_count FROM tags t
                 WHERE t.key = ?1 OR t.id = (SELECT tag_id FROM tag_aliases WHERE alias_key = ?1)
                 ORDER BY t.key = ?1 DESC LIMIT 1",
            )?;
            Ok(tag_counts(&mut st, [key])?.into_iter().next())
        })
        .await
    }

    async fn related_tags(&self, name: &TagName, limit: usize) -> Result<Vec<TagCount>> {
        let key = name.key();
        self.read(move |conn| {
            let mut st = conn.prepare_cached(
                "SELECT t.name, t.kind, COUNT(*) AS n FROM article_tags at2 JOIN tags t ON t.id = at2.tag_id
                 WHERE at2.article_id IN (
                     SELECT at.article_id FROM article_tags at JOIN tags t0 ON t0.id = at.tag_id
                     WHERE t0.key = ?1 ORDER BY at.published_at DESC LIMIT 500)
                   AND t.key <> ?1
                 GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?2",
            )?;
            tag_counts(&mut st, params![key, limit as i64])
        })
        .await
    }

    async fn trending_tags(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<TrendingTag>> {
        let day = ts(now) - 86_400;
        let week = day - 7 * 86_400;
        let out: Vec<TrendingTag> = self
            .read(move |conn| {
                let mut st = conn.prepare_cached(
                    "SELECT t.name, t.kind,
                            SUM(CASE WHEN at.published_at > ?1 THEN 1 ELSE 0 END) AS recent,
                            SUM(CASE WHEN at.published_at <= ?1 THEN 1 ELSE 0 END) AS base
                     FROM article_tags at JOIN tags t ON t.id = at.tag_id
                     WHERE at.published_at > ?2 AND at.published_at <= ?3
                     GROUP BY t.id HAVING SUM(CASE WHEN at.published_at > ?1 THEN 1 ELSE 0 END) > 0",
                )?;
                let rows = st.query_map(params![day, week, ts(now)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
                })?;
                Ok(rows
                    .filter_map(|row| {
                        let (name, kind, recent, base) = row.ok()?;
                        Some(TrendingTag {
                            name: TagName::parse(&name).ok()?,
                            kind: TagKind::parse(&kind)?,
                            recent,
                            baseline: base as f64 / 7.0,
                        })
                    })
                    .collect())
            })
            .await?;
        Ok(rank_trending(out, limit))
    }

    async fn search_tags(&self, prefix: &str, limit: usize) -> Result<Vec<TagCount>> {
        // LIKE with the wildcards of the input escaped: a prefix match that
        // can use the unique index on key.
        let pattern = like_prefix(prefix);
        self.read(move |conn| {
            let mut st = conn.prepare_cached(
                "SELECT t.name, t.kind, t.article_count AS n
                 FROM tags t WHERE t.key LIKE ?1 ESCAPE '\\' ORDER BY n DESC, t.name LIMIT ?2",
            )?;
            Ok(tag_counts(&mut st, params![pattern, limit as i64])?.into_iter().filter(|t| t.count > 0).collect())
        })
        .await
    }

    async fn tag_aliases(&self) -> Result<Vec<TagAlias>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT a.alias, t.name FROM tag_aliases a JOIN tags t ON t.id = a.tag_id ORDER BY a.alias_key",
            )?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (alias, tag) = row?;
                if let (Ok(alias), Ok(tag)) = (TagName::parse(&alias), TagName::parse(&tag)) {
                    out.push(TagAlias { alias, tag });
                }
            }
            Ok(out)
        })
        .await
    }

    async fn tag_rules(&self) -> Result<Vec<TagRule>> {
        self.read(|conn| {
            let mut st = conn.prepare_cached("SELECT id, tag, keywords, source_id FROM tag_rules ORDER BY id")?;
            let rows = st.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<i64>>(3)?))
            })?;
            Ok(rows
                .filter_map(|row| {
                    let (id, tag, keywords, source_id) = row.ok()?;
                    Some(TagRule {
                        id,
                        tag: TagName::parse(&tag).ok()?,
                        keywords: keywords
                            .lines()
                            .map(str::trim)
                            .filter(|k| !k.is_empty())
                            .map(str::to_string)
                            .collect(),
                        source_id,
                    })
                })
                .collect())
        })
        .await
    }
}

#[async_trait]
impl TagWrites for SqliteStore {
    async fn add_tag_alias(&self, alias: &TagName, tag: &TagName) -> Result<u64> {
        let (alias, tag) = (alias.clone(), tag.clone());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            // Aliases never chain: an alias of an alias points at its tag.
            let target: Option<(String, String)> = tx
                .query_row(
                    "SELECT t.key, t.name FROM tag_aliases a JOIN tags t ON t.id = a.tag_id WHERE a.alias_key = ?1",
                    [tag.key()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (target_key, target_name) = target.unwrap_or_else(|| (tag.key(), tag.to_string()));
            if target_key == alias.key() {
                return Err(StoreError::Invalid(format!("#{alias} cannot be an alias of itself")));
            }
            let old: Option<(i64, String)> = tx
                .query_row("SELECT id, kind FROM tags WHERE key = ?1", [alias.key()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let kind = old.as_ref().map_or_else(|| TagKind::Rule.as_str().to_string(), |(_, k)| k.clone());
            let target_id: i64 = tx.query_row(
                "INSERT INTO tags (key, name, kind) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id",
                params![target_key, target_name, kind],
                |r| r.get(0),
            )?;
            let mut moved = 0;
            if let Some((old_id, _)) = old {
                tx.execute(
                    "INSERT INTO article_tags (article_id, tag_id, score, published_at)
                     SELECT article_id, ?2, score, published_at FROM article_tags WHERE tag_id = ?1
                     ON CONFLICT DO NOTHING",
                    params![old_id, target_id],
                )?;
                moved = tx.execute("DELETE FROM article_tags WHERE tag_id = ?1", [old_id])?;
                tx.execute("UPDATE tag_aliases SET tag_id = ?2 WHERE tag_id = ?1", params![old_id, target_id])?;
                tx.execute("DELETE FROM tags WHERE id = ?1", [old_id])?;
            }
            tx.execute(
                "INSERT INTO tag_aliases (alias_key, alias, tag_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (alias_key) DO UPDATE SET alias = excluded.alias, tag_id = excluded.tag_id",
                params![alias.key(), alias.as_str(), target_id],
            )?;
            tx.commit()?;
            Ok(moved as u64)
        })
        .await
    }

    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool> {
        let key = alias.key();
        self.write(move |conn| Ok(conn.execute("DELETE FROM tag_aliases WHERE alias_key = ?1", [key])? > 0)).await
    }

    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64> {
        let now = self.clock.now().timestamp();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO tag_rules (tag, keywords, source_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![rule.tag.as_str(), rule.keywords.join("\n"), rule.source_id, now],
            )?;
            Ok(conn.last_insert_rowid())
        })
        .await
    }

    async fn remove_tag_rule(&self, id: i64) -> Result<bool> {
        self.write(move |conn| Ok(conn.execute("DELETE FROM tag_rules WHERE id = ?1", [id])? > 0)).await
    }
}
