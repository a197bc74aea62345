//! Atom 1.0 (and 0.3): feed and entry fields, ids, links and persons.

use super::*;

/// An Atom person construct.
pub(crate) fn atom_person(e: &Element, base: Option<&str>) -> Option<Person> {
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

pub(crate) fn is_atom(e: &Element) -> bool {
    e.ns == ns::ATOM10 || e.ns == ns::ATOM03
}

/// Inside an Atom document, any element not in a known extension namespace
/// is read as Atom (feeds declare odd or no namespaces for Atom).
pub(crate) fn atomish(e: &Element) -> bool {
    is_atom(e)
        || ![ns::DC, ns::DCTERMS, ns::MEDIA, ns::ITUNES, ns::CONTENT, ns::RDF, ns::XHTML].contains(&e.ns.as_str())
}

/// An Atom id that is a relative reference is resolved like a link.
pub(crate) fn atom_id(c: &Element, base: Option<&str>) -> Option<String> {
    let id = text(c)?;
    if url::Url::parse(&id).is_err() && base.is_some() {
        return Some(resolve(&id, base));
    }
    Some(id)
}

pub(crate) fn atom_link(c: &Element, base: Option<&str>) -> Option<(String, String)> {
    let rel = c.attr("rel").unwrap_or("alternate").trim().to_string();
    // Atom 0.3 feeds sometimes put the URL in the element's text.
    let href = c.attr("href").or_else(|| c.attr("url")).map(str::to_string).or_else(|| text(c))?;
    Some((rel, resolve(&href, base)))
}

pub(crate) fn atom_feed(root: &Element, base: Option<&str>) -> FeedMeta {
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

pub(crate) fn atom_entry(entry: &Element, base: Option<&str>) -> FeedEntry {
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
