//! The ingest stage: fetch each due source's feed, fetch and extract new
//! articles, and store them as the feed and page gave them.

use super::*;

impl Crawler {
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
    pub(crate) async fn crawl_all(&self, sources: Vec<(Source, i64)>) -> CrawlReport {
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

    pub(crate) async fn crawl_source_with(&self, src: &Source, failures: i64) -> SourceReport {
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

    pub(crate) async fn crawl_feed(&self, src: &Source, report: &mut SourceReport) -> Result<FetchOutcome, CrawlError> {
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

    /// Batches of articles built from feed entries alone: without page
    /// fetches a whole batch is ready at once, built in one go on the CPU
    /// pool.
    pub(crate) fn built_from_feed(&self, src: &Source, entries: Vec<feed::FeedEntry>) -> Batches<'static> {
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
pub(crate) type Batches<'a> = futures::stream::BoxStream<'a, Vec<Result<(model::NewArticle, Vec<String>), String>>>;

/// Articles stored (or enriched) per transaction at most, and feed entries
/// prepared at once when no page is fetched.
pub(crate) const FEED_BATCH: usize = 64;

/// Why a source's crawl failed, with the server's Retry-After if it sent one.
pub(crate) struct CrawlError {
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
