//! `tagline demo`: a publisher web of our own on a local port (nine invented
//! outlets in nine regions, written for Tagline), crawled into a throwaway
//! data directory and served, so a newcomer sees a full site within seconds
//! and without a network. The outlets keep publishing while the demo runs,
//! and the demo keeps crawling them.

mod content;
mod image;
mod site;

use crate::cli::{Cli, DemoArgs};
use anyhow::{Context, Result};
use crawler::schedule::Bounds;
use crawler::{CrawlConfig, Crawler};
use fetch::{FetchConfig, Fetcher, Guard};
use model::{FeedUrl, NewSource};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::prelude::*;
use store::SqliteStore;

/// How often the demo looks for new articles: each feed is due again
/// within [`DEMO_BOUNDS`], far sooner than a real publisher would allow.
const DEMO_TICK: Duration = Duration::from_secs(5);

/// The demo's feeds are fetched every 5 to 15 seconds.
const DEMO_BOUNDS: Bounds = Bounds { min: chrono::Duration::seconds(5), max: chrono::Duration::seconds(15) };

pub async fn run(args: &DemoArgs, cli: &Cli) -> Result<()> {
    let clock = crate::parse_clock(cli.now.as_deref())?;
    let bind = if args.publishers_only { args.listen } else { "127.0.0.1:0".parse()? };
    let listener = tokio::net::TcpListener::bind(bind).await.context("binding the demo publisher web")?;
    let addr = listener.local_addr()?;
    let web = Arc::new(site::Web {
        origin: format!("http://{addr}"),
        start: clock.now(),
        started: Instant::now(),
        every: Duration::from_secs(args.every.max(1)),
    });
    let publishers = site::router(web.clone());
    if args.publishers_only {
        let slugs: Vec<&str> = site::publishers().iter().map(|p| p.slug).collect();
        println!("demo publishers ({}) on {}/", slugs.join(", "), web.origin);
        axum::serve(listener, publishers)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        return Ok(());
    }
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, publishers).await {
            tracing::error!(error = %e, "demo publisher web stopped");
        }
    });
    println!(
        "demo publisher web on {}/: {} outlets, a new article every {} s",
        web.origin,
        site::publishers().len(),
        args.every
    );

    let dir = tempfile::tempdir().context("creating a scratch data directory")?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("tagline.db"))?);
    // The demo web is on loopback; allow exactly that address and nothing else.
    let fetcher = Fetcher::new(FetchConfig {
        guard: Guard { allow_private: false, allow_hosts: vec![addr.ip().to_string()] },
        ..FetchConfig::default()
    })?;
    for p in site::publishers() {
        let home = FeedUrl::parse(&format!("{}/{}/", web.origin, p.slug))?;
        let found = crawler::discover_feed(&fetcher, &home)
            .await
            .with_context(|| format!("discovering the feed of {}", p.name))?;
        store
            .add_source(NewSource {
                name: found.title.unwrap_or_else(|| p.name.to_string()),
                home_url: Some(home),
                feed_url: found.feed_url,
                region: Some(p.region.to_string()),
                lang: Some("en".into()),
                fetch_pages: true,
                trusted_hosts: vec![],
            })
            .await?;
    }
    let crawler =
        Crawler::new(store.clone(), fetcher, clock, CrawlConfig { bounds: DEMO_BOUNDS, ..CrawlConfig::default() });
    let report = crawler.crawl_once().await?;
    println!("crawled {} articles from {} demo publishers", report.stored(), report.sources.len());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(DEMO_TICK).await;
            match crawler.crawl_due().await {
                Ok(r) if r.stored() > 0 => println!("new: {} article(s) from the demo publishers", r.stored()),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "demo crawl failed"),
            }
        }
    });
    let site = web::SiteConfig {
        page_cache_ttl: Duration::from_secs_f64(crate::DEFAULT_PAGE_CACHE),
        intro: Some(web::Intro {
            publishers: site::publishers().len(),
            every_secs: args.every,
            tags: vec!["EuropeanUnion-India".into(), "Vietnam-Cambodia".into(), "Nigeria-Ghana".into()],
            region: "NG".into(),
            query: "Mekong floods".into(),
        }),
        ..Default::default()
    };
    crate::serve_web(store, clock, dir.path(), site, args.listen).await
}
