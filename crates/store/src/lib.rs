//! Storage: the [`Store`] trait and its two backends, SQLite and PostgreSQL.
//!
//! All SQL in Tagline lives in this crate. The trait speaks domain types only,
//! so callers never know which backend they use.

mod concepts;
pub mod migrate;
mod postgres;
mod rows;
mod sqlite;

pub use concepts::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The concept traits, for callers that call store methods.
pub mod prelude {
    pub use crate::concepts::{
        AdminStore, ArticleWrites, Articles, CrawlLedger, EnrichQueue, Maintenance, ReadStore, SearchFeed,
        SourceWrites, Sources, Store, Stories, StoryMatching, TagWrites, Tags,
    };
}

/// The condition (on `articles.id`) that keeps search indexing below the
/// oldest article awaiting enrichment; the same SQL in both backends.
const ENRICHED_PREFIX: &str = "id < COALESCE((SELECT MIN(article_id) FROM enrich_queue), 9223372036854775807)";
use rows::{ARTICLE_COLS, SOURCE_COLS, SOURCE_NCOLS};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use model::{Article, Category, FeedUrl, NewArticle, NewSource, Source, Story, TagKind, TagName};

/// Why a storage operation failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error (disk full, corruption, constraint).
    #[error("database error: {message}")]
    Database {
        /// What failed, as the database put it.
        message: String,
        /// The driver's error, kept for callers that inspect the chain.
        #[source]
        source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
    },
    /// The database file or directory could not be opened.
    #[error("cannot open the database at {path}: {message}")]
    Open {
        /// Where.
        path: String,
        /// Why.
        message: String,
    },
    /// A stored value could not be read back into a domain type.
    #[error("corrupt value in column {column}: {message}")]
    Corrupt {
        /// The column.
        column: &'static str,
        /// Why.
        message: String,
    },
    /// The database worker thread stopped (the process is shutting down).
    #[error("the database worker stopped")]
    WorkerGone,
    /// The request contradicts itself (a tag made an alias of itself).
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// A database error with its driver error as the source.
    pub(crate) fn database(message: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Database { message: message.into(), source: Some(std::sync::Arc::new(source)) }
    }

    /// A database-level failure found by the store itself (no driver error).
    pub(crate) fn database_msg(message: impl Into<String>) -> Self {
        StoreError::Database { message: message.into(), source: None }
    }
}

/// Shorthand for store results.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Which articles a list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticleFilter {
    /// Every article.
    All,
    /// Articles with this tag (by name; matched case-insensitively).
    Tag(TagName),
    /// Articles in this category.
    Category(Category),
    /// Articles from this source.
    Source(i64),
    /// Articles of this story.
    Story(i64),
    /// Articles from sources of this region (an edition), upper case.
    Edition(String),
}

/// A position in a newest-first list: lists continue strictly after it, so
/// pages stay stable while new articles arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Publication time of the last article shown.
    pub published: DateTime<Utc>,
    /// Its id, to break ties.
    pub id: i64,
}

/// A page of a list.
#[derive(Clone, Debug)]
pub struct ArticleQuery {
    /// Which articles.
    pub filter: ArticleFilter,
    /// Continue after this position.
    pub after: Option<Cursor>,
    /// Page size.
    pub limit: usize,
}

/// The result of a feed fetch, to record on the source.
#[derive(Clone, Debug, Default)]
pub struct FetchOutcome {
    /// When the fetch happened.
    pub at: DateTime<Utc>,
    /// The failure, in words, or `None` on success.
    pub error: Option<String>,
    /// New validators (kept when `None`).
    pub etag: Option<String>,
    /// New validators (kept when `None`).
    pub last_modified: Option<String>,
    /// A permanent redirect's target, to replace the feed URL.
    pub moved_to: Option<FeedUrl>,
    /// When the source is next due (`None`: at the next opportunity).
    pub next_fetch: Option<DateTime<Utc>>,
    /// What the crawl left undone, in words (pages deferred by the
    /// per-crawl limit); replaces the previous note.
    pub note: Option<String>,
}

/// Which story a new article joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoryAssignment {
    /// Start a new story led by this article.
    New,
    /// Join an existing story.
    Join(i64),
    /// Join the story of an earlier article in the same batch (its index in
    /// the batch), whose story is only known once it is stored. Starts a new
    /// story if that article was not stored (already known) or the index
    /// does not point back.
    WithBatch(usize),
    /// Store the article as the feed and page gave it, without a story,
    /// queued for the enrichment stage (`claim_pending`,
    /// `complete_enrichment`), which assigns its story.
    Pending,
}

impl StoryAssignment {
    /// The existing story that the `index`-th article of a batch joins,
    /// given where the batch's earlier articles went; `None` starts a new
    /// one. Both backends' `insert_articles` read assignments through this.
    pub fn story_to_join(self, index: usize, earlier: &[Option<Stored>]) -> Option<i64> {
        match self {
            StoryAssignment::New => None,
            StoryAssignment::Join(sid) => Some(sid),
            StoryAssignment::WithBatch(k) if k < index => earlier.get(k).copied().flatten().and_then(|s| s.story_id),
            StoryAssignment::WithBatch(_) | StoryAssignment::Pending => None,
        }
    }
}

/// Characters of an article's text that story matching reads as its lead
/// (`StoryCandidate::lead`); the crawler cuts new articles the same way, so
/// that an article compares alike before and after it is stored.
pub const LEAD_CHARS: usize = 700;

/// A tag key that always stands for another tag.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TagAlias {
    /// The alias, as the operator wrote it.
    pub alias: TagName,
    /// The tag it stands for.
    pub tag: TagName,
}

/// Where a stored article went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The article's id.
    pub id: i64,
    /// The story it joined or leads; `None` while it awaits enrichment.
    pub story_id: Option<i64>,
}

/// What the enrichment stage adds to a pending article.
#[derive(Clone, Debug, PartialEq)]
pub struct Enrichment {
    /// The article's id.
    pub id: i64,
    /// Its language, detected (or declared).
    pub lang: Option<String>,
    /// Its category: the feed's, the page's or the classifier's.
    pub category: Option<model::Category>,
    /// Tags to add to those it was stored with.
    pub tags: Vec<model::Tag>,
}

/// What to look for when matching one new article to a story: its entity
/// keys and its time window.
#[derive(Clone, Debug)]
pub struct CandidateQuery {
    /// Keys of the article's entity tags.
    pub entity_keys: Vec<String>,
    /// Start of the window.
    pub from: DateTime<Utc>,
    /// End of the window.
    pub to: DateTime<Utc>,
}

/// A story-matching candidate as the tag index finds it, before its text is
/// read: the crawler keeps recent articles' features in memory and reads
/// only the ones it lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CandidateRef {
    /// Article id.
    pub id: i64,
    /// Its story.
    pub story_id: Option<i64>,
}

/// A recent article, as story matching needs it.
#[derive(Clone, Debug)]
pub struct StoryCandidate {
    /// Article id.
    pub id: i64,
    /// Its story.
    pub story_id: Option<i64>,
    /// Headline.
    pub title: String,
    /// The opening of its text.
    pub lead: String,
    /// Its entity tags.
    pub entities: Vec<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
}

/// A tag with how many articles carry it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TagCount {
    /// Name.
    pub name: TagName,
    /// Kind.
    pub kind: TagKind,
    /// Articles carrying it.
    pub count: i64,
}

/// A story as the home page ranks it.
#[derive(Clone, Debug)]
pub struct StorySummary {
    /// The story.
    pub story: Story,
    /// Its lead article.
    pub lead: Article,
    /// When its newest article was published.
    pub latest: DateTime<Utc>,
}

/// A tag rising in use: its use in the last day against its daily baseline.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TrendingTag {
    /// Name.
    pub name: TagName,
    /// Kind.
    pub kind: TagKind,
    /// Articles in the last 24 hours.
    pub recent: i64,
    /// Articles per day over the week before.
    pub baseline: f64,
}

/// A region with sources, for the edition picker.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Region {
    /// Upper-case code, such as "MY".
    pub code: String,
    /// Sources in it.
    pub sources: i64,
}

/// Article deletions after a position in the deletion log.
#[derive(Clone, Debug, Default)]
pub struct Deletions {
    /// Deleted article ids.
    pub ids: Vec<i64>,
    /// The log position of the last one (unchanged when empty).
    pub through: i64,
}

/// Orders trending tags by their rise against the baseline, damped so that
/// one article on a new tag does not outrank a surge on an established one,
/// and keeps the best `limit`. Shared by the backends.
fn rank_trending(mut tags: Vec<TrendingTag>, limit: usize) -> Vec<TrendingTag> {
    let score = |t: &TrendingTag| (t.recent as f64) / (t.baseline + 1.0) * (1.0 + (t.recent as f64).ln());
    tags.sort_by(|a, b| {
        score(b).total_cmp(&score(a)).then(b.recent.cmp(&a.recent)).then(a.name.as_str().cmp(b.name.as_str()))
    });
    tags.truncate(limit);
    tags
}

/// A LIKE pattern matching keys that start with `prefix`, the input's own
/// wildcards escaped (with `ESCAPE '\'`).
fn like_prefix(prefix: &str) -> String {
    format!("{}%", prefix.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// Row counts, for status output and checks.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Sources.
    pub sources: i64,
    /// Articles.
    pub articles: i64,
    /// Distinct tags in use.
    pub tags: i64,
    /// Stories.
    pub stories: i64,
    /// Articles waiting for the enrichment stage.
    pub pending: i64,
}
