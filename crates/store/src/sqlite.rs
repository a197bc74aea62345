//! The SQLite backend: one file in the data directory, WAL mode, one writer
//! connection and a few readers, migrations embedded in the binary.

use crate::*;
use chrono::TimeZone;
use model::{slugify, SourceStatus, Tag, TagRule};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_extract_rules.sql")),
    (3, include_str!("../migrations/sqlite/0003_schedule.sql")),
    (4, include_str!("../migrations/sqlite/0004_reader_site.sql")),
    (5, include_str!("../migrations/sqlite/0005_images.sql")),
    (6, include_str!("../migrations/sqlite/0006_leases.sql")),
    (7, include_str!("../migrations/sqlite/0007_tag_counts.sql")),
    (8, include_str!("../migrations/sqlite/0008_tag_aliases.sql")),
    (9, include_str!("../migrations/sqlite/0009_story_merges.sql")),
    (10, include_str!("../migrations/sqlite/0010_enrichment_queue.sql")),
    (11, include_str!("../migrations/sqlite/0011_source_notes.sql")),
];

const READERS: usize = 4;

/// A SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Article batches waiting for the writer (see `insert_articles`).
    inserts: Mutex<Vec<InsertJob>>,
    /// Wakes the checkpointer after a write (see `spawn_checkpointer`).
    wrote: std::sync::mpsc::SyncSender<()>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        db_err(e)
    }
}

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)
        .map_err(|e| StoreError::Open { path: path.display().to_string(), message: e.to_string() })?;
    // WAL lets readers (the web) run while the crawler writes; synchronous
    // NORMAL is durable across process crashes, which is what kill -9 needs.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )?;
    Ok(conn)
}

/// WAL pages from which the writer checkpoints by itself: a backstop, ten
/// times SQLite's default, for when the checkpointer falls behind.
const WRITER_CHECKPOINT_PAGES: i64 = 10_000;

/// Seconds between checkpoints at most: each one ends in an fsync.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Starts the thread that checkpoints the WAL after writes, at most every
/// `CHECKPOINT_EVERY`, so that the writer does not stop to copy pages and
/// fsync in the middle of a crawl. PASSIVE: it never blocks the writer or
/// readers. The thread ends when the store (the sender) is dropped.
fn spawn_checkpointer(conn: Connection) -> std::sync::mpsc::SyncSender<()> {
    let (wrote, woken) = std::sync::mpsc::sync_channel::<()>(1);
    let started = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || {
        while woken.recv().is_ok() {
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "WAL checkpoint failed; the writer's own checkpoints take over");
            }
            std::thread::sleep(CHECKPOINT_EVERY);
        }
    });
    if let Err(e) = started {
        tracing::warn!(error = %e, "no checkpoint thread; the writer checkpoints by itself");
    }
    wrote
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Open { path: dir.display().to_string(), message: e.to_string() })?;
        }
        let mut writer = open_conn(&path)?;
        migrate(&mut writer)?;
        // The checkpointer copies the WAL into the database; the writer
        // only does so itself if the WAL grows far beyond that.
        writer.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let wrote = spawn_checkpointer(open_conn(&path)?);
        let readers = (0..READERS).map(|_| open_conn(&path).map(Mutex::new)).collect::<Result<Vec<_>>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                path,
                writer: Mutex::new(writer),
                inserts: Mutex::default(),
                wrote,
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let i = inner.next_reader.fetch_add(1, Ordering::Relaxed) % inner.readers.len();
            let conn = inner.readers[i].lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            let done = f(&mut conn);
            // Full: a wake-up is pending already.
            let _ = inner.wrote.try_send(());
            done
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?
    }
}

/// Inserts one article with its tags inside the caller's transaction,
/// joining story `join` if it exists or starting a new one, or, for
/// `pending`, queued for enrichment without a story. Returns the article's
/// and story's ids, or `None` if the article was already stored.
fn insert_one(tx: &Connection, a: &NewArticle, join: Option<i64>, pending: bool) -> Result<Option<Stored>> {
    if let Some(why) = a.refusal() {
        tracing::warn!(url = %a.url, error = %why, "refused to store an article");
        return Ok(None);
    }
    let inserted = tx.prepare_cached(
        "INSERT INTO articles (source_id, url, guid, title, author, published_at, updated_at, lang, category, text, html, excerpt, image, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        a.source_id,
        a.url,
        a.guid,
        a.title,
        a.author,
        ts(a.published),
        a.updated.map(ts),
        a.lang,
        a.category.map(|c| c.label()),
        a.text,
        a.html,
        a.excerpt,
        a.safe_image(),
        ts(a.fetched)
    ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    let story_id = if pending {
        tx.prepare_cached("INSERT INTO enrich_queue (article_id) VALUES (?1)")?.execute([id])?;
        None
    } else {
        let story_id = story_for(tx, id, join)?;
        tx.prepare_cached("UPDATE articles SET story_id = ?2 WHERE id = ?1")?.execute(params![id, story_id])?;
        Some(story_id)
    };
    if let Some(img) = &a.image_data {
        tx.execute(
            "INSERT INTO article_images (article_id, content_type, data) VALUES (?1, ?2, ?3)",
            params![id, img.content_type, img.bytes],
        )?;
    }
    link_tags(tx, id, &a.tags, ts(a.published))?;
    Ok(Some(Stored { id, story_id }))
}

/// A batch of articles to insert, and where its result goes.
type InsertJob = (Vec<(NewArticle, StoryAssignment)>, tokio::sync::oneshot::Sender<Result<Vec<Option<Stored>>>>);

/// Inserts the jobs' batches in one transaction and answers each job with
/// its stored articles. If any batch fails, that transaction is rolled back
/// and each batch is tried again in a transaction of its own, so that one
/// bad batch fails alone. (Savepoints would isolate them too, but write
/// every page they touch to a sub-journal first.)
fn insert_grouped(conn: &mut Connection, jobs: Vec<InsertJob>) {
    let (batches, replies): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
    let together = if batches.len() > 1 { insert_in_one(conn, &batches).ok() } else { None };
    let results: Vec<Result<Vec<Option<Stored>>>> = match together {
        Some(all) => all.into_iter().map(Ok).collect(),
        None => batches.iter().map(|b| insert_in_one(conn, std::slice::from_ref(b)).map(|mut r| r.remove(0))).collect(),
    };
    for (reply, done) in replies.into_iter().zip(results) {
        // The job's caller may have gone (a cancelled crawl): nothing to tell.
        let _ = reply.send(done);
    }
}

/// Inserts the batches in one transaction: all or none.
fn insert_in_one(
    conn: &mut Connection,
    batches: &[Vec<(NewArticle, StoryAssignment)>],
) -> Result<Vec<Vec<Option<Stored>>>> {
    let tx = conn.transaction()?;
    let out = batches.iter().map(|b| insert_batch(&tx, b)).collect::<Result<Vec<_>>>()?;
    tx.commit()?;
    Ok(out)
}

/// Inserts a batch in order inside the caller's transaction.
fn insert_batch(conn: &Connection, batch: &[(NewArticle, StoryAssignment)]) -> Result<Vec<Option<Stored>>> {
    let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
    for (i, (a, story)) in batch.iter().enumerate() {
        let join = story.story_to_join(i, &stored);
        stored.push(insert_one(conn, a, join, *story == StoryAssignment::Pending)?);
    }
    Ok(stored)
}

/// The story article `id` goes in: `join`, followed on if it was merged
/// away since the plan was made, or a new story it leads (also when `join`
/// is gone). The caller sets the article's `story_id`.
fn story_for(tx: &Connection, id: i64, join: Option<i64>) -> Result<i64> {
    let joined: Option<i64> = match join {
        Some(sid) => tx
            .prepare_cached(
                "SELECT id FROM stories WHERE id = COALESCE((SELECT into_id FROM story_merges WHERE from_id = ?1), ?1)",
            )?
            .query_row([sid], |r| r.get(0))
            .optional()?,
        None => None,
    };
    Ok(match joined {
        Some(sid) => sid,
        None => {
            tx.prepare_cached(
                "INSERT INTO stories (lead_article_id, created_at) SELECT id, fetched_at FROM articles WHERE id = ?1",
            )?
            .execute([id])?;
            tx.last_insert_rowid()
        }
    })
}

/// Links article `id` to its tags (an alias's tag for an alias), creating
/// tags as needed.
fn link_tags(tx: &Connection, id: i64, tags: &[Tag], published: i64) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO tags (key, name, kind) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id",
    )?;
    let mut link = tx.prepare_cached(
        "INSERT INTO article_tags (article_id, tag_id, score, published_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
    )?;
    let mut alias = tx.prepare_cached("SELECT tag_id FROM tag_aliases WHERE alias_key = ?1")?;
    for t in tags {
        let key = t.name.key();
        let tag_id: i64 = match alias.query_row([&key], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => upsert.query_row(params![key, t.name.as_str(), t.kind.as_str()], |r| r.get(0))?,
        };
        link.execute(params![id, tag_id, t.score as f64, published])?;
    }
    Ok(())
}

/// Enriches one pending article inside the caller's transaction (see
/// `Store::complete_enrichment`).
fn enrich_one(tx: &Connection, e: &Enrichment, join: Option<i64>) -> Result<Option<Stored>> {
    if tx.prepare_cached("DELETE FROM enrich_queue WHERE article_id = ?1")?.execute([e.id])? == 0 {
        return Ok(None);
    }
    let story_id = story_for(tx, e.id, join)?;
    // One UPDATE: each rewrites the whole row.
    let published: i64 = tx
        .prepare_cached(
            "UPDATE articles SET lang = ?2, category = ?3, story_id = ?4 WHERE id = ?1 RETURNING published_at",
        )?
        .query_row(params![e.id, e.lang, e.category.map(|c| c.label()), story_id], |r| r.get(0))?;
    link_tags(tx, e.id, &e.tags, published)?;
    Ok(Some(Stored { id: e.id, story_id: Some(story_id) }))
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let current: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, Utc::now().timestamp()],
        )?;
        tx.commit()?;
        tracing::info!(version, "applied migration");
    }
    Ok(())
}

fn source_from_row(r: &Row, off: usize) -> rusqlite::Result<Source> {
    let url = |s: Option<String>| s.and_then(|s| FeedUrl::parse(&s).ok());
    let feed: String = r.get(off + 4)?;
    Ok(Source {
        id: r.get(off)?,
        slug: r.get(off + 1)?,
        name: r.get(off + 2)?,
        home_url: url(r.get(off + 3)?),
        feed_url: FeedUrl::parse(&feed).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(off + 4, rusqlite::types::Type::Text, Box::new(e))
        })?,
        region: r.get(off + 5)?,
        lang: r.get(off + 6)?,
        fetch_pages: r.get::<_, i64>(off + 7)? != 0,
        status: SourceStatus::parse(&r.get::<_, String>(off + 8)?),
        last_error: r.get(off + 9)?,
        last_fetched: r.get::<_, Option<i64>>(off + 10)?.map(from_ts),
        etag: r.get(off + 11)?,
        last_modified: r.get(off + 12)?,
        trusted_hosts: r.get::<_, String>(off + 13)?.split_whitespace().map(str::to_string).collect(),
        extract_rules: model::ExtractRules {
            keep: r.get(off + 14)?,
            drop: r.get::<_, String>(off + 15)?.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        },
        last_note: r.get(off + 16)?,
    })
}

fn article_from_row(r: &Row) -> rusqlite::Result<Article> {
    let source = source_from_row(r, ARTICLE_NCOLS)?;
    Ok(Article {
        id: r.get(0)?,
        url: r.get(1)?,
        guid: r.get(2)?,
        title: r.get(3)?,
        author: r.get(4)?,
        published: from_ts(r.get(5)?),
        updated: r.get::<_, Option<i64>>(6)?.map(from_ts),
        lang: r.get(7)?,
        category: r.get::<_, Option<String>>(8)?.and_then(|c| Category::parse(&c).ok()),
        tags: Vec::new(),
        text: r.get(9)?,
        html: r.get(10)?,
        excerpt: r.get(11)?,
        image: r.get(12)?,
        story_id: r.get(13)?,
        image_stored: r.get(14)?,
        source,
    })
}

/// Fills in the tags of the given articles with one query.
fn attach_tags(conn: &Connection, articles: &mut [Article]) -> Result<()> {
    if articles.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; articles.len()].join(",");
    let sql = format!(
        "SELECT at.article_id, t.name, t.kind, at.score FROM article_tags at JOIN tags t ON t.id = at.tag_id
         WHERE at.article_id IN ({placeholders}) ORDER BY at.article_id, at.score DESC, t.name"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(articles.iter().map(|a| a.id)), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, f64>(3)?))
    })?;
    let mut by_id: std::collections::HashMap<i64, Vec<Tag>> = std::collections::HashMap::new();
    for row in rows {
        let (id, name, kind, score) = row?;
        let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) else { continue };
        by_id.entry(id).or_default().push(Tag { name, kind, score: score as f32 });
    }
    for a in articles.iter_mut() {
        let mut tags = by_id.remove(&a.id).unwrap_or_default();
        // Relationships first, then entities, phrases and feed tags: the
        // order cards show them in.
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

/// Rows of (name, kind, count) as tag counts; a row whose stored name or
/// kind no longer parses is skipped.
fn tag_counts(st: &mut rusqlite::CachedStatement<'_>, params: impl rusqlite::Params) -> Result<Vec<TagCount>> {
    let rows = st.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, count) = row?;
        if let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) {
            out.push(TagCount { name, kind, count });
        }
    }
    Ok(out)
}

fn unique_slug(tx: &Connection, name: &str) -> Result<String> {
    let base = match slugify(name) {
        s if s.is_empty() => "source".to_string(),
        s => s,
    };
    let mut slug = base.clone();
    let mut n = 2;
    while tx.query_row("SELECT 1 FROM sources WHERE slug = ?1", [&slug], |_| Ok(())).optional()?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

#[async_trait]
impl Store for SqliteStore {
    async fn add_source(&self, s: NewSource) -> Result<(Source, bool)> {
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
                    Utc::now().timestamp()
                ],
            )?;
            let id = tx.last_insert_rowid();
            let src = tx.query_row(&format!("SELECT {SOURCE_COLS} FROM sources s WHERE s.id = ?1"), [id], |r| source_from_row(r, 0))?;
            tx.commit()?;
            Ok((src, true))
        })
        .await
    }

    async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<(Source, i64)>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SOURCE_COLS}, s.failures FROM sources s
                 WHERE s.next_fetch_at IS NULL OR s.next_fetch_at <= ?1 ORDER BY s.next_fetch_at, s.id"
            ))?;
            let rows = stmt.query_map([ts(now)], |r| Ok((source_from_row(r, 0)?, r.get::<_, i64>(SOURCE_NCOLS)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

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

    async fn record_fetch(&self, source_id: i64, o: FetchOutcome) -> Result<()> {
        self.write(move |conn| {
            let status = if o.error.is_some() { SourceStatus::Failing } else { SourceStatus::Ok };
            conn.execute(
                "UPDATE sources SET status = ?2, last_error = ?3, last_fetched_at = ?4,
                     etag = COALESCE(?5, etag), last_modified = COALESCE(?6, last_modified),
                     next_fetch_at = ?7, lease_owner = NULL, lease_until = NULL,
                     failures = CASE WHEN ?3 IS NULL THEN 0 ELSE failures + 1 END,
                     last_note = ?8
                 WHERE id = ?1",
                params![
                    source_id,
                    status.as_str(),
                    o.error,
                    ts(o.at),
                    o.etag,
                    o.last_modified,
                    o.next_fetch.map(ts),
                    o.note
                ],
            )?;
            if let Some(moved) = o.moved_to {
                // Another source may already poll the new URL; keep the old one then.
                let taken = conn
                    .query_row("SELECT 1 FROM sources WHERE feed_url = ?1", [moved.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some();
                if !taken {
                    conn.execute("UPDATE sources SET feed_url = ?2 WHERE id = ?1", params![source_id, moved.as_str()])?;
                }
            }
            Ok(())
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

    async fn known_entries(&self, source_id: i64, keys: &[String]) -> Result<Vec<String>> {
        let keys = keys.to_vec();
        self.read(move |conn| {
            let mut found = Vec::new();
            let mut by_guid = conn.prepare_cached("SELECT 1 FROM articles WHERE source_id = ?1 AND guid = ?2")?;
            let mut by_url = conn.prepare_cached("SELECT 1 FROM articles WHERE url = ?1")?;
            for k in keys {
                if by_guid.exists(params![source_id, k])? || by_url.exists([&k])? {
                    found.push(k);
                }
            }
            Ok(found)
        })
        .await
    }

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

    async fn merged_story(&self, id: i64) -> Result<Option<i64>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT into_id FROM story_merges WHERE from_id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?)
        })
        .await
    }

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

    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool> {
        let key = alias.key();
        self.write(move |conn| Ok(conn.execute("DELETE FROM tag_aliases WHERE alias_key = ?1", [key])? > 0)).await
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
        let mut leads: std::collections::HashMap<i64, Article> = leads.into_iter().map(|a| (a.id, a)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|(id, lead, articles, outlets, latest)| {
                Some(StorySummary {
                    story: Story { id, lead_article_id: lead, article_count: articles, outlet_count: outlets },
                    lead: leads.remove(&lead)?,
                    latest: from_ts(latest),
                })
            })
            .collect())
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

    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO tag_rules (tag, keywords, source_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![rule.tag.as_str(), rule.keywords.join("\n"), rule.source_id, Utc::now().timestamp()],
            )?;
            Ok(conn.last_insert_rowid())
        })
        .await
    }

    async fn remove_tag_rule(&self, id: i64) -> Result<bool> {
        self.write(move |conn| Ok(conn.execute("DELETE FROM tag_rules WHERE id = ?1", [id])? > 0)).await
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

    async fn claim_due_sources(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<(Source, i64)>> {
        let worker = worker.to_string();
        self.write(move |conn| {
            // One writer connection: the UPDATE's own transaction is enough
            // to keep two claims apart.
            let tx = conn.transaction()?;
            let ids: Vec<i64> = {
                let mut st = tx.prepare_cached(
                    "UPDATE sources SET lease_owner = ?1, lease_until = ?2
                     WHERE id IN (SELECT id FROM sources
                                  WHERE (next_fetch_at IS NULL OR next_fetch_at <= ?3)
                                    AND (lease_until IS NULL OR lease_until < ?3)
                                  ORDER BY next_fetch_at, id LIMIT ?4)
                     RETURNING id",
                )?;
                let rows = st.query_map(params![worker, ts(now + lease), ts(now), limit as i64], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut out = Vec::with_capacity(ids.len());
            {
                let mut st =
                    tx.prepare_cached(&format!("SELECT {SOURCE_COLS}, s.failures FROM sources s WHERE s.id = ?1"))?;
                for id in ids {
                    out.push(st.query_row([id], |r| Ok((source_from_row(r, 0)?, r.get::<_, i64>(SOURCE_NCOLS)?)))?);
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize> {
        self.write(move |conn| {
            Ok(conn.execute(
                "DELETE FROM articles WHERE id IN (SELECT id FROM articles WHERE published_at < ?1 AND pinned = 0 LIMIT ?2)",
                params![ts(before), limit as i64],
            )?)
        })
        .await
    }

    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool> {
        self.write(move |conn| {
            Ok(conn.execute("UPDATE articles SET pinned = ?2 WHERE id = ?1", params![article_id, pinned as i64])? > 0)
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

    async fn claim_pending(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: usize) -> Result<Vec<Article>> {
        let mut ids: Vec<i64> = self
            .write(move |conn| {
                let mut st = conn.prepare_cached(
                    "UPDATE enrich_queue SET lease_until = ?1 WHERE article_id IN (
                         SELECT article_id FROM enrich_queue WHERE lease_until IS NULL OR lease_until < ?2
                         ORDER BY article_id LIMIT ?3)
                     RETURNING article_id",
                )?;
                let rows = st.query_map(params![ts(now + lease), ts(now), limit as i64], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        // Read outside the writer: the claim is what must be serial.
        ids.sort_unstable();
        self.articles_by_ids(&ids).await
    }

    async fn complete_enrichment(&self, batch: Vec<(Enrichment, StoryAssignment)>) -> Result<Vec<Option<Stored>>> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut stored: Vec<Option<Stored>> = Vec::with_capacity(batch.len());
            for (i, (e, story)) in batch.iter().enumerate() {
                let join = story.story_to_join(i, &stored);
                stored.push(enrich_one(&tx, e, join)?);
            }
            tx.commit()?;
            Ok(stored)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::FeedUrl;

    fn article(source_id: i64, n: i64) -> NewArticle {
        let now = Utc::now();
        NewArticle {
            source_id,
            url: format!("https://e.com/{n}"),
            guid: format!("g{n}"),
            title: format!("Title {n}"),
            author: None,
            published: now,
            updated: None,
            lang: None,
            category: None,
            tags: Vec::new(),
            text: format!("Text {n}"),
            html: format!("Text {n}"),
            excerpt: format!("Text {n}"),
            image: None,
            image_data: None,
            fetched: now,
        }
    }

    #[tokio::test]
    async fn issue_4_batches_committed_together_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let url = FeedUrl::parse("https://e.com/feed").unwrap();
        let new = NewSource {
            feed_url: url,
            name: "E".into(),
            home_url: None,
            region: None,
            lang: None,
            fetch_pages: true,
            trusted_hosts: vec![],
        };
        let (src, _) = store.add_source(new).await.unwrap();
        let mut receivers = Vec::new();
        let jobs: Vec<InsertJob> = [(src.id, 1), (src.id + 100, 2), (src.id, 3)]
            .into_iter()
            .map(|(source, n)| {
                let (tx, rx) = tokio::sync::oneshot::channel();
                receivers.push(rx);
                (vec![(article(source, n), StoryAssignment::Pending)], tx)
            })
            .collect();
        {
            let mut conn = store.inner.writer.lock().unwrap();
            insert_grouped(&mut conn, jobs);
        }
        let mut results = Vec::new();
        for rx in receivers {
            results.push(rx.await.unwrap());
        }
        // The batch for a source that does not exist breaks a foreign key;
        // the other two are stored all the same.
        assert!(results[0].as_ref().is_ok_and(|r| r[0].is_some()), "{results:?}");
        assert!(results[1].is_err(), "{results:?}");
        assert!(results[2].as_ref().is_ok_and(|r| r[0].is_some()), "{results:?}");
        assert_eq!(store.counts().await.unwrap().articles, 2);
    }
}
