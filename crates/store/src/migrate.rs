//! Moving an instance from SQLite to PostgreSQL (`tagline migrate-store`):
//! every table, ids kept, in batches that each commit, so an interrupted
//! run resumes where it stopped; counts are checked at the end.

use crate::postgres::PgStore;
use crate::{Result, StoreError};
use rusqlite::types::Value;
use std::path::Path;
use tokio_postgres::types::ToSql;

/// How a column's value crosses from SQLite to PostgreSQL.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Real,
    Bool,
    Blob,
}

struct Table {
    name: &'static str,
    /// The column batches are ordered and resumed by.
    key: &'static str,
    /// Whether `key` is unique (else a resumed batch re-reads the last key).
    unique_key: bool,
    columns: &'static [(&'static str, Kind)],
    /// Tables with an id sequence to move past the copied ids.
    serial: bool,
}

use Kind::*;

const TABLES: &[Table] = &[
    Table {
        name: "sources",
        key: "id",
        unique_key: true,
        serial: true,
        columns: &[
            ("id", Int),
            ("slug", Text),
            ("name", Text),
            ("home_url", Text),
            ("feed_url", Text),
            ("region", Text),
            ("lang", Text),
            ("fetch_pages", Bool),
            ("trusted_hosts", Text),
            ("status", Text),
            ("last_error", Text),
            ("last_fetched_at", Int),
            ("etag", Text),
            ("last_modified", Text),
            ("created_at", Int),
            ("extract_keep", Text),
            ("extract_drop", Text),
            ("next_fetch_at", Int),
            ("failures", Int),
            ("lease_owner", Text),
            ("lease_until", Int),
            ("last_note", Text),
        ],
    },
    Table {
        name: "stories",
        key: "id",
        unique_key: true,
        serial: true,
        columns: &[("id", Int), ("lead_article_id", Int), ("created_at", Int)],
    },
    Table {
        name: "articles",
        key: "id",
        unique_key: true,
        serial: true,
        columns: &[
            ("id", Int),
            ("source_id", Int),
            ("url", Text),
            ("guid", Text),
            ("title", Text),
            ("author", Text),
            ("published_at", Int),
            ("updated_at", Int),
            ("lang", Text),
            ("category", Text),
            ("text", Text),
            ("html", Text),
            ("excerpt", Text),
            ("image", Text),
            ("story_id", Int),
            ("fetched_at", Int),
            ("pinned", Bool),
        ],
    },
    Table {
        name: "tags",
        key: "id",
        unique_key: true,
        serial: true,
        // article_count is left to the target's triggers, which count the
        // article_tags rows as they arrive.
        columns: &[("id", Int), ("key", Text), ("name", Text), ("kind", Text)],
    },
    Table {
        name: "story_merges",
        key: "from_id",
        unique_key: true,
        serial: false,
        columns: &[("from_id", Int), ("into_id", Int)],
    },
    Table {
        name: "tag_aliases",
        key: "id",
        unique_key: true,
        serial: true,
        columns: &[("id", Int), ("alias_key", Text), ("alias", Text), ("tag_id", Int)],
    },
    Table {
        name: "article_tags",
        key: "article_id",
        unique_key: false,
        serial: false,
        columns: &[("article_id", Int), ("tag_id", Int), ("score", Real), ("published_at", Int)],
    },
    Table {
        name: "enrich_queue",
        key: "article_id",
        unique_key: true,
        serial: false,
        columns: &[("article_id", Int), ("lease_until", Int)],
    },
    Table {
        name: "article_images",
        key: "article_id",
        unique_key: true,
        serial: false,
        columns: &[("article_id", Int), ("content_type", Text), ("data", Blob)],
    },
    Table {
        name: "tag_rules",
        key: "id",
        unique_key: true,
        serial: true,
        columns: &[("id", Int), ("tag", Text), ("keywords", Text), ("source_id", Int), ("created_at", Int)],
    },
];

/// Columns that `migrate-store` deliberately leaves behind, with why. Every
/// other column of either backend's live schema must be in [`TABLES`]; the
/// store's schema test checks it, so a new column cannot be dropped
/// silently by a move.
pub const NOT_COPIED: &[(&str, &str, &str)] = &[
    ("tags", "article_count", "the target's triggers count article_tags rows as they arrive"),
    ("article_deletions", "*", "the deletion log feeds search indexes, which are rebuilt after a move"),
    ("schema_migrations", "*", "each backend records its own migrations"),
];

/// The (table, column) pairs `migrate-store` copies.
pub fn copied_columns() -> Vec<(&'static str, &'static str)> {
    TABLES.iter().flat_map(|t| t.columns.iter().map(move |(c, _)| (t.name, *c))).collect()
}

/// Whether [`NOT_COPIED`] excuses this column.
pub fn excused(table: &str, column: &str) -> bool {
    NOT_COPIED.iter().any(|(t, c, _)| *t == table && (*c == "*" || *c == column))
}

/// The live (table, column) pairs of the SQLite database at `path`
/// (SQLite's own tables left out).
pub fn sqlite_columns(path: &Path) -> Result<Vec<(String, String)>> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::Open { path: path.display().to_string(), message: e.to_string() })?;
    let mut st = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
        )
        .map_err(sqlite_err)?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sqlite_err)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sqlite_err)
}

/// The live (table, column) pairs of the PostgreSQL store's schema.
pub async fn postgres_columns(store: &PgStore) -> Result<Vec<(String, String)>> {
    let rows = store
        .client()
        .await?
        .query(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() ORDER BY 1, 2",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Rows per committed batch.
const BATCH: i64 = 1_000;
/// Rows per INSERT statement (PostgreSQL allows 65,535 parameters).
const ROWS_PER_INSERT: usize = 200;

/// Where a copy stands, for a progress bar.
#[derive(Clone, Debug)]
pub struct Progress {
    /// The table being copied.
    pub table: &'static str,
    /// How far through its keys the copy is.
    pub done: u64,
    /// Its largest key.
    pub total: u64,
}

/// A table's row count in both databases after the copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCount {
    /// Table.
    pub table: &'static str,
    /// Rows in SQLite.
    pub source: i64,
    /// Rows in PostgreSQL.
    pub target: i64,
}

fn to_sql(v: Value, kind: Kind) -> Box<dyn ToSql + Sync + Send> {
    match (v, kind) {
        (Value::Null, Int) => Box::new(None::<i64>),
        (Value::Null, Text) => Box::new(None::<String>),
        (Value::Null, Real) => Box::new(None::<f64>),
        (Value::Null, Bool) => Box::new(None::<bool>),
        (Value::Null, Blob) => Box::new(None::<Vec<u8>>),
        (Value::Integer(i), Bool) => Box::new(i != 0),
        (Value::Integer(i), Real) => Box::new(i as f64),
        (Value::Integer(i), _) => Box::new(i),
        (Value::Real(f), Int) => Box::new(f as i64),
        (Value::Real(f), _) => Box::new(f),
        (Value::Text(t), _) => Box::new(t),
        (Value::Blob(b), _) => Box::new(b),
    }
}

fn sqlite_err(e: rusqlite::Error) -> StoreError {
    StoreError::database(format!("reading SQLite: {e}"), e)
}

/// Copies the SQLite database at `from` into `to` (whose migrations have
/// run). Safe to run again after an interruption: it continues from what
/// the target already holds. Returns the per-table counts, and fails if any
/// differ.
pub async fn sqlite_to_postgres(
    from: &Path,
    to: &PgStore,
    mut progress: impl FnMut(&Progress),
) -> Result<Vec<TableCount>> {
    // Opening through SqliteStore brings an older file's schema up to date.
    drop(crate::SqliteStore::open(from)?);
    let src = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| StoreError::Open { path: from.display().to_string(), message: e.to_string() })?;
    let mut counts = Vec::new();
    for table in TABLES {
        let total: i64 =
            src.query_row(&format!("SELECT COUNT(*) FROM {}", table.name), [], |r| r.get(0)).map_err(sqlite_err)?;
        let cols: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
        let insert_head = format!("INSERT INTO {} ({}) VALUES", table.name, cols.join(", "));
        // Unique keys page by "after the last key"; article_tags (many rows
        // per article) pages by ranges of article ids, so a batch never
        // splits one article's rows.
        let select = if table.unique_key {
            format!(
                "SELECT {} FROM {} WHERE {k} > ?1 ORDER BY {k} LIMIT ?2",
                cols.join(", "),
                table.name,
                k = table.key
            )
        } else {
            format!("SELECT {} FROM {} WHERE {k} > ?1 AND {k} <= ?1 + ?2", cols.join(", "), table.name, k = table.key)
        };
        let src_max: i64 = src
            .query_row(&format!("SELECT COALESCE(MAX({}), 0) FROM {}", table.key, table.name), [], |r| r.get(0))
            .map_err(sqlite_err)?;
        let mut client = to.client().await?;
        // Resume from what the target already holds (for ranges, the last
        // key again: ON CONFLICT skips the rows already there).
        let resume: i64 = client
            .query_one(&format!("SELECT COALESCE(MAX({}), 0)::BIGINT FROM {}", table.key, table.name), &[])
            .await?
            .get(0);
        let mut cursor = if table.unique_key { resume } else { (resume - 1).max(0) };
        while cursor < src_max {
            let rows: Vec<Vec<Value>> = {
                let mut st = src.prepare_cached(&select).map_err(sqlite_err)?;
                let rows = st
                    .query_map(rusqlite::params![cursor, BATCH], |r| {
                        (0..cols.len()).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(sqlite_err)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sqlite_err)?
            };
            let next = if table.unique_key {
                match rows.last().map(|r| &r[0]) {
                    Some(Value::Integer(k)) => *k,
                    _ => break,
                }
            } else {
                cursor + BATCH
            };
            let tx = client.transaction().await?;
            // Many rows per statement: one round trip per ROWS_PER_INSERT.
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let params: Vec<Box<dyn ToSql + Sync + Send>> = chunk
                    .iter()
                    .flat_map(|row| row.iter().cloned().zip(table.columns).map(|(v, (_, kind))| to_sql(v, *kind)))
                    .collect();
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
                let n = cols.len();
                let values: Vec<String> = (0..chunk.len())
                    .map(|r| format!("({})", (1..=n).map(|c| format!("${}", r * n + c)).collect::<Vec<_>>().join(", ")))
                    .collect();
                tx.execute(&format!("{insert_head} {} ON CONFLICT DO NOTHING", values.join(", ")), &refs).await?;
            }
            tx.commit().await?;
            cursor = next;
            progress(&Progress {
                table: table.name,
                done: cursor.min(src_max).max(0) as u64,
                total: src_max.max(0) as u64,
            });
        }
        if table.serial {
            client
                .execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)",
                        t = table.name
                    ),
                    &[],
                )
                .await?;
        }
        let target: i64 = client.query_one(&format!("SELECT COUNT(*) FROM {}", table.name), &[]).await?.get(0);
        counts.push(TableCount { table: table.name, source: total, target });
    }
    if let Some(bad) = counts.iter().find(|c| c.source != c.target) {
        return Err(StoreError::database_msg(format!(
            "after the copy, {} has {} rows in SQLite but {} in PostgreSQL",
            bad.table, bad.source, bad.target
        )));
    }
    Ok(counts)
}
