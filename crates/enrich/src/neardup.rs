//! Near-duplicates: syndicated copies of one report with small edits (a
//! reworded headline, trimmed paragraphs, a publisher's boilerplate), found
//! with MinHash over word shingles.
//!
//! Jaccard similarity punishes a trimmed copy for what it lacks; what marks
//! a copy is that nearly all of the shorter text is inside the longer one.
//! So the fingerprints estimate Jaccard, and with the shingle counts that
//! gives the containment of the smaller set in the larger.

/// Words per shingle.
const SHINGLE: usize = 4;
/// Hash functions (minimums) per fingerprint.
pub const PERMUTATIONS: usize = 256;

/// Texts whose estimated containment reaches this are near-duplicates.
///
/// Chosen on the near-duplicate set built by `bench/neardup.py` (edited
/// copies of ECB+ and BBC articles against every other article, including
/// other outlets' reports of the same event): at 0.75 precision is 1.000
/// and recall 0.973; at 0.6 two pairs that are not copies match.
/// See docs/benchmarks.md.
pub const THRESHOLD: f32 = 0.75;

/// A text's MinHash fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    mins: Vec<u32>,
    shingles: u32,
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash_words(words: &[&str]) -> u64 {
    // FNV-1a over the words with a separator: stable across runs and builds.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(b' ')) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

impl Fingerprint {
    /// The fingerprint of a text (case and punctuation ignored).
    pub fn new(text: &str) -> Self {
        let lower = text.to_lowercase();
        let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let mut shingles: Vec<u64> = if words.len() < SHINGLE {
            if words.is_empty() {
                Vec::new()
            } else {
                vec![hash_words(&words)]
            }
        } else {
            words.windows(SHINGLE).map(hash_words).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        let mut mins = vec![u32::MAX; PERMUTATIONS];
        for &s in &shingles {
            for (i, m) in mins.iter_mut().enumerate() {
                let h = (mix(s ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 32) as u32;
                if h < *m {
                    *m = h;
                }
            }
        }
        Self { mins, shingles: shingles.len() as u32 }
    }

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Self) -> f32 {
        if self.shingles == 0 || other.shingles == 0 {
            return 0.0;
        }
        let equal = self.mins.iter().zip(&other.mins).filter(|(a, b)| a == b).count();
        equal as f32 / PERMUTATIONS as f32
    }

    /// Estimated share of the smaller text's shingles found in the larger.
    pub fn containment(&self, other: &Self) -> f32 {
        let j = self.jaccard(other);
        let (a, b) = (self.shingles as f32, other.shingles as f32);
        if j == 0.0 || a == 0.0 || b == 0.0 {
            return 0.0;
        }
        let inter = j * (a + b) / (1.0 + j);
        (inter / a.min(b)).min(1.0)
    }

    /// Whether the two texts are near-duplicates.
    pub fn is_near_duplicate(&self, other: &Self) -> bool {
        // Very short texts (a headline) say too little to call a copy.
        self.shingles.min(other.shingles) >= 8 && self.containment(other) >= THRESHOLD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Leaders of China and five Central Asian states met in Astana on Tuesday \
        and signed agreements on trade, energy and critical minerals. The summit, the second of its \
        kind, ended with a joint declaration on transport corridors. Officials said rail freight \
        between the regions grew by a fifth last year, and that new pipelines are planned. \
        Analysts said the meeting showed Beijing's growing weight in the region.";

    #[test]
    fn a_copy_with_boilerplate_added_is_a_near_duplicate() {
        let copy = format!("{REPORT}\nAdvertisement\nSign up for our newsletter to get the day's top stories.");
        assert!(Fingerprint::new(REPORT).is_near_duplicate(&Fingerprint::new(&copy)));
    }

    #[test]
    fn a_trimmed_copy_is_a_near_duplicate() {
        let trimmed = REPORT.rsplit_once(" Analysts").unwrap().0;
        assert!(Fingerprint::new(REPORT).is_near_duplicate(&Fingerprint::new(trimmed)));
    }

    #[test]
    fn another_report_of_the_same_event_is_not() {
        let other = "Central Asian presidents and China's leader gathered in Kazakhstan's capital for \
            a summit focused on minerals, energy and transport. A joint statement promised more rail \
            links. Observers noted China's expanding influence across the region, where Russia has \
            long been dominant.";
        assert!(!Fingerprint::new(REPORT).is_near_duplicate(&Fingerprint::new(other)));
    }

    #[test]
    fn fingerprints_are_stable_and_case_blind() {
        assert_eq!(Fingerprint::new(REPORT), Fingerprint::new(&REPORT.to_uppercase()));
        assert_eq!(Fingerprint::new("").containment(&Fingerprint::new(REPORT)), 0.0);
    }
}
