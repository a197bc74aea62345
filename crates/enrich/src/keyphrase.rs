//! Key-phrase ranking: candidate phrases between stopwords, scored by
//! frequency, length and position.

use crate::tokenize::{is_stopword, tokens};
use std::collections::HashMap;

/// A ranked phrase.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyPhrase {
    /// The phrase in lower case, words separated by spaces.
    pub phrase: String,
    /// Relative score, the best phrase being 1.
    pub score: f32,
}

const MAX_WORDS: usize = 4;

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
    let mut cands: HashMap<String, Cand> = HashMap::new();
    let mut position = 0usize;
    for (is_title, part) in [(true, title), (false, text)] {
        let toks = tokens(part);
        let mut run: Vec<String> = Vec::new();
        let mut flush = |run: &mut Vec<String>, position: usize| {
            if run.is_empty() {
                return;
            }
            // Long runs are split into their leading window; the rest rarely
            // forms a phrase anyone would tag.
            for len in 1..=run.len().min(MAX_WORDS) {
                for start in 0..=run.len() - len {
                    let phrase = run[start..start + len].join(" ");
                    let c = cands.entry(phrase).or_default();
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
            let lower = t.text.to_lowercase();
            let breaks = i > 0 && {
                let gap = part[toks[i - 1].end..t.start].trim();
                !gap.is_empty() && gap != "-"
            };
            if breaks {
                flush(&mut run, position);
            }
            let content =
                lower.chars().count() > 2 && !is_stopword(&lower) && !lower.chars().any(|c| c.is_ascii_digit());
            if content {
                run.push(lower);
            } else {
                flush(&mut run, position);
            }
            position += 1;
        }
        flush(&mut run, position);
    }
    let total = position.max(1) as f32;
    let mut scored: Vec<KeyPhrase> = cands
        .into_iter()
        // A phrase must recur in the text; the title only raises its rank,
        // or every run of title words would qualify.
        .filter(|(_, c)| c.count >= 2.0)
        .map(|(phrase, c)| {
            let length_bonus = 1.0 + 0.6 * (c.words as f32 - 1.0);
            let position_bonus = 1.0 + (1.0 - c.first as f32 / total);
            let title_bonus = if c.in_title { 1.5 } else { 1.0 };
            KeyPhrase { phrase, score: c.count.ln_1p() * length_bonus * position_bonus * title_bonus }
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.phrase.cmp(&b.phrase)));
    // A phrase inside a chosen one adds nothing ("asia" under "central
    // asia"); a longer phrase takes the place of the shorter one it contains
    // ("oil spill" replaces "spill"), keeping the shorter one's rank.
    let mut out: Vec<KeyPhrase> = Vec::new();
    for k in scored {
        if out.iter().any(|o| contains_words(&o.phrase, &k.phrase)) {
            continue;
        }
        if let Some(pos) = out.iter().position(|o| contains_words(&k.phrase, &o.phrase)) {
            out[pos].phrase = k.phrase;
            out.dedup_by(|a, b| a.phrase == b.phrase);
            continue;
        }
        out.push(k);
        if out.len() == limit {
            break;
        }
    }
    if let Some(best) = out.first().map(|k| k.score) {
        for k in &mut out {
            k.score /= best;
        }
    }
    out
}

fn contains_words(long: &str, short: &str) -> bool {
    format!(" {long} ").contains(&format!(" {short} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_phrase_ranks_above_single_words() {
        let text =
            "Critical minerals matter. The region holds critical minerals. Investors want critical minerals and water.";
        let top = rank("Critical minerals", text, 3);
        assert_eq!(top[0].phrase, "critical minerals");
    }
}
