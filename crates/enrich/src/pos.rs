//! English part-of-speech tagging for key phrases: a lexicon of coarse tags
//! and a bigram hidden Markov model, decoded with Viterbi.
//!
//! Key phrases are noun phrases ("oil spill", "illegal aliens"). Telling a
//! noun from a verb needs context ("the oil spill was" against "they
//! spill"), which a word list cannot give and a full tagger costs too much
//! for: this tagger does a table lookup per word and a 12 × 12 step. The
//! tables are `data/en-lexicon.tsv`, built by `bench/pos_lexicon.py`.

use crate::fnv::FastMap;
use std::sync::OnceLock;

/// Coarse part-of-speech tags, in the lexicon file's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Pos {
    /// Common noun.
    Noun,
    /// Proper noun.
    Proper,
    /// Adjective.
    Adjective,
    /// Finite verb or base form.
    Verb,
    /// Gerund or present participle.
    Gerund,
    /// Past participle.
    Participle,
    /// Adverb.
    Adverb,
    /// Determiner, possessive.
    Determiner,
    /// Preposition, conjunction, "to".
    Preposition,
    /// Pronoun, modal.
    Pronoun,
    /// Number.
    Number,
    /// Punctuation and anything else.
    Other,
}

const TAGS: usize = 12;
const LETTERS: &[u8; TAGS] = b"NPJVGERDIMCX";
const ALL: [Pos; TAGS] = [
    Pos::Noun,
    Pos::Proper,
    Pos::Adjective,
    Pos::Verb,
    Pos::Gerund,
    Pos::Participle,
    Pos::Adverb,
    Pos::Determiner,
    Pos::Preposition,
    Pos::Pronoun,
    Pos::Number,
    Pos::Other,
];
/// The tags a word never seen in the training text may have.
const OPEN: [Pos; 7] = [Pos::Noun, Pos::Proper, Pos::Adjective, Pos::Verb, Pos::Gerund, Pos::Participle, Pos::Adverb];

impl Pos {
    /// Whether the tag can be part of a noun phrase.
    pub fn is_nominal(self) -> bool {
        matches!(self, Pos::Noun | Pos::Proper | Pos::Adjective)
    }

    /// Whether the tag can end a noun phrase.
    pub fn is_noun(self) -> bool {
        matches!(self, Pos::Noun | Pos::Proper)
    }
}

/// Emission weights as log values, sparse over tags.
type Emission = Vec<(Pos, f32)>;

/// A word's entry: its emission weights and how many training texts hold it.
struct Entry {
    emission: Emission,
    docs: u32,
}

/// The tables the tagger reads.
pub struct Lexicon {
    words: FastMap<String, Entry>,
    /// Open-class emission weights of rare words, by their last 1 to 3 letters.
    suffixes: FastMap<String, Emission>,
    /// `ln P(to | from)`.
    transition: [[f32; TAGS]; TAGS],
    /// Texts in the training corpus, for inverse document frequency.
    docs: u32,
}

/// What the tagger reads, one item per word or mark.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    /// A word.
    Word { text: &'a str, lower: &'a str, sentence_start: bool },
    /// A possessive "'s", split from its word.
    Possessive,
    /// Punctuation.
    Punct,
}

/// A suffix's tag counts are trusted once this many rare words end in it;
/// a word the lexicon lacks takes its longest suffix that qualifies.
const SUFFIX_MIN: u32 = 20;

impl Lexicon {
    /// The lexicon built into the binary.
    pub fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| Lexicon::parse(include_str!("../data/en-lexicon.tsv")))
    }

    fn parse(text: &str) -> Lexicon {
        let counts = |field: &str| -> [u32; TAGS] {
            let mut c = [0u32; TAGS];
            for item in field.split_whitespace() {
                let (letter, n) = item.split_at(1);
                if let Some(t) = LETTERS.iter().position(|l| *l == letter.as_bytes()[0]) {
                    c[t] = n.parse().unwrap_or(0);
                }
            }
            c
        };
        let mut docs = 1;
        let mut trans = [[0u32; TAGS]; TAGS];
        let mut raw_words: Vec<(&str, u32, [u32; TAGS])> = Vec::new();
        let mut raw_suffixes: Vec<(&str, [u32; TAGS])> = Vec::new();
        for line in text.lines() {
            let mut f = line.split('\t');
            let (Some(a), Some(b), Some(c)) = (f.next(), f.next(), f.next()) else {
                if let Some(n) = line.strip_prefix("#docs\t") {
                    docs = n.trim().parse().unwrap_or(1);
                }
                continue;
            };
            if a == "#from" {
                if let Some(t) = LETTERS.iter().position(|l| b.as_bytes().first() == Some(l)) {
                    trans[t] = counts(c);
                }
            } else if let Some(suffix) = a.strip_prefix('-') {
                raw_suffixes.push((suffix, counts(c)));
            } else if !a.starts_with('#') {
                raw_words.push((a, b.parse().unwrap_or(0), counts(c)));
            }
        }
        // How often each tag occurs, to turn P(tag | word) into a weight
        // proportional to P(word | tag).
        let mut prior = [0f32; TAGS];
        for row in &trans {
            for (t, n) in row.iter().enumerate() {
                prior[t] += *n as f32;
            }
        }
        let total: f32 = prior.iter().sum::<f32>().max(1.0);
        for p in &mut prior {
            *p = (*p / total).max(1e-6);
        }
        let mut transition = [[0f32; TAGS]; TAGS];
        for (a, row) in trans.iter().enumerate() {
            let sum: u32 = row.iter().sum();
            for (b, n) in row.iter().enumerate() {
                transition[a][b] = ((*n as f32 + 0.1) / (sum as f32 + 1.2)).ln();
            }
        }
        let words = raw_words
            .into_iter()
            .map(|(w, d, c)| {
                let n: u32 = c.iter().sum();
                let emission = ALL
                    .iter()
                    .filter(|t| c[**t as usize] > 0)
                    .map(|t| {
                        let i = *t as usize;
                        (*t, ((c[i] as f32 + 0.01) / (n as f32 + 0.12) / prior[i]).ln())
                    })
                    .collect();
                (w.to_string(), Entry { emission, docs: d })
            })
            .collect();
        let suffixes = raw_suffixes
            .into_iter()
            .filter(|(_, c)| c.iter().sum::<u32>() >= SUFFIX_MIN)
            .map(|(s, c)| (s.to_string(), open_emission(&c, &prior)))
            .collect();
        Lexicon { words, suffixes, transition, docs }
    }

    /// The inverse document frequency of a lower-case word: `ln(N / (1 + df))`,
    /// at least a small positive value.
    pub fn idf(&self, lower: &str) -> f32 {
        let df = self.words.get(lower).map_or(0, |e| e.docs);
        (self.docs as f32 / (1 + df) as f32).ln().max(0.01)
    }

    /// Tags a sequence of items, most likely sequence first (Viterbi).
    pub fn tag(&self, items: &[Item<'_>]) -> Vec<Pos> {
        const NONE: f32 = f32::NEG_INFINITY;
        let mut score = [NONE; TAGS];
        score[Pos::Other as usize] = 0.0;
        let mut back: Vec<[u8; TAGS]> = Vec::with_capacity(items.len());
        let mut emission: Emission = Vec::with_capacity(TAGS);
        // The tags still possible at the previous word: usually one to three.
        let mut live: Vec<usize> = vec![Pos::Other as usize];
        for item in items {
            emission.clear();
            match *item {
                Item::Punct => emission.push((Pos::Other, 0.0)),
                Item::Possessive => emission.push((Pos::Determiner, 0.0)),
                Item::Word { text, lower, sentence_start } => self.emission(text, lower, sentence_start, &mut emission),
            }
            let mut next = [NONE; TAGS];
            let mut from = [0u8; TAGS];
            for &(t, e) in &emission {
                let (mut best, mut arg) = (NONE, 0u8);
                for &p in &live {
                    let v = score[p] + self.transition[p][t as usize];
                    if v > best {
                        best = v;
                        arg = p as u8;
                    }
                }
                next[t as usize] = best + e;
                from[t as usize] = arg;
            }
            score = next;
            live.clear();
            live.extend(emission.iter().map(|(t, _)| *t as usize));
            back.push(from);
        }
        let mut out = vec![Pos::Other; items.len()];
        let mut t = score.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(TAGS - 1, |(i, _)| i);
        for (i, from) in back.iter().enumerate().rev() {
            out[i] = ALL[t];
            t = from[t] as usize;
        }
        out
    }

    fn emission(&self, text: &str, lower: &str, sentence_start: bool, out: &mut Emission) {
        let capital = text.chars().next().is_some_and(char::is_uppercase);
        let lower_case = text.chars().next().is_some_and(char::is_lowercase);
        if let Some(e) = self.words.get(lower) {
            out.extend_from_slice(&e.emission);
        } else if lower.chars().any(|c| c.is_ascii_digit()) {
            out.push((Pos::Number, 0.0));
            return;
        } else {
            let found = (1..=3).rev().find_map(|k| {
                let start = lower.char_indices().rev().nth(k - 1).map(|(i, _)| i)?;
                self.suffixes.get(&lower[start..])
            });
            match found {
                Some(e) => out.extend_from_slice(e),
                None => out.extend(OPEN.iter().map(|t| (*t, 0.0))),
            }
            // An unknown capitalised word inside a sentence is a name.
            if capital && !sentence_start {
                boost(out, Pos::Proper, 20f32.ln());
            }
        }
        if lower_case {
            boost(out, Pos::Proper, 0.05f32.ln());
        } else if !sentence_start {
            boost(out, Pos::Proper, 2f32.ln());
        }
    }
}

fn boost(e: &mut Emission, tag: Pos, by: f32) {
    if let Some(x) = e.iter_mut().find(|x| x.0 == tag) {
        x.1 += by;
    }
}

fn open_emission(c: &[u32; TAGS], prior: &[f32; TAGS]) -> Emission {
    let n: u32 = OPEN.iter().map(|t| c[*t as usize]).sum();
    OPEN.iter()
        .map(|t| {
            let i = *t as usize;
            (*t, ((c[i] as f32 + 0.1) / (n as f32 + 0.7) / prior[i]).ln())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(words: &[&str]) -> Vec<Pos> {
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let items: Vec<Item> = words
            .iter()
            .zip(&lower)
            .enumerate()
            .map(
                |(i, (w, l))| {
                    if *w == "." {
                        Item::Punct
                    } else {
                        Item::Word { text: w, lower: l, sentence_start: i == 0 }
                    }
                },
            )
            .collect();
        Lexicon::builtin().tag(&items)
    }

    #[test]
    fn a_noun_and_a_verb_spelled_alike_are_told_apart_by_context() {
        let t = tag(&["The", "oil", "spill", "was", "huge", "."]);
        assert_eq!(t[2], Pos::Noun, "{t:?}");
        let t = tag(&["They", "spill", "oil", "."]);
        assert_eq!(t[1], Pos::Verb, "{t:?}");
    }

    #[test]
    fn an_unknown_capitalised_word_inside_a_sentence_is_a_name() {
        let t = tag(&["He", "met", "Zorblatt", "yesterday", "."]);
        assert_eq!(t[2], Pos::Proper, "{t:?}");
    }

    #[test]
    fn adjectives_and_nouns_of_a_phrase_are_nominal() {
        let t = tag(&["A", "significant", "environmental", "disaster", "struck", "."]);
        assert!(t[1..4].iter().all(|p| p.is_nominal()), "{t:?}");
        assert!(t[3].is_noun());
    }

    #[test]
    fn common_words_have_a_lower_idf_than_rare_ones() {
        let lex = Lexicon::builtin();
        assert!(lex.idf("the") < lex.idf("hurricane"));
        assert!(lex.idf("zzzqqq") >= lex.idf("hurricane"));
    }
}
