//! Tagline's domain types: sources, articles, tags, categories, stories, and the
//! rules (URL validation, tag naming, relative time) that every stage shares.

mod category;
mod error;
mod script;
mod tag;
mod time;
mod types;
mod url;

pub use category::Category;
pub use error::ModelError;
pub use script::is_unspaced;
pub use tag::{Tag, TagKind, TagName};
pub use time::Clock;
pub use types::{Article, ExtractRules, ImageData, NewArticle, NewSource, Source, SourceStatus, Story, TagRule};
pub use url::{slugify, FeedUrl, WebUrl};
