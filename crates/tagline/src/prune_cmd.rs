//! `tagline prune` and `tagline pin`: retention by age, and the articles it keeps.

use super::*;

/// Parses an age such as 90d, 12h, 30m or 45s.
pub(crate) fn parse_age(s: &str) -> Result<chrono::Duration> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = n.parse().with_context(|| format!("{s:?} is not an age like 90d, 12h or 30m"))?;
    Ok(match unit {
        "d" => chrono::Duration::days(n),
        "h" => chrono::Duration::hours(n),
        "m" => chrono::Duration::minutes(n),
        "s" => chrono::Duration::seconds(n),
        _ => anyhow::bail!("{s:?}: give the age with a unit: d, h, m or s"),
    })
}

pub(crate) async fn prune(app: &App, args: &cli::PruneArgs) -> Result<()> {
    let before = app.clock.now() - parse_age(&args.older_than)?;
    let mut total = 0;
    loop {
        let n = app.store.prune(before, 1_000).await?;
        total += n;
        if n == 0 {
            break;
        }
    }
    println!("removed {total} articles published before {}", before.format("%Y-%m-%d %H:%M"));
    // The search index follows through the deletion log; bring it along now
    // unless a running `serve` holds it (it will on its next catch-up).
    let search = open_index(&app.data)?;
    if search.try_writer().is_ok() {
        let r = index::sync(&*app.store, &search, |_| {}).await?;
        println!("search index: {} removed", r.removed);
    }
    Ok(())
}

/// Pins or unpins one article.
pub(crate) async fn pin(app: &App, args: &cli::PinArgs) -> Result<()> {
    anyhow::ensure!(app.store.set_pinned(args.id, !args.unpin).await?, "no article {}", args.id);
    println!("article {} {}", args.id, if args.unpin { "unpinned" } else { "pinned" });
    Ok(())
}
