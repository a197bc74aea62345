//! The article as pages and the API present it: one view model, so the tag
//! page and its JSON always agree.

use model::{Article, Clock};
use serde::Serialize;

/// An article for display.
#[derive(Clone, Debug, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub title: String,
    /// The original article: an absolute http(s) URL, or `None` when the
    /// stored one is not (never rendered as a link).
    pub url: Option<String>,
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
            url: model::WebUrl::is_valid(&a.url).then(|| a.url.clone()),
            source: SourceRef {
                name: a.source.name.clone(),
                slug: a.source.slug.clone(),
                url: a.source.home_url.as_ref().map(ToString::to_string).filter(|u| model::WebUrl::is_valid(u)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_14_a_stored_script_url_is_never_rendered_as_a_link() {
        let source = model::Source::new(1, "s", "S", model::FeedUrl::parse("https://e.com/feed").unwrap());
        let at = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
        let mut a = Article {
            id: 7,
            source,
            url: "javascript:alert(1)".into(),
            guid: "g".into(),
            title: "T".into(),
            author: None,
            published: at,
            updated: None,
            lang: None,
            category: None,
            tags: vec![],
            text: String::new(),
            html: String::new(),
            excerpt: String::new(),
            image: None,
            image_stored: false,
            story_id: None,
        };
        assert_eq!(ArticleView::new(&a, &Clock::Fixed(at)).url, None);
        a.url = "https://e.com/a".into();
        assert_eq!(ArticleView::new(&a, &Clock::Fixed(at)).url.as_deref(), Some("https://e.com/a"));
    }
}
