//! The PostgreSQL backend: a deadpool pool of tokio-postgres connections,
//! its own migrations (`migrations/postgres/`), and the same meaning as the
//! SQLite backend, checked by the one store test suite run against both.
//!
//! Many crawler workers and web nodes share one database; they coordinate
//! only through it (crawl leases taken with `FOR UPDATE SKIP LOCKED`).

use crate::*;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use model::{slugify, SourceStatus, Tag, TagRule};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_tag_counts.sql")),
    (3, include_str!("../migrations/postgres/0003_tag_aliases.sql")),
    (4, include_str!("../migrations/postgres/0004_story_merges.sql")),
    (5, include_str!("../migrations/postgres/0005_enrichment_queue.sql")),
    (6, include_str!("../migrations/postgres/0006_source_notes.sql")),
];

/// Connections per process.
const POOL_SIZE: usize = 16;

/// A PostgreSQL database shared by any number of Tagline processes.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
}

fn pg_err(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Database(format!("{}: {}", db.code().code(), db.message())),
        None => StoreError::Database(e.to_string()),
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg_err(e)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Database(format!("no database connection: {e}"))
    }
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn corrupt(column: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { column, message: e.to_string() }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and applies the
    /// migrations this binary knows; concurrent starters wait on an
    /// advisory lock, so exactly one applies each migration.
    pub async fn connect(url: &str) -> Result<Self> {
        let open_err = |m: String| StoreError::Open { path: redact(url), message: m };
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| open_err(e.to_string()))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build().map_err(|e| open_err(e.to_string()))?;
        let store = Self { pool };
        let mut client = store.pool.get().await.map_err(|e| open_err(e.to_string()))?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock(7243117)", &[]).await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let current: i64 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[]).await?.get(0);
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &Utc::now().timestamp()],
            )
            .await?;
            tracing::info!(version, "applied PostgreSQL migration");
        }
        tx.commit().await?;
        Ok(store)
    }

    /// A pooled connection (also for the SQLite-to-PostgreSQL copy).
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    /// Runs statements on a pooled connection (for tests and operators'
    /// one-off fixes).
    pub async fn execute_batch(&self, sql: &str) -> Result<()> {
        self.client().await?.batch_execute(sql).await?;
        Ok(())
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn source_from_row(r: &Row, off: usize) -> Result<Source> {
    let url = |s: Option<String>| s.and_then(|s| FeedUrl::parse(&s).ok());
    let feed: String = r.try_get(off + 4)?;
    Ok(Source {
        id: r.try_get(off)?,
        slug: r.try_get(off + 1)?,
        name: r.try_get(off + 2)?,
        home_url: url(r.try_get(off + 3)?),
        feed_url: FeedUrl::parse(&feed).map_err(|e| corrupt("sources.feed_url", e))?,
        region: r.try_get(off + 5)?,
        lang: r.try_get(off + 6)?,
        fetch_pages: r.try_get(off + 7)?,
        status: SourceStatus::parse(r.try_get(off + 8)?),
        last_error: r.try_get(off + 9)?,
        last_fetched: r.try_get::<_, Option<i64>>(off + 10)?.map(from_ts),
        etag: r.try_get(off + 11)?,
        last_modified: r.try_get(off + 12)?,
        trusted_hosts: r.try_get::<_, String>(off + 13)?.split_whitespace().map(str::to_string).collect(),
        extract_rules: model::ExtractRules {
            keep: r.try_get(off + 14)?,
            drop: r
                .try_get::<_, String>(off + 15)?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
        },
        last_note: r.try_get(off + 16)?,
    })
}

fn article_from_row(r: &Row) -> Result<Article> {
    let source = source_from_row(r, ARTICLE_NCOLS)?;
    Ok(Article {
        id: r.try_get(0)?,
        url: r.try_get(1)?,
        guid: r.try_get(2)?,
        title: r.try_get(3)?,
        author: r.try_get(4)?,
        published: from_ts(r.try_get(5)?),
        updated: r.try_get::<_, Option<i64>>(6)?.map(from_ts),
        lang: r.try_get(7)?,
        category: r.try_get::<_, Option<String>>(8)?.and_then(|c| Category::parse(&c).ok()),
        tags: Vec::new(),
        text: r.try_get(9)?,
        html: r.try_get(10)?,
        excerpt: r.try_get(11)?,
        image: r.try_get(12)?,
        story_id: r.try_get(13)?,
        image_stored: r.try_get(14)?,
        source,
    })
}

fn articles_from_rows(rows: &[Row]) -> Result<Vec<Article>> {
    rows.iter().map(article_from_row).collect()
}

fn tag_counts(rows: &[Row]) -> Result<Vec<TagCount>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (name, kind, count): (String, String, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        if let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) {
            out.push(TagCount { name, kind, count });
        }
    }
    Ok(out)
}

/// Fills in the tags of the given articles with one query.
async fn attach_tags(client: &deadpool_postgres::Client, articles: &mut [Article]) -> Result<()> {
    if articles.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
    let st = client
        .prepare_cached(
            "SELECT at.article_id, t.name, t.kind, at.score FROM article_tags at JOIN tags t ON t.id = at.tag_id
             WHERE at.article_id = ANY($1) ORDER BY at.article_id, at.score DESC, t.name",
        )
        .await?;
    let rows = client.query(&st, &[&ids]).await?;
    let mut by_id: std::collections::HashMap<i64, Vec<Tag>> = std::collections::HashMap::new();
    for r in rows {
        let (id, name, kind, score): (i64, String, String, f64) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) else { continue };
        by_id.entry(id).or_default().push(Tag { name, kind, score: score as f32 });
    }
    for a in articles.iter_mut() {
        let mut tags = by_id.remove(&a.id).unwrap_or_default();
        tags.sort_by_key(|t| match t.kind {
            TagKind::Relationship => 0,
            TagKind::Entity => 1,
            TagKind::KeyPhrase => 2,
            TagKind::Rule => 3,
            TagKind::Feed => 4,
        });
        a.tags = tags;
    }
    Ok(())
}

async fn unique_slug(tx: &deadpool_postgres::Transaction<'_>, name: &str) -> Result<String> {
    let base = match slugify(name) {
        s if s.is_empty() => "source".to_string(),
        s => s,
    };
    let mut slug = base.clone();
    let mut n = 2;
    while tx.query_opt("SELECT 1 FROM sources WHERE slug = $1", &[&slug]).await?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

fn trending(rows: &[Row]) -> Result<Vec<TrendingTag>> {
    let mut out = Vec::new();
    for r in rows {
        let (name, kind, recent, base): (String, String, i64, i64) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        if let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) {
            out.push(TrendingTag { name, kind, recent, baseline: base as f64 / 7.0 });
        }
    }
    Ok(out)
}

#[async_trait]
impl Store for PgStore {
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
                    &Utc::now().timestamp(),
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

    async fn sources(&self) -> Result<Vec<Source>> {
        let client = self.client().await?;
        let rows =
            client.query(&format!("SELECT {SOURCE_COLS} FROM sources s ORDER BY lower(s.name), s.id"), &[]).await?;
        rows.iter().map(|r| source_from_row(r, 0)).collect()
    }

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

    async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>> {
        let client = self.client().await?;
        let st = client.prepare_cached(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.slug = $1")).await?;
        client.query_opt(&st, &[&slug]).await?.map(|r| source_from_row(&r, 0)).transpose()
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

    async fn insert_articles(&self, batch: Vec<(NewArticle, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Not waiting for the WAL flush at commit keeps row locks (tag
        // counts) short, so many workers insert in parallel. Durability is
        // kept where it matters: record_fetch commits synchronously after a
        // source's articles, and the WAL is flushed in order, so a feed's new
        // validators are never durable without the articles before them.
        tx.batch_execute("SET LOCAL synchronous_commit TO OFF").await?;
        let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
        for (i, (a, story)) in batch.iter().enumerate() {
            let join = story.story_to_join(i, &stored);
            stored.push(insert_one(&tx, a, join, *story == StoryAssignment::Pending).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn list_articles(&self, q: &ArticleQuery) -> Result<Vec<Article>> {
        let client = self.client().await?;
        let (after_ts, after_id) = q.after.map_or((i64::MAX, i64::MAX), |c| (ts(c.published), c.id));
        let base = format!("SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id");
        let keyset = "(a.published_at, a.id) < ($1, $2)";
        let order = "ORDER BY a.published_at DESC, a.id DESC LIMIT $3";
        let limit = q.limit as i64;
        let (sql, extra): (String, Option<Box<dyn ToSql + Sync + Send>>) = match &q.filter {
            ArticleFilter::All => (format!("{base} WHERE {keyset} {order}"), None),
            ArticleFilter::Tag(name) => (
                format!(
                    "{base} JOIN article_tags at ON at.article_id = a.id
                     WHERE at.tag_id = (SELECT id FROM tags WHERE key = $4) AND (at.published_at, at.article_id) < ($1, $2)
                     ORDER BY at.published_at DESC, at.article_id DESC LIMIT $3"
                ),
                Some(Box::new(name.key())),
            ),
            ArticleFilter::Category(c) => {
                (format!("{base} WHERE a.category = $4 AND {keyset} {order}"), Some(Box::new(c.label().to_string())))
            }
            ArticleFilter::Source(id) => (format!("{base} WHERE a.source_id = $4 AND {keyset} {order}"), Some(Box::new(*id))),
            ArticleFilter::Story(id) => (format!("{base} WHERE a.story_id = $4 AND {keyset} {order}"), Some(Box::new(*id))),
            ArticleFilter::Edition(region) => {
                (format!("{base} WHERE s.region = $4 AND {keyset} {order}"), Some(Box::new(region.to_uppercase())))
            }
        };
        let st = client.prepare_cached(&sql).await?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&after_ts, &after_id, &limit];
        if let Some(e) = &extra {
            params.push(e.as_ref() as &(dyn ToSql + Sync));
        }
        let rows = client.query(&st, &params).await?;
        let mut out = articles_from_rows(&rows)?;
        attach_tags(&client, &mut out).await?;
        Ok(out)
    }

    async fn article(&self, id: i64) -> Result<Option<Article>> {
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = $1"
            ))
            .await?;
        let Some(row) = client.query_opt(&st, &[&id]).await? else { return Ok(None) };
        let mut v = [article_from_row(&row)?];
        attach_tags(&client, &mut v).await?;
        let [a] = v;
        Ok(Some(a))
    }

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

    async fn merged_story(&self, id: i64) -> Result<Option<i64>> {
        let client = self.client().await?;
        let row = client.query_opt("SELECT into_id FROM story_merges WHERE from_id = $1", &[&id]).await?;
        Ok(row.map(|r| r.get(0)))
    }

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

    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("DELETE FROM tag_aliases WHERE alias_key = $1", &[&alias.key()]).await? > 0)
    }

    async fn counts(&self) -> Result<Counts> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM articles),
                        (SELECT COUNT(DISTINCT tag_id) FROM article_tags), (SELECT COUNT(DISTINCT story_id) FROM articles),
                        (SELECT COUNT(*) FROM enrich_queue)",
                &[],
            )
            .await?;
        Ok(Counts {
            sources: r.try_get(0)?,
            articles: r.try_get(1)?,
            tags: r.try_get(2)?,
            stories: r.try_get(3)?,
            pending: r.try_get(4)?,
        })
    }

    async fn articles_after_id(&self, after_id: i64, limit: usize) -> Result<Vec<Article>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id
                     WHERE a.id > $1 AND a.{ENRICHED_PREFIX} ORDER BY a.id LIMIT $2"
                ),
                &[&after_id, &(limit as i64)],
            )
            .await?;
        let mut out = articles_from_rows(&rows)?;
        attach_tags(&client, &mut out).await?;
        Ok(out)
    }

    async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client().await?;
        let st = client
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, {SOURCE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ANY($1)"
            ))
            .await?;
        let rows = client.query(&st, &[&ids]).await?;
        let mut found = articles_from_rows(&rows)?;
        attach_tags(&client, &mut found).await?;
        let mut by_id: std::collections::HashMap<i64, Article> = found.into_iter().map(|a| (a.id, a)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn deletions_after(&self, after: i64, limit: usize) -> Result<Deletions> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT seq, article_id FROM article_deletions WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &(limit as i64)],
            )
            .await?;
        let mut out = Deletions { ids: Vec::new(), through: after };
        for r in rows {
            out.through = r.try_get(0)?;
            out.ids.push(r.try_get(1)?);
        }
        Ok(out)
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
        let mut leads: std::collections::HashMap<i64, Article> = leads.into_iter().map(|a| (a.id, a)).collect();
        Ok(found
            .into_iter()
            .filter_map(|(id, lead, articles, outlets, latest): (i64, i64, i64, i64, i64)| {
                Some(StorySummary {
                    story: Story { id, lead_article_id: lead, article_count: articles, outlet_count: outlets },
                    lead: leads.remove(&lead)?,
                    latest: from_ts(latest),
                })
            })
            .collect())
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

    async fn remove_source(&self, source_id: i64) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("DELETE FROM articles WHERE source_id = $1", &[&source_id]).await?;
        let n = tx.execute("DELETE FROM sources WHERE id = $1", &[&source_id]).await?;
        tx.commit().await?;
        Ok(n > 0)
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

    async fn image(&self, article_id: i64) -> Result<Option<model::ImageData>> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT content_type, data FROM article_images WHERE article_id = $1", &[&article_id])
            .await?;
        row.map(|r| Ok(model::ImageData { content_type: r.try_get(0)?, bytes: r.try_get(1)? })).transpose()
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

    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        let client = self.client().await?;
        let n = client
            .execute(
                "DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE published_at < $1 AND NOT pinned LIMIT $2)",
                &[&ts(before), &(limit as i64)],
            )
            .await?;
        Ok(n as usize)
    }

    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("UPDATE articles SET pinned = $2 WHERE id = $1", &[&article_id, &pinned]).await? > 0)
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

    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "INSERT INTO tag_rules (tag, keywords, source_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                &[&rule.tag.as_str(), &rule.keywords.join("\n"), &rule.source_id, &Utc::now().timestamp()],
            )
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn remove_tag_rule(&self, id: i64) -> Result<bool> {
        let client = self.client().await?;
        Ok(client.execute("DELETE FROM tag_rules WHERE id = $1", &[&id]).await? > 0)
    }

    async fn article_ids_after(&self, after_id: i64, limit: usize) -> Result<Vec<i64>> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT id FROM articles WHERE id > $1 AND {ENRICHED_PREFIX} ORDER BY id LIMIT $2"),
                &[&after_id, &(limit as i64)],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn claim_pending(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: usize) -> Result<Vec<Article>> {
        let client = self.client().await?;
        // SKIP LOCKED, as for sources: workers never wait on each other's
        // claims.
        let rows = client
            .query(
                "WITH due AS (
                     SELECT article_id FROM enrich_queue WHERE lease_until IS NULL OR lease_until < $2
                     ORDER BY article_id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 UPDATE enrich_queue q SET lease_until = $1 FROM due WHERE q.article_id = due.article_id
                 RETURNING q.article_id",
                &[&ts(now + lease), &ts(now), &(limit as i64)],
            )
            .await?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.try_get(0)).collect::<std::result::Result<_, _>>()?;
        ids.sort_unstable();
        self.articles_by_ids(&ids).await
    }

    async fn complete_enrichment(&self, batch: Vec<(Enrichment, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // As insert_articles: short row locks on tag counts.
        tx.batch_execute("SET LOCAL synchronous_commit TO OFF").await?;
        let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
        for (i, (e, story)) in batch.iter().enumerate() {
            let join = story.story_to_join(i, &stored);
            stored.push(enrich_one(&tx, e, join).await?);
        }
        tx.commit().await?;
        Ok(stored)
    }
}

/// Inserts one article with its tags inside the caller's transaction,
/// joining story `join` if it exists or starting a new one, or, for
/// `pending`, queued for enrichment without a story. Returns the article's
/// and story's ids, or `None` if the article was already stored.
async fn insert_one(
    tx: &deadpool_postgres::Transaction<'_>,
    a: &NewArticle,
    join: Option<i64>,
    pending: bool,
) -> Result<Option<Stored>> {
    if let Some(why) = a.refusal() {
        tracing::warn!(url = %a.url, error = %why, "refused to store an article");
        return Ok(None);
    }
    let inserted = tx
            .query_opt(
                "INSERT INTO articles (source_id, url, guid, title, author, published_at, updated_at, lang, category, text, html, excerpt, image, fetched_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    &a.source_id,
                    &a.url,
                    &a.guid,
                    &a.title,
                    &a.author,
                    &ts(a.published),
                    &a.updated.map(ts),
                    &a.lang,
                    &a.category.map(|c| c.label()),
                    &a.text,
                    &a.html,
                    &a.excerpt,
                    &a.safe_image(),
                    &ts(a.fetched),
                ],
            )
            .await?;
    let Some(row) = inserted else { return Ok(None) };
    let id: i64 = row.get(0);
    let story_id = if pending {
        tx.execute("INSERT INTO enrich_queue (article_id) VALUES ($1)", &[&id]).await?;
        None
    } else {
        Some(put_in_story(tx, id, join).await?)
    };
    if let Some(img) = &a.image_data {
        tx.execute(
            "INSERT INTO article_images (article_id, content_type, data) VALUES ($1, $2, $3)",
            &[&id, &img.content_type, &img.bytes],
        )
        .await?;
    }
    link_tags(tx, id, &a.tags, ts(a.published)).await?;
    Ok(Some(Stored { id, story_id }))
}

/// Puts article `id` in story `join`, followed on if it was merged away
/// since the plan was made, or in a new story it leads (also when the story
/// is gone). Returns the story's id.
async fn put_in_story(tx: &deadpool_postgres::Transaction<'_>, id: i64, join: Option<i64>) -> Result<i64> {
    // KEY SHARE holds the joined story against a concurrent merge until
    // this batch commits.
    let joined: Option<i64> = match join {
        Some(sid) => tx
            .query_opt(
                "SELECT id FROM stories
                 WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = $1), $1) FOR KEY SHARE",
                &[&sid],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
        None => None,
    };
    let story_id: i64 = match joined {
        Some(sid) => sid,
        None => tx
            .query_one(
                "INSERT INTO stories (lead_article_id, created_at) SELECT id, fetched_at FROM articles WHERE id = $1 RETURNING id",
                &[&id],
            )
            .await?
            .get(0),
    };
    tx.execute("UPDATE articles SET story_id = $2 WHERE id = $1", &[&id, &story_id]).await?;
    Ok(story_id)
}

/// Links article `id` to its tags (an alias's tag for an alias), creating
/// tags as needed.
async fn link_tags(tx: &deadpool_postgres::Transaction<'_>, id: i64, tags: &[Tag], published: i64) -> Result<()> {
    // Look up first: ON CONFLICT DO UPDATE would lock an existing tag's
    // row until commit, serialising every worker on popular tags.
    // An alias's tag, else the tag itself: one round trip.
    let find = tx
        .prepare_cached(
            "SELECT COALESCE((SELECT tag_id FROM tag_aliases WHERE alias_key = $1), (SELECT id FROM tags WHERE key = $1))",
        )
        .await?;
    let create = tx
        .prepare_cached(
            "INSERT INTO tags (key, name, kind) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING id",
        )
        .await?;
    let link = tx
            .prepare_cached(
                "INSERT INTO article_tags (article_id, tag_id, score, published_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .await?;
    for t in tags {
        let key = t.name.key();
        let found: Option<i64> = tx.query_one(&find, &[&key]).await?.try_get(0)?;
        let tag_id: i64 = match found {
            Some(id) => id,
            None => match tx.query_opt(&create, &[&key, &t.name.as_str(), &t.kind.as_str()]).await? {
                Some(row) => row.get(0),
                // Another worker created it a moment ago.
                None => tx.query_one("SELECT id FROM tags WHERE key = $1", &[&key]).await?.get(0),
            },
        };
        tx.execute(&link, &[&id, &tag_id, &(t.score as f64), &published]).await?;
    }
    Ok(())
}

/// Enriches one pending article inside the caller's transaction (see
/// `Store::complete_enrichment`).
async fn enrich_one(
    tx: &deadpool_postgres::Transaction<'_>,
    e: &Enrichment,
    join: Option<i64>,
) -> Result<Option<Stored>> {
    if tx.execute("DELETE FROM enrich_queue WHERE article_id = $1", &[&e.id]).await? == 0 {
        return Ok(None);
    }
    let row = tx
        .query_one(
            "UPDATE articles SET lang = $2, category = $3 WHERE id = $1 RETURNING published_at",
            &[&e.id, &e.lang, &e.category.map(|c| c.label())],
        )
        .await?;
    let story_id = put_in_story(tx, e.id, join).await?;
    link_tags(tx, e.id, &e.tags, row.try_get(0)?).await?;
    Ok(Some(Stored { id: e.id, story_id: Some(story_id) }))
}
