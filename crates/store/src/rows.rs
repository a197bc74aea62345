//! Reading rows back into domain types, once for both backends: each
//! backend only says how to read one cell ([`Cells`]), so a column added to
//! `SOURCE_COLS` or `ARTICLE_COLS` is mapped in one place.

use crate::{StoreError, StorySummary, TagCount};
use chrono::{DateTime, TimeZone, Utc};
use model::{Article, Category, FeedUrl, Source, SourceStatus, Story, Tag, TagKind, TagName};

// The column lists both backends select and read back by position, beside
// the mappers that read them: a column is added here, once.

/// A source's columns, in the order [`source`] reads them.
pub(crate) const SOURCE_COLS: &str = "s.id, s.slug, s.name, s.home_url, s.feed_url, s.region, s.lang, s.fetch_pages, s.status, s.last_error, s.last_fetched_at, s.etag, s.last_modified, s.trusted_hosts, s.extract_keep, s.extract_drop, s.last_note";
/// How many columns [`SOURCE_COLS`] has.
pub(crate) const SOURCE_NCOLS: usize = 17;
/// An article's columns (whether its image is stored last), in the order
/// [`article`] reads them; its source's columns follow.
pub(crate) const ARTICLE_COLS: &str = "a.id, a.url, a.guid, a.title, a.author, a.published_at, a.updated_at, a.lang, a.category, a.text, a.html, a.excerpt, a.image, a.story_id, EXISTS (SELECT 1 FROM article_images i WHERE i.article_id = a.id)";
/// How many columns [`ARTICLE_COLS`] has.
pub(crate) const ARTICLE_NCOLS: usize = 15;

/// One result row, read by column position.
pub(crate) trait Cells {
    /// The backend's error for a cell that cannot be read.
    type Error;
    /// An integer (SQLite INTEGER, PostgreSQL BIGINT).
    fn int(&self, i: usize) -> Result<i64, Self::Error>;
    /// A nullable integer.
    fn opt_int(&self, i: usize) -> Result<Option<i64>, Self::Error>;
    /// Text.
    fn text(&self, i: usize) -> Result<String, Self::Error>;
    /// Nullable text.
    fn opt_text(&self, i: usize) -> Result<Option<String>, Self::Error>;
    /// A flag (SQLite stores 0 or 1, PostgreSQL a BOOLEAN).
    fn flag(&self, i: usize) -> Result<bool, Self::Error>;
    /// A stored value that does not parse as its domain type.
    fn corrupt(&self, i: usize, column: &'static str, message: String) -> Self::Error;
}

impl Cells for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        self.get(i)
    }
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn flag(&self, i: usize) -> rusqlite::Result<bool> {
        self.get(i)
    }
    fn corrupt(&self, i: usize, column: &'static str, message: String) -> rusqlite::Error {
        let e = StoreError::Corrupt { column, message };
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    }
}

impl Cells for tokio_postgres::Row {
    type Error = StoreError;
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn text(&self, i: usize) -> Result<String, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn flag(&self, i: usize) -> Result<bool, StoreError> {
        Ok(self.try_get(i)?)
    }
    fn corrupt(&self, _: usize, column: &'static str, message: String) -> StoreError {
        StoreError::Corrupt { column, message }
    }
}

/// A time as the unix seconds both backends store.
pub(crate) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Unix seconds as a time (out-of-range values read as the epoch).
pub(crate) fn from_ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// A source from [`crate::SOURCE_COLS`], starting at column `off`.
pub(crate) fn source<C: Cells>(r: &C, off: usize) -> Result<Source, C::Error> {
    let url = |s: Option<String>| s.and_then(|s| FeedUrl::parse(&s).ok());
    let feed = r.text(off + 4)?;
    Ok(Source {
        id: r.int(off)?,
        slug: r.text(off + 1)?,
        name: r.text(off + 2)?,
        home_url: url(r.opt_text(off + 3)?),
        feed_url: FeedUrl::parse(&feed).map_err(|e| r.corrupt(off + 4, "sources.feed_url", e.to_string()))?,
        region: r.opt_text(off + 5)?,
        lang: r.opt_text(off + 6)?,
        fetch_pages: r.flag(off + 7)?,
        status: SourceStatus::parse(&r.text(off + 8)?),
        last_error: r.opt_text(off + 9)?,
        last_fetched: r.opt_int(off + 10)?.map(from_ts),
        etag: r.opt_text(off + 11)?,
        last_modified: r.opt_text(off + 12)?,
        trusted_hosts: r.text(off + 13)?.split_whitespace().map(str::to_string).collect(),
        extract_rules: model::ExtractRules {
            keep: r.opt_text(off + 14)?,
            drop: r.text(off + 15)?.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
        },
        last_note: r.opt_text(off + 16)?,
    })
}

/// An article from [`crate::ARTICLE_COLS`] followed by its source's
/// columns; its tags are attached separately ([`attach_tags`]).
pub(crate) fn article<C: Cells>(r: &C) -> Result<Article, C::Error> {
    let source = source(r, ARTICLE_NCOLS)?;
    Ok(Article {
        id: r.int(0)?,
        url: r.text(1)?,
        guid: r.text(2)?,
        title: r.text(3)?,
        author: r.opt_text(4)?,
        published: from_ts(r.int(5)?),
        updated: r.opt_int(6)?.map(from_ts),
        lang: r.opt_text(7)?,
        category: r.opt_text(8)?.and_then(|c| Category::parse(&c).ok()),
        tags: Vec::new(),
        text: r.text(9)?,
        html: r.text(10)?,
        excerpt: r.text(11)?,
        image: r.opt_text(12)?,
        story_id: r.opt_int(13)?,
        image_stored: r.flag(14)?,
        source,
    })
}

/// A (name, kind, count) row as a tag count; `None` for a stored name or
/// kind that no longer parses.
pub(crate) fn tag_count(name: &str, kind: &str, count: i64) -> Option<TagCount> {
    Some(TagCount { name: TagName::parse(name).ok()?, kind: TagKind::parse(kind)?, count })
}

/// Gives each article its tags from (article id, name, kind, score) rows,
/// relationships first, then entities, phrases, rules and feed tags: the
/// order cards show them in.
pub(crate) fn attach_tags(articles: &mut [Article], rows: impl IntoIterator<Item = (i64, String, String, f64)>) {
    let mut by_id: std::collections::HashMap<i64, Vec<Tag>> = std::collections::HashMap::new();
    for (id, name, kind, score) in rows {
        let (Ok(name), Some(kind)) = (TagName::parse(&name), TagKind::parse(&kind)) else { continue };
        by_id.entry(id).or_default().push(Tag { name, kind, score: score as f32 });
    }
    for a in articles.iter_mut() {
        let mut tags = by_id.remove(&a.id).unwrap_or_default();
        tags.sort_by_key(|t| match t.kind {
            TagKind::Relationship => 0,
            TagKind::Entity => 1,
            TagKind::KeyPhrase => 2,
            TagKind::Rule => 3,
            TagKind::Feed => 4,
        });
        a.tags = tags;
    }
}

/// Story summaries from (story, lead article, articles, outlets, latest)
/// rows and the lead articles read for them; a story whose lead is gone is
/// left out.
pub(crate) fn story_summaries(found: Vec<(i64, i64, i64, i64, i64)>, leads: Vec<Article>) -> Vec<StorySummary> {
    let mut leads: std::collections::HashMap<i64, Article> = leads.into_iter().map(|a| (a.id, a)).collect();
    found
        .into_iter()
        .filter_map(|(id, lead, articles, outlets, latest)| {
            Some(StorySummary {
                story: Story { id, lead_article_id: lead, article_count: articles, outlet_count: outlets },
                lead: leads.remove(&lead)?,
                latest: from_ts(latest),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_counts_match_the_column_lists() {
        // Commas inside EXISTS (...) are not column separators; there are none.
        assert_eq!(SOURCE_COLS.split(", ").count(), SOURCE_NCOLS);
        assert_eq!(ARTICLE_COLS.split(", ").count(), ARTICLE_NCOLS);
    }
}
