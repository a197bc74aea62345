//! The article as pages and the API present it: one view model, so the tag
//! page and its JSON always agree.

use model::{Article, Clock};
use serde::Serialize;

/// An article for display.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub source: SourceRef,
    pub published: String,
    pub relative_time: String,
    pub categories: Vec<String>,
    pub tags: Vec<TagRef>,
    pub story: Option<i64>,
    pub excerpt: String,
    pub text: String,
    pub image: Option<String>,
    pub author: Option<String>,
    pub lang: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceRef {
    pub name: String,
    pub slug: String,
    pub url: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TagRef {
    pub name: String,
    pub kind: &'static str,
}

impl ArticleView {
    pub fn new(a: &Article, clock: &Clock) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            url: a.url.clone(),
            source: SourceRef {
                name: a.source.name.clone(),
                slug: a.source.slug.clone(),
                url: a.source.home_url.as_ref().map(ToString::to_string),
            },
            published: a.published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            relative_time: crate::i18n::relative(a.published, clock.now()),
            categories: a.category.iter().map(|c| c.label().to_string()).collect(),
            tags: a.tags.iter().map(|t| TagRef { name: t.name.to_string(), kind: t.kind.as_str() }).collect(),
            story: a.story_id,
            excerpt: a.excerpt.clone(),
            text: a.text.clone(),
            image: a.image_stored.then(|| format!("/image/{}", a.id)),
            author: a.author.clone(),
            lang: a.lang.clone(),
        }
    }
}

/// Encodes a keyset cursor for URLs: `<unix seconds>-<id>`.
pub fn encode_cursor(a: &Article) -> String {
    format!("{}-{}", a.published.timestamp(), a.id)
}

/// Decodes a cursor from a URL.
pub fn decode_cursor(s: &str) -> Option<store::Cursor> {
    let (ts, id) = s.split_once('-')?;
    let published = chrono::DateTime::from_timestamp(ts.parse().ok()?, 0)?;
    Some(store::Cursor { published, id: id.parse().ok()? })
}
