//! The bounds on untrusted XML: depth, nodes, attributes, input size, entity expansion, and the errors kept.

use super::*;

/// Why a document was refused rather than recovered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// Internal entities expanded to more than [`ENTITY_BUDGET`] bytes (the
    /// "billion laughs" pattern).
    #[error("entity expansion exceeds {ENTITY_BUDGET} bytes; the document is refused")]
    EntityExpansion,
    /// The document is larger than [`MAX_INPUT`].
    #[error("the document is {0} bytes, more than the {MAX_INPUT} accepted")]
    TooLarge(usize),
}

/// Elements nested deeper than this are flattened into the element at this
/// depth: their start and end tags are dropped, their content kept. libxml2
/// stops at the same depth. Every walk of the tree (text, serialisation,
/// `Drop`) therefore recurses at most this deep.
pub const MAX_DEPTH: usize = 256;

/// Elements, attributes and text nodes a document may build. Past it the
/// rest of the document is not read (as a truncated download is not), so a
/// tree never costs more than about 64 MB, whatever the input. The largest
/// real feeds in the test corpora build under 60,000.
pub const MAX_NODES: usize = 500_000;

/// Attributes kept per element; the rest are dropped and reported.
pub const MAX_ATTRS: usize = 256;

/// Bytes that expanding internal (DTD-declared) entities may produce over a
/// whole document. expat refuses amplification past 100x once 8 MiB have
/// been produced; a feed has no legitimate use for either, so the budget is
/// a flat 8 MiB and the document is refused when it runs out.
pub const ENTITY_BUDGET: usize = 8 * 1024 * 1024;

/// Documents larger than this are refused before reading (the fetcher's
/// body limit is 10 MiB).
pub const MAX_INPUT: usize = 32 * 1024 * 1024;

/// Problems kept per document; one more line counts the rest.
pub const MAX_ERRORS: usize = 64;

/// The problems found in a document: the first [`MAX_ERRORS`], then a count.
#[derive(Default)]
pub(crate) struct Errors {
    pub(crate) kept: Vec<String>,
    pub(crate) more: usize,
}

impl Errors {
    pub(crate) fn push(&mut self, e: impl Into<String>) {
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(e.into());
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn into_vec(mut self) -> Vec<String> {
        if self.more > 0 {
            self.kept.push(format!("... and {} more problems", self.more));
        }
        self.kept
    }
}

/// Entities declared in the document's internal subset, and what expanding
/// them has cost so far.
#[derive(Default)]
pub struct Entities {
    pub(crate) declared: HashMap<String, String>,
    pub(crate) expanded: usize,
    pub(crate) exhausted: bool,
}

impl Entities {
    /// The replacement text of a declared entity, charged to the budget;
    /// `None` when undeclared or when the budget is spent.
    pub(crate) fn expand(&mut self, name: &str) -> Option<String> {
        let v = self.declared.get(name)?;
        self.expanded += v.len();
        if self.expanded > ENTITY_BUDGET {
            self.exhausted = true;
            return Some(String::new());
        }
        Some(v.clone())
    }
}
