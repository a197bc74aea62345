//! SQLite: stories: reading, candidates for matching, merging.

use super::*;

#[async_trait]
impl Stories for SqliteStore {
    async fn story(&self, id: i64) -> Result<Option<Story>> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT st.id, st.lead_article_id, COUNT(a.id), COUNT(DISTINCT a.source_id)
                     FROM stories st JOIN articles a ON a.story_id = st.id WHERE st.id = ?1 GROUP BY st.id",
                    [id],
                    |r| {
                        Ok(Story {
                            id: r.get(0)?,
                            lead_article_id: r.get(1)?,
                            article_count: r.get(2)?,
                            outlet_count: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    async fn merged_story(&self, id: i64) -> Result<Option<i64>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT into_id FROM story_merges WHERE from_id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    async fn recent_stories(&self, window: usize) -> Result<Vec<StorySummary>> {
        let rows: Vec<(i64, i64, i64, i64, i64)> = self
            .read(move |conn| {
                let mut st = conn.prepare_cached(
                    "SELECT st.id, st.lead_article_id, COUNT(a.id), COUNT(DISTINCT a.source_id), MAX(a.published_at)
                     FROM (SELECT id, story_id, source_id, published_at FROM articles ORDER BY published_at DESC, id DESC LIMIT ?1) a
                     JOIN stories st ON st.id = a.story_id GROUP BY st.id",
                )?;
                let rows = st.query_map([window as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        let leads = self.articles_by_ids(&rows.iter().map(|r| r.1).collect::<Vec<_>>()).await?;
        Ok(rows::story_summaries(rows, leads))
    }
}

#[async_trait]
impl StoryMatching for SqliteStore {
    async fn story_candidate_refs(
        &self,
        queries: Vec<CandidateQuery>,
        limit: usize,
        recent: usize,
    ) -> Result<Vec<Vec<CandidateRef>>> {
        self.read(move |conn| {
            let mut out = Vec::with_capacity(queries.len());
            for q in &queries {
                // The keys go in as one JSON array, so that every query has
                // the same text and reuses one prepared statement. The limits
                // are written into the text: a bound LIMIT makes SQLite (built
                // with STAT4) prepare the statement again on every run, which
                // cost more than the query itself.
                let mut st = conn.prepare_cached(&format!(
                    "WITH ids AS (
                         SELECT id FROM (SELECT at.article_id AS id FROM article_tags at
                          WHERE at.tag_id IN (SELECT id FROM tags WHERE key IN (SELECT value FROM json_each(?3)))
                            AND at.published_at BETWEEN ?1 AND ?2
                          ORDER BY at.published_at DESC LIMIT {limit})
                         UNION
                         SELECT id FROM (SELECT id FROM articles WHERE published_at BETWEEN ?1 AND ?2
                          ORDER BY published_at DESC, id DESC LIMIT {recent}))
                     SELECT a.id, a.story_id FROM articles a JOIN ids ON ids.id = a.id
                     ORDER BY a.published_at DESC, a.id DESC"
                ))?;
                // A list of strings always serialises.
                let keys = serde_json::to_string(&q.entity_keys).unwrap_or_else(|_| "[]".into());
                let params = params![ts(q.from), ts(q.to), keys];
                let rows = st.query_map(params, |r| Ok(CandidateRef { id: r.get(0)?, story_id: r.get(1)? }))?;
                out.push(rows.collect::<rusqlite::Result<Vec<_>>>()?);
            }
            Ok(out)
        })
        .await
    }

    async fn story_candidates_by_ids(&self, ids: &[i64]) -> Result<Vec<StoryCandidate>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One JSON array parameter: the same statement text for any count.
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        self.read(move |conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT id, story_id, title, substr(text, 1, {LEAD_CHARS}), published_at FROM articles
                 WHERE id IN (SELECT value FROM json_each(?1))"
            ))?;
            let rows = st.query_map([&ids], |r| {
                Ok(StoryCandidate {
                    id: r.get(0)?,
                    story_id: r.get(1)?,
                    title: r.get(2)?,
                    lead: r.get(3)?,
                    entities: Vec::new(),
                    published: from_ts(r.get(4)?),
                })
            })?;
            let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            // One query for every candidate's entities, not one per candidate.
            let mut ents = conn.prepare_cached(
                "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.article_id IN (SELECT value FROM json_each(?1)) AND t.kind = 'entity'
                 ORDER BY at.article_id, t.name",
            )?;
            let rows = ents.query_map([&ids], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut by_id: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
            for row in rows {
                let (id, name) = row?;
                by_id.entry(id).or_default().push(name);
            }
            for c in &mut out {
                c.entities = by_id.remove(&c.id).unwrap_or_default();
            }
            out.sort_by(|a, b| b.published.cmp(&a.published).then(b.id.cmp(&a.id)));
            Ok(out)
        })
        .await
    }

    async fn merge_stories(&self, into: i64, from: &[i64]) -> Result<u64> {
        let from: Vec<i64> = from.iter().copied().filter(|f| *f != into).collect();
        if from.is_empty() {
            return Ok(0);
        }
        let from = serde_json::to_string(&from).unwrap_or_else(|_| "[]".into());
        self.write(move |conn| {
            let tx = conn.transaction()?;
            // Another process may have merged `into` away meanwhile.
            if tx.query_row("SELECT 1 FROM stories WHERE id = ?1", [into], |_| Ok(())).optional()?.is_none() {
                return Ok(0);
            }
            let moved = tx.execute(
                "UPDATE articles SET story_id = ?1 WHERE story_id IN (SELECT value FROM json_each(?2))",
                params![into, from],
            )?;
            // The merged stories' rows stay (empty), so that their ids are
            // never handed out again while story_merges points them on.
            // Old addresses follow: to `into`, also for stories merged into
            // the merged ones before.
            tx.execute(
                "UPDATE story_merges SET into_id = ?1 WHERE into_id IN (SELECT value FROM json_each(?2))",
                params![into, from],
            )?;
            tx.execute(
                // "WHERE true" tells SQLite's parser that ON CONFLICT belongs
                // to the INSERT, not to a join.
                "INSERT INTO story_merges (from_id, into_id) SELECT value, ?1 FROM json_each(?2) WHERE true
                 ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id",
                params![into, from],
            )?;
            tx.execute(
                "UPDATE stories SET lead_article_id = (SELECT id FROM articles WHERE story_id = ?1
                  ORDER BY published_at, id LIMIT 1) WHERE id = ?1",
                [into],
            )?;
            tx.commit()?;
            Ok(moved as u64)
        })
        .await
    }
}
