//! Tag pages ("Latest news with #China-CentralAsia"), their feeds, and the tag form.

use super::*;

#[derive(Deserialize)]
pub struct TagForm {
    pub name: Option<String>,
}

/// The header's "#" form, a plain GET: an existing topic opens directly;
/// otherwise the topics starting with what was typed are suggested.
pub async fn tag_form(State(state): State<AppState>, Query(f): Query<TagForm>) -> Result<Response, AppError> {
    let typed = f.name.unwrap_or_default();
    let Ok(name) = TagName::parse(&typed) else { return Ok(Redirect::to("/").into_response()) };
    if let Some(tag) = state.store.tag(&name).await?.filter(|t| t.count > 0) {
        return Ok(Redirect::to(&format!("/tag/{}", tag.name)).into_response());
    }
    let found = state.store.search_tags(&name.key(), 30).await?;
    Ok(page(
        t("topics.title"),
        None,
        &[],
        html! {
            h1 { (tf("topics.starting", &[("name", &name)])) }
            @if found.is_empty() {
                p { (tf("topics.none", &[("name", &name)])) a href={ "/search?q=" (url_escape(&typed)) } { (t("topics.search_instead")) } "." }
            } @else {
                ul class="tags-cloud chips" {
                    @for t in &found { li { a href={ "/tag/" (t.name) } { "#" (t.name) } " " span class="meta" { "(" (t.count) ")" } } }
                }
            }
        },
    )
    .into_response())
}

pub async fn tag(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let kind = resolve_tag(&state, &name).await?;
    let ListKind::Tag(tag) = &kind else { unreachable!("resolve_tag returns a tag") };
    // An alias has no page of its own: it redirects to its tag's. (Other
    // letter cases are the same tag, served where asked.)
    if TagName::parse(&name).is_ok_and(|n| n.key() != tag.name.key()) {
        return Ok(Redirect::permanent(&format!("/tag/{}", tag.name)).into_response());
    }
    let related = state.related_tags(&tag.name).await?;
    let related: Vec<(String, String)> = related.iter().map(|r| (r.name.to_string(), String::new())).collect();
    let extra = tag_chips(t("list.related"), "related-h", &related);
    Ok(list_page(&state, kind, p.after.as_deref(), extra, html! {}).await?.into_response())
}

pub async fn tag_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((name, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = resolve_tag(&state, &name).await?;
    list_feed(&state, &headers, kind, &feed).await
}
