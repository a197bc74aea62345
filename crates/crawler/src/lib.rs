//! The crawler: for each source, fetch the feed, fetch and extract new
//! articles and store them; then the enrichment stage: claim stored
//! articles awaiting it, enrich them, group them into stories and store
//! that. A failing source is recorded and reported; it never stops the
//! others.

mod discover;
mod pipeline;
pub mod schedule;
mod stories;

pub use discover::{discover_feed, DiscoverError, Discovered};
pub use pipeline::{build_article, enrich_article};
pub use stories::StoryMatcher;

use chrono::Duration;
use fetch::{FetchError, Fetcher, Validators};
use futures::stream::{self, StreamExt};
use model::{Clock, FeedUrl, Source};
use std::collections::HashMap;
use std::sync::Arc;
use store::prelude::*;
use store::FetchOutcome;

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

    /// Crawls every source once.
    pub async fn crawl_once(&self) -> Result<CrawlReport, store::StoreError> {
        let sources = self.store.sources().await?;
        Ok(self.crawl_all(sources.into_iter().map(|s| (s, 0)).collect()).await)
    }

    /// Crawls the sources that are due, as the schedule of each says.
    pub async fn crawl_due(&self) -> Result<CrawlReport, store::StoreError> {
        let due = self.store.due_sources(self.clock.now()).await?;
        Ok(self.crawl_all(due).await)
    }

    /// Claims due sources as leases for `worker` (so that other workers
    /// sharing the database skip them) and crawls them.
    pub async fn crawl_leased(&self, worker: &str, lease: chrono::Duration) -> Result<CrawlReport, store::StoreError> {
        let limit = self.config.source_concurrency.max(1) * 2;
        let claimed = self.store.claim_due_sources(worker, self.clock.now(), lease, limit).await?;
        Ok(self.crawl_all(claimed).await)
    }

    /// Crawls these sources (with their counts of consecutive failures),
    /// `source_concurrency` at a time.
    async fn crawl_all(&self, sources: Vec<(Source, i64)>) -> CrawlReport {
        // Each source is a task of its own, so that feeds are parsed and
        // stored on every core rather than polled from this one task.
        let reports = stream::iter(sources)
            .map(|(s, failures)| {
                let this = self.clone();
                let mut failed = SourceReport::new(&s);
                async move {
                    tokio::spawn(async move { this.crawl_source_with(&s, failures).await }).await.unwrap_or_else(|e| {
                        failed.error = Some(format!("the crawl of this source failed: {e}"));
                        failed
                    })
                }
            })
            .buffer_unordered(self.config.source_concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        let (enriched, enrich_error) = self.enrich_after_crawl().await;
        CrawlReport { sources: reports, enriched, enrich_error }
    }

    /// Crawls one source (and, if configured, runs the enrichment stage).
    /// Errors are recorded on the source and returned in the report, never
    /// propagated.
    pub async fn crawl_source(&self, src: &Source) -> SourceReport {
        let report = self.crawl_source_with(src, 0).await;
        // A failure is logged; what is left waits in the queue.
        self.enrich_after_crawl().await;
        report
    }

    /// Runs the enrichment stage if configured: how many articles it
    /// completed, and why it stopped early if it did.
    async fn enrich_after_crawl(&self) -> (usize, Option<String>) {
        if !self.config.enrich {
            return (0, None);
        }
        match self.enrich_pending(|_| {}).await {
            Ok(n) => (n, None),
            Err(e) => {
                tracing::error!(error = %e, "enrichment stopped; the rest waits in the queue");
                (0, Some(e.to_string()))
            }
        }
    }

    /// The enrichment stage: claims stored articles awaiting enrichment,
    /// oldest first, enriches them on the CPU pool, assigns their stories
    /// and stores that, until the queue is empty (or holds only other
    /// workers' claims). Calls `progress` with the running total after each
    /// batch. Returns how many articles it completed.
    pub async fn enrich_pending(&self, progress: impl Fn(usize)) -> Result<usize, store::StoreError> {
        let rules = Arc::new(self.store.tag_rules().await?);
        let lease = Duration::seconds(ENRICH_LEASE_SECS);
        // Claims are taken one after another; while one batch is stored,
        // the next is enriched.
        let claims = stream::unfold(false, |done| async move {
            if done {
                return None;
            }
            match self.store.claim_pending(self.clock.now(), lease, FEED_BATCH).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => Some((Ok(batch), false)),
                Err(e) => Some((Err(e), true)),
            }
        });
        let mut enriched = claims
            .map(|claimed| {
                let rules = rules.clone();
                async move {
                    let batch = claimed?;
                    let work = cpu(move || {
                        use rayon::prelude::*;
                        batch
                            .into_par_iter()
                            .map(|a| {
                                let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    pipeline::enrich_article(&a, &rules)
                                }))
                                .unwrap_or_else(|_| {
                                    tracing::error!(article = a.id, url = %a.url, "enrichment failed; stored without it");
                                    pipeline::unenriched(&a)
                                });
                                (a, e)
                            })
                            .collect::<Vec<_>>()
                    });
                    work.await.ok_or(store::StoreError::WorkerGone)
                }
            })
            .buffered(ENRICH_AHEAD)
            // A batch's story matching reads candidates while the one
            // before it is written.
            .map(|batch| async move { self.stories.complete(self.store.as_ref(), batch?).await })
            .buffered(2)
            .boxed();
        let mut total = 0;
        while let Some(done) = enriched.next().await {
            total += done?.iter().flatten().count();
            progress(total);
        }
        Ok(total)
    }

    async fn crawl_source_with(&self, src: &Source, failures: i64) -> SourceReport {
        let mut report = SourceReport::new(src);
        let outcome = match self.crawl_feed(src, &mut report).await {
            Ok(outcome) => outcome,
            Err(CrawlError { message, retry_after }) => {
                tracing::warn!(source = %src.name, feed = %src.feed_url, error = %message, "source failed");
                report.error = Some(message.clone());
                let now = self.clock.now();
                let wait = schedule::after_failure(failures + 1, retry_after, self.config.bounds);
                FetchOutcome { at: now, error: Some(message), next_fetch: Some(now + wait), ..Default::default() }
            }
        };
        if let Err(e) = self.store.record_fetch(src.id, outcome).await {
            report.error.get_or_insert_with(|| format!("could not record the fetch: {e}"));
        }
        report
    }

    async fn crawl_feed(&self, src: &Source, report: &mut SourceReport) -> Result<FetchOutcome, CrawlError> {
        let fetcher = self.fetcher_for(src)?;
        let validators = Validators { etag: src.etag.clone(), last_modified: src.last_modified.clone() };
        let fetched = fetcher.get(src.feed_url.as_url(), &validators).await?;
        let moved_to = fetched.permanent_redirect.as_ref().and_then(|u| FeedUrl::parse(u.as_str()).ok());
        let mut outcome = FetchOutcome {
            at: self.clock.now(),
            error: None,
            etag: fetched.validators.etag.clone(),
            last_modified: fetched.validators.last_modified.clone(),
            moved_to,
            next_fetch: None,
            note: None,
        };
        let now = self.clock.now();
        if fetched.not_modified {
            report.not_modified = true;
            // Nothing new: wait as long as after an unchanged fetch of a
            // feed whose rhythm we do not know.
            outcome.next_fetch = Some(now + schedule::after_success(&[], self.config.bounds));
            return Ok(outcome);
        }
        // Parsing is CPU work on hostile bytes: on the CPU pool, where a
        // panic becomes this source's error.
        let final_url = fetched.final_url.clone();
        let (body, content_type) = (fetched.body.clone(), fetched.content_type.clone());
        let parsed = cpu(move || {
            let ctx = feed::Context {
                url: Some(final_url.as_str()),
                content_type: content_type.as_deref(),
                content_location: None,
            };
            feed::parse_with(&body, &ctx)
        })
        .await
        .ok_or_else(|| CrawlError::from(format!("{}: parsing the feed failed", fetched.final_url)))?
        .map_err(|e| CrawlError::from(format!("{}: {e}", fetched.final_url)))?;
        let published: Vec<_> = parsed.entries.iter().filter_map(|e| e.published.or(e.updated)).collect();
        outcome.next_fetch = Some(now + schedule::after_success(&published, self.config.bounds));
        // Entries without any identity cannot be stored idempotently.
        let entries: Vec<feed::FeedEntry> = parsed.entries.into_iter().filter(|e| e.guid().is_some()).collect();
        if parsed.bozo {
            let why = parsed.errors.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
            if entries.iter().all(|e| e.link.is_none()) {
                return Err(format!("{}: not a readable RSS, Atom or JSON feed ({why})", fetched.final_url).into());
            }
            report
                .warnings
                .push(format!("{}: the feed is not well-formed ({why}); recovered what was readable", src.name));
        }
        let mut keys: Vec<String> = entries.iter().filter_map(|e| e.guid()).collect();
        keys.extend(entries.iter().filter_map(|e| e.link.clone()));
        let known = self.store.known_entries(src.id, &keys).await.map_err(|e| CrawlError::from(e.to_string()))?;
        let mut fresh: Vec<feed::FeedEntry> = entries
            .into_iter()
            .filter(|e| {
                !e.guid().is_some_and(|g| known.contains(&g)) && !e.link.as_ref().is_some_and(|u| known.contains(u))
            })
            .collect();
        let fetch_pages = src.fetch_pages && !self.config.feeds_only;
        // A crawl fetches a bounded number of pages per source, the newest
        // entries' (feeds list newest first, so undated entries keep their
        // order); the older rest is stored from the feed's own data.
        let mut from_feed_only = Vec::new();
        if fetch_pages && fresh.len() > self.config.max_pages_per_source {
            fresh.sort_by_key(|e| std::cmp::Reverse(e.published));
            from_feed_only = fresh.split_off(self.config.max_pages_per_source);
            report.deferred = from_feed_only.len();
            outcome.note = Some(format!(
                "{} older new entries were stored from the feed without fetching their pages (at most {} pages per crawl)",
                from_feed_only.len(),
                self.config.max_pages_per_source
            ));
            from_feed_only.sort_by_key(|e| e.published);
        }
        // Oldest first, so the first report of a story leads it.
        fresh.sort_by_key(|e| e.published);
        // Articles are stored in batches of what is ready (in feed order), one
        // transaction each, so a crash loses only the batches still in
        // flight; the next crawl finds them missing and stores them. They
        // wait there for the enrichment stage.
        let mut batches = if fetch_pages {
            // Each batch is whatever pages are done, so that a slow page
            // does not hold back the stored ones.
            let pages = stream::iter(fresh)
                .map(|entry| {
                    let fetcher = fetcher.clone();
                    let src = src.clone();
                    let now = self.clock.now();
                    async move { pipeline::prepare(&fetcher, &src, entry, now).await }
                })
                .buffered(self.config.page_concurrency.max(1))
                .ready_chunks(FEED_BATCH);
            self.built_from_feed(src, from_feed_only).chain(pages).boxed()
        } else {
            self.built_from_feed(src, fresh)
        };
        while let Some(ready) = batches.next().await {
            let mut batch = Vec::with_capacity(ready.len());
            for item in ready {
                match item {
                    Ok((article, warnings)) => {
                        report.warnings.extend(warnings);
                        batch.push((article, store::StoryAssignment::Pending));
                    }
                    Err(w) => report.warnings.push(w),
                }
            }
            let titles: Vec<String> = batch.iter().map(|(a, _)| a.title.clone()).collect();
            let stored = self
                .store
                .insert_articles(batch)
                .await
                .map_err(|e| format!("could not store {} articles: {e}", titles.len()))?;
            for (s, title) in stored.into_iter().zip(titles) {
                if let Some(s) = s {
                    report.stored.push((s.id, title));
                }
            }
        }
        outcome.at = self.clock.now();
        Ok(outcome)
    }
}

impl Crawler {
    /// Batches of articles built from feed entries alone: without page
    /// fetches a whole batch is ready at once, built in one go on the CPU
    /// pool.
    fn built_from_feed(&self, src: &Source, entries: Vec<feed::FeedEntry>) -> Batches<'static> {
        let (src, now) = (src.clone(), self.clock.now());
        stream::iter(entries)
            .chunks(FEED_BATCH)
            .then(move |chunk| {
                let src = src.clone();
                async move {
                    let name = src.name.clone();
                    let built =
                        cpu(move || chunk.into_iter().map(|e| pipeline::from_feed(&src, e, now)).collect::<Vec<_>>());
                    built.await.unwrap_or_else(|| vec![Err(format!("{name}: preparing articles failed"))])
                }
            })
            .boxed()
    }
}

/// Batches of prepared articles (with their warnings), or why an entry was
/// skipped, in the order they become ready.
type Batches<'a> = futures::stream::BoxStream<'a, Vec<Result<(model::NewArticle, Vec<String>), String>>>;

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

/// Articles stored (or enriched) per transaction at most, and feed entries
/// prepared at once when no page is fetched.
const FEED_BATCH: usize = 64;

/// Batches enriched ahead of the one being stored, to keep both cores busy
/// while the single writer stores.
const ENRICH_AHEAD: usize = 4;

/// Seconds an enrichment claim lasts: far longer than a batch takes, short
/// enough that a killed process's claims come back soon.
const ENRICH_LEASE_SECS: i64 = 60;

/// The story a new article joins, if any, and how many candidates were
/// weighed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoryMatch {
    /// The most similar candidate's story, if similar enough.
    pub story: Option<i64>,
    /// Candidates the tag index returned.
    pub candidates: usize,
}

/// Finds the story for an article about to be stored: candidates through
/// the store's tag index (shared entities in the window, plus the newest of
/// the window), scored by `enrich::similarity`. `tagline bench cluster`
/// times exactly this.
pub async fn find_story(
    store: &dyn Store,
    title: &str,
    text: &str,
    tags: &[model::Tag],
    published: chrono::DateTime<chrono::Utc>,
) -> Result<StoryMatch, store::StoreError> {
    let window = Duration::hours(enrich::story::WINDOW_HOURS);
    let keys: Vec<String> = tags.iter().filter(|t| t.kind == model::TagKind::Entity).map(|t| t.name.key()).collect();
    let candidates = store
        .story_candidates(&keys, published - window, published + window, STORY_CANDIDATES, RECENT_CANDIDATES)
        .await?;
    let doc = stories::new_doc(title, text, tags, published);
    let others: Vec<(i64, enrich::StoryDoc)> = candidates
        .iter()
        .filter_map(|c| Some((c.story_id?, enrich::StoryDoc::new(&c.title, &c.lead, &c.entities, c.published))))
        .collect();
    let best = stories::matches_of(&doc, others.iter().map(|(story, d)| (*story, d))).first().map(|m| m.1);
    Ok(StoryMatch { story: best, candidates: candidates.len() })
}

/// Adds to `tags` the tags of the operator's rules that match an article
/// of `source_id` with this title and text. A rule's tag outranks the
/// derived ones: the operator asked for it.
pub fn apply_tag_rules(source_id: i64, title: &str, text: &str, tags: &mut Vec<model::Tag>, rules: &[model::TagRule]) {
    for rule in rules {
        if rule.matches(source_id, title, text) && !tags.iter().any(|t| t.name.key() == rule.tag.key()) {
            tags.insert(0, model::Tag { name: rule.tag.clone(), kind: model::TagKind::Rule, score: 1.0 });
        }
    }
}

/// Story candidates sharing an entity with a new article, at most.
pub const STORY_CANDIDATES: usize = 100;
/// Plus the newest articles of the window, for reports naming no entity.
pub const RECENT_CANDIDATES: usize = 25;

/// Why a source's crawl failed, with the server's Retry-After if it sent one.
struct CrawlError {
    message: String,
    retry_after: Option<u64>,
}

impl From<String> for CrawlError {
    fn from(message: String) -> Self {
        Self { message, retry_after: None }
    }
}

impl From<FetchError> for CrawlError {
    fn from(e: FetchError) -> Self {
        let retry_after = match &e {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        };
        Self { message: e.to_string(), retry_after }
    }
}

/// Whether an error is worth retrying later (timeouts, 5xx, 429).
pub use fetch::is_transient;

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn issue_5_operator_rules_add_their_tag_first_and_only_once() {
        let rules = vec![
            model::TagRule {
                id: 1,
                tag: model::TagName::parse("CriticalMinerals").unwrap(),
                keywords: vec!["lithium".into()],
                source_id: None,
            },
            model::TagRule {
                id: 2,
                tag: model::TagName::parse("Local").unwrap(),
                keywords: vec![],
                source_id: Some(7),
            },
        ];
        let mut tags = Vec::new();
        apply_tag_rules(7, "Title", "Lithium exports rose.", &mut tags, &rules);
        apply_tag_rules(7, "Title", "Lithium exports rose.", &mut tags, &rules);
        let names: Vec<String> = tags.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, ["Local", "CriticalMinerals"]);
        assert!(tags.iter().all(|t| t.kind == model::TagKind::Rule));
        let mut none = Vec::new();
        apply_tag_rules(8, "Title", "Nothing relevant.", &mut none, &rules);
        assert!(none.is_empty());
    }
}
