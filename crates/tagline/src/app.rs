//! The state every store-backed command opens: flags, environment and file merged, the store, the fetcher and the clock.

use super::*;

pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Seconds between looks for due sources; each source's own schedule
/// (crawler::schedule) decides whether it is fetched.
pub(crate) const DEFAULT_TICK: u64 = 60;

/// Everything a command needs, built from flags, environment and file.
pub(crate) struct App {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Clock,
    pub(crate) fetcher: Fetcher,
    pub(crate) file: FileConfig,
    pub(crate) data: std::path::PathBuf,
    /// Article pages fetched per source and crawl: the flag or variable,
    /// else the file, else the crawler's default.
    pub(crate) max_pages_per_source: usize,
}

impl App {
    pub(crate) async fn open(cli: &Cli) -> Result<Self> {
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
    pub(crate) fn crawler(&self, feeds_only: bool, enrich: bool) -> Crawler {
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

pub(crate) async fn open_store(data: &Path, database: Option<&str>, clock: Clock) -> Result<Arc<dyn Store>> {
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

pub(crate) fn parse_clock(now: Option<&str>) -> Result<Clock> {
    match now {
        None => Ok(Clock::System),
        Some(s) => {
            let t = chrono::DateTime::parse_from_rfc3339(s)
                .with_context(|| format!("--now {s:?} is not an RFC 3339 time"))?;
            Ok(Clock::Fixed(t.with_timezone(&chrono::Utc)))
        }
    }
}

pub(crate) fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
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
