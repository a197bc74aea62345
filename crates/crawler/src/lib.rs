//! The crawler: for each source, fetch the feed, fetch and extract new
//! articles, enrich them, group them into stories and store them. A failing
//! source is recorded and reported; it never stops the others.

mod discover;
mod pipeline;
pub mod schedule;
mod stories;

pub use discover::{discover_feed, DiscoverError, Discovered};
pub use pipeline::build_article;
pub use stories::StoryMatcher;

use chrono::Duration;
use fetch::{FetchError, Fetcher, Validators};
use futures::stream::{self, StreamExt};
use model::{Clock, FeedUrl, Source};
use std::collections::HashMap;
use std::sync::Arc;
use store::{FetchOutcome, Store};

/// Crawl settings.
#[derive(Clone, Debug)]
pub struct CrawlConfig {
    /// Sources crawled at once.
    pub source_concurrency: usize,
    /// Article pages fetched at once per source.
    pub page_concurrency: usize,
    /// Store what feeds carry without fetching article pages.
    pub feeds_only: bool,
    /// How often a feed may and must be fetched.
    pub bounds: schedule::Bounds,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self { source_concurrency: 16, page_concurrency: 4, feeds_only: false, bounds: schedule::Bounds::default() }
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
}

/// What happened in a whole crawl.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CrawlReport {
    /// One entry per source, in the order they finished.
    pub sources: Vec<SourceReport>,
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
    /// Assigns stories and stores batches; shared by every source so that
    /// each batch is matched against every earlier one.
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
        let reports = stream::iter(sources)
            .map(|(s, failures)| async move { self.crawl_source_with(&s, failures).await })
            .buffer_unordered(self.config.source_concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        CrawlReport { sources: reports }
    }

    /// Crawls one source. Errors are recorded on the source and returned in
    /// the report, never propagated.
    pub async fn crawl_source(&self, src: &Source) -> SourceReport {
        self.crawl_source_with(src, 0).await
    }

    async fn crawl_source_with(&self, src: &Source, failures: i64) -> SourceReport {
        let mut report = SourceReport {
            source: src.name.clone(),
            feed_url: src.feed_url.to_string(),
            stored: Vec::new(),
            warnings: Vec::new(),
            error: None,
            not_modified: false,
        };
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
        };
        let now = self.clock.now();
        if fetched.not_modified {
            report.not_modified = true;
            // Nothing new: wait as long as after an unchanged fetch of a
            // feed whose rhythm we do not know.
            outcome.next_fetch = Some(now + schedule::after_success(&[], self.config.bounds));
            return Ok(outcome);
        }
        let ctx = feed::Context {
            url: Some(fetched.final_url.as_str()),
            content_type: fetched.content_type.as_deref(),
            content_location: None,
        };
        let parsed = feed::parse_with(&fetched.body, &ctx)
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
        // Oldest first, so the first report of a story leads it.
        fresh.sort_by_key(|e| e.published);
        let fetch_pages = src.fetch_pages && !self.config.feeds_only;
        // The operator's rules, read once per crawl of the source rather
        // than once per article.
        let rules = if fresh.is_empty() {
            Vec::new()
        } else {
            self.store.tag_rules().await.map_err(|e| CrawlError::from(e.to_string()))?
        };
        // Articles are stored in batches of what is ready (in feed order), one
        // transaction each, so a crash loses only the batches still in
        // flight; the next crawl finds them missing and stores them.
        let in_flight = if fetch_pages { self.config.page_concurrency.max(1) } else { FEED_BATCH };
        let prepared = stream::iter(fresh)
            .map(|entry| {
                let fetcher = fetcher.clone();
                let src = src.clone();
                let now = self.clock.now();
                async move { pipeline::prepare(&fetcher, &src, entry, fetch_pages, now).await }
            })
            .buffered(in_flight);
        // Without page fetches the whole feed is ready at once: one batch.
        // With them, each batch is whatever pages are done, so that a slow
        // page does not hold back the stored ones.
        let mut batches =
            if fetch_pages { prepared.ready_chunks(FEED_BATCH).boxed() } else { prepared.chunks(FEED_BATCH).boxed() };
        while let Some(ready) = batches.next().await {
            let mut batch = Vec::with_capacity(ready.len());
            for item in ready {
                match item {
                    Ok((mut article, warnings)) => {
                        report.warnings.extend(warnings);
                        apply_tag_rules(&mut article, &rules);
                        batch.push(article);
                    }
                    Err(w) => report.warnings.push(w),
                }
            }
            let titles: Vec<String> = batch.iter().map(|a| a.title.clone()).collect();
            let stored = self
                .stories
                .store_batch(self.store.as_ref(), batch)
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

/// Runs CPU-bound work (extraction, enrichment, story features) on the
/// rayon pool, one thread per core, and awaits its result. Tokio's blocking
/// pool would start a thread per task, hundreds at a crawl's peak.
pub(crate) async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let _ = tx.send(f());
    });
    rx.await.ok()
}

/// Articles stored per transaction at most, and feed entries prepared at
/// once when no page is fetched.
const FEED_BATCH: usize = 64;

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

/// Adds the tags of the operator's rules that match. A rule's tag outranks
/// the derived ones: the operator asked for it.
pub fn apply_tag_rules(article: &mut model::NewArticle, rules: &[model::TagRule]) {
    for rule in rules {
        if rule.matches(article.source_id, &article.title, &article.text)
            && !article.tags.iter().any(|t| t.name.key() == rule.tag.key())
        {
            article.tags.insert(0, model::Tag { name: rule.tag.clone(), kind: model::TagKind::Rule, score: 1.0 });
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

    fn article(source_id: i64, text: &str) -> model::NewArticle {
        model::NewArticle {
            source_id,
            url: "https://e.com/1".into(),
            guid: "1".into(),
            title: "Title".into(),
            author: None,
            published: chrono::Utc::now(),
            updated: None,
            lang: None,
            category: None,
            tags: vec![],
            text: text.into(),
            html: String::new(),
            excerpt: String::new(),
            image: None,
            image_data: None,
            fetched: chrono::Utc::now(),
        }
    }

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
        let mut a = article(7, "Lithium exports rose.");
        apply_tag_rules(&mut a, &rules);
        apply_tag_rules(&mut a, &rules);
        let names: Vec<String> = a.tags.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, ["Local", "CriticalMinerals"]);
        assert!(a.tags.iter().all(|t| t.kind == model::TagKind::Rule));
        let mut b = article(8, "Nothing relevant.");
        apply_tag_rules(&mut b, &rules);
        assert!(b.tags.is_empty());
    }
}
