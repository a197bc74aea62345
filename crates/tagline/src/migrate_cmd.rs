//! `tagline migrate-store`: copy an instance from SQLite to PostgreSQL.

use super::*;

pub(crate) async fn migrate_store(args: &cli::MigrateArgs) -> Result<()> {
    let from = args.from.strip_prefix("sqlite:").context("--from: expected sqlite:PATH")?;
    let from = Path::new(from);
    anyhow::ensure!(from.exists(), "{} does not exist", from.display());
    let to = store::PgStore::connect(&args.to).await.context("connecting to PostgreSQL (--to)")?;
    let bar = progress_bar(0, "copying");
    let counts = store::migrate::sqlite_to_postgres(from, &to, |p| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        bar.set_message(p.table);
    })
    .await
    .context("copying to PostgreSQL (run the same command again to resume)")?;
    bar.finish_and_clear();
    for c in &counts {
        println!("{:15} {:>10} rows copied", c.table, c.target);
    }
    println!("done: every table's count matches; run `tagline --database postgres://… reindex` on each web node");
    Ok(())
}
