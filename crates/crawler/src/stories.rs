//! Story assignment for batches of freshly enriched articles, and the
//! memory of recent articles' features that keeps it cheap.
//!
//! A batch is matched in two phases. Outside any lock: its features are
//! built, its candidates found through the store's tag index, and the best
//! stored candidate of each article scored. Under the process-wide
//! assignment lock: each article is also compared with what other batches
//! completed meanwhile and with the batch's earlier articles, and the
//! batch's enrichment is stored in one transaction. Only the second phase
//! is serial, so several batches are prepared at once.

use crate::{RECENT_CANDIDATES, STORY_CANDIDATES};
use enrich::StoryDoc;
use model::{Article, TagKind};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use store::prelude::*;
use store::{CandidateQuery, Enrichment, StoreError, Stored, StoryAssignment};

/// Features kept for this many recent articles: a candidate found again
/// is not read and tokenised again.
const CACHE_ARTICLES: usize = 20_000;
/// Articles this process stored lately, compared with batches prepared
/// while they were stored.
const LOG_ARTICLES: usize = 4_096;

/// Matches enriched articles to stories and stores their enrichment.
#[derive(Default)]
pub struct StoryMatcher {
    state: Mutex<State>,
    /// Assignment and insertion of one batch must see every batch stored
    /// before it.
    assign: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    docs: HashMap<i64, Arc<StoryDoc>>,
    log: VecDeque<Logged>,
    /// Sequence number of the next batch stored.
    next_seq: u64,
}

/// An article this process put in a story.
struct Logged {
    seq: u64,
    story_id: i64,
    doc: Arc<StoryDoc>,
}

impl StoryMatcher {
    /// A matcher with an empty memory.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Assigns each article of the batch, with its enrichment, to a story
    /// and stores the batch's enrichment in one transaction. Each result is
    /// where the article went, or `None` for an article another worker
    /// enriched first (or that is gone).
    pub async fn complete(
        &self,
        store: &dyn Store,
        batch: Vec<(Article, Enrichment)>,
    ) -> Result<Vec<Option<Stored>>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let seq0 = self.state().next_seq;
        let docs = features(&batch).await?;
        let (best_stored, _) = self.best_stored(store, &batch, &docs).await?;

        let _serial = self.assign.lock().await;
        let meanwhile: Vec<(i64, Arc<StoryDoc>)> = {
            let state = self.state();
            state.log.iter().filter(|l| l.seq >= seq0).map(|l| (l.story_id, l.doc.clone())).collect()
        };
        let plan = decide(&docs, &best_stored, &meanwhile);
        for &(into, from) in &plan.merges {
            // A merge only tidies: if it fails (another worker merging the
            // same stories), the batch is stored all the same.
            if let Err(e) = store.merge_stories(into, &[from]).await {
                tracing::warn!(into, from, error = %e, "stories not merged");
            }
        }
        let stored =
            store.complete_enrichment(batch.into_iter().map(|(_, e)| e).zip(plan.assignments).collect()).await?;

        let mut state = self.state();
        for &(into, from) in &plan.merges {
            for l in state.log.iter_mut().filter(|l| l.story_id == from) {
                l.story_id = into;
            }
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        for (s, doc) in stored.iter().zip(docs) {
            if let Some(Stored { id, story_id: Some(story_id) }) = *s {
                state.docs.insert(id, doc.clone());
                state.log.push_back(Logged { seq, story_id, doc });
            }
        }
        while state.log.len() > LOG_ARTICLES {
            state.log.pop_front();
        }
        if state.docs.len() > CACHE_ARTICLES {
            // Keep the newer half: ids grow with time.
            let mut ids: Vec<i64> = state.docs.keys().copied().collect();
            let mid = ids.len() / 2;
            let (_, cut, _) = ids.select_nth_unstable(mid);
            let cut = *cut;
            state.docs.retain(|id, _| *id >= cut);
        }
        Ok(stored)
    }

    /// The first phase of [`StoryMatcher::complete`] alone, storing
    /// nothing: for each article, the stored story it would join (if any)
    /// and how many candidates the store's tag index returned for it.
    /// `tagline bench cluster` times this, so the benchmark measures the
    /// path production runs.
    pub async fn best_stories(
        &self,
        store: &dyn Store,
        batch: &[(Article, Enrichment)],
    ) -> Result<Vec<(Option<i64>, usize)>, StoreError> {
        let docs = features(batch).await?;
        let (best, candidates) = self.best_stored(store, batch, &docs).await?;
        Ok(best.into_iter().map(|m| m.first().map(|b| b.1)).zip(candidates).collect())
    }

    /// For each article, the stored candidates' stories it reaches the
    /// threshold with: (similarity, story), best first, one per story; and
    /// how many candidates each had.
    async fn best_stored(
        &self,
        store: &dyn Store,
        batch: &[(Article, Enrichment)],
        docs: &[Arc<StoryDoc>],
    ) -> Result<(Vec<Vec<(f32, i64)>>, Vec<usize>), StoreError> {
        let window = chrono::Duration::hours(enrich::story::WINDOW_HOURS);
        let queries = batch
            .iter()
            .map(|(a, e)| CandidateQuery {
                entity_keys: entities(&e.tags).map(|t| t.name.key()).collect(),
                from: a.published - window,
                to: a.published + window,
            })
            .collect();
        let refs = store.story_candidate_refs(queries, STORY_CANDIDATES, RECENT_CANDIDATES).await?;
        let counts: Vec<usize> = refs.iter().map(Vec::len).collect();
        let mut missing: Vec<i64> = {
            let state = self.state();
            refs.iter().flatten().map(|r| r.id).filter(|id| !state.docs.contains_key(id)).collect()
        };
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let read = store.story_candidates_by_ids(&missing).await?;
            let built = blocking(move || {
                read.into_iter()
                    .map(|c| (c.id, Arc::new(StoryDoc::new(&c.title, &c.lead, &c.entities, c.published))))
                    .collect::<Vec<_>>()
            })
            .await?;
            self.state().docs.extend(built);
        }
        let candidates: Vec<Vec<(i64, Arc<StoryDoc>)>> = {
            let state = self.state();
            refs.iter()
                .map(|rs| rs.iter().filter_map(|r| Some((r.story_id?, state.docs.get(&r.id)?.clone()))).collect())
                .collect()
        };
        let docs = docs.to_vec();
        let best = blocking(move || {
            docs.iter()
                .zip(&candidates)
                .map(|(doc, cands)| matches_of(doc, cands.iter().map(|(story, d)| (*story, d.as_ref()))))
                .collect()
        })
        .await?;
        Ok((best, counts))
    }
}

/// The entity tags among these.
fn entities(tags: &[model::Tag]) -> impl Iterator<Item = &model::Tag> {
    tags.iter().filter(|t| t.kind == TagKind::Entity)
}

/// Story-matching features of an article, from the lead the store
/// keeps for it (`store::LEAD_CHARS`), so that it compares the same before
/// and after it is stored.
pub(crate) fn new_doc(
    title: &str,
    text: &str,
    tags: &[model::Tag],
    published: chrono::DateTime<chrono::Utc>,
) -> StoryDoc {
    let names: Vec<String> = entities(tags).map(|t| t.name.to_string()).collect();
    StoryDoc::new(title, &lead(text), &names, published)
}

/// The opening of an article's text that story matching reads.
fn lead(text: &str) -> String {
    text.chars().take(store::LEAD_CHARS).collect()
}

/// Story-matching features of each article of the batch.
async fn features(batch: &[(Article, Enrichment)]) -> Result<Vec<Arc<StoryDoc>>, StoreError> {
    let parts: Vec<(String, String, Vec<model::Tag>, chrono::DateTime<chrono::Utc>)> =
        batch.iter().map(|(a, e)| (a.title.clone(), lead(&a.text), e.tags.clone(), a.published)).collect();
    blocking(move || parts.iter().map(|(t, x, g, p)| Arc::new(new_doc(t, x, g, *p))).collect()).await
}

/// Runs CPU work off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    crate::cpu(f).await.ok_or(StoreError::WorkerGone)
}

/// The stories of `candidates` (story, features) that `doc` reaches the
/// threshold with: (similarity, story), best first, one entry per story.
/// A story is scored by the centroid of its candidates.
pub(crate) fn matches_of<'a>(doc: &StoryDoc, candidates: impl Iterator<Item = (i64, &'a StoryDoc)>) -> Vec<(f32, i64)> {
    let mut stories: Vec<(i64, enrich::Centroid)> = Vec::new();
    for (story, other) in candidates {
        match stories.iter_mut().find(|(s, _)| *s == story) {
            Some((_, c)) => c.add(other),
            None => stories.push((story, enrich::Centroid::of([other]))),
        }
    }
    best_per_story(
        stories
            .iter()
            .map(|(story, c)| (c.similarity(doc), *story))
            .filter(|(sim, _)| *sim >= enrich::story::THRESHOLD),
    )
}

/// (similarity, story) pairs reduced to each story's best, best first.
fn best_per_story(matches: impl Iterator<Item = (f32, i64)>) -> Vec<(f32, i64)> {
    let mut out: Vec<(f32, i64)> = Vec::new();
    for (sim, story) in matches {
        match out.iter_mut().find(|(_, s)| *s == story) {
            Some(m) => m.0 = m.0.max(sim),
            None => out.push((sim, story)),
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out
}

/// What a batch's articles join, and which stored stories merge: (into,
/// from) pairs, when an article is at least `MERGE_THRESHOLD` similar to
/// reports of two stories.
#[derive(Debug)]
struct Plan {
    assignments: Vec<StoryAssignment>,
    merges: Vec<(i64, i64)>,
}

/// The assignment of each article: the best of its stored candidates, the
/// articles stored meanwhile by other batches, and the batch's earlier
/// articles; and the merges of stored stories the batch shows to be one.
fn decide(docs: &[Arc<StoryDoc>], stored: &[Vec<(f32, i64)>], meanwhile: &[(i64, Arc<StoryDoc>)]) -> Plan {
    let mut plan = Plan { assignments: Vec::with_capacity(docs.len()), merges: Vec::new() };
    // Stories merged so far by this batch: from -> into.
    let mut merged: HashMap<i64, i64> = HashMap::new();
    let resolve = |merged: &HashMap<i64, i64>, mut s: i64| {
        while let Some(&into) = merged.get(&s) {
            s = into;
        }
        s
    };
    for (i, doc) in docs.iter().enumerate() {
        // As the store's candidate query: the newest few, and any sharing an
        // entity.
        let newest = meanwhile.len().saturating_sub(RECENT_CANDIDATES);
        let recent = matches_of(
            doc,
            meanwhile
                .iter()
                .enumerate()
                .filter(|(k, (_, d))| *k >= newest || doc.shares_entity(d))
                .map(|(_, (story, d))| (*story, d.as_ref())),
        );
        let known = best_per_story(stored[i].iter().chain(&recent).map(|&(sim, story)| (sim, resolve(&merged, story))));
        // The stories this article is close enough to merge: into the
        // oldest (smallest id), so that repeated merges converge and the
        // smaller, newer stories are the ones whose articles move.
        let close: Vec<i64> = known
            .iter()
            .enumerate()
            .filter(|(k, (sim, _))| *k == 0 || *sim >= enrich::story::MERGE_THRESHOLD)
            .map(|(_, (_, story))| *story)
            .collect();
        if let Some(&into) = close.iter().min().filter(|_| close.len() > 1) {
            for &from in close.iter().filter(|s| **s != into) {
                merged.insert(from, into);
                plan.merges.push((into, from));
            }
        }
        let mut best = known.first().map(|&(sim, story)| (sim, StoryAssignment::Join(resolve(&merged, story))));
        for (j, earlier) in docs[..i].iter().enumerate() {
            let sim = enrich::similarity(doc, earlier);
            if sim >= enrich::story::THRESHOLD && best.is_none_or(|(b, _)| sim > b) {
                let joins = match plan.assignments[j] {
                    StoryAssignment::New => StoryAssignment::WithBatch(j),
                    StoryAssignment::Join(s) => StoryAssignment::Join(resolve(&merged, s)),
                    other => other,
                };
                best = Some((sim, joins));
            }
        }
        plan.assignments.push(best.map_or(StoryAssignment::New, |(_, a)| a));
    }
    // An earlier article may have joined a story merged since.
    for a in &mut plan.assignments {
        if let StoryAssignment::Join(s) = a {
            *s = resolve(&merged, *s);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn doc(title: &str) -> Arc<StoryDoc> {
        Arc::new(StoryDoc::new(title, title, &[], Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()))
    }

    #[test]
    fn a_batch_article_like_an_earlier_one_joins_its_story_through_the_batch() {
        let docs = [doc("quake hits coastal city"), doc("floods in the north"), doc("quake hits coastal city again")];
        let plan = decide(&docs, &[vec![], vec![], vec![]], &[]);
        assert_eq!(plan.assignments, vec![StoryAssignment::New, StoryAssignment::New, StoryAssignment::WithBatch(0)]);
    }

    #[test]
    fn a_batch_article_follows_an_earlier_one_into_a_stored_story() {
        let docs = [doc("quake hits coastal city"), doc("quake hits coastal city again")];
        let plan = decide(&docs, &[vec![(0.9, 7)], vec![]], &[]);
        assert_eq!(plan.assignments, vec![StoryAssignment::Join(7), StoryAssignment::Join(7)]);
    }

    #[test]
    fn an_article_stored_meanwhile_by_another_batch_is_a_candidate() {
        let docs = [doc("quake hits coastal city")];
        let plan = decide(&docs, &[vec![]], &[(42, doc("quake hits coastal city"))]);
        assert_eq!(plan.assignments, vec![StoryAssignment::Join(42)]);
    }

    #[test]
    fn an_article_close_to_two_stories_merges_them_into_the_older() {
        let docs = [doc("quake hits coastal city"), doc("quake hits coastal city again")];
        // The first article is close to stories 9 and 7, and only loosely to 11.
        let plan = decide(&docs, &[vec![(0.9, 9), (0.6, 7), (0.3, 11)], vec![(0.8, 9)]], &[]);
        // Into the older story, 7.
        assert_eq!(plan.merges, vec![(7, 9)]);
        // The second one's match, story 9, is now story 7.
        assert_eq!(plan.assignments, vec![StoryAssignment::Join(7), StoryAssignment::Join(7)]);
    }
}
