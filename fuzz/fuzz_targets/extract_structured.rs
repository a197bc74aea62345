//! Fuzzes the article extractor with structure: the fuzzer's bytes are a
//! program (`hostile::structured::page`) that builds HTML pages of up to
//! 4 MB from the tags html5ever repairs hardest (tables, lists, formatting,
//! foreign content), misnested, repeated and with huge attribute lists.
//! Any page gives a result or an error, never a panic, a stack overflow or
//! unbounded memory (run with `-rss_limit_mb=1024`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let page = hostile::structured::page(data, 4 << 20);
    let _ = extract::extract(&page, Some("https://example.com/a/b.html"), None);
    let _ = extract::html_to_text(&String::from_utf8_lossy(&page));
});
