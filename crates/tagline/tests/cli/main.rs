//! The tagline binary, driven as an operator would: the seed replay of
//! issue 2, and the failure cases its "done when" lists.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

mod architecture;
mod demo_replay;
mod hostile;
mod hostile_web;

const NOW: &str = "2025-06-28T12:00:00Z";

fn tagline(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tagline"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("TAGLINE_ALLOW_PRIVATE_NETWORK")
        .env_remove("TAGLINE_NOW")
        .env("TAGLINE_LOG", "error")
        .output()
        .expect("run tagline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A child process killed when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a process and returns it with the URL from its first stdout line
/// that contains "http://".
fn spawn_with_url(cmd: Command) -> (Killed, String) {
    spawn_with_url_containing(cmd, "http://")
}

/// Starts a process and returns it with the URL from its first stdout line
/// containing `marker`; fails after a generous two minutes rather than
/// waiting for ever on a process that never says it.
fn spawn_with_url_containing(mut cmd: Command, marker: &str) -> (Killed, String) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn");
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let marker = marker.to_string();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(out).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            if let (true, Some(i)) = (line.contains(&marker), line.find("http://")) {
                let _ = tx.send(line[i..].trim_end_matches('/').to_string());
                break;
            }
        }
        // Keep draining stdout so the child never blocks on a full pipe.
        for _ in lines {}
    });
    let child = Killed(child);
    let url = rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the process printed its address");
    (child, url)
}

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/seed")
}

/// The seed corpus, or `None` when this clone has no `../shared` beside it:
/// then the test says so in one line that the test harness does not
/// capture, and skips. (`.ci/run` refuses to run without the corpora, so
/// CI never skips silently; the demo-web twins in `demo_replay.rs` test the
/// same behaviour on fixtures of our own.)
fn seed_or_skip(test: &str) -> Option<PathBuf> {
    let dir = seed_dir();
    if dir.join("articles.jsonl").exists() {
        return Some(dir);
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped {test}: it reads {}, which is not beside this clone", dir.display());
    None
}

fn seed_articles() -> Vec<serde_json::Value> {
    std::fs::read_to_string(seed_dir().join("articles.jsonl"))
        .expect("the seed corpus at ../shared/corpora/seed")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn issue_2_seed_replay_through_the_cli() {
    let Some(_) = seed_or_skip("issue_2_seed_replay_through_the_cli") else { return };
    let mut py = Command::new("python3");
    py.arg(seed_dir().join("serve.py")).args(["--port", "0", "--quiet"]);
    let (_server, origin) = spawn_with_url(py);
    let data = tempfile::tempdir().unwrap();
    let d = data.path();

    // Without permission, a loopback publisher is refused with a clear reason.
    let refused = tagline(d, &["sources", "add", &format!("{origin}/diplomat/")]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("loopback"), "{}", stderr(&refused));

    for publisher in ["diplomat", "thestar"] {
        let out = tagline(d, &["--allow-private-network", "sources", "add", &format!("{origin}/{publisher}/")]);
        assert!(out.status.success(), "adding {publisher}: {}", stderr(&out));
    }
    // The environment variable works like the flag.
    let out = Command::new(env!("CARGO_BIN_EXE_tagline"))
        .arg("--data")
        .arg(d)
        .args(["sources", "add", &format!("{origin}/iol/")])
        .env("TAGLINE_ALLOW_PRIVATE_NETWORK", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "adding iol with TAGLINE_ALLOW_PRIVATE_NETWORK=1: {}", stderr(&out));
    let list = stdout(&tagline(d, &["sources", "list"]));
    for feed in ["/diplomat/feed.xml", "/thestar/atom.xml", "/iol/feed.json"] {
        assert!(list.contains(feed), "feed {feed} discovered:\n{list}");
    }

    // The permission given when adding is remembered for those sources.
    let first = tagline(d, &["--now", NOW, "crawl", "--once"]);
    assert!(first.status.success(), "crawl failed:\n{}\n{}", stdout(&first), stderr(&first));
    assert!(stdout(&first).contains("5 articles stored"), "{}", stdout(&first));
    let second = tagline(d, &["--now", NOW, "crawl", "--once"]);
    assert!(second.status.success());
    assert!(stdout(&second).contains("0 articles stored"), "second crawl stores nothing new:\n{}", stdout(&second));

    let mut serve = Command::new(env!("CARGO_BIN_EXE_tagline"));
    serve.arg("--data").arg(d).args(["--now", NOW, "serve", "--no-crawl", "--listen", "127.0.0.1:0"]);
    let (_web, site) = spawn_with_url(serve);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (page, api) = rt.block_on(async {
        let page = reqwest::get(format!("{site}/tag/China-CentralAsia")).await.unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        let api: serde_json::Value = serde_json::from_str(
            &reqwest::get(format!("{site}/api/v1/tags/china-centralasia/articles"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        (page, api)
    });

    let expected = seed_articles();
    assert!(page.contains("Latest news with #China-CentralAsia"));
    let mut last = 0;
    for a in &expected {
        let title = a["title"].as_str().unwrap();
        let pos = page.find(title).unwrap_or_else(|| panic!("{title} on the tag page"));
        assert!(pos > last, "{title} is out of order");
        last = pos;
    }
    assert_eq!(page.matches("11 hours ago").count(), 1);
    assert_eq!(page.matches("6 days ago").count(), 3);
    assert_eq!(page.matches("18-06-2025").count(), 1);
    for name in ["The Diplomat", "The Star", "IOL News", "Business"] {
        assert!(page.contains(name), "{name} on the tag page");
    }

    let articles = api["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 5);
    let mut stories = Vec::new();
    for (got, want) in articles.iter().zip(&expected) {
        assert_eq!(got["title"], want["title"]);
        assert_eq!(got["source"]["name"], want["source"]);
        assert_eq!(got["published"], want["published"]);
        assert_eq!(got["relative_time"], want["display_time"]);
        assert_eq!(got["categories"], serde_json::json!(["Business"]));
        assert!(got["tags"].as_array().unwrap().iter().any(|t| t["name"] == "China-CentralAsia"));
        for field in ["id", "url", "story", "excerpt", "text"] {
            assert!(!got[field].is_null(), "{field} present");
        }
        let text = got["text"].as_str().unwrap();
        for f in want["forbidden_substrings"].as_array().unwrap() {
            assert!(!text.contains(f.as_str().unwrap()), "{}: forbidden {f} in text", want["id"]);
        }
        let body: String = want["body"].as_str().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains(&body), "{}: the whole body is stored", want["id"]);
        stories.push((want["story_cluster"].as_str().unwrap().to_string(), got["story"].as_i64().unwrap()));
    }
    // The three Star reports are one story; the others each their own.
    for (c1, s1) in &stories {
        for (c2, s2) in &stories {
            assert_eq!(c1 == c2, s1 == s2, "stories of {c1} and {c2}");
        }
    }

    // Issues 5 and 6: the site shows stories, related and trending tags.
    let star = articles.iter().find(|a| a["source"]["name"] == "The Star").unwrap();
    let get = |path: String| {
        rt.block_on(async { reqwest::get(format!("{site}{path}")).await.unwrap().text().await.unwrap() })
    };
    let article_page = get(format!("/article/{}", star["id"]));
    assert!(article_page.contains("Also reported by") && article_page.contains("Full coverage"));
    assert!(page.contains("Related topics"));
    let home = get("/".into());
    let trending = home.find("Trending topics").expect("trending tags on the home page");
    assert!(home[trending..].contains("#China-CentralAsia"));
    assert!(home.contains("3 outlets") || home.contains("2 outlets") || home.contains("1 outlet"));
    run_browser(&site, _web.0.id());
}

/// A `node` command in `browser/`, with Chromium and the pinned packages
/// there (installed by `npm ci` when missing).
fn browser_script(script: &str, site: &str) -> Command {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser");
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
        "the browser tests need Chromium: run .ci/run, or apt-get install chromium"
    );
    if !dir.join("node_modules/playwright-core").exists() {
        let npm = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).output().expect("npm");
        assert!(npm.status.success(), "npm ci in browser/: {}", stderr(&npm));
    }
    let mut cmd = Command::new("node");
    cmd.arg(script).arg(site).current_dir(&dir);
    cmd
}

/// Waits until the site's search index holds documents (its first
/// catch-up after start), as `/metrics` reports; fails after a minute.
fn wait_until_indexed(site: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let indexed = || {
        let body = rt.block_on(async { reqwest::get(format!("{site}/metrics")).await.ok()?.text().await.ok() });
        body.unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("tagline_search_indexed_documents "))
            .and_then(|n| n.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while indexed() == 0 {
        assert!(std::time::Instant::now() < deadline, "the search index stayed empty");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Runs the headless-Chromium checks (browser/run.mjs) against a running
/// site; they end by killing `pid` to test offline reading.
fn run_browser(site: &str, pid: u32) {
    let mut cmd = browser_script("run.mjs", site);
    cmd.env("TAGLINE_PID", pid.to_string());
    if let Some(shots) = std::env::var_os("TAGLINE_SCREENSHOTS") {
        cmd.arg(shots);
    }
    let out = cmd.output().expect("node");
    println!("{}", stdout(&out));
    assert!(out.status.success(), "browser checks failed:\n{}\n{}", stdout(&out), stderr(&out));
}

#[test]
fn issue_6_the_demo_passes_the_browser_checks() {
    let data = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_tagline"));
    demo.arg("--data").arg(data.path()).args(["demo", "--listen", "127.0.0.1:0"]).env("TAGLINE_LOG", "error");
    let (web, site) = spawn_with_url_containing(demo, "serving on");
    wait_until_indexed(&site);
    run_browser(&site, web.0.id());
}

/// Serves `app` on `listener` until the test ends; returns its origin.
fn serve_on(listener: tokio::net::TcpListener, app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, handle)
}

/// Every stored article, newest first, read straight from the data directory.
fn stored_articles(rt: &tokio::runtime::Runtime, data: &Path) -> Vec<model::Article> {
    rt.block_on(async {
        use store::prelude::*;
        let store = store::SqliteStore::open(data.join("tagline.db")).unwrap();
        let q = store::ArticleQuery { filter: store::ArticleFilter::All, after: None, limit: 1000 };
        store.list_articles(&q).await.unwrap()
    })
}

/// A small misbehaving publisher web for the failure cases.
async fn fault_server() -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::header::CONTENT_TYPE;
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let o = origin.clone();
    let good = move || {
        let o = o.clone();
        async move {
            let items: String = (1..=2)
                .map(|i| format!("<item><title>Good story {i}</title><link>{o}/story{i}.html</link><guid>good-{i}</guid><pubDate>Sat, 28 Jun 2025 0{i}:00:00 +0000</pubDate><description>Summary {i}.</description></item>"))
                .collect();
            (
                [(CONTENT_TYPE, "application/rss+xml")],
                format!("<rss version=\"2.0\"><channel><title>Good</title><link>{o}/</link>{items}</channel></rss>"),
            )
        }
    };
    let story = || async {
        ([(CONTENT_TYPE, "text/html")], "<html><head><title>A story</title></head><body><article><h1>A story</h1><p>The council approved the harbour budget on Friday after a long debate about repairs to the sea wall and the ferry terminal.</p><p>Work starts in spring and should take two years, officials said.</p></article></body></html>")
    };
    let app = axum::Router::new()
        .route("/good.xml", get(good))
        .route("/story1.html", get(story))
        .route("/story2.html", get(story))
        .route(
            "/page.html",
            get(|| async {
                ([(CONTENT_TYPE, "text/html")], "<!DOCTYPE html><html><body><p>Just a page</p></body></html>")
            }),
        )
        .route(
            "/broken.xml",
            get(|| async {
                (
                    [(CONTENT_TYPE, "application/rss+xml")],
                    "<rss version=\"2.0\"><channel><title>Broken</title><item><title>Half",
                )
            }),
        );
    serve_on(listener, app)
}

#[test]
fn issue_2_a_failing_source_is_named_and_the_others_are_still_crawled() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, _server) = rt.block_on(fault_server());
    // A port that was just free and is now closed: connection refused.
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/feed.xml", l.local_addr().unwrap())
    };
    let data = tempfile::tempdir().unwrap();
    let d = data.path();

    // Adding a URL that is not a feed fails at once, naming it.
    let out = tagline(d, &["--allow-private-network", "sources", "add", &format!("{origin}/page.html")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("page.html") && stderr(&out).contains("not a feed"), "{}", stderr(&out));

    // Sources that break after being added are registered through the store.
    rt.block_on(async {
        use store::prelude::*;
        let store = store::SqliteStore::open(d.join("tagline.db")).unwrap();
        let add = |name: &str, url: &str, trusted: bool| model::NewSource {
            name: name.into(),
            home_url: None,
            feed_url: model::FeedUrl::parse(url).unwrap(),
            region: None,
            lang: None,
            fetch_pages: true,
            trusted_hosts: if trusted { vec!["127.0.0.1".into()] } else { vec![] },
        };
        for s in [
            add("Good", &format!("{origin}/good.xml"), true),
            add("Missing", &format!("{origin}/missing.xml"), true),
            add("NotAFeed", &format!("{origin}/page.html"), true),
            add("Broken", &format!("{origin}/broken.xml"), true),
            add("Unreachable", &unreachable, true),
            add("Private", &format!("{origin}/good.xml?private"), false),
        ] {
            store.add_source(s).await.unwrap();
        }
    });

    let out = tagline(d, &["crawl", "--once"]);
    let text = stdout(&out);
    assert!(!out.status.success(), "the exit status reflects the failures");
    assert!(text.contains("ok Good: 2 new"), "{text}");
    let failed_line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("FAILED {name} ")))
            .unwrap_or_else(|| panic!("{name} failed:\n{text}"))
            .to_string()
    };
    assert!(failed_line("Missing").contains("404"));
    assert!(failed_line("NotAFeed").contains("not a feed"));
    assert!(failed_line("Broken").contains("not a readable"));
    assert!(failed_line("Unreachable").contains("could not fetch"));
    assert!(failed_line("Private").contains("loopback"));
    assert!(text.contains("5 failed"), "{text}");

    let list = stdout(&tagline(d, &["sources", "list"]));
    assert!(list.contains("last error: ") && list.contains("404"), "sources list shows errors:\n{list}");
}

#[test]
fn issue_3_extract_refuses_a_gzip_bomb_and_a_bad_file_does_not_stop_the_batch() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // 200 MB of zeros, about 200 KB compressed.
    let bomb = dir.path().join("bomb.html.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&bomb).unwrap(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap();
    let out = tagline(dir.path(), &["extract", bomb.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("larger than"), "{}", stdout(&out));

    let good = dir.path().join("good.html");
    std::fs::write(&good, "<html><head><title>Good page title here</title></head><body><article><p>The council approved the harbour budget on Friday after a long debate about repairs.</p></article></body></html>").unwrap();
    let input = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"id": "a", "path": good}),
        serde_json::json!({"id": "b", "path": bomb}),
        serde_json::json!({"id": "c", "path": dir.path().join("missing.html")}),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_tagline"))
        .args(["extract", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    assert!(lines[0]["text"].as_str().unwrap().contains("harbour budget"));
    assert!(lines[0]["error"].is_null());
    assert_eq!(lines[1]["id"], "b");
    assert!(lines[1]["error"].as_str().unwrap().contains("larger than"));
    assert_eq!(lines[2]["id"], "c");
    assert!(lines[2]["error"].as_str().unwrap().contains("missing.html"));
}

#[test]
fn issue_3_per_source_rules_apply_when_crawling() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, _server) = rt.block_on(fault_server());
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out =
        tagline(d, &["--allow-private-network", "sources", "add", &format!("{origin}/good.xml"), "--name", "Good"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let bad = tagline(d, &["sources", "rules", "good", "--drop", "p[["]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("not a valid CSS selector"), "{}", stderr(&bad));
    let ok = tagline(d, &["sources", "rules", "good", "--keep", "article", "--drop", "p + p"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let shown = stdout(&tagline(d, &["sources", "rules", "good"]));
    assert!(shown.contains("p + p"), "{shown}");

    assert!(tagline(d, &["crawl", "--once"]).status.success());
    let texts: Vec<String> = stored_articles(&rt, d).into_iter().map(|a| a.text).collect();
    assert_eq!(texts.len(), 2);
    for t in texts {
        assert!(t.contains("harbour budget"), "{t}");
        assert!(!t.contains("Work starts in spring"), "the drop rule removed the second paragraph: {t}");
    }
}

#[test]
fn issue_4_opml_import_and_export_round_trip() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, _server) = rt.block_on(fault_server());
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let opml = d.join("subs.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
            <outline text="Local"><outline text="Good &amp; Local" type="rss" xmlUrl="{origin}/good.xml" htmlUrl="{origin}/"/></outline>
            <outline text="Broken URL" xmlUrl="not a url"/></body></opml>"#
        ),
    )
    .unwrap();
    let out = tagline(d, &["--allow-private-network", "sources", "import", opml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 1 sources (0 already known, 1 invalid)"), "{}", stdout(&out));
    // Importing again merges with what is there.
    let again = tagline(d, &["sources", "import", opml.to_str().unwrap()]);
    assert!(stdout(&again).contains("imported 0 sources (1 already known"), "{}", stdout(&again));

    let exported = stdout(&tagline(d, &["sources", "export"]));
    assert!(exported.contains("<opml version=\"2.0\">"), "{exported}");
    assert!(exported.contains(&format!("xmlUrl=\"{origin}/good.xml\"")), "{exported}");
    assert!(exported.contains("Good &amp; Local"), "{exported}");

    // The consent given at import covers the crawl.
    let crawl = tagline(d, &["crawl", "--once", "--feeds-only"]);
    assert!(crawl.status.success(), "{}", stdout(&crawl));
    assert!(stdout(&crawl).contains("2 new"), "{}", stdout(&crawl));
}

/// A feed of `n` items whose article pages each take 300 ms.
async fn slow_pages_server(n: usize) -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::header::CONTENT_TYPE;
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let o = origin.clone();
    let app = axum::Router::new()
        .route(
            "/feed.xml",
            get(move || {
                let o = o.clone();
                async move {
                    let items: String = (0..n)
                        .map(|i| format!("<item><title>Story {i}</title><link>{o}/a/{i}</link><guid>g{i}</guid><pubDate>Sat, 28 Jun 2025 01:{:02}:00 +0000</pubDate></item>", i % 60))
                        .collect();
                    ([(CONTENT_TYPE, "application/rss+xml")], format!("<rss version=\"2.0\"><channel><title>Slow</title>{items}</channel></rss>"))
                }
            }),
        )
        .route(
            "/a/{i}",
            get(|axum::extract::Path(i): axum::extract::Path<usize>| async move {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                ([(CONTENT_TYPE, "text/html")], format!("<html><head><title>Story {i}</title></head><body><article><p>Story number {i} tells of a harbour, a council and a long debate that went on well into the night.</p></article></body></html>"))
            }),
        );
    serve_on(listener, app)
}

#[test]
fn issue_4_kill_9_during_a_crawl_loses_nothing_and_the_next_crawl_completes_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, _server) = rt.block_on(slow_pages_server(24));
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    assert!(tagline(d, &["--allow-private-network", "sources", "add", &format!("{origin}/feed.xml")]).status.success());

    let mut child = Command::new(env!("CARGO_BIN_EXE_tagline"))
        .arg("--data")
        .arg(d)
        .args(["crawl", "--once"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the first articles are stored: the pages take 300 ms
    // each, two at a time, so at least 3.6 s of the crawl remain.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !d.join("tagline.db").exists() || stored_articles(&rt, d).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the crawl stored nothing within a minute");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the crawl was killed, not finished");

    let count = |rt: &tokio::runtime::Runtime| stored_articles(rt, d).into_iter().map(|a| a.guid).collect::<Vec<_>>();
    let before = count(&rt);
    assert!(before.len() < 24, "killed mid-crawl: {} stored", before.len());

    let out = tagline(d, &["crawl", "--once"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let mut after = count(&rt);
    for g in &before {
        assert!(after.contains(g), "{g} stored before the kill is still there");
    }
    after.sort();
    after.dedup();
    assert_eq!(after.len(), 24, "every item stored exactly once");
}

/// Runs tagline with `input` on stdin.
fn piped(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tagline"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Runs tagline with `input` on stdin; its JSON lines.
fn run_stdin(args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let out = piped(args, input);
    assert!(out.status.success());
    stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn issue_5_evaluation_commands_on_the_seed_articles() {
    let Some(_) = seed_or_skip("issue_5_evaluation_commands_on_the_seed_articles") else { return };
    let articles = seed_articles();
    let input: String = articles
        .iter()
        .rev() // arrival order: oldest first
        .map(|a| {
            serde_json::json!({"id": a["id"], "title": a["title"], "text": a["body"], "published": a["published"]})
                .to_string()
                + "\n"
        })
        .collect();

    for t in run_stdin(&["tag"], &input) {
        let names: Vec<&str> = t["tags"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"China-CentralAsia"), "{}: {names:?}", t["id"]);
        assert!(!t["keyphrases"].as_array().unwrap().is_empty());
    }

    let stories = run_stdin(&["cluster"], &input);
    let story_of = |id: &str| stories.iter().find(|s| s["id"] == id).unwrap()["story"].clone();
    for a in &articles {
        for b in &articles {
            let same_gold = a["story_cluster"] == b["story_cluster"];
            let same_pred = story_of(a["id"].as_str().unwrap()) == story_of(b["id"].as_str().unwrap());
            assert_eq!(same_gold, same_pred, "{} and {}", a["id"], b["id"]);
        }
    }

    for c in run_stdin(&["classify"], &input) {
        assert_eq!(c["scores"].as_object().unwrap().len(), 8, "scores over the whole taxonomy");
        assert!(c["label"].is_string());
    }
}

#[test]
fn issue_5_train_category_cross_validates_and_writes_a_reproducible_model() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for i in 0..30 {
        let (label, text) = if i % 2 == 0 {
            ("business", "Shares and markets rallied as investors cheered company earnings and profit.")
        } else {
            ("sport", "The team won the cup match with a late goal before the league season ends.")
        };
        lines.push_str(
            &serde_json::json!({"id": format!("d{i}"), "title": "", "text": text, "label": label}).to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(dir.path().join("toy.jsonl"), lines).unwrap();
    let out1 = dir.path().join("a.model");
    let out2 = dir.path().join("b.model");
    let run = |out: &std::path::Path| {
        tagline(
            dir.path(),
            &[
                "train",
                "category",
                "--data",
                dir.path().to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--folds",
                "3",
            ],
        )
    };
    let first = run(&out1);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("3-fold cross-validation, toy: accuracy 1.000 over 30 documents"),
        "{}",
        stdout(&first)
    );
    assert!(run(&out2).status.success());
    assert_eq!(std::fs::read(&out1).unwrap(), std::fs::read(&out2).unwrap(), "retraining reproduces the model");
}

#[test]
fn issue_6_synth_reindex_and_the_benchmarks_run_on_a_small_corpus() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out = tagline(d, &["synth", "--articles", "300"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("stored 300 synthetic articles"));
    let out = tagline(d, &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("indexed 300 articles"));
    // Rebuilding again gives the same index, not a doubled one.
    assert!(stdout(&tagline(d, &["reindex"])).contains("indexed 300 articles"));
    let out = tagline(d, &["bench", "search", "--queries", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("search over 300 articles"), "{}", stdout(&out));
    let out = tagline(d, &["bench", "pages", "--requests", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("topic pages over 300 articles"));
    let out = tagline(d, &["bench", "cluster", "--articles", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("story assignment over 300 stored articles"), "{}", stdout(&out));
}

#[test]
fn issue_6_hash_password_makes_an_argon2_hash() {
    let out = piped(&["hash-password"], "correct horse battery\n");
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("$argon2id$"), "{}", stdout(&out));
}

/// A publisher web of `feeds` RSS feeds with `items` each, every response
/// slowed a little so that a crawl takes long enough to kill a worker in.
async fn feed_farm(feeds: usize, items: usize) -> (String, tokio::task::JoinHandle<()>) {
    use axum::http::header::CONTENT_TYPE;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let o = origin.clone();
    let app = axum::Router::new().route(
        "/feed/{n}",
        axum::routing::get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
            let o = o.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                if n >= feeds {
                    return (axum::http::StatusCode::NOT_FOUND, [(CONTENT_TYPE, "text/plain")], String::new());
                }
                let base = chrono::DateTime::parse_from_rfc3339(NOW).unwrap();
                let body: String = (0..items)
                    .map(|k| {
                        let published = (base - chrono::Duration::hours((n * items + k) as i64 + 1)).to_rfc2822();
                        format!(
                            "<item><title>Kazakhstan and China agree harbour budget, report {k} of outlet {n}</title><link>{o}/a/{n}/{k}</link>\
                             <guid>feed{n}-item{k}</guid><pubDate>{published}</pubDate>\
                             <description>Officials from Kazakhstan and China debated item {k} of the harbour budget of town {n} in Astana on Friday. The harbour budget covers the port of Aktau.</description></item>"
                        )
                    })
                    .collect();
                (
                    axum::http::StatusCode::OK,
                    [(CONTENT_TYPE, "application/rss+xml")],
                    format!("<rss version=\"2.0\"><channel><title>Outlet {n}</title><link>{o}/</link>{body}</channel></rss>"),
                )
            }
        }),
    );
    serve_on(listener, app)
}

#[test]
fn issue_7_three_workers_and_two_web_nodes_share_one_postgresql() {
    const FEEDS: usize = 1000;
    const ITEMS: usize = 3;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(testkit::database());
    let (origin, _farm) = rt.block_on(feed_farm(FEEDS, ITEMS));
    let work = tempfile::tempdir().unwrap();
    let opml: String = (0..FEEDS)
        .map(|n| format!("<outline type=\"rss\" text=\"Outlet {n}\" xmlUrl=\"{origin}/feed/{n}\"/>"))
        .collect();
    let opml_path = work.path().join("sources.opml");
    std::fs::write(&opml_path, format!("<opml version=\"2.0\"><body>{opml}</body></opml>")).unwrap();
    let node = |name: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_tagline"));
        c.arg("--data").arg(work.path().join(name)).arg("--database").arg(&db).env("TAGLINE_LOG", "error");
        c
    };
    let out = node("admin")
        .args(["--allow-private-network", "sources", "import", "--no-fetch-pages"])
        .arg(&opml_path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("imported {FEEDS} sources")), "{}", stdout(&out));

    let pg = rt.block_on(store::PgStore::connect(&db)).unwrap();
    let count = || rt.block_on(async { store::Articles::counts(&pg).await.unwrap().articles });
    let mut workers: Vec<Killed> = (0..3)
        .map(|i| {
            Killed(
                node(&format!("worker{i}"))
                    .args(["crawl", "--worker", "--feeds-only", "--lease", "3", "--interval", "1"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    // Kill one worker mid-crawl, without warning.
    let started = std::time::Instant::now();
    while count() < 300 {
        assert!(started.elapsed().as_secs() < 120, "the crawl did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let at_kill = count();
    workers[0].0.kill().unwrap();
    workers[0].0.wait().unwrap();
    let want = (FEEDS * ITEMS) as i64;
    while count() < want {
        assert!(started.elapsed().as_secs() < 240, "only {} of {want} stored", count());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // The web nodes below do not enrich (--no-crawl), and search indexes
    // only follow enriched articles: wait until the workers have drained
    // the enrichment queue, including the killed worker's claims once
    // their lease lapses. (Stopping them as soon as every article was
    // stored left the indexes short: the flaky failure of issue 18.)
    let pending = || rt.block_on(async { store::Articles::counts(&pg).await.unwrap().pending });
    while pending() > 0 {
        assert!(started.elapsed().as_secs() < 300, "{} articles still await enrichment", pending());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    // Once every worker has stopped nothing more can arrive: the count is
    // final, and equal only if no item was stored twice.
    drop(workers);
    assert_eq!(count(), want, "every item stored exactly once");
    assert!(at_kill < want, "the worker was killed before the crawl finished ({at_kill} of {want})");
    let failing = rt.block_on(async { store::Sources::sources(&pg).await.unwrap() });
    assert!(failing.iter().all(|s| s.status == model::SourceStatus::Ok), "every source crawled successfully");

    // Two stateless web nodes, each with its own search index.
    let webs: Vec<(Killed, String)> = (0..2)
        .map(|i| {
            let mut c = node(&format!("web{i}"));
            c.args(["--now", NOW, "serve", "--no-crawl", "--listen", "127.0.0.1:0"]);
            spawn_with_url_containing(c, "serving on")
        })
        .collect();
    let tag = rt.block_on(async { store::Tags::top_tags(&pg, None, 1).await.unwrap() })[0].name.to_string();
    let paths = [
        "/".to_string(),
        format!("/tag/{tag}"),
        format!("/tag/{tag}?after=1750000000-3000"),
        format!("/api/v1/tags/{tag}/articles"),
    ];
    let pages: Vec<Vec<String>> = webs
        .iter()
        .map(|(_, site)| {
            rt.block_on(async {
                let mut out = Vec::new();
                for path in &paths {
                    let r = reqwest::get(format!("{site}{path}")).await.unwrap();
                    assert_eq!(r.status(), 200, "{site}{path}");
                    out.push(r.text().await.unwrap());
                }
                out
            })
        })
        .collect();
    assert!(pages[0][1].contains(&format!("Latest news with #{tag}")) && pages[0][1].contains("report 0 of outlet 0"));
    assert_eq!(pages[0], pages[1], "both web nodes serve identical pages");
    // Each node's search index catches up from the shared database, in
    // its own time: polled until a generous deadline (issue 18).
    for (_, site) in &webs {
        let indexed = || {
            let body = rt.block_on(async {
                reqwest::get(format!("{site}/api/v1/search?q=harbour")).await.unwrap().text().await.unwrap()
            });
            serde_json::from_str::<serde_json::Value>(&body).unwrap()["total"].as_i64().unwrap_or(0)
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
        while indexed() < want && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        assert_eq!(indexed(), want, "{site} indexed every article");
    }
}

#[test]
fn issue_7_prune_keeps_pinned_articles_and_an_instance_moves_to_postgresql() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    // 400 articles over the year before --now.
    assert!(tagline(d, &["--now", NOW, "synth", "--articles", "400"]).status.success());
    assert!(tagline(d, &["reindex"]).status.success());
    assert!(tagline(d, &["pin", "1"]).status.success(), "the oldest article is pinned");
    assert!(!tagline(d, &["pin", "999999"]).status.success());
    let out = tagline(d, &["--now", NOW, "prune", "--older-than", "90d"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let removed: usize = said.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((280..=320).contains(&removed), "about three quarters of a year goes: {said}");
    assert!(said.contains(&format!("search index: {removed} removed")), "the index follows: {said}");
    assert!(!tagline(d, &["prune", "--older-than", "90 days"]).status.success(), "a bad age is refused");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(testkit::database());
    let from = format!("sqlite:{}", d.join("tagline.db").display());
    let out = tagline(d, &["migrate-store", "--from", &from, "--to", &db]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("every table's count matches"), "{}", stdout(&out));
    // Run again: nothing to do, still consistent (resumable).
    assert!(tagline(d, &["migrate-store", "--from", &from, "--to", &db]).status.success());
    let web = tempfile::tempdir().unwrap();
    let out = tagline(web.path(), &["--database", &db, "reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("indexed {} articles", 400 - removed)), "{}", stdout(&out));
    let pinned = rt.block_on(async {
        let pg = store::PgStore::connect(&db).await.unwrap();
        store::Articles::article(&pg, 1).await.unwrap()
    });
    assert!(pinned.is_some(), "the pinned article survived and moved");
}

#[test]
fn issue_5_dedup_names_the_original_of_an_edited_copy_and_nothing_else() {
    let report = "The harbour authority approved a new budget on Friday after months of debate over repairs to \
        the sea wall, the ferry terminal and the old grain warehouses. Work is due to start in the spring and take \
        two years, officials said, with the first contracts to be signed next month.";
    let other = "Council members in the port city argued for weeks about how to pay for the crumbling sea wall \
        before a vote on Friday finally settled the matter; contractors expect to begin in spring.";
    let lines = [
        serde_json::json!({"id": "a", "title": "Harbour budget approved", "text": report}),
        serde_json::json!({"id": "b", "title": "Port budget vote", "text": other}),
        serde_json::json!({"id": "c", "title": "Council backs spending plan", "text": format!("Advertisement\n{report}\nShare this article")}),
    ];
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let got = run_stdin(&["dedup"], &input);
    let dups: Vec<&serde_json::Value> = got.iter().map(|v| &v["duplicate_of"]).collect();
    assert_eq!(dups, [&serde_json::Value::Null, &serde_json::Value::Null, &serde_json::json!("a")]);
}

#[test]
fn issue_5_tag_aliases_are_managed_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let added = tagline(data, &["alias", "add", "Peking", "China"]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("#Peking now stands for #China; 0 articles moved"), "{}", stdout(&added));
    let itself = tagline(data, &["alias", "add", "china", "Peking"]);
    assert!(!itself.status.success());
    assert!(stderr(&itself).contains("cannot be an alias of itself"), "{}", stderr(&itself));
    assert_eq!(stdout(&tagline(data, &["alias", "list"])), "#Peking -> #China\n");
    assert!(tagline(data, &["alias", "remove", "Peking"]).status.success());
    assert!(!tagline(data, &["alias", "remove", "Peking"]).status.success());
    assert_eq!(stdout(&tagline(data, &["alias", "list"])), "");
}

#[test]
fn issue_4_bulk_ingest_stores_first_and_tagline_enrich_completes_the_queue() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (origin, _farm) = rt.block_on(feed_farm(2, 4));
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    for n in 0..2 {
        let out = tagline(d, &["--allow-private-network", "sources", "add", &format!("{origin}/feed/{n}")]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = tagline(d, &["--allow-private-network", "crawl", "--once", "--feeds-only"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("await enrichment"), "{}", stdout(&out));
    let stored = stored_articles(&rt, d);
    assert_eq!(stored.len(), 8);
    assert!(stored.iter().all(|a| a.tags.is_empty() && a.story_id.is_none()), "stored as the feed carried them");

    let out = tagline(d, &["enrich"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("8 articles enriched"), "{}", stdout(&out));
    let enriched = stored_articles(&rt, d);
    assert!(enriched.iter().all(|a| a.story_id.is_some() && a.category.is_some() && a.lang.as_deref() == Some("en")));
    assert!(enriched.iter().all(|a| a.tags.iter().any(|t| t.name.as_str() == "Kazakhstan")), "{:?}", enriched[0].tags);
    // Nothing is left to do.
    let again = tagline(d, &["enrich"]);
    assert!(stdout(&again).contains("0 articles enriched"), "{}", stdout(&again));
}
