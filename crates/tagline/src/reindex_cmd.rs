//! `tagline reindex`: rebuild the search index from the store.

use super::*;

/// Rebuilds the search index from the store, with a progress bar.
pub(crate) async fn reindex(app: &App) -> Result<()> {
    let search = open_index(&app.data)?;
    search.try_writer().context("the index is in use; stop `tagline serve` on this data directory first")?;
    let total = app.store.counts().await?.articles;
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} indexing [{bar:40}] {pos}/{len} articles ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let idx = search.clone();
    tokio::task::spawn_blocking(move || idx.clear()).await??;
    let report = index::sync(&*app.store, &search, |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("indexed {} articles", report.added);
    Ok(())
}
