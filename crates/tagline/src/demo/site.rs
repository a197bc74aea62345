//! The demo's publisher web: for each invented publisher a home page, a feed
//! (RSS 2.0, RSS 1.0, Atom or JSON Feed, summary or full text), article
//! pages with the usual furniture around the text (cookie banner, menus,
//! share buttons, an ad slot, related links, an author box) and a lead
//! image each. While the demo runs, one more article is published every
//! `every`, so the crawler has news to bring in.

use super::content::{articles, publisher, DemoArticle, FeedFormat, Publisher, When, PUBLISHERS};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::time::Instant;

/// The publisher web's state: where it is served, when the demo started,
/// and how often a new article appears.
pub struct Web {
    pub origin: String,
    /// The demo's "now" when it started; articles are dated from it.
    pub start: DateTime<Utc>,
    /// When it started, by the machine's clock (releases follow real time
    /// even when the demo's clock is fixed).
    pub started: Instant,
    /// Time between two live articles.
    pub every: std::time::Duration,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn feed_path(p: &Publisher) -> &'static str {
    match p.format {
        FeedFormat::Rss | FeedFormat::RssFull => "feed.xml",
        FeedFormat::Rdf => "index.rdf",
        FeedFormat::Atom => "atom.xml",
        FeedFormat::Json => "feed.json",
    }
}

fn feed_mime(p: &Publisher) -> &'static str {
    match p.format {
        FeedFormat::Rss | FeedFormat::RssFull => "application/rss+xml",
        FeedFormat::Rdf => "application/rdf+xml",
        FeedFormat::Atom => "application/atom+xml",
        FeedFormat::Json => "application/feed+json",
    }
}

impl Web {
    /// Live articles published so far.
    pub fn released(&self) -> usize {
        let live = articles().iter().filter(|a| matches!(a.when, When::Live(_))).count();
        ((self.started.elapsed().as_secs_f64() / self.every.as_secs_f64()) as usize).min(live)
    }

    /// The articles of `p` published so far, newest first.
    fn articles_of(&self, p: &Publisher) -> Vec<&'static DemoArticle> {
        let released = self.released();
        let mut list: Vec<&DemoArticle> = articles()
            .iter()
            .filter(|a| a.publisher == p.slug)
            .filter(|a| match a.when {
                When::HoursAgo(_) => true,
                When::Live(k) => k < released,
            })
            .collect();
        list.sort_by_key(|a| std::cmp::Reverse(self.when(a)));
        list
    }

    fn url(&self, p: &Publisher, a: &DemoArticle) -> String {
        format!("{}/{}/{}.html", self.origin, p.slug, a.slug)
    }

    fn image_url(&self, p: &Publisher, a: &DemoArticle) -> String {
        format!("{}/{}/img/{}.png", self.origin, p.slug, a.slug)
    }

    /// When `a` was published.
    pub fn when(&self, a: &DemoArticle) -> DateTime<Utc> {
        match a.when {
            When::HoursAgo(h) => self.start - Duration::hours(h),
            When::Live(k) => self.start + Duration::from_std(self.every * (k as u32 + 1)).unwrap_or_default(),
        }
    }

    fn feed(&self, p: &Publisher) -> String {
        let home = format!("{}/{}/", self.origin, p.slug);
        let list = self.articles_of(p);
        match p.format {
            FeedFormat::Rss | FeedFormat::RssFull => {
                let items: String = list
                    .iter()
                    .map(|a| {
                        let full = if p.format == FeedFormat::RssFull {
                            let body: String = a.paragraphs.iter().map(|t| format!("<p>{}</p>", esc(t))).collect();
                            format!("<content:encoded><![CDATA[{body}]]></content:encoded>")
                        } else {
                            String::new()
                        };
                        format!(
                            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{}</pubDate>\
                             <dc:creator>{}</dc:creator><category>{}</category><description><![CDATA[<p>{}</p>]]></description>{full}\
                             <enclosure url=\"{}\" type=\"image/png\" length=\"0\"/></item>",
                            esc(&a.title), self.url(p, a), self.url(p, a), self.when(a).to_rfc2822(), esc(&a.author),
                            a.category, a.paragraphs[0], self.image_url(p, a)
                        )
                    })
                    .collect();
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
                     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>{}</title><link>{home}</link>\
                     <description>Demo publisher</description><language>en</language>{items}</channel></rss>",
                    esc(p.name)
                )
            }
            FeedFormat::Rdf => {
                let seq: String =
                    list.iter().map(|a| format!("<rdf:li rdf:resource=\"{}\"/>", self.url(p, a))).collect();
                let items: String = list
                    .iter()
                    .map(|a| {
                        format!(
                            "<item rdf:about=\"{url}\"><title>{}</title><link>{url}</link><description>{}</description>\
                             <dc:date>{}</dc:date><dc:creator>{}</dc:creator><dc:subject>{}</dc:subject></item>",
                            esc(&a.title), esc(&a.paragraphs[0]), self.when(a).to_rfc3339(), esc(&a.author), a.category,
                            url = self.url(p, a)
                        )
                    })
                    .collect();
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" \
                     xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel rdf:about=\"{home}\">\
                     <title>{}</title><link>{home}</link><description>Demo publisher</description><items><rdf:Seq>{seq}</rdf:Seq></items>\
                     </channel>{items}</rdf:RDF>",
                    esc(p.name)
                )
            }
            FeedFormat::Atom => {
                let entries: String =
                    list.iter()
                        .map(|a| {
                            let t = self.when(a).to_rfc3339();
                            format!(
                            "<entry><title>{}</title><link rel=\"alternate\" href=\"{}\"/><id>urn:tagline-demo:{}</id>\
                             <published>{t}</published><updated>{t}</updated><author><name>{}</name></author>\
                             <category term=\"{}\"/><summary type=\"text\">{}</summary></entry>",
                            esc(&a.title), self.url(p, a), a.slug, esc(&a.author), a.category, esc(&a.paragraphs[0])
                        )
                        })
                        .collect();
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{}</title>\
                     <link rel=\"alternate\" href=\"{home}\"/><id>urn:tagline-demo:{}</id><updated>{}</updated>{entries}</feed>",
                    esc(p.name),
                    p.slug,
                    self.start.to_rfc3339()
                )
            }
            FeedFormat::Json => {
                let items: Vec<serde_json::Value> = list
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.slug, "url": self.url(p, a), "title": a.title,
                            "summary": a.paragraphs[0], "content_text": a.paragraphs[0], "image": self.image_url(p, a),
                            "date_published": self.when(a).to_rfc3339(), "authors": [{"name": a.author}], "tags": [a.category],
                        })
                    })
                    .collect();
                serde_json::json!({
                    "version": "https://jsonfeed.org/version/1.1", "title": p.name, "home_page_url": home,
                    "language": "en", "items": items,
                })
                .to_string()
            }
        }
    }

    fn chrome(&self, p: &Publisher, title: &str, head: &str, main: &str) -> String {
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} | {}</title>\
             <link rel=\"alternate\" type=\"{}\" href=\"{}/{}/{}\">{head}</head><body>\
             <div class=\"cookie-banner\">We use cookies to improve your experience. <button>Accept all</button></div>\
             <header><a class=\"logo\" href=\"/{}/\">{}</a><nav><a href=\"/{}/\">Home</a> <a href=\"#\">World</a> \
             <a href=\"#\">Business</a> <a href=\"#\">Sport</a> <a href=\"#\">Culture</a></nav></header>\
             <main>{main}</main><footer><p>Subscribe to our newsletter</p>\
             <p>© {} — demo content written for Tagline. The events are fictional.</p></footer></body></html>",
            esc(title),
            esc(p.name),
            feed_mime(p),
            self.origin,
            p.slug,
            feed_path(p),
            p.slug,
            esc(p.name),
            p.slug,
            esc(p.name)
        )
    }

    fn home(&self, p: &Publisher) -> String {
        let list: String = self
            .articles_of(p)
            .iter()
            .map(|a| format!("<li><a href=\"{}\">{}</a></li>", self.url(p, a), esc(&a.title)))
            .collect();
        self.chrome(p, p.name, "", &format!("<h1>{}</h1><ul>{list}</ul>", esc(p.name)))
    }

    fn article(&self, p: &Publisher, a: &DemoArticle) -> String {
        let t = self.when(a).to_rfc3339();
        let head = format!(
            "<meta property=\"og:title\" content=\"{}\"><meta property=\"og:site_name\" content=\"{}\">\
             <meta property=\"og:image\" content=\"{}\"><meta property=\"article:published_time\" content=\"{t}\">\
             <meta property=\"article:section\" content=\"{}\"><meta name=\"author\" content=\"{}\"><link rel=\"canonical\" href=\"{}\">",
            esc(&a.title),
            esc(p.name),
            self.image_url(p, a),
            a.category,
            esc(&a.author),
            self.url(p, a)
        );
        let mut body = String::new();
        for (i, para) in a.paragraphs.iter().enumerate() {
            body.push_str(&format!("<p>{}</p>", esc(para)));
            if i == 0 {
                body.push_str("<div class=\"ad-slot\"><span>Advertisement</span></div>");
            }
        }
        let related: String = self
            .articles_of(p)
            .iter()
            .filter(|o| o.slug != a.slug)
            .take(3)
            .map(|o| format!("<li><a href=\"{}\">{}</a></li>", self.url(p, o), esc(&o.title)))
            .collect();
        let main = format!(
            "<article><h1>{}</h1><p class=\"byline\">By {} · <time datetime=\"{t}\">{}</time></p>\
             <figure><img src=\"{}\" alt=\"\" width=\"640\" height=\"360\"></figure>\
             <div class=\"share\">Share this: <a href=\"#\">X</a> <a href=\"#\">Email</a></div>\
             <div class=\"article-body\">{body}</div>\
             <div class=\"author-box\">{} writes about {} for {}.</div></article>\
             <aside class=\"related\"><h2>Related stories</h2><ul>{related}</ul></aside>",
            esc(&a.title),
            esc(&a.author),
            self.when(a).format("%-d %B %Y"),
            self.image_url(p, a),
            esc(&a.author),
            a.category.to_lowercase(),
            esc(p.name)
        );
        self.chrome(p, &a.title, &head, &main)
    }
}

/// The article of `p` named by `file` (its slug, then `suffix`), if published.
fn find<'a>(web: &Web, p: &Publisher, file: &str, suffix: &str) -> Option<&'a DemoArticle>
where
    'static: 'a,
{
    let slug = file.strip_suffix(suffix)?;
    web.articles_of(p).into_iter().find(|a| a.slug == slug)
}

async fn page(State(web): State<Arc<Web>>, Path((slug, file)): Path<(String, String)>) -> Response {
    let Some(p) = publisher(&slug) else { return StatusCode::NOT_FOUND.into_response() };
    let html = |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string())], body).into_response();
    if file == feed_path(p) {
        return ([(header::CONTENT_TYPE, format!("{}; charset=utf-8", feed_mime(p)))], web.feed(p)).into_response();
    }
    if file.is_empty() || file == "index.html" {
        return html(web.home(p));
    }
    match find(&web, p, &file, ".html") {
        Some(a) => html(web.article(p, a)),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn home(state: State<Arc<Web>>, Path(slug): Path<String>) -> Response {
    page(state, Path((slug, String::new()))).await
}

async fn image(State(web): State<Arc<Web>>, Path((slug, file)): Path<(String, String)>) -> Response {
    let Some(p) = publisher(&slug) else { return StatusCode::NOT_FOUND.into_response() };
    match find(&web, p, &file, ".png") {
        Some(a) => ([(header::CONTENT_TYPE, "image/png")], super::image::png(&a.slug, &a.category)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The publisher web's routes.
pub fn router(web: Arc<Web>) -> axum::Router {
    axum::Router::new()
        .route("/{slug}/", get(home))
        .route("/{slug}/{file}", get(page))
        .route("/{slug}/img/{file}", get(image))
        .with_state(web)
}

/// Every publisher, for adding them as sources.
pub fn publishers() -> &'static [Publisher] {
    PUBLISHERS
}
