//! Key-phrase ranking. English text: noun phrases found by a
//! part-of-speech tagger, scored by the weight of their words (frequency,
//! position, rarity). Other languages: phrases between stopwords, scored by
//! frequency, length and position.

use crate::fnv::FastMap;
use crate::pos::{Item, Lexicon, Pos};
use crate::tokenize::{is_stopword, is_unspaced_char, lowercase, tokens};
use std::borrow::Cow;

/// A ranked phrase.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyPhrase {
    /// The phrase in lower case, words separated by spaces.
    pub phrase: String,
    /// Relative score, the best phrase being 1.
    pub score: f32,
}

const MAX_WORDS: usize = 4;

/// A phrase as the ids of its words (unused slots are `u32::MAX`).
type PhraseKey = [u32; MAX_WORDS];

/// Ranks the key phrases of a title and text, best first.
pub fn rank(title: &str, text: &str, limit: usize) -> Vec<KeyPhrase> {
    rank_with(title, text, limit, &RankParams::default()).key_phrases
}

/// The two rankings of an article's phrases, from one pass over it.
#[derive(Clone, Debug, Default)]
pub struct Ranked {
    /// Key phrases, best first: what the article is about, as a reader
    /// would list it ("alaskan oil spill", "exxon valdez").
    pub key_phrases: Vec<KeyPhrase>,
    /// Phrases fit to be topic tags, best first: two or three words that
    /// recur in the article, such as "critical minerals" inside "critical
    /// minerals deal" and "critical minerals dialogue". A tag page gathers
    /// articles that keep coming back to a subject, not ones that name it
    /// once.
    pub topics: Vec<KeyPhrase>,
}

/// The tuned constants of English ranking, open to `tagline tag` so that
/// `bench/tags_cv.py` can cross-validate them.
#[derive(Clone, Debug, PartialEq)]
pub struct RankParams {
    /// How fast a word's weight falls with its position: an occurrence at
    /// word `i` counts `1 / (i + 1)^position_decay`.
    pub position_decay: f32,
    /// How much rarity counts: word weights are multiplied by `idf^idf_power`.
    pub idf_power: f32,
}

impl Default for RankParams {
    fn default() -> Self {
        Self { position_decay: 0.2, idf_power: 0.25 }
    }
}

/// Both rankings, with the given constants for English.
pub fn rank_with(title: &str, text: &str, limit: usize, params: &RankParams) -> Ranked {
    let (title, text) = (crate::plain::prose(title), crate::plain::prose(text));
    let (title, text) = (title.as_ref(), text.as_ref());
    if looks_english(text) {
        rank_noun_phrases(title, text, limit, params)
    } else {
        // The stopword-run ranking already asks phrases to recur.
        let key_phrases = rank_between_stopwords(title, text, limit);
        Ranked { topics: key_phrases.clone(), key_phrases }
    }
}

/// Whether the text reads as English: function words are a large share of
/// any English text and a small one of other languages. The language
/// detector would tell the same, at many times the cost.
fn looks_english(text: &str) -> bool {
    let mut end = text.len().min(1500);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = tokens(&text[..end]);
    let function_words = sample.iter().filter(|t| is_stopword(&lowercase(t.text))).count();
    sample.len() >= 5 && function_words * 5 >= sample.len()
}

/// Longest phrase, in words, that English ranking proposes. Longer noun
/// phrases are rarely someone's key phrase as written.
const NP_MAX_WORDS: usize = 3;

/// Stopwords that can still open a noun phrase: "New Orleans", "Second
/// Amendment", "Third World", "first tropical depression".
fn is_phrase_stopword(lower: &str) -> bool {
    is_stopword(lower) && !matches!(lower, "new" | "first" | "second" | "third")
}

/// English ranking: noun phrases (adjectives and nouns, ending in a noun) of
/// up to three words. A word's weight is its position-weighted count times
/// its rarity in news text; a phrase scores the sum of its words' weights,
/// so a phrase of two strong words beats either word alone. Tuned by
/// 2-fold cross-validation on DUC-2001 dev (`python3 bench/tags_cv.py`).
fn rank_noun_phrases(title: &str, text: &str, limit: usize, params: &RankParams) -> Ranked {
    let lex = Lexicon::builtin();
    // The title and text as one sequence of words and punctuation, as the
    // tagger was trained on: possessives split off, punctuation standing
    // between words. A hyphen joins words into one phrase ("free-trade
    // agreement") rather than splitting it, as annotators read it.
    struct Word<'a> {
        text: &'a str,
        lower: Cow<'a, str>,
        sentence_start: bool,
        /// Written "six-year": a hyphen joins it to the word before.
        hyphenated: bool,
    }
    // `None` stands for punctuation, or for the "'s" of a possessive.
    let mut words: Vec<Option<Word<'_>>> = Vec::new();
    let mut possessive_at: Vec<usize> = Vec::new();
    for part in [title, text] {
        let toks = tokens(part);
        let mut sentence_start = true;
        if !words.is_empty() {
            words.push(None);
        }
        for (i, t) in toks.iter().enumerate() {
            let gap = if i > 0 { &part[toks[i - 1].end..t.start] } else { "" };
            if gap.chars().any(|c| !c.is_whitespace()) && gap != "-" {
                words.push(None);
                sentence_start = gap.contains(['.', '!', '?']);
            }
            let (stem, possessive) = match t.text.strip_suffix("'s").or_else(|| t.text.strip_suffix("\u{2019}s")) {
                Some(s) if !s.is_empty() => (s, true),
                _ => (t.text, false),
            };
            let hyphenated = gap == "-" && words.last().is_some_and(Option::is_some);
            words.push(Some(Word { text: stem, lower: lowercase(stem), sentence_start, hyphenated }));
            sentence_start = false;
            if possessive {
                possessive_at.push(words.len());
                words.push(None);
            }
        }
    }
    let mut items: Vec<Item<'_>> = words
        .iter()
        .map(|w| match w {
            Some(w) => Item::Word { text: w.text, lower: &w.lower, sentence_start: w.sentence_start },
            None => Item::Punct,
        })
        .collect();
    for &i in &possessive_at {
        items[i] = Item::Possessive;
    }
    let tags = lex.tag(&items);
    // A word of a phrase: nominal, and not a stopword.
    let in_phrase: Vec<bool> = words
        .iter()
        .zip(&tags)
        .map(|(w, t)| w.as_ref().is_some_and(|w| t.is_nominal() && !is_phrase_stopword(&w.lower)))
        .collect();
    let mut weight: FastMap<&str, f32> = FastMap::default();
    for (i, w) in words.iter().enumerate() {
        if let (true, Some(w)) = (in_phrase[i], w) {
            *weight.entry(&w.lower).or_default() += 1.0 / ((i + 1) as f32).powf(params.position_decay);
        }
    }
    for (w, v) in weight.iter_mut() {
        *v *= lex.idf(w).powf(params.idf_power);
    }
    let spell = |start: usize, stop: usize| {
        let mut phrase = String::new();
        for (k, w) in words[start..stop].iter().flatten().enumerate() {
            if k > 0 {
                phrase.push(if w.hyphenated { '-' } else { ' ' });
            }
            phrase.push_str(&w.lower);
        }
        phrase
    };
    let score = |start: usize, stop: usize| -> f32 {
        words[start..stop].iter().flatten().map(|w| weight.get(w.lower.as_ref()).copied().unwrap_or(0.0)).sum()
    };
    // Candidates are keyed by the ids of their words, and only the ones
    // ranking reaches are spelled out. Key phrases: maximal runs of phrase
    // words, less trailing adjectives, by first occurrence. Topics: every
    // run of two or three of them ending in a noun, counted.
    let ids: Vec<u32> = {
        let mut interned: FastMap<&str, u32> = FastMap::default();
        words
            .iter()
            .map(|w| match w {
                Some(w) => {
                    let next = interned.len() as u32;
                    *interned.entry(w.lower.as_ref()).or_insert(next)
                }
                None => u32::MAX,
            })
            .collect()
    };
    let key = |start: usize, stop: usize| {
        let mut key = [u32::MAX; NP_MAX_WORDS];
        key[..stop - start].copy_from_slice(&ids[start..stop]);
        key
    };
    // (start, stop) of each phrase's first occurrence, and (for topics) its count.
    let mut maximal: FastMap<[u32; NP_MAX_WORDS], (usize, usize)> = FastMap::default();
    let mut counted: FastMap<[u32; NP_MAX_WORDS], (usize, usize, u32)> = FastMap::default();
    let mut i = 0;
    while i < words.len() {
        if !in_phrase[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < words.len() && in_phrase[j] {
            j += 1;
        }
        let mut end = j;
        while end > i && !tags[end - 1].is_noun() {
            end -= 1;
        }
        if end > i && end - i <= NP_MAX_WORDS {
            maximal.entry(key(i, end)).or_insert((i, end));
        }
        // A part of a run may not cut through a name ("Central Asia
        // Summit", "Central Asian countries") or a hyphenated word
        // ("high-level opening"), nor end in a hyphenated modifier.
        let capital = |k: usize| words[k].as_ref().is_some_and(|w| w.text.starts_with(char::is_uppercase));
        let hyphenated = |k: usize| words[k].as_ref().is_some_and(|w| w.hyphenated);
        let joined = |k: usize| {
            hyphenated(k) || (tags[k - 1] == Pos::Proper && tags[k] == Pos::Proper) || (capital(k - 1) && capital(k))
        };
        for start in (i..j).filter(|&s| s == i || !joined(s)) {
            for stop in start + 2..=(start + NP_MAX_WORDS).min(j) {
                let whole_end = stop == j || (!joined(stop) && !hyphenated(stop - 1));
                if tags[stop - 1].is_noun() && whole_end {
                    counted.entry(key(start, stop)).or_insert((start, stop, 0)).2 += 1;
                }
            }
        }
        i = j;
    }
    let key_phrases: Vec<(f32, usize, usize)> =
        maximal.into_values().map(|(start, stop)| (score(start, stop), start, stop)).collect();
    // A topic is scored by how often it recurs as well as by its words: a
    // longer phrase is not a better tag for containing more words.
    let topics: Vec<(f32, usize, usize)> = counted
        .into_values()
        .filter(|c| c.2 >= 2)
        .map(|(start, stop, n)| (score(start, stop) / (stop - start) as f32 * (1.0 + n as f32).ln(), start, stop))
        .collect();
    Ranked {
        key_phrases: best_distinct(key_phrases, &spell, limit, false),
        topics: best_distinct(topics, &spell, limit, true),
    }
}

/// The best `limit` candidates (score, start, stop), spelled by `spell`, one
/// per stem sequence: "illegal alien" and "illegal aliens" are one phrase,
/// and the first ranked stands for both. With `apart`, a phrase that
/// overlaps a better one ("fourth quarter profits" or "fourth quarter"
/// after "quarter profits") is left out too: tags should name different
/// things. Scores are scaled so the best is 1.
fn best_distinct(
    mut cands: Vec<(f32, usize, usize)>,
    spell: &dyn Fn(usize, usize) -> String,
    limit: usize,
    apart: bool,
) -> Vec<KeyPhrase> {
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut stems: Vec<Vec<String>> = Vec::new();
    let mut out: Vec<KeyPhrase> = Vec::new();
    for (score, start, stop) in cands {
        let phrase = spell(start, stop);
        let stem: Vec<String> = phrase.split([' ', '-']).map(|w| stemmer.stem(w).into_owned()).collect();
        if stems.iter().any(|s| *s == stem || (apart && overlaps(s, &stem))) {
            continue;
        }
        stems.push(stem);
        out.push(KeyPhrase { phrase, score });
        if out.len() == limit {
            break;
        }
    }
    if let Some(best) = out.first().map(|k| k.score).filter(|s| *s > 0.0) {
        for k in &mut out {
            k.score /= best;
        }
    }
    out
}

/// Whether one word sequence contains the other, or one ends with the
/// other's beginning.
fn overlaps(a: &[String], b: &[String]) -> bool {
    let joins = |x: &[String], y: &[String]| (1..x.len().min(y.len())).any(|k| x[x.len() - k..] == y[..k]);
    contains_words(a, b) || contains_words(b, a) || joins(a, b) || joins(b, a)
}

/// Ranking for languages without a tagger: runs of words between
/// stopwords, scored by frequency, length and position.
fn rank_between_stopwords(title: &str, text: &str, limit: usize) -> Vec<KeyPhrase> {
    #[derive(Default)]
    struct Cand {
        /// Occurrences in the text.
        count: f32,
        /// Whether the title has it too.
        in_title: bool,
        first: usize,
        words: usize,
    }
    // Words are interned: candidates are counted by word ids, and only the
    // phrases that survive the filter are spelled out.
    let mut ids: FastMap<Cow<'_, str>, u32> = FastMap::default();
    let mut words: Vec<Cow<'_, str>> = Vec::new();
    let mut cands: FastMap<PhraseKey, Cand> = FastMap::default();
    let mut position = 0usize;
    for (is_title, part) in [(true, title), (false, text)] {
        let toks = tokens(part);
        let mut run: Vec<u32> = Vec::new();
        let mut flush = |run: &mut Vec<u32>, position: usize| {
            if run.is_empty() {
                return;
            }
            for len in 1..=run.len().min(MAX_WORDS) {
                for start in 0..=run.len() - len {
                    let mut key = [u32::MAX; MAX_WORDS];
                    key[..len].copy_from_slice(&run[start..start + len]);
                    let c = cands.entry(key).or_default();
                    if c.words == 0 {
                        c.first = position;
                        c.words = len;
                    }
                    if is_title {
                        c.in_title = true;
                    } else {
                        c.count += 1.0;
                    }
                }
            }
            run.clear();
        };
        for (i, t) in toks.iter().enumerate() {
            let lower = crate::tokenize::lowercase(t.text);
            let breaks = i > 0 && {
                let gap = part[toks[i - 1].end..t.start].trim();
                !gap.is_empty() && gap != "-"
            };
            if breaks {
                flush(&mut run, position);
            }
            let content = if is_unspaced_char(&lower) {
                !is_unspaced_stopword(&lower)
            } else {
                lower.chars().count() > 2 && !is_stopword(&lower) && !lower.chars().any(|c| c.is_ascii_digit())
            };
            if content {
                let id = match ids.get(lower.as_ref()) {
                    Some(&id) => id,
                    None => {
                        let id = words.len() as u32;
                        ids.insert(lower.clone(), id);
                        words.push(lower);
                        id
                    }
                };
                run.push(id);
            } else {
                flush(&mut run, position);
            }
            position += 1;
        }
        flush(&mut run, position);
    }
    let total = position.max(1) as f32;
    // Words of unspaced scripts are single characters, written together.
    let spell = |key: &[u32]| {
        let mut out = String::new();
        for (i, &w) in key.iter().enumerate() {
            let word = words[w as usize].as_ref();
            if i > 0 && !(is_unspaced_char(word) && is_unspaced_char(&words[key[i - 1] as usize])) {
                out.push(' ');
            }
            out.push_str(word);
        }
        out
    };
    let mut scored: Vec<(Vec<u32>, KeyPhrase)> = cands
        .into_iter()
        // A phrase must recur in the text; the title only raises its rank,
        // or every run of title words would qualify.
        .filter(|(_, c)| c.count >= 2.0)
        // One character of Chinese or Japanese is rarely a topic.
        .filter(|(key, c)| c.words > 1 || !is_unspaced_char(&words[key[0] as usize]))
        .map(|(key, c)| {
            let key: Vec<u32> = key[..c.words].to_vec();
            let length_bonus = 1.0 + 0.6 * (c.words as f32 - 1.0);
            let position_bonus = 1.0 + (1.0 - c.first as f32 / total);
            let title_bonus = if c.in_title { 1.5 } else { 1.0 };
            let phrase = spell(&key);
            (key, KeyPhrase { phrase, score: c.count.ln_1p() * length_bonus * position_bonus * title_bonus })
        })
        .collect();
    scored.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| a.1.phrase.cmp(&b.1.phrase)));
    // A phrase inside a chosen one adds nothing ("asia" under "central
    // asia"); a longer phrase takes the place of the shorter one it contains
    // ("oil spill" replaces "spill"), keeping the shorter one's rank.
    let mut out: Vec<(Vec<u32>, KeyPhrase)> = Vec::new();
    for (key, k) in scored {
        if out.iter().any(|(o, _)| contains_words(o, &key)) {
            continue;
        }
        if let Some(pos) = out.iter().position(|(o, _)| contains_words(&key, o)) {
            out[pos].1.phrase = k.phrase;
            out[pos].0 = key;
            out.dedup_by(|a, b| a.0 == b.0);
            continue;
        }
        out.push((key, k));
        if out.len() == limit {
            break;
        }
    }
    let mut out: Vec<KeyPhrase> = out.into_iter().map(|(_, k)| k).collect();
    if let Some(best) = out.first().map(|k| k.score) {
        for k in &mut out {
            k.score /= best;
        }
    }
    out
}

/// Characters of unspaced scripts that carry grammar rather than topic:
/// Chinese particles and pronouns, and all of Hiragana (Japanese endings
/// and particles).
fn is_unspaced_stopword(c: &str) -> bool {
    c.chars().next().is_some_and(|ch| ('\u{3040}'..='\u{309F}').contains(&ch))
        || "的了是在和与及也都就而等对被把将从向为以之其这那个有不我你他她它们上下".contains(c)
}

/// Whether the words of `short` appear in `long`, in order and together.
fn contains_words<T: PartialEq>(long: &[T], short: &[T]) -> bool {
    short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_key_phrases_are_noun_phrases_not_verbs() {
        let text = "The oil spill was the worst in years. Crews fought the spill for weeks. \
                    The oil spill is now contained, officials said.";
        let top = rank("Oil spill off Alaska", text, 5);
        assert_eq!(top[0].phrase, "oil spill", "{top:?}");
        assert!(top.iter().all(|k| !k.phrase.contains("fought") && !k.phrase.contains("contained")), "{top:?}");
    }

    #[test]
    fn issue_5_a_phrase_that_recurs_inside_longer_ones_is_a_topic() {
        let text = "The United States wants a critical minerals deal with Kazakhstan. \
                    Officials met for a critical minerals dialogue in Astana. The talks were long.";
        let ranked = rank_with("Talks in Astana", text, 5, &RankParams::default());
        assert_eq!(ranked.topics.first().map(|k| k.phrase.as_str()), Some("critical minerals"), "{ranked:?}");
        // Key phrases keep the phrases as written.
        assert!(ranked.key_phrases.iter().any(|k| k.phrase == "critical minerals dialogue"), "{ranked:?}");
    }

    #[test]
    fn topics_neither_cut_through_names_nor_overlap_each_other() {
        let text = "Leaders of Central Asian countries met. Central Asian countries signed deals. \
                    Fourth quarter profits rose. Fourth quarter profits beat forecasts.";
        let topics = rank_with("Summit", text, 5, &RankParams::default()).topics;
        let names: Vec<&str> = topics.iter().map(|k| k.phrase.as_str()).collect();
        assert!(!names.contains(&"asian countries"), "{names:?}");
        let quarter = names.iter().filter(|n| n.contains("quarter") || n.contains("profits")).count();
        assert_eq!(quarter, 1, "{names:?}");
    }

    #[test]
    fn plural_and_singular_are_one_key_phrase() {
        let text = "Illegal aliens were counted. An illegal alien is counted too. The census counts illegal aliens \
                    and every illegal alien.";
        let top = rank("Census and illegal aliens", text, 5);
        let n = top.iter().filter(|k| k.phrase.starts_with("illegal alien")).count();
        assert_eq!(n, 1, "{top:?}");
    }

    #[test]
    fn chinese_phrases_are_found_and_written_without_spaces() {
        let text = "中亚峰会在西安举行。中亚峰会讨论了铁路和能源。各国领导人出席中亚峰会。";
        let top = rank("中亚峰会开幕", text, 3);
        assert_eq!(top[0].phrase, "中亚峰会");
    }

    #[test]
    fn a_repeated_phrase_ranks_above_single_words() {
        let text =
            "Critical minerals matter. The region holds critical minerals. Investors want critical minerals and water.";
        let top = rank("Critical minerals", text, 3);
        assert_eq!(top[0].phrase, "critical minerals");
    }
}
