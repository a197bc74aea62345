//! The enrichment stage: claim stored articles awaiting it, enrich them
//! on the CPU pool, match them to stories and store that.

use super::*;

impl Crawler {
    /// Runs the enrichment stage if configured: how many articles it
    /// completed, and why it stopped early if it did.
    pub(crate) async fn enrich_after_crawl(&self) -> (usize, Option<String>) {
        if !self.config.enrich {
            return (0, None);
        }
        match self.enrich_pending(|_| {}).await {
            Ok(n) => (n, None),
            Err(e) => {
                tracing::error!(error = %e, "enrichment stopped; the rest waits in the queue");
                (0, Some(e.to_string()))
            }
        }
    }

    /// The enrichment stage: claims stored articles awaiting enrichment,
    /// oldest first, enriches them on the CPU pool, assigns their stories
    /// and stores that, until the queue is empty (or holds only other
    /// workers' claims). Calls `progress` with the running total after each
    /// batch. Returns how many articles it completed.
    pub async fn enrich_pending(&self, progress: impl Fn(usize)) -> Result<usize, store::StoreError> {
        let rules = Arc::new(self.store.tag_rules().await?);
        let lease = Duration::seconds(ENRICH_LEASE_SECS);
        // Claims are taken one after another; while one batch is stored,
        // the next is enriched.
        let claims = stream::unfold(false, |done| async move {
            if done {
                return None;
            }
            match self.store.claim_pending(self.clock.now(), lease, FEED_BATCH).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => Some((Ok(batch), false)),
                Err(e) => Some((Err(e), true)),
            }
        });
        let mut enriched = claims
            .map(|claimed| {
                let rules = rules.clone();
                async move {
                    let batch = claimed?;
                    let work = cpu(move || {
                        use rayon::prelude::*;
                        batch
                            .into_par_iter()
                            .map(|a| {
                                let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    pipeline::enrich_article(&a, &rules)
                                }))
                                .unwrap_or_else(|_| {
                                    tracing::error!(article = a.id, url = %a.url, "enrichment failed; stored without it");
                                    pipeline::unenriched(&a)
                                });
                                (a, e)
                            })
                            .collect::<Vec<_>>()
                    });
                    work.await.ok_or(store::StoreError::WorkerGone)
                }
            })
            .buffered(ENRICH_AHEAD)
            // A batch's story matching reads candidates while the one
            // before it is written.
            .map(|batch| async move { self.stories.complete(self.store.as_ref(), batch?).await })
            .buffered(2)
            .boxed();
        let mut total = 0;
        while let Some(done) = enriched.next().await {
            total += done?.iter().flatten().count();
            progress(total);
        }
        Ok(total)
    }
}

/// Batches enriched ahead of the one being stored, to keep both cores busy
/// while the single writer stores.
pub(crate) const ENRICH_AHEAD: usize = 4;

/// Seconds an enrichment claim lasts: far longer than a batch takes, short
/// enough that a killed process's claims come back soon.
pub(crate) const ENRICH_LEASE_SECS: i64 = 60;

/// Adds to `tags` the tags of the operator's rules that match an article
/// of `source_id` with this title and text. A rule's tag outranks the
/// derived ones: the operator asked for it.
pub fn apply_tag_rules(source_id: i64, title: &str, text: &str, tags: &mut Vec<model::Tag>, rules: &[model::TagRule]) {
    for rule in rules {
        if rule.matches(source_id, title, text) && !tags.iter().any(|t| t.name.key() == rule.tag.key()) {
            tags.insert(0, model::Tag { name: rule.tag.clone(), kind: model::TagKind::Rule, score: 1.0 });
        }
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn issue_5_operator_rules_add_their_tag_first_and_only_once() {
        let rules = vec![
            model::TagRule {
                id: 1,
                tag: model::TagName::parse("CriticalMinerals").unwrap(),
                keywords: vec!["lithium".into()],
                source_id: None,
            },
            model::TagRule {
                id: 2,
                tag: model::TagName::parse("Local").unwrap(),
                keywords: vec![],
                source_id: Some(7),
            },
        ];
        let mut tags = Vec::new();
        apply_tag_rules(7, "Title", "Lithium exports rose.", &mut tags, &rules);
        apply_tag_rules(7, "Title", "Lithium exports rose.", &mut tags, &rules);
        let names: Vec<String> = tags.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, ["Local", "CriticalMinerals"]);
        assert!(tags.iter().all(|t| t.kind == model::TagKind::Rule));
        let mut none = Vec::new();
        apply_tag_rules(8, "Title", "Nothing relevant.", &mut none, &rules);
        assert!(none.is_empty());
    }
}
