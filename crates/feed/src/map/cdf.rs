//! Microsoft CDF channels and items.

use super::*;

pub(crate) fn cdf_channel(ch: &Element, base: Option<&str>) -> FeedMeta {
    let mut f = FeedMeta { link: ch.attr("href").map(|h| resolve(h, base)), ..FeedMeta::default() };
    f.updated = ch.attr("lastmod").and_then(date::parse);
    for c in ch.elements() {
        match c.local.to_ascii_lowercase().as_str() {
            "title" => f.title = text(c),
            "abstract" => f.subtitle = text(c),
            _ => {}
        }
    }
    f
}

pub(crate) fn cdf_item(item: &Element, base: Option<&str>) -> FeedEntry {
    let mut e = FeedEntry { link: item.attr("href").map(|h| resolve(h, base)), ..FeedEntry::default() };
    e.updated = item.attr("lastmod").and_then(date::parse);
    for c in item.elements() {
        match c.local.to_ascii_lowercase().as_str() {
            "title" => e.title = text(c),
            "abstract" => e.summary = text(c),
            _ => {}
        }
    }
    e
}
