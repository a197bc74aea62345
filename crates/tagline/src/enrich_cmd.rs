//! `tagline classify`, `tagline tag` and `tagline cluster`: the enrichment
//! functions over JSON lines, for evaluation against labelled corpora.

use anyhow::Result;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::Write;

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
pub fn tag(params: &enrich::keyphrase::RankParams) -> Result<()> {
    crate::batch::run(|line| {
        let d = match parse(line) {
            Ok(d) => d,
            Err(e) => return e,
        };
        let ranked = enrich::keyphrase::rank_with(&d.title, &d.text, enrich::tags::KEYPHRASE_POOL, params);
        let tags = enrich::tags::tag_article_ranked(&d.title, &d.text, &enrich::TagOptions::default(), &ranked.topics);
        let keyphrases: Vec<String> = ranked.key_phrases.into_iter().map(|k| k.phrase).collect();
        let tags: Vec<Value> =
            tags.iter().map(|t| json!({ "name": t.name, "kind": t.kind.as_str(), "score": t.score })).collect();
        json!({ "id": d.id, "tags": tags, "keyphrases": keyphrases })
    })
}

/// `{"id","title","text","published"?}` in arrival order → `{"id","story"}`
/// (also as `cluster`, the field score_clusters.py reads), as the crawler
/// clusters: each document joins the story of its most similar predecessor
/// at or above `threshold`, and the stories of any other predecessors at or
/// above `merge` are merged into it. Sequential by nature; and since a merge
/// relabels earlier documents, the answers are written at the end.
pub fn cluster(threshold: Option<f32>, merge: Option<f32>) -> Result<()> {
    let threshold = threshold.unwrap_or(enrich::story::THRESHOLD);
    let merge = merge.unwrap_or(enrich::story::MERGE_THRESHOLD);
    // Each story's centroid, by story number; a merged story's is emptied
    // into the one it joined.
    let mut stories: Vec<enrich::Centroid> = Vec::new();
    // Union-find over story numbers: a merged story points at the one it
    // joined.
    let mut parent: Vec<usize> = Vec::new();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut answers: Vec<Result<(Value, usize), Value>> = Vec::new();
    let epoch = chrono::DateTime::from_timestamp(0, 0).expect("epoch");
    for d in input() {
        let d = match d? {
            Ok(d) => d,
            Err(e) => {
                answers.push(Err(e));
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
        let mut matches: Vec<(f32, usize)> = (0..stories.len())
            .filter(|&s| parent[s] == s)
            .map(|s| (stories[s].similarity(&doc), s))
            .filter(|(sim, _)| *sim >= threshold)
            .collect();
        matches.sort_by(|a, b| b.0.total_cmp(&a.0));
        let story = match matches.first() {
            Some(&(_, best)) => {
                for &(_, other) in matches.iter().skip(1).filter(|(sim, _)| *sim >= merge) {
                    parent[other] = best;
                    let absorbed = std::mem::take(&mut stories[other]);
                    stories[best].absorb(&absorbed);
                }
                stories[best].add(&doc);
                best
            }
            None => {
                parent.push(parent.len());
                stories.push(enrich::Centroid::of([&doc]));
                parent.len() - 1
            }
        };
        answers.push(Ok((d.id, story)));
    }
    output(answers.into_iter().map(|a| {
        Ok(match a {
            Ok((id, story)) => {
                let story = root(&mut parent, story) + 1;
                json!({ "id": id, "story": story, "cluster": story })
            }
            Err(e) => e,
        })
    }))
}

/// Each non-empty line of stdin, parsed: the document, or the answer that
/// reports why the line is not one.
fn input() -> impl Iterator<Item = std::io::Result<Result<Doc, Value>>> {
    std::io::stdin()
        .lines()
        .filter(|line| line.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(|line| line.map(|l| parse(&l)))
}

/// Writes one JSON line per answer, as each comes.
fn output(answers: impl Iterator<Item = std::io::Result<Value>>) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for answer in answers {
        serde_json::to_writer(&mut out, &answer?)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Reads JSON lines from stdin one at a time, in order (each answer may
/// depend on the lines before), and writes one JSON line per input: `f`'s
/// answer, or the parse error.
fn in_order(mut f: impl FnMut(Doc) -> Value) -> Result<()> {
    output(input().map(|d| d.map(|d| d.map_or_else(|e| e, &mut f))))
}

/// A corpus label in Tagline's taxonomy (AG News and BBC News names too).
fn taxonomy_label(label: &str) -> Option<model::Category> {
    use model::Category::*;
    Some(match label.trim().to_lowercase().as_str() {
        "world" => World,
        "politics" => Politics,
        "business" => Business,
        "sport" | "sports" => Sports,
        "tech" | "sci/tech" | "technology" => Technology,
        "science" => Science,
        "health" => Health,
        "entertainment" => Entertainment,
        _ => return None,
    })
}

/// Whether a predicted category counts as the corpus's gold label: AG News
/// folds World+Politics and Technology+Science+Health together; BBC News
/// has no separate world section.
fn counts_as(pred: model::Category, gold: &str) -> bool {
    use model::Category::*;
    match gold.trim().to_lowercase().as_str() {
        "world" => matches!(pred, World | Politics),
        "sci/tech" => matches!(pred, Technology | Science | Health),
        "politics" => matches!(pred, Politics | World),
        "tech" => matches!(pred, Technology | Science | Health),
        other => taxonomy_label(other) == Some(pred),
    }
}

struct Labelled {
    id: String,
    corpus: String,
    title: String,
    text: String,
    gold: String,
    label: model::Category,
}

fn read_labelled(dir: &std::path::Path) -> Result<Vec<Labelled>> {
    use anyhow::Context;
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".jsonl") || p.to_string_lossy().ends_with(".jsonl.gz"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let bytes = crate::extract_cmd::read_page(&f)?;
        // The file name less its extensions: "ag_news.dev", reported apart
        // from "ag_news.train_sample" (no titles), which only trains.
        let name = f.file_name().unwrap_or_default().to_string_lossy().to_string();
        let corpus = name.trim_end_matches(".gz").trim_end_matches(".jsonl").to_string();
        for line in String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).with_context(|| format!("a line of {}", f.display()))?;
            let gold = v["label"].as_str().unwrap_or("").to_string();
            let Some(label) = taxonomy_label(&gold) else { continue };
            out.push(Labelled {
                id: v["id"].as_str().unwrap_or("").to_string(),
                corpus: corpus.clone(),
                title: v["title"].as_str().unwrap_or("").to_string(),
                text: v["text"].as_str().unwrap_or("").to_string(),
                gold,
                label,
            });
        }
    }
    Ok(out)
}

/// `tagline train category`: k-fold cross-validation report, then a model
/// trained on everything, written to `--out`.
pub fn train_category(args: &crate::cli::TrainCategoryArgs) -> Result<()> {
    use anyhow::Context;
    let docs = read_labelled(&args.data)?;
    anyhow::ensure!(!docs.is_empty(), "no labelled documents in {}", args.data.display());
    let examples = |keep: &dyn Fn(usize) -> bool| -> Vec<enrich::model::Example> {
        docs.iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, d)| enrich::model::Example { title: &d.title, text: &d.text, label: d.label })
            .collect()
    };
    if args.folds > 1 {
        // Folds by a hash of the id, so they do not depend on file order.
        let fold_of = |d: &Labelled| {
            d.id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64)) as usize % args.folds
        };
        let mut right: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for k in 0..args.folds {
            let model = enrich::model::Model::train(&examples(&|i| fold_of(&docs[i]) != k));
            for d in docs.iter().filter(|d| fold_of(d) == k) {
                let pred = model.predict(&d.title, &d.text)[0].0;
                let e = right.entry(d.corpus.clone()).or_default();
                e.0 += counts_as(pred, &d.gold) as usize;
                e.1 += 1;
            }
        }
        for (corpus, (ok, n)) in &right {
            println!(
                "{}-fold cross-validation, {corpus}: accuracy {:.3} over {n} documents",
                args.folds,
                *ok as f64 / *n as f64
            );
        }
    }
    let model = enrich::model::Model::train(&examples(&|_| true));
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("wrote {} ({} bytes) from {} documents", args.out.display(), bytes.len(), docs.len());
    Ok(())
}

/// `tagline dedup`: JSON lines `{"id","title","text"}` in arrival order; for
/// each, `{"id","duplicate_of","containment"}`: the earlier article it is a
/// near-duplicate of (MinHash over the text), or null.
pub fn dedup(threshold: Option<f32>) -> Result<()> {
    let threshold = threshold.unwrap_or(enrich::neardup::THRESHOLD);
    let mut seen: Vec<(enrich::neardup::Fingerprint, Value)> = Vec::new();
    in_order(|d| {
        // As Tagline stores text: extraction's boilerplate line filter has
        // already dropped advertising, sharing and dateline lines.
        let text: Vec<&str> = d.text.lines().filter(|l| !extract::is_boilerplate_line(l)).collect();
        let fp = enrich::neardup::Fingerprint::new(&text.join("\n"));
        let best = seen
            .iter()
            .map(|(other, id)| (fp.containment(other), id))
            .filter(|(c, _)| *c >= threshold)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let (dup, containment) = match best {
            Some((c, id)) => (id.clone(), c),
            None => (Value::Null, 0.0),
        };
        let answer = json!({ "id": d.id, "duplicate_of": dup, "containment": containment });
        seen.push((fp, d.id));
        answer
    })
}
