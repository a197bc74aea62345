//! Finding a site's feed from a URL the operator gives: the URL itself if it
//! is a feed, else the page's `<link rel="alternate">`, else common paths.

use fetch::{Fetcher, Validators};
use model::FeedUrl;

/// A feed found for a URL.
#[derive(Clone, Debug)]
pub struct Discovered {
    /// The feed's URL.
    pub feed_url: FeedUrl,
    /// The feed's title.
    pub title: Option<String>,
    /// The publisher's home page.
    pub home_url: Option<FeedUrl>,
    /// The feed's declared language.
    pub language: Option<String>,
}

/// Why no feed was found.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The URL itself could not be fetched.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// The URL is neither a feed nor a page that announces one.
    #[error("{url} is not a feed, and the page names no feed that could be read ({detail})")]
    NoFeed {
        /// The URL.
        url: String,
        /// What was tried.
        detail: String,
    },
}

const COMMON_PATHS: &[&str] = &["/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json"];

/// Resolves `url` to a feed.
pub async fn discover_feed(fetcher: &Fetcher, url: &FeedUrl) -> Result<Discovered, DiscoverError> {
    let page = fetcher.get(url.as_url(), &Validators::default()).await?;
    let base = page.final_url.to_string();
    let first_error = match feed::parse(&page.body, Some(&base)) {
        Ok(parsed) => return Ok(found(&page.final_url, parsed, None)),
        Err(e) => e.to_string(),
    };
    let page_url = FeedUrl::parse(&base).ok();
    let mut candidates = extract::discover_feeds(&page.body, &base, page.content_type.as_deref());
    for p in COMMON_PATHS {
        if let Ok(u) = page.final_url.join(p) {
            let u = u.to_string();
            if !candidates.contains(&u) {
                candidates.push(u);
            }
        }
    }
    let mut tried = Vec::new();
    for cand in candidates {
        let Ok(cand_url) = url::Url::parse(&cand) else { continue };
        match fetcher.get(&cand_url, &Validators::default()).await {
            Ok(f) => match feed::parse(&f.body, Some(f.final_url.as_str())) {
                Ok(parsed) => return Ok(found(&f.final_url, parsed, page_url)),
                Err(e) => tried.push(format!("{cand}: {e}")),
            },
            Err(fetch::FetchError::Forbidden { url, reason }) => {
                return Err(fetch::FetchError::Forbidden { url, reason }.into())
            }
            Err(e) => tried.push(e.to_string()),
        }
    }
    Err(DiscoverError::NoFeed {
        url: url.to_string(),
        detail: if tried.is_empty() { first_error } else { tried.join("; ") },
    })
}

fn found(feed_url: &url::Url, parsed: feed::ParsedFeed, page: Option<FeedUrl>) -> Discovered {
    Discovered {
        feed_url: FeedUrl::parse(feed_url.as_str()).expect("a fetched URL is http(s)"),
        title: parsed.feed.title,
        home_url: page.or_else(|| parsed.feed.link.as_deref().and_then(|h| FeedUrl::parse(h).ok())),
        language: parsed.feed.language,
    }
}
