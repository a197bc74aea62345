//! Extraction of the five seed article pages (issue 2, issue 3): the clean
//! body comes out, and none of the page's forbidden substrings do.

use std::path::PathBuf;

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/seed")
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn seed_pages_extract_cleanly() {
    let dir = seed_dir();
    let lines =
        std::fs::read_to_string(dir.join("articles.jsonl")).expect("the seed corpus is at ../shared/corpora/seed");
    let mut checked = 0;
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let a: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = a["id"].as_str().unwrap();
        let path = dir.join("site").join(a["url_path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        let url = format!("http://127.0.0.1:8765/{}", a["url_path"].as_str().unwrap());
        // No content type: the charset must come from the page itself, as with a plain static server.
        let out = extract::extract(&bytes, Some(&url), None).unwrap();
        for f in a["forbidden_substrings"].as_array().unwrap() {
            let f = f.as_str().unwrap();
            assert!(!out.text.contains(f), "{id}: forbidden substring {f:?} in text:\n{}", out.text);
        }
        let body = words(a["body"].as_str().unwrap());
        let text = words(&out.text);
        assert!(text.contains(&body), "{id}: body not found in extracted text.\nEXPECTED:\n{body}\n\nGOT:\n{text}");
        assert_eq!(out.title.as_deref(), a["title"].as_str(), "{id}: title");
        let published = out
            .published
            .unwrap_or_else(|| panic!("{id}: no published date"))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(published, a["published"].as_str().unwrap(), "{id}: published");
        checked += 1;
    }
    assert_eq!(checked, 5);
}
