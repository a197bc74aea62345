//! The demo's invented publishers, and its articles as written in
//! `articles.txt` (original text written for Tagline; the events are
//! fictional).

use std::sync::OnceLock;

/// How a publisher syndicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 2.0 with a one-paragraph summary.
    Rss,
    /// RSS 2.0 carrying the full text in `content:encoded`.
    RssFull,
    /// RSS 1.0 (RDF), dated by `dc:date` only.
    Rdf,
    /// Atom 1.0.
    Atom,
    /// JSON Feed 1.1.
    Json,
}

/// An invented publisher.
pub struct Publisher {
    pub slug: &'static str,
    pub name: &'static str,
    pub format: FeedFormat,
    /// ISO 3166 region, for editions.
    pub region: &'static str,
}

pub const PUBLISHERS: &[Publisher] = &[
    Publisher { slug: "harbour", name: "Harbour Times", format: FeedFormat::Rss, region: "GB" },
    Publisher { slug: "ledger", name: "Northern Ledger", format: FeedFormat::Atom, region: "NO" },
    Publisher { slug: "pacific", name: "Pacific Wire", format: FeedFormat::Json, region: "AU" },
    Publisher { slug: "delhi", name: "Delhi Courier", format: FeedFormat::Rss, region: "IN" },
    Publisher { slug: "lagos", name: "Lagos Daily Report", format: FeedFormat::Atom, region: "NG" },
    Publisher { slug: "andes", name: "Andes Observer", format: FeedFormat::Rdf, region: "PE" },
    Publisher { slug: "maple", name: "Maple Street Journal", format: FeedFormat::Json, region: "CA" },
    Publisher { slug: "rhine", name: "Rhine Post", format: FeedFormat::RssFull, region: "DE" },
    Publisher { slug: "mekong", name: "Mekong Morning", format: FeedFormat::Atom, region: "VN" },
];

/// When an article appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Already published, this many hours before the demo started.
    HoursAgo(i64),
    /// Published while the demo runs, in this order among the live ones.
    Live(usize),
}

/// One article of the demo web.
#[derive(Debug)]
pub struct DemoArticle {
    pub publisher: String,
    pub slug: String,
    pub category: String,
    pub author: String,
    pub when: When,
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// Every article, in file order.
pub fn articles() -> &'static [DemoArticle] {
    static ARTICLES: OnceLock<Vec<DemoArticle>> = OnceLock::new();
    ARTICLES.get_or_init(|| parse(include_str!("articles.txt")).expect("the demo's articles.txt is well-formed"))
}

/// The publisher named `slug`.
pub fn publisher(slug: &str) -> Option<&'static Publisher> {
    PUBLISHERS.iter().find(|p| p.slug == slug)
}

/// Reads the article file: `@@ publisher | slug | category | author |
/// hours-or-live [| story]`, then a title line, then paragraphs separated by blank
/// lines; `#` lines outside articles are comments.
fn parse(text: &str) -> Result<Vec<DemoArticle>, String> {
    let mut out: Vec<DemoArticle> = Vec::new();
    let mut live = 0;
    for (n, block) in text.split("\n@@ ").enumerate().skip(1) {
        let mut lines = block.lines();
        let header = lines.next().unwrap_or_default();
        let fields: Vec<&str> = header.split('|').map(str::trim).collect();
        let (publisher, slug, category, author, when) = match fields.as_slice() {
            [p, s, c, a, w] | [p, s, c, a, w, _] => (p, s, c, a, w),
            _ => return Err(format!("article {n}: the header needs five or six fields: {header:?}")),
        };
        if self::publisher(publisher).is_none() {
            return Err(format!("article {n}: unknown publisher {publisher:?}"));
        }
        let when = if *when == "live" {
            live += 1;
            When::Live(live - 1)
        } else {
            When::HoursAgo(when.parse().map_err(|_| format!("article {n}: bad hours {when:?}"))?)
        };
        let title = lines.next().unwrap_or_default().trim().to_string();
        let body: Vec<&str> = lines.collect();
        let paragraphs: Vec<String> = body
            .join("\n")
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        if title.is_empty() || paragraphs.is_empty() {
            return Err(format!("article {n} ({slug}) needs a title and a paragraph"));
        }
        out.push(DemoArticle {
            publisher: publisher.to_string(),
            slug: slug.to_string(),
            category: category.to_string(),
            author: author.to_string(),
            when,
            title,
            paragraphs,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_article_file_parses_into_what_issue_18_asks_of_the_demo() {
        let all = articles();
        let published: Vec<&DemoArticle> = all.iter().filter(|a| matches!(a.when, When::HoursAgo(_))).collect();
        assert!(published.len() >= 60, "{} articles at start", published.len());
        assert!(PUBLISHERS.len() >= 8);
        let regions: std::collections::HashSet<&str> = PUBLISHERS.iter().map(|p| p.region).collect();
        assert!(regions.len() >= 4);
        for c in model::Category::ALL {
            assert!(all.iter().any(|a| a.category == c.label()), "no {} article", c.label());
        }
        assert!(
            published.iter().all(|a| matches!(a.when, When::HoursAgo(h) if (0..168).contains(&h))),
            "within a week"
        );
        let slugs: std::collections::HashSet<&str> = all.iter().map(|a| a.slug.as_str()).collect();
        assert_eq!(slugs.len(), all.len(), "slugs are unique");
        assert!(all.iter().filter(|a| matches!(a.when, When::Live(_))).count() >= 8, "live articles to release");
    }
}
