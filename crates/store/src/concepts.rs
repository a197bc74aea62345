//! The store's concept traits, one per thing Tagline persists, and their sums:
//! [`ReadStore`] for public routes, [`AdminStore`] for the operator's pages,
//! [`Store`] for the crawler and the CLI.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use model::{Article, NewArticle, NewSource, Source, Story, TagName, TagRule};

/// The sources, as readers see them.
#[async_trait]
pub trait Sources: Send + Sync {
    /// Every source, by name.
    async fn sources(&self) -> Result<Vec<Source>>;
    /// A source by its slug.
    async fn source_by_slug(&self, slug: &str) -> Result<Option<Source>>;
    /// Regions that have sources.
    async fn regions(&self) -> Result<Vec<Region>>;
}

/// Adding, removing and configuring sources (the operator).
#[async_trait]
pub trait SourceWrites: Send + Sync {
    /// Adds a source. If its feed URL is already known, returns the existing
    /// source and `false`.
    async fn add_source(&self, source: NewSource) -> Result<(Source, bool)>;
    /// Removes a source and its articles. Returns whether it existed.
    async fn remove_source(&self, source_id: i64) -> Result<bool>;
    /// Replaces a source's extraction rules.
    async fn set_extract_rules(&self, source_id: i64, rules: model::ExtractRules) -> Result<()>;
}

/// What the crawler owes each source: due times, leases, fetch results, the entries it has.
#[async_trait]
pub trait CrawlLedger: Send + Sync {
    /// Sources due for a fetch at `now`, most overdue first, with their
    /// count of consecutive failures.
    async fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<(Source, i64)>>;
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
    /// Records a fetch's result on a source.
    async fn record_fetch(&self, source_id: i64, outcome: FetchOutcome) -> Result<()>;
    /// Which of these guids (or URLs) the source already has stored.
    async fn known_entries(&self, source_id: i64, keys: &[String]) -> Result<Vec<String>>;
}

/// Reading articles and their images.
#[async_trait]
pub trait Articles: Send + Sync {
    /// A page of articles, newest first.
    async fn list_articles(&self, query: &ArticleQuery) -> Result<Vec<Article>>;
    /// One article.
    async fn article(&self, id: i64) -> Result<Option<Article>>;
    /// Articles by id, in the order given; missing ids are skipped.
    async fn articles_by_ids(&self, ids: &[i64]) -> Result<Vec<Article>>;
    /// The stored copy of an article's lead image.
    async fn image(&self, article_id: i64) -> Result<Option<model::ImageData>>;
    /// Row counts.
    async fn counts(&self) -> Result<Counts>;
}

/// Storing new articles (the crawler).
#[async_trait]
pub trait ArticleWrites: Send + Sync {
    /// Stores an article with its tags. Returns `None` when it was already
    /// stored (same source and guid, or same URL): ingest is idempotent.
    async fn insert_article(&self, article: NewArticle, story: StoryAssignment) -> Result<Option<i64>> {
        Ok(self.insert_articles(vec![(article, story)]).await?.pop().flatten().map(|s| s.id))
    }
    /// Stores a batch of articles in one transaction, in order: all or
    /// none. Each result is where the article went, or `None` for an
    /// article already stored.
    async fn insert_articles(&self, batch: Vec<(NewArticle, StoryAssignment)>) -> Result<Vec<Option<Stored>>>;
}

/// Reading stories.
#[async_trait]
pub trait Stories: Send + Sync {
    /// A story's summary.
    async fn story(&self, id: i64) -> Result<Option<Story>>;
    /// The story a merged-away story was merged into, if it was.
    async fn merged_story(&self, id: i64) -> Result<Option<i64>>;
    /// Stories among the `window` most recent articles, with counts, for the
    /// home page to rank.
    async fn recent_stories(&self, window: usize) -> Result<Vec<StorySummary>>;
}

/// Finding the story a new article belongs to, and merging stories (enrichment).
#[async_trait]
pub trait StoryMatching: Send + Sync {
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
    /// For each query, what [`StoryMatching::story_candidates`] would find, as ids
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
    /// Merges the stories `from` into `into`: their articles join it, their
    /// ids lead on to it (`merged_story`; their rows stay, empty, so that
    /// no id is handed out twice), and its lead becomes its earliest
    /// article. Returns how many articles moved (none if `into` is gone).
    async fn merge_stories(&self, into: i64, from: &[i64]) -> Result<u64>;
}

/// Reading tags, aliases and tag rules.
#[async_trait]
pub trait Tags: Send + Sync {
    /// The most used tags among articles published since `since`.
    async fn top_tags(&self, since: Option<DateTime<Utc>>, limit: usize) -> Result<Vec<TagCount>>;
    /// A tag by name, case-insensitively; an alias gives the tag it stands
    /// for.
    async fn tag(&self, name: &TagName) -> Result<Option<TagCount>>;
    /// Tags most often found on the same articles as `name` (its most recent
    /// 500 articles).
    async fn related_tags(&self, name: &TagName, limit: usize) -> Result<Vec<TagCount>>;
    /// Tags whose use in the day before `now` is high against the week
    /// before, best first.
    async fn trending_tags(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<TrendingTag>>;
    /// Tags whose key starts with `prefix` (lower case), most used first.
    async fn search_tags(&self, prefix: &str, limit: usize) -> Result<Vec<TagCount>>;
    /// Every alias, by alias.
    async fn tag_aliases(&self) -> Result<Vec<TagAlias>>;
    /// Every tag rule.
    async fn tag_rules(&self) -> Result<Vec<TagRule>>;
}

/// Changing tag aliases and tag rules (the operator).
#[async_trait]
pub trait TagWrites: Send + Sync {
    /// Makes `alias` stand for `tag` from now on, and moves the articles
    /// already tagged with `alias` to `tag`. If `tag` is itself an alias,
    /// the alias points at what it stands for. Returns how many articles
    /// were moved.
    async fn add_tag_alias(&self, alias: &TagName, tag: &TagName) -> Result<u64>;
    /// Removes an alias (articles already moved stay with its tag).
    /// Returns whether it existed.
    async fn remove_tag_alias(&self, alias: &TagName) -> Result<bool>;
    /// Adds a tag rule; returns its id.
    async fn add_tag_rule(&self, rule: TagRule) -> Result<i64>;
    /// Removes a tag rule. Returns whether it existed.
    async fn remove_tag_rule(&self, id: i64) -> Result<bool>;
}

/// The queue of articles awaiting enrichment.
#[async_trait]
pub trait EnrichQueue: Send + Sync {
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

/// What the search index reads to follow the store.
#[async_trait]
pub trait SearchFeed: Send + Sync {
    /// Articles with ids above `after_id`, in id order, for search indexing:
    /// only those below the oldest article awaiting enrichment, so that the
    /// index never holds an article without its tags and category.
    async fn articles_after_id(&self, after_id: i64, limit: usize) -> Result<Vec<Article>>;
    /// Ids of articles above `after_id`, in id order, below the oldest
    /// awaiting enrichment as `articles_after_id` (cheap: for the search
    /// index to find what it lacks).
    async fn article_ids_after(&self, after_id: i64, limit: usize) -> Result<Vec<i64>>;
    /// Deleted article ids logged after position `after`.
    async fn deletions_after(&self, after: i64, limit: usize) -> Result<Deletions>;
}

/// Retention: pruning and pinning.
#[async_trait]
pub trait Maintenance: Send + Sync {
    /// Deletes up to `limit` unpinned articles published before `before`;
    /// returns how many went. Search indexes follow through the deletion log.
    async fn prune(&self, before: DateTime<Utc>, limit: usize) -> Result<usize>;
    /// Pins or unpins an article (pinned articles survive retention).
    async fn set_pinned(&self, article_id: i64, pinned: bool) -> Result<bool>;
}

/// What public routes may use: reading only. The web crate's public state
/// holds this, so no public handler can call a write.
pub trait ReadStore: Sources + Articles + Stories + Tags {}
impl<T: Sources + Articles + Stories + Tags + ?Sized> ReadStore for T {}

/// What the operator's pages use: reading, and changing sources and tag
/// rules and aliases.
pub trait AdminStore: ReadStore + SourceWrites + TagWrites {}
impl<T: ReadStore + SourceWrites + TagWrites + ?Sized> AdminStore for T {}

/// Everything Tagline persists: what the crawler and the CLI hold.
pub trait Store:
    AdminStore + CrawlLedger + ArticleWrites + StoryMatching + EnrichQueue + SearchFeed + Maintenance
{
}
impl<T: AdminStore + CrawlLedger + ArticleWrites + StoryMatching + EnrichQueue + SearchFeed + Maintenance + ?Sized>
    Store for T
{
}
