//! The TOML configuration file. Command-line flags and `TAGLINE_*`
//! environment variables override what it says.

use serde::Deserialize;
use std::path::Path;

/// Settings that may come from `tagline.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address `serve` listens on.
    pub listen: Option<std::net::SocketAddr>,
    /// Seconds between scheduled crawls.
    pub crawl_interval: Option<u64>,
    /// The User-Agent sent to publishers.
    pub user_agent: Option<String>,
    /// Let the crawler reach loopback and private addresses.
    pub allow_private_network: Option<bool>,
    /// Non-public hosts the crawler may reach.
    #[serde(default)]
    pub allow_hosts: Vec<String>,
    /// Sources crawled at once.
    pub source_concurrency: Option<usize>,
    /// Article pages fetched per source in one crawl (default 100).
    pub max_pages_per_source: Option<usize>,
    /// The site's public URL, for links in feeds out.
    pub base_url: Option<String>,
    /// The argon2 hash of the admin password; /admin is off without it.
    pub admin_password_hash: Option<String>,
    /// Seconds a rendered public page is reused (default 1; 0 turns the
    /// micro-cache off).
    pub page_cache_seconds: Option<f64>,
    /// PostgreSQL URL; SQLite in the data directory when absent.
    pub database_url: Option<String>,
}

impl FileConfig {
    /// Reads `explicit`, or `data/tagline.toml` when it exists.
    pub fn load(explicit: Option<&Path>, data: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = data.join("tagline.toml");
                if !p.exists() {
                    return Ok(Self::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the configuration file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing the configuration file {}", path.display()))
    }
}
