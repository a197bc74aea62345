//! `tagline demo`: a small publisher web of our own on a local port, crawled
//! into a throwaway data directory and served, so a newcomer sees a full
//! site within seconds and without a network.

#[path = "demo_content.rs"]
mod content;

use crate::cli::{Cli, DemoArgs};
use anyhow::{Context, Result};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use content::{DemoArticle, FeedFormat, Publisher, ARTICLES, PUBLISHERS};
use crawler::{CrawlConfig, Crawler};
use fetch::{FetchConfig, Fetcher, Guard};
use model::{FeedUrl, NewSource};
use std::sync::Arc;
use store::{SqliteStore, Store};

#[derive(Clone)]
struct Web {
    origin: String,
    now: DateTime<Utc>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn articles_of(p: &Publisher) -> impl Iterator<Item = &'static DemoArticle> + '_ {
    ARTICLES.iter().filter(move |a| a.publisher == p.slug)
}

fn feed_path(p: &Publisher) -> &'static str {
    match p.format {
        FeedFormat::Rss => "feed.xml",
        FeedFormat::Atom => "atom.xml",
        FeedFormat::Json => "feed.json",
    }
}

fn feed_mime(p: &Publisher) -> &'static str {
    match p.format {
        FeedFormat::Rss => "application/rss+xml",
        FeedFormat::Atom => "application/atom+xml",
        FeedFormat::Json => "application/feed+json",
    }
}

impl Web {
    fn url(&self, p: &Publisher, a: &DemoArticle) -> String {
        format!("{}/{}/{}.html", self.origin, p.slug, a.slug)
    }

    fn when(&self, a: &DemoArticle) -> DateTime<Utc> {
        self.now - Duration::hours(a.hours_ago)
    }

    fn summary(a: &DemoArticle) -> &'static str {
        a.paragraphs[0]
    }

    fn feed(&self, p: &Publisher) -> String {
        let home = format!("{}/{}/", self.origin, p.slug);
        match p.format {
            FeedFormat::Rss => {
                let items: String = articles_of(p)
                    .map(|a| {
                        format!(
                            "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{}</pubDate><dc:creator>{}</dc:creator><category>{}</category><description><![CDATA[<p>{}</p>]]></description></item>",
                            esc(a.title), self.url(p, a), self.url(p, a), self.when(a).to_rfc2822(), esc(a.author), a.category, Self::summary(a)
                        )
                    })
                    .collect();
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>{}</title><link>{home}</link><description>Demo publisher</description><language>en</language>{items}</channel></rss>", esc(p.name))
            }
            FeedFormat::Atom => {
                let entries: String = articles_of(p)
                    .map(|a| {
                        let t = self.when(a).to_rfc3339();
                        format!(
                            "<entry><title>{}</title><link rel=\"alternate\" href=\"{}\"/><id>urn:tagline-demo:{}</id><published>{t}</published><updated>{t}</updated><author><name>{}</name></author><category term=\"{}\"/><summary type=\"text\">{}</summary></entry>",
                            esc(a.title), self.url(p, a), a.slug, esc(a.author), a.category, esc(Self::summary(a))
                        )
                    })
                    .collect();
                format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{}</title><link rel=\"alternate\" href=\"{home}\"/><id>urn:tagline-demo:{}</id><updated>{}</updated>{entries}</feed>", esc(p.name), p.slug, self.now.to_rfc3339())
            }
            FeedFormat::Json => {
                let items: Vec<serde_json::Value> = articles_of(p)
                    .map(|a| {
                        serde_json::json!({
                            "id": a.slug, "url": self.url(p, a), "title": a.title,
                            "summary": Self::summary(a), "content_text": Self::summary(a),
                            "date_published": self.when(a).to_rfc3339(), "authors": [{"name": a.author}], "tags": [a.category],
                        })
                    })
                    .collect();
                serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": p.name, "home_page_url": home, "language": "en", "items": items}).to_string()
            }
        }
    }

    fn chrome(&self, p: &Publisher, title: &str, head: &str, main: &str) -> String {
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} | {}</title>\
             <link rel=\"alternate\" type=\"{}\" href=\"{}/{}/{}\">{head}</head><body>\
             <div class=\"cookie-banner\">We use cookies. <button>Accept</button></div>\
             <header><nav><a href=\"/{}/\">Home</a> <a href=\"#\">World</a> <a href=\"#\">Business</a> <a href=\"#\">Sport</a></nav></header>\
             <main>{main}</main><footer>© Demo content written for Tagline. The events are fictional.</footer></body></html>",
            esc(title), esc(p.name), feed_mime(p), self.origin, p.slug, feed_path(p), p.slug
        )
    }

    fn home(&self, p: &Publisher) -> String {
        let list: String =
            articles_of(p).map(|a| format!("<li><a href=\"{}\">{}</a></li>", self.url(p, a), esc(a.title))).collect();
        self.chrome(p, p.name, "", &format!("<h1>{}</h1><ul>{list}</ul>", esc(p.name)))
    }

    fn article(&self, p: &Publisher, a: &DemoArticle) -> String {
        let t = self.when(a).to_rfc3339();
        let head = format!(
            "<meta property=\"og:title\" content=\"{}\"><meta property=\"og:site_name\" content=\"{}\"><meta property=\"article:published_time\" content=\"{t}\"><meta name=\"author\" content=\"{}\"><link rel=\"canonical\" href=\"{}\">",
            esc(a.title), esc(p.name), esc(a.author), self.url(p, a)
        );
        let mut body = String::new();
        for (i, para) in a.paragraphs.iter().enumerate() {
            body.push_str(&format!("<p>{}</p>", esc(para)));
            if i == 0 {
                body.push_str("<div class=\"ad-slot\"><span>Advertisement</span></div>");
            }
        }
        let related: String = ARTICLES
            .iter()
            .filter(|o| o.slug != a.slug)
            .take(3)
            .map(|o| format!("<li><a href=\"#\">{}</a></li>", esc(o.title)))
            .collect();
        let main = format!(
            "<article><h1>{}</h1><p class=\"byline\">By {}</p><div class=\"share\">Share this: <a href=\"#\">X</a> <a href=\"#\">Email</a></div>\
             <div class=\"article-body\">{body}</div></article><aside class=\"related\"><h2>Related stories</h2><ul>{related}</ul></aside>",
            esc(a.title), esc(a.author)
        );
        self.chrome(p, a.title, &head, &main)
    }
}

async fn publisher_page(State(web): State<Arc<Web>>, Path((slug, file)): Path<(String, String)>) -> Response {
    let Some(p) = PUBLISHERS.iter().find(|p| p.slug == slug) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if file == feed_path(p) {
        return ([(header::CONTENT_TYPE, format!("{}; charset=utf-8", feed_mime(p)))], web.feed(p)).into_response();
    }
    if file.is_empty() || file == "index.html" {
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], web.home(p)).into_response();
    }
    match articles_of(p).find(|a| file.strip_suffix(".html") == Some(a.slug)) {
        Some(a) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], web.article(p, a)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn publisher_home(state: State<Arc<Web>>, Path(slug): Path<String>) -> Response {
    publisher_page(state, Path((slug, String::new()))).await
}

pub async fn run(args: &DemoArgs, cli: &Cli) -> Result<()> {
    let clock = crate::parse_clock(cli.now.as_deref())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the demo publisher web")?;
    let addr = listener.local_addr()?;
    let web = Arc::new(Web { origin: format!("http://{addr}"), now: clock.now() });
    let publishers = axum::Router::new()
        .route("/{slug}/", get(publisher_home))
        .route("/{slug}/{file}", get(publisher_page))
        .with_state(web.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, publishers).await {
            tracing::error!(error = %e, "demo publisher web stopped");
        }
    });
    println!("demo publisher web on {}/", web.origin);

    let dir = tempfile::tempdir().context("creating a scratch data directory")?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("tagline.db"))?);
    // The demo web is on loopback; allow exactly that address and nothing else.
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard { allow_private: false, allow_hosts: vec![addr.ip().to_string()] },
        ..FetchConfig::default()
    })?;
    for p in PUBLISHERS {
        let home = FeedUrl::parse(&format!("{}/{}/", web.origin, p.slug))?;
        let found = crawler::discover_feed(&fetcher, &home)
            .await
            .with_context(|| format!("discovering the feed of {}", p.name))?;
        store
            .add_source(NewSource {
                name: found.title.unwrap_or_else(|| p.name.to_string()),
                home_url: Some(home),
                feed_url: found.feed_url,
                region: Some(p.region.to_string()),
                lang: Some("en".into()),
                fetch_pages: true,
                trusted_hosts: vec![],
            })
            .await?;
    }
    let report = Crawler::new(store.clone(), fetcher, clock, CrawlConfig::default()).crawl_once().await?;
    println!("crawled {} articles from {} demo publishers", report.stored(), report.sources.len());
    let site = web::SiteConfig {
        page_cache_ttl: std::time::Duration::from_secs_f64(crate::DEFAULT_PAGE_CACHE),
        ..Default::default()
    };
    crate::serve_web(store, clock, dir.path(), site, args.listen).await
}
