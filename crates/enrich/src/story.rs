//! Story matching: how alike two articles are, from their titles, leads and
//! entities, within a time window.

use crate::tokenize::content_words;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// The features of an article that story matching compares.
#[derive(Clone, Debug)]
pub struct StoryDoc {
    title: HashMap<String, f32>,
    lead: HashMap<String, f32>,
    entities: HashSet<String>,
    published: DateTime<Utc>,
}

/// Words of the lead considered: the opening of a report names its event.
const LEAD_WORDS: usize = 80;

/// Reports further apart than this are never the same story.
pub const WINDOW_HOURS: i64 = 72;

/// Articles at least this similar are put in one story.
///
/// Chosen by 2-fold cross-validation over ECB+ dev topics (odd/even topic
/// numbers; `bench/enrich.py` and docs/benchmarks.md): the folds picked 0.25
/// and 0.15, held-out B-cubed F1 0.789 and 0.810. The higher value keeps
/// the seed's near-miss negatives apart.
pub const THRESHOLD: f32 = 0.25;

impl StoryDoc {
    /// Builds the features from an article's parts.
    pub fn new(title: &str, text: &str, entity_tags: &[String], published: DateTime<Utc>) -> Self {
        let bag = |words: Vec<String>| {
            let mut m: HashMap<String, f32> = HashMap::new();
            for w in words {
                *m.entry(w).or_default() += 1.0;
            }
            m
        };
        let lead: Vec<String> = content_words(text).into_iter().take(LEAD_WORDS).collect();
        Self {
            title: bag(content_words(title)),
            lead: bag(lead),
            entities: entity_tags.iter().map(|e| e.to_lowercase()).collect(),
            published,
        }
    }
}

fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>) -> f32 {
    let dot: f32 = a.iter().filter_map(|(k, v)| b.get(k).map(|w| v * w)).sum();
    let na: f32 = a.values().map(|v| v * v).sum::<f32>().sqrt();
    let nb: f32 = b.values().map(|v| v * v).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// Similarity in 0..=1; 0 outside the time window.
pub fn similarity(a: &StoryDoc, b: &StoryDoc) -> f32 {
    if (a.published - b.published).num_hours().abs() > WINDOW_HOURS {
        return 0.0;
    }
    let ent = if a.entities.is_empty() || b.entities.is_empty() {
        0.0
    } else {
        a.entities.intersection(&b.entities).count() as f32 / a.entities.union(&b.entities).count() as f32
    };
    0.45 * cosine(&a.title, &b.title) + 0.4 * cosine(&a.lead, &b.lead) + 0.15 * ent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn far_apart_reports_are_never_one_story() {
        let a = StoryDoc::new("Quake hits city", "A quake hit the city.", &[], t("2025-01-01T00:00:00Z"));
        let b = StoryDoc::new("Quake hits city", "A quake hit the city.", &[], t("2025-02-01T00:00:00Z"));
        assert_eq!(similarity(&a, &b), 0.0);
    }

    #[test]
    fn identical_reports_are_fully_similar() {
        let a = StoryDoc::new("Quake hits city", "A quake hit the city.", &["X".into()], t("2025-01-01T00:00:00Z"));
        assert!((similarity(&a, &a.clone()) - 1.0).abs() < 1e-4);
    }
}
