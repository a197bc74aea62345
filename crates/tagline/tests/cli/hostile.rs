//! Issue 14: hostile input of each class (nesting, entity expansion, huge
//! attribute counts, very long tokens, script and data URLs), several
//! megabytes of it, through the real binary under a memory cap set with
//! `setrlimit` in the child: a regression fails the test instead of
//! swapping the machine.

use hostile::{feeds, pages, structured, MB};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Address space each child may use: bounded parsing peaks at 40 to 150 MB
/// on these inputs; an unbounded one needed 1.2 GB to 24 GB.
const MEMORY_CAP: u64 = 1 << 30;

/// Runs the binary with `args` under [`MEMORY_CAP`], feeding `stdin`, and
/// kills it after a generous minute (a hang detector, not a speed test).
fn capped(args: &[&str], stdin: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tagline"));
    c.args(args).env("TAGLINE_LOG", "error").stdout(Stdio::piped()).stderr(Stdio::piped());
    c.stdin(match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
        None => Stdio::null(),
    });
    // SAFETY: setrlimit is async-signal-safe; it runs in the child between
    // fork and exec and touches no memory of the parent.
    unsafe {
        c.pre_exec(|| {
            let cap = libc::rlimit { rlim_cur: MEMORY_CAP, rlim_max: MEMORY_CAP };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = c.spawn().unwrap();
    let pid = child.id();
    let (done, watchdog) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if watchdog.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
            // SAFETY: signalling our own child by pid.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    out
}

/// Fails unless the child ended by itself (no signal: not killed by the
/// watchdog, no abort on a failed allocation or a stack overflow).
fn assert_ended_normally(out: &Output, what: &str) {
    assert!(
        out.status.signal().is_none() && out.status.code().is_some_and(|c| c <= 1),
        "{what}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn issue_14_multi_megabyte_feeds_of_every_class_parse_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let origin = "https://hostile.example";
    let cases: Vec<(&str, String)> = vec![
        ("deep-nesting", feeds::deep_nesting(10 * MB)),
        ("unclosed-nesting", feeds::unclosed_nesting(10 * MB)),
        ("billion-laughs", feeds::billion_laughs(10, 10)),
        ("quadratic-blowup", feeds::quadratic_blowup(MB, 200)),
        ("many-attributes", feeds::many_attributes(10 * MB)),
        ("long-token", feeds::long_token(10 * MB)),
        ("many-elements", feeds::many_elements(10 * MB)),
        ("many-items", feeds::many_items(30_000, origin, 1_750_000_000)),
        ("json-deep", feeds::json_deep(8 * MB)),
        ("json-many-values", feeds::json_many_values(10 * MB)),
        ("script-urls-rss", feeds::script_urls_rss(origin)),
        ("script-urls-atom", feeds::script_urls_atom(origin)),
        ("script-urls-json", feeds::script_urls_json(origin)),
    ];
    for (name, doc) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, doc).unwrap();
        let out = capped(&["parse-feed", "--url", "https://hostile.example/feed", path.to_str().unwrap()], None);
        assert_ended_normally(&out, name);
        let v = json(&out);
        let said = v.to_string();
        match name {
            "billion-laughs" | "quadratic-blowup" => {
                assert!(said.contains("entity expansion"), "{name} is refused: {}", &said[..said.len().min(300)])
            }
            "deep-nesting" | "unclosed-nesting" => assert!(said.contains("flattened"), "{name}"),
            "many-items" => assert_eq!(v["entries"].as_array().map(Vec::len), Some(feed::MAX_ENTRIES), "{name}"),
            _ => {}
        }
    }
}

#[test]
fn issue_14_multi_megabyte_pages_of_every_class_extract_under_a_memory_cap() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String)> = vec![
        ("deep-divs", pages::deep_divs(10 * MB)),
        ("nested-tables", pages::nested_tables(10 * MB)),
        ("misnested", pages::misnested(10 * MB)),
        ("paragraph-soup", pages::paragraph_soup(10 * MB)),
        ("many-attributes", pages::many_attributes(10 * MB)),
        ("long-token", pages::long_token(10 * MB)),
        ("entity-text", pages::entity_text(10 * MB)),
        ("json-ld-bomb", pages::json_ld_bomb(10 * MB)),
        ("unclosed-skipped", pages::unclosed_skipped(10 * MB)),
        ("script-urls", pages::script_urls("Scripted")),
    ];
    for (name, page) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, page).unwrap();
        let out = capped(&["extract", "--url", "https://hostile.example/a.html", path.to_str().unwrap()], None);
        assert_ended_normally(&out, name);
        let v = json(&out);
        if name == "script-urls" {
            assert_eq!(v["image"], serde_json::Value::Null, "a script image is dropped");
            assert_eq!(v["canonical_url"], serde_json::Value::Null, "a script canonical URL is dropped");
            let html = v["html"].as_str().unwrap().to_ascii_lowercase();
            for bad in ["javascript:", "data:", "vbscript:", "file:"] {
                assert!(!html.contains(bad), "{bad} survived sanitising: {html}");
            }
            assert!(v["text"].as_str().unwrap().contains("Paragraph with"), "the text is kept");
        }
    }
}

#[test]
fn issue_14_an_opml_file_nested_ten_megabytes_deep_imports_within_bounds() {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("deep.opml");
    std::fs::write(&path, feeds::opml_deep(10 * MB)).unwrap();
    let d = data.path().to_str().unwrap();
    let out = capped(&["--data", d, "sources", "import", "--no-fetch-pages", path.to_str().unwrap()], None);
    assert_ended_normally(&out, "opml");
}

/// Writes `n` generated documents as a `--batch` input file.
fn batch_input(dir: &Path, kind: &str, n: u64, generate: impl Fn(&[u8]) -> Vec<u8>) -> std::path::PathBuf {
    let mut lines = String::new();
    for seed in 0..n {
        let path = dir.join(format!("{kind}-{seed}"));
        std::fs::write(&path, generate(&structured::seeded_bytes(seed * 7919 + 1, 600))).unwrap();
        lines.push_str(&serde_json::json!({ "id": seed, "path": path, "url": "https://gen.example/x" }).to_string());
        lines.push('\n');
    }
    let input = dir.join(format!("{kind}.jsonl"));
    std::fs::write(&input, lines).unwrap();
    input
}

#[test]
fn issue_14_generated_feeds_and_pages_of_several_megabytes_never_crash_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let feeds = batch_input(dir.path(), "feed", 48, |b| structured::feed(b, 4 * MB));
    let pages = batch_input(dir.path(), "page", 48, |b| structured::page(b, 4 * MB));
    for (args, input) in [(["parse-feed", "--batch"], feeds), (["extract", "--batch"], pages)] {
        let out = capped(&args, Some(&input));
        assert_ended_normally(&out, args[0]);
        let lines: Vec<serde_json::Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 48, "{}: one line per input", args[0]);
        assert!(lines.iter().all(|l| l["error"].as_str().is_none_or(|e| !e.contains("panic"))), "{}", args[0]);
    }
}
