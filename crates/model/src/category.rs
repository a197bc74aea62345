//! Tagline's category taxonomy and the mapping from publishers' section names.

use crate::ModelError;
use std::fmt;

/// One of Tagline's top-level sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// International news.
    World,
    /// Government, elections, policy.
    Politics,
    /// Economy, markets, companies.
    Business,
    /// Technology and the tech industry.
    Technology,
    /// Science and environment.
    Science,
    /// Health and medicine.
    Health,
    /// Sport.
    Sports,
    /// Entertainment, arts and culture.
    Entertainment,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 8] = [
        Category::World,
        Category::Politics,
        Category::Business,
        Category::Technology,
        Category::Science,
        Category::Health,
        Category::Sports,
        Category::Entertainment,
    ];

    /// The label readers see.
    pub fn label(self) -> &'static str {
        match self {
            Category::World => "World",
            Category::Politics => "Politics",
            Category::Business => "Business",
            Category::Technology => "Technology",
            Category::Science => "Science",
            Category::Health => "Health",
            Category::Sports => "Sports",
            Category::Entertainment => "Entertainment",
        }
    }

    /// The URL form, as in `/category/business`.
    pub fn slug(self) -> &'static str {
        match self {
            Category::World => "world",
            Category::Politics => "politics",
            Category::Business => "business",
            Category::Technology => "technology",
            Category::Science => "science",
            Category::Health => "health",
            Category::Sports => "sports",
            Category::Entertainment => "entertainment",
        }
    }

    /// Parses a slug or label of Tagline's own taxonomy, ignoring case.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let wanted = input.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.slug().eq_ignore_ascii_case(wanted) || c.label().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ModelError::UnknownCategory(input.to_string()))
    }

    /// Maps a publisher's section or feed category onto the taxonomy, when it
    /// clearly names one; `None` leaves the decision to the classifier.
    pub fn from_publisher_label(label: &str) -> Option<Self> {
        let l = label.trim().to_lowercase();
        // Publishers nest sections ("News/World", "business > markets"); the
        // most specific part usually carries the meaning, so try from the end.
        for part in l.rsplit(['/', '>', '|', ',', ':']) {
            let part = part.trim();
            let found = match part {
                "world" | "world news" | "international" | "global" | "foreign" | "europe" | "asia" | "africa"
                | "americas" | "middle east" => Some(Category::World),
                "politics" | "government" | "elections" | "election" | "policy" => Some(Category::Politics),
                "business" | "economy" | "economics" | "markets" | "finance" | "money" | "business news"
                | "companies" | "trade" => Some(Category::Business),
                "technology" | "tech" | "science & technology" | "sci/tech" | "digital" | "gadgets" => {
                    Some(Category::Technology)
                }
                "science" | "environment" | "climate" | "space" => Some(Category::Science),
                "health" | "medicine" | "wellness" => Some(Category::Health),
                "sport" | "sports" | "football" | "soccer" | "cricket" | "rugby" | "tennis" => Some(Category::Sports),
                "entertainment" | "culture" | "arts" | "movies" | "film" | "music" | "tv" | "celebrity"
                | "lifestyle" => Some(Category::Entertainment),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_category_named_business_maps_to_business() {
        assert_eq!(Category::from_publisher_label("Business"), Some(Category::Business));
    }

    #[test]
    fn the_most_specific_part_of_a_nested_section_wins() {
        assert_eq!(Category::from_publisher_label("News/Sport"), Some(Category::Sports));
    }

    #[test]
    fn an_unknown_section_is_left_to_the_classifier() {
        assert_eq!(Category::from_publisher_label("Opinion"), None);
    }

    #[test]
    fn slugs_and_labels_parse_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.slug()), Ok(c));
            assert_eq!(Category::parse(c.label()), Ok(c));
        }
        assert!(Category::parse("weather").is_err());
    }
}
