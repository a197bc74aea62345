//! JSON API v1: lists, articles, stories, search, tags and sources, with
//! keyset cursors. `openapi.rs` documents exactly these shapes.

use crate::error::{ApiError, AppError};
use crate::search::SearchParams;
use crate::view::{decode_cursor, encode_cursor, ArticleView};
use crate::{AppState, PAGE_SIZE};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use model::{Category, TagName};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{ArticleFilter, ArticleQuery};

#[derive(Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Deserialize)]
pub struct ListParams {
    pub tag: Option<String>,
    pub category: Option<String>,
    pub source: Option<String>,
    pub edition: Option<String>,
    pub after: Option<String>,
    pub limit: Option<usize>,
}

/// An id from the path; anything else is a JSON 404 like a missing id.
fn parse_id(s: &str, what: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError(AppError::NotFound(format!("{what} {s}"))))
}

fn limit(l: Option<usize>) -> usize {
    l.unwrap_or(PAGE_SIZE).clamp(1, 100)
}

async fn page_of(
    state: &AppState,
    filter: ArticleFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Value, ApiError> {
    let after = match after {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?),
        None => None,
    };
    let articles = state.store.list_articles(&ArticleQuery { filter, after, limit }).await?;
    let next = (articles.len() == limit).then(|| articles.last().map(encode_cursor)).flatten();
    let views: Vec<ArticleView> = articles.iter().map(|a| ArticleView::new(a, &state.clock)).collect();
    Ok(json!({ "articles": views, "next_cursor": next }))
}

/// `GET /api/v1/articles`: the newest articles, optionally of one tag,
/// category, source or edition.
pub async fn articles(State(state): State<AppState>, Query(p): Query<ListParams>) -> Result<Json<Value>, ApiError> {
    let bad = |what: &str| {
        ApiError(AppError::BadRequest(format!("give at most one of tag, category, source, edition ({what})")))
    };
    let given = [&p.tag, &p.category, &p.source, &p.edition].iter().filter(|f| f.is_some()).count();
    if given > 1 {
        return Err(bad("several given"));
    }
    let filter = if let Some(t) = &p.tag {
        ArticleFilter::Tag(TagName::parse(t).map_err(|e| AppError::BadRequest(e.to_string()))?)
    } else if let Some(c) = &p.category {
        ArticleFilter::Category(
            Category::parse(c).map_err(|_| AppError::BadRequest(format!("unknown category {c:?}")))?,
        )
    } else if let Some(s) = &p.source {
        let src = state.store.source_by_slug(s).await?.ok_or_else(|| AppError::NotFound(format!("the source {s}")))?;
        ArticleFilter::Source(src.id)
    } else if let Some(e) = &p.edition {
        ArticleFilter::Edition(e.to_uppercase())
    } else {
        ArticleFilter::All
    };
    Ok(Json(page_of(&state, filter, p.after.as_deref(), limit(p.limit)).await?))
}

/// `GET /api/v1/tags/{name}/articles`.
pub async fn tag_articles(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Json<Value>, ApiError> {
    let name = TagName::parse(&name).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let tag = state.store.tag(&name).await?.ok_or_else(|| AppError::NotFound(format!("the tag #{name}")))?;
    let mut body = page_of(&state, ArticleFilter::Tag(tag.name.clone()), p.after.as_deref(), limit(p.limit)).await?;
    body["tag"] = json!({ "name": tag.name, "kind": tag.kind, "count": tag.count });
    Ok(Json(body))
}

/// `GET /api/v1/articles/{id}`.
pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<ArticleView>, ApiError> {
    let id = parse_id(&id, "article")?;
    let a = state.store.article(id).await?.ok_or_else(|| AppError::NotFound(format!("article {id}")))?;
    Ok(Json(ArticleView::new(&a, &state.clock)))
}

/// `GET /api/v1/stories`: the home page's top stories.
pub async fn stories(State(state): State<AppState>, Query(p): Query<PageParams>) -> Result<Json<Value>, ApiError> {
    let top = crate::pages::top_stories(&state, p.limit.unwrap_or(10).clamp(1, 50)).await.map_err(ApiError)?;
    let stories: Vec<Value> = top
        .iter()
        .map(|s| {
            json!({
                "id": s.story.id,
                "article_count": s.story.article_count,
                "outlet_count": s.story.outlet_count,
                "lead": ArticleView::new(&s.lead, &state.clock),
            })
        })
        .collect();
    Ok(Json(json!({ "stories": stories })))
}

/// `GET /api/v1/stories/{id}`: a story with every report of it.
pub async fn story(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id, "story")?;
    let Some(s) = state.store.story(id).await? else {
        // A story merged into another redirects to it.
        return match state.store.merged_story(id).await? {
            Some(into) => Ok(Redirect::permanent(&format!("/api/v1/stories/{into}")).into_response()),
            None => Err(AppError::NotFound(format!("story {id}")).into()),
        };
    };
    let articles =
        state.store.list_articles(&ArticleQuery { filter: ArticleFilter::Story(id), after: None, limit: 100 }).await?;
    let views: Vec<ArticleView> = articles.iter().map(|a| ArticleView::new(a, &state.clock)).collect();
    Ok(Json(json!({
        "id": s.id,
        "lead_article_id": s.lead_article_id,
        "article_count": s.article_count,
        "outlet_count": s.outlet_count,
        "articles": views,
    }))
    .into_response())
}

/// `GET /api/v1/search`.
pub async fn search(State(state): State<AppState>, Query(p): Query<SearchParams>) -> Result<Json<Value>, ApiError> {
    const PER_PAGE: usize = 20;
    let query = p.to_query(PER_PAGE).map_err(AppError::BadRequest)?;
    let results = crate::search::run(&state, query).await?;
    let page = p.page.unwrap_or(1).max(1);
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|(h, a)| {
            let snippet: Vec<Value> = h.snippet.iter().map(|(t, m)| json!({ "text": t, "match": m })).collect();
            json!({ "score": h.score, "snippet": snippet, "article": ArticleView::new(a, &state.clock) })
        })
        .collect();
    let next_page = (results.total > page * PER_PAGE).then_some(page + 1);
    Ok(Json(json!({ "total": results.total, "page": page, "next_page": next_page, "results": hits })))
}

#[derive(Deserialize)]
pub struct TagsParams {
    pub prefix: Option<String>,
    pub limit: Option<usize>,
}

/// `GET /api/v1/tags`: the most used tags, or those starting with `prefix`
/// (the "#" control's suggestions).
pub async fn tags(State(state): State<AppState>, Query(p): Query<TagsParams>) -> Result<Json<Value>, ApiError> {
    let n = p.limit.unwrap_or(30).clamp(1, 100);
    let tags = match p.prefix.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(prefix) => {
            let key = TagName::parse(prefix).map(|t| t.key()).unwrap_or_default();
            if key.is_empty() {
                Vec::new()
            } else {
                state.store.search_tags(&key, n).await?
            }
        }
        None => state.store.top_tags(None, n).await?,
    };
    Ok(Json(json!({ "tags": tags })))
}

/// `GET /api/v1/tags/trending`.
pub async fn trending(State(state): State<AppState>, Query(p): Query<TagsParams>) -> Result<Json<Value>, ApiError> {
    let tags = state.store.trending_tags(state.clock.now(), p.limit.unwrap_or(20).clamp(1, 100)).await?;
    Ok(Json(json!({ "tags": tags })))
}

/// `GET /api/v1/tags/{name}`: a tag with its related tags.
pub async fn tag(State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let name = TagName::parse(&name).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let tag = state.store.tag(&name).await?.ok_or_else(|| AppError::NotFound(format!("the tag #{name}")))?;
    let related = state.related_tags(&tag.name).await?;
    Ok(Json(json!({ "name": tag.name, "kind": tag.kind, "count": tag.count, "related": related.as_slice() })))
}

/// `GET /api/v1/sources`: every source with its health.
pub async fn sources(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let sources: Vec<Value> = state
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "slug": s.slug,
                "name": s.name,
                "home_url": s.home_url.map(|u| u.to_string()),
                "feed_url": s.feed_url.to_string(),
                "region": s.region,
                "lang": s.lang,
                "status": s.status,
                "last_error": s.last_error,
                "last_note": s.last_note,
                "last_fetched": s.last_fetched.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
        })
        .collect();
    Ok(Json(json!({ "sources": sources })))
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}
