//! `tagline serve`: the website and API, with the crawler and index catch-up beside them.

use super::*;

pub(crate) async fn serve(app: App, args: &ServeArgs) -> Result<()> {
    let listen: SocketAddr = match args.listen.or(app.file.listen) {
        Some(a) => a,
        None => DEFAULT_LISTEN.parse()?,
    };
    if !args.no_crawl {
        let crawler = app.crawler(false, true);
        let interval = Duration::from_secs(args.interval.or(app.file.crawl_interval).unwrap_or(DEFAULT_TICK).max(1));
        tokio::spawn(async move {
            loop {
                match crawler.crawl_due().await {
                    Ok(r) => tracing::info!(stored = r.stored(), failed = r.failed().count(), "crawl finished"),
                    Err(e) => tracing::error!(error = %e, "crawl failed"),
                }
                tokio::time::sleep(interval).await;
            }
        });
    }
    let base_url = args.base_url.clone().or(app.file.base_url.clone());
    let hash = args.admin_password_hash.clone().or(app.file.admin_password_hash.clone());
    let (store, clock, data) = (app.store.clone(), app.clock, app.data.clone());
    let app_page_cache = app.file.page_cache_seconds;
    let admin = match hash {
        Some(h) => {
            let secure = base_url.as_deref().is_some_and(|b| b.starts_with("https://"));
            let cfg = web::admin::AdminConfig::new(&h, store.clone(), Arc::new(AdminSources(Arc::new(app))), secure)?;
            Some(Arc::new(cfg))
        }
        None => None,
    };
    let page_cache_ttl = Duration::from_secs_f64(app_page_cache.unwrap_or(DEFAULT_PAGE_CACHE).clamp(0.0, 3600.0));
    let site = web::SiteConfig { base_url, admin, page_cache_ttl, intro: None };
    serve_web(store, clock, &data, site, listen).await
}

/// Seconds a rendered public page is reused (a micro-cache).
pub(crate) const DEFAULT_PAGE_CACHE: f64 = 1.0;

/// Seconds between search-index catch-ups while serving.
pub(crate) const INDEX_TICK: u64 = 5;

/// Opens this node's search index in the data directory.
pub(crate) fn open_index(data: &Path) -> Result<Arc<web::SearchIndex>> {
    let dir = data.join("index");
    Ok(Arc::new(web::SearchIndex::open(&dir).with_context(|| format!("opening the search index {}", dir.display()))?))
}

/// Serves the site until Ctrl-C, keeping the search index in step with the
/// store (when no other process on this data directory already does).
pub(crate) async fn serve_web(
    store: Arc<dyn Store>,
    clock: Clock,
    data: &Path,
    site: web::SiteConfig,
    listen: SocketAddr,
) -> Result<()> {
    let search = open_index(data)?;
    match search.try_writer() {
        Ok(()) => {
            let (store, search) = (store.clone(), search.clone());
            tokio::spawn(async move {
                loop {
                    match index::sync(&*store, &search, |_| {}).await {
                        Ok(r) if r.added + r.removed > 0 => {
                            tracing::info!(added = r.added, removed = r.removed, "search index updated")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %format!("{e:#}"), "search index update failed"),
                    }
                    tokio::time::sleep(Duration::from_secs(INDEX_TICK)).await;
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "serving search read-only; another process keeps the index up to date"),
    }
    let router = web::router(web::AppState::with_site(store, clock, search, site));
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("serving on http://{addr}/");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")?;
    Ok(())
}
