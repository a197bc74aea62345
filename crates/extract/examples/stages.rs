//! Prints what survives each extraction stage, for debugging one page:
//! `cargo run --release -p extract --example stages -- PAGE.html[.gz] NEEDLE`
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let raw = std::fs::read(&args[1]).expect("read the page");
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).expect("gunzip");
        out
    } else {
        raw
    };
    let needle = &args[2];
    for (stage, html) in extract::debug_stages(&bytes) {
        println!("{stage}: needle present = {}", html.contains(needle.as_str()));
    }
}
