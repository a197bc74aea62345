//! HTTP fetching for the crawler: the SSRF guard on every hop, manual
//! redirects, conditional GET, transparent decompression and a body limit.

pub mod guard;
pub mod robots;

pub use guard::Guard;

use bytes::{Bytes, BytesMut};
use futures::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Why a fetch failed. Each variant names the URL so that the operator can
/// tell which source is at fault.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The site's robots.txt disallows this URL for Tagline.
    #[error("{url} is disallowed by the site's robots.txt")]
    Robots {
        /// The URL.
        url: String,
    },
    /// The SSRF guard refused the address before any connection was made.
    #[error("refused {url}: {reason}")]
    Forbidden {
        /// The URL that was refused.
        url: String,
        /// Why.
        reason: String,
    },
    /// The URL cannot be fetched at all (bad scheme, no host).
    #[error("cannot fetch {url}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Connecting, resolving, or reading failed.
    #[error("could not fetch {url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// The transport error, flattened with its causes.
        message: String,
    },
    /// The request took longer than the configured limit.
    #[error("timed out fetching {url}")]
    Timeout {
        /// The URL.
        url: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// Seconds from a Retry-After header, if any.
        retry_after: Option<u64>,
    },
    /// The (decompressed) body exceeded the limit.
    #[error("{url} sent more than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Too many redirects, or a redirect loop.
    #[error("too many redirects starting at {url}")]
    TooManyRedirects {
        /// The first URL.
        url: String,
    },
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// The SSRF policy.
    pub guard: Guard,
    /// Sent on every request.
    pub user_agent: String,
    /// Limit for establishing a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included.
    pub total_timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_body: usize,
    /// Redirect hops followed before giving up.
    pub max_redirects: usize,
    /// Requests in flight to one host at most.
    pub per_host_concurrency: usize,
    /// Attempts for a request that fails transiently (timeout, connection
    /// error, 429, 5xx), the first included.
    pub max_attempts: u32,
    /// First retry delay; it doubles each attempt, with jitter.
    pub retry_base: Duration,
    /// Longest wait before a retry, whatever Retry-After says; a longer
    /// Retry-After gives up for this crawl instead of stalling it.
    pub max_retry_wait: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            guard: Guard::default(),
            user_agent: concat!(
                "Tagline/",
                env!("CARGO_PKG_VERSION"),
                " (news aggregator; +https://github.com/tagline-news/tagline)"
            )
            .to_string(),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            max_redirects: 10,
            per_host_concurrency: 2,
            max_attempts: 3,
            retry_base: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

/// Validators from a previous fetch, for a conditional GET.
#[derive(Clone, Debug, Default)]
pub struct Validators {
    /// The ETag previously returned.
    pub etag: Option<String>,
    /// The Last-Modified previously returned.
    pub last_modified: Option<String>,
}

/// A successful response.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The URL after redirects.
    pub final_url: Url,
    /// Set when every redirect on the way was permanent (301/308), so the
    /// caller may update the stored URL.
    pub permanent_redirect: Option<Url>,
    /// HTTP status (200, or 304 when `not_modified`).
    pub status: u16,
    /// True for 304: the body is empty and the stored copy is current.
    pub not_modified: bool,
    /// The Content-Type header.
    pub content_type: Option<String>,
    /// The decompressed body.
    pub body: Bytes,
    /// Validators for the next conditional GET.
    pub validators: Validators,
}

/// An HTTP client for untrusted URLs. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
    hosts: Arc<HostLimits>,
    robots: Arc<robots::Cache>,
}

/// One semaphore per host, so that no publisher sees more than
/// `per_host_concurrency` requests from us at once.
#[derive(Default)]
struct HostLimits {
    limits: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

impl HostLimits {
    fn for_host(&self, host: &str, permits: usize) -> Arc<tokio::sync::Semaphore> {
        let mut map = self.limits.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(host.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(permits.max(1))))
            .clone()
    }
}

/// Whether a failure may succeed if tried again shortly.
pub fn is_transient(e: &FetchError) -> bool {
    match e {
        FetchError::Timeout { .. } | FetchError::Network { .. } => true,
        FetchError::Status { status, .. } => *status == 429 || *status >= 500,
        _ => false,
    }
}

/// Jitter in 0.75..1.25 without a random number generator: the clock's
/// nanoseconds are unpredictable enough to spread retries apart.
fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.subsec_nanos());
    let factor = 0.75 + (nanos % 1000) as f64 / 2000.0;
    d.mul_f64(factor)
}

/// Resolves host names and drops every address the guard refuses, so that a
/// public-looking name that resolves to 10.0.0.1 is caught too.
struct GuardedResolver {
    guard: Guard,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let fut: BoxFuture<'static, _> = Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })?
                .collect();
            let mut refusals = Vec::new();
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| match guard.check_ip(&host, a.ip()) {
                    None => true,
                    Some(why) => {
                        refusals.push(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why =
                    refusals.into_iter().next().unwrap_or_else(|| format!("{host} did not resolve to any address"));
                return Err(Box::new(GuardRefusal(format!("{host} resolves to {why}")))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        });
        fut
    }
}

#[derive(Debug)]
struct GuardRefusal(String);

impl std::fmt::Display for GuardRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GuardRefusal {}

impl Fetcher {
    /// Builds a client with the given settings.
    pub fn new(config: FetchConfig) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver { guard: config.guard.clone() }))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| FetchError::Network { url: String::new(), message: error_chain(&e) })?;
        Ok(Self { client, config: Arc::new(config), hosts: Arc::default(), robots: Arc::default() })
    }

    /// A client that also trusts `hosts` (a source's operator-approved
    /// intranet hosts). Returns a clone of `self` when there is nothing to add.
    pub fn with_trusted_hosts(&self, hosts: &[String]) -> Result<Self, FetchError> {
        let missing: Vec<String> = hosts.iter().filter(|h| !self.config.guard.host_is_allowed(h)).cloned().collect();
        if missing.is_empty() || self.config.guard.allow_private {
            return Ok(self.clone());
        }
        let mut config = (*self.config).clone();
        config.guard.allow_hosts.extend(missing);
        Self::new(config)
    }

    /// The settings in use.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Checks a URL against the guard without connecting: IP literals are
    /// judged here, host names when they are resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl {
                url: url.to_string(),
                reason: format!("unsupported scheme {}", url.scheme()),
            });
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(FetchError::BadUrl { url: url.to_string(), reason: "no host".into() }),
        };
        let host = url.host_str().unwrap_or_default();
        match self.config.guard.check_ip(host, ip) {
            None => Ok(()),
            Some(reason) => Err(FetchError::Forbidden { url: url.to_string(), reason }),
        }
    }

    /// GETs `url` politely: at most `per_host_concurrency` requests to its
    /// host at once, and transient failures retried with exponential backoff
    /// and jitter, honouring Retry-After up to `max_retry_wait`.
    pub async fn get(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut attempt = 1;
        loop {
            let result = {
                let host = url.host_str().unwrap_or_default();
                let limit = self.hosts.for_host(host, self.config.per_host_concurrency);
                let _permit = limit.acquire().await.map_err(|_| FetchError::Network {
                    url: url.to_string(),
                    message: "the host limiter was closed".into(),
                })?;
                self.get_once(url, validators).await
            };
            let err = match result {
                Ok(f) => return Ok(f),
                Err(e) if attempt < self.config.max_attempts && is_transient(&e) => e,
                Err(e) => return Err(e),
            };
            let backoff = jitter(self.config.retry_base * 2u32.pow(attempt - 1));
            let wait = match &err {
                FetchError::Status { retry_after: Some(secs), .. } => Duration::from_secs(*secs).max(backoff),
                _ => backoff,
            };
            if wait > self.config.max_retry_wait {
                return Err(err);
            }
            tracing::debug!(%url, attempt, ?wait, error = %err, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// [`Fetcher::get`] for a page the crawler chose to fetch: first checks
    /// the host's robots.txt (fetched once and cached for a day; missing or
    /// unreadable means everything is allowed).
    pub async fn get_page(&self, url: &Url) -> Result<Fetched, FetchError> {
        let origin = url.origin().ascii_serialization();
        let rules = match self.robots.get(&origin) {
            Some(r) => r,
            None => {
                let robots_url = url
                    .join("/robots.txt")
                    .map_err(|e| FetchError::BadUrl { url: url.to_string(), reason: e.to_string() })?;
                let rules = match self.get(&robots_url, &Validators::default()).await {
                    Ok(f) => robots::Rules::parse(&String::from_utf8_lossy(&f.body), &self.config.user_agent),
                    Err(FetchError::Forbidden { url, reason }) => return Err(FetchError::Forbidden { url, reason }),
                    Err(_) => robots::Rules::allow_all(),
                };
                self.robots.put(&origin, rules.clone());
                rules
            }
        };
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if !rules.allows(&path) {
            return Err(FetchError::Robots { url: url.to_string() });
        }
        self.get(url, &Validators::default()).await
    }

    /// One GET, following redirects through the guard; no retries.
    pub async fn get_once(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let mut current = url.clone();
        let mut all_permanent = true;
        let mut seen = vec![current.clone()];
        for _ in 0..=self.config.max_redirects {
            self.check_url(&current)?;
            let mut req = self.client.get(current.clone());
            if let Some(etag) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
            let resp = req.send().await.map_err(|e| classify(&current, e))?;
            let status = resp.status();
            if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
                let location = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                    .ok_or_else(|| FetchError::BadUrl {
                        url: current.to_string(),
                        reason: format!("HTTP {} without a usable Location", status.as_u16()),
                    })?;
                if seen.contains(&location) {
                    return Err(FetchError::TooManyRedirects { url: url.to_string() });
                }
                all_permanent &= matches!(status.as_u16(), 301 | 308);
                seen.push(location.clone());
                current = location;
                continue;
            }
            let headers = resp.headers().clone();
            if status == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(self.done(url, current, all_permanent, 304, &headers, Bytes::new()));
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: current.to_string(),
                    status: status.as_u16(),
                    retry_after: retry_after(&headers),
                });
            }
            let body = self.read_body(&current, resp).await?;
            return Ok(self.done(url, current, all_permanent, status.as_u16(), &headers, body));
        }
        Err(FetchError::TooManyRedirects { url: url.to_string() })
    }

    fn done(
        &self,
        original: &Url,
        final_url: Url,
        all_permanent: bool,
        status: u16,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Fetched {
        let text =
            |h: header::HeaderName| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        let permanent_redirect = (all_permanent && &final_url != original).then(|| final_url.clone());
        Fetched {
            final_url,
            permanent_redirect,
            status,
            not_modified: status == 304,
            content_type: text(header::CONTENT_TYPE),
            body,
            validators: Validators { etag: text(header::ETAG), last_modified: text(header::LAST_MODIFIED) },
        }
    }

    async fn read_body(&self, url: &Url, mut resp: reqwest::Response) -> Result<Bytes, FetchError> {
        let limit = self.config.max_body;
        if resp.content_length().is_some_and(|n| n as usize > limit) {
            return Err(FetchError::TooLarge { url: url.to_string(), limit });
        }
        let mut buf = BytesMut::new();
        // Chunks arrive decompressed, so this also bounds a gzip bomb.
        while let Some(chunk) = resp.chunk().await.map_err(|e| classify(url, e))? {
            if buf.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { url: url.to_string(), limit });
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

fn classify(url: &Url, e: reqwest::Error) -> FetchError {
    let chain = error_chain(&e);
    if let Some(refusal) = find_refusal(&e) {
        return FetchError::Forbidden { url: url.to_string(), reason: refusal };
    }
    if e.is_timeout() {
        return FetchError::Timeout { url: url.to_string() };
    }
    FetchError::Network { url: url.to_string(), message: chain }
}

fn find_refusal(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<GuardRefusal>() {
            return Some(r.0.clone());
        }
        cur = err.source();
    }
    None
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}
