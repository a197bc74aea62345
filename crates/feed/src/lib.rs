//! Feed parsing: RSS, Atom and JSON Feed bytes in, a [`ParsedFeed`] out. No IO.
//!
//! The parser behind this API is feed-rs for now; the API is Tagline's own so
//! that a recovering parser can replace it without touching the crawler.

use chrono::{DateTime, Utc};

/// Why bytes could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The document is empty or only whitespace.
    #[error("the document is empty")]
    Empty,
    /// The document is HTML, not a feed (a common mistake when adding a site URL).
    #[error("this is an HTML page, not a feed")]
    Html,
    /// The document is not RSS, Atom or JSON Feed, or is too broken to read.
    #[error("not a readable RSS, Atom or JSON feed: {0}")]
    Invalid(String),
}

/// The feed's own description and its entries.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ParsedFeed {
    /// Feed title, usually the publisher's name.
    pub title: Option<String>,
    /// The publisher's home page.
    pub home_url: Option<String>,
    /// Declared language.
    pub language: Option<String>,
    /// Entries in document order.
    pub entries: Vec<FeedEntry>,
}

/// One item of a feed.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FeedEntry {
    /// The feed's identifier for the item (guid, id); never empty.
    pub guid: String,
    /// The article's URL.
    pub url: Option<String>,
    /// Headline, as plain text.
    pub title: Option<String>,
    /// Summary, as HTML or text.
    pub summary: Option<String>,
    /// Full content, as HTML, when the feed carries it.
    pub content_html: Option<String>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Update time.
    pub updated: Option<DateTime<Utc>>,
    /// Author names.
    pub authors: Vec<String>,
    /// Categories and tags as the feed labels them.
    pub categories: Vec<String>,
    /// Lead image.
    pub image: Option<String>,
}

/// Parses a feed document. `base` resolves relative links.
pub fn parse(bytes: &[u8], base: Option<&str>) -> Result<ParsedFeed, FeedError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        .ok_or(FeedError::Empty)?;
    let head = String::from_utf8_lossy(&bytes[start..bytes.len().min(start + 512)]).to_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(FeedError::Html);
    }
    let parser = feed_rs::parser::Builder::new().base_uri(base).build();
    let feed = parser.parse(bytes).map_err(|e| FeedError::Invalid(e.to_string()))?;
    let home_url =
        feed.links.iter().find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate")).map(|l| l.href.clone());
    let entries = feed.entries.into_iter().map(convert_entry).collect();
    Ok(ParsedFeed {
        title: feed.title.map(|t| t.content.trim().to_string()),
        home_url,
        language: feed.language,
        entries,
    })
}

fn convert_entry(e: feed_rs::model::Entry) -> FeedEntry {
    let url = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.first())
        .map(|l| l.href.clone());
    let image = e.media.iter().find_map(|m| {
        m.content
            .iter()
            .find_map(|c| c.url.as_ref().map(|u| u.to_string()))
            .or_else(|| m.thumbnails.first().map(|t| t.image.uri.clone()))
    });
    let guid = if e.id.trim().is_empty() { url.clone().unwrap_or_default() } else { e.id.clone() };
    FeedEntry {
        guid,
        url,
        title: e.title.map(|t| t.content.trim().to_string()),
        summary: e.summary.map(|t| t.content),
        content_html: e.content.and_then(|c| c.body),
        published: e.published.or(e.updated),
        updated: e.updated,
        authors: e.authors.into_iter().map(|p| p.name).filter(|n| !n.trim().is_empty()).collect(),
        categories: e
            .categories
            .into_iter()
            .map(|c| c.label.unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_page_is_reported_as_html() {
        assert!(matches!(parse(b"<!DOCTYPE html><html></html>", None), Err(FeedError::Html)));
    }

    #[test]
    fn an_empty_body_is_reported_as_empty() {
        assert!(matches!(parse(b"  \n", None), Err(FeedError::Empty)));
    }

    #[test]
    fn malformed_xml_is_an_error_not_a_panic() {
        assert!(parse(b"<rss><channel><item><title>x</ti", None).is_err());
    }

    #[test]
    fn a_minimal_rss_item_is_read() {
        let xml = br#"<rss version="2.0"><channel><title>T</title><link>https://e.com/</link>
            <item><title>Hello</title><link>https://e.com/a</link><guid>g1</guid>
            <category>Business</category><pubDate>Sat, 28 Jun 2025 01:00:00 +0000</pubDate></item></channel></rss>"#;
        let f = parse(xml, None).unwrap();
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.entries.len(), 1);
        let e = &f.entries[0];
        assert_eq!(e.guid, "g1");
        assert_eq!(e.url.as_deref(), Some("https://e.com/a"));
        assert_eq!(e.categories, vec!["Business"]);
        assert_eq!(e.published.unwrap().to_rfc3339(), "2025-06-28T01:00:00+00:00");
    }
}
