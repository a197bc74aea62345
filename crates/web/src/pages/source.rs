//! Source pages and their feeds.

use super::*;

pub async fn source(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let kind = resolve_source(&state, &slug).await?;
    let ListKind::Source(src) = &kind else { unreachable!("resolve_source returns a source") };
    let extra = html! {
        p class="meta" {
            @if let Some(home) = &src.home_url { a href=(home) rel="noopener" { (home) } " · " }
            (t("source.feed")) a href=(src.feed_url) { (src.feed_url) }
            @if let Some(r) = &src.region { (t("source.edition")) a href={ "/edition/" (r.to_uppercase()) } { (r.to_uppercase()) } }
        }
        @match src.status {
            model::SourceStatus::Failing => p class="status-failing" { (t("source.failing")) (src.last_error.as_deref().unwrap_or(t("source.unknown_error"))) },
            model::SourceStatus::New => p class="meta" { (t("source.new")) },
            model::SourceStatus::Ok => p class="meta" { (t("source.ok")) @if let Some(when) = src.last_fetched { (tf("source.checked", &[("when", &relative(when, state.clock.now()))])) } "." },
        }
        @if let Some(note) = &src.last_note { p class="meta" { (t("source.note")) (note) } }
    };
    list_page(&state, kind, p.after.as_deref(), extra, html! {}).await
}

pub async fn source_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = resolve_source(&state, &slug).await?;
    list_feed(&state, &headers, kind, &feed).await
}
