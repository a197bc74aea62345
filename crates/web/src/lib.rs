//! The reader's website and JSON API. It only reads the store; `router()` is
//! separate from any listener so tests can call it directly.

mod api;
mod error;
mod pages;
mod view;

pub use error::AppError;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use model::Clock;
use std::sync::Arc;
use store::Store;

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The store, read-only from here.
    pub store: Arc<dyn Store>,
    /// The clock relative times are computed against.
    pub clock: Clock,
}

/// Articles per list page.
pub const PAGE_SIZE: usize = 20;

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/tag", get(pages::tag_form))
        .route("/tag/{name}", get(pages::tag))
        .route("/category/{slug}", get(pages::category))
        .route("/source/{slug}", get(pages::source))
        .route("/article/{id}", get(pages::article))
        .route("/api/v1/tags/{name}/articles", get(api::tag_articles))
        .route("/api/v1/articles/{id}", get(api::article))
        .route("/healthz", get(healthz))
        .route("/static/tagline.css", get(css))
        .fallback(pages::not_found)
        .layer(tower_http::compression::CompressionLayer::new())
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

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], CSS)
}
