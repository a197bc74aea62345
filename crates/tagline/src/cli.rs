//! Command-line definition.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Tagline: news from the open web, by topic.
#[derive(Parser, Debug)]
#[command(name = "tagline", version, about, long_about = None)]
pub struct Cli {
    /// Where the data lives (SQLite database, search index).
    #[arg(long, global = true, env = "TAGLINE_DATA", default_value = "./tagline-data")]
    pub data: PathBuf,

    /// The clock to use, as RFC 3339, for tests and reproducible demos.
    #[arg(long, global = true, env = "TAGLINE_NOW")]
    pub now: Option<String>,

    /// Let the crawler reach loopback and private addresses.
    #[arg(long, global = true, env = "TAGLINE_ALLOW_PRIVATE_NETWORK", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_private_network: bool,

    /// Allow one non-public host or address (repeatable), e.g. an intranet feed.
    #[arg(long = "allow-host", global = true, value_name = "HOST", env = "TAGLINE_ALLOW_HOSTS", value_delimiter = ',')]
    pub allow_hosts: Vec<String>,

    /// Use PostgreSQL at this URL (postgres://user@host/db) instead of
    /// SQLite in the data directory. The data directory still holds this
    /// node's search index.
    #[arg(long, global = true, env = "TAGLINE_DATABASE_URL", hide_env_values = true)]
    pub database: Option<String>,

    /// Article pages fetched per source in one crawl, newest first; older new
    /// entries are stored from the feed's own text [default: 100, or
    /// `max_pages_per_source` in tagline.toml].
    #[arg(long, global = true, env = "TAGLINE_MAX_PAGES_PER_SOURCE", value_name = "N")]
    pub max_pages_per_source: Option<usize>,

    /// A TOML configuration file (default: tagline.toml in the data directory, if present).
    #[arg(long, global = true, env = "TAGLINE_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Manage the sources Tagline crawls.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Fetch sources and store new articles, then enrich them.
    Crawl(CrawlArgs),
    /// Enrich the stored articles that await it (language, category, tags,
    /// stories), with a progress bar: what `crawl --once --feeds-only`
    /// leaves queued. `serve` and crawl workers do this continuously.
    Enrich,
    /// Serve the website and API, crawling on a schedule.
    Serve(ServeArgs),
    /// Find near-duplicates (syndicated copies) among JSON lines, in order.
    Dedup {
        /// Containment from which two texts are near-duplicates.
        #[arg(long)]
        threshold: Option<f32>,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Hash a password (read from stdin) for `admin_password_hash`.
    HashPassword,
    /// Copy an instance from SQLite to PostgreSQL (resumable; counts checked).
    MigrateStore(MigrateArgs),
    /// Delete articles older than a given age (pinned articles stay).
    Prune(PruneArgs),
    /// Pin an article so that retention keeps it (or --unpin).
    Pin(PinArgs),
    /// Tag aliases: a tag name that always stands for another tag.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Fill the store with a deterministic synthetic corpus (for benchmarks).
    Synth(SynthArgs),
    /// Measure latency over the data directory (after `synth` and `reindex`).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Run a self-contained demo: a local publisher web, crawled and served.
    Demo(DemoArgs),
    /// Extract the article from saved HTML files, as JSON.
    Extract(ExtractArgs),
    /// Parse saved feed files, as JSON (the predictions shape of check_feeds.py).
    ParseFeed(ParseFeedArgs),
    /// Categorise JSON lines {"id","title","text"} from stdin.
    Classify,
    /// Train a model from labelled data.
    #[command(subcommand)]
    Train(TrainCommand),
    /// Tag JSON lines {"id","title","text"} from stdin.
    Tag(TagArgs),
    /// Group JSON lines {"id","title","text","published"?} from stdin into stories, in arrival order.
    Cluster(ClusterArgs),
}

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The category classifier, from *.jsonl[.gz] files of {"id","title","text","label"}.
    Category(TrainCategoryArgs),
}

#[derive(Args, Debug)]
pub struct TrainCategoryArgs {
    /// Directory with the labelled files.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "crates/enrich/data/category.model")]
    pub out: PathBuf,
    /// Folds for the cross-validation report (0 to skip it).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// Key-phrase ranking: how fast a word's weight falls with its position
    /// (default: the crawler's).
    #[arg(long)]
    pub position_decay: Option<f32>,
    /// Key-phrase ranking: how much a word's rarity counts (default: the crawler's).
    #[arg(long)]
    pub idf_power: Option<f32>,
}

#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Similarity at which an article joins a story (default: the crawler's).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Similarity at which an article that joins one story also merges
    /// another into it (default: the crawler's).
    #[arg(long)]
    pub merge_threshold: Option<f32>,
}

#[derive(Args, Debug)]
pub struct ParseFeedArgs {
    /// The feed file.
    #[arg(required_unless_present = "batch")]
    pub file: Option<PathBuf>,
    /// The document's URL, the base for relative links.
    #[arg(long)]
    pub url: Option<String>,
    /// The HTTP Content-Type it was served with (for the charset).
    #[arg(long)]
    pub content_type: Option<String>,
    /// Read JSON lines {"id","path","url"?,"content_type"?,"content_location"?} on stdin; write one JSON line per input.
    #[arg(long, conflicts_with = "file")]
    pub batch: bool,
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// The HTML file (plain or gzip-compressed).
    #[arg(required_unless_present = "batch")]
    pub file: Option<PathBuf>,
    /// The page's URL, for resolving links and URL dates.
    #[arg(long)]
    pub url: Option<String>,
    /// Read JSON lines {"id","path","url"?} on stdin; write one JSON line per input.
    #[arg(long, conflicts_with = "file")]
    pub batch: bool,
}

#[derive(Subcommand, Debug)]
pub enum AliasCommand {
    /// Make ALIAS stand for TAG, moving the articles already tagged ALIAS.
    Add {
        /// The alias, e.g. Beijing or "U.S.".
        alias: String,
        /// The tag it stands for, e.g. China or US.
        tag: String,
    },
    /// List every alias and its tag.
    List,
    /// Stop treating ALIAS as another tag (moved articles stay moved).
    Remove {
        /// The alias.
        alias: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourcesCommand {
    /// Add a source by its feed URL or its site URL (the feed is discovered).
    Add(AddArgs),
    /// List sources with their status and last error.
    List,
    /// Set a source's extraction rules (CSS selectors), or show them.
    Rules(RulesArgs),
    /// Add every feed of an OPML file (no network needed).
    Import(ImportArgs),
    /// Print all sources as OPML 2.0.
    Export,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The OPML file.
    pub file: PathBuf,
    /// Never fetch article pages for these sources.
    #[arg(long)]
    pub no_fetch_pages: bool,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// The source's slug, as in /source/SLUG.
    pub slug: String,
    /// Selector for the article content; the heuristics are skipped when it matches.
    #[arg(long)]
    pub keep: Option<String>,
    /// Selector for elements to remove before extraction (repeatable).
    #[arg(long)]
    pub drop: Vec<String>,
    /// Remove all rules.
    #[arg(long, conflicts_with_all = ["keep", "drop"])]
    pub clear: bool,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// A feed URL, or a page that announces its feed.
    pub url: String,
    /// Display name (default: the feed's title).
    #[arg(long)]
    pub name: Option<String>,
    /// Region code for editions, e.g. MY or ZA.
    #[arg(long)]
    pub region: Option<String>,
    /// Language hint, e.g. en.
    #[arg(long)]
    pub lang: Option<String>,
    /// Never fetch article pages; store what the feed carries (for full-text feeds).
    #[arg(long)]
    pub no_fetch_pages: bool,
}

#[derive(Args, Debug)]
pub struct CrawlArgs {
    /// Crawl every source once and exit (non-zero if any source failed).
    #[arg(long)]
    pub once: bool,
    /// Store what the feeds carry without fetching article pages. With
    /// --once this is bulk ingest: the articles are stored as the feeds
    /// carry them and queued for enrichment, which `tagline enrich`,
    /// `serve` or a worker then runs.
    #[arg(long)]
    pub feeds_only: bool,
    /// Run as one of many workers sharing the database: claim due sources
    /// as leases, so that no feed is fetched by two workers at once.
    #[arg(long)]
    pub worker: bool,
    /// Seconds a worker's claim on a source lasts; a killed worker's
    /// sources go to others after this.
    #[arg(long, default_value_t = 600)]
    pub lease: u64,
    /// Seconds between looks for due sources when not --once (each feed's
    /// own schedule, from how often it publishes, decides when it is fetched).
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TAGLINE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Do not crawl; only serve.
    #[arg(long)]
    pub no_crawl: bool,
    /// Seconds between looks for due sources (default 60).
    #[arg(long)]
    pub interval: Option<u64>,
    /// The site's public URL, used for links in feeds out (default: the
    /// request's Host).
    #[arg(long, env = "TAGLINE_BASE_URL")]
    pub base_url: Option<String>,
    /// Turns /admin on: the argon2 hash of the admin password (see
    /// `tagline hash-password`).
    #[arg(long, env = "TAGLINE_ADMIN_PASSWORD_HASH", hide_env_values = true)]
    pub admin_password_hash: Option<String>,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Address to serve the site on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seconds between the demo publishers' new articles.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub every: u64,
    /// Serve only the demo's publisher web, on --listen, to add its
    /// publishers as sources by hand (`sources add URL/harbour/`).
    #[arg(long)]
    pub publishers_only: bool,
}

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Articles the store should hold when done.
    #[arg(long, default_value_t = 10_000)]
    pub articles: usize,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Search latency: index search with snippets, then the store fetch of the hits.
    Search {
        /// Queries to run.
        #[arg(long, default_value_t = 2_000)]
        queries: usize,
    },
    /// Story assignment: for stored articles taken as new, find candidates
    /// through the index and score them, as the crawler does per article.
    Cluster {
        /// Articles to assign.
        #[arg(long, default_value_t = 1_000)]
        articles: usize,
    },
    /// Topic-page latency: the router renders /tag/{name} (first pages and
    /// cursor pages) in-process.
    Pages {
        /// Pages to render.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
    },
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The SQLite database: sqlite:PATH (e.g. sqlite:./tagline-data/tagline.db).
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database: postgres://user@host/db.
    #[arg(long)]
    pub to: String,
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Age beyond which articles go, e.g. 90d, 12h or 30m.
    #[arg(long)]
    pub older_than: String,
}

#[derive(Args, Debug)]
pub struct PinArgs {
    /// The article's id.
    pub id: i64,
    /// Unpin instead.
    #[arg(long)]
    pub unpin: bool,
}
