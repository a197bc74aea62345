//! JSON Feed 1.0 and 1.1.

use crate::{date, Context, Enclosure, FeedEntry, FeedError, FeedMeta, ParsedFeed, Person};
use serde_json::Value;

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
}

fn person(v: &Value) -> Option<Person> {
    let a = v.get("authors").and_then(|a| a.as_array()).and_then(|a| a.first()).or_else(|| v.get("author"))?;
    let p = Person { name: s(a, "name"), email: None, uri: s(a, "url") };
    (p.name.is_some() || p.uri.is_some()).then_some(p)
}

fn resolve(u: String, base: Option<&str>) -> String {
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(b) => b.join(&u).map(String::from).unwrap_or(u),
        None => u,
    }
}

/// Parses a JSON Feed. Truncated or invalid JSON is an error unless the
/// document is at least recognisably a JSON Feed, in which case the parse
/// is marked bozo with nothing recovered.
pub fn parse(bytes: &[u8], ctx: &Context) -> Result<ParsedFeed, FeedError> {
    let base = ctx.content_location.or(ctx.url);
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            if text.contains("jsonfeed.org/version") {
                return Ok(ParsedFeed {
                    bozo: true,
                    errors: vec![format!("invalid JSON: {e}")],
                    format: "json-unknown".into(),
                    ..Default::default()
                });
            }
            return Err(FeedError::Invalid(format!("invalid JSON: {e}")));
        }
    };
    let version = s(&v, "version").unwrap_or_default();
    if !version.contains("jsonfeed.org") && v.get("items").is_none() {
        return Err(FeedError::Invalid("JSON without a JSON Feed version or items".into()));
    }
    let format = if version.ends_with("/1.1") {
        "json11"
    } else if version.ends_with("/1") || version.ends_with("/1.0") {
        "json1"
    } else {
        "json-unknown"
    };
    let feed = FeedMeta {
        title: s(&v, "title"),
        link: s(&v, "home_page_url").map(|u| resolve(u, base)),
        id: s(&v, "feed_url"),
        subtitle: s(&v, "description"),
        author: person(&v),
        language: s(&v, "language"),
        image: s(&v, "icon").or_else(|| s(&v, "favicon")).map(|u| resolve(u, base)),
        ..FeedMeta::default()
    };
    let entries = v
        .get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| FeedEntry {
                    title: s(i, "title"),
                    link: s(i, "url").or_else(|| s(i, "external_url")).map(|u| resolve(u, base)),
                    id: i.get("id").and_then(|id| match id {
                        Value::String(x) => Some(x.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    }),
                    published: s(i, "date_published").and_then(|d| date::parse(&d)),
                    updated: s(i, "date_modified").and_then(|d| date::parse(&d)),
                    author: person(i),
                    summary: s(i, "summary"),
                    content: s(i, "content_html").or_else(|| s(i, "content_text")),
                    categories: i
                        .get("tags")
                        .and_then(Value::as_array)
                        .map(|t| t.iter().filter_map(Value::as_str).map(str::to_string).collect())
                        .unwrap_or_default(),
                    enclosures: i
                        .get("attachments")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| {
                                    Some(Enclosure {
                                        url: resolve(s(x, "url")?, base),
                                        mime: s(x, "mime_type"),
                                        length: x
                                            .get("size_in_bytes")
                                            .map(|n| n.to_string().trim_matches('"').to_string()),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    image: s(i, "image").or_else(|| s(i, "banner_image")).map(|u| resolve(u, base)),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ParsedFeed { bozo: false, errors: Vec::new(), format: format.into(), feed, entries })
}
