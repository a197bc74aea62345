//! RSS 0.9x/2.0 (and RSS 1.0 items): channel and item fields, iTunes extensions.

use super::*;

/// An RSS element: in no namespace, an RSS namespace, or the namespace of
/// its parent (feeds declare odd default namespaces; an extension module's
/// element with an RSS-like name stays an extension).
pub(crate) fn is_rss_in(e: &Element, parent: &Element) -> bool {
    e.ns.is_empty() || e.ns == parent.ns || [ns::RSS10, ns::RSS090].contains(&e.ns.as_str())
}

/// `itunes:category text="..."`, with nested subcategories after it.
pub(crate) fn itunes_categories(c: &Element, out: &mut Vec<String>) {
    if let Some(t) = c.attr("text").map(str::trim).filter(|t| !t.is_empty()) {
        out.push(t.to_string());
    }
    for sub in c.elements() {
        itunes_categories(sub, out);
    }
}

/// `itunes:keywords`: comma-separated, duplicates dropped.
pub(crate) fn itunes_keywords(c: &Element, out: &mut Vec<String>) {
    for k in c.text().split(',').map(str::trim).filter(|k| !k.is_empty()) {
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
}

pub(crate) fn rss_channel(ch: &Element, base: Option<&str>) -> FeedMeta {
    let mut f = FeedMeta { updated: ch.attr("lastmod").and_then(date::parse), ..FeedMeta::default() };
    for c in ch.elements() {
        let l = c.local.to_ascii_lowercase();
        if is_rss_in(c, ch) {
            match l.as_str() {
                "title" => f.title = f.title.take().or_else(|| content_value(c, base)),
                "link" => f.link = f.link.take().or_else(|| text(c).map(|u| resolve(&u, base))),
                "description" | "abstract" => {
                    f.subtitle = f.subtitle.take().or_else(|| content_value(c, base).or(Some(String::new())))
                }
                "pubdate" => f.published = f.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "lastbuilddate" => f.updated = f.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "managingeditor" | "webmaster" | "author" => {
                    f.author = f.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a)))
                }
                "category" => f.categories.extend(text(c)),
                "language" => f.language = text(c),
                "image" => {
                    f.image = c
                        .elements()
                        .find(|u| u.local.eq_ignore_ascii_case("url"))
                        .and_then(text)
                        .map(|u| resolve(&u, base))
                }
                _ => {}
            }
        } else if c.ns == ns::DC || c.ns == ns::DCTERMS {
            match l.as_str() {
                "title" => f.title = f.title.take().or_else(|| text(c)),
                "description" => f.subtitle = f.subtitle.take().or_else(|| text(c)),
                "date" | "modified" => f.updated = f.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "issued" => f.published = f.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "creator" | "author" | "publisher" => {
                    f.author = f.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a)))
                }
                "subject" => f.categories.extend(text(c)),
                "language" => f.language = f.language.take().or_else(|| text(c)),
                _ => {}
            }
        } else if is_atom(c) {
            match l.as_str() {
                "link" if c.attr("rel").is_none_or(|r| r == "alternate") => {
                    f.link = f.link.take().or_else(|| c.attr("href").map(|h| resolve(h, base)))
                }
                "id" => f.id = text(c),
                _ => {}
            }
        } else if c.ns == ns::ITUNES {
            match l.as_str() {
                "author" => f.author = f.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a))),
                "category" => itunes_categories(c, &mut f.categories),
                "keywords" => itunes_keywords(c, &mut f.categories),
                "subtitle" => f.subtitle = f.subtitle.take().or_else(|| text(c)),
                _ => {}
            }
        }
    }
    f
}

pub(crate) fn rss_item(item: &Element, base: Option<&str>) -> FeedEntry {
    let base = base_of(item, base);
    let base = base.as_deref();
    let mut e = FeedEntry::default();
    let mut guid_link: Option<String> = None;
    // media:title counts only when the item has no title of its own.
    let mut media_title: Option<String> = None;
    for c in item.elements() {
        let l = c.local.to_ascii_lowercase();
        let cbase = base_of(c, base);
        let cbase = cbase.as_deref();
        if is_rss_in(c, item) {
            match l.as_str() {
                "title" => e.title = e.title.take().or_else(|| content_value(c, cbase)),
                "link" => e.link = e.link.take().or_else(|| text(c).map(|u| resolve(&u, cbase))),
                "guid" if e.id.is_none() => {
                    e.id = text(c);
                    let permalink = c.attr("isPermaLink").is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"));
                    if permalink {
                        guid_link = e.id.as_deref().map(|g| resolve(g, cbase));
                    }
                }
                "description" | "abstract" => e.summary = e.summary.take().or_else(|| content_value(c, cbase)),
                // feedparser: a <summary> beside <description> is the content.
                "summary" if e.summary.is_some() => e.content = e.content.take().or_else(|| content_value(c, cbase)),
                "summary" => e.summary = content_value(c, cbase),
                "body" | "fullitem" => e.content = e.content.take().or_else(|| content_value(c, cbase)),
                "pubdate" => e.published = e.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "author" => e.author = e.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a))),
                "category" => e.categories.extend(text(c)),
                "enclosure" => {
                    if let Some(u) = c.attr("url") {
                        e.enclosures.push(enclosure(c, resolve(u, cbase)));
                    }
                }
                _ => {}
            }
        } else if c.ns == ns::DC || c.ns == ns::DCTERMS {
            match l.as_str() {
                "title" => e.title = e.title.take().or_else(|| text(c)),
                "description" => e.summary = e.summary.take().or_else(|| content_value(c, cbase)),
                "date" | "modified" => e.updated = e.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "issued" | "created" if l == "issued" => {
                    e.published = e.published.or_else(|| text(c).and_then(|d| date::parse(&d)))
                }
                "creator" | "author" => {
                    e.author = e.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a)))
                }
                "subject" => e.categories.extend(text(c)),
                "identifier" => e.id = e.id.take().or_else(|| text(c)),
                _ => {}
            }
        } else if c.ns == ns::CONTENT && l == "encoded" {
            e.content = e.content.take().or_else(|| content_value(c, cbase));
        } else if c.ns == ns::XHTML && l == "body" {
            e.content = e.content.take().or_else(|| trimmed(c.inner_xml()).map(|v| normalize_html(&v, cbase)));
        } else if is_atom(c) {
            match l.as_str() {
                "link" => {
                    let rel = c.attr("rel").unwrap_or("alternate");
                    if rel == "alternate" {
                        e.link = e.link.take().or_else(|| c.attr("href").map(|h| resolve(h, cbase)));
                    } else if rel == "enclosure" {
                        if let Some(h) = c.attr("href") {
                            e.enclosures.push(enclosure(c, resolve(h, cbase)));
                        }
                    }
                }
                "updated" => e.updated = e.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "published" => e.published = e.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "content" => e.content = e.content.take().or_else(|| content_value(c, cbase)),
                "summary" => e.summary = e.summary.take().or_else(|| content_value(c, cbase)),
                "author" => e.author = e.author.take().or_else(|| atom_person(c, cbase)),
                "id" => e.id = e.id.take().or_else(|| text(c)),
                _ => {}
            }
        } else if c.ns == ns::ITUNES {
            match l.as_str() {
                "author" => e.author = e.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a))),
                "category" => itunes_categories(c, &mut e.categories),
                "keywords" => itunes_keywords(c, &mut e.categories),
                "summary" => e.summary = e.summary.take().or_else(|| text(c)),
                _ => {}
            }
        } else if c.ns == ns::MEDIA {
            match l.as_str() {
                "title" => media_title = media_title.take().or_else(|| text(c)),
                "thumbnail" => e.image = e.image.take().or_else(|| c.attr("url").map(|u| resolve(u, cbase))),
                "content" if c.attr("medium").is_none_or(|m| m == "image") => {
                    e.image = e.image.take().or_else(|| c.attr("url").map(|u| resolve(u, cbase)))
                }
                "category" => e.categories.extend(text(c)),
                "group" => {
                    for g in c.elements() {
                        if g.local.eq_ignore_ascii_case("thumbnail") || g.local.eq_ignore_ascii_case("content") {
                            e.image = e.image.take().or_else(|| g.attr("url").map(|u| resolve(u, cbase)));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if e.title.is_none() {
        e.title = media_title;
    }
    if e.link.is_none() {
        e.link = guid_link.or_else(|| item.attr("href").map(|h| resolve(h, base)));
    }
    if e.updated.is_none() {
        e.updated = item.attr("lastmod").and_then(date::parse);
    }
    if e.id.is_none() {
        e.id = item
            .attrs
            .iter()
            .find(|(k, _)| k.ends_with("about"))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
    e
}
