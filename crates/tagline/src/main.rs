//! The tagline binary: wires the CLI to the crawler, the store and the web.

mod batch;
mod cli;
mod config;
mod demo;
mod enrich_cmd;
mod extract_cmd;
mod feed_cmd;
mod synth;

use anyhow::{Context, Result};

// DOM building, tokenising and the web's rendering allocate many small
// objects on every core; mimalloc's per-thread heaps do that markedly faster
// than glibc's malloc (see docs/benchmarks.md, extraction).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::Parser;
use cli::{AddArgs, Cli, Command, CrawlArgs, ServeArgs, SourcesCommand};
use config::FileConfig;
use crawler::{CrawlConfig, CrawlReport, Crawler};
use fetch::{FetchConfig, Fetcher, Guard};
use model::{Clock, FeedUrl, NewSource};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use store::prelude::*;
use store::SqliteStore;

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Seconds between looks for due sources; each source's own schedule
/// (crawler::schedule) decides whether it is fetched.
const DEFAULT_TICK: u64 = 60;

/// Everything a command needs, built from flags, environment and file.
struct App {
    store: Arc<dyn Store>,
    clock: Clock,
    fetcher: Fetcher,
    file: FileConfig,
    data: std::path::PathBuf,
    /// Article pages fetched per source and crawl: the flag or variable,
    /// else the file, else the crawler's default.
    max_pages_per_source: usize,
}

impl App {
    async fn open(cli: &Cli) -> Result<Self> {
        let file = FileConfig::load(cli.config.as_deref(), &cli.data)?;
        let clock = parse_clock(cli.now.as_deref())?;
        let store = open_store(&cli.data, cli.database.as_deref().or(file.database_url.as_deref()), clock).await?;
        let mut allow_hosts = cli.allow_hosts.clone();
        allow_hosts.extend(file.allow_hosts.iter().cloned());
        let mut fc = FetchConfig {
            guard: Guard {
                allow_private: cli.allow_private_network || file.allow_private_network.unwrap_or(false),
                allow_hosts,
            },
            ..FetchConfig::default()
        };
        if let Some(ua) = &file.user_agent {
            fc.user_agent = ua.clone();
        }
        let fetcher = Fetcher::new(fc).context("building the HTTP client")?;
        let max_pages_per_source =
            cli.max_pages_per_source.or(file.max_pages_per_source).unwrap_or(crawler::DEFAULT_MAX_PAGES_PER_SOURCE);
        Ok(Self { store, clock, fetcher, file, data: cli.data.clone(), max_pages_per_source })
    }

    /// A crawler; `enrich` runs the enrichment stage after each crawl.
    fn crawler(&self, feeds_only: bool, enrich: bool) -> Crawler {
        let config = CrawlConfig {
            feeds_only,
            enrich,
            source_concurrency: self.file.source_concurrency.unwrap_or(CrawlConfig::default().source_concurrency),
            max_pages_per_source: self.max_pages_per_source,
            ..CrawlConfig::default()
        };
        Crawler::new(self.store.clone(), self.fetcher.clone(), self.clock, config)
    }
}

async fn open_store(data: &Path, database: Option<&str>, clock: Clock) -> Result<Arc<dyn Store>> {
    std::fs::create_dir_all(data).with_context(|| format!("creating the data directory {}", data.display()))?;
    match database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store = store::PgStore::connect(url).await.context("connecting to PostgreSQL")?;
            return Ok(Arc::new(store.with_clock(clock)));
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = Path::new(url.trim_start_matches("sqlite:"));
            let store = SqliteStore::open(path).with_context(|| format!("opening the database {}", path.display()))?;
            return Ok(Arc::new(store.with_clock(clock)));
        }
        Some(other) => anyhow::bail!("--database {other:?}: expected postgres://… or sqlite:PATH"),
        None => {}
    }
    let db = data.join("tagline.db");
    let store = SqliteStore::open(&db).with_context(|| format!("opening the database {}", db.display()))?;
    Ok(Arc::new(store.with_clock(clock)))
}

fn parse_clock(now: Option<&str>) -> Result<Clock> {
    match now {
        None => Ok(Clock::System),
        Some(s) => {
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .with_context(|| format!("--now {s:?} is not an RFC 3339 time"))?;
            Ok(Clock::Fixed(t.with_timezone(&chrono::Utc)))
        }
    }
}

fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of our
    // output goes away (`tagline parse-feed --batch | head`); Rust ignores
    // SIGPIPE by default, which turns it into a panic in println!.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal, before any
    // thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAGLINE_LOG").unwrap_or_else(|_| "warn,tagline=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // The batch commands parse hostile input on the global pool: give its
    // threads the crawler's documented stack rather than the 2 MiB default.
    if let Err(e) = rayon::ThreadPoolBuilder::new().stack_size(crawler::CPU_STACK_BYTES).build_global() {
        tracing::warn!(error = %e, "could not size the CPU pool's stacks");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match &cli.command {
        Command::Classify => enrich_cmd::classify().map(|_| ExitCode::SUCCESS),
        Command::Train(cli::TrainCommand::Category(args)) => {
            enrich_cmd::train_category(args).map(|_| ExitCode::SUCCESS)
        }
        Command::Tag(args) => {
            let mut params = enrich::keyphrase::RankParams::default();
            params.position_decay = args.position_decay.unwrap_or(params.position_decay);
            params.idf_power = args.idf_power.unwrap_or(params.idf_power);
            enrich_cmd::tag(&params).map(|_| ExitCode::SUCCESS)
        }
        Command::Dedup { threshold } => enrich_cmd::dedup(*threshold).map(|_| ExitCode::SUCCESS),
        Command::Cluster(args) => enrich_cmd::cluster(args.threshold, args.merge_threshold).map(|_| ExitCode::SUCCESS),
        Command::ParseFeed(args) => Ok(if feed_cmd::run(args)? { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Extract(args) => Ok(if extract_cmd::run(args)? { ExitCode::SUCCESS } else { ExitCode::FAILURE }),
        Command::Demo(args) => demo::run(args, &cli).await.map(|_| ExitCode::SUCCESS),
        Command::Sources(SourcesCommand::Add(args)) => {
            add_source(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Rules(args)) => {
            set_rules(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Import(args)) => {
            import_opml(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::Export) => {
            export_opml(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Sources(SourcesCommand::List) => {
            list_sources(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Crawl(args) => crawl(&App::open(&cli).await?, args).await,
        Command::Serve(args) => serve(App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS),
        Command::Reindex => reindex(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS),
        Command::Enrich => enrich_queue(&App::open(&cli).await?).await.map(|_| ExitCode::SUCCESS),
        Command::HashPassword => hash_password().map(|_| ExitCode::SUCCESS),
        Command::MigrateStore(args) => migrate_store(args).await.map(|_| ExitCode::SUCCESS),
        Command::Prune(args) => prune(&App::open(&cli).await?, args).await.map(|_| ExitCode::SUCCESS),
        Command::Pin(args) => {
            let app = App::open(&cli).await?;
            anyhow::ensure!(app.store.set_pinned(args.id, !args.unpin).await?, "no article {}", args.id);
            println!("article {} {}", args.id, if args.unpin { "unpinned" } else { "pinned" });
            Ok(ExitCode::SUCCESS)
        }
        Command::Alias(cmd) => alias_cmd(&App::open(&cli).await?, cmd).await.map(|_| ExitCode::SUCCESS),
        Command::Synth(args) => synth_cmd(&App::open(&cli).await?, args.articles).await.map(|_| ExitCode::SUCCESS),
        Command::Bench(cli::BenchCommand::Search { queries }) => {
            bench_search(&App::open(&cli).await?, *queries).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCommand::Cluster { articles }) => {
            bench_cluster(&App::open(&cli).await?, *articles).await.map(|_| ExitCode::SUCCESS)
        }
        Command::Bench(cli::BenchCommand::Pages { requests }) => {
            bench_pages(&App::open(&cli).await?, *requests).await.map(|_| ExitCode::SUCCESS)
        }
    }
}

async fn add_source(app: &App, args: &AddArgs) -> Result<()> {
    println!("{}", add_source_message(app, args).await?);
    Ok(())
}

/// Adds a source; the line to show the operator.
async fn add_source_message(app: &App, args: &AddArgs) -> Result<String> {
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
async fn trusted_hosts(guard: &Guard, urls: &[&url::Url]) -> Vec<String> {
    let hosts = non_public_allowed_hosts(guard, urls).await;
    for h in &hosts {
        println!("note: {h} is not a public address; allowed for this source as you asked");
    }
    hosts
}

/// The non-public hosts among `urls` that the current flags allow.
async fn non_public_allowed_hosts(guard: &Guard, urls: &[&url::Url]) -> Vec<String> {
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

async fn import_opml(app: &App, args: &cli::ImportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let summary = import_opml_text(app, &text, args.no_fetch_pages)
        .await
        .with_context(|| format!("importing {}", args.file.display()))?;
    println!("{summary}");
    Ok(())
}

/// Imports the sources of an OPML document; the summary to show.
async fn import_opml_text(app: &App, text: &str, no_fetch_pages: bool) -> Result<String> {
    let outlines = feed::opml::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?;
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
struct AdminSources(Arc<App>);

#[async_trait::async_trait]
impl web::admin::SourceAdmin for AdminSources {
    async fn add(&self, url: &str, region: Option<String>) -> Result<String> {
        let args = AddArgs { url: url.to_string(), name: None, region, lang: None, no_fetch_pages: false };
        add_source_message(&self.0, &args).await
    }

    async fn import_opml(&self, opml: &str) -> Result<String> {
        import_opml_text(&self.0, opml, false).await
    }
}

async fn export_opml(app: &App) -> Result<()> {
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

async fn set_rules(app: &App, args: &cli::RulesArgs) -> Result<()> {
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
    extract::validate_rules(&rules).map_err(anyhow::Error::msg)?;
    app.store.set_extract_rules(source.id, rules).await?;
    println!("rules for {} updated", source.slug);
    Ok(())
}

async fn list_sources(app: &App) -> Result<()> {
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

fn print_report(report: &CrawlReport) {
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

/// Runs the enrichment stage until the queue is empty, with a progress bar.
async fn enrich_queue(app: &App) -> Result<()> {
    let pending = app.store.counts().await?.pending;
    let bar = progress_bar(pending as u64, "enriching");
    let started = std::time::Instant::now();
    let n = app.crawler(false, true).enrich_pending(|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("{n} articles enriched in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn crawl(app: &App, args: &CrawlArgs) -> Result<std::process::ExitCode> {
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

async fn serve(app: App, args: &ServeArgs) -> Result<()> {
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
            let cfg = web::admin::AdminConfig::new(&h, store.clone(), Arc::new(AdminSources(Arc::new(app))), secure)
                .map_err(|e| anyhow::anyhow!(e))?;
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
const INDEX_TICK: u64 = 5;

/// Opens this node's search index in the data directory.
fn open_index(data: &Path) -> Result<Arc<web::SearchIndex>> {
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

/// Rebuilds the search index from the store, with a progress bar.
async fn reindex(app: &App) -> Result<()> {
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

/// Reads a password from stdin and prints its argon2 hash for the
/// configuration's `admin_password_hash`.
fn hash_password() -> Result<()> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(password.chars().count() >= 8, "use a password of at least 8 characters");
    println!("{}", web::admin::hash_password(password).map_err(|e| anyhow::anyhow!(e))?);
    Ok(())
}

fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

async fn synth_cmd(app: &App, articles: usize) -> Result<()> {
    let bar = progress_bar(articles as u64, "writing");
    let started = std::time::Instant::now();
    let stored = synth::run(&app.store, articles, app.clock.now(), |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("stored {stored} synthetic articles in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Median, 90th and 99th percentiles of durations, in milliseconds.
fn percentiles(mut d: Vec<Duration>) -> (f64, f64, f64) {
    d.sort();
    let at = |p: f64| d[((d.len() as f64 * p) as usize).min(d.len() - 1)].as_secs_f64() * 1000.0;
    (at(0.5), at(0.9), at(0.99))
}

async fn bench_search(app: &App, n: usize) -> Result<()> {
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

async fn bench_pages(app: &App, n: usize) -> Result<()> {
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

/// This worker's name in leases: host and process.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".into());
    format!("{host}-{}", std::process::id())
}

/// One of many workers: claims due sources as leases until stopped.
async fn crawl_worker(crawler: &Crawler, args: &CrawlArgs) -> Result<std::process::ExitCode> {
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

/// Parses an age such as 90d, 12h, 30m or 45s.
fn parse_age(s: &str) -> Result<chrono::Duration> {
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

async fn prune(app: &App, args: &cli::PruneArgs) -> Result<()> {
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

async fn migrate_store(args: &cli::MigrateArgs) -> Result<()> {
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

/// `tagline alias add | list | remove`.
async fn alias_cmd(app: &App, cmd: &cli::AliasCommand) -> Result<()> {
    let parse = |s: &str| model::TagName::parse(s).with_context(|| format!("{s:?} is not a tag name"));
    match cmd {
        cli::AliasCommand::Add { alias, tag } => {
            let (alias, tag) = (parse(alias)?, parse(tag)?);
            let moved = app.store.add_tag_alias(&alias, &tag).await?;
            println!("#{alias} now stands for #{tag}; {moved} articles moved");
            println!("(the search index keeps the old tag until `tagline reindex`)");
        }
        cli::AliasCommand::List => {
            for a in app.store.tag_aliases().await? {
                println!("#{} -> #{}", a.alias, a.tag);
            }
        }
        cli::AliasCommand::Remove { alias } => {
            let alias = parse(alias)?;
            anyhow::ensure!(app.store.remove_tag_alias(&alias).await?, "#{alias} is not an alias");
            println!("#{alias} is no longer an alias");
        }
    }
    Ok(())
}

async fn bench_cluster(app: &App, n: usize) -> Result<()> {
    let stored = app.store.counts().await?.articles;
    anyhow::ensure!(stored > 0, "the store is empty: run `tagline synth` first");
    let max_id = app.store.article_ids_after(0, 1).await?.first().copied().unwrap_or(1) + stored;
    let mut rng = synth::Rng::new(11);
    let ids: Vec<i64> = (0..n).map(|_| 1 + rng.below(max_id as usize) as i64).collect();
    let articles = app.store.articles_by_ids(&ids).await?;
    let (mut times, mut seen) = (Vec::with_capacity(articles.len()), 0usize);
    for a in &articles {
        let t = std::time::Instant::now();
        let found = crawler::find_story(app.store.as_ref(), &a.title, &a.text, &a.tags, a.published).await?;
        times.push(t.elapsed());
        seen += found.candidates;
    }
    let (m, p90, p99) = percentiles(times);
    println!(
        "story assignment over {stored} stored articles, {} new: {:.0} candidates each",
        articles.len(),
        seen as f64 / articles.len().max(1) as f64
    );
    println!("per article: median {m:.2} ms, p90 {p90:.2} ms, p99 {p99:.2} ms");
    Ok(())
}
