//! Hostile publisher input: the feeds and pages that have taken parsers
//! down (deep nesting, entity expansion, huge attribute counts, very long
//! tokens, script and data URLs in every URL field), at sizes of several
//! megabytes, and structure-aware generators that turn a fuzzer's bytes
//! into such documents. For tests and fuzz targets only.

pub mod feeds;
pub mod pages;
pub mod structured;

/// One mebibyte.
pub const MB: usize = 1 << 20;

/// URLs that must never be stored or rendered, in the spellings that get
/// past naive checks.
pub const BAD_URLS: &[&str] = &[
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
];

/// Attributes ` a0=v a1=v …` (with `quote` around values) adding up to
/// about `bytes`.
pub(crate) fn attributes(bytes: usize, quote: &str) -> String {
    let mut out = String::with_capacity(bytes + 16);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(" a{i}={quote}v{quote}"));
        i += 1;
    }
    out
}

/// `unit` repeated until the result is at least `bytes` long.
pub(crate) fn fill(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len().max(1) + 1)
}
