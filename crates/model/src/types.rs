//! Sources, articles and stories as the pipeline and the store exchange them.

use crate::{Category, FeedUrl, Tag};
use chrono::{DateTime, Utc};

/// A source as the operator adds it.
#[derive(Clone, Debug)]
pub struct NewSource {
    /// Display name; defaults to the feed's title.
    pub name: String,
    /// The publisher's home page.
    pub home_url: Option<FeedUrl>,
    /// The feed to poll.
    pub feed_url: FeedUrl,
    /// ISO 3166 region code, upper case, for editions.
    pub region: Option<String>,
    /// BCP 47 language hint.
    pub lang: Option<String>,
    /// Whether article pages are fetched (off for full-text feeds).
    pub fetch_pages: bool,
    /// Non-public hosts the operator allowed for this source when adding it.
    pub trusted_hosts: Vec<String>,
}

/// A source's own extraction rules (CSS selectors), as in Miniflux's
/// scraper rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtractRules {
    /// When set and matching, the matched elements are the article.
    pub keep: Option<String>,
    /// Elements removed before extraction.
    #[serde(default)]
    pub drop: Vec<String>,
}

impl ExtractRules {
    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.keep.is_none() && self.drop.is_empty()
    }
}

/// The health of a source after its last crawl.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Not crawled yet.
    New,
    /// The last crawl succeeded.
    Ok,
    /// The last crawl failed; see `last_error`.
    Failing,
}

impl SourceStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::New => "new",
            SourceStatus::Ok => "ok",
            SourceStatus::Failing => "failing",
        }
    }

    /// Parses the stored form; unknown values read as `New`.
    pub fn parse(s: &str) -> Self {
        match s {
            "ok" => SourceStatus::Ok,
            "failing" => SourceStatus::Failing,
            _ => SourceStatus::New,
        }
    }
}

/// A stored source.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Source {
    /// Store identifier.
    pub id: i64,
    /// URL slug, unique.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Home page.
    pub home_url: Option<FeedUrl>,
    /// Feed URL, unique.
    pub feed_url: FeedUrl,
    /// Region code.
    pub region: Option<String>,
    /// Language hint.
    pub lang: Option<String>,
    /// Whether article pages are fetched.
    pub fetch_pages: bool,
    /// Non-public hosts the operator allowed for this source.
    pub trusted_hosts: Vec<String>,
    /// Extraction rules for this source's pages.
    pub extract_rules: ExtractRules,
    /// Health after the last crawl.
    pub status: SourceStatus,
    /// The last failure, in words, if the last crawl failed.
    pub last_error: Option<String>,
    /// When the feed was last fetched, successfully or not.
    pub last_fetched: Option<DateTime<Utc>>,
    /// Validator for conditional GET.
    pub etag: Option<String>,
    /// Validator for conditional GET.
    pub last_modified: Option<String>,
    /// What the last crawl left undone (pages deferred by the per-crawl
    /// limit), in words.
    pub last_note: Option<String>,
}

impl Source {
    /// A source as it is first stored: pages fetched, never crawled, no
    /// region, language, rules or trusted hosts.
    pub fn new(id: i64, slug: &str, name: &str, feed_url: FeedUrl) -> Self {
        Self {
            id,
            slug: slug.to_string(),
            name: name.to_string(),
            home_url: None,
            feed_url,
            region: None,
            lang: None,
            fetch_pages: true,
            trusted_hosts: Vec::new(),
            extract_rules: ExtractRules::default(),
            status: SourceStatus::New,
            last_error: None,
            last_fetched: None,
            etag: None,
            last_modified: None,
            last_note: None,
        }
    }
}

/// An article ready to be stored: everything the pipeline produced.
#[derive(Clone, Debug)]
pub struct NewArticle {
    /// The source it came from.
    pub source_id: i64,
    /// Canonical URL.
    pub url: String,
    /// The feed's guid (or the URL when the feed has none).
    pub guid: String,
    /// Headline.
    pub title: String,
    /// Byline.
    pub author: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Last update time.
    pub updated: Option<DateTime<Utc>>,
    /// Detected language.
    pub lang: Option<String>,
    /// Assigned category.
    pub category: Option<Category>,
    /// Tags, best first.
    pub tags: Vec<Tag>,
    /// Clean plain text, paragraphs separated by blank lines.
    pub text: String,
    /// Sanitised HTML of the body.
    pub html: String,
    /// A short summary for cards.
    pub excerpt: String,
    /// Lead image URL.
    pub image: Option<String>,
    /// The lead image itself, fetched by the crawler so that readers' browsers
    /// never contact the publisher (no third-party requests, no tracking).
    pub image_data: Option<ImageData>,
    /// When Tagline fetched it.
    pub fetched: DateTime<Utc>,
}

impl NewArticle {
    /// Why the article may not be stored, if it may not: its URL must be an
    /// absolute http(s) URL. Both store backends ask on every insert.
    pub fn refusal(&self) -> Option<crate::ModelError> {
        crate::WebUrl::parse(&self.url).err()
    }

    /// The image URL as it may be stored: only an absolute http(s) URL.
    pub fn safe_image(&self) -> Option<&str> {
        self.image.as_deref().filter(|i| crate::WebUrl::is_valid(i))
    }
}

/// An image as stored and served from Tagline's own origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageData {
    /// Its media type: one of [`ImageData::ALLOWED`].
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl ImageData {
    /// Raster types only: SVG can carry scripts.
    pub const ALLOWED: [&'static str; 5] = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"];
    /// Larger images are not kept.
    pub const MAX_BYTES: usize = 1024 * 1024;

    /// Accepts an image when its declared type is an allowed raster type,
    /// its first bytes agree, and it is not too large.
    pub fn parse(content_type: Option<&str>, bytes: Vec<u8>) -> Option<Self> {
        let declared = content_type?.split(';').next()?.trim().to_ascii_lowercase();
        let sniffed = match bytes.as_slice() {
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [0x89, b'P', b'N', b'G', ..] => "image/png",
            [b'G', b'I', b'F', b'8', ..] => "image/gif",
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => "image/webp",
            [_, _, _, _, b'f', b't', b'y', b'p', b'a', b'v', b'i', b'f', ..] => "image/avif",
            _ => return None,
        };
        (Self::ALLOWED.contains(&declared.as_str()) && bytes.len() <= Self::MAX_BYTES)
            .then(|| Self { content_type: sniffed.to_string(), bytes })
    }
}

/// A stored article with everything a page needs.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Article {
    /// Store identifier.
    pub id: i64,
    /// The source.
    pub source: Source,
    /// Canonical URL.
    pub url: String,
    /// Feed guid.
    pub guid: String,
    /// Headline.
    pub title: String,
    /// Byline.
    pub author: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Last update.
    pub updated: Option<DateTime<Utc>>,
    /// Language.
    pub lang: Option<String>,
    /// Category.
    #[serde(serialize_with = "ser_category")]
    pub category: Option<Category>,
    /// Tags, best first.
    pub tags: Vec<Tag>,
    /// Plain text.
    pub text: String,
    /// Sanitised HTML.
    pub html: String,
    /// Card summary.
    pub excerpt: String,
    /// Lead image (the publisher's URL).
    pub image: Option<String>,
    /// Whether Tagline holds a copy of the lead image (served at
    /// `/image/{id}`).
    pub image_stored: bool,
    /// The story it belongs to.
    pub story_id: Option<i64>,
}

fn ser_category<S: serde::Serializer>(c: &Option<Category>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.serialize_some(c.label()),
        None => s.serialize_none(),
    }
}

/// A group of articles reporting one event.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Story {
    /// Store identifier.
    pub id: i64,
    /// The article that represents the story.
    pub lead_article_id: i64,
    /// How many articles it has.
    pub article_count: i64,
    /// How many distinct sources cover it.
    pub outlet_count: i64,
}

/// An operator's tagging rule: articles matching any keyword (or every
/// article of the pinned source) get the tag.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TagRule {
    /// Store identifier (0 before it is stored).
    pub id: i64,
    /// The tag to add.
    pub tag: crate::TagName,
    /// Words or phrases, matched case-insensitively on word boundaries.
    pub keywords: Vec<String>,
    /// Restricts the rule to one source; with no keywords, pins the tag to it.
    pub source_id: Option<i64>,
}

impl TagRule {
    /// Whether the rule applies to an article of `source_id` with this text.
    pub fn matches(&self, source_id: i64, title: &str, text: &str) -> bool {
        if self.source_id.is_some_and(|s| s != source_id) {
            return false;
        }
        if self.keywords.is_empty() {
            return self.source_id.is_some();
        }
        let hay = format!("{title}\n{text}").to_lowercase();
        self.keywords.iter().any(|k| contains_word(&hay, &k.to_lowercase()))
    }
}

fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(i, m)| {
        let before = hay[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = hay[i + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

#[cfg(test)]
mod image_tests {
    use super::*;

    #[test]
    fn a_png_declared_as_png_is_accepted() {
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        assert_eq!(ImageData::parse(Some("image/png"), png).unwrap().content_type, "image/png");
    }

    #[test]
    fn svg_and_html_are_refused_whatever_they_claim() {
        assert!(ImageData::parse(Some("image/svg+xml"), b"<svg onload=alert(1)>".to_vec()).is_none());
        assert!(ImageData::parse(Some("image/png"), b"<html><script>".to_vec()).is_none());
    }

    #[test]
    fn an_image_over_the_size_limit_is_refused() {
        let mut big = b"\xFF\xD8\xFF".to_vec();
        big.resize(ImageData::MAX_BYTES + 1, 0);
        assert!(ImageData::parse(Some("image/jpeg"), big).is_none());
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    fn rule(keywords: &[&str], source_id: Option<i64>) -> TagRule {
        TagRule {
            id: 0,
            tag: crate::TagName::parse("CriticalMinerals").unwrap(),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            source_id,
        }
    }

    #[test]
    fn a_keyword_matches_on_word_boundaries_only() {
        let r = rule(&["lithium"], None);
        assert!(r.matches(1, "Lithium deal", ""));
        assert!(!r.matches(1, "Lithiumite is a mineral", ""));
    }

    #[test]
    fn a_phrase_keyword_matches_case_insensitively() {
        assert!(rule(&["rare earths"], None).matches(1, "", "Exports of Rare Earths rose."));
    }

    #[test]
    fn a_pinned_rule_tags_every_article_of_its_source_and_no_other() {
        let r = rule(&[], Some(7));
        assert!(r.matches(7, "anything", ""));
        assert!(!r.matches(8, "anything", ""));
    }

    #[test]
    fn a_rule_with_neither_keywords_nor_source_matches_nothing() {
        assert!(!rule(&[], None).matches(1, "x", "y"));
    }
}
