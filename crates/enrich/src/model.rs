//! The trained category classifier over hashed word unigrams and bigrams:
//! multinomial naive Bayes for article-length text, and a linear support
//! vector machine (one against the rest, over TF-IDF) for short text such
//! as a feed's summary. Both live, quantised to i16, in one compact file
//! (`data/category.model`) compiled into the binary.
//!
//! Why two: in 5-fold cross-validation over the dev corpora
//! (`bench/category_peers.py`, docs/benchmarks.md), naive Bayes was the
//! better on BBC's full articles and a linear SVM on AG News's
//! headline-and-summary items; routed by length, Tagline's models give AG
//! 0.892 (naive Bayes alone: 0.866) and BBC 0.958.
//!
//! Training is deterministic (ordered iteration, a fixed pseudo-random
//! visiting order), so retraining on the same files reproduces the same
//! bytes.

use crate::fnv::{fnv1a, fnv1a_parts};
use model::Category;
use std::sync::OnceLock;

/// Hash buckets for features.
pub const BUCKETS: usize = 1 << 18;
const MAGIC: &[u8; 4] = b"TGCM";
const VERSION: u32 = 2;
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

/// Text of fewer words than this (the body, not the title) is short: the
/// linear model classifies it. AG News items run to about 120 words, BBC
/// articles start at about 100; the few that cross over lose little.
pub const SHORT_TEXT_WORDS: usize = 100;
/// The SVM's cost parameter (liblinear's and scikit-learn's default).
const SVM_C: f64 = 1.0;
/// Passes over the data at most, and the largest projected gradient at
/// which training stops early (liblinear's default tolerance).
const SVM_EPOCHS: usize = 50;
const SVM_TOLERANCE: f64 = 0.1;
/// Margins are turned into probabilities by a softmax of this many times
/// the margin: a margin of 1 against -1 gives about 0.998.
const MARGIN_SCALE: f64 = 3.0;

/// A trained model.
pub struct Model {
    classes: Vec<Category>,
    priors: Vec<f32>,
    /// `weights[bucket * classes + c]`, quantised log P(feature | class).
    weights: Vec<i16>,
    linear: Linear,
}

/// The linear SVM: one weight vector per class over TF-IDF features.
struct Linear {
    /// Inverse document frequency per bucket, quantised by `IDF_SCALE`.
    idf: Vec<u16>,
    /// `weights[bucket * classes + c]`, quantised by `scale[c]`.
    weights: Vec<i16>,
    scale: Vec<f32>,
    bias: Vec<f32>,
}

const IDF_SCALE: f32 = 1000.0;

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
    features_and_length(title, text).0
}

/// `features`, and whether the text (the body) is short: fewer than
/// `SHORT_TEXT_WORDS` words.
fn features_and_length(title: &str, text: &str) -> (Vec<(usize, f32)>, bool) {
    let mut counts: crate::fnv::FastMap<usize, f32> = crate::fnv::FastMap::default();
    let mut short = true;
    for (is_body, weight, part) in [(false, 2.0f32, clean(title)), (true, 1.0, clean(text))] {
        let words: Vec<std::borrow::Cow<'_, str>> = part
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(crate::tokenize::lowercase)
            .take(600)
            .collect();
        if is_body {
            short = words.len() < SHORT_TEXT_WORDS;
        }
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
    (out, short)
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
        // Features once, for both models.
        let feats: Vec<Vec<(usize, f32)>> = examples.iter().map(|e| features(e.title, e.text)).collect();
        let labels: Vec<usize> = examples.iter().map(|e| classes.binary_search(&e.label).expect("listed")).collect();
        for (f, &c) in feats.iter().zip(&labels) {
            docs[c] += 1.0;
            for (f, v) in f {
                counts[f * k + c] += *v as f64;
                totals[c] += *v as f64;
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
        let linear = Linear::train(&feats, &labels, k);
        Model { classes, priors, weights, linear }
    }

    /// Probabilities per taxonomy category, best first (untrained ones 0).
    pub fn predict(&self, title: &str, text: &str) -> Vec<(Category, f32)> {
        let k = self.classes.len();
        let (feats, short) = features_and_length(title, text);
        let scores: Vec<f64> = if short {
            self.linear.margins(&feats, k).into_iter().map(|m| m * MARGIN_SCALE).collect()
        } else {
            let mut scores: Vec<f64> = self.priors.iter().map(|p| *p as f64).collect();
            for (f, v) in &feats {
                for (c, s) in scores.iter_mut().enumerate() {
                    *s += *v as f64 * self.weights[f * k + c] as f64 / SCALE as f64;
                }
            }
            scores
        };
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
        let l = &self.linear;
        for (scale, bias) in l.scale.iter().zip(&l.bias) {
            out.extend_from_slice(&scale.to_le_bytes());
            out.extend_from_slice(&bias.to_le_bytes());
        }
        for i in &l.idf {
            out.extend_from_slice(&i.to_le_bytes());
        }
        for w in &l.weights {
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
        let i16s = |pos: usize, n: usize| -> Option<Vec<i16>> {
            Some(b.get(pos..pos + n * 2)?.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect())
        };
        let weights = i16s(pos, BUCKETS * k)?;
        pos += BUCKETS * k * 2;
        let f32_at = |i: usize| b.get(i..i + 4).map(|s| f32::from_le_bytes(s.try_into().expect("4 bytes")));
        let (mut scale, mut bias) = (Vec::new(), Vec::new());
        for _ in 0..k {
            scale.push(f32_at(pos)?);
            bias.push(f32_at(pos + 4)?);
            pos += 8;
        }
        let idf = b.get(pos..pos + BUCKETS * 2)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        pos += BUCKETS * 2;
        let linear = Linear { idf, weights: i16s(pos, BUCKETS * k)?, scale, bias };
        if b.len() != pos + BUCKETS * k * 2 {
            return None;
        }
        Some(Model { classes, priors, weights, linear })
    }
}

impl Linear {
    /// TF-IDF features of a document, unit length.
    fn tfidf(feats: &[(usize, f32)], idf: impl Fn(usize) -> f32) -> Vec<(usize, f32)> {
        let mut x: Vec<(usize, f32)> = feats.iter().map(|(f, v)| (*f, v * idf(*f))).collect();
        let norm = x.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, v) in &mut x {
                *v /= norm;
            }
        }
        x
    }

    /// One L2-regularised, squared-hinge-loss SVM per class against the
    /// rest, trained by dual coordinate descent (Hsieh et al., ICML 2008,
    /// as liblinear does), with a bias feature of 1: over each example's
    /// `features` and class index, of `k` classes.
    fn train(feats: &[Vec<(usize, f32)>], labels: &[usize], k: usize) -> Linear {
        let mut df = vec![0u32; BUCKETS];
        for f in feats {
            for (b, _) in f {
                df[*b] += 1;
            }
        }
        let n = feats.len() as f32;
        // Smoothed as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1.
        let idf: Vec<u16> = df
            .iter()
            .map(|d| ((((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0) * IDF_SCALE).round().min(u16::MAX as f32) as u16)
            .collect();
        let xs: Vec<Vec<(usize, f32)>> = feats.iter().map(|f| Self::tfidf(f, |b| idf[b] as f32 / IDF_SCALE)).collect();
        // Q_ii = x_i . x_i + 1 (bias) + D, D = 1 / (2C) for the squared hinge.
        let d = 1.0 / (2.0 * SVM_C);
        let qii: Vec<f64> =
            xs.iter().map(|x| x.iter().map(|(_, v)| (*v as f64).powi(2)).sum::<f64>() + 1.0 + d).collect();
        let mut weights = vec![0i16; BUCKETS * k];
        let (mut scale, mut bias) = (vec![0f32; k], vec![0f32; k]);
        let mut order: Vec<usize> = (0..xs.len()).collect();
        for c in 0..k {
            let mut w = vec![0f64; BUCKETS];
            let mut b = 0f64;
            let mut alpha = vec![0f64; xs.len()];
            // A fixed pseudo-random visiting order (xorshift), reshuffled each pass.
            let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ c as u64;
            for _ in 0..SVM_EPOCHS {
                for i in (1..order.len()).rev() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    order.swap(i, (state % (i as u64 + 1)) as usize);
                }
                let mut max_violation = 0f64;
                for &i in &order {
                    let y = if labels[i] == c { 1.0 } else { -1.0 };
                    let wx: f64 = xs[i].iter().map(|(f, v)| w[*f] * *v as f64).sum::<f64>() + b;
                    let g = y * wx - 1.0 + d * alpha[i];
                    let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
                    max_violation = max_violation.max(pg.abs());
                    if pg != 0.0 {
                        let old = alpha[i];
                        alpha[i] = (alpha[i] - g / qii[i]).max(0.0);
                        let step = (alpha[i] - old) * y;
                        for (f, v) in &xs[i] {
                            w[*f] += step * *v as f64;
                        }
                        b += step;
                    }
                }
                if max_violation < SVM_TOLERANCE {
                    break;
                }
            }
            let max = w.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-12);
            scale[c] = (max / i16::MAX as f64) as f32;
            bias[c] = b as f32;
            for (bucket, v) in w.iter().enumerate() {
                weights[bucket * k + c] = (v / scale[c] as f64).round() as i16;
            }
        }
        Linear { idf, weights, scale, bias }
    }

    /// Each class's margin for a document's features.
    fn margins(&self, feats: &[(usize, f32)], k: usize) -> Vec<f64> {
        let x = Self::tfidf(feats, |b| self.idf[b] as f32 / IDF_SCALE);
        (0..k)
            .map(|c| {
                let dot: f64 = x.iter().map(|(f, v)| *v as f64 * self.weights[f * k + c] as f64).sum();
                dot * self.scale[c] as f64 + self.bias[c] as f64
            })
            .collect()
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
    fn short_text_goes_to_the_linear_model_and_long_text_to_naive_bayes() {
        let m = Model::from_bytes(&Model::train(&examples()).to_bytes()).unwrap();
        let long = "The team won the match with a late goal. ".repeat(20);
        assert!(!features_and_length("", &long).1 && features_and_length("", "a late goal").1);
        assert_eq!(m.predict("Cup final", &long)[0].0, Category::Sports);
        assert_eq!(m.predict("Cup final", "a late goal")[0].0, Category::Sports);
        let margins = m.linear.margins(&features("Shares rally", "investors cheered"), m.classes.len());
        let business = m.classes.iter().position(|c| *c == Category::Business).unwrap();
        assert!(margins[business] > 0.0, "{margins:?}");
    }

    #[test]
    fn garbage_is_not_a_model() {
        assert!(Model::from_bytes(b"nope").is_none());
    }
}
