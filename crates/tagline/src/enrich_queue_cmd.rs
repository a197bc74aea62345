//! `tagline enrich`: enrich what `crawl --feeds-only` left queued.

use super::*;

/// Runs the enrichment stage until the queue is empty, with a progress bar.
pub(crate) async fn enrich_queue(app: &App) -> Result<()> {
    let pending = app.store.counts().await?.pending;
    let bar = progress_bar(pending as u64, "enriching");
    let started = std::time::Instant::now();
    let n = app.crawler(false, true).enrich_pending(|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("{n} articles enriched in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
