//! `tagline sources`: adding (with feed discovery), importing and exporting OPML, listing, and extraction rules.

use super::*;

pub(crate) async fn add_source(app: &App, args: &AddArgs) -> Result<()> {
    println!("{}", add_source_message(app, args).await?);
    Ok(())
}

/// Adds a source; the line to show the operator.
pub(crate) async fn add_source_message(app: &App, args: &AddArgs) -> Result<String> {
    let url = FeedUrl::parse(&args.url).with_context(|| format!("{:?} is not a URL Tagline can crawl", args.url))?;
    let found = crawler::discover_feed(&app.fetcher, &url).await.with_context(|| format!("adding {url}"))?;
    let name = args
        .name
        .clone()
        .or(found.title.clone())
        .unwrap_or_else(|| found.feed_url.as_url().host_str().unwrap_or("source").to_string());
    let (source, created) = app
        .store
        .add_source(NewSource {
            name,
            home_url: found.home_url.clone(),
            feed_url: found.feed_url.clone(),
            region: args.region.as_ref().map(|r| r.to_uppercase()),
            lang: args.lang.clone().or(found.language.clone()),
            fetch_pages: !args.no_fetch_pages,
            trusted_hosts: trusted_hosts(&app.fetcher.config().guard, &[url.as_url(), found.feed_url.as_url()]).await,
        })
        .await?;
    Ok(if created {
        format!("added {} ({}) as /source/{}", source.name, source.feed_url, source.slug)
    } else {
        format!("already known: {} ({}) as /source/{}", source.name, source.feed_url, source.slug)
    })
}

/// The non-public hosts among `urls` that the current flags allow: adding a
/// source with `--allow-private-network` or `--allow-host` records the
/// operator's consent for that source's hosts, so later crawls need no flag.
pub(crate) async fn trusted_hosts(guard: &Guard, urls: &[&url::Url]) -> Vec<String> {
    let hosts = non_public_allowed_hosts(guard, urls).await;
    for h in &hosts {
        println!("note: {h} is not a public address; allowed for this source as you asked");
    }
    hosts
}

/// The non-public hosts among `urls` that the current flags allow.
pub(crate) async fn non_public_allowed_hosts(guard: &Guard, urls: &[&url::Url]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in urls {
        let Some(host) = u.host_str() else { continue };
        if out.iter().any(|h| h == host) || !(guard.allow_private || guard.host_is_allowed(host)) {
            continue;
        }
        let non_public = match u.host() {
            Some(url::Host::Ipv4(ip)) => fetch::guard::is_non_public(ip.into()),
            Some(url::Host::Ipv6(ip)) => fetch::guard::is_non_public(ip.into()),
            Some(url::Host::Domain(d)) => tokio::net::lookup_host((d, u.port_or_known_default().unwrap_or(80)))
                .await
                .map(|mut addrs| addrs.any(|a| fetch::guard::is_non_public(a.ip())))
                .unwrap_or(false),
            None => false,
        };
        if non_public {
            out.push(host.to_string());
        }
    }
    out
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
    let outlines = feed::opml::parse(text)?;
    let (mut added, mut known, mut invalid, mut trusted_count) = (0, 0, 0, 0usize);
    for o in outlines {
        let feed_url = match FeedUrl::parse(&o.feed_url) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("skipped {:?}: {e}", o.feed_url);
                invalid += 1;
                continue;
            }
        };
        let name = o.title.clone().unwrap_or_else(|| feed_url.as_url().host_str().unwrap_or("source").to_string());
        let trusted = non_public_allowed_hosts(&app.fetcher.config().guard, &[feed_url.as_url()]).await;
        trusted_count += usize::from(!trusted.is_empty());
        let (_, created) = app
            .store
            .add_source(NewSource {
                name,
                home_url: o.home_url.as_deref().and_then(|h| FeedUrl::parse(h).ok()),
                feed_url,
                region: None,
                lang: None,
                fetch_pages: !no_fetch_pages,
                trusted_hosts: trusted,
            })
            .await?;
        if created {
            added += 1;
        } else {
            known += 1;
        }
    }
    let mut summary = format!("imported {added} sources ({known} already known, {invalid} invalid)");
    if trusted_count > 0 {
        summary += &format!("\nnote: {trusted_count} of them are on non-public addresses, allowed as you asked");
    }
    Ok(summary)
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
