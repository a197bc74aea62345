//! Server-rendered pages. Reading needs no JavaScript.

pub mod layout;

use crate::error::AppError;
use crate::view::{decode_cursor, encode_cursor, ArticleView};
use crate::{AppState, PAGE_SIZE};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use layout::page;
use maud::{html, Markup};
use model::{Article, Category, TagName};
use serde::Deserialize;
use store::{ArticleFilter, ArticleQuery};

#[derive(Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
}

fn card(v: &ArticleView) -> Markup {
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
                ul class="chips" aria-label="Categories" {
                    @for c in &v.categories {
                        li { a href={ "/category/" (c.to_lowercase()) } { (c) } }
                    }
                }
            }
            p class="excerpt" { (v.excerpt) }
        }
    }
}

fn card_list(state: &AppState, articles: &[Article], base: &str) -> Markup {
    let next = (articles.len() == PAGE_SIZE).then(|| articles.last().map(encode_cursor)).flatten();
    html! {
        @if articles.is_empty() {
            p { "No articles yet." }
        } @else {
            ol class="cards" {
                @for a in articles { (card(&ArticleView::new(a, &state.clock))) }
            }
        }
        @if let Some(c) = next {
            nav class="pager" aria-label="Pages" { a rel="next" href={ (base) "?after=" (c) } { "Older articles →" } }
        }
    }
}

async fn list(state: &AppState, filter: ArticleFilter, after: Option<&str>) -> Result<Vec<Article>, AppError> {
    let after = match after {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("That page link is not valid.".into()))?),
        None => None,
    };
    Ok(state.store.list_articles(&ArticleQuery { filter, after, limit: PAGE_SIZE }).await?)
}

pub async fn home(State(state): State<AppState>) -> Result<Markup, AppError> {
    let latest = list(&state, ArticleFilter::All, None).await?;
    let tags = state.store.top_tags(None, 24).await?;
    Ok(page(
        "Latest news",
        Some("The latest news, by topic."),
        &[],
        html! {
            div class="grid" {
                section aria-labelledby="latest-h" {
                    h1 id="latest-h" { "Latest news" }
                    (card_list(&state, &latest, "/"))
                }
                aside aria-labelledby="tags-h" {
                    h2 id="tags-h" { "Most active topics" }
                    ul class="tags-cloud chips" {
                        @for t in &tags {
                            li { a href={ "/tag/" (t.name) } { "#" (t.name) } " " span class="meta" { "(" (t.count) ")" } }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct TagForm {
    pub name: Option<String>,
}

/// The header's "#" form: a plain GET that redirects to the topic page.
pub async fn tag_form(Query(f): Query<TagForm>) -> Response {
    match f.name.as_deref().map(TagName::parse) {
        Some(Ok(name)) => Redirect::to(&format!("/tag/{name}")).into_response(),
        _ => Redirect::to("/").into_response(),
    }
}

pub async fn tag(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let name = TagName::parse(&name).map_err(|_| AppError::NotFound(format!("the topic #{name}")))?;
    let tag = state.store.tag(&name).await?.ok_or_else(|| AppError::NotFound(format!("any article tagged #{name}")))?;
    let articles = list(&state, ArticleFilter::Tag(tag.name.clone()), p.after.as_deref()).await?;
    let heading = format!("Latest news with #{}", tag.name);
    Ok(page(
        &heading,
        Some(&format!("News tagged #{}", tag.name)),
        &[],
        html! {
            h1 { (heading) }
            (card_list(&state, &articles, &format!("/tag/{}", tag.name)))
        },
    ))
}

pub async fn category(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let cat = Category::parse(&slug).map_err(|_| AppError::NotFound(format!("the category {slug}")))?;
    let articles = list(&state, ArticleFilter::Category(cat), p.after.as_deref()).await?;
    Ok(page(
        cat.label(),
        None,
        &[],
        html! {
            h1 { (cat.label()) }
            (card_list(&state, &articles, &format!("/category/{}", cat.slug())))
        },
    ))
}

pub async fn source(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let src =
        state.store.source_by_slug(&slug).await?.ok_or_else(|| AppError::NotFound(format!("the source {slug}")))?;
    let articles = list(&state, ArticleFilter::Source(src.id), p.after.as_deref()).await?;
    Ok(page(
        &src.name,
        None,
        &[],
        html! {
            h1 { (src.name) }
            p class="meta" {
                @if let Some(home) = &src.home_url { a href=(home) rel="noopener" { (home) } " · " }
                "Feed: " a href=(src.feed_url) { (src.feed_url) }
            }
            @match src.status {
                model::SourceStatus::Failing => p class="status-failing" { "Last update failed: " (src.last_error.as_deref().unwrap_or("unknown error")) },
                model::SourceStatus::New => p class="meta" { "Not crawled yet." },
                model::SourceStatus::Ok => {},
            }
            (card_list(&state, &articles, &format!("/source/{}", src.slug)))
        },
    ))
}

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(format!("article {id}")))?;
    let a = state.store.article(id).await?.ok_or_else(|| AppError::NotFound(format!("article {id}")))?;
    let v = ArticleView::new(&a, &state.clock);
    let others = match a.story_id {
        Some(sid) => state
            .store
            .list_articles(&ArticleQuery { filter: ArticleFilter::Story(sid), after: None, limit: 10 })
            .await?
            .into_iter()
            .filter(|o| o.id != a.id)
            .collect(),
        None => Vec::new(),
    };
    Ok(page(
        &v.title,
        Some(&v.excerpt),
        &[],
        html! {
            article {
                h1 { (v.title) }
                p class="meta" {
                    a href={ "/source/" (v.source.slug) } { (v.source.name) }
                    @if let Some(author) = &v.author { " · " (author) }
                    " · "
                    time datetime=(v.published) title=(v.published) { (v.relative_time) }
                }
                @if !v.categories.is_empty() || !v.tags.is_empty() {
                    ul class="chips" aria-label="Topics" {
                        @for c in &v.categories { li { a href={ "/category/" (c.to_lowercase()) } { (c) } } }
                        @for t in &v.tags { li { a href={ "/tag/" (t.name) } { "#" (t.name) } } }
                    }
                }
                @if let Some(img) = &v.image { img src=(img) alt="" loading="lazy"; }
                div class="article-body" {
                    @for para in v.text.split("\n\n") { p { (para) } }
                }
                p { a href=(v.url) rel="noopener" { "Read the original at " (v.source.name) } }
                @if !others.is_empty() {
                    section aria-labelledby="also-h" {
                        h2 id="also-h" { "Also reported by" }
                        ul {
                            @for o in &others {
                                li { a href={ "/article/" (o.id) } { (o.title) } " — " (o.source.name) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("that page".into())
}
