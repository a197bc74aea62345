//! The first screen of a demo instance: what it is and what to try. Set by
//! `tagline demo` through [`crate::SiteConfig::intro`]; a real instance has
//! none.

use crate::i18n::{t, tf};
use maud::{html, Markup};

/// What the demo's introduction points at.
#[derive(Clone, Debug, Default)]
pub struct Intro {
    /// How many publishers the demo's web has.
    pub publishers: usize,
    /// Seconds between its new articles.
    pub every_secs: u64,
    /// Topic pages worth opening first (relationship tags).
    pub tags: Vec<String>,
    /// An edition worth opening.
    pub region: String,
    /// A search worth running.
    pub query: String,
}

impl Intro {
    /// The introduction box, with the live counts and the biggest story.
    pub fn render(&self, articles: i64, regions: usize, top_story: Option<(i64, usize)>) -> Markup {
        html! {
            section class="intro" aria-labelledby="intro-h" {
                h2 id="intro-h" { (t("demo.heading")) }
                p { (tf("demo.what", &[
                    ("articles", &articles.to_string()),
                    ("publishers", &self.publishers.to_string()),
                    ("regions", &regions.to_string()),
                ])) }
                p { (tf("demo.live", &[("secs", &self.every_secs.to_string())])) }
                p { (t("demo.try")) }
                ul {
                    @for tag in &self.tags {
                        li { a href={ "/tag/" (tag) } { "#" (tag) } " " (t("demo.try_tag")) }
                    }
                    @if let Some((id, outlets)) = top_story {
                        li { a href={ "/story/" (id) } { (tf("demo.try_story", &[("n", &outlets.to_string())])) } }
                    }
                    li { a href={ "/edition/" (self.region) } { (tf("demo.try_edition", &[("region", &self.region)])) } }
                    li { a href={ "/search?q=" (self.query.replace(' ', "+")) } { (tf("demo.try_search", &[("query", &self.query)])) } }
                    li { a href="/api/v1/openapi.json" { (t("demo.try_api")) } }
                }
            }
        }
    }
}
