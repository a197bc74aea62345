//! From an element tree to feed fields, following feedparser's semantics.

use crate::xml::{ns, Element};
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

/// An Atom person construct.
fn atom_person(e: &Element, base: Option<&str>) -> Option<Person> {
    let mut p = Person::default();
    for c in e.elements() {
        match c.local.to_ascii_lowercase().as_str() {
            "name" => p.name = text(c),
            "email" => p.email = text(c),
            "uri" | "url" | "homepage" => p.uri = text(c).map(|u| resolve(&u, base)),
            _ => {}
        }
    }
    if p == Person::default() {
        return person_from_string(&e.text());
    }
    Some(p)
}

/// An enclosure at `url`, with the element's `type` and `length`.
fn enclosure(c: &Element, url: String) -> Enclosure {
    Enclosure { url, mime: c.attr("type").map(str::to_string), length: c.attr("length").map(str::to_string) }
}

fn is_atom(e: &Element) -> bool {
    e.ns == ns::ATOM10 || e.ns == ns::ATOM03
}

/// Inside an Atom document, any element not in a known extension namespace
/// is read as Atom (feeds declare odd or no namespaces for Atom).
fn atomish(e: &Element) -> bool {
    is_atom(e)
        || ![ns::DC, ns::DCTERMS, ns::MEDIA, ns::ITUNES, ns::CONTENT, ns::RDF, ns::XHTML].contains(&e.ns.as_str())
}

/// An RSS element: in no namespace, an RSS namespace, or the namespace of
/// its parent (feeds declare odd default namespaces; an extension module's
/// element with an RSS-like name stays an extension).
fn is_rss_in(e: &Element, parent: &Element) -> bool {
    e.ns.is_empty() || e.ns == parent.ns || [ns::RSS10, ns::RSS090].contains(&e.ns.as_str())
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

/// `itunes:category text="..."`, with nested subcategories after it.
fn itunes_categories(c: &Element, out: &mut Vec<String>) {
    if let Some(t) = c.attr("text").map(str::trim).filter(|t| !t.is_empty()) {
        out.push(t.to_string());
    }
    for sub in c.elements() {
        itunes_categories(sub, out);
    }
}

/// `itunes:keywords`: comma-separated, duplicates dropped.
fn itunes_keywords(c: &Element, out: &mut Vec<String>) {
    for k in c.text().split(',').map(str::trim).filter(|k| !k.is_empty()) {
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
}

fn rss_channel(ch: &Element, base: Option<&str>) -> FeedMeta {
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

fn rss_item(item: &Element, base: Option<&str>) -> FeedEntry {
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

/// An Atom id that is a relative reference is resolved like a link.
fn atom_id(c: &Element, base: Option<&str>) -> Option<String> {
    let id = text(c)?;
    if url::Url::parse(&id).is_err() && base.is_some() {
        return Some(resolve(&id, base));
    }
    Some(id)
}

fn atom_link(c: &Element, base: Option<&str>) -> Option<(String, String)> {
    let rel = c.attr("rel").unwrap_or("alternate").trim().to_string();
    // Atom 0.3 feeds sometimes put the URL in the element's text.
    let href = c.attr("href").or_else(|| c.attr("url")).map(str::to_string).or_else(|| text(c))?;
    Some((rel, resolve(&href, base)))
}

fn atom_feed(root: &Element, base: Option<&str>) -> FeedMeta {
    let mut f = FeedMeta::default();
    for c in root.elements() {
        let cbase = base_of(c, base);
        let cbase = cbase.as_deref();
        let l = c.local.to_ascii_lowercase();
        if atomish(c) {
            match l.as_str() {
                "title" => f.title = f.title.take().or_else(|| content_value(c, cbase)),
                "link" => {
                    if let Some((rel, href)) = atom_link(c, cbase) {
                        if rel == "alternate" && f.link.is_none() {
                            f.link = Some(href);
                        }
                    }
                }
                "id" => f.id = f.id.take().or_else(|| atom_id(c, cbase)),
                "subtitle" | "tagline" => f.subtitle = f.subtitle.take().or_else(|| content_value(c, cbase)),
                "updated" | "modified" => f.updated = f.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "published" | "issued" => f.published = f.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "author" => f.author = f.author.take().or_else(|| atom_person(c, cbase)),
                "category" => {
                    f.categories.extend(c.attr("term").map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
                }
                "logo" | "icon" => f.image = f.image.take().or_else(|| text(c).map(|u| resolve(&u, cbase))),
                _ => {}
            }
        } else if c.ns == ns::DC {
            match l.as_str() {
                "date" => f.updated = f.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "creator" => f.author = f.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a))),
                "subject" => f.categories.extend(text(c)),
                _ => {}
            }
        }
    }
    if f.language.is_none() {
        f.language = root.attrs.iter().find(|(k, _)| k == "xml:lang").map(|(_, v)| v.clone());
    }
    f
}

fn atom_entry(entry: &Element, base: Option<&str>) -> FeedEntry {
    let base = base_of(entry, base);
    let base = base.as_deref();
    let mut e = FeedEntry::default();
    for c in entry.elements() {
        let cbase = base_of(c, base);
        let cbase = cbase.as_deref();
        let l = c.local.to_ascii_lowercase();
        if atomish(c) {
            match l.as_str() {
                "title" => e.title = e.title.take().or_else(|| content_value(c, cbase)),
                "link" => {
                    if let Some((rel, href)) = atom_link(c, cbase) {
                        match rel.as_str() {
                            "alternate" if e.link.is_none() => e.link = Some(href),
                            "enclosure" => e.enclosures.push(enclosure(c, href)),
                            _ => {}
                        }
                    }
                }
                "id" => e.id = e.id.take().or_else(|| atom_id(c, cbase)),
                // Of several values, the last one counts (as in feedparser).
                "updated" | "modified" => e.updated = text(c).and_then(|d| date::parse(&d)).or(e.updated),
                "published" | "issued" => e.published = e.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "author" => e.author = e.author.take().or_else(|| atom_person(c, cbase)),
                "summary" => e.summary = e.summary.take().or_else(|| content_value(c, cbase)),
                "content" => e.content = e.content.take().or_else(|| content_value(c, cbase)),
                "category" => {
                    e.categories.extend(c.attr("term").map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
                }
                _ => {}
            }
        } else if c.ns == ns::DC || c.ns == ns::DCTERMS {
            match l.as_str() {
                "date" | "modified" => e.updated = e.updated.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "issued" => e.published = e.published.or_else(|| text(c).and_then(|d| date::parse(&d))),
                "creator" => e.author = e.author.take().or_else(|| text(c).and_then(|a| person_from_string(&a))),
                "subject" => e.categories.extend(text(c)),
                _ => {}
            }
        } else if c.ns == ns::MEDIA {
            if l == "thumbnail" || l == "content" {
                e.image = e.image.take().or_else(|| c.attr("url").map(|u| resolve(u, cbase)));
            } else if l == "group" {
                for g in c.elements() {
                    if g.local.eq_ignore_ascii_case("thumbnail") {
                        e.image = e.image.take().or_else(|| g.attr("url").map(|u| resolve(u, cbase)));
                    }
                }
            }
        }
    }
    e
}

fn cdf_channel(ch: &Element, base: Option<&str>) -> FeedMeta {
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

fn cdf_item(item: &Element, base: Option<&str>) -> FeedEntry {
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

#[cfg(test)]
mod tests {
    use super::normalize_html;

    #[test]
    fn relative_links_in_html_become_absolute() {
        let out = normalize_html(r#"<a href="/x">a</a> <img src='y.png'>"#, Some("http://e.com/dir/feed.xml"));
        assert_eq!(out, r#"<a href="http://e.com/x">a</a> <img src="http://e.com/dir/y.png" />"#);
    }
}
