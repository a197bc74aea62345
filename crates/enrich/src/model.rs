//! The trained category classifier: multinomial naive Bayes over hashed
//! word unigrams and bigrams, with log-probabilities quantised to i16 in a
//! compact file (`data/category.model`) compiled into the binary.
//!
//! Training is deterministic (no randomness, ordered iteration), so
//! retraining on the same files reproduces the same bytes.

use crate::fnv::{fnv1a, fnv1a_parts};
use model::Category;
use std::sync::OnceLock;

/// Hash buckets for features.
pub const BUCKETS: usize = 1 << 18;
const MAGIC: &[u8; 4] = b"TGCM";
const VERSION: u32 = 1;
/// Quantisation step of stored log-probabilities.
const SCALE: f32 = 256.0;
/// Laplace smoothing.
const ALPHA: f64 = 0.1;

/// A labelled training document.
pub struct Example<'a> {
    /// Headline.
    pub title: &'a str,
    /// Body or description.
    pub text: &'a str,
    /// The label in Tagline's taxonomy.
    pub label: Category,
}

/// A trained model.
pub struct Model {
    classes: Vec<Category>,
    priors: Vec<f32>,
    /// `weights[bucket * classes + c]`, quantised log P(feature | class).
    weights: Vec<i16>,
}

/// AG News keeps HTML-escaped artefacts (`#36;` for `$`, `\\` for line
/// breaks); they must not become features.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['#', '&', '\\']) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.replace("#36;", "$").replace("#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("\\\\", " "),
    )
}

/// Hashed unigram and bigram features, sorted by bucket; title words count
/// twice.
pub fn features(title: &str, text: &str) -> Vec<(usize, f32)> {
    let mut counts: crate::fnv::FastMap<usize, f32> = crate::fnv::FastMap::default();
    for (weight, part) in [(2.0f32, clean(title)), (1.0, clean(text))] {
        let words: Vec<std::borrow::Cow<'_, str>> = part
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(crate::tokenize::lowercase)
            .take(600)
            .collect();
        for (i, w) in words.iter().enumerate() {
            *counts.entry(fnv1a(w.as_bytes(), 1) as usize % BUCKETS).or_default() += weight;
            if let Some(next) = words.get(i + 1) {
                // The hash of "w next", without writing it out.
                let bigram = fnv1a_parts(&[w.as_bytes(), b" ", next.as_bytes()], 2);
                *counts.entry(bigram as usize % BUCKETS).or_default() += weight;
            }
        }
    }
    // Sub-linear term frequency: repeated words matter less than new ones.
    let mut out: Vec<(usize, f32)> = counts.into_iter().map(|(k, v)| (k, (1.0 + v).ln())).collect();
    out.sort_unstable_by_key(|(k, _)| *k);
    out
}

impl Model {
    /// Trains on the examples.
    pub fn train(examples: &[Example]) -> Model {
        let mut classes: Vec<Category> = examples.iter().map(|e| e.label).collect();
        classes.sort();
        classes.dedup();
        let k = classes.len();
        let mut counts = vec![0f64; BUCKETS * k];
        let mut totals = vec![0f64; k];
        let mut docs = vec![0f64; k];
        for e in examples {
            let c = classes.binary_search(&e.label).expect("listed");
            docs[c] += 1.0;
            for (f, v) in features(e.title, e.text) {
                counts[f * k + c] += v as f64;
                totals[c] += v as f64;
            }
        }
        let n: f64 = docs.iter().sum();
        let priors = docs.iter().map(|d| (d / n).ln() as f32).collect();
        let weights = (0..BUCKETS * k)
            .map(|i| {
                let c = i % k;
                let lp = ((counts[i] + ALPHA) / (totals[c] + ALPHA * BUCKETS as f64)).ln();
                (lp as f32 * SCALE).round().clamp(i16::MIN as f32, i16::MAX as f32) as i16
            })
            .collect();
        Model { classes, priors, weights }
    }

    /// Probabilities per taxonomy category, best first (untrained ones 0).
    pub fn predict(&self, title: &str, text: &str) -> Vec<(Category, f32)> {
        let k = self.classes.len();
        let mut scores: Vec<f64> = self.priors.iter().map(|p| *p as f64).collect();
        for (f, v) in features(title, text) {
            for (c, s) in scores.iter_mut().enumerate() {
                *s += v as f64 * self.weights[f * k + c] as f64 / SCALE as f64;
            }
        }
        let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        let mut out: Vec<(Category, f32)> = Category::ALL
            .iter()
            .map(|cat| (*cat, self.classes.iter().position(|c| c == cat).map_or(0.0, |i| (exp[i] / sum) as f32)))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The compact file form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.weights.len() * 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(BUCKETS as u32).to_le_bytes());
        out.extend_from_slice(&(self.classes.len() as u32).to_le_bytes());
        for (c, p) in self.classes.iter().zip(&self.priors) {
            let label = c.slug().as_bytes();
            out.push(label.len() as u8);
            out.extend_from_slice(label);
            out.extend_from_slice(&p.to_le_bytes());
        }
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads the file form; `None` if it is not a model of this version.
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        let u32_at = |i: usize| b.get(i..i + 4).map(|s| u32::from_le_bytes(s.try_into().expect("4 bytes")));
        if b.get(..4)? != MAGIC || u32_at(4)? != VERSION || u32_at(8)? as usize != BUCKETS {
            return None;
        }
        let k = u32_at(12)? as usize;
        let mut pos = 16;
        let (mut classes, mut priors) = (Vec::new(), Vec::new());
        for _ in 0..k {
            let len = *b.get(pos)? as usize;
            let label = std::str::from_utf8(b.get(pos + 1..pos + 1 + len)?).ok()?;
            classes.push(Category::parse(label).ok()?);
            pos += 1 + len;
            priors.push(f32::from_le_bytes(b.get(pos..pos + 4)?.try_into().ok()?));
            pos += 4;
        }
        let body = b.get(pos..pos + BUCKETS * k * 2)?;
        let weights = body.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
        Some(Model { classes, priors, weights })
    }
}

const BUILTIN: &[u8] = include_bytes!("../data/category.model");

/// The model compiled into the binary, if it is a valid one.
pub fn builtin() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| Model::from_bytes(BUILTIN)).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<Example<'static>> {
        vec![
            Example {
                title: "Shares rally",
                text: "Stocks and markets rose as investors cheered earnings.",
                label: Category::Business,
            },
            Example { title: "Cup final", text: "The team won the match with a late goal.", label: Category::Sports },
        ]
    }

    #[test]
    fn a_model_survives_its_file_form_and_training_is_deterministic() {
        let m = Model::train(&examples());
        let bytes = m.to_bytes();
        assert_eq!(bytes, Model::train(&examples()).to_bytes(), "same data, same bytes");
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.predict("Late goal wins the cup", "")[0].0, Category::Sports);
        assert_eq!(back.predict("Investors cheer", "markets rose")[0].0, Category::Business);
    }

    #[test]
    fn garbage_is_not_a_model() {
        assert!(Model::from_bytes(b"nope").is_none());
    }
}
