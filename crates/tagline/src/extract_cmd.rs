//! `tagline extract`: run the extractor over saved pages, one JSON object per page.

use crate::cli::ExtractArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{BufRead, Read};
use std::path::Path;

#[derive(Deserialize)]
struct BatchInput {
    id: Value,
    path: String,
    url: Option<String>,
}

/// Reads a page, decompressing gzip (by magic bytes) up to the extractor's
/// input limit so that a gzip bomb is refused instead of filling memory.
pub fn read_page(path: &Path) -> Result<Vec<u8>> {
    let limit = extract::MAX_INPUT as u64;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut head = [0u8; 2];
    let mut reader = std::io::BufReader::new(file);
    let n = {
        let buf = reader.fill_buf().with_context(|| format!("reading {}", path.display()))?;
        let n = buf.len().min(2);
        head[..n].copy_from_slice(&buf[..n]);
        n
    };
    let mut out = Vec::new();
    if n == 2 && head == [0x1f, 0x8b] {
        flate2::bufread::MultiGzDecoder::new(reader)
            .take(limit + 1)
            .read_to_end(&mut out)
            .with_context(|| format!("decompressing {}", path.display()))?;
    } else {
        reader.take(limit + 1).read_to_end(&mut out).with_context(|| format!("reading {}", path.display()))?;
    }
    if out.len() as u64 > limit {
        anyhow::bail!("{} is larger than {} bytes (after decompression)", path.display(), limit);
    }
    Ok(out)
}

fn extract_one(id: Value, path: &Path, url: Option<&str>) -> Value {
    let result = read_page(path).and_then(|bytes| extract::extract(&bytes, url, None).map_err(anyhow::Error::from));
    match result {
        Ok(x) => json!({
            "id": id,
            "title": x.title,
            "byline": x.byline,
            "published": x.published.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "lang": x.lang,
            "site_name": x.site_name,
            "image": x.image,
            "text": x.text,
            "html": x.html,
            "warnings": x.warnings,
        }),
        Err(e) => json!({ "id": id, "error": format!("{e:#}"), "text": "", "warnings": [] }),
    }
}

pub fn run(args: &ExtractArgs) -> Result<bool> {
    if !args.batch {
        let path = args.file.as_deref().context("a FILE is required without --batch")?;
        let out = extract_one(Value::Null, path, args.url.as_deref());
        let ok = out.get("error").is_none();
        let mut obj = out;
        if let Some(map) = obj.as_object_mut() {
            map.remove("id");
        }
        println!("{}", serde_json::to_string(&obj)?);
        return Ok(ok);
    }
    crate::batch::run(batch_line)?;
    Ok(true)
}

fn batch_line(line: &str) -> Value {
    match serde_json::from_str::<BatchInput>(line) {
        Ok(input) => extract_one(input.id, Path::new(&input.path), input.url.as_deref()),
        Err(e) => json!({ "id": Value::Null, "error": format!("invalid input line: {e}"), "text": "", "warnings": [] }),
    }
}
