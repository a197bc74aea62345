//! The crawler: for each source, fetch the feed, fetch and extract new
//! articles and store them; then the enrichment stage: claim stored
//! articles awaiting it, enrich them, group them into stories and store
//! that. A failing source is recorded and reported; it never stops the
//! others. The two stages are `ingest` and `enrichment`.

pub mod admission;
mod discover;
mod enrichment;
mod ingest;
mod pipeline;
pub mod schedule;
mod stories;

use chrono::Duration;
pub use discover::{discover_feed, DiscoverError, Discovered};
pub use enrichment::apply_tag_rules;
use fetch::{FetchError, Fetcher, Validators};
use futures::stream::{self, StreamExt};
use ingest::FEED_BATCH;
use model::{Clock, FeedUrl, Source};
pub use pipeline::{build_article, enrich_article};
use std::collections::HashMap;
use std::sync::Arc;
use store::prelude::*;
use store::FetchOutcome;
pub use stories::StoryMatcher;

/// Crawl settings.
#[derive(Clone, Debug)]
pub struct CrawlConfig {
    /// Sources crawled at once.
    pub source_concurrency: usize,
    /// Article pages fetched at once per source.
    pub page_concurrency: usize,
    /// Article pages fetched per source in one crawl at most, newest
    /// first; older new entries are stored from the feed's own data.
    pub max_pages_per_source: usize,
    /// Store what feeds carry without fetching article pages.
    pub feeds_only: bool,
    /// Run the enrichment stage after each crawl (otherwise articles wait
    /// in the queue for `Crawler::enrich_pending` in some process).
    pub enrich: bool,
    /// How often a feed may and must be fetched.
    pub bounds: schedule::Bounds,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            source_concurrency: 64,
            page_concurrency: 4,
            max_pages_per_source: DEFAULT_MAX_PAGES_PER_SOURCE,
            feeds_only: false,
            enrich: true,
            bounds: schedule::Bounds::default(),
        }
    }
}

/// What happened to one source in a crawl.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SourceReport {
    /// Source name.
    pub source: String,
    /// Its feed URL.
    pub feed_url: String,
    /// Articles stored: (id, title).
    pub stored: Vec<(i64, String)>,
    /// Problems that did not fail the source (an article page that could not be fetched).
    pub warnings: Vec<String>,
    /// Why the source failed, if it did.
    pub error: Option<String>,
    /// The feed had not changed since the last fetch (HTTP 304).
    pub not_modified: bool,
    /// New entries stored from the feed alone because the crawl had
    /// fetched its limit of article pages for this source.
    pub deferred: usize,
}

/// What happened in a whole crawl.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CrawlReport {
    /// One entry per source, in the order they finished.
    pub sources: Vec<SourceReport>,
    /// Articles the enrichment stage completed after the crawl.
    pub enriched: usize,
    /// Why the enrichment stage stopped early, if it did; the articles it
    /// left wait in the queue for the next run.
    pub enrich_error: Option<String>,
}

impl SourceReport {
    /// An empty report for `src`: nothing stored, no error yet.
    fn new(src: &Source) -> Self {
        Self {
            source: src.name.clone(),
            feed_url: src.feed_url.to_string(),
            stored: Vec::new(),
            warnings: Vec::new(),
            error: None,
            not_modified: false,
            deferred: 0,
        }
    }
}

impl CrawlReport {
    /// Sources that failed.
    pub fn failed(&self) -> impl Iterator<Item = &SourceReport> {
        self.sources.iter().filter(|s| s.error.is_some())
    }

    /// Articles stored across all sources.
    pub fn stored(&self) -> usize {
        self.sources.iter().map(|s| s.stored.len()).sum()
    }
}

/// Drives the pipeline stages for every source.
#[derive(Clone)]
pub struct Crawler {
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    clock: Clock,
    config: CrawlConfig,
    /// Assigns stories to enriched batches; shared so that each batch is
    /// matched against every earlier one.
    stories: Arc<StoryMatcher>,
    /// Clients for sources with operator-trusted intranet hosts, by host set.
    trusted: Arc<std::sync::Mutex<HashMap<Vec<String>, Fetcher>>>,
}

impl Crawler {
    /// A crawler over `store`, fetching with `fetcher`.
    pub fn new(store: Arc<dyn Store>, fetcher: Fetcher, clock: Clock, config: CrawlConfig) -> Self {
        Self { store, fetcher, clock, config, stories: Arc::new(StoryMatcher::new()), trusted: Arc::default() }
    }

    /// The client for a source: the shared one, or one that also trusts the
    /// non-public hosts the operator approved for this source.
    fn fetcher_for(&self, src: &Source) -> Result<Fetcher, FetchError> {
        if src.trusted_hosts.is_empty() {
            return Ok(self.fetcher.clone());
        }
        let mut cache = self.trusted.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = cache.get(&src.trusted_hosts) {
            return Ok(f.clone());
        }
        let f = self.fetcher.with_trusted_hosts(&src.trusted_hosts)?;
        cache.insert(src.trusted_hosts.clone(), f.clone());
        Ok(f)
    }
}

/// Runs CPU-bound work on hostile input (feed parsing, extraction,
/// enrichment, story features) on the crawler's CPU pool, one thread per
/// core, and awaits its result: `None` if it panicked, which the caller
/// turns into an error for that document or source. Tokio's blocking pool
/// would start a thread per task, hundreds at a crawl's peak; and rayon
/// aborts the process when a spawned job panics, so the panic is caught
/// here.
pub(crate) async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    cpu_pool().spawn(move || match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => {
            let _ = tx.send(v);
        }
        Err(_) => tracing::error!("a CPU task panicked; its document is skipped"),
    });
    rx.await.ok()
}

/// Stack of each CPU pool thread. Every parser bounds its nesting (feed XML
/// at 256, HTML at 512) and walks trees with explicit stacks, so 2 MiB
/// would do; the margin guards what a future change might recurse on.
pub const CPU_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Article pages fetched per source and crawl, unless configured.
pub const DEFAULT_MAX_PAGES_PER_SOURCE: usize = 100;

/// The crawler's CPU pool: one thread per core, each with
/// [`CPU_STACK_BYTES`] of stack.
fn cpu_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(CPU_STACK_BYTES)
            .thread_name(|i| format!("tagline-cpu-{i}"))
            .build()
            .expect("the CPU pool starts")
    })
}

/// Story candidates sharing an entity with a new article, at most.
pub const STORY_CANDIDATES: usize = 100;

/// Plus the newest articles of the window, for reports naming no entity.
pub const RECENT_CANDIDATES: usize = 25;

/// Whether an error is worth retrying later (timeouts, 5xx, 429).
pub use fetch::is_transient;
