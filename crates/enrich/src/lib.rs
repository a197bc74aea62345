//! Enrichment: language, category, tags and story similarity. CPU only, no IO.

pub mod category;
mod fnv;
pub mod gazetteer;
pub mod generic;
pub mod keyphrase;
pub mod lang;
pub mod model;
pub mod neardup;
pub mod plain;
mod pos;
pub mod story;
pub mod tags;
mod tokenize;

pub use category::classify;
pub use lang::detect_language;
pub use story::{similarity, Centroid, StoryDoc};
pub use tags::{tag_article, TagOptions};
pub use tokenize::{content_words, is_stopword};
