//! Feed parsing: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed bytes in,
//! a [`ParsedFeed`] out. No IO, never panics.
//!
//! Broken input is the norm on the web, so parsing recovers what it can and
//! says what was wrong: `bozo` is set (as in Python's feedparser, whose
//! semantics the fields follow) and `errors` lists the problems.

pub mod date;
mod encoding;
mod html;
mod json;
mod map;
pub mod opml;
pub mod xml;

use chrono::{DateTime, Utc};

/// Entries read from one document at most; the rest are reported and
/// skipped. A feed listing more is an archive, not a feed, and each entry
/// costs a few hundred bytes however little the document spent on it.
pub const MAX_ENTRIES: usize = 20_000;

/// Why bytes could not be read as a feed at all.
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
    /// The document exceeds a bound that protects the process (entity
    /// expansion, size); it is refused, not recovered.
    #[error("refused: {0}")]
    Limit(#[from] xml::LimitError),
}

/// What the fetcher knows about the document.
#[derive(Clone, Debug, Default)]
pub struct Context<'a> {
    /// The document's URL: the base for relative links.
    pub url: Option<&'a str>,
    /// The HTTP Content-Type, for the charset.
    pub content_type: Option<&'a str>,
    /// The HTTP Content-Location, which overrides the URL as base.
    pub content_location: Option<&'a str>,
}

/// A person: author or contributor.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Person {
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Home page.
    pub uri: Option<String>,
}

/// An attached file (podcast audio, image).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Enclosure {
    /// Where it is.
    pub url: String,
    /// MIME type.
    #[serde(rename = "type")]
    pub mime: Option<String>,
    /// Size in bytes, as given.
    pub length: Option<String>,
}

/// The feed's own description.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FeedMeta {
    /// Title, usually the publisher's name.
    pub title: Option<String>,
    /// The publisher's home page.
    pub link: Option<String>,
    /// Atom id.
    pub id: Option<String>,
    /// RSS description / Atom subtitle.
    pub subtitle: Option<String>,
    /// Last update.
    #[serde(serialize_with = "ser_date")]
    pub updated: Option<DateTime<Utc>>,
    /// Publication.
    #[serde(serialize_with = "ser_date")]
    pub published: Option<DateTime<Utc>>,
    /// First author.
    pub author: Option<Person>,
    /// Category terms.
    pub categories: Vec<String>,
    /// Declared language.
    pub language: Option<String>,
    /// Logo or image URL.
    pub image: Option<String>,
}

/// One item of a feed.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct FeedEntry {
    /// Headline.
    pub title: Option<String>,
    /// The article's URL.
    pub link: Option<String>,
    /// The feed's identifier (guid, id); absent when the feed has none.
    pub id: Option<String>,
    /// Publication time.
    #[serde(serialize_with = "ser_date")]
    pub published: Option<DateTime<Utc>>,
    /// Update time.
    #[serde(serialize_with = "ser_date")]
    pub updated: Option<DateTime<Utc>>,
    /// First author.
    pub author: Option<Person>,
    /// Summary (HTML or text).
    pub summary: Option<String>,
    /// Full content (HTML or text).
    pub content: Option<String>,
    /// Category terms.
    pub categories: Vec<String>,
    /// Attachments.
    pub enclosures: Vec<Enclosure>,
    /// Lead image.
    pub image: Option<String>,
}

impl FeedEntry {
    /// A stable key for de-duplication: the id, else the link, else the title.
    pub fn guid(&self) -> Option<String> {
        self.id.clone().or_else(|| self.link.clone()).or_else(|| self.title.clone()).filter(|g| !g.trim().is_empty())
    }

    /// Author name for display.
    pub fn author_name(&self) -> Option<String> {
        self.author.as_ref().and_then(|a| a.name.clone().or_else(|| a.email.clone()))
    }
}

/// A parsed feed.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ParsedFeed {
    /// The document was not well-formed (or not in its declared encoding);
    /// what could be recovered is still here.
    pub bozo: bool,
    /// What was wrong, when `bozo`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// rss20, rss10, atom10, atom03, json11, ...
    pub format: String,
    /// The feed's own fields.
    pub feed: FeedMeta,
    /// Entries in document order.
    pub entries: Vec<FeedEntry>,
}

fn ser_date<S: serde::Serializer>(d: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}

/// Parses a feed document. `base` resolves relative links.
pub fn parse(bytes: &[u8], base: Option<&str>) -> Result<ParsedFeed, FeedError> {
    parse_with(bytes, &Context { url: base, ..Context::default() })
}

/// Parses a feed document with what the fetcher knows about it.
pub fn parse_with(bytes: &[u8], ctx: &Context) -> Result<ParsedFeed, FeedError> {
    let first =
        bytes.iter().position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF | 0xFE | 0xFF | 0));
    let Some(first) = first else { return Err(FeedError::Empty) };
    if bytes[first] == b'{' || bytes[first] == b'[' {
        return json::parse(bytes, ctx);
    }
    let (text, mut errors) = encoding::decode(bytes, ctx.content_type);
    let head = text.trim_start().get(..512.min(text.trim_start().len())).unwrap_or("").to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(FeedError::Html);
    }
    let doc = xml::read(&text)?;
    errors.extend(doc.errors);
    // Content-Location may itself be relative to the document URL.
    // Only an http(s) Content-Location is a usable base (never javascript:).
    let location = ctx
        .content_location
        .map(|l| match ctx.url.and_then(|u| url::Url::parse(u).ok()) {
            Some(u) => u.join(l).map(String::from).unwrap_or_else(|_| l.to_string()),
            None => l.to_string(),
        })
        .filter(|l| l.starts_with("http://") || l.starts_with("https://"));
    let base = location.as_deref().or(ctx.url);
    let mut parsed = map::map(&doc.root, base).ok_or_else(|| {
        FeedError::Invalid(if errors.is_empty() { "no feed element found".into() } else { errors.join("; ") })
    })?;
    if parsed.entries.len() > MAX_ENTRIES {
        errors.push(format!("more than {MAX_ENTRIES} entries; the rest were not read"));
        parsed.entries.truncate(MAX_ENTRIES);
    }
    parsed.bozo = !errors.is_empty();
    parsed.errors = errors;
    Ok(parsed)
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
    fn a_truncated_feed_is_recovered_and_marked_bozo() {
        let f = parse(b"<rss><channel><item><title>x</title><link>https://e.com/a</link></item></channel></rs", None)
            .unwrap();
        assert!(f.bozo);
        assert_eq!(f.entries[0].title.as_deref(), Some("x"));
    }

    #[test]
    fn a_minimal_rss_item_is_read() {
        let xml = br#"<rss version="2.0"><channel><title>T</title><link>https://e.com/</link>
            <item><title>Hello</title><link>https://e.com/a</link><guid>g1</guid>
            <category>Business</category><pubDate>Sat, 28 Jun 2025 01:00:00 +0000</pubDate></item></channel></rss>"#;
        let f = parse(xml, None).unwrap();
        assert!(!f.bozo, "{:?}", f.errors);
        assert_eq!(f.feed.title.as_deref(), Some("T"));
        let e = &f.entries[0];
        assert_eq!(e.id.as_deref(), Some("g1"));
        assert_eq!(e.link.as_deref(), Some("https://e.com/a"));
        assert_eq!(e.categories, vec!["Business"]);
        assert_eq!(e.published.unwrap().to_rfc3339(), "2025-06-28T01:00:00+00:00");
    }
}
