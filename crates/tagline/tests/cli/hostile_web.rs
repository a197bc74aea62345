//! Issue 14: the hostile web. One loopback server plays many misbehaving
//! publishers and two healthy ones. `crawl --once` and `serve` (with its own
//! crawler) meet them all at once: the healthy ones are stored whole, every
//! unreadable one fails with a clear error, the crawl stays under 1 GB, the
//! site answers throughout, and no URL it stores or renders is anything but
//! http(s). Everything stays on 127.0.0.0/8: the forbidden redirect target
//! is refused before any connection, and no link names another host.

use super::{stderr, tagline};
use axum::body::Bytes;
use axum::http::{header, HeaderName, StatusCode};
use axum::response::IntoResponse;
use hostile::{feeds, pages, MB};
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a publisher does, and what the crawl must make of it.
enum Expect {
    /// All of its articles are stored.
    Healthy(usize),
    /// The source fails with an error containing this.
    Fails(&'static str),
    /// Misbehaves, but what is readable is stored within the bounds.
    Recovers,
}

type Reply = (StatusCode, Vec<(HeaderName, String)>, Bytes);

fn ok(content_type: &str, body: impl Into<Bytes>) -> Reply {
    (StatusCode::OK, vec![(header::CONTENT_TYPE, content_type.to_string())], body.into())
}

fn redirect(to: String) -> Reply {
    (StatusCode::FOUND, vec![(header::LOCATION, to)], Bytes::new())
}

/// A healthy article page with a lead image on this origin.
fn article_page(title: &str, image: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta property=\"og:image\" content=\"{image}\"></head><body><article><h1>{title}</h1>\
         <p>The harbour authority reopened the northern quay on Monday after six weeks of repairs, \
         officials said, and the first ferries docked there on Tuesday morning.</p>\
         <p>Traders welcomed the reopening, which had cut the port's capacity by a third.</p></article></body></html>"
    )
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// The list of publishers and their responses, as they are built.
type Publishers = Vec<(&'static str, String, Expect)>;

/// Adds a publisher whose feed at `path` answers `body`.
fn feed(
    r: &mut HashMap<String, Reply>,
    list: &mut Publishers,
    name: &'static str,
    path: &str,
    ct: &str,
    body: String,
    expect: Expect,
) {
    r.insert(path.to_string(), ok(ct, body));
    list.push((name, path.to_string(), expect));
}

/// The publishers: (name, feed path, expectation), and every response.
fn publishers(origin: &str, now: i64) -> (Publishers, HashMap<String, Reply>) {
    let rss = "application/rss+xml";
    let mut r: HashMap<String, Reply> = HashMap::new();
    let mut list = Vec::new();
    let items = |dir: &str, n: usize| -> String {
        (0..n)
            .map(|i| {
                format!(
                    "<item><title>Harbour report {i} from {dir}</title><link>{origin}/{dir}/{i}.html</link>\
                     <guid>{dir}-{i}</guid><pubDate>{}</pubDate><description>Summary {i}.</description></item>",
                    feeds::rfc822(now - 600 * i as i64)
                )
            })
            .collect()
    };
    feed(
        &mut r,
        &mut list,
        "good-a",
        "/good-a/feed.xml",
        rss,
        format!(
            "<rss version=\"2.0\"><channel><title>Good A</title><link>{origin}/good-a/</link>{}</channel></rss>",
            items("good-a", 5)
        ),
        Expect::Healthy(5),
    );
    let entries: String = (0..5)
        .map(|i| {
            format!(
                "<entry><title>Quay report {i}</title><id>urn:good-b:{i}</id><link href=\"{origin}/good-b/{i}.html\"/>\
                 <updated>{}</updated></entry>",
                chrono::DateTime::from_timestamp(now - 900 * i, 0).unwrap().to_rfc3339()
            )
        })
        .collect();
    feed(
        &mut r,
        &mut list,
        "good-b",
        "/good-b/atom.xml",
        "application/atom+xml",
        format!("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Good B</title><id>urn:good-b</id>{entries}</feed>"),
        Expect::Healthy(5),
    );
    feed(&mut r, &mut list, "deep", "/deep/feed.xml", rss, feeds::deep_nesting(9 * MB), Expect::Recovers);
    feed(
        &mut r,
        &mut list,
        "unclosed",
        "/unclosed/feed.xml",
        rss,
        feeds::unclosed_nesting(9 * MB),
        Expect::Fails("not a readable"),
    );
    feed(
        &mut r,
        &mut list,
        "laughs",
        "/laughs/feed.xml",
        rss,
        feeds::billion_laughs(10, 10),
        Expect::Fails("entity expansion"),
    );
    feed(
        &mut r,
        &mut list,
        "blowup",
        "/blowup/feed.xml",
        rss,
        feeds::quadratic_blowup(MB, 200),
        Expect::Fails("entity expansion"),
    );
    feed(&mut r, &mut list, "attrs", "/attrs/feed.xml", rss, feeds::many_attributes(9 * MB), Expect::Recovers);
    feed(&mut r, &mut list, "long", "/long/feed.xml", rss, feeds::long_token(9 * MB), Expect::Recovers);
    feed(&mut r, &mut list, "elements", "/elements/feed.xml", rss, feeds::many_elements(9 * MB), Expect::Recovers);
    feed(
        &mut r,
        &mut list,
        "archive",
        "/archive/feed.xml",
        rss,
        feeds::many_items(ARCHIVE, &format!("{origin}/archive"), now),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "scripts",
        "/scripts/feed.xml",
        rss,
        feeds::script_urls_rss(&format!("{origin}/scripts")),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "scripts-atom",
        "/scripts-atom/feed.xml",
        "application/atom+xml",
        feeds::script_urls_atom(&format!("{origin}/scripts-atom")),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "scripts-json",
        "/scripts-json/feed.json",
        "application/feed+json",
        feeds::script_urls_json(&format!("{origin}/scripts-json")),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "markup",
        "/markup/feed.xml",
        rss,
        feeds::markup_titles(&format!("{origin}/markup")),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "json-deep",
        "/json-deep/feed.json",
        "application/feed+json",
        feeds::json_deep(9 * MB),
        Expect::Recovers,
    );
    feed(
        &mut r,
        &mut list,
        "json-values",
        "/json-values/feed.json",
        "application/feed+json",
        feeds::json_many_values(9 * MB),
        Expect::Recovers,
    );
    let hostile_pages: Vec<(&str, String)> = vec![
        ("deep-divs", pages::deep_divs(9 * MB)),
        ("nested-tables", pages::nested_tables(9 * MB)),
        ("misnested", pages::misnested(9 * MB)),
        ("paragraph-soup", pages::paragraph_soup(9 * MB)),
        ("many-attributes", pages::many_attributes(9 * MB)),
        ("long-token", pages::long_token(9 * MB)),
        ("entity-text", pages::entity_text(9 * MB)),
        ("json-ld-bomb", pages::json_ld_bomb(9 * MB)),
        ("unclosed-skipped", pages::unclosed_skipped(9 * MB)),
        ("script-urls", pages::script_urls("Scripted page")),
    ];
    let page_items: String = hostile_pages
        .iter()
        .enumerate()
        .map(|(i, (kind, _))| {
            format!(
                "<item><title>Page {kind}</title><link>{origin}/pages/{kind}.html</link><guid>page-{kind}</guid>\
                 <pubDate>{}</pubDate><description>A hostile page.</description></item>",
                feeds::rfc822(now - 60 * i as i64)
            )
        })
        .collect();
    feed(
        &mut r,
        &mut list,
        "pages",
        "/pages/feed.xml",
        rss,
        format!("<rss version=\"2.0\"><channel><title>Pages</title>{page_items}</channel></rss>"),
        Expect::Recovers,
    );
    for (kind, page) in hostile_pages {
        r.insert(format!("/pages/{kind}.html"), ok("text/html; charset=utf-8", page));
    }
    feed(
        &mut r,
        &mut list,
        "huge",
        "/huge/feed.xml",
        rss,
        format!("<rss>{}</rss>", " ".repeat(11 * MB)),
        Expect::Fails("more than"),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 40 * MB]).unwrap();
    let bomb = gz.finish().unwrap();
    r.insert(
        "/gzip-bomb/feed.xml".into(),
        (
            StatusCode::OK,
            vec![(header::CONTENT_TYPE, rss.into()), (header::CONTENT_ENCODING, "gzip".into())],
            bomb.into(),
        ),
    );
    list.push(("gzip-bomb", "/gzip-bomb/feed.xml".into(), Expect::Fails("more than")));
    r.insert("/html/feed.xml".into(), ok("text/html", "<!DOCTYPE html><html><body><p>Not a feed</p></body></html>"));
    list.push(("html", "/html/feed.xml".into(), Expect::Fails("HTML page")));
    r.insert("/loop-a".into(), redirect(format!("{origin}/loop-b")));
    r.insert("/loop-b".into(), redirect(format!("{origin}/loop-a")));
    list.push(("loop", "/loop-a".into(), Expect::Fails("redirects")));
    let port = origin.rsplit(':').next().unwrap();
    r.insert("/to-forbidden".into(), redirect(format!("http://127.0.0.3:{port}/good-a/feed.xml")));
    list.push(("to-forbidden", "/to-forbidden".into(), Expect::Fails("127.0.0.3")));
    r.insert("/error/feed.xml".into(), (StatusCode::INTERNAL_SERVER_ERROR, vec![], Bytes::from_static(b"oops")));
    list.push(("error", "/error/feed.xml".into(), Expect::Fails("500")));
    // robots.txt that repeats its agent line (once a memory bomb), allowing all.
    r.insert(
        "/robots.txt".into(),
        ok("text/plain", format!("{}{}", "User-agent: *\n".repeat(20_000), "Disallow: /nothing-here\n".repeat(20_000))),
    );
    r.insert("/img.png".into(), ok("image/png", PNG));
    (list, r)
}

/// Items of the archive feed: more than a crawl fetches pages for.
const ARCHIVE: usize = 3_000;

/// Serves the hostile web on 127.0.0.2; pages not listed are healthy
/// articles (archive items, the script feeds' good links).
async fn hostile_web() -> (String, Publishers, tokio::task::JoinHandle<()>) {
    let listener =
        tokio::net::TcpListener::bind("127.0.0.2:0").await.expect("loopback 127.0.0.2 is available on Linux");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let now = chrono::Utc::now().timestamp() - 3600;
    let (list, replies) = publishers(&origin, now);
    let replies = Arc::new(replies);
    let image = format!("{origin}/img.png");
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let (replies, image) = (replies.clone(), image.clone());
        async move {
            let path = uri.path().to_string();
            match replies.get(&path) {
                Some((status, headers, body)) => {
                    let mut resp = (*status, body.clone()).into_response();
                    for (k, v) in headers {
                        resp.headers_mut().insert(k.clone(), v.parse().unwrap());
                    }
                    resp
                }
                None if path.ends_with(".html") => {
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article_page(&path, &image)).into_response()
                }
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let (origin, task) = super::serve_on(listener, app);
    (origin, list, task)
}

/// Waits for our child `pid` and returns its exit code and peak resident
/// memory in bytes, from the kernel's accounting (`wait4`).
fn wait_with_peak_rss(pid: u32) -> (Option<i32>, u64) {
    let pid = pid as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `status` and `usage` outlive the call.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, usage.ru_maxrss as u64 * 1024)
}

/// Every `href` and `src` value in a page.
fn urls_in(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            out.push(rest[..rest.find('"').unwrap_or(rest.len())].to_string());
        }
    }
    out
}

fn is_web_or_local(u: &str) -> bool {
    let u = u.replace("&amp;", "&");
    (u.starts_with('/') && !u.starts_with("//")) || u.starts_with('#') || model::WebUrl::is_valid(&u)
}

#[test]
fn issue_14_the_hostile_web_is_contained_source_by_source() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, publishers, _web) = rt.block_on(hostile_web());
    let work = tempfile::tempdir().unwrap();
    let opml: String = publishers
        .iter()
        .map(|(name, path, _)| format!("<outline text=\"{name}\" xmlUrl=\"{origin}{path}\"/>"))
        .collect();
    let opml_path = work.path().join("hostile.opml");
    std::fs::write(&opml_path, format!("<opml version=\"2.0\"><body>{opml}</body></opml>")).unwrap();
    let (crawl_dir, serve_dir) = (work.path().join("crawl"), work.path().join("serve"));
    for dir in [&crawl_dir, &serve_dir] {
        let out = tagline(dir, &["--allow-host", "127.0.0.2", "sources", "import", opml_path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    // The site, crawling the same web with its own crawler, from the start.
    let mut serve = Command::new(env!("CARGO_BIN_EXE_tagline"));
    serve.arg("--data").arg(&serve_dir).args(["serve", "--listen", "127.0.0.1:0"]).env("TAGLINE_LOG", "error");
    let (serve, site) = super::spawn_with_url_containing(serve, "serving on");
    // The one-shot crawl, as a child whose peak memory the kernel reports.
    let mut crawl = Command::new(env!("CARGO_BIN_EXE_tagline"))
        .arg("--data")
        .arg(&crawl_dir)
        .args(["crawl", "--once"])
        .env("TAGLINE_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, crawl_done) = std::sync::mpsc::channel();
    let crawl_started = Instant::now();
    let mut crawl_stdout = crawl.stdout.take().unwrap();
    let crawl_pid = crawl.id();
    std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut crawl_stdout, &mut out).unwrap();
        // Reaped by wait4 for its usage; the Child handle is never waited on.
        let _ = tx.send((wait_with_peak_rss(crawl_pid), out, crawl_started.elapsed()));
        drop(crawl);
    });

    // Poll the site until both crawls are done: every answer must come.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let fetch = |path: &str| -> Result<(u16, String), reqwest::Error> {
        rt.block_on(async {
            let r = client.get(format!("{site}{path}")).send().await?;
            Ok((r.status().as_u16(), r.text().await?))
        })
    };
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut polls = 0;
    let mut crawl_result = None;
    let all_crawled = |body: &str| {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["sources"].as_array().unwrap().iter().all(|s| s["status"] != "new")
    };
    loop {
        for path in ["/healthz", "/", "/api/v1/sources"] {
            let (status, _) =
                fetch(path).unwrap_or_else(|e| panic!("the site stopped answering {path} after {polls} polls: {e}"));
            assert_eq!(status, 200, "{path}");
            polls += 1;
        }
        if crawl_result.is_none() {
            crawl_result = crawl_done.try_recv().ok();
        }
        let (_, sources) = fetch("/api/v1/sources").unwrap();
        let (_, queue) = fetch("/metrics").unwrap();
        let drained = queue.lines().any(|l| l == "tagline_enrich_queue 0");
        if crawl_result.is_some() && all_crawled(&sources) && drained {
            break;
        }
        if Instant::now() >= deadline {
            let new: Vec<String> = serde_json::from_str::<serde_json::Value>(&sources).unwrap()["sources"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["status"] == "new")
                .map(|s| s["name"].to_string())
                .collect();
            let q: Vec<&str> = queue.lines().filter(|l| l.starts_with("tagline_enrich_queue")).collect();
            panic!(
                "the crawls did not finish in time: one-shot done {}, not crawled {new:?}, {q:?}",
                crawl_result.is_some()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let ((code, peak), report, took) = crawl_result.unwrap();

    // crawl --once: failing sources are reported (non-zero exit), the rest stored.
    assert_eq!(code, Some(1), "some sources fail, and the crawl says so:\n{report}");
    assert!(peak < 1 << 30, "the crawl's peak RSS was {} MB", peak >> 20);
    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.starts_with(&format!("FAILED {name} (")) || l.starts_with(&format!("ok {name}:")))
            .unwrap_or_else(|| panic!("{name} is not in the report:\n{report}"))
            .to_string()
    };
    for (name, _, expect) in &publishers {
        let l = line(name);
        match expect {
            Expect::Healthy(n) => assert_eq!(l, format!("ok {name}: {n} new"), "{name}"),
            Expect::Fails(why) => assert!(l.starts_with("FAILED") && l.contains(why), "{name} fails clearly: {l}"),
            Expect::Recovers => assert!(l.starts_with("ok "), "{name} recovers: {l}"),
        }
    }
    assert!(report.contains(&format!("{} older entries stored from the feed only", ARCHIVE - 100)), "{report}");

    // What was stored: only http(s) URLs, and tags made of words.
    let store = rt.block_on(async { store::SqliteStore::open(crawl_dir.join("tagline.db")).unwrap() });
    let stored = rt.block_on(async {
        use store::prelude::*;
        let q = store::ArticleQuery { filter: store::ArticleFilter::All, after: None, limit: 100_000 };
        store.list_articles(&q).await.unwrap()
    });
    assert!(stored.len() > ARCHIVE, "{}", stored.len());
    for a in &stored {
        assert!(model::WebUrl::is_valid(&a.url), "stored URL {:?}", a.url);
        assert!(a.image.as_deref().is_none_or(model::WebUrl::is_valid), "stored image {:?}", a.image);
        assert!(a.title.chars().count() <= 401, "a {}-character title", a.title.chars().count());
        for t in &a.tags {
            let n = t.name.as_str().to_lowercase();
            for bad in ["script", "http", "cookie", "alert", "onerror", "fetch", "evil"] {
                assert!(!n.contains(bad), "tag #{} of {:?}", t.name, a.title);
            }
        }
    }
    let sources = rt.block_on(async { store::Sources::sources(&store).await.unwrap() });
    let archive = sources.iter().find(|s| s.name == "archive").unwrap();
    assert!(archive.last_note.as_deref().unwrap_or("").contains("at most 100 pages per crawl"), "{archive:?}");

    // What the site renders: every link and image on every page of the
    // non-archive articles is local or http(s); so is every feed out.
    let (status, body) = fetch("/api/v1/articles?limit=100").unwrap();
    let served: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("/api/v1/articles answered {status}: {e}: {body}"));
    let ids: Vec<i64> = served["articles"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert!(!ids.is_empty());
    let mut checked = 0;
    for path in ids.iter().map(|id| format!("/article/{id}")).chain(
        ["/", "/search?q=harbour", "/source/scripts/feed.atom", "/source/scripts", "/source/markup", "/source/archive"]
            .map(String::from),
    ) {
        let (_, body) = fetch(&path).unwrap();
        for u in urls_in(&body) {
            assert!(is_web_or_local(&u), "{path} renders {u:?}");
            checked += 1;
        }
        // A script URL may appear as text (an article quoting one); never
        // as the value of an attribute.
        let lower = body.to_ascii_lowercase();
        for attr in ["=\"javascript:", "=\"data:", "=\"vbscript:", "=javascript:"] {
            assert!(!lower.contains(attr), "{path} has an attribute {attr}…");
        }
    }
    assert!(checked > 100, "{checked} URLs checked");

    // In Chromium: no page runs a script, none links anywhere but here or
    // http(s), following its links runs nothing either.
    let out = super::browser_script("hostile.mjs", &site).output().expect("node");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "browser check of the hostile crawl:\n{said}\n{}", stderr(&out));
    assert!(said.contains("script executions 0, bad addresses 0"), "{said}");

    // serve's own memory, once it is stopped. (Reaped here; the Killed
    // guard's own kill and wait then find nothing to do.)
    let serve_pid = serve.0.id();
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(serve_pid as i32, libc::SIGTERM) };
    let (_, serve_peak) = wait_with_peak_rss(serve_pid);
    assert!(serve_peak < 1 << 30, "serve's peak RSS was {} MB", serve_peak >> 20);
    println!(
        "hostile web: {} publishers; crawl --once {:.1} s, peak RSS {} MB; serve peak RSS {} MB, {polls} polls answered",
        publishers.len(),
        took.as_secs_f64(),
        peak >> 20,
        serve_peak >> 20
    );
}
