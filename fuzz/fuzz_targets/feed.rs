//! Fuzzes the feed parser: any bytes give a feed or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = feed::parse(data, Some("https://example.com/feed.xml"));
});
