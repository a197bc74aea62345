//! Issue 14: a crawl's work per source is bounded. A feed listing hundreds
//! of new items costs at most a fixed number of page fetches, the newest
//! entries'; the rest are stored from the feed's own text, and the source
//! says so.

use super::faults::respond;
use crawler::{CrawlConfig, Crawler};
use fetch::{FetchConfig, Fetcher, Guard};
use model::{Clock, FeedUrl, NewSource};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use store::prelude::*;
use store::{ArticleFilter, ArticleQuery, SqliteStore};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

const ITEMS: usize = 300;
const NEWEST: i64 = 1_750_000_000;

/// A publisher whose feed lists [`ITEMS`] items; counts page requests.
async fn archive_publisher(pages: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.2:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let feed = hostile::feeds::many_items(ITEMS, &origin, NEWEST);
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { return };
            let (feed, pages) = (feed.clone(), pages.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let html = vec![("Content-Type", "text/html; charset=utf-8".to_string())];
                match path.strip_prefix("/item/").and_then(|p| p.strip_suffix(".html")) {
                    Some(i) => {
                        pages.fetch_add(1, Ordering::SeqCst);
                        let body = format!(
                            "<html><head><title>Item {i}</title></head><body><article><h1>Item {i}</h1>\
                             <p>The full text of item {i}, as its page gives it, long enough to be the article \
                             and longer than the summary the feed carries for it.</p></article></body></html>"
                        );
                        respond(s, "200 OK", &html, body.as_bytes()).await
                    }
                    None if path == "/feed.xml" => {
                        let xml = vec![("Content-Type", "application/rss+xml".to_string())];
                        respond(s, "200 OK", &xml, feed.as_bytes()).await
                    }
                    None => respond(s, "404 Not Found", &[], b"no").await,
                }
            });
        }
    });
    origin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_14_a_crawl_fetches_at_most_the_page_limit_newest_first_and_stores_the_rest_from_the_feed() {
    let pages = Arc::new(AtomicUsize::new(0));
    let origin = archive_publisher(pages.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
    let (src, _) = store
        .add_source(NewSource {
            name: "Archive".into(),
            home_url: None,
            feed_url: FeedUrl::parse(&format!("{origin}/feed.xml")).unwrap(),
            region: None,
            lang: None,
            fetch_pages: true,
            trusted_hosts: vec![],
        })
        .await
        .unwrap();
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard { allow_private: false, allow_hosts: vec!["127.0.0.2".into()] },
        ..FetchConfig::default()
    })
    .unwrap();
    let config = CrawlConfig { max_pages_per_source: 100, enrich: false, ..CrawlConfig::default() };
    let crawler = Crawler::new(store.clone(), fetcher, Clock::System, config);
    let report = crawler.crawl_once().await.unwrap();
    let r = &report.sources[0];
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.stored.len(), ITEMS, "every new entry is stored");
    assert_eq!(r.deferred, ITEMS - 100);
    // Lead images are not asked for (the pages have none), so every
    // request after the feed was an article page.
    assert_eq!(pages.load(Ordering::SeqCst), 100, "at most the limit of pages per crawl");

    let stored = store
        .list_articles(&ArticleQuery { filter: ArticleFilter::Source(src.id), after: None, limit: ITEMS })
        .await
        .unwrap();
    for a in &stored {
        let i: usize = a.guid.trim_start_matches("item-").parse().unwrap();
        let from_page = a.text.contains("full text of item");
        assert_eq!(from_page, i < 100, "item {i}: the newest 100 have their page's text, the rest the feed's");
    }
    let note = store.source_by_slug(&src.slug).await.unwrap().unwrap().last_note.unwrap_or_default();
    assert!(note.contains("200 older new entries") && note.contains("100 pages"), "{note}");

    // The next crawl finds nothing new and clears the note.
    let again = crawler.crawl_once().await.unwrap();
    assert_eq!(again.sources[0].stored.len(), 0);
    assert_eq!(store.source_by_slug(&src.slug).await.unwrap().unwrap().last_note, None);
}
