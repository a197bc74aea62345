//! The SQLite backend: one file in the data directory, WAL mode, one writer
//! connection and a few readers, migrations embedded in the binary.

use crate::rows::{self, from_ts, ts};
use crate::*;
use model::{slugify, SourceStatus, Tag, TagRule};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

mod articles;
mod crawl;
mod maintenance;
mod queue;
mod search;
mod sources;
mod stories;
mod tags;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_extract_rules.sql")),
    (3, include_str!("../../migrations/sqlite/0003_schedule.sql")),
    (4, include_str!("../../migrations/sqlite/0004_reader_site.sql")),
    (5, include_str!("../../migrations/sqlite/0005_images.sql")),
    (6, include_str!("../../migrations/sqlite/0006_leases.sql")),
    (7, include_str!("../../migrations/sqlite/0007_tag_counts.sql")),
    (8, include_str!("../../migrations/sqlite/0008_tag_aliases.sql")),
    (9, include_str!("../../migrations/sqlite/0009_story_merges.sql")),
    (10, include_str!("../../migrations/sqlite/0010_enrichment_queue.sql")),
    (11, include_str!("../../migrations/sqlite/0011_source_notes.sql")),
];

const READERS: usize = 4;

/// A SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    clock: model::Clock,
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
    StoreError::database(e.to_string(), e)
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
            clock: model::Clock::System,
        })
    }

    /// The same store with `clock` for the times it records (a source's or
    /// tag rule's creation); the system clock otherwise. Migration records
    /// keep the system time: they say when the file really changed.
    pub fn with_clock(mut self, clock: model::Clock) -> Self {
        self.clock = clock;
        self
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
    rows::source(r, off)
}

fn article_from_row(r: &Row) -> rusqlite::Result<Article> {
    rows::article(r)
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
    let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    rows::attach_tags(articles, rows);
    Ok(())
}

/// Rows of (name, kind, count) as tag counts; a row whose stored name or
/// kind no longer parses is skipped.
fn tag_counts(st: &mut rusqlite::CachedStatement<'_>, params: impl rusqlite::Params) -> Result<Vec<TagCount>> {
    let rows = st.query_map(params, |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, count) = row?;
        out.extend(rows::tag_count(&name, &kind, count));
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
