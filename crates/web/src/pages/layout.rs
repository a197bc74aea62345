//! The page frame: head, header with navigation and the "#" tag form, footer.

use crate::i18n::t;
use maud::{html, Markup, DOCTYPE};
use model::Category;
use std::sync::RwLock;

/// Topic names the "#" field suggests as the reader types (a `<datalist>`,
/// so suggestions need no JavaScript). Refreshed from the home page's
/// most active topics.
static SUGGESTIONS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Replaces the "#" field's suggestions.
pub fn set_suggestions(names: Vec<String>) {
    *SUGGESTIONS.write().unwrap_or_else(|p| p.into_inner()) = names;
}

/// A `<link rel="alternate">` for a page's feeds.
pub struct Alternate {
    pub href: String,
    pub mime: &'static str,
    pub title: String,
}

/// Wraps `body` in the site frame.
pub fn page(title: &str, description: Option<&str>, alternates: &[Alternate], body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t("site.name")) }
                @if let Some(d) = description { meta name="description" content=(d); }
                meta name="color-scheme" content="light dark";
                link rel="stylesheet" href="/static/tagline.css";
                link rel="manifest" href="/manifest.webmanifest";
                link rel="icon" type="image/png" href="/static/icons/icon-192.png";
                link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png";
                meta name="theme-color" content="#0b57d0";
                script src="/static/app.js" defer {}
                @for a in alternates {
                    link rel="alternate" type=(a.mime) title=(a.title) href=(a.href);
                }
            }
            body {
                a class="skip" href="#main" { (t("site.skip")) }
                header class="site" {
                    a class="brand" href="/" { (t("site.name")) }
                    nav aria-label=(t("nav.categories")) {
                        ul {
                            @for c in Category::ALL {
                                li { a href={ "/category/" (c.slug()) } { (c.label()) } }
                            }
                        }
                    }
                    form action="/tag" method="get" role="search" aria-label=(t("nav.find_topic")) {
                        label for="tag-q" class="skip" { (t("nav.topic_label")) }
                        input id="tag-q" type="search" name="name" placeholder=(t("nav.topic_placeholder")) autocomplete="off" list="tag-suggest";
                        datalist id="tag-suggest" {
                            @for n in SUGGESTIONS.read().unwrap_or_else(|p| p.into_inner()).iter() { option value=(n) {} }
                        }
                        button type="submit" aria-label=(t("nav.go_topic")) { "#" }
                    }
                    a class="search-link" href="/search" { (t("nav.search")) }
                }
                main id="main" { (body) }
                footer class="site" {
                    (t("site.footer")) " "
                    button id="install" type="button" hidden { (t("site.install")) }
                }
            }
        }
    }
}
