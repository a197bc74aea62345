//! Search: the parameters the search page and API share, and running a
//! search against this node's index and the store.

use chrono::{DateTime, NaiveDate, Utc};
use index::SearchQuery;
use serde::Deserialize;

/// Matches of one search, best first, each with its stored article.
#[derive(Default)]
pub struct Found {
    /// Matching articles in all.
    pub total: usize,
    /// This page: the index's hit and the article (hits whose article has
    /// gone from the store are left out).
    pub hits: Vec<(index::Hit, model::Article)>,
}

/// Runs a search on a blocking thread (tantivy does IO) and fetches the
/// hits from the store: what the search page, its feeds and the API share.
pub async fn run(state: &crate::AppState, query: SearchQuery) -> Result<Found, crate::AppError> {
    let idx = state.search.clone();
    let results = tokio::task::spawn_blocking(move || idx.search(&query))
        .await
        .map_err(|e| crate::AppError::Internal(e.to_string()))?
        .map_err(|e| crate::AppError::Internal(e.to_string()))?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let mut articles: std::collections::HashMap<i64, model::Article> =
        state.store.articles_by_ids(&ids).await?.into_iter().map(|a| (a.id, a)).collect();
    let hits = results
        .hits
        .into_iter()
        .filter_map(|h| {
            let a = articles.remove(&h.id)?;
            Some((h, a))
        })
        .collect();
    Ok(Found { total: results.total, hits })
}

/// The search form's fields, shared by `/search` and `/api/v1/search`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SearchParams {
    /// The words.
    #[serde(default)]
    pub q: String,
    /// A tag name.
    pub tag: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// A source slug.
    pub source: Option<String>,
    /// An edition (region code).
    pub edition: Option<String>,
    /// Published on or after this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Published on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Result page, from 1.
    pub page: Option<usize>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn day(s: &Option<String>, end: bool) -> Result<Option<DateTime<Utc>>, String> {
    let Some(s) = nonempty(s) else { return Ok(None) };
    let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date like 2025-06-18"))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
}

impl SearchParams {
    /// The index query for result page `page` of `per_page`.
    pub fn to_query(&self, per_page: usize) -> Result<SearchQuery, String> {
        let page = self.page.unwrap_or(1).clamp(1, 50);
        Ok(SearchQuery {
            q: self.q.chars().take(500).collect(),
            tag: nonempty(&self.tag).map(|t| model::TagName::parse(&t).map(|n| n.key()).unwrap_or(t)),
            category: nonempty(&self.category),
            source: nonempty(&self.source),
            region: nonempty(&self.edition),
            from: day(&self.from, false)?,
            to: day(&self.to, true)?,
            offset: (page - 1) * per_page,
            limit: per_page,
        })
    }

    /// Whether any filter is set (the page shows them open).
    pub fn has_filters(&self) -> bool {
        [&self.tag, &self.category, &self.source, &self.edition, &self.from, &self.to]
            .iter()
            .any(|f| nonempty(f).is_some())
    }

    /// The query string for another page of the same search.
    pub fn query_string(&self, page: usize) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", &self.q);
        for (k, v) in [
            ("tag", &self.tag),
            ("category", &self.category),
            ("source", &self.source),
            ("edition", &self.edition),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = nonempty(v) {
                s.append_pair(k, &v);
            }
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        s.finish()
    }
}
