//! From an element tree to feed fields, following feedparser's semantics.

mod atom;
mod cdf;
mod rss;

use crate::xml::{ns, Element};
use atom::*;
use cdf::*;
use rss::*;

use crate::{date, Enclosure, FeedEntry, FeedMeta, ParsedFeed, Person};

/// Entries built at most: one past the limit, so that the caller can tell
/// that some were left.
const ENTRIES_READ: usize = crate::MAX_ENTRIES + 1;

/// The base URI in effect for an element: its xml:base resolved against the
/// parent's base.
fn base_of(e: &Element, parent: Option<&str>) -> Option<String> {
    let own = e.attrs.iter().find(|(k, _)| k == "xml:base").map(|(_, v)| v.trim());
    match (own, parent) {
        (Some(b), Some(p)) => url::Url::parse(p).and_then(|p| p.join(b)).map(String::from).ok().or(Some(b.to_string())),
        (Some(b), None) => Some(b.to_string()),
        (None, p) => p.map(str::to_string),
    }
}

fn resolve(href: &str, base: Option<&str>) -> String {
    let href = href.trim();
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(b) => crate::html::resolve(href, &b),
        None => href.to_string(),
    }
}

fn trimmed(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Text of a simple element, trimmed.
fn text(e: &Element) -> Option<String> {
    trimmed(e.text())
}

/// The value of a text construct: for markup, the HTML; for Atom 0.3
/// `mode="base64"`, the decoded bytes.
fn content_value(e: &Element, base: Option<&str>) -> Option<String> {
    let (v, markup) = content_raw(e)?;
    Some(if markup { normalize_html(&v, base) } else { v })
}

/// An HTML value written as feedparser writes it, with URIs made absolute.
fn normalize_html(html: &str, base: Option<&str>) -> String {
    let base = base.and_then(|b| url::Url::parse(b).ok());
    crate::html::normalize(html, base.as_ref())
}

/// The value of a text construct and whether it is markup.
fn content_raw(e: &Element) -> Option<(String, bool)> {
    let ty = e.attr("type").unwrap_or("").trim().to_ascii_lowercase();
    let mode = e.attr("mode").unwrap_or("").to_ascii_lowercase();
    // Atom 1.0: a MIME type that is neither text nor XML means base64.
    let binary_mime = ty.contains('/') && !ty.starts_with("text/") && !ty.ends_with("+xml") && !ty.ends_with("/xml");
    if mode == "base64" || (binary_mime && mode.is_empty() && e.elements().next().is_none()) {
        let raw: String = e.text().chars().filter(|c| !c.is_whitespace()).collect();
        return base64_decode(&raw).and_then(|b| String::from_utf8(b).ok()).and_then(trimmed).map(|v| {
            let markup = v.contains('<');
            (v, markup)
        });
    }
    let has_elements = e.elements().next().is_some();
    let div = || e.elements().find(|c| c.local.eq_ignore_ascii_case("div"));
    // Atom 1.0 (not 0.3): the children of the wrapper <div>.
    if ty == "xhtml" || (ty == "application/xhtml+xml" && e.ns == ns::ATOM10) {
        return match div() {
            Some(div) => trimmed(div.inner_xml()),
            None => trimmed(e.inner_xml()),
        }
        .map(|v| (v, true));
    }
    let declared_html = ty == "html" || ty == "text/html" || mode == "escaped";
    if declared_html && has_elements {
        // Escaped HTML inside an XHTML wrapper <div> (TypePad): the div's
        // text is the HTML.
        if let Some(d) = div().filter(|d| d.elements().next().is_none() && e.elements().count() == 1) {
            return trimmed(d.text()).map(|v| (v, true));
        }
    }
    if has_elements || mode == "xml" {
        return trimmed(e.inner_xml()).map(|v| (v, true));
    }
    let value = text(e)?;
    // An RSS description is HTML (feedparser reads it as text/html).
    let rss_description = e.local == "description" && e.ns != ns::ATOM10 && e.ns != ns::ATOM03;
    let is_html = declared_html || (ty.is_empty() && (rss_description || looks_like_html(&value)));
    Some((value, is_html))
}

fn looks_like_html(s: &str) -> bool {
    ["<br", "<p>", "<p ", "<b>", "<i>", "<a ", "<div", "<img", "<strong", "<em>", "</"].iter().any(|t| s.contains(t))
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|b| *b != b'=') {
        let v = T.iter().position(|t| *t == c)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// Splits "email (Name)" and "Name (email)" and "Name <email>".
fn person_from_string(s: &str) -> Option<Person> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let email_like = |t: &str| t.contains('@') && !t.contains(' ');
    if let (Some(open), true) = (s.find('('), s.ends_with(')')) {
        let outside = s[..open].trim();
        let inside = s[open + 1..s.len() - 1].trim();
        if email_like(outside) {
            return Some(Person { name: trimmed(inside.into()), email: Some(outside.to_string()), uri: None });
        }
        if email_like(inside) {
            return Some(Person { name: trimmed(outside.into()), email: Some(inside.to_string()), uri: None });
        }
    }
    if let (Some(open), true) = (s.find('<'), s.ends_with('>')) {
        let inside = s[open + 1..s.len() - 1].trim();
        if email_like(inside) {
            return Some(Person { name: trimmed(s[..open].into()), email: Some(inside.to_string()), uri: None });
        }
    }
    if email_like(s) {
        return Some(Person { name: None, email: Some(s.to_string()), uri: None });
    }
    Some(Person { name: Some(s.to_string()), email: None, uri: None })
}

/// An enclosure at `url`, with the element's `type` and `length`.
fn enclosure(c: &Element, url: String) -> Enclosure {
    Enclosure { url, mime: c.attr("type").map(str::to_string), length: c.attr("length").map(str::to_string) }
}

/// Maps a document's root element to a feed, or `None` if it is not one.
pub fn map(root: &Element, doc_url: Option<&str>) -> Option<ParsedFeed> {
    // A synthetic root (several top-level elements): look inside.
    let root = if root.local.is_empty() { root.elements().find(|e| !e.local.is_empty())? } else { root };
    let base = base_of(root, doc_url);
    let local = root.local.to_ascii_lowercase();
    let mut out = ParsedFeed::default();
    match local.as_str() {
        "rss" => {
            out.format = match root.attr("version").map(str::trim) {
                Some("2.0") => "rss20",
                Some("0.91") => "rss091",
                Some("0.92") => "rss092",
                Some("0.93") => "rss093",
                _ => "rss",
            }
            .into();
            let channel = root.elements().find(|e| e.local.eq_ignore_ascii_case("channel"));
            match channel {
                Some(ch) => {
                    let cbase = base_of(ch, base.as_deref());
                    out.feed = rss_channel(ch, cbase.as_deref());
                    // Items usually sit in the channel; some feeds put them beside it.
                    let items = ch.elements().chain(root.elements()).filter(|e| e.local.eq_ignore_ascii_case("item"));
                    out.entries = items.take(ENTRIES_READ).map(|i| rss_item(i, cbase.as_deref())).collect();
                }
                None => {
                    out.entries = root
                        .elements()
                        .filter(|e| e.local.eq_ignore_ascii_case("item"))
                        .take(ENTRIES_READ)
                        .map(|i| rss_item(i, base.as_deref()))
                        .collect();
                }
            }
        }
        "rdf" => {
            out.format = if root.elements().any(|e| e.ns == ns::RSS090) { "rss090" } else { "rss10" }.into();
            if let Some(ch) = root.elements().find(|e| e.local.eq_ignore_ascii_case("channel")) {
                out.feed = rss_channel(ch, base.as_deref());
            }
            let items = root.elements().filter(|e| e.local.eq_ignore_ascii_case("item"));
            let nested = root
                .elements()
                .filter(|e| e.local.eq_ignore_ascii_case("channel"))
                .flat_map(|c| c.elements().filter(|e| e.local.eq_ignore_ascii_case("item")));
            out.entries = items.chain(nested).take(ENTRIES_READ).map(|i| rss_item(i, base.as_deref())).collect();
        }
        "feed" => {
            out.format = match root.ns.as_str() {
                ns::ATOM10 => "atom10",
                ns::ATOM03 => "atom03",
                _ => "atom",
            }
            .into();
            out.feed = atom_feed(root, base.as_deref());
            out.entries = root
                .elements()
                .filter(|e| e.local.eq_ignore_ascii_case("entry"))
                .take(ENTRIES_READ)
                .map(|e| atom_entry(e, base.as_deref()))
                .collect();
        }
        "entry" => {
            out.format = "atom10-entry".into();
            out.entries = vec![atom_entry(root, base.as_deref())];
        }
        "channel" => {
            // CDF, or RSS without its <rss> wrapper.
            out.format = if root.attr("href").is_some() { "cdf" } else { "rss" }.into();
            out.feed = if out.format == "cdf" {
                cdf_channel(root, base.as_deref())
            } else {
                rss_channel(root, base.as_deref())
            };
            out.entries = root
                .elements()
                .filter(|e| e.local.eq_ignore_ascii_case("item"))
                .take(ENTRIES_READ)
                .map(|i| if out.format == "cdf" { cdf_item(i, base.as_deref()) } else { rss_item(i, base.as_deref()) })
                .collect();
        }
        _ => return None,
    }
    // As feedparser: an entry with content but no summary has its content
    // as summary too.
    for e in &mut out.entries {
        if e.summary.is_none() {
            e.summary = e.content.clone();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::normalize_html;

    #[test]
    fn relative_links_in_html_become_absolute() {
        let out = normalize_html(r#"<a href="/x">a</a> <img src='y.png'>"#, Some("http://e.com/dir/feed.xml"));
        assert_eq!(out, r#"<a href="http://e.com/x">a</a> <img src="http://e.com/dir/y.png" />"#);
    }
}
