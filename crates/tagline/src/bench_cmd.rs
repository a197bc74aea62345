//! `tagline bench`: latency of search, pages and story matching over the data directory.

use super::*;

/// Median, 90th and 99th percentiles of durations, in milliseconds.
pub(crate) fn percentiles(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let at = |p: f64| d[((d.len() as f64 * p) as usize).min(d.len() - 1)].as_secs_f64() * 1000.0;
    (at(0.5), at(0.9), at(0.99))
}

pub(crate) async fn bench_search(app: &App, n: usize) -> Result<()> {
    let search = open_index(&app.data)?;
    let docs = search.num_docs();
    anyhow::ensure!(docs > 0, "the search index is empty: run `tagline synth` and `tagline reindex` first");
    let queries = synth::queries(n);
    // Warm the OS page cache and tantivy's caches as a serving node would be.
    for q in queries.iter().take(200) {
        search.search(q)?;
    }
    let (mut index_only, mut end_to_end) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut hits = 0usize;
    for q in &queries {
        let t = std::time::Instant::now();
        let r = search.search(q)?;
        index_only.push(t.elapsed());
        let ids: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
        let articles = app.store.articles_by_ids(&ids).await?;
        end_to_end.push(t.elapsed());
        hits += articles.len();
    }
    let (m1, p90a, p99a) = percentiles(index_only);
    let (m2, p90b, p99b) = percentiles(end_to_end);
    println!("search over {docs} articles, {n} queries, {:.1} hits per query", hits as f64 / n as f64);
    println!("index search + snippets: median {m1:.2} ms, p90 {p90a:.2} ms, p99 {p99a:.2} ms");
    println!("with the store fetch:    median {m2:.2} ms, p90 {p90b:.2} ms, p99 {p99b:.2} ms");
    Ok(())
}

pub(crate) async fn bench_pages(app: &App, n: usize) -> Result<()> {
    use tower::ServiceExt;
    let search = open_index(&app.data)?;
    let tags = app.store.top_tags(None, 50).await?;
    anyhow::ensure!(!tags.is_empty(), "the store has no tags: run `tagline synth` first");
    let router = web::router(web::AppState::new(app.store.clone(), app.clock, search));
    let mut rng = synth::Rng::new(7);
    let mut times = Vec::with_capacity(n);
    let mut bytes = 0usize;
    for i in 0..n + 100 {
        let tag = &tags[rng.below(tags.len())].name;
        // One in four is a later page, through a cursor from a first page.
        let uri = format!("/tag/{tag}");
        let t = std::time::Instant::now();
        let resp = router.clone().oneshot(axum::http::Request::get(&uri).body(axum::body::Body::empty())?).await?;
        anyhow::ensure!(resp.status() == 200, "{uri} answered {}", resp.status());
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
        let mut elapsed = t.elapsed();
        if i % 4 == 0 {
            let html = String::from_utf8_lossy(&body);
            if let Some(cursor) = html.split("?after=").nth(1).and_then(|s| s.split('"').next()) {
                let uri = format!("/tag/{tag}?after={cursor}");
                let t = std::time::Instant::now();
                let resp =
                    router.clone().oneshot(axum::http::Request::get(&uri).body(axum::body::Body::empty())?).await?;
                axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
                elapsed = t.elapsed();
            }
        }
        if i >= 100 {
            times.push(elapsed);
            bytes += body.len();
        }
    }
    let (m, p90, p99) = percentiles(times);
    let articles = app.store.counts().await?.articles;
    println!("topic pages over {articles} articles, {n} renders, {} B average", bytes / n.max(1));
    println!("render in-process: median {m:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms");
    Ok(())
}

pub(crate) async fn bench_cluster(app: &App, n: usize) -> Result<()> {
    let stored = app.store.counts().await?.articles;
    anyhow::ensure!(stored > 0, "the store is empty: run `tagline synth` first");
    let max_id = app.store.article_ids_after(0, 1).await?.first().copied().unwrap_or(1) + stored;
    let mut rng = synth::Rng::new(11);
    let ids: Vec<i64> = (0..n).map(|_| 1 + rng.below(max_id as usize) as i64).collect();
    let articles = app.store.articles_by_ids(&ids).await?;
    // The enrichment stage's own matcher, one article per batch: the same
    // candidate search, feature cache and scoring as production, minus the
    // transaction that stores the result.
    let matcher = crawler::StoryMatcher::new();
    let (mut times, mut seen) = (Vec::with_capacity(articles.len()), 0usize);
    for a in articles {
        let e = store::Enrichment { id: a.id, lang: a.lang.clone(), category: a.category, tags: a.tags.clone() };
        let t = std::time::Instant::now();
        let found = matcher.best_stories(app.store.as_ref(), &[(a, e)]).await?;
        times.push(t.elapsed());
        seen += found.iter().map(|f| f.1).sum::<usize>();
    }
    let timed = times.len();
    let (m, p90, p99) = percentiles(times);
    println!(
        "story assignment over {stored} stored articles, {} new: {:.0} candidates each",
        timed,
        seen as f64 / timed.max(1) as f64
    );
    println!("per article: median {m:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms");
    Ok(())
}
