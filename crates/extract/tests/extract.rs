//! Extraction of the five seed article pages (issue 2, issue 3): the clean
//! body comes out, and none of the page's forbidden substrings do.

use std::path::PathBuf;

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/seed")
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether the seed corpus is beside this clone; when it is not, says so in
/// one line the test harness does not capture (issue 18). `.ci/run`
/// refuses to run without it, so CI never skips.
fn seed_present(test: &str) -> bool {
    let present = seed_dir().join("articles.jsonl").exists();
    if !present {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: it reads {}, which is not beside this clone",
            seed_dir().display()
        );
    }
    present
}

#[test]
fn seed_pages_extract_cleanly() {
    if !seed_present("seed_pages_extract_cleanly") {
        return;
    }
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

/// Runs `f` on a thread and fails if it takes longer than a minute: a hang
/// detector, not a speed test.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("finished without hanging")
}

#[test]
fn issue_3_ten_megabytes_of_nested_divs_give_a_result() {
    let html = format!("<html><body>{}<p>deep text</p></body></html>", "<div>".repeat(2_000_000));
    assert!(html.len() >= 10_000_000);
    let out = within_a_minute(move || extract::extract(html.as_bytes(), None, None)).unwrap();
    assert!(out.text.contains("deep text"));
    assert!(out.warnings.iter().any(|w| w.contains("flattened")), "{:?}", out.warnings);
}

#[test]
fn issue_3_invalid_utf8_gives_a_result() {
    let mut page = b"<html><head><meta charset=utf-8><title>Bad bytes</title></head><body><article><p>".to_vec();
    page.extend_from_slice(
        b"Caf\xe9 \xff\xfe broken \xc3 bytes in a paragraph that is long enough to be the article text here.",
    );
    page.extend_from_slice(b"</p></article></body></html>");
    let out = extract::extract(&page, None, Some("text/html; charset=utf-8")).unwrap();
    assert!(out.text.contains("broken"), "{}", out.text);
    assert!(out.text.contains('\u{fffd}'), "invalid bytes become replacement characters");
}

#[test]
fn issue_3_pages_over_the_limit_are_refused_with_an_error() {
    let big = vec![b'a'; extract::MAX_INPUT + 1];
    let err = extract::extract(&big, None, None).unwrap_err();
    assert!(err.to_string().contains("more than"), "{err}");
}
