//! HTTP plumbing shared by every route: static assets, caching validators
//! (ETag, Cache-Control) and Prometheus metrics.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::hash::{Hash, Hasher};
use std::time::Instant;

/// Labels of the request metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The route pattern (`/tag/{name}`), never the raw path, so that the
    /// number of series stays bounded.
    pub route: String,
    /// HTTP status code.
    pub status: u16,
}

/// This node's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    articles: Gauge,
    pending: Gauge,
    sources_failing: Gauge,
    indexed: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tagline");
        let requests = Family::<RouteLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
        });
        let (articles, sources_failing, indexed) = (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register("http_request_duration_seconds", "Time to serve a request", latency.clone());
        registry.register("articles", "Articles stored", articles.clone());
        let pending = Gauge::default();
        registry.register("enrich_queue", "Articles stored and waiting for enrichment", pending.clone());
        registry.register("sources_failing", "Sources whose last crawl failed", sources_failing.clone());
        registry.register("search_indexed_documents", "Articles in this node's search index", indexed.clone());
        Self { registry, requests, latency, articles, pending, sources_failing, indexed }
    }
}

/// Records each request's route, status and duration.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("(unmatched)", |m| m.as_str()).to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let labels = RouteLabels { route, status: response.status().as_u16() };
    state.metrics.requests.get_or_create(&labels).inc();
    state.metrics.latency.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`, in the Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(c) = state.store.counts().await {
        state.metrics.articles.set(c.articles);
        state.metrics.pending.set(c.pending);
    }
    if let Ok(sources) = state.store.sources().await {
        state
            .metrics
            .sources_failing
            .set(sources.iter().filter(|s| s.status == model::SourceStatus::Failing).count() as i64);
    }
    state.metrics.indexed.set(state.search.num_docs() as i64);
    let mut out = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &state.metrics.registry) {
        tracing::error!(error = %e, "encoding metrics failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], out).into_response()
}

/// Largest body the ETag layer buffers; larger ones pass through untouched.
const ETAG_MAX: usize = 2 * 1024 * 1024;

/// Adds a weak ETag (a hash of the body) and Cache-Control to successful
/// GET responses, and answers `If-None-Match` with 304. The hash is of the
/// uncompressed body and deterministic across nodes running the same build,
/// so a reader moving between web nodes still gets 304s.
pub async fn etag(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    if !is_get || response.status() != StatusCode::OK || path.starts_with("/admin") || path == "/metrics" {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Only a body known to fit is buffered: a larger or streamed one passes
    // through as it is, without an ETag (buffering it would fail, and used
    // to turn a large page into an empty 500).
    let fits = axum::body::HttpBody::size_hint(&body).upper().is_some_and(|n| n <= ETAG_MAX as u64);
    if !fits {
        return Response::from_parts(parts, body);
    }
    let bytes: Bytes = match axum::body::to_bytes(body, ETAG_MAX).await {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let tag = format!("W/\"{:016x}\"", h.finish());
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        let html = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        // Pages revalidate on every view (a cheap 304 when unchanged), so a
        // reader never sees a stale front page; feeds and the API may be
        // reused for a minute, as feed readers poll.
        let policy = if html { "no-cache" } else { "public, max-age=60" };
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // The front page and editions depend on the edition cookie.
    parts.headers.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    let matches = if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if matches {
        parts.headers.remove(header::CONTENT_LENGTH);
        return (StatusCode::NOT_MODIFIED, parts.headers).into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A cookie's value from the request.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A static asset compiled into the binary.
pub fn asset(content_type: &'static str, cache: &'static str, body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, cache)], body).into_response()
}

/// The Content-Security-Policy of every response that sets none itself:
/// scripts, styles and images only from this origin and never inline (so
/// a link or markup that slipped into a page could not run), no plugins,
/// no framing by other sites, forms posting only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Adds the headers careful self-hosted readers send (Miniflux's set) to
/// every response: the CSP above, no MIME sniffing, no framing, and no
/// Referer leaking which article a reader came from.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
