//! The router against a real SQLite file, called in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use model::{Category, Clock, FeedUrl, NewArticle, NewSource, Tag, TagKind, TagName};
use std::sync::Arc;
use store::{SqliteStore, Store, StoryAssignment};
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
                    fetched: now(),
                },
                StoryAssignment::New,
            )
            .await
            .unwrap();
    }
    let state = web::AppState { store: Arc::new(store), clock: Clock::Fixed(now()) };
    (dir, web::router(state))
}

async fn get(router: &axum::Router, path: &str) -> (StatusCode, String) {
    let resp = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
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
