//! Full-text search over articles: a tantivy index on disk, derived from the
//! store and rebuildable from it at any time.
//!
//! The index records, in its commit payload, the highest article id it holds.
//! Catching up after a crash or on a new web node is therefore "index every
//! article with a larger id", and the store stays the only source of truth.

mod sync;
mod tokenize;

pub use sync::{sync, SyncError, SyncReport};
pub use tokenize::{is_unspaced, tokens};

use chrono::{DateTime, Utc};
use model::Article;
use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The name the tokenizer is registered under.
pub const TOKENIZER: &str = "tagline";

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// tantivy reported an error (I/O, corrupt segment, bad schema).
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index directory could not be created or opened.
    #[error("cannot open the search index at {path}: {message}")]
    Open {
        /// Where.
        path: String,
        /// Why.
        message: String,
    },
    /// Another process holds the index's writer lock.
    #[error("another Tagline process is writing the search index at {0}")]
    Busy(String),
}

/// Shorthand for index results.
pub type Result<T> = std::result::Result<T, IndexError>;

/// One article as the index holds it.
#[derive(Clone, Debug)]
pub struct IndexDoc {
    /// Article id in the store.
    pub id: i64,
    /// Headline.
    pub title: String,
    /// Plain text.
    pub text: String,
    /// Tag keys (lower case).
    pub tags: Vec<String>,
    /// Category slug.
    pub category: Option<String>,
    /// Source slug.
    pub source: String,
    /// The source's region (upper case), for editions.
    pub region: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
}

impl From<&Article> for IndexDoc {
    fn from(a: &Article) -> Self {
        Self {
            id: a.id,
            title: a.title.clone(),
            text: a.text.clone(),
            tags: a.tags.iter().map(|t| t.name.key()).collect(),
            category: a.category.map(|c| c.slug().to_string()),
            source: a.source.slug.clone(),
            region: a.source.region.as_ref().map(|r| r.to_uppercase()),
            published: a.published,
        }
    }
}

/// How far an index has followed the store: the highest article id and the
/// position in the deletion log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// Highest article id indexed.
    pub articles: i64,
    /// Last deletion-log position applied.
    pub deletions: i64,
}

/// A search with its filters.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// The reader's words; `"quoted words"` are phrases, `-word` excludes.
    pub q: String,
    /// Only articles with this tag key.
    pub tag: Option<String>,
    /// Only this category slug.
    pub category: Option<String>,
    /// Only this source slug.
    pub source: Option<String>,
    /// Only sources of this region.
    pub region: Option<String>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Results to skip.
    pub offset: usize,
    /// Results to return.
    pub limit: usize,
}

/// One result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Article id.
    pub id: i64,
    /// BM25 score.
    pub score: f32,
    /// Pieces of the text around the matches: `(text, highlighted)`.
    pub snippet: Vec<(String, bool)>,
}

/// A page of results.
#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    /// Matching articles in all.
    pub total: usize,
    /// This page, best first.
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    text: Field,
    tag: Field,
    category: Field,
    source: Field,
    region: Field,
    published: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_opts = TextOptions::default().set_indexing_options(words).set_stored();
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text_opts.clone()),
        text: b.add_text_field("text", text_opts),
        tag: b.add_text_field("tag", STRING),
        category: b.add_text_field("category", STRING),
        source: b.add_text_field("source", STRING),
        region: b.add_text_field("region", STRING),
        published: b.add_i64_field("published", INDEXED | FAST),
    };
    (b.build(), fields)
}

/// The search index of one node.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<Option<IndexWriter>>,
    path: String,
}

const WRITER_HEAP: usize = 64 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing.
    pub fn open(dir: &Path) -> Result<Self> {
        let open_err =
            |e: &dyn std::fmt::Display| IndexError::Open { path: dir.display().to_string(), message: e.to_string() };
        std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_err(&e))?;
        let index = Index::open_or_create(mmap, schema).map_err(|e| open_err(&e))?;
        Self::from_index(index, fields, dir.display().to_string())
    }

    /// An index in memory, for tests and benchmarks.
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, "(memory)".into())
    }

    fn from_index(index: Index, fields: Fields, path: String) -> Result<Self> {
        index
            .tokenizers()
            .register(TOKENIZER, TextAnalyzer::builder(tokenize::TaglineTokenizer).filter(LowerCaser).build());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(Self { index, reader, fields, writer: Mutex::new(None), path })
    }

    /// How far the last commit followed the store (zeros when empty).
    pub fn checkpoint(&self) -> Checkpoint {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default()
    }

    /// The highest article id the last commit holds (0 when empty).
    pub fn indexed_through(&self) -> i64 {
        self.checkpoint().articles
    }

    fn commit(w: &mut IndexWriter, at: Checkpoint) -> Result<()> {
        let mut commit = w.prepare_commit()?;
        commit.set_payload(&serde_json::to_string(&at).unwrap_or_default());
        commit.commit()?;
        Ok(())
    }

    /// Whether the article is in the index (as of the last reload).
    pub fn contains(&self, id: i64) -> bool {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(Term::from_field_i64(self.fields.id, id), IndexRecordOption::Basic);
        searcher.search(&q, &Count).map(|n| n > 0).unwrap_or(false)
    }

    /// Articles in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let w = self.index.writer(WRITER_HEAP).map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Busy(self.path.clone()),
                e => IndexError::Tantivy(e),
            })?;
            *guard = Some(w);
        }
        f(guard.as_mut().expect("writer was just set"))
    }

    /// Whether this process can write the index (takes the lock if free).
    pub fn try_writer(&self) -> Result<()> {
        self.with_writer(|_| Ok(()))
    }

    /// Adds (or replaces) articles and commits, recording `through` as the
    /// highest article id now held.
    pub fn add(&self, docs: &[IndexDoc], through: i64) -> Result<()> {
        let f = self.fields;
        self.with_writer(|w| {
            for d in docs {
                w.delete_term(Term::from_field_i64(f.id, d.id));
                let mut doc = doc!(
                    f.id => d.id,
                    f.title => d.title.as_str(),
                    f.text => d.text.as_str(),
                    f.source => d.source.as_str(),
                    f.published => d.published.timestamp(),
                );
                for t in &d.tags {
                    doc.add_text(f.tag, t);
                }
                if let Some(c) = &d.category {
                    doc.add_text(f.category, c);
                }
                if let Some(r) = &d.region {
                    doc.add_text(f.region, r);
                }
                w.add_document(doc)?;
            }
            let mut at = self.checkpoint();
            at.articles = at.articles.max(through);
            Self::commit(w, at)
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes articles and commits, recording `deletions_through` as the
    /// position reached in the store's deletion log.
    pub fn remove(&self, ids: &[i64], deletions_through: i64) -> Result<()> {
        let f = self.fields;
        self.with_writer(|w| {
            for id in ids {
                w.delete_term(Term::from_field_i64(f.id, *id));
            }
            let mut at = self.checkpoint();
            at.deletions = at.deletions.max(deletions_through);
            Self::commit(w, at)
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Empties the index, for a rebuild.
    pub fn clear(&self) -> Result<()> {
        self.with_writer(|w| {
            w.delete_all_documents()?;
            // A rebuild re-reads every live article, so deletions logged so
            // far are already reflected; the caller passes the log's end.
            Self::commit(w, Checkpoint::default())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    /// Runs a search. Words must all match (in the title or the text);
    /// ranking is BM25 with the title weighted double.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.text]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        let words = sanitize_query(&q.q);
        let text_query: Box<dyn Query> =
            if words.trim().is_empty() { Box::new(AllQuery) } else { parser.parse_query_lenient(&words).0 };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        if let Some(t) = &q.tag {
            clauses.push((Occur::Must, term(f.tag, &t.to_lowercase())));
        }
        if let Some(c) = &q.category {
            clauses.push((Occur::Must, term(f.category, c)));
        }
        if let Some(s) = &q.source {
            clauses.push((Occur::Must, term(f.source, s)));
        }
        if let Some(r) = &q.region {
            clauses.push((Occur::Must, term(f.region, &r.to_uppercase())));
        }
        if q.from.is_some() || q.to.is_some() {
            let lower =
                q.from.map_or(Bound::Unbounded, |t| Bound::Included(Term::from_field_i64(f.published, t.timestamp())));
            let upper =
                q.to.map_or(Bound::Unbounded, |t| Bound::Excluded(Term::from_field_i64(f.published, t.timestamp())));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        let query = BooleanQuery::new(clauses);
        let limit = q.limit.clamp(1, 100);
        let (top, total) = searcher.search(&query, &(TopDocs::with_limit(limit).and_offset(q.offset), Count))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text_query, f.text)?;
        snippets.set_max_num_chars(240);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or_default();
            let text = doc.get_first(f.text).and_then(|v| v.as_str()).unwrap_or_default();
            let snip = snippets.snippet(text);
            hits.push(Hit { id, score, snippet: pieces(snip.fragment(), snip.highlighted()) });
        }
        Ok(SearchResults { total, hits })
    }
}

/// Keeps the query language to words, phrases and exclusions: field names
/// and the other operators of tantivy's grammar are not for readers.
fn sanitize_query(q: &str) -> String {
    q.chars()
        .map(|c| match c {
            ':' | '^' | '[' | ']' | '{' | '}' | '(' | ')' | '~' | '*' | '\\' | '<' | '>' | '=' | '!' => ' ',
            c => c,
        })
        .collect()
}

fn pieces(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in highlighted {
        if r.start < at || r.end > fragment.len() {
            continue;
        }
        if r.start > at {
            out.push((fragment[at..r.start].to_string(), false));
        }
        out.push((fragment[r.clone()].to_string(), true));
        at = r.end;
    }
    if at < fragment.len() {
        out.push((fragment[at..].to_string(), false));
    }
    out
}
