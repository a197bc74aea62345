//! Fault injection (issue 4): a publisher web that misbehaves on purpose,
//! served on 127.0.0.2 by a raw TCP server. Every fault must stay confined to
//! its own source; the good sources in the same crawl are stored intact. No
//! traffic leaves 127.0.0.0/8: the forbidden redirect target (127.0.0.3) is
//! refused before any connection.

use crawler::{CrawlConfig, Crawler};
use fetch::{FetchConfig, Fetcher, Guard};
use model::{Clock, FeedUrl, NewSource};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use store::prelude::*;
use store::SqliteStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn rss(origin: &str, tag: &str, guid_salt: &str) -> String {
    let items: String = (1..=3)
        .map(|i| {
            format!(
                "<item><title>{tag} story {i}</title><link>{origin}/{tag}/{i}.html</link><guid>{tag}-{i}{guid_salt}</guid>\
                 <pubDate>Sat, 28 Jun 2025 0{i}:00:00 +0000</pubDate><description>Summary {i} of {tag}.</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{tag}</title><link>{origin}/</link>{items}</channel></rss>")
}

pub(crate) async fn respond(mut s: TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    let _ = s.shutdown().await;
}

async fn handle(mut s: TcpStream, origin: String, fetches: Arc<AtomicUsize>) {
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap_or(0);
    let req = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
    let xml = |b: String| (vec![("Content-Type", "application/rss+xml".to_string())], b.into_bytes());
    match path.as_str() {
        p if p.starts_with("/good") => {
            let (h, b) = xml(rss(&origin, p.trim_start_matches('/').trim_end_matches(".xml"), ""));
            respond(s, "200 OK", &h, &b).await
        }
        "/slow-headers" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        "/slow-body" => {
            let _ = s
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n<rss>",
                )
                .await;
            for _ in 0..30 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if s.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
        "/reset" => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<rss version=\"2.0\"><channel><item><title>cut").await;
            // Zero linger turns the close into a TCP reset; with zero it
            // cannot block, which is what the deprecation warns about.
            #[allow(deprecated)]
            let _ = s.set_linger(Some(Duration::ZERO));
            drop(s);
        }
        "/500" => respond(s, "500 Internal Server Error", &[], b"oops").await,
        "/503" => respond(s, "503 Service Unavailable", &[("Retry-After", "1".into())], b"later").await,
        "/429" => respond(s, "429 Too Many Requests", &[("Retry-After", "1".into())], b"slow down").await,
        "/chain-1" => respond(s, "301 Moved Permanently", &[("Location", "/chain-2".into())], b"").await,
        "/chain-2" => respond(s, "302 Found", &[("Location", "/chain-3".into())], b"").await,
        "/chain-3" => respond(s, "308 Permanent Redirect", &[("Location", "/good-chained.xml".into())], b"").await,
        "/loop-a" => respond(s, "302 Found", &[("Location", "/loop-b".into())], b"").await,
        "/loop-b" => respond(s, "302 Found", &[("Location", "/loop-a".into())], b"").await,
        "/to-forbidden" => {
            let port = origin.rsplit(':').next().unwrap().to_string();
            respond(s, "302 Found", &[("Location", format!("http://127.0.0.3:{port}/good-x.xml"))], b"").await
        }
        "/big" => respond(s, "200 OK", &[("Content-Type", "application/rss+xml".into())], &vec![b' '; 300_000]).await,
        "/bomb" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&vec![b' '; 20 * 1024 * 1024]).unwrap();
            let body = gz.finish().unwrap();
            respond(
                s,
                "200 OK",
                &[("Content-Type", "application/rss+xml".into()), ("Content-Encoding", "gzip".into())],
                &body,
            )
            .await
        }
        "/wrong-type" => {
            let body = rss(&origin, "wrongtype", "").into_bytes();
            respond(s, "200 OK", &[("Content-Type", "image/png".into())], &body).await
        }
        "/empty" => respond(s, "200 OK", &[("Content-Type", "application/rss+xml".into())], b"").await,
        "/invalid-utf8" => {
            let mut body = rss(&origin, "badbytes", "").into_bytes();
            let at = body.windows(7).position(|w| w == b"story 1").unwrap();
            body.splice(at..at, [0xff, 0xfe, 0xc3]);
            respond(s, "200 OK", &[("Content-Type", "application/rss+xml; charset=utf-8".into())], &body).await
        }
        "/changing-guids" => {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            let (h, b) = xml(rss(&origin, "changing", &format!("-{n}")));
            respond(s, "200 OK", &h, &b).await
        }
        _ => respond(s, "404 Not Found", &[], b"no").await,
    }
}

async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.2:0").await.expect("loopback 127.0.0.2 is available on Linux");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let o = origin.clone();
    let fetches = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((s, _)) = listener.accept().await else { return };
            tokio::spawn(handle(s, o.clone(), fetches.clone()));
        }
    });
    origin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_4_every_fault_stays_confined_to_its_source() {
    let origin = start().await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
    let faults = [
        "good-a.xml",
        "good-b.xml",
        "slow-headers",
        "slow-body",
        "reset",
        "500",
        "503",
        "429",
        "chain-1",
        "loop-a",
        "to-forbidden",
        "big",
        "bomb",
        "wrong-type",
        "empty",
        "invalid-utf8",
        "changing-guids",
    ];
    for f in faults {
        store
            .add_source(NewSource {
                name: f.into(),
                home_url: None,
                feed_url: FeedUrl::parse(&format!("{origin}/{f}")).unwrap(),
                region: None,
                lang: None,
                fetch_pages: false,
                trusted_hosts: vec![],
            })
            .await
            .unwrap();
    }
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard { allow_private: false, allow_hosts: vec!["127.0.0.2".into()] },
        total_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(2),
        max_body: 200_000,
        max_retry_wait: Duration::from_secs(2),
        ..FetchConfig::default()
    })
    .unwrap();
    let crawler =
        Crawler::new(store.clone(), fetcher, Clock::System, CrawlConfig { feeds_only: true, ..CrawlConfig::default() });
    let report = tokio::time::timeout(Duration::from_secs(120), crawler.crawl_once())
        .await
        .expect("the crawl finishes")
        .unwrap();
    let by = |name: &str| report.sources.iter().find(|s| s.source == name).unwrap();

    for good in ["good-a.xml", "good-b.xml"] {
        assert!(by(good).error.is_none(), "{good}: {:?}", by(good).error);
        assert_eq!(by(good).stored.len(), 3, "{good} stored intact");
    }
    let fails = |name: &str, needle: &str| {
        let e = by(name).error.clone().unwrap_or_else(|| panic!("{name} should fail"));
        assert!(e.contains(needle), "{name}: {e}");
    };
    fails("slow-headers", "timed out");
    fails("slow-body", "");
    fails("reset", "");
    fails("500", "500");
    fails("503", "503");
    fails("429", "429");
    fails("loop-a", "redirects");
    fails("to-forbidden", "127.0.0.3");
    fails("big", "more than");
    fails("bomb", "more than");
    fails("empty", "empty");
    assert_eq!(by("chain-1").stored.len(), 3, "a 301/302/308 chain is followed");
    assert_eq!(by("wrong-type").stored.len(), 3, "a feed served with a wrong type is still read");
    assert_eq!(by("invalid-utf8").stored.len(), 3, "invalid bytes are recovered");
    assert_eq!(by("changing-guids").stored.len(), 3);

    // A second crawl: feeds whose guids change every time add nothing new,
    // because the links are the same.
    let again = crawler.crawl_once().await.unwrap();
    let changing = again.sources.iter().find(|s| s.source == "changing-guids").unwrap();
    assert!(changing.stored.is_empty(), "{:?}", changing.stored);
    assert_eq!(store.counts().await.unwrap().articles, 3 * 6);
}
