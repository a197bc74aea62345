//! Index catch-up: bringing this node's search index in step with the
//! store, which is the source of truth.

use crate::{IndexDoc, IndexError, SearchIndex};
use std::sync::Arc;
use store::{Articles, SearchFeed, StoreError};

/// Why a catch-up stopped (it resumes from its last checkpoint next time).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Reading the store failed.
    #[error("reading the store for the search index: {0}")]
    Store(#[from] StoreError),
    /// Writing the index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The blocking index task panicked or was cancelled.
    #[error("the search index task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Articles read from the store per index commit.
const BATCH: usize = 2_000;

/// What one catch-up did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Articles added.
    pub added: usize,
    /// Articles removed.
    pub removed: usize,
}

/// How far behind the checkpoint each catch-up looks again. With
/// PostgreSQL, ids come from a sequence and are not committed in order: an
/// insert can commit after one with a larger id has been indexed. Looking
/// back over the last ids (cheaply, ids only) and indexing any the index
/// lacks catches those late commits.
const LOOK_BACK: i64 = 1_000;

/// Brings the index up to date with the store: new articles by id (looking
/// back over recent ids for late commits), then deletions from the store's
/// log. Safe to interrupt: each batch commits with its checkpoint, so the
/// next run continues where this one stopped. `progress` is called with the
/// number of articles added so far.
pub async fn sync<S: SearchFeed + Articles + ?Sized>(
    store: &S,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(usize),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let mut cursor = (index.indexed_through() - LOOK_BACK).max(0);
    loop {
        let ids = store.article_ids_after(cursor, BATCH).await?;
        let Some(&last) = ids.last() else { break };
        cursor = last;
        let through = index.indexed_through();
        let missing: Vec<i64> = ids.into_iter().filter(|&id| id > through || !index.contains(id)).collect();
        if missing.is_empty() {
            continue;
        }
        let batch = store.articles_by_ids(&missing).await?;
        let docs: Vec<IndexDoc> = batch.iter().map(IndexDoc::from).collect();
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.add(&docs, last)).await??;
        report.added += batch.len();
        progress(report.added);
    }
    loop {
        let at = index.checkpoint().deletions;
        let d = store.deletions_after(at, BATCH).await?;
        if d.ids.is_empty() {
            break;
        }
        let idx = index.clone();
        let n = d.ids.len();
        tokio::task::spawn_blocking(move || idx.remove(&d.ids, d.through)).await??;
        report.removed += n;
    }
    Ok(report)
}
