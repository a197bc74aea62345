//! JSON API v1.

use crate::error::{ApiError, AppError};
use crate::view::{decode_cursor, encode_cursor, ArticleView};
use crate::{AppState, PAGE_SIZE};
use axum::extract::{Path, Query, State};
use axum::Json;
use model::TagName;
use serde::Deserialize;
use store::{ArticleFilter, ArticleQuery};

#[derive(Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
    pub limit: Option<usize>,
}

pub async fn tag_articles(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let name = TagName::parse(&name).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let tag = state.store.tag(&name).await?.ok_or_else(|| AppError::NotFound(format!("the tag #{name}")))?;
    let after = match p.after.as_deref() {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?),
        None => None,
    };
    let limit = p.limit.unwrap_or(PAGE_SIZE).clamp(1, 100);
    let articles =
        state.store.list_articles(&ArticleQuery { filter: ArticleFilter::Tag(tag.name.clone()), after, limit }).await?;
    let next = (articles.len() == limit).then(|| articles.last().map(encode_cursor)).flatten();
    let views: Vec<ArticleView> = articles.iter().map(|a| ArticleView::new(a, &state.clock)).collect();
    Ok(Json(serde_json::json!({
        "tag": { "name": tag.name, "kind": tag.kind, "count": tag.count },
        "articles": views,
        "next_cursor": next,
    })))
}

pub async fn article(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<ArticleView>, ApiError> {
    let a = state.store.article(id).await?.ok_or_else(|| AppError::NotFound(format!("article {id}")))?;
    Ok(Json(ArticleView::new(&a, &state.clock)))
}
