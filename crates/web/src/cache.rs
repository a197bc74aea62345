//! A micro-cache of rendered public responses, as nginx's `proxy_cache` with
//! a one-second validity is used in front of news sites: under load, one
//! render (and one compression) serves every reader of that second.
//!
//! Keyed by path and query, the edition cookie (the only cookie public pages
//! read) and the negotiated encoding. Only complete 200 responses without
//! `Set-Cookie` are kept, never `/admin`, metrics or health.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Hash, PartialEq, Eq)]
struct Key {
    uri: String,
    edition: Option<String>,
    encoding: &'static str,
}

struct Cached {
    headers: HeaderMap,
    body: Bytes,
    created: Instant,
    /// Set by the one request that renders the page anew once it is stale.
    refreshing: AtomicBool,
}

/// The cache of one node.
pub struct PageCache {
    entries: moka::sync::Cache<Key, Arc<Cached>>,
    fresh_for: Duration,
}

/// How long a stale page may still be served while one request renders its
/// replacement (stale-while-revalidate): when many readers ask for a page
/// the moment it expires, one renders and the rest do not wait.
const STALE_GRACE: Duration = Duration::from_secs(10);

/// Largest response kept.
const MAX_BODY: usize = 512 * 1024;

impl PageCache {
    /// A cache whose entries live `ttl`; `None` when `ttl` is zero.
    pub fn new(ttl: Duration) -> Option<Self> {
        (!ttl.is_zero()).then(|| Self {
            fresh_for: ttl,
            entries: moka::sync::Cache::builder()
                .time_to_live(ttl + STALE_GRACE)
                .weigher(|_, v: &Arc<Cached>| (v.body.len() / 1024).max(1) as u32)
                // About 64 MB of pages.
                .max_capacity(64 * 1024)
                .build(),
        })
    }
}

fn encoding(headers: &HeaderMap) -> &'static str {
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    // The same preference tower-http's compression makes.
    if accept.contains("br") {
        "br"
    } else if accept.contains("gzip") {
        "gzip"
    } else if accept.contains("deflate") {
        "deflate"
    } else {
        "identity"
    }
}

fn cacheable(path: &str) -> bool {
    !(path.starts_with("/admin") || path == "/metrics" || path == "/healthz" || path.starts_with("/image/"))
}

fn respond(hit: &Cached, if_none_match: Option<&str>) -> Response {
    let etag = hit.headers.get(header::ETAG).and_then(|v| v.to_str().ok());
    if let (Some(tag), Some(inm)) = (etag, if_none_match) {
        if inm.split(',').any(|t| t.trim() == tag || t.trim() == "*") {
            let mut headers = hit.headers.clone();
            headers.remove(header::CONTENT_LENGTH);
            headers.remove(header::CONTENT_ENCODING);
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
    }
    let mut r = Response::new(Body::from(hit.body.clone()));
    *r.headers_mut() = hit.headers.clone();
    r
}

/// The middleware.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(cache) = state.cache.as_deref() else { return next.run(req).await };
    if req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let key = Key {
        uri: req.uri().path_and_query().map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string()),
        edition: crate::pages::edition_cookie(req.headers()),
        encoding: encoding(req.headers()),
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(hit) = cache.entries.get(&key) {
        let fresh = hit.created.elapsed() < cache.fresh_for;
        if fresh || hit.refreshing.swap(true, Ordering::AcqRel) {
            return respond(&hit, if_none_match.as_deref());
        }
        // Stale, and this request won the right to render it anew.
    }
    // Ask for the full response: a 304 from the inner layers cannot be kept.
    let mut req = req;
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let entry =
        Arc::new(Cached { headers: parts.headers, body, created: Instant::now(), refreshing: AtomicBool::new(false) });
    if entry.body.len() <= MAX_BODY {
        cache.entries.insert(key, entry.clone());
    }
    respond(&entry, if_none_match.as_deref())
}
