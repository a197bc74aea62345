//! The shared `--batch` loop: JSON lines in on stdin, one JSON line out per
//! input, in order, using every core, with a panic costing one line only.

use anyhow::Result;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::{BufRead, Write};

/// Inputs handled per parallel chunk; bounds memory on long batches.
const CHUNK: usize = 256;

/// Runs `handle` over each non-empty input line.
pub fn run(handle: impl Fn(&str) -> Value + Sync) -> Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    loop {
        let chunk: Vec<String> = lines.by_ref().take(CHUNK).collect::<std::io::Result<_>>()?;
        if chunk.is_empty() {
            break;
        }
        let results: Vec<Value> = chunk
            .par_iter()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                // A parser bug must cost one line of output, not the batch.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(line))).unwrap_or_else(|_| {
                    let id = serde_json::from_str::<Value>(line).ok().and_then(|v| v.get("id").cloned());
                    json!({ "id": id, "error": "internal error (panic) while processing this input" })
                })
            })
            .collect();
        for r in results {
            serde_json::to_writer(&mut out, &r)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}
