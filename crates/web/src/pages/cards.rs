//! Cards and card lists: the pieces every list page shows.

use super::*;

pub(crate) fn card(v: &ArticleView) -> Markup {
    html! {
        li class="card" {
            @if let Some(img) = &v.image {
                img src=(img) alt="" loading="lazy" decoding="async";
            }
            h2 { a href={ "/article/" (v.id) } { (v.title) } }
            p class="meta" {
                a href={ "/source/" (v.source.slug) } { (v.source.name) }
                " · "
                time datetime=(v.published) { (v.relative_time) }
            }
            @if !v.categories.is_empty() {
                ul class="chips" aria-label=(t("article.categories")) {
                    @for c in &v.categories {
                        li { a href={ "/category/" (c.to_lowercase()) } { (c) } }
                    }
                }
            }
            p class="excerpt" { (v.excerpt) }
        }
    }
}

pub(crate) fn card_list(state: &AppState, articles: &[Article], base: &str) -> Markup {
    let next = (articles.len() == PAGE_SIZE).then(|| articles.last().map(encode_cursor)).flatten();
    html! {
        @if articles.is_empty() {
            p { (t("list.empty")) }
        } @else {
            ol class="cards" {
                @for a in articles { (card(&ArticleView::new(a, &state.clock))) }
            }
        }
        @if let Some(c) = next {
            nav class="pager" aria-label=(t("nav.pages")) { a rel="next" href={ (base) "?after=" (c) } { (t("nav.older")) } }
        }
    }
}

pub(crate) async fn list(
    state: &AppState,
    filter: ArticleFilter,
    after: Option<&str>,
) -> Result<Vec<Article>, AppError> {
    let after = match after {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest(t("error.bad_cursor").into()))?),
        None => None,
    };
    Ok(state.store.list_articles(&ArticleQuery { filter, after, limit: PAGE_SIZE }).await?)
}

pub(crate) fn tag_chips(label: &str, id: &str, tags: &[(String, String)]) -> Markup {
    html! {
        @if !tags.is_empty() {
            section aria-labelledby=(id) {
                h2 id=(id) { (label) }
                ul class="tags-cloud chips" {
                    @for (name, note) in tags {
                        li { a href={ "/tag/" (name) } { "#" (name) } @if !note.is_empty() { " " span class="meta" { (note) } } }
                    }
                }
            }
        }
    }
}

pub(crate) fn card_list_plain(state: &AppState, articles: &[Article]) -> Markup {
    html! {
        @if articles.is_empty() { p { (t("list.empty")) } } @else {
            ol class="cards" { @for a in articles { (card(&ArticleView::new(a, &state.clock))) } }
        }
    }
}

pub(crate) fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.trim_start_matches('#').as_bytes()).collect()
}
