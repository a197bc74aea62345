//! Category pages and their feeds.

use super::*;

pub async fn category(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    list_page(&state, resolve_category(&slug)?, p.after.as_deref(), html! {}, html! {}).await
}

pub async fn category_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    list_feed(&state, &headers, resolve_category(&slug)?, &feed).await
}
