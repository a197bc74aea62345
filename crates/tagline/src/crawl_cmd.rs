//! `tagline crawl`: one pass, or a worker that runs until stopped.

use super::*;

pub(crate) fn print_report(report: &CrawlReport) {
    for s in &report.sources {
        match &s.error {
            Some(e) => println!("FAILED {} ({}): {e}", s.source, s.feed_url),
            None if s.not_modified => println!("ok {}: not modified", s.source),
            None => {
                println!("ok {}: {} new", s.source, s.stored.len());
                if s.deferred > 0 {
                    println!("  {} older entries stored from the feed only (page limit per crawl)", s.deferred);
                }
                for (id, title) in &s.stored {
                    println!("  stored #{id}: {title}");
                }
            }
        }
        for w in &s.warnings {
            println!("  warning: {w}");
        }
    }
    let failed = report.failed().count();
    println!("{} articles stored from {} sources; {failed} failed", report.stored(), report.sources.len());
    if report.enriched > 0 {
        println!("{} articles enriched", report.enriched);
    }
    if let Some(e) = &report.enrich_error {
        println!("enrichment stopped: {e}; the rest waits for the next run or `tagline enrich`");
    }
}

pub(crate) async fn crawl(app: &App, args: &CrawlArgs) -> Result<std::process::ExitCode> {
    // `--once --feeds-only` is bulk ingest: enrichment is left to the queue.
    let crawler = app.crawler(args.feeds_only, !(args.once && args.feeds_only));
    if args.worker {
        return crawl_worker(&crawler, args).await;
    }
    if args.once {
        let report = crawler.crawl_once().await?;
        print_report(&report);
        if args.feeds_only && report.stored() > 0 {
            println!("the new articles await enrichment: run `tagline enrich` (serve and workers do it too)");
        }
        return Ok(if report.failed().count() > 0 {
            std::process::ExitCode::FAILURE
        } else {
            std::process::ExitCode::SUCCESS
        });
    }
    let interval = Duration::from_secs(app.file.crawl_interval.unwrap_or(args.interval).max(1));
    loop {
        match crawler.crawl_due().await {
            Ok(report) => print_report(&report),
            Err(e) => tracing::error!(error = %e, "crawl failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => return Ok(std::process::ExitCode::SUCCESS),
        }
    }
}

/// This worker's name in leases: host and process.
pub(crate) fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".into());
    format!("{host}-{}", std::process::id())
}

/// One of many workers: claims due sources as leases until stopped.
pub(crate) async fn crawl_worker(crawler: &Crawler, args: &CrawlArgs) -> Result<std::process::ExitCode> {
    let me = worker_name();
    let lease = chrono::Duration::seconds(args.lease.max(1) as i64);
    let idle = Duration::from_secs(args.interval.clamp(1, 60));
    tracing::info!(worker = %me, "crawl worker started");
    loop {
        let claimed = match crawler.crawl_leased(&me, lease).await {
            Ok(report) => {
                if !report.sources.is_empty() {
                    print_report(&report);
                }
                report.sources.len()
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming sources failed");
                0
            }
        };
        if claimed == 0 {
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = tokio::signal::ctrl_c() => return Ok(std::process::ExitCode::SUCCESS),
            }
        }
    }
}
