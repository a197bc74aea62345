//! PostgreSQL: stories: reading, candidates for matching, merging.

use super::*;

#[async_trait]
impl Stories for PgStore {
    async fn story(&self, id: i64) -> Result<Option<Story>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT st.id, st.lead_article_id, COUNT(a.id), COUNT(DISTINCT a.source_id)
                 FROM stories st JOIN articles a ON a.story_id = st.id WHERE st.id = $1 GROUP BY st.id",
                &[&id],
            )
            .await?;
        row.map(|r| {
            Ok(Story {
                id: r.try_get(0)?,
                lead_article_id: r.try_get::<_, Option<i64>>(1)?.unwrap_or_default(),
                article_count: r.try_get(2)?,
                outlet_count: r.try_get(3)?,
            })
        })
        .transpose()
    }

    async fn merged_story(&self, id: i64) -> Result<Option<i64>> {
        let client = self.client().await?;
        let row = client.query_opt("SELECT into_id FROM story_merges WHERE from_id = $1", &[&id]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn recent_stories(&self, window: usize) -> Result<Vec<StorySummary>> {
        let rows = {
            let client = self.client().await?;
            client
                .query(
                    "SELECT st.id, st.lead_article_id, COUNT(a.id), COUNT(DISTINCT a.source_id), MAX(a.published_at)
                     FROM (SELECT id, story_id, source_id, published_at FROM articles ORDER BY published_at DESC, id DESC LIMIT $1) a
                     JOIN stories st ON st.id = a.story_id GROUP BY st.id",
                    &[&(window as i64)],
                )
                .await?
        };
        let mut found = Vec::with_capacity(rows.len());
        for r in &rows {
            let lead: Option<i64> = r.try_get(1)?;
            found.push((
                r.try_get::<_, i64>(0)?,
                lead.unwrap_or_default(),
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ));
        }
        let leads = self.articles_by_ids(&found.iter().map(|r| r.1).collect::<Vec<_>>()).await?;
        Ok(rows::story_summaries(found, leads))
    }
}

#[async_trait]
impl StoryMatching for PgStore {
    async fn story_candidate_refs(
        &self,
        queries: Vec<CandidateQuery>,
        limit: usize,
        recent: usize,
    ) -> Result<Vec<Vec<CandidateRef>>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(
                "WITH ids AS (
                     (SELECT at.article_id AS id FROM article_tags at
                      WHERE at.tag_id IN (SELECT id FROM tags WHERE key = ANY($5))
                        AND at.published_at BETWEEN $1 AND $2
                      ORDER BY at.published_at DESC LIMIT $3)
                     UNION
                     (SELECT id FROM articles WHERE published_at BETWEEN $1 AND $2
                      ORDER BY published_at DESC, id DESC LIMIT $4))
                 SELECT a.id, a.story_id FROM articles a JOIN ids ON ids.id = a.id
                 ORDER BY a.published_at DESC, a.id DESC",
            )
            .await?;
        // Pipelined: the queries go out together rather than one round trip each.
        let pending = queries.iter().map(|q| {
            let (st, client) = (&st, &client);
            async move {
                let rows = client
                    .query(st, &[&ts(q.from), &ts(q.to), &(limit as i64), &(recent as i64), &q.entity_keys])
                    .await?;
                rows.iter()
                    .map(|r| Ok(CandidateRef { id: r.try_get(0)?, story_id: r.try_get(1)? }))
                    .collect::<Result<Vec<_>>>()
            }
        });
        futures::future::try_join_all(pending).await
    }

    async fn story_candidates_by_ids(&self, ids: &[i64]) -> Result<Vec<StoryCandidate>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT id, story_id, title, left(text, {LEAD_CHARS}), published_at FROM articles
                     WHERE id = ANY($1) ORDER BY published_at DESC, id DESC"
                ),
                &[&ids],
            )
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(StoryCandidate {
                    id: r.try_get(0)?,
                    story_id: r.try_get(1)?,
                    title: r.try_get(2)?,
                    lead: r.try_get(3)?,
                    entities: Vec::new(),
                    published: from_ts(r.try_get(4)?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = client
            .query(
                "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id
                 WHERE at.article_id = ANY($1) AND t.kind = 'entity' ORDER BY at.article_id, t.name",
                &[&ids],
            )
            .await?;
        let mut by_id: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for r in rows {
            by_id.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        for c in &mut out {
            c.entities = by_id.remove(&c.id).unwrap_or_default();
        }
        Ok(out)
    }

    async fn merge_stories(&self, into: i64, from: &[i64]) -> Result<u64> {
        let from: Vec<i64> = from.iter().copied().filter(|f| *f != into).collect();
        if from.is_empty() {
            return Ok(0);
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Lock every story involved, or give up at once: an inserting worker
        // holds the story it joins (KEY SHARE) until it commits, and a merge
        // that waited could deadlock with it. A skipped merge happens at the
        // next article that bridges the two stories.
        let mut all = from.clone();
        all.push(into);
        let locked = tx
            .query(
                "SELECT id FROM stories WHERE id = ANY($1)
                 AND NOT EXISTS (SELECT 1 FROM story_merges WHERE from_id = stories.id)
                 ORDER BY id FOR UPDATE NOWAIT",
                &[&all],
            )
            .await;
        let locked: Vec<i64> = match locked {
            Ok(rows) => rows.iter().map(|r| r.get(0)).collect(),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) => return Ok(0),
            Err(e) => return Err(e.into()),
        };
        // Another worker may have merged some of them away meanwhile.
        if !locked.contains(&into) {
            return Ok(0);
        }
        let from: Vec<i64> = from.into_iter().filter(|f| locked.contains(f)).collect();
        let moved = tx.execute("UPDATE articles SET story_id = $1 WHERE story_id = ANY($2)", &[&into, &from]).await?;
        // The merged stories' rows stay (empty), as on SQLite.
        // Old addresses follow: to `into`, also for stories merged into the
        // merged ones before.
        tx.execute("UPDATE story_merges SET into_id = $1 WHERE into_id = ANY($2)", &[&into, &from]).await?;
        tx.execute(
            "INSERT INTO story_merges (from_id, into_id) SELECT f, $1 FROM unnest($2::BIGINT[]) AS f
             ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id",
            &[&into, &from],
        )
        .await?;
        tx.execute(
            "UPDATE stories SET lead_article_id = (SELECT id FROM articles WHERE story_id = $1
              ORDER BY published_at, id LIMIT 1) WHERE id = $1",
            &[&into],
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }
}
