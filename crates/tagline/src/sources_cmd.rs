//! `tagline sources`: adding (with feed discovery), importing and exporting OPML, listing, and extraction rules.

use super::*;

pub(crate) async fn add_source(app: &App, args: &AddArgs) -> Result<()> {
    println!("{}", add_source_message(app, args).await?);
    Ok(())
}

/// Adds a source; the lines to show the operator.
pub(crate) async fn add_source_message(app: &App, args: &AddArgs) -> Result<String> {
    let req = crawler::admission::AddRequest {
        url: args.url.clone(),
        name: args.name.clone(),
        region: args.region.clone(),
        lang: args.lang.clone(),
        fetch_pages: !args.no_fetch_pages,
    };
    let done = crawler::admission::add_source(app.store.as_ref(), &app.fetcher, &req).await?;
    let mut lines: Vec<String> = done
        .trusted_hosts
        .iter()
        .map(|h| format!("note: {h} is not a public address; allowed for this source as you asked"))
        .collect();
    let s = &done.source;
    let verb = if done.created { "added" } else { "already known:" };
    lines.push(format!("{verb} {} ({}) as /source/{}", s.name, s.feed_url, s.slug));
    Ok(lines.join("\n"))
}

pub(crate) async fn import_opml(app: &App, args: &cli::ImportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let summary = import_opml_text(app, &text, args.no_fetch_pages)
        .await
        .with_context(|| format!("importing {}", args.file.display()))?;
    println!("{summary}");
    Ok(())
}

/// Imports the sources of an OPML document; the summary to show.
pub(crate) async fn import_opml_text(app: &App, text: &str, no_fetch_pages: bool) -> Result<String> {
    let done = crawler::admission::import_opml(app.store.as_ref(), &app.fetcher, text, !no_fetch_pages).await?;
    // Skipped outlines go to stderr, as diagnostics; the summary is the
    // command's output (and the admin page's message).
    for (url, why) in &done.invalid {
        eprintln!("skipped {url:?}: {why}");
    }
    let mut lines =
        vec![format!("imported {} sources ({} already known, {} invalid)", done.added, done.known, done.invalid.len())];
    if done.trusted > 0 {
        lines.push(format!("note: {} of them are on non-public addresses, allowed as you asked", done.trusted));
    }
    Ok(lines.join("\n"))
}

/// The admin pages' way to add sources: the same code paths as the CLI.
pub(crate) struct AdminSources(pub(crate) Arc<App>);

#[async_trait::async_trait]
impl web::admin::SourceAdmin for AdminSources {
    async fn add(&self, url: &str, region: Option<String>) -> web::admin::SourceAdminResult {
        let args = AddArgs { url: url.to_string(), name: None, region, lang: None, no_fetch_pages: false };
        Ok(add_source_message(&self.0, &args).await?)
    }

    async fn import_opml(&self, opml: &str) -> web::admin::SourceAdminResult {
        Ok(import_opml_text(&self.0, opml, false).await?)
    }
}

pub(crate) async fn export_opml(app: &App) -> Result<()> {
    let outlines: Vec<feed::opml::Outline> = app
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| feed::opml::Outline {
            feed_url: s.feed_url.to_string(),
            title: Some(s.name),
            home_url: s.home_url.map(|h| h.to_string()),
            folders: Vec::new(),
        })
        .collect();
    print!("{}", feed::opml::write("Tagline sources", &outlines));
    Ok(())
}

pub(crate) async fn set_rules(app: &App, args: &cli::RulesArgs) -> Result<()> {
    let source = app
        .store
        .source_by_slug(&args.slug)
        .await?
        .with_context(|| format!("no source with slug {:?}; see `tagline sources list`", args.slug))?;
    let rules = if args.clear {
        model::ExtractRules::default()
    } else if args.keep.is_none() && args.drop.is_empty() {
        println!("{}", serde_json::to_string_pretty(&source.extract_rules)?);
        return Ok(());
    } else {
        model::ExtractRules { keep: args.keep.clone(), drop: args.drop.clone() }
    };
    extract::validate_rules(&rules)?;
    app.store.set_extract_rules(source.id, rules).await?;
    println!("rules for {} updated", source.slug);
    Ok(())
}

pub(crate) async fn list_sources(app: &App) -> Result<()> {
    let sources = app.store.sources().await?;
    if sources.is_empty() {
        println!("no sources yet; add one with `tagline sources add URL`");
    }
    for s in sources {
        let when = s.last_fetched.map_or("never".to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        println!("{}\t{}\t{}\tlast fetched: {}", s.slug, s.status.as_str(), s.feed_url, when);
        if let Some(e) = s.last_error {
            println!("\tlast error: {e}");
        }
        if let Some(n) = s.last_note {
            println!("\tlast crawl: {n}");
        }
    }
    Ok(())
}
