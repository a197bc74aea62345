//! Times each extraction stage over many pages on one core:
//! `cargo run --release -p extract --example timing -- PAGE.html.gz...`
use std::io::Read;
use std::time::{Duration, Instant};

fn main() {
    let pages: Vec<Vec<u8>> = std::env::args()
        .skip(1)
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
            out
        })
        .collect();
    let mut totals: Vec<(&'static str, Duration)> = Vec::new();
    let start = Instant::now();
    for page in &pages {
        for (name, d) in extract::debug_timings(page) {
            match totals.iter_mut().find(|(n, _)| *n == name) {
                Some((_, t)) => *t += d,
                None => totals.push((name, d)),
            }
        }
    }
    let all = start.elapsed();
    for (name, d) in &totals {
        println!("{name:24} {:8.1} ms  {:5.1}%", d.as_secs_f64() * 1e3, 100.0 * d.as_secs_f64() / all.as_secs_f64());
    }
    println!(
        "{} pages in {:.2} s = {:.0} pages/s on one core",
        pages.len(),
        all.as_secs_f64(),
        pages.len() as f64 / all.as_secs_f64()
    );
}
