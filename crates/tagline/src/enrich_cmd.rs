//! `tagline classify`, `tagline tag` and `tagline cluster`: the enrichment
//! functions over JSON lines, for evaluation against labelled corpora.

use anyhow::Result;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{BufRead, Write};

#[derive(Deserialize)]
struct Doc {
    id: Value,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    published: Option<String>,
}

fn parse(line: &str) -> Result<Doc, Value> {
    serde_json::from_str::<Doc>(line)
        .map_err(|e| json!({ "id": Value::Null, "error": format!("invalid input line: {e}") }))
}

/// `{"id","title","text"}` → `{"id","label","scores"}` over the whole taxonomy.
pub fn classify() -> Result<()> {
    crate::batch::run(|line| {
        let d = match parse(line) {
            Ok(d) => d,
            Err(e) => return e,
        };
        let (label, scores) = match enrich::classify(&d.title, &d.text) {
            Some((c, scores)) => (c, scores),
            // No evidence at all: the most general section, with flat scores.
            None => (model::Category::World, model::Category::ALL.iter().map(|c| (*c, 1.0 / 8.0)).collect()),
        };
        let scores: serde_json::Map<String, Value> =
            scores.into_iter().map(|(c, p)| (c.label().to_string(), json!(p))).collect();
        json!({ "id": d.id, "label": label.label(), "scores": scores })
    })
}

/// `{"id","title","text"}` → `{"id","tags":[{"name","kind","score"}],"keyphrases":[...]}`.
pub fn tag() -> Result<()> {
    crate::batch::run(|line| {
        let d = match parse(line) {
            Ok(d) => d,
            Err(e) => return e,
        };
        let tags = enrich::tag_article(&d.title, &d.text, &enrich::TagOptions::default());
        let keyphrases: Vec<String> =
            enrich::keyphrase::rank(&d.title, &d.text, 10).into_iter().map(|k| k.phrase).collect();
        let tags: Vec<Value> =
            tags.iter().map(|t| json!({ "name": t.name, "kind": t.kind.as_str(), "score": t.score })).collect();
        json!({ "id": d.id, "tags": tags, "keyphrases": keyphrases })
    })
}

/// `{"id","title","text","published"?}` in arrival order → `{"id","story"}`
/// (also as `cluster`, the field score_clusters.py reads). Sequential by
/// nature: each document is matched against the stories before it.
pub fn cluster(threshold: Option<f32>) -> Result<()> {
    let threshold = threshold.unwrap_or(enrich::story::THRESHOLD);
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut seen: Vec<(enrich::StoryDoc, usize)> = Vec::new();
    let mut stories = 0usize;
    let epoch = chrono::DateTime::from_timestamp(0, 0).expect("epoch");
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let d = match parse(&line) {
            Ok(d) => d,
            Err(e) => {
                serde_json::to_writer(&mut out, &e)?;
                out.write_all(b"\n")?;
                continue;
            }
        };
        let published = d.published.as_deref().and_then(extract::parse_date).unwrap_or(epoch);
        let entities: Vec<String> = enrich::tag_article(&d.title, &d.text, &enrich::TagOptions::default())
            .into_iter()
            .filter(|t| t.kind == model::TagKind::Entity)
            .map(|t| t.name.to_string())
            .collect();
        let doc = enrich::StoryDoc::new(&d.title, &d.text, &entities, published);
        let best = seen
            .iter()
            .map(|(other, story)| (enrich::similarity(&doc, other), *story))
            .filter(|(sim, _)| *sim >= threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let story = match best {
            Some((_, s)) => s,
            None => {
                stories += 1;
                stories
            }
        };
        seen.push((doc, story));
        serde_json::to_writer(&mut out, &json!({ "id": d.id, "story": story, "cluster": story }))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
