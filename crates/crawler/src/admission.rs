//! Source admission: turning what an operator gives (a feed or site URL, an
//! OPML file) into sources, with feed discovery, naming, and the recorded
//! consent for non-public hosts. The CLI and the admin pages both use it.

use crate::{discover_feed, DiscoverError};
use fetch::Fetcher;
use model::{FeedUrl, NewSource, Source};
use store::prelude::*;
use store::StoreError;

/// Why a source could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// The URL is not one Tagline can crawl.
    #[error("{url:?} is not a URL Tagline can crawl: {source}")]
    InvalidUrl {
        /// What was given.
        url: String,
        /// Why.
        source: model::ModelError,
    },
    /// Neither a feed nor a page announcing one could be read there.
    #[error("adding {url}: {source}")]
    Discover {
        /// What was given.
        url: String,
        /// Why.
        source: DiscoverError,
    },
    /// The OPML file could not be read.
    #[error(transparent)]
    Opml(#[from] feed::opml::OpmlError),
    /// Storing the source failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A source to add, as the operator described it.
#[derive(Clone, Debug, Default)]
pub struct AddRequest {
    /// A feed URL, or a site whose pages announce one.
    pub url: String,
    /// The name to show; else the feed's title; else the host.
    pub name: Option<String>,
    /// The regional edition, upper-cased.
    pub region: Option<String>,
    /// The language; else the feed's.
    pub lang: Option<String>,
    /// Whether to fetch each article's page.
    pub fetch_pages: bool,
}

/// What adding did.
#[derive(Clone, Debug)]
pub struct Admitted {
    /// The source, new or already known.
    pub source: Source,
    /// Whether it was new.
    pub created: bool,
    /// Non-public hosts the operator's flags allowed, recorded on the source.
    pub trusted_hosts: Vec<String>,
}

/// Adds a source: discovers its feed through `fetcher` (and so through the
/// SSRF guard), names it, and records which non-public hosts the current
/// policy allows for it, so later crawls need no flag.
pub async fn add_source(store: &dyn Store, fetcher: &Fetcher, req: &AddRequest) -> Result<Admitted, AdmitError> {
    let url = FeedUrl::parse(&req.url).map_err(|source| AdmitError::InvalidUrl { url: req.url.clone(), source })?;
    let found =
        discover_feed(fetcher, &url).await.map_err(|source| AdmitError::Discover { url: url.to_string(), source })?;
    let name = req
        .name
        .clone()
        .or(found.title.clone())
        .unwrap_or_else(|| found.feed_url.as_url().host_str().unwrap_or("source").to_string());
    let trusted_hosts = fetcher.config().guard.allowed_non_public_hosts(&[url.as_url(), found.feed_url.as_url()]).await;
    let (source, created) = store
        .add_source(NewSource {
            name,
            home_url: found.home_url.clone(),
            feed_url: found.feed_url.clone(),
            region: req.region.as_ref().map(|r| r.to_uppercase()),
            lang: req.lang.clone().or(found.language.clone()),
            fetch_pages: req.fetch_pages,
            trusted_hosts: trusted_hosts.clone(),
        })
        .await?;
    Ok(Admitted { source, created, trusted_hosts })
}

/// What an OPML import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Sources added.
    pub added: usize,
    /// Outlines whose feed was already a source.
    pub known: usize,
    /// Outlines skipped, with why: (feed URL as written, reason).
    pub invalid: Vec<(String, String)>,
    /// Added or known sources on non-public hosts the policy allowed.
    pub trusted: usize,
}

/// Imports every outline of an OPML document as a source, as listed (no
/// discovery: OPML names feeds).
pub async fn import_opml(
    store: &dyn Store,
    fetcher: &Fetcher,
    text: &str,
    fetch_pages: bool,
) -> Result<ImportSummary, AdmitError> {
    let mut summary = ImportSummary::default();
    for o in feed::opml::parse(text)? {
        let feed_url = match FeedUrl::parse(&o.feed_url) {
            Ok(u) => u,
            Err(e) => {
                summary.invalid.push((o.feed_url.clone(), e.to_string()));
                continue;
            }
        };
        let name = o.title.clone().unwrap_or_else(|| feed_url.as_url().host_str().unwrap_or("source").to_string());
        let trusted = fetcher.config().guard.allowed_non_public_hosts(&[feed_url.as_url()]).await;
        summary.trusted += usize::from(!trusted.is_empty());
        let (_, created) = store
            .add_source(NewSource {
                name,
                home_url: o.home_url.as_deref().and_then(|h| FeedUrl::parse(h).ok()),
                feed_url,
                region: None,
                lang: None,
                fetch_pages,
                trusted_hosts: trusted,
            })
            .await?;
        if created {
            summary.added += 1;
        } else {
            summary.known += 1;
        }
    }
    Ok(summary)
}
