//! Tag names: CamelCase words joined by "-", compared case-insensitively.

use crate::ModelError;
use std::fmt;

/// A canonical tag name such as `China-CentralAsia` or `CriticalMinerals`.
///
/// Each hyphen-separated part is a run of words written in CamelCase, so the
/// phrase "China-Central Asia" becomes `China-CentralAsia`. Two names that
/// differ only in case are the same tag: [`TagName::key`] is what lookups use.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagName(String);

impl TagName {
    /// Builds the canonical name from a phrase or an existing tag name.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let input = input.trim().trim_start_matches('#');
        let mut parts: Vec<String> = Vec::new();
        for part in input.split(['-', '\u{2013}', '\u{2014}', '/']) {
            let mut camel = String::new();
            for word in part.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}')) {
                let word: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    camel.extend(first.to_uppercase());
                    camel.push_str(chars.as_str());
                }
            }
            if !camel.is_empty() {
                parts.push(camel);
            }
        }
        if parts.is_empty() {
            return Err(ModelError::EmptyTag(input.to_string()));
        }
        Ok(Self(parts.join("-")))
    }

    /// The name as shown, e.g. `China-CentralAsia`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form used for lookups and uniqueness.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for TagName {
    type Error = ModelError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TagName> for String {
    fn from(value: TagName) -> Self {
        value.0
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a tag came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagKind {
    /// A named place, organisation or person.
    Entity,
    /// A salient phrase of the text.
    KeyPhrase,
    /// Two entities in a relationship, such as `China-CentralAsia`.
    Relationship,
    /// A category or tag that the publisher's feed supplied.
    Feed,
    /// Added by an operator's tag rule.
    Rule,
}

impl TagKind {
    /// The stored and serialised form.
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Entity => "entity",
            TagKind::KeyPhrase => "key_phrase",
            TagKind::Relationship => "relationship",
            TagKind::Feed => "feed",
            TagKind::Rule => "rule",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "entity" => Some(TagKind::Entity),
            "key_phrase" => Some(TagKind::KeyPhrase),
            "relationship" => Some(TagKind::Relationship),
            "feed" => Some(TagKind::Feed),
            "rule" => Some(TagKind::Rule),
            _ => None,
        }
    }
}

/// A tag attached to an article.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tag {
    /// Canonical name.
    pub name: TagName,
    /// Where it came from.
    pub kind: TagKind,
    /// How strongly it describes the article, 0..=1.
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> String {
        TagName::parse(s).unwrap().to_string()
    }

    #[test]
    fn a_hyphenated_pair_keeps_its_hyphen_and_camel_cases_each_side() {
        assert_eq!(name("China-Central Asia"), "China-CentralAsia");
    }

    #[test]
    fn a_phrase_becomes_camel_case() {
        assert_eq!(name("Critical minerals"), "CriticalMinerals");
        assert_eq!(name("Belt and Road Initiative"), "BeltAndRoadInitiative");
    }

    #[test]
    fn a_canonical_name_is_unchanged() {
        assert_eq!(name("China-CentralAsia"), "China-CentralAsia");
        assert_eq!(name("#US"), "US");
    }

    #[test]
    fn apostrophes_do_not_split_words() {
        assert_eq!(name("People's Republic"), "PeoplesRepublic");
    }

    #[test]
    fn names_differing_in_case_share_a_key() {
        assert_eq!(
            TagName::parse("china-centralasia").unwrap().key(),
            TagName::parse("China-CentralAsia").unwrap().key()
        );
    }

    #[test]
    fn punctuation_alone_is_not_a_tag() {
        assert!(TagName::parse(" -- ").is_err());
    }
}
