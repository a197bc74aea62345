//! The PostgreSQL backend: a deadpool pool of tokio-postgres connections,
//! its own migrations (`migrations/postgres/`), and the same meaning as the
//! SQLite backend, checked by the one store test suite run against both.
//!
//! Many crawler workers and web nodes share one database; they coordinate
//! only through it (crawl leases taken with `FOR UPDATE SKIP LOCKED`).

use crate::rows::{self, from_ts, ts};
use crate::*;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use model::{slugify, SourceStatus, Tag, TagRule};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

mod articles;
mod crawl;
mod maintenance;
mod queue;
mod search;
mod sources;
mod stories;
mod tags;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_tag_counts.sql")),
    (3, include_str!("../../migrations/postgres/0003_tag_aliases.sql")),
    (4, include_str!("../../migrations/postgres/0004_story_merges.sql")),
    (5, include_str!("../../migrations/postgres/0005_enrichment_queue.sql")),
    (6, include_str!("../../migrations/postgres/0006_source_notes.sql")),
];

/// Connections per process.
const POOL_SIZE: usize = 16;

/// A PostgreSQL database shared by any number of Tagline processes.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    clock: model::Clock,
}

fn pg_err(e: tokio_postgres::Error) -> StoreError {
    let message = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    };
    StoreError::database(message, e)
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        pg_err(e)
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::database(format!("no database connection: {e}"), e)
    }
}

impl PgStore {
    /// The same store with `clock` for the times it records (a source's or
    /// tag rule's creation); the system clock otherwise. Migration records
    /// keep the system time: they say when the file really changed.
    pub fn with_clock(mut self, clock: model::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Connects to `url` (`postgres://user@host:port/db`) and applies the
    /// migrations this binary knows; concurrent starters wait on an
    /// advisory lock, so exactly one applies each migration.
    pub async fn connect(url: &str) -> Result<Self> {
        let open_err = |m: String| StoreError::Open { path: redact(url), message: m };
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| open_err(e.to_string()))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build().map_err(|e| open_err(e.to_string()))?;
        let store = Self { pool, clock: model::Clock::System };
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
    rows::source(r, off)
}

fn article_from_row(r: &Row) -> Result<Article> {
    rows::article(r)
}

fn articles_from_rows(rows: &[Row]) -> Result<Vec<Article>> {
    rows.iter().map(article_from_row).collect()
}

fn tag_counts(rows: &[Row]) -> Result<Vec<TagCount>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (name, kind, count): (String, String, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        out.extend(rows::tag_count(&name, &kind, count));
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
    let rows = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<Vec<_>>>()?;
    rows::attach_tags(articles, rows);
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
