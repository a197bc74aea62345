//! The tagline binary: CLI wiring of crawler, store and web.
fn main() {}
