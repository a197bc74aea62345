//! A first category classifier: weighted keyword evidence per category.
//! The feed's own category, when it maps onto the taxonomy, always wins; this
//! is what decides when it does not.

use crate::tokenize::content_words;
use model::Category;
use std::collections::HashMap;
use std::sync::OnceLock;

const LEXICON: &[(Category, &str)] = &[
    (Category::World, "war military troops ceasefire refugees embassy diplomat diplomatic foreign minister summit sanctions border invasion conflict united nations humanitarian treaty"),
    (Category::Politics, "election elections vote voters parliament senate congress lawmakers party campaign president prime minister government opposition policy bill legislation democrat republican coalition"),
    (Category::Business, "business economy economic trade market markets shares stocks investors investment company companies profit revenue earnings bank banks inflation tariffs exports imports growth gdp industry industrial cooperation finance financial"),
    (Category::Technology, "technology tech software internet digital computer computing ai artificial intelligence smartphone app apps startup cyber data chip chips semiconductor online google apple microsoft"),
    (Category::Science, "science scientists research researchers study space nasa planet species climate physics biology discovery environment fossil telescope"),
    (Category::Health, "health hospital hospitals patients doctors disease virus vaccine medical medicine cancer covid treatment drug drugs nhs"),
    (Category::Sports, "match game season team league cup championship coach players player goal goals win won tournament olympic football cricket rugby tennis"),
    (Category::Entertainment, "film films movie movies music album singer actor actress star stars show tv television festival award awards celebrity band concert"),
];

fn lexicon() -> &'static HashMap<&'static str, Vec<Category>> {
    static L: OnceLock<HashMap<&'static str, Vec<Category>>> = OnceLock::new();
    L.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<Category>> = HashMap::new();
        for (c, words) in LEXICON {
            for w in words.split_whitespace() {
                m.entry(w).or_default().push(*c);
            }
        }
        m
    })
}

/// Scores every category for a title and text: the trained model compiled
/// into the binary when there is one, else the keyword lexicon. `None` when
/// nothing points anywhere.
pub fn classify(title: &str, text: &str) -> Option<(Category, Vec<(Category, f32)>)> {
    if let Some(model) = crate::model::builtin() {
        let scores = model.predict(title, text);
        return Some((scores[0].0, scores));
    }
    classify_by_keywords(title, text)
}

/// The keyword lexicon classifier; title words count three times.
pub fn classify_by_keywords(title: &str, text: &str) -> Option<(Category, Vec<(Category, f32)>)> {
    let lex = lexicon();
    let mut scores: HashMap<Category, f32> = HashMap::new();
    for (weight, part) in [(3.0, title), (1.0, text)] {
        for w in content_words(part) {
            if let Some(cats) = lex.get(w.as_str()) {
                for c in cats {
                    *scores.entry(*c).or_default() += weight;
                }
            }
        }
    }
    let total: f32 = scores.values().sum();
    if total == 0.0 {
        return None;
    }
    let mut all: Vec<(Category, f32)> =
        Category::ALL.iter().map(|c| (*c, scores.get(c).copied().unwrap_or(0.0) / total)).collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some((all[0].0, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_markets_story_is_business() {
        let (c, _) =
            classify_by_keywords("Shares rise as investors cheer earnings", "Stocks and markets rallied.").unwrap();
        assert_eq!(c, Category::Business);
    }

    #[test]
    fn text_without_evidence_is_unclassified() {
        assert!(classify_by_keywords("Hello", "Lorem ipsum").is_none());
    }
}
