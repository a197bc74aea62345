//! The HTTP client against real servers on loopback addresses.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use fetch::{FetchConfig, FetchError, Fetcher, Guard, Validators};
use std::io::Write;

async fn serve(ip: &str, app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn fetcher(allow_hosts: &[&str], max_body: usize) -> Fetcher {
    Fetcher::new(FetchConfig {
        guard: Guard { allow_private: false, allow_hosts: allow_hosts.iter().map(|s| s.to_string()).collect() },
        max_body,
        ..FetchConfig::default()
    })
    .unwrap()
}

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn app(origin_hint: &'static str) -> axum::Router {
    axum::Router::new()
        .route(
            "/feed",
            get(|h: HeaderMap| async move {
                if h.get(header::IF_NONE_MATCH).is_some_and(|v| v == "\"v1\"") {
                    return StatusCode::NOT_MODIFIED.into_response();
                }
                ([(header::ETAG, "\"v1\""), (header::CONTENT_TYPE, "application/rss+xml")], "<rss/>").into_response()
            }),
        )
        .route("/moved", get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/feed")]) }))
        .route("/temp", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/feed")]) }))
        .route("/loop-a", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop-b")]) }))
        .route("/loop-b", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop-a")]) }))
        .route("/to-forbidden", get(move || async move { (StatusCode::FOUND, [(header::LOCATION, origin_hint)]) }))
        .route("/big", get(|| async { "x".repeat(100_000) }))
        .route(
            "/bomb",
            get(|| async {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                gz.write_all(&vec![0u8; 50 * 1024 * 1024]).unwrap();
                ([(header::CONTENT_ENCODING, "gzip")], gz.finish().unwrap())
            }),
        )
        .route("/busy", get(|| async { (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "120")], "later") }))
}

#[tokio::test]
async fn a_conditional_get_returns_not_modified() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let f = fetcher(&["127.0.0.1"], 1 << 20);
    let first = f.get(&url(&format!("{origin}/feed")), &Validators::default()).await.unwrap();
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    let second = f.get(&url(&format!("{origin}/feed")), &first.validators).await.unwrap();
    assert!(second.not_modified);
}

#[tokio::test]
async fn permanent_redirects_are_reported_and_temporary_ones_are_not() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let f = fetcher(&["127.0.0.1"], 1 << 20);
    let moved = f.get(&url(&format!("{origin}/moved")), &Validators::default()).await.unwrap();
    assert_eq!(moved.permanent_redirect.unwrap().as_str(), format!("{origin}/feed"));
    let temp = f.get(&url(&format!("{origin}/temp")), &Validators::default()).await.unwrap();
    assert!(temp.permanent_redirect.is_none());
    assert_eq!(temp.final_url.as_str(), format!("{origin}/feed"));
}

#[tokio::test]
async fn a_redirect_loop_is_an_error() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let err = fetcher(&["127.0.0.1"], 1 << 20).get(&url(&format!("{origin}/loop-a")), &Validators::default()).await;
    assert!(matches!(err, Err(FetchError::TooManyRedirects { .. })), "{err:?}");
}

#[tokio::test]
async fn a_redirect_to_another_loopback_address_is_refused_before_connecting() {
    // Only 127.0.0.2 is allowed; the redirect points at 127.0.0.3, where
    // nothing listens: a refusal (not a connection error) proves no connection was tried.
    let origin = serve("127.0.0.2", app("http://127.0.0.3:9/feed")).await;
    let err =
        fetcher(&["127.0.0.2"], 1 << 20).get(&url(&format!("{origin}/to-forbidden")), &Validators::default()).await;
    match err {
        Err(FetchError::Forbidden { url, reason }) => {
            assert!(url.contains("127.0.0.3"), "{url}");
            assert!(reason.contains("loopback"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn loopback_is_refused_without_permission() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let err = fetcher(&[], 1 << 20).get(&url(&format!("{origin}/feed")), &Validators::default()).await;
    assert!(matches!(err, Err(FetchError::Forbidden { .. })), "{err:?}");
    let by_name =
        fetcher(&[], 1 << 20).get(&url(&origin.replace("127.0.0.1", "localhost")), &Validators::default()).await;
    assert!(
        matches!(by_name, Err(FetchError::Forbidden { .. })),
        "a name resolving to loopback is refused too: {by_name:?}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_even_when_compressed() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let f = fetcher(&["127.0.0.1"], 64 * 1024);
    let big = f.get(&url(&format!("{origin}/big")), &Validators::default()).await;
    assert!(matches!(big, Err(FetchError::TooLarge { .. })), "{big:?}");
    let bomb = f.get(&url(&format!("{origin}/bomb")), &Validators::default()).await;
    assert!(matches!(bomb, Err(FetchError::TooLarge { .. })), "{bomb:?}");
}

#[tokio::test]
async fn an_error_status_carries_retry_after() {
    let origin = serve("127.0.0.1", app("http://127.0.0.3/")).await;
    let err = fetcher(&["127.0.0.1"], 1 << 20).get(&url(&format!("{origin}/busy")), &Validators::default()).await;
    assert!(matches!(err, Err(FetchError::Status { status: 503, retry_after: Some(120), .. })), "{err:?}");
}

#[derive(Clone, Default)]
struct Counters {
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    max_in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn polite_app(c: Counters) -> axum::Router {
    use std::sync::atomic::Ordering::SeqCst;
    axum::Router::new()
        .route(
            "/flaky",
            get(|axum::extract::State(c): axum::extract::State<Counters>| async move {
                // 503 with Retry-After: 1 twice, then success.
                if c.hits.fetch_add(1, SeqCst) < 2 {
                    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], "busy").into_response()
                } else {
                    "ok".into_response()
                }
            }),
        )
        .route(
            "/missing",
            get(|axum::extract::State(c): axum::extract::State<Counters>| async move {
                c.hits.fetch_add(1, SeqCst);
                StatusCode::NOT_FOUND
            }),
        )
        .route(
            "/slow",
            get(|axum::extract::State(c): axum::extract::State<Counters>| async move {
                let now = c.in_flight.fetch_add(1, SeqCst) + 1;
                c.max_in_flight.fetch_max(now, SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                c.in_flight.fetch_sub(1, SeqCst);
                "slow"
            }),
        )
        .with_state(c)
}

#[tokio::test]
async fn issue_4_transient_failures_are_retried_honouring_retry_after() {
    let c = Counters::default();
    let origin = serve("127.0.0.1", polite_app(c.clone())).await;
    let f = fetcher(&["127.0.0.1"], 1 << 20);
    let ok = f.get(&url(&format!("{origin}/flaky")), &Validators::default()).await.unwrap();
    assert_eq!(&ok.body[..], b"ok");
    assert_eq!(c.hits.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn issue_4_a_404_is_not_retried() {
    let c = Counters::default();
    let origin = serve("127.0.0.1", polite_app(c.clone())).await;
    let err = fetcher(&["127.0.0.1"], 1 << 20).get(&url(&format!("{origin}/missing")), &Validators::default()).await;
    assert!(matches!(err, Err(FetchError::Status { status: 404, .. })));
    assert_eq!(c.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn issue_4_no_more_than_two_requests_per_host_are_in_flight() {
    let c = Counters::default();
    let origin = serve("127.0.0.1", polite_app(c.clone())).await;
    let f = fetcher(&["127.0.0.1"], 1 << 20);
    let u = url(&format!("{origin}/slow"));
    let v = Validators::default();
    let all = futures::future::join_all((0..8).map(|_| f.get(&u, &v))).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(c.max_in_flight.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn issue_4_robots_txt_is_honoured_for_pages_and_fetched_once_per_host() {
    use std::sync::atomic::Ordering::SeqCst;
    let robots_hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hits = robots_hits.clone();
    let app = axum::Router::new()
        .route(
            "/robots.txt",
            get(move || {
                let hits = hits.clone();
                async move {
                    hits.fetch_add(1, SeqCst);
                    "User-agent: *\nDisallow: /private/\n"
                }
            }),
        )
        .route("/public", get(|| async { "public" }))
        .route("/private/x", get(|| async { "secret" }));
    let origin = serve("127.0.0.1", app).await;
    let f = fetcher(&["127.0.0.1"], 1 << 20);
    assert_eq!(&f.get_page(&url(&format!("{origin}/public"))).await.unwrap().body[..], b"public");
    let refused = f.get_page(&url(&format!("{origin}/private/x"))).await;
    assert!(matches!(refused, Err(FetchError::Robots { .. })), "{refused:?}");
    assert_eq!(robots_hits.load(SeqCst), 1, "robots.txt is cached");
    // A feed the operator subscribed to is fetched with get(), without robots.txt.
    assert!(f.get(&url(&format!("{origin}/private/x")), &Validators::default()).await.is_ok());
}
