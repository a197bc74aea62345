//! Issue 17: source admission lives in the crawler, beside feed discovery,
//! and records consent for non-public hosts through fetch's guard.

use super::faults::respond;
use crawler::admission::{add_source, import_opml, AddRequest};
use fetch::{FetchConfig, Fetcher, Guard};
use store::prelude::*;
use store::SqliteStore;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// A site whose home page announces its feed.
async fn site() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>Loopback Times</title><link>{origin}/</link>\
         <language>en</language><item><title>One</title><link>{origin}/one</link></item></channel></rss>"
    );
    let home = "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head>\
                <body>Home</body></html>";
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { return };
            let feed = feed.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                match req.split_whitespace().nth(1).unwrap_or("/") {
                    "/feed.xml" => {
                        let h = vec![("Content-Type", "application/rss+xml".to_string())];
                        respond(s, "200 OK", &h, feed.as_bytes()).await
                    }
                    "/" => {
                        let h = vec![("Content-Type", "text/html".to_string())];
                        respond(s, "200 OK", &h, home.as_bytes()).await
                    }
                    _ => respond(s, "404 Not Found", &[], b"no").await,
                }
            });
        }
    });
    origin
}

fn fetcher(allow_private: bool) -> Fetcher {
    Fetcher::new(FetchConfig { guard: Guard { allow_private, allow_hosts: vec![] }, ..FetchConfig::default() }).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_17_adding_a_site_discovers_its_feed_names_it_and_records_consent_for_its_loopback_host() {
    let origin = site().await;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let req =
        AddRequest { url: format!("{origin}/"), region: Some("gb".into()), fetch_pages: true, ..Default::default() };

    let refused = add_source(&store, &fetcher(false), &req).await.unwrap_err();
    assert!(refused.to_string().contains("loopback"), "without consent the guard refuses: {refused}");
    assert!(store.sources().await.unwrap().is_empty());

    let done = add_source(&store, &fetcher(true), &req).await.unwrap();
    assert!(done.created);
    assert_eq!(done.source.name, "Loopback Times");
    assert_eq!(done.source.feed_url.as_str(), format!("{origin}/feed.xml"));
    assert_eq!(done.source.region.as_deref(), Some("GB"));
    assert_eq!(done.source.lang.as_deref(), Some("en"));
    assert_eq!(done.trusted_hosts, ["127.0.0.1"]);
    assert_eq!(store.sources().await.unwrap()[0].trusted_hosts, ["127.0.0.1"]);

    let again = add_source(&store, &fetcher(true), &req).await.unwrap();
    assert!(!again.created && again.source.id == done.source.id);
}

#[tokio::test]
async fn issue_17_an_opml_import_counts_what_it_added_knew_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let opml = r#"<opml version="2.0"><body><outline text="News">
        <outline text="A" xmlUrl="https://a.example/feed"/>
        <outline text="Script" xmlUrl="javascript:alert(1)"/>
        <outline text="A again" xmlUrl="https://a.example/feed"/>
        </outline></body></opml>"#;
    let done = import_opml(&store, &fetcher(false), opml, true).await.unwrap();
    assert_eq!((done.added, done.known, done.invalid.len(), done.trusted), (1, 1, 1, 0));
    assert_eq!(done.invalid[0].0, "javascript:alert(1)");
    assert!(import_opml(&store, &fetcher(false), "<html/>", true).await.is_err(), "not OPML");
}
