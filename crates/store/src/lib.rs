//! Storage: the [`Store`] trait and its two backends, SQLite and PostgreSQL.
//!
//! All SQL in Tagline lives in this crate. The trait speaks domain types only,
//! so callers never know which backend they use.

pub mod migrate;
mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

// The column lists both backends select and read back by position: one
// definition, so their row mappers cannot drift apart.

/// A source's columns, in the order `source_from_row` reads them.
const SOURCE_COLS: &str = "s.id, s.slug, s.name, s.home_url, s.feed_url, s.region, s.lang, s.fetch_pages, s.status, s.last_error, s.last_fetched_at, s.etag, s.last_modified, s.trusted_hosts, s.extract_keep, s.extract_drop, s.last_note";
/// How many columns [`SOURCE_COLS`] has.
const SOURCE_NCOLS: usize = 17;
/// An article's columns (whether its image is stored last), in the order
/// `article_from_row` reads them; its source's columns follow.
/// The condition (on `articles.id`) that keeps search indexing below the
/// oldest article awaiting enrichment; the same SQL in both backends.
const ENRICHED_PREFIX: &str = "id < COALESCE((SELECT MIN(article_id) FROM enrich_queue), 9223372036854775807)";
const ARTICLE_COLS: &str = "a.id, a.url, a.guid, a.title, a.author, a.published_at, a.updated_at, a.lang, a.category, a.text, a.html, a.excerpt, a.image, a.story_id, EXISTS (SELECT 1 FROM article_images i WHERE i.article_id = a.id)";
/// How many columns [`ARTICLE_COLS`] has.
const ARTICLE_NCOLS: usize = 15;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use model::{Article, Category, FeedUrl, NewArticle, NewSource, Source, Story, TagKind, TagName, TagRule};

/// Why a storage operation failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error (disk full, corruption, constraint).
    #[error("database error: {0}")]
    Database(String),
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

/// Everything Tagline persists.
#[async_trait]
pub trait Store: Send + Sync {
    /// Adds a source. If its feed URL is already known, returns the existing
    /// source and `false`.
    async fn add_source(&self, source: NewSource) -> Result<(Source, bool)>;
    /// Every source, by name.
    async fn sources(&self) -> Result<Vec<Source>>;
    /// Sources due for a fetch at `now`, most overdue first, with their
    /// count of consecutive failures.
    async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<(Source, i64)>>;
    /// A source by its slug.
    async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>>;
    /// Records a fetch's result on a source.
    async fn record_fetch(&self, source_id: i64, outcome: FetchOutcome) -> Result<()>;
    /// Replaces a source's extraction rules.
    async fn set_extract_rules(&self, source_id: i64, rules: model::ExtractRules) -> Result<()>;
    /// Which of these guids (or URLs) the source already has stored.
    async fn known_entries(&self, source_id: i64, keys: &[String]) -> Result<Vec<String>>;
    /// Stores an article with its tags. Returns `None` when it was already
    /// stored (same source and guid, or same URL): ingest is idempotent.
    async fn insert_article(&self, article: NewArticle, story: StoryAssignment) -> Result<Option<i64>> {
        Ok(self.insert_articles(vec![(article, story)]).await?.pop().flatten().map(|s| s.id))
    }
    /// Stores a batch of articles in one transaction, in order: all or
    /// none. Each result is where the article went, or `None` for an
    /// article already stored.
    async fn insert_articles(&self, batch: Vec<(NewArticle, StoryAssignment)>) -> Result<Vec<Option<Stored>>>;
    /// A page of articles, newest first.
    async fn list_articles(&self, query: &ArticleQuery) -> Result<Vec<Article>>;
    /// One article.
    async fn article(&self, id: i64) -> Result<Option<Article>>;
    /// A story's summary.
    async fn story(&self, id: i64) -> Result<Option<Story>>;
    /// Merges the stories `from` into `into`: their articles join it, their
    /// ids lead on to it (`merged_story`; their rows stay, empty, so that
    /// no id is handed out twice), and its lead becomes its earliest
    /// article. Returns how many articles moved (none if `into` is gone).
    async fn merge_stories(&self, into: i64, from: &[i64]) -> Result<u64>;
    /// The story a merged-away story was merged into, if it was.
    async fn merged_story(&self, id: i64) -> Result<Option<i64>>;
    /// Makes `alias` stand for `tag` from now on, and moves the articles
    /// already tagged with `alias` to `tag`. If `tag` is itself an alias,
    /// the alias points at what it stands for. Returns how many articles
    /// were moved.
    async fn add_tag_alias(&self, alias: &TagName, tag: &TagName) -> Result<u64>;
    /// Every alias, by alias.
    async fn tag_aliases(&self) -> Result<Vec<TagAlias>>;
    /// Removes an alias (articles already moved stay with its tag).
    /// Returns whether it existed.
    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool>;
    /// Story-matching candidates for a new article, found through the tag
    /// index rather than by scanning: articles in the window that share one
    /// of `entity_keys` (the newest `limit`), plus the newest `recent` of
    /// the window whatever their tags. Newest first.
    async fn story_candidates(
        &self,
        entity_keys: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
        recent: usize,
    ) -> Result<Vec<StoryCandidate>> {
        let query = CandidateQuery { entity_keys: entity_keys.to_vec(), from, to };
        let refs = self.story_candidate_refs(vec![query], limit, recent).await?.pop().unwrap_or_default();
        let ids: Vec<i64> = refs.iter().map(|r| r.id).collect();
        self.story_candidates_by_ids(&ids).await
    }
    /// For each query, what [`Store::story_candidates`] would find, as ids
    /// only, newest first; all queries in one round trip.
    async fn story_candidate_refs(
        &self,
        queries: Vec<CandidateQuery>,
        limit: usize,
        recent: usize,
    ) -> Result<Vec<Vec<CandidateRef>>>;
    /// The candidates with these ids, with their text's opening and their
    /// entity tags, newest first.
    async fn story_candidates_by_ids(&self, ids: &[i64]) -> Result<Vec<StoryCandidate>>;
    /// The most used tags among articles published since `since`.
    async fn top_tags(&self, since: Option<DateTime<Utc>>, limit: usize) -> Result<Vec<TagCount>>;
    /// A tag by name, case-insensitively; an alias gives the tag it stands
    /// for.
    async fn tag(&self, name: &TagName) -> Result<Option<TagCount>>;
    /// Row counts.
    async fn counts(&self) -> Result<Counts>;
    /// Articles with ids above `after_id`, in id order, for search indexing:
    /// only those below the oldest article awaiting enrichment, so that the
    /// index never holds an article without its tags and category.
    async fn articles_after_id(&self, after_id: i64, limit: usize) -> Result<Vec<Article>>;
    /// Ids of articles above `after_id`, in id order, below the oldest
    /// awaiting enrichment as `articles_after_id` (cheap: for the search
    /// index to find what it lacks).
    async fn article_ids_after(&self, after_id: i64, limit: usize) -> Result<Vec<i64>>;
    /// Articles by id, in the order given; missing ids are skipped.
    async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>>;
    /// Deleted article ids logged after position `after`.
    async fn deletions_after(&self, after: i64, limit: usize) -> Result<Deletions>;
    /// Stories among the `window` most recent articles, with counts, for the
    /// home page to rank.
    async fn recent_stories(&self, window: usize) -> Result<Vec<StorySummary>>;
    /// Tags most often found on the same articles as `name` (its most recent
    /// 500 articles).
    async fn related_tags(&self, name: &TagName, limit: usize) -> Result<Vec<TagCount>>;
    /// Tags whose use in the day before `now` is high against the week
    /// before, best first.
    async fn trending_tags(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<TrendingTag>>;
    /// Regions that have sources.
    async fn regions(&self) -> Result<Vec<Region>>;
    /// Removes a source and its articles. Returns whether it existed.
    async fn remove_source(&self, source_id: i64) -> Result<bool>;
    /// Tags whose key starts with `prefix` (lower case), most used first.
    async fn search_tags(&self, prefix: &str, limit: usize) -> Result<Vec<TagCount>>;
    /// The stored copy of an article's lead image.
    async fn image(&self, article_id: i64) -> Result<Option<model::ImageData>>;
    /// Claims up to `limit` due sources for `worker` until `now + lease`:
    /// sources leased to another worker are skipped until their lease
    /// expires, so workers sharing the database never fetch the same feed
    /// at once, and a killed worker's sources come back after the lease.
    async fn claim_due_sources(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: usize,
    ) -> Result<Vec<(Source, i64)>>;
    /// Deletes up to `limit` unpinned articles published before `before`;
    /// returns how many went. Search indexes follow through the deletion log.
    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize>;
    /// Pins or unpins an article (pinned articles survive retention).
    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool>;
    /// Every tag rule.
    async fn tag_rules(&self) -> Result<Vec<TagRule>>;
    /// Adds a tag rule; returns its id.
    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64>;
    /// Removes a tag rule. Returns whether it existed.
    async fn remove_tag_rule(&self, id: i64) -> Result<bool>;
    /// Claims up to `limit` articles awaiting enrichment, oldest first,
    /// until `now + lease`: articles another worker claimed are skipped
    /// until its lease lapses, so a killed worker's claims come back.
    async fn claim_pending(&self, now: DateTime<Utc>, lease: chrono::Duration, limit: usize) -> Result<Vec<Article>>;
    /// Completes the enrichment of a batch in one transaction, in order:
    /// sets each article's language and category, adds its tags and puts
    /// it in its story (`WithBatch` pointing to an earlier entry of the
    /// batch). An article already enriched by another worker, or deleted,
    /// is left alone and yields `None`.
    async fn complete_enrichment(&self, batch: Vec<(Enrichment, StoryAssignment)>) -> Result<Vec<Option<Stored>>>;
}
