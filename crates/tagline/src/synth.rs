//! `tagline synth`: a deterministic synthetic corpus for scale benchmarks
//! (search and topic pages at 1M articles), written straight into the store.
//!
//! Words follow a Zipf distribution over a generated vocabulary plus real
//! place names, so that posting lists have the skew of real news text.

use crate::app::{progress_bar, App};
use anyhow::Result;
use chrono::{Duration, Utc};
use model::{Category, FeedUrl, NewArticle, NewSource, Tag, TagKind, TagName};
use std::sync::Arc;
use store::prelude::*;
use store::StoryAssignment;

/// splitmix64: tiny, fast and deterministic; quality is ample for this.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Places that also become entity tags.
pub const PLACES: &[&str] = &[
    "Kazakhstan",
    "China",
    "Uzbekistan",
    "Russia",
    "India",
    "Brazil",
    "Nigeria",
    "Kenya",
    "Germany",
    "France",
    "Japan",
    "Indonesia",
    "Mexico",
    "Canada",
    "Australia",
    "Egypt",
    "Turkey",
    "Iran",
    "Pakistan",
    "Vietnam",
    "Malaysia",
    "Argentina",
    "Chile",
    "Peru",
    "Poland",
    "Ukraine",
    "Spain",
    "Italy",
    "Sweden",
    "Norway",
    "Ghana",
    "Ethiopia",
];

/// A vocabulary of pronounceable pseudo-words, most frequent first.
pub struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// `size` words with Zipf weights (exponent 1.05).
    pub fn new(size: usize, rng: &mut Rng) -> Self {
        const ONSETS: &[&str] = &[
            "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "st", "tr", "pl", "gr", "br", "ch", "sh",
        ];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou"];
        const CODAS: &[&str] = &["", "n", "r", "s", "t", "l", "nd", "st", "m", "ck"];
        let mut seen = std::collections::HashSet::new();
        let mut words = Vec::with_capacity(size);
        while words.len() < size {
            let syllables = 1 + rng.below(3);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(ONSETS[rng.below(ONSETS.len())]);
                w.push_str(VOWELS[rng.below(VOWELS.len())]);
                w.push_str(CODAS[rng.below(CODAS.len())]);
            }
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=size)
            .map(|r| {
                total += 1.0 / (r as f64).powf(1.05);
                total
            })
            .collect::<Vec<_>>();
        let cumulative = cumulative.into_iter().map(|c| c / total).collect();
        Self { words, cumulative }
    }

    /// A word drawn by frequency.
    pub fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cumulative.partition_point(|&c| c < u).min(self.words.len() - 1);
        &self.words[i]
    }

    /// The word of a given frequency rank.
    pub fn rank(&self, i: usize) -> &str {
        &self.words[i.min(self.words.len() - 1)]
    }
}

/// The vocabulary and seed every synth run and the benchmarks share.
pub fn standard() -> (Vocabulary, Rng) {
    let mut rng = Rng::new(0x7A61_6E65);
    (Vocabulary::new(50_000, &mut rng), rng)
}

fn sentence(v: &Vocabulary, rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        if rng.below(25) == 0 {
            s.push_str(PLACES[rng.below(PLACES.len())]);
        } else {
            s.push_str(v.word(rng));
        }
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => s,
    }
}

/// Writes `n` synthetic articles from 50 sources in 10 regions, published
/// over the year before `now`. Returns how many were stored.
pub async fn run(
    store: &Arc<dyn Store>,
    n: usize,
    now: chrono::DateTime<Utc>,
    progress: impl Fn(usize),
) -> Result<usize> {
    let (vocab, mut rng) = standard();
    const REGIONS: &[&str] = &["MY", "ZA", "GB", "US", "IN", "KE", "DE", "BR", "JP", "AU"];
    let mut sources = Vec::new();
    for i in 0..50 {
        let (s, _) = store
            .add_source(NewSource {
                name: format!("Synthetic Outlet {i}"),
                home_url: None,
                feed_url: FeedUrl::parse(&format!("https://outlet{i}.synthetic.invalid/feed.xml"))?,
                region: Some(REGIONS[i % REGIONS.len()].to_string()),
                lang: Some("en".into()),
                fetch_pages: false,
                trusted_hosts: vec![],
            })
            .await?;
        sources.push(s.id);
    }
    let span = 365 * 86_400;
    let start = now - Duration::seconds(span);
    let existing = store.counts().await?.articles as usize;
    let mut stored = 0;
    for k in existing..n {
        // Articles arrive in time order, as a crawler would store them.
        let published = start + Duration::seconds((k as i64 * span) / n.max(1) as i64);
        let place_a = PLACES[rng.below(PLACES.len())];
        let place_b = PLACES[rng.below(PLACES.len())];
        let title_words = 8 + rng.below(6);
        let title = sentence(&vocab, &mut rng, title_words);
        let mut paragraphs: Vec<String> = Vec::with_capacity(4);
        for _ in 0..4 {
            let mut p = Vec::with_capacity(3);
            for _ in 0..3 {
                let words = 12 + rng.below(8);
                p.push(sentence(&vocab, &mut rng, words));
            }
            paragraphs.push(p.join(" "));
        }
        let text = paragraphs.join("\n\n");
        let mut tags = vec![
            Tag { name: TagName::parse(place_a)?, kind: TagKind::Entity, score: 1.0 },
            Tag {
                name: TagName::parse(&format!(
                    "{} {}",
                    vocab.rank(20 + rng.below(2000)),
                    vocab.rank(20 + rng.below(2000))
                ))?,
                kind: TagKind::KeyPhrase,
                score: 0.5,
            },
        ];
        if place_a != place_b {
            tags.push(Tag { name: TagName::parse(place_b)?, kind: TagKind::Entity, score: 0.8 });
            if rng.below(10) == 0 {
                tags.push(Tag {
                    name: TagName::parse(&format!("{place_a}-{place_b}"))?,
                    kind: TagKind::Relationship,
                    score: 0.9,
                });
            }
        }
        let article = NewArticle {
            source_id: sources[rng.below(sources.len())],
            url: format!("https://synthetic.invalid/a/{k}"),
            guid: format!("synthetic-{k}"),
            excerpt: paragraphs[0].chars().take(300).collect(),
            title,
            author: None,
            published,
            updated: None,
            lang: Some("en".into()),
            category: Some(Category::ALL[rng.below(Category::ALL.len())]),
            tags,
            html: String::new(),
            text,
            image: None,
            image_data: None,
            fetched: published,
        };
        if store.insert_article(article, StoryAssignment::New).await?.is_some() {
            stored += 1;
        }
        if k % 1000 == 0 {
            progress(k);
        }
    }
    progress(n);
    Ok(stored)
}

/// Benchmark queries: one to three words of middling frequency, a share of
/// phrases, places and filters, as readers type them.
pub fn queries(count: usize) -> Vec<index::SearchQuery> {
    let (vocab, _) = standard();
    let mut rng = Rng::new(42);
    (0..count)
        .map(|i| {
            let words = 1 + rng.below(3);
            let mut q: Vec<String> = (0..words).map(|_| vocab.rank(50 + rng.below(5000)).to_string()).collect();
            if i % 5 == 0 {
                q[0] = PLACES[rng.below(PLACES.len())].to_string();
            }
            let mut q = q.join(" ");
            if i % 7 == 0 && words > 1 {
                q = format!("\"{q}\"");
            }
            index::SearchQuery {
                q,
                category: (i % 4 == 0).then(|| Category::ALL[rng.below(Category::ALL.len())].slug().to_string()),
                limit: 20,
                ..Default::default()
            }
        })
        .collect()
}

pub(crate) async fn synth_cmd(app: &App, articles: usize) -> Result<()> {
    let bar = progress_bar(articles as u64, "writing");
    let started = std::time::Instant::now();
    let stored = run(&app.store, articles, app.clock.now(), |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("stored {stored} synthetic articles in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
