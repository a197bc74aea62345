//! `tagline parse-feed`: run the feed parser over saved files, one JSON
//! object per file, in the predictions shape of `check_feeds.py`.

use crate::cli::ParseFeedArgs;
use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;

#[derive(Deserialize)]
struct BatchInput {
    id: Value,
    path: String,
    url: Option<String>,
    content_type: Option<String>,
    content_location: Option<String>,
}

fn parse_one(
    id: Value,
    path: &Path,
    url: Option<&str>,
    content_type: Option<&str>,
    content_location: Option<&str>,
) -> Value {
    let bytes = match crate::extract_cmd::read_page(path) {
        Ok(b) => b,
        Err(e) => return json!({ "id": id, "bozo": true, "error": format!("{e:#}"), "feed": {}, "entries": [] }),
    };
    let ctx = feed::Context { url, content_type, content_location };
    match feed::parse_with(&bytes, &ctx) {
        Ok(parsed) => {
            let mut v = serde_json::to_value(&parsed).unwrap_or(Value::Null);
            if let Some(map) = v.as_object_mut() {
                map.insert("id".into(), id);
            }
            v
        }
        Err(e) => json!({ "id": id, "bozo": true, "error": e.to_string(), "feed": {}, "entries": [] }),
    }
}

pub fn run(args: &ParseFeedArgs) -> Result<bool> {
    if !args.batch {
        let path = args.file.as_deref().context("a FILE is required without --batch")?;
        let mut out = parse_one(Value::Null, path, args.url.as_deref(), args.content_type.as_deref(), None);
        let ok = out.get("error").is_none();
        if let Some(map) = out.as_object_mut() {
            map.remove("id");
        }
        println!("{}", serde_json::to_string(&out)?);
        return Ok(ok);
    }
    crate::batch::run_weighted(batch_line, crate::batch::file_size)?;
    Ok(true)
}

fn batch_line(line: &str) -> Value {
    match serde_json::from_str::<BatchInput>(line) {
        Ok(i) => parse_one(
            i.id,
            Path::new(&i.path),
            i.url.as_deref(),
            i.content_type.as_deref(),
            i.content_location.as_deref(),
        ),
        Err(e) => json!({ "id": Value::Null, "bozo": true, "error": format!("invalid input line: {e}") }),
    }
}
