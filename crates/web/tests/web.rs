//! The router against a real SQLite file, called in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use model::{Category, Clock, FeedUrl, NewArticle, NewSource, Tag, TagKind, TagName};
use std::sync::Arc;
use store::prelude::*;
use store::{ArticleFilter, ArticleQuery, SqliteStore, StoryAssignment};
use tower::ServiceExt;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-06-28T12:00:00Z").unwrap().with_timezone(&Utc)
}

async fn fixture() -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let (src, _) = store
        .add_source(NewSource {
            name: "The Star".into(),
            home_url: Some(FeedUrl::parse("https://star.example/").unwrap()),
            feed_url: FeedUrl::parse("https://star.example/atom.xml").unwrap(),
            region: Some("MY".into()),
            lang: None,
            fetch_pages: true,
            trusted_hosts: vec![],
        })
        .await
        .unwrap();
    for (n, hours, title) in [(1, 11, "Newer <b>story</b>"), (2, 150, "Older story"), (3, 300, "Oldest story")] {
        store
            .insert_article(
                NewArticle {
                    source_id: src.id,
                    url: format!("https://star.example/{n}"),
                    guid: format!("g{n}"),
                    title: title.into(),
                    author: Some("Xinhua".into()),
                    published: now() - Duration::hours(hours),
                    updated: None,
                    lang: Some("en".into()),
                    category: Some(Category::Business),
                    tags: vec![Tag {
                        name: TagName::parse("China-Central Asia").unwrap(),
                        kind: TagKind::Relationship,
                        score: 1.0,
                    }],
                    text: format!("Paragraph one of {n}.\n\nParagraph two of {n}."),
                    html: String::new(),
                    excerpt: format!("Excerpt {n}"),
                    image: Some("https://star.example/img.png".into()),
                    image_data: (n == 1).then(|| model::ImageData {
                        content_type: "image/png".into(),
                        bytes: b"\x89PNG\r\n\x1a\n".to_vec(),
                    }),
                    fetched: now(),
                },
                StoryAssignment::New,
            )
            .await
            .unwrap();
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let search = Arc::new(web::SearchIndex::in_memory().unwrap());
    index::sync(&*store, &search, |_| {}).await.unwrap();
    let state = web::AppState::new(store, Clock::Fixed(now()), search);
    (dir, web::router(state))
}

/// A source as the operator adds it, pages fetched, no language hint.
fn new_source(name: &str, feed: &str, region: Option<&str>) -> NewSource {
    NewSource {
        name: name.into(),
        home_url: None,
        feed_url: FeedUrl::parse(feed).unwrap(),
        region: region.map(str::to_string),
        lang: None,
        fetch_pages: true,
        trusted_hosts: vec![],
    }
}

/// An untagged article published now, its text also its excerpt.
fn plain_article(source_id: i64, url: &str, title: &str, text: &str) -> NewArticle {
    NewArticle {
        source_id,
        url: url.into(),
        guid: url.into(),
        title: title.into(),
        author: None,
        published: now(),
        updated: None,
        lang: None,
        category: None,
        tags: vec![],
        text: text.into(),
        html: String::new(),
        excerpt: text.into(),
        image: None,
        image_data: None,
        fetched: now(),
    }
}

async fn get(router: &axum::Router, path: &str) -> (StatusCode, String) {
    let resp = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn issue_5_an_alias_redirects_to_its_tag_page() {
    let (d, r) = fixture().await;
    let store = SqliteStore::open(d.path().join("t.db")).unwrap();
    let name = |n: &str| model::TagName::parse(n).unwrap();
    store.add_tag_alias(&name("SinoCentralAsia"), &name("China-CentralAsia")).await.unwrap();
    let resp = r.clone().oneshot(Request::get("/tag/SinoCentralAsia").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(resp.headers()["location"], "/tag/China-CentralAsia");
}

#[tokio::test]
async fn issue_5_a_merged_story_redirects_to_the_story_it_joined() {
    let (d, r) = fixture().await;
    let store = SqliteStore::open(d.path().join("t.db")).unwrap();
    let stories: Vec<i64> = {
        let all =
            store.list_articles(&ArticleQuery { filter: ArticleFilter::All, after: None, limit: 10 }).await.unwrap();
        let mut s: Vec<i64> = all.iter().filter_map(|a| a.story_id).collect();
        s.sort();
        s.dedup();
        s
    };
    assert!(stories.len() >= 2, "the fixture has several stories: {stories:?}");
    store.merge_stories(stories[0], &[stories[1]]).await.unwrap();
    for (path, to) in [
        (format!("/story/{}", stories[1]), format!("/story/{}", stories[0])),
        (format!("/api/v1/stories/{}", stories[1]), format!("/api/v1/stories/{}", stories[0])),
    ] {
        let resp = r.clone().oneshot(Request::get(&path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(resp.headers()["location"], to.as_str());
    }
    assert_eq!(get(&r, "/story/999999").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_4_an_article_awaiting_enrichment_is_listed_and_shown_without_a_story() {
    let (d, r) = fixture().await;
    let store = SqliteStore::open(d.path().join("t.db")).unwrap();
    let src = store.sources().await.unwrap()[0].id;
    let a = plain_article(src, "https://star.example/queued", "Queued harbour report", "Just stored from the feed.");
    let id = store.insert_article(a, StoryAssignment::Pending).await.unwrap().unwrap();
    let (status, home) = get(&r, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Queued harbour report"), "the latest list shows it");
    let (status, page) = get(&r, &format!("/article/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Just stored from the feed.") && !page.contains("/story/"), "{page}");
    let (status, json) = get(&r, &format!("/api/v1/articles/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn the_tag_page_lists_cards_newest_first_with_relative_times() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/tag/china-centralasia").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Latest news with #China-CentralAsia"), "canonical name in the heading");
    let newer = html.find("Newer &lt;b&gt;story&lt;/b&gt;").expect("titles are escaped");
    let older = html.find("Older story").unwrap();
    assert!(newer < older);
    for s in ["11 hours ago", "6 days ago", "16-06-2025", "The Star", "Business", "Excerpt 1", "loading=\"lazy\""] {
        assert!(html.contains(s), "{s} on the page");
    }
    assert!(html.contains("href=\"/article/1\""));
}

#[tokio::test]
async fn an_unknown_tag_is_a_plain_404_page() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/tag/Nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("#Nowhere"));
}

#[tokio::test]
async fn the_api_returns_the_same_data_as_the_tag_page() {
    let (_d, r) = fixture().await;
    let (status, body) = get(&r, "/api/v1/tags/China-CentralAsia/articles").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let a = &v["articles"][0];
    assert_eq!(a["title"], "Newer <b>story</b>");
    assert_eq!(a["source"]["name"], "The Star");
    assert_eq!(a["published"], "2025-06-28T01:00:00Z");
    assert_eq!(a["relative_time"], "11 hours ago");
    assert_eq!(a["categories"], serde_json::json!(["Business"]));
    assert_eq!(a["tags"][0]["name"], "China-CentralAsia");
    assert!(a["story"].is_i64() && a["excerpt"].is_string() && a["text"].is_string() && a["url"].is_string());
    let (status, _) = get(&r, "/api/v1/tags/Nowhere/articles").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_pages_continue_from_the_cursor() {
    let (_d, r) = fixture().await;
    let (_, body) = get(&r, "/api/v1/tags/China-CentralAsia/articles?limit=2").await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cursor = v["next_cursor"].as_str().unwrap();
    let (_, body) = get(&r, &format!("/api/v1/tags/China-CentralAsia/articles?limit=2&after={cursor}")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["articles"][0]["title"], "Oldest story");
    assert!(v["next_cursor"].is_null());
    let (status, _) = get(&r, "/api/v1/tags/China-CentralAsia/articles?after=garbage").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_article_page_has_text_original_link_tags_and_time() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/article/1").await;
    assert_eq!(status, StatusCode::OK);
    for s in [
        "<p>Paragraph one of 1.</p>",
        "href=\"https://star.example/1\"",
        "href=\"/tag/China-CentralAsia\"",
        "datetime=\"2025-06-28T01:00:00Z\"",
    ] {
        assert!(html.contains(s), "{s} on the page");
    }
    assert_eq!(get(&r, "/article/999").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&r, "/article/abc").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn home_category_source_and_health_pages_render() {
    let (_d, r) = fixture().await;
    let (status, home) = get(&r, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Latest news") && home.contains("#China-CentralAsia"));
    let (status, cat) = get(&r, "/category/business").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cat.contains("Oldest story"));
    assert_eq!(get(&r, "/category/weather").await.0, StatusCode::NOT_FOUND);
    let (status, src) = get(&r, "/source/the-star").await;
    assert_eq!(status, StatusCode::OK);
    assert!(src.contains("Not crawled yet"));
    assert_eq!(get(&r, "/healthz").await, (StatusCode::OK, "ok".to_string()));
    let (status, _) = get(&r, "/static/tagline.css").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_hash_form_redirects_to_the_topic_page() {
    let (_d, r) = fixture().await;
    let resp =
        r.clone().oneshot(Request::get("/tag?name=%23china-central+asia").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/tag/China-CentralAsia");
}

async fn get_with(router: &axum::Router, path: &str, cookie: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let req = Request::get(path).header("cookie", cookie).header("host", "news.example").body(Body::empty()).unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn issue_6_search_ranks_highlights_and_filters() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/search?q=paragraph+two").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("3 results"), "{html}");
    assert!(html.contains("<mark>Paragraph</mark>") && html.contains("<mark>two</mark>"));
    let (_, html) = get(&r, "/search?q=%22two+of+1%22").await;
    assert!(html.contains("1 results") && html.contains("/article/1"), "a phrase query finds one article");
    let (_, html) = get(&r, "/search?q=paragraph&edition=ZA").await;
    assert!(html.contains("0 results"));
    let (_, html) = get(&r, "/search?q=paragraph&from=2025-06-27&tag=china-centralasia").await;
    assert!(html.contains("1 results"));
    assert_eq!(get(&r, "/search?q=x&from=yesterday").await.0, StatusCode::BAD_REQUEST);
    let (status, html) = get(&r, "/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("role=\"search\""));
}

/// Parses a feed with three independent readers: a strict XML parser,
/// feed-rs and Tagline's own feed crate.
fn assert_valid_feed(body: &str, format: &str, want_titles: &[&str]) {
    if format != "json" {
        roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("{format} is not well-formed XML: {e}\n{body}"));
    }
    let parsed =
        feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("feed-rs rejects the {format}: {e}"));
    let titles: Vec<String> = parsed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(titles, want_titles, "{format}");
    for e in &parsed.entries {
        assert!(e.published.is_some() || e.updated.is_some(), "{format} entries carry dates");
        assert!(!e.links.is_empty(), "{format} entries link to the article");
    }
    let ours = feed::parse(body.as_bytes(), Some("http://news.example/")).unwrap();
    assert!(!ours.bozo, "{format}: {:?}", ours.errors);
    assert_eq!(ours.entries.len(), want_titles.len());
}

#[tokio::test]
async fn issue_6_every_list_has_valid_atom_rss_and_json_feeds_announced_in_the_page() {
    let (_d, r) = fixture().await;
    let titles = ["Newer <b>story</b>", "Older story", "Oldest story"];
    for list in ["/tag/China-CentralAsia", "/category/business", "/source/the-star", "/edition/MY"] {
        let (status, _, html) = get_with(&r, list, "").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        for (seg, mime, fmt) in [
            ("feed.atom", "application/atom+xml", "atom"),
            ("feed.rss", "application/rss+xml", "rss"),
            ("feed.json", "application/feed+json", "json"),
        ] {
            let link = format!("<link rel=\"alternate\" type=\"{mime}\"");
            assert!(html.contains(&link), "{list} announces its {fmt} feed");
            let (status, headers, body) = get_with(&r, &format!("{list}/{seg}"), "").await;
            assert_eq!(status, StatusCode::OK, "{list}/{seg}");
            assert!(headers["content-type"].to_str().unwrap().starts_with(mime));
            assert_valid_feed(&body, fmt, &titles);
            assert!(body.contains("http://news.example/article/1"), "absolute links from the Host header");
        }
    }
    let (status, _, body) = get_with(&r, "/search/feed.atom?q=paragraph", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_valid_feed(&body, "atom", &titles);
    assert_eq!(get(&r, "/tag/China-CentralAsia/feed.xml").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_6_the_edition_picked_is_remembered_in_a_cookie_and_shown_first() {
    let (_d, r) = fixture().await;
    let resp = r.clone().oneshot(Request::get("/edition?region=my").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/edition/MY");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("edition=MY;") && cookie.contains("Max-Age="));
    let (_, _, home) = get_with(&r, "/", "edition=MY").await;
    let local = home.find("Your edition").expect("the home page shows the edition first");
    assert!(local < home.find("Latest news").unwrap());
    let (_, _, page) = get_with(&r, "/edition/MY", "edition=MY").await;
    assert!(page.contains("This is your edition") && page.contains("Top stories worldwide"));
    let (_, _, page) = get_with(&r, "/edition/ZA", "").await;
    assert!(page.contains("Make ZA my edition") && page.contains("No articles yet."));
    assert_eq!(get(&r, "/edition/not-a-region").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_6_home_shows_top_stories_with_outlets_and_trending_tags() {
    let (_d, r) = fixture().await;
    let (_, html) = get(&r, "/").await;
    assert!(html.contains("Top stories") && html.contains("1 outlet"));
    let trending = html.find("Trending topics").expect("trending tags on the home page");
    assert!(html[trending..].contains("#China-CentralAsia"));
    let (status, story) = get(&r, "/story/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(story.contains("Full coverage"));
}

#[tokio::test]
async fn issue_6_the_hash_form_suggests_topics_for_a_prefix() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/tag?name=china").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/tag/China-CentralAsia\""));
    let (_, html) = get(&r, "/tag?name=zzz").await;
    assert!(html.contains("Search the articles instead"));
    let (_, html) = get(&r, "/").await;
    assert!(html.contains("<datalist id=\"tag-suggest\"><option value=\"China-CentralAsia\">"));
}

/// Validates `body` against the named schema of the served OpenAPI document.
fn assert_matches_schema(doc: &serde_json::Value, schema: &str, body: &serde_json::Value, what: &str) {
    let mut root = doc.clone();
    root["$ref"] = serde_json::json!(format!("#/components/schemas/{schema}"));
    let validator = jsonschema::draft202012::new(&root).unwrap();
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match {schema}: {errors:#?}\n{body:#}");
}

#[tokio::test]
async fn issue_6_the_openapi_document_matches_every_real_response() {
    let (_d, r) = fixture().await;
    let (status, doc) = get(&r, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every documented path, called for real (path parameters filled in).
    let calls = [
        ("/api/v1/articles", "/api/v1/articles?limit=2", "ArticlePage"),
        ("/api/v1/articles", "/api/v1/articles?edition=my", "ArticlePage"),
        ("/api/v1/articles/{id}", "/api/v1/articles/1", "Article"),
        ("/api/v1/tags", "/api/v1/tags", "TagList"),
        ("/api/v1/tags", "/api/v1/tags?prefix=chi", "TagList"),
        ("/api/v1/tags/trending", "/api/v1/tags/trending", "TrendingList"),
        ("/api/v1/tags/{name}", "/api/v1/tags/china-centralasia", "TagDetail"),
        ("/api/v1/tags/{name}/articles", "/api/v1/tags/China-CentralAsia/articles", "TagArticlePage"),
        ("/api/v1/stories", "/api/v1/stories", "StoryList"),
        ("/api/v1/stories/{id}", "/api/v1/stories/1", "Story"),
        ("/api/v1/search", "/api/v1/search?q=paragraph", "SearchResults"),
        ("/api/v1/sources", "/api/v1/sources", "SourceList"),
    ];
    let documented: std::collections::BTreeSet<&str> =
        doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    let called: std::collections::BTreeSet<&str> = calls.iter().map(|c| c.0).collect();
    assert_eq!(documented, called, "every documented path is exercised");
    for (path, url, schema) in calls {
        let (status, body) = get(&r, url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        let declared = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(declared, &format!("#/components/schemas/{schema}"), "{path}");
        assert_matches_schema(&doc, schema, &body, url);
    }
    // Errors have the documented shape too.
    for url in
        ["/api/v1/articles/999", "/api/v1/tags/Nowhere", "/api/v1/articles?after=zzz", "/api/v1/search?q=a&to=never"]
    {
        let (status, body) = get(&r, url).await;
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{url}");
        assert_matches_schema(&doc, "Error", &serde_json::from_str(&body).unwrap(), url);
    }
}

#[tokio::test]
async fn issue_6_pages_carry_an_etag_and_a_matching_if_none_match_gets_304() {
    let (_d, r) = fixture().await;
    let resp = r.clone().oneshot(Request::get("/tag/China-CentralAsia").body(Body::empty()).unwrap()).await.unwrap();
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""));
    assert_eq!(resp.headers()["cache-control"], "no-cache", "pages revalidate on every view");
    assert!(resp.headers()["vary"].to_str().unwrap().contains("Cookie"));
    let feed =
        r.clone().oneshot(Request::get("/tag/China-CentralAsia/feed.atom").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(feed.headers()["cache-control"], "public, max-age=60");
    let again = Request::get("/tag/China-CentralAsia").header("if-none-match", &etag).body(Body::empty()).unwrap();
    let resp = r.clone().oneshot(again).await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    let other = Request::get("/tag/China-CentralAsia").header("if-none-match", "W/\"0\"").body(Body::empty()).unwrap();
    assert_eq!(r.clone().oneshot(other).await.unwrap().status(), StatusCode::OK);
    let gz = Request::get("/tag/China-CentralAsia").header("accept-encoding", "br").body(Body::empty()).unwrap();
    assert_eq!(r.clone().oneshot(gz).await.unwrap().headers()["content-encoding"], "br");
}

#[tokio::test]
async fn issue_6_metrics_count_requests_by_route_in_prometheus_text() {
    let (_d, r) = fixture().await;
    get(&r, "/tag/China-CentralAsia").await;
    get(&r, "/tag/Nowhere").await;
    let (status, body) = get(&r, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("tagline_http_requests_total{route=\"/tag/{name}\",status=\"200\"} 1"), "{body}");
    assert!(body.contains("tagline_http_requests_total{route=\"/tag/{name}\",status=\"404\"} 1"));
    assert!(body.contains("tagline_http_request_duration_seconds_bucket"));
    assert!(body.contains("tagline_articles 3") && body.contains("tagline_search_indexed_documents 3"));
    assert!(body.contains("tagline_enrich_queue 0"), "{body}");
    assert!(body.trim_end().ends_with("# EOF"));
}

#[tokio::test]
async fn issue_6_the_app_manifest_icons_and_service_worker_are_served() {
    let (_d, r) = fixture().await;
    let (status, manifest) = get(&r, "/manifest.webmanifest").await;
    assert_eq!(status, StatusCode::OK);
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(m["display"], "standalone");
    for icon in m["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let resp = r.clone().oneshot(Request::get(src).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{src}");
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[1..4], b"PNG", "{src} is a PNG");
    }
    let (status, sw) = get(&r, "/sw.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(sw.contains("addEventListener(\"fetch\""));
    let (_, home) = get(&r, "/").await;
    assert!(home.contains("rel=\"manifest\"") && home.contains("id=\"install\"") && home.contains("/static/app.js"));
    let (_, article) = get(&r, "/article/1").await;
    assert!(article.contains("data-save=\"/article/1\""));
    assert_eq!(get(&r, "/offline").await.0, StatusCode::OK);
}

#[tokio::test]
async fn issue_6_lead_images_are_served_from_our_own_origin() {
    let (_d, r) = fixture().await;
    let (_, html) = get(&r, "/tag/China-CentralAsia").await;
    assert!(html.contains("src=\"/image/1\""));
    assert!(!html.contains("star.example/img.png"), "no third-party image URL on the page");
    let resp = r.clone().oneshot(Request::get("/image/1").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(get(&r, "/image/2").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn issue_6_a_full_topic_page_and_its_css_weigh_at_most_60_kb() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let (src, _) = store
        .add_source(new_source("The Northern Ledger of Record", "https://ledger.example/feed", Some("GB")))
        .await
        .unwrap();
    let tags = ["China-CentralAsia", "Kazakhstan", "CriticalMinerals", "BeltAndRoadInitiative", "Astana", "Uzbekistan"];
    for n in 0..40 {
        let a = NewArticle {
            source_id: src.id,
            url: format!("https://ledger.example/2025/06/28/a-long-article-slug-for-story-number-{n}"),
            guid: format!("g{n}"),
            title: format!(
                "Leaders meet in Astana to sign a long list of agreements on trade, energy and minerals ({n})"
            ),
            author: None,
            published: now() - Duration::hours(n),
            updated: None,
            lang: Some("en".into()),
            category: Some(Category::World),
            tags: tags
                .iter()
                .map(|t| Tag { name: TagName::parse(t).unwrap(), kind: TagKind::Entity, score: 1.0 })
                .collect(),
            text: "Body. ".repeat(500),
            html: String::new(),
            excerpt: "x".repeat(300),
            image: Some("https://ledger.example/i.png".into()),
            image_data: Some(model::ImageData { content_type: "image/png".into(), bytes: b"\x89PNG".to_vec() }),
            fetched: now(),
        };
        store.insert_article(a, StoryAssignment::New).await.unwrap();
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let r =
        web::router(web::AppState::new(store, Clock::Fixed(now()), Arc::new(web::SearchIndex::in_memory().unwrap())));
    let (status, html) = get(&r, "/tag/China-CentralAsia").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"card\"").count(), web::PAGE_SIZE);
    let (_, css) = get(&r, "/static/tagline.css").await;
    let total = html.len() + css.len();
    println!("topic page: {} B HTML + {} B CSS = {} B", html.len(), css.len(), total);
    assert!(total <= 60 * 1024, "{total} bytes");
}

/// Adds sources straight to the store: the binary's implementation adds
/// feed discovery and the SSRF guard, which the CLI tests cover.
struct StoreSources(Arc<dyn Store>);

#[async_trait::async_trait]
impl web::admin::SourceAdmin for StoreSources {
    async fn add(&self, url: &str, region: Option<String>) -> web::admin::SourceAdminResult {
        let feed_url = FeedUrl::parse(url)?;
        let (s, _) = self.0.add_source(NewSource { feed_url, region, ..new_source("Added", url, None) }).await?;
        Ok(format!("added {}", s.name))
    }

    async fn import_opml(&self, _opml: &str) -> web::admin::SourceAdminResult {
        Err("not in this test".into())
    }
}

async fn admin_fixture() -> (tempfile::TempDir, axum::Router, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
    let hash = web::admin::hash_password("correct horse battery").unwrap();
    let admin =
        web::admin::AdminConfig::new(&hash, store.clone(), Arc::new(StoreSources(store.clone())), false).unwrap();
    let site = web::SiteConfig { admin: Some(Arc::new(admin)), ..Default::default() };
    let state = web::AppState::with_site(
        store.clone(),
        Clock::Fixed(now()),
        Arc::new(web::SearchIndex::in_memory().unwrap()),
        site,
    );
    (dir, web::router(state), store)
}

async fn post(
    router: &axum::Router,
    path: &str,
    cookie: &str,
    form: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(Body::from(form.to_string()))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn issue_6_admin_is_off_without_a_password_hash() {
    let (_d, r) = fixture().await;
    let (status, html) = get(&r, "/admin").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("off until an admin password hash is configured"));
}

#[tokio::test]
async fn issue_6_admin_signs_in_checks_csrf_and_manages_sources_and_rules() {
    let (_d, r, store) = admin_fixture().await;
    // Not signed in: sent to the login page.
    let (status, headers, _) = get_with(&r, "/admin", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/admin/login");
    let (status, _, _) = post(&r, "/admin/login", "", "password=wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = post(&r, "/admin/login", "", "password=correct+horse+battery").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let set = headers["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    let cookie = set.split(';').next().unwrap().to_string();
    // A forged cookie is not a session.
    assert_eq!(get_with(&r, "/admin", "tagline_admin=99999999999.00").await.0, StatusCode::SEE_OTHER);

    let (status, headers, page) = get_with(&r, "/admin", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

    let (status, _, _) = post(&r, "/admin/sources", &cookie, "csrf=forged&url=https://new.example/feed.xml").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without the session's token is refused");
    assert!(store.sources().await.unwrap().is_empty());

    let (status, headers, _) =
        post(&r, "/admin/sources", &cookie, &format!("csrf={csrf}&url=https://new.example/feed.xml&region=za")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().unwrap().starts_with("/admin?msg=added"));
    let sources = store.sources().await.unwrap();
    assert_eq!((sources.len(), sources[0].region.as_deref()), (1, Some("ZA")));

    post(
        &r,
        "/admin/rules",
        &cookie,
        &format!("csrf={csrf}&tag=Critical+minerals&keywords=lithium,+rare+earths&source="),
    )
    .await;
    let rules = store.tag_rules().await.unwrap();
    assert_eq!(rules[0].tag.as_str(), "CriticalMinerals");
    assert_eq!(rules[0].keywords, ["lithium", "rare earths"]);
    let (_, _, page) = get_with(&r, "/admin", &cookie).await;
    assert!(page.contains("#CriticalMinerals") && page.contains("lithium, rare earths"));
    post(&r, &format!("/admin/rules/{}/remove", rules[0].id), &cookie, &format!("csrf={csrf}")).await;
    assert!(store.tag_rules().await.unwrap().is_empty());

    post(&r, &format!("/admin/sources/{}/remove", sources[0].id), &cookie, &format!("csrf={csrf}")).await;
    assert!(store.sources().await.unwrap().is_empty());
}

#[tokio::test]
async fn issue_6_admin_login_attempts_are_limited() {
    let (_d, r, _) = admin_fixture().await;
    for _ in 0..5 {
        assert_eq!(post(&r, "/admin/login", "", "password=nope").await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, _, html) = post(&r, "/admin/login", "", "password=correct+horse+battery").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits once the limit is hit");
    assert!(html.contains("Too many failed attempts"));
}

#[tokio::test]
async fn issue_6_the_micro_cache_reuses_a_page_for_its_ttl_then_renders_anew() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let site = web::SiteConfig { page_cache_ttl: std::time::Duration::from_millis(300), ..Default::default() };
    let r = web::router(web::AppState::with_site(
        store.clone(),
        Clock::Fixed(now()),
        Arc::new(web::SearchIndex::in_memory().unwrap()),
        site,
    ));
    let (_, first) = get(&r, "/").await;
    assert!(first.contains("No articles yet."));
    let (src, _) = store.add_source(new_source("Late", "https://late.example/feed", None)).await.unwrap();
    let a = plain_article(src.id, "https://late.example/1", "A late arrival", "Text.");
    store.insert_article(a.clone(), StoryAssignment::New).await.unwrap();
    let (_, cached) = get(&r, "/").await;
    assert_eq!(cached, first, "within the TTL the same render is served");
    // A conditional request is answered from the cache too.
    let resp = r.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    let etag = resp.headers()["etag"].clone();
    let cond = Request::get("/").header("if-none-match", etag).body(Body::empty()).unwrap();
    assert_eq!(r.clone().oneshot(cond).await.unwrap().status(), StatusCode::NOT_MODIFIED);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let (_, fresh) = get(&r, "/").await;
    assert!(fresh.contains("A late arrival"), "after the TTL the page is rendered again");
    // The admin pages and responses setting cookies are never cached.
    let resp = r.clone().oneshot(Request::get("/edition?region=GB").body(Body::empty()).unwrap()).await.unwrap();
    assert!(resp.headers().contains_key("set-cookie"));
    let resp = r.clone().oneshot(Request::get("/edition?region=GB").body(Body::empty()).unwrap()).await.unwrap();
    assert!(resp.headers().contains_key("set-cookie"), "a cookie-setting response is not replayed from cache");
}

#[tokio::test]
async fn issue_7_a_catch_up_indexes_an_article_committed_behind_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("t.db")).unwrap());
    let (src, _) = store.add_source(new_source("S", "https://s.example/feed", None)).await.unwrap();
    for n in 0..3 {
        let a =
            plain_article(src.id, &format!("https://s.example/{n}"), &format!("Harbour story {n}"), "Harbour text.");
        store.insert_article(a, StoryAssignment::New).await.unwrap();
    }
    let search = Arc::new(web::SearchIndex::in_memory().unwrap());
    assert_eq!(index::sync(&*store, &search, |_| {}).await.unwrap().added, 3);
    // As if article 2 had committed after 3 was indexed (PostgreSQL ids are
    // not committed in order): the index lacks it behind its checkpoint.
    search.remove(&[2], search.checkpoint().deletions).unwrap();
    assert_eq!(search.indexed_through(), 3);
    let report = index::sync(&*store, &search, |_| {}).await.unwrap();
    assert_eq!(report.added, 1);
    assert!(search.contains(2));
    // Nothing new: nothing re-indexed.
    assert_eq!(index::sync(&*store, &search, |_| {}).await.unwrap().added, 0);
}

#[tokio::test]
async fn issue_14_every_response_carries_the_security_headers() {
    let (_d, router) = fixture().await;
    for path in ["/", "/tag/China-CentralAsia", "/article/1", "/api/v1/articles", "/no-such-page", "/static/app.js"] {
        let resp = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let h = resp.headers();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
}
