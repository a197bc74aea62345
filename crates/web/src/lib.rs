//! The reader's website and JSON API. It only reads the store; `router()` is
//! separate from any listener so tests can call it directly.

pub mod admin;
mod api;
mod cache;
mod error;
pub mod feeds;
mod http;
pub mod i18n;
mod intro;
pub mod openapi;
mod pages;
pub mod search;
mod view;

pub use error::AppError;
pub use index::SearchIndex;
pub use intro::Intro;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use model::Clock;
use std::sync::Arc;
use store::ReadStore;

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The store's read side: public handlers cannot call a write (the
    /// admin pages write through [`admin::AdminConfig`]'s store).
    pub store: Arc<dyn ReadStore>,
    /// The clock relative times are computed against.
    pub clock: Clock,
    /// This node's search index.
    pub search: Arc<SearchIndex>,
    /// Site-wide settings.
    pub site: Arc<SiteConfig>,
    /// This node's metrics.
    pub metrics: Arc<http::Metrics>,
    /// The micro-cache of rendered pages (off when its TTL is zero).
    pub cache: Option<Arc<cache::PageCache>>,
    /// Related tags by tag key: co-occurrence over hundreds of articles
    /// moves slowly, so each node reuses it for a few minutes.
    pub related: moka::sync::Cache<String, Arc<Vec<store::TagCount>>>,
}

/// Settings of the site.
#[derive(Clone, Default)]
pub struct SiteConfig {
    /// The public URL (`https://news.example`), for links in feeds out.
    /// Without it, links use the request's Host header.
    pub base_url: Option<String>,
    /// The admin pages, when a password hash is configured.
    pub admin: Option<Arc<admin::AdminConfig>>,
    /// How long a rendered public page may be reused (zero: not cached).
    pub page_cache_ttl: std::time::Duration,
    /// The first screen's introduction, for a demo instance.
    pub intro: Option<Intro>,
}

impl AppState {
    /// State with default site settings.
    pub fn new(store: Arc<dyn ReadStore>, clock: Clock, search: Arc<SearchIndex>) -> Self {
        Self::with_site(store, clock, search, SiteConfig::default())
    }

    /// State with the given site settings.
    pub fn with_site(store: Arc<dyn ReadStore>, clock: Clock, search: Arc<SearchIndex>, site: SiteConfig) -> Self {
        let cache = cache::PageCache::new(site.page_cache_ttl).map(Arc::new);
        let related =
            moka::sync::Cache::builder().max_capacity(10_000).time_to_live(std::time::Duration::from_secs(300)).build();
        Self { store, clock, search, site: Arc::new(site), metrics: Arc::default(), cache, related }
    }

    /// Tags related to `name`, from the node's cache or the store.
    pub async fn related_tags(&self, name: &model::TagName) -> Result<Arc<Vec<store::TagCount>>, store::StoreError> {
        if let Some(hit) = self.related.get(&name.key()) {
            return Ok(hit);
        }
        let found = Arc::new(self.store.related_tags(name, 12).await?);
        self.related.insert(name.key(), found.clone());
        Ok(found)
    }

    /// The site's base URL, without a trailing slash.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(b) = &self.site.base_url {
            return b.trim_end_matches('/').to_string();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
            .unwrap_or("localhost");
        format!("http://{host}")
    }
}

/// Articles per list page.
pub const PAGE_SIZE: usize = 20;

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/tag", get(pages::tag_form))
        .route("/tag/{name}", get(pages::tag))
        .route("/tag/{name}/{feed}", get(pages::tag_feed))
        .route("/category/{slug}", get(pages::category))
        .route("/category/{slug}/{feed}", get(pages::category_feed))
        .route("/source/{slug}", get(pages::source))
        .route("/source/{slug}/{feed}", get(pages::source_feed))
        .route("/edition", get(pages::edition_pick))
        .route("/edition/{region}", get(pages::edition))
        .route("/edition/{region}/{feed}", get(pages::edition_feed))
        .route("/search", get(pages::search))
        .route("/search/{feed}", get(pages::search_feed))
        .route("/story/{id}", get(pages::story))
        .route("/article/{id}", get(pages::article))
        .route("/api/v1/articles", get(api::articles))
        .route("/api/v1/articles/{id}", get(api::article))
        .route("/api/v1/tags", get(api::tags))
        .route("/api/v1/tags/trending", get(api::trending))
        .route("/api/v1/tags/{name}", get(api::tag))
        .route("/api/v1/tags/{name}/articles", get(api::tag_articles))
        .route("/api/v1/stories", get(api::stories))
        .route("/api/v1/stories/{id}", get(api::story))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/offline", get(pages::offline))
        .route("/image/{id}", get(image))
        .route("/admin", get(admin::dashboard))
        .route("/admin/login", get(admin::login_form).post(admin::login))
        .route("/admin/logout", axum::routing::post(admin::logout))
        .route("/admin/sources", axum::routing::post(admin::add_source))
        .route("/admin/sources/{id}/remove", axum::routing::post(admin::remove_source))
        .route("/admin/opml", axum::routing::post(admin::import_opml))
        .route("/admin/rules", axum::routing::post(admin::add_rule))
        .route("/admin/rules/{id}/remove", axum::routing::post(admin::remove_rule))
        .route("/healthz", get(healthz))
        .route("/metrics", get(http::metrics))
        .route(
            "/static/tagline.css",
            get(|| async { http::asset("text/css; charset=utf-8", STATIC_CACHE, CSS.as_bytes()) }),
        )
        .route("/static/app.js", get(|| async { http::asset("text/javascript; charset=utf-8", STATIC_CACHE, APP_JS) }))
        .route("/static/icons/{name}", get(icon))
        .route("/favicon.ico", get(|| async { http::asset("image/png", STATIC_CACHE, ICON_192) }))
        // The worker must be served from the root to control every page,
        // and revalidated on each load so that updates reach readers.
        .route("/sw.js", get(|| async { http::asset("text/javascript; charset=utf-8", "no-cache", SW_JS) }))
        .route(
            "/manifest.webmanifest",
            get(|| async { http::asset("application/manifest+json", STATIC_CACHE, MANIFEST) }),
        )
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), http::track))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(http::etag))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::layer))
        .layer(axum::middleware::from_fn(http::security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.counts().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

const CSS: &str = include_str!("../assets/tagline.css");
const APP_JS: &[u8] = include_bytes!("../assets/app.js");
const SW_JS: &[u8] = include_bytes!("../assets/sw.js");
const MANIFEST: &[u8] = include_bytes!("../assets/manifest.webmanifest");
const ICON_192: &[u8] = include_bytes!("../assets/icons/icon-192.png");
const STATIC_CACHE: &str = "public, max-age=86400";

/// A lead image, from the store: readers' browsers never contact publishers.
async fn image(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::response::Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("that image".into()))?;
    let img = state.store.image(id).await?.ok_or_else(|| AppError::NotFound("that image".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, img.content_type),
            // An article's image never changes once stored.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'".to_string()),
        ],
        img.bytes,
    )
        .into_response())
}

async fn icon(axum::extract::Path(name): axum::extract::Path<String>) -> axum::response::Response {
    let body: &'static [u8] = match name.as_str() {
        "icon-192.png" => ICON_192,
        "icon-512.png" => include_bytes!("../assets/icons/icon-512.png"),
        "maskable-512.png" => include_bytes!("../assets/icons/maskable-512.png"),
        "apple-touch-icon.png" => include_bytes!("../assets/icons/apple-touch-icon.png"),
        _ => return AppError::NotFound("that icon".into()).into_response(),
    };
    http::asset("image/png", STATIC_CACHE, body)
}
