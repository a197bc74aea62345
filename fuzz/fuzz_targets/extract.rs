//! Fuzzes the article extractor: any bytes, any content type, must give a
//! result or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (ct, page) = match data.split_first() {
        Some((b, rest)) if b % 3 == 0 => (Some("text/html; charset=windows-1252"), rest),
        Some((b, rest)) if b % 3 == 1 => (Some("text/html; charset=utf-8"), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let _ = extract::extract(page, Some("https://example.com/a/b.html"), ct);
    let _ = extract::discover_feeds(page, "https://example.com/", ct);
});
