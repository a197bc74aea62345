//! Issue 18: the seed replay and the evaluation commands again, on the
//! demo's publisher web (original text written for Tagline), so that a clone
//! without `../shared` still tests the same behaviour; and the demo's
//! promise that news arrives while it runs.

use super::{run_stdin, spawn_with_url_containing, stderr, stdout, tagline, NOW};
use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// One article as `articles.txt` states it.
struct Expected {
    publisher: String,
    category: String,
    /// Hours before the demo's start; `None` for a live article.
    hours: Option<i64>,
    story: Option<String>,
    title: String,
    paragraphs: Vec<String>,
}

/// The demo's publishers: slug, name, feed file.
const PUBLISHERS: &[(&str, &str, &str)] = &[
    ("harbour", "Harbour Times", "feed.xml"),
    ("ledger", "Northern Ledger", "atom.xml"),
    ("pacific", "Pacific Wire", "feed.json"),
    ("delhi", "Delhi Courier", "feed.xml"),
    ("lagos", "Lagos Daily Report", "atom.xml"),
    ("andes", "Andes Observer", "index.rdf"),
    ("maple", "Maple Street Journal", "feed.json"),
    ("rhine", "Rhine Post", "feed.xml"),
    ("mekong", "Mekong Morning", "atom.xml"),
];

/// Page furniture of every demo page that must not reach an article's text.
const FURNITURE: &[&str] = &[
    "We use cookies",
    "Accept all",
    "Share this",
    "Advertisement",
    "Related stories",
    "Subscribe to our newsletter",
    "demo content written for Tagline",
    // The author box under each article (issue 18 found it in the text).
    " writes about ",
];

/// The fixture, read from the file the binary embeds.
fn expected() -> Vec<Expected> {
    let text = include_str!("../../src/demo/articles.txt");
    text.split("\n@@ ")
        .skip(1)
        .map(|block| {
            let mut lines = block.lines();
            let f: Vec<&str> = lines.next().unwrap().split('|').map(str::trim).collect();
            let title = lines.next().unwrap().trim().to_string();
            let paragraphs = lines
                .collect::<Vec<_>>()
                .join("\n")
                .split("\n\n")
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect();
            Expected {
                publisher: f[0].into(),
                category: f[2].into(),
                hours: f[4].parse().ok(),
                story: f.get(5).map(|s| s.to_string()),
                title,
                paragraphs,
            }
        })
        .collect()
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn issue_18_the_seed_replay_runs_again_on_the_demo_publisher_web() {
    let mut web = Command::new(env!("CARGO_BIN_EXE_tagline"));
    // No live article is released during the test.
    web.args(["--now", NOW, "demo", "--publishers-only", "--listen", "127.0.0.1:0", "--every", "1000000"]);
    let (_web, origin) = spawn_with_url_containing(web, "demo publishers (");
    let data = tempfile::tempdir().unwrap();
    let d = data.path();

    let refused = tagline(d, &["sources", "add", &format!("{origin}/harbour/")]);
    assert!(!refused.status.success() && stderr(&refused).contains("loopback"), "{}", stderr(&refused));
    for (slug, _, _) in PUBLISHERS {
        let url = format!("{origin}/{slug}/");
        // The Lagos outlet is added to the Nigerian edition, as an operator
        // would; its local news is checked below.
        let region: &[&str] = if *slug == "lagos" { &["--region", "ng"] } else { &[] };
        let out = tagline(d, &[&["--allow-private-network", "sources", "add", &url], region].concat());
        assert!(out.status.success(), "adding {slug}: {}", stderr(&out));
    }
    let list = stdout(&tagline(d, &["sources", "list"]));
    for (slug, _, feed) in PUBLISHERS {
        assert!(list.contains(&format!("/{slug}/{feed}")), "the feed of {slug} is discovered:\n{list}");
    }

    let all = expected();
    let published: Vec<&Expected> = all.iter().filter(|a| a.hours.is_some()).collect();
    let first = tagline(d, &["--now", NOW, "crawl", "--once"]);
    assert!(first.status.success(), "{}\n{}", stdout(&first), stderr(&first));
    let said = format!("{} articles stored from {} sources; 0 failed", published.len(), PUBLISHERS.len());
    assert!(stdout(&first).contains(&said), "{}", stdout(&first));
    assert!(stdout(&tagline(d, &["--now", NOW, "crawl", "--once"])).contains("0 articles stored"));

    let mut serve = Command::new(env!("CARGO_BIN_EXE_tagline"));
    serve.arg("--data").arg(d).args(["--now", NOW, "serve", "--no-crawl", "--listen", "127.0.0.1:0"]);
    let (_site, site) = spawn_with_url_containing(serve, "serving on");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let get =
        |path: &str| rt.block_on(async { reqwest::get(format!("{site}{path}")).await.unwrap().text().await.unwrap() });
    let api = |path: &str| serde_json::from_str::<serde_json::Value>(&get(path)).unwrap();

    // The topic page of the five reports of one event, newest first.
    let page = get("/tag/EuropeanUnion-India");
    assert!(page.contains("Latest news with #EuropeanUnion-India"));
    let mut eu: Vec<&Expected> = published.iter().copied().filter(|a| a.story.as_deref() == Some("eu-india")).collect();
    eu.sort_by_key(|a| a.hours);
    let mut last = 0;
    for a in &eu {
        let at = page.find(&a.title.replace('"', "&quot;")).unwrap_or_else(|| panic!("{} on the topic page", a.title));
        assert!(at > last, "{} is out of order", a.title);
        last = at;
    }
    assert_eq!(page.matches("1 day ago").count(), eu.len(), "25 to 30 hours ago");

    // Every article: its own time, category, image and clean whole text.
    let names: HashMap<&str, &str> = PUBLISHERS.iter().map(|(s, n, _)| (*s, *n)).collect();
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&chrono::Utc);
    let got = api("/api/v1/articles?limit=100");
    let got = got["articles"].as_array().unwrap();
    assert_eq!(got.len(), published.len());
    let mut story_of: HashMap<String, (i64, Option<String>)> = HashMap::new();
    for want in &published {
        let a =
            got.iter().find(|g| g["title"] == want.title.as_str()).unwrap_or_else(|| panic!("{} stored", want.title));
        assert_eq!(a["source"]["name"], names[want.publisher.as_str()], "{}", want.title);
        let when = now - chrono::Duration::hours(want.hours.unwrap());
        assert_eq!(a["published"], when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "{}", want.title);
        assert_eq!(a["categories"][0], want.category.as_str(), "{}", want.title);
        assert!(a["image"].as_str().is_some_and(|i| i.starts_with("/image/")), "{} has its image", want.title);
        let text = a["text"].as_str().unwrap();
        for f in FURNITURE {
            assert!(!text.contains(f), "{}: furniture {f:?} in the text:\n{text}", want.title);
        }
        let text = words(text);
        for p in &want.paragraphs {
            assert!(text.contains(&words(p)), "{}: paragraph missing: {p}", want.title);
        }
        story_of.insert(want.title.clone(), (a["story"].as_i64().unwrap(), want.story.clone()));
    }
    // Reports of one event are one story; reports of different events are not.
    for (t1, (s1, k1)) in &story_of {
        for (t2, (s2, k2)) in &story_of {
            if k1.is_some() && k2.is_some() {
                assert_eq!(k1 == k2, s1 == s2, "{t1:?} and {t2:?}");
            }
        }
    }
    // Relationship tags between places and organisations, each on 3+ articles.
    let tags = api("/api/v1/tags?limit=200");
    let relationships: Vec<(&str, i64)> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "relationship")
        .map(|t| (t["name"].as_str().unwrap(), t["count"].as_i64().unwrap()))
        .collect();
    for want in ["EuropeanUnion-India", "Vietnam-Cambodia", "Nigeria-Ghana", "Norway-Canada", "Australia-Japan"] {
        let n = relationships.iter().find(|(n, _)| *n == want).map_or(0, |(_, c)| *c);
        assert!(n >= 3, "#{want} on {n} articles: {relationships:?}");
    }
    let story = eu[0];
    let id = story_of[&story.title].0;
    assert!(get(&format!("/story/{id}")).contains(&format!("{} outlets", eu.len())));
    let edition = get("/edition/NG");
    let (local, _) = edition.split_once("Top stories worldwide").expect("the edition page has its worldwide part");
    assert!(local.contains("Lagos Daily Report"), "the Nigerian edition's local news shows its source:\n{edition}");
}

#[test]
fn issue_18_the_evaluation_commands_run_on_the_demo_articles() {
    let all = expected();
    let mut published: Vec<&Expected> = all.iter().filter(|a| a.hours.is_some()).collect();
    published.sort_by_key(|a| std::cmp::Reverse(a.hours)); // arrival order: oldest first
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&chrono::Utc);
    let input: String = published
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let when = now - chrono::Duration::hours(a.hours.unwrap());
            serde_json::json!({"id": i.to_string(), "title": a.title, "text": a.paragraphs.join("\n\n"), "published": when.to_rfc3339()})
                .to_string()
                + "\n"
        })
        .collect();

    let tags = run_stdin(&["tag"], &input);
    for (t, a) in tags.iter().zip(&published) {
        assert!(!t["keyphrases"].as_array().unwrap().is_empty(), "{}", a.title);
        if a.story.as_deref() == Some("eu-india") {
            let names: Vec<&str> = t["tags"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
            assert!(names.contains(&"EuropeanUnion-India"), "{}: {names:?}", a.title);
        }
    }
    let stories = run_stdin(&["cluster"], &input);
    for (i, a) in published.iter().enumerate() {
        for (j, b) in published.iter().enumerate() {
            if a.story.is_some() && b.story.is_some() {
                assert_eq!(a.story == b.story, stories[i]["story"] == stories[j]["story"], "{} / {}", a.title, b.title);
            }
        }
    }
    for c in run_stdin(&["classify"], &input) {
        assert_eq!(c["scores"].as_object().unwrap().len(), 8, "scores over the whole taxonomy");
        assert!(model::Category::parse(c["label"].as_str().unwrap()).is_ok(), "{c}");
    }
}

#[test]
fn issue_18_the_demo_brings_in_news_while_it_runs() {
    let data = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_tagline"));
    demo.arg("--data").arg(data.path()).args(["demo", "--listen", "127.0.0.1:0", "--every", "2"]);
    demo.env("TAGLINE_LOG", "error");
    let (_demo, site) = spawn_with_url_containing(demo, "serving on");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let get =
        |path: &str| rt.block_on(async { reqwest::get(format!("{site}{path}")).await.unwrap().text().await.unwrap() });
    let first = expected().into_iter().find(|a| a.hours.is_none()).expect("a live article");
    assert!(!get("/").contains(&first.title), "not published before the demo starts");
    // Published two seconds in; crawled within the demo's 5 to 15 s rhythm.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !get("/").contains(&first.title) {
        assert!(Instant::now() < deadline, "{:?} never reached the home page", first.title);
        std::thread::sleep(Duration::from_millis(500));
    }
    let home = get("/");
    assert!(
        home.contains("This is Tagline's demo") && home.contains("Things to try"),
        "the first screen explains itself"
    );
    // The topic page follows without a restart.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !get("/tag/EuropeanUnion-India").contains(&first.title) {
        assert!(Instant::now() < deadline, "{:?} never reached its topic page", first.title);
        std::thread::sleep(Duration::from_millis(500));
    }
}
