//! The shared `--batch` loop: JSON lines in on stdin, one JSON line out per
//! input, in order, using every core, with a panic costing one line only.

use anyhow::Result;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Inputs handled per parallel chunk; bounds memory on long batches.
const CHUNK: usize = 256;

/// Runs `handle` over each non-empty input line.
pub fn run(handle: impl Fn(&str) -> Value + Sync + Send) -> Result<()> {
    run_weighted(handle, |_| 0)
}

/// [`run`], starting the inputs that `cost` rates dearest first, so that no
/// core is left finishing a large input alone at the end of a chunk (the
/// "longest processing time first" rule). Output stays in input order.
pub fn run_weighted(handle: impl Fn(&str) -> Value + Sync + Send, cost: impl Fn(&str) -> u64) -> Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    loop {
        let chunk: Vec<String> = lines
            .by_ref()
            .filter(|l| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
            .take(CHUNK)
            .collect::<std::io::Result<_>>()?;
        if chunk.is_empty() {
            break;
        }
        let mut order: Vec<usize> = (0..chunk.len()).collect();
        order.sort_by_cached_key(|&i| std::cmp::Reverse(cost(&chunk[i])));
        let next = AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Vec<u8>)>();
        // The pool's threads take inputs from the shared queue (and keep
        // their allocator caches across chunks); this thread writes each
        // result as soon as every earlier one is out, so the output flows
        // while the work goes on.
        std::thread::scope(|s| -> Result<()> {
            s.spawn(|| {
                (0..rayon::current_num_threads().min(chunk.len())).into_par_iter().for_each_with(tx, |tx, _| {
                    while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if tx.send((i, one_line(&handle, &chunk[i]))).is_err() {
                            return;
                        }
                    }
                })
            });
            let mut pending: Vec<Option<Vec<u8>>> = vec![None; chunk.len()];
            let mut written = 0;
            for (i, bytes) in rx {
                pending[i] = Some(bytes);
                while let Some(bytes) = pending.get_mut(written).and_then(Option::take) {
                    out.write_all(&bytes)?;
                    written += 1;
                }
            }
            out.flush()?;
            Ok(())
        })?;
    }
    out.flush()?;
    Ok(())
}

/// One output line, serialised on the worker that made it: writing is the
/// only serial step.
fn one_line(handle: &(impl Fn(&str) -> Value + Sync), line: &str) -> Vec<u8> {
    // A parser bug must cost one line of output, not the batch.
    let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(line))).unwrap_or_else(|_| {
        let id = serde_json::from_str::<Value>(line).ok().and_then(|v| v.get("id").cloned());
        json!({ "id": id, "error": "internal error (panic) while processing this input" })
    });
    let mut bytes = serde_json::to_vec(&value).unwrap_or_else(|e| {
        serde_json::to_vec(&json!({ "id": value.get("id"), "error": format!("could not serialise the result: {e}") }))
            .unwrap_or_default()
    });
    bytes.push(b'\n');
    bytes
}

/// The size of the file named by a line's `path` field: the cost estimate
/// for inputs that are files to parse.
pub fn file_size(line: &str) -> u64 {
    #[derive(serde::Deserialize)]
    struct Path {
        path: Option<std::path::PathBuf>,
    }
    serde_json::from_str::<Path>(line)
        .ok()
        .and_then(|p| p.path)
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len())
}
