//! The built-in gazetteer: countries, capitals, demonyms, regions,
//! organisations and people, and the matcher that finds them in text.

use crate::tokenize::{tokens, Token};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What an entity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// A sovereign country.
    Country,
    /// A region of the world.
    Region,
    /// A city.
    City,
    /// An organisation or initiative.
    Organisation,
    /// A person.
    Person,
}

/// One gazetteer entry.
#[derive(Clone, Debug)]
pub struct Entity {
    /// The canonical name, as a phrase ("Central Asia").
    pub name: String,
    /// Its kind.
    pub kind: EntityKind,
}

#[derive(Clone, Debug)]
struct Alias {
    entity: usize,
    /// For all-capital aliases (US, UK): the exact spelling required.
    exact: Option<String>,
    weight: f32,
    /// A second entity this alias also counts towards (a city's country).
    also: Option<usize>,
}

/// The loaded gazetteer.
pub struct Gazetteer {
    entities: Vec<Entity>,
    aliases: HashMap<String, Vec<Alias>>,
    /// The key of every alias's first word: most capitalised words start no
    /// alias, and are dismissed with one lookup.
    first_words: std::collections::HashSet<String>,
    max_len: usize,
}

/// A match in the text.
#[derive(Clone, Debug)]
pub struct Mention {
    /// Index into [`Gazetteer::entity`].
    pub entity: usize,
    /// First token of the match.
    pub first: usize,
    /// One past the last token.
    pub last: usize,
    /// How much the mention counts (demonyms and capitals count less).
    pub weight: f32,
}

const DATA: &str = include_str!("../data/gazetteer.txt");

/// The gazetteer compiled into the binary.
pub fn builtin() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::parse(DATA))
}

/// Appends one token to a lookup key: the gap before it (" " for
/// whitespace, or "-" or ","), then the word in lower case without a
/// possessive ("Washington's strategy" names Washington). Returns false when
/// the gap is one no alias spans.
fn push_key(key: &mut String, text: &str, prev: Option<&Token>, t: &Token) -> bool {
    if let Some(p) = prev {
        match text[p.end..t.start].trim() {
            "" => key.push(' '),
            g @ ("-" | ",") => key.push_str(g),
            _ => return false,
        }
    }
    let start = key.len();
    key.extend(t.text.chars().flat_map(char::to_lowercase));
    for suffix in ["'s", "\u{2019}s"] {
        if key[start..].ends_with(suffix) && key.len() - suffix.len() > start {
            key.truncate(key.len() - suffix.len());
            break;
        }
    }
    true
}

fn key_of(text: &str, toks: &[Token]) -> Option<String> {
    let mut key = String::new();
    for (i, t) in toks.iter().enumerate() {
        if !push_key(&mut key, text, i.checked_sub(1).map(|p| &toks[p]), t) {
            return None;
        }
    }
    Some(key)
}

impl Gazetteer {
    fn parse(data: &str) -> Self {
        let mut g =
            Gazetteer { entities: Vec::new(), aliases: HashMap::new(), first_words: Default::default(), max_len: 1 };
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut pending_metonyms = Vec::new();
        let mut pending_cities = Vec::new();
        for line in data.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (kind, rest) = line.split_at(1);
            let fields: Vec<&str> = rest.split(" ; ").map(str::trim).collect();
            match kind {
                "M" => {
                    if let Some((alias, target)) = rest.split_once('=') {
                        pending_metonyms.push((alias.trim().to_string(), target.trim().to_string()));
                    }
                    continue;
                }
                "T" => {
                    pending_cities.push((fields[0].to_string(), fields.get(1).map(|s| s.to_string())));
                    continue;
                }
                _ => {}
            }
            let kind = match kind {
                "C" => EntityKind::Country,
                "R" => EntityKind::Region,
                "O" => EntityKind::Organisation,
                "P" => EntityKind::Person,
                _ => continue,
            };
            let names: Vec<&str> = fields[0].split('|').collect();
            let id = g.add_entity(names[0], kind, &mut by_name);
            for n in &names {
                g.add_alias(n, id, 1.0, None);
            }
            if let Some(demonyms) = fields.get(1) {
                for d in demonyms.split('|').filter(|d| !d.is_empty()) {
                    g.add_alias(d, id, 0.5, None);
                }
            }
            if let Some(cities) = fields.get(2) {
                for c in cities.split('|').filter(|c| !c.is_empty()) {
                    pending_cities.push((c.to_string(), Some(names[0].to_string())));
                }
            }
        }
        for (city, country) in pending_cities {
            let country = country.and_then(|c| by_name.get(&c).copied());
            let id = g.add_entity(&city, EntityKind::City, &mut by_name);
            g.add_alias(&city, id, 1.0, country);
        }
        for (alias, target) in pending_metonyms {
            if let Some(&id) = by_name.get(&target) {
                g.add_alias(&alias, id, 0.7, None);
            }
        }
        g
    }

    fn add_entity(&mut self, name: &str, kind: EntityKind, by_name: &mut HashMap<String, usize>) -> usize {
        if let Some(&id) = by_name.get(name) {
            return id;
        }
        self.entities.push(Entity { name: name.to_string(), kind });
        let id = self.entities.len() - 1;
        by_name.insert(name.to_string(), id);
        id
    }

    fn add_alias(&mut self, alias: &str, entity: usize, weight: f32, also: Option<usize>) {
        let toks = tokens(alias);
        let Some(key) = key_of(alias, &toks) else { return };
        let letters: Vec<char> = alias.chars().filter(|c| c.is_alphabetic()).collect();
        let all_caps = letters.len() <= 5 && letters.iter().all(|c| c.is_uppercase());
        self.max_len = self.max_len.max(toks.len());
        if let Some(first) = key_of(alias, &toks[..1]) {
            self.first_words.insert(first);
        }
        self.aliases.entry(key).or_default().push(Alias {
            entity,
            exact: all_caps.then(|| alias.to_string()),
            weight,
            also,
        });
    }

    /// The entity with this index.
    pub fn entity(&self, id: usize) -> &Entity {
        &self.entities[id]
    }

    /// Finds entity mentions, longest match first, left to right.
    pub fn find(&self, text: &str, toks: &[Token]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let first = toks[i].text.chars().next().unwrap_or(' ');
            if !(first.is_uppercase() || first.is_ascii_digit()) {
                i += 1;
                continue;
            }
            // The keys of the spans starting here, built once: the key of
            // the first `k` tokens is `key[..ends[k - 1]]`.
            let mut key = String::new();
            let mut ends = Vec::with_capacity(self.max_len);
            for (k, t) in toks[i..].iter().take(self.max_len).enumerate() {
                let prev = (k > 0).then(|| &toks[i + k - 1]);
                if !push_key(&mut key, text, prev, t) {
                    break;
                }
                ends.push(key.len());
                if k == 0 && !self.first_words.contains(key.as_str()) {
                    break;
                }
            }
            let mut matched = 0;
            for len in (1..=ends.len()).rev() {
                let span = &toks[i..i + len];
                let Some(cands) = self.aliases.get(&key[..ends[len - 1]]) else { continue };
                let surface = &text[span[0].start..span[len - 1].end];
                for a in cands {
                    if a.exact.as_deref().is_some_and(|e| e != surface) {
                        continue;
                    }
                    out.push(Mention { entity: a.entity, first: i, last: i + len, weight: a.weight });
                    if let Some(also) = a.also {
                        out.push(Mention { entity: also, first: i, last: i + len, weight: 0.5 });
                    }
                    matched = len;
                    break;
                }
                if matched > 0 {
                    break;
                }
            }
            i += matched.max(1);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let g = builtin();
        let toks = tokens(text);
        g.find(text, &toks).into_iter().map(|m| g.entity(m.entity).name.clone()).collect()
    }

    #[test]
    fn capitals_used_as_metonyms_resolve_to_their_country() {
        assert_eq!(names("Beijing said"), vec!["China"]);
        assert_eq!(names("Washington's strategy"), vec!["US"]);
    }

    #[test]
    fn a_city_counts_as_itself_and_towards_its_country() {
        assert_eq!(names("in Astana"), vec!["Astana", "Kazakhstan"]);
    }

    #[test]
    fn the_longest_alias_wins() {
        assert_eq!(names("Central Asian countries"), vec!["Central Asia"]);
    }

    #[test]
    fn capitalised_aliases_match_only_in_capitals() {
        assert_eq!(names("the U.S. and US"), vec!["US", "US"]);
        assert!(names("let us go").is_empty());
    }
}
