//! Key-phrase ranking: candidate phrases between stopwords, scored by
//! frequency, length and position.

use crate::fnv::FastMap;
use crate::tokenize::{is_stopword, is_unspaced_char, tokens};
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
fn contains_words(long: &[u32], short: &[u32]) -> bool {
    short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

#[cfg(test)]
mod tests {
    use super::*;

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
