//! Feeds out: every list page as Atom 1.0, RSS 2.0 and JSON Feed 1.1.

use crate::view::ArticleView;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The three formats, by the last path segment that asks for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `feed.atom`
    Atom,
    /// `feed.rss`
    Rss,
    /// `feed.json`
    Json,
}

impl Format {
    /// Parses `feed.atom`, `feed.rss` or `feed.json`.
    pub fn from_segment(s: &str) -> Option<Self> {
        match s {
            "feed.atom" => Some(Format::Atom),
            "feed.rss" => Some(Format::Rss),
            "feed.json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The media type announced in `<link rel="alternate">`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
            Format::Json => "application/feed+json",
        }
    }

    /// The path segment.
    pub fn segment(self) -> &'static str {
        match self {
            Format::Atom => "feed.atom",
            Format::Rss => "feed.rss",
            Format::Json => "feed.json",
        }
    }

    /// A short name for link titles.
    pub fn label(self) -> &'static str {
        match self {
            Format::Atom => "Atom",
            Format::Rss => "RSS",
            Format::Json => "JSON Feed",
        }
    }

    /// All formats, in the order pages announce them.
    pub const ALL: [Format; 3] = [Format::Atom, Format::Rss, Format::Json];
}

/// What a feed is about.
pub struct FeedInfo<'a> {
    /// Feed title.
    pub title: &'a str,
    /// Absolute URL of the HTML page.
    pub page_url: &'a str,
    /// Absolute URL of this feed.
    pub feed_url: &'a str,
    /// The site's base URL, without a trailing slash.
    pub base: &'a str,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Renders a list as a feed response.
pub fn render(format: Format, info: &FeedInfo, items: &[ArticleView]) -> Response {
    let body = match format {
        Format::Atom => atom(info, items),
        Format::Rss => rss(info, items),
        Format::Json => json(info, items),
    };
    let mime = match format {
        Format::Json => "application/feed+json; charset=utf-8".to_string(),
        f => format!("{}; charset=utf-8", f.mime()),
    };
    ([(header::CONTENT_TYPE, mime)], body).into_response()
}

fn article_url(info: &FeedInfo, v: &ArticleView) -> String {
    format!("{}/article/{}", info.base, v.id)
}

fn atom(info: &FeedInfo, items: &[ArticleView]) -> String {
    let updated = items.iter().map(|v| v.published.as_str()).max().unwrap_or("1970-01-01T00:00:00Z");
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out += &format!(
        "<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{}</updated>\n<generator>Tagline</generator>\n",
        esc(info.title),
        esc(info.feed_url),
        esc(info.feed_url),
        esc(info.page_url),
        updated
    );
    for v in items {
        out += "<entry>\n";
        out += &format!("<title>{}</title>\n", esc(&v.title));
        out += &format!("<id>{}</id>\n", esc(&article_url(info, v)));
        let original = v.url.clone().unwrap_or_else(|| article_url(info, v));
        out += &format!("<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", esc(&original));
        out += &format!("<link rel=\"related\" type=\"text/html\" href=\"{}\"/>\n", esc(&article_url(info, v)));
        out += &format!("<published>{}</published>\n<updated>{}</updated>\n", v.published, v.published);
        out += &format!(
            "<author><name>{}</name></author>\n",
            esc(v.author.as_deref().filter(|a| !a.trim().is_empty()).unwrap_or(&v.source.name))
        );
        for c in &v.categories {
            out += &format!("<category term=\"{}\"/>\n", esc(c));
        }
        for t in &v.tags {
            out += &format!("<category term=\"{}\" label=\"#{}\"/>\n", esc(&t.name), esc(&t.name));
        }
        out += &format!("<summary type=\"text\">{}</summary>\n", esc(&v.excerpt));
        out += "</entry>\n";
    }
    out += "</feed>\n";
    out
}

fn rss(info: &FeedInfo, items: &[ArticleView]) -> String {
    let date =
        |s: &str| chrono::DateTime::parse_from_rfc3339(s).map(|d| d.to_rfc2822()).unwrap_or_else(|_| s.to_string());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    out += &format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>\n<generator>Tagline</generator>\n",
        esc(info.title),
        esc(info.page_url),
        esc(info.title),
        esc(info.feed_url)
    );
    if let Some(first) = items.first() {
        out += &format!("<lastBuildDate>{}</lastBuildDate>\n", date(&first.published));
    }
    for v in items {
        out += "<item>\n";
        let original = v.url.clone().unwrap_or_else(|| article_url(info, v));
        out += &format!("<title>{}</title>\n<link>{}</link>\n", esc(&v.title), esc(&original));
        out += &format!("<guid isPermaLink=\"true\">{}</guid>\n", esc(&article_url(info, v)));
        out += &format!("<pubDate>{}</pubDate>\n", date(&v.published));
        out += &format!("<description>{}</description>\n", esc(&v.excerpt));
        for c in v.categories.iter().chain(v.tags.iter().map(|t| &t.name)) {
            out += &format!("<category>{}</category>\n", esc(c));
        }
        out += &format!("<source url=\"{}\">{}</source>\n", esc(info.feed_url), esc(&v.source.name));
        out += "</item>\n";
    }
    out += "</channel>\n</rss>\n";
    out
}

fn json(info: &FeedInfo, items: &[ArticleView]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|v| {
            let mut item = serde_json::json!({
                "id": article_url(info, v),
                "url": article_url(info, v),
                "external_url": v.url,
                "title": v.title,
                "summary": v.excerpt,
                "content_text": v.excerpt,
                "date_published": v.published,
                "authors": [{ "name": v.author.as_deref().unwrap_or(&v.source.name) }],
                "tags": v.categories.iter().cloned().chain(v.tags.iter().map(|t| t.name.clone())).collect::<Vec<_>>(),
            });
            if let Some(img) = &v.image {
                item["image"] = serde_json::Value::String(format!("{}{img}", info.base));
            }
            item
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.page_url,
        "feed_url": info.feed_url,
        "items": items,
    })
    .to_string()
}
