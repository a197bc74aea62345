//! Fuzzes the feed parser with structure: the fuzzer's bytes are a program
//! (`hostile::structured::feed`) that builds RSS, Atom, RDF or JSON Feed
//! documents of up to 4 MB: deep, wide, long, with entities declared and
//! expanded. Any document gives a feed or an error, never a panic, a stack
//! overflow or unbounded memory (run with `-rss_limit_mb=1024`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = hostile::structured::feed(data, 4 << 20);
    let _ = feed::parse(&doc, Some("https://example.com/feed.xml"));
    let _ = feed::opml::parse(&String::from_utf8_lossy(&doc));
});
