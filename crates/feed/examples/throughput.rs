//! Feed parsing throughput, Tagline's parser and feed-rs side by side, on the
//! files listed in a speed.jsonl: `cargo run --release -p feed --example
//! throughput -- ../shared/corpora/feeds/speed.jsonl`.
use std::time::Instant;

fn main() {
    let list = std::env::args().nth(1).expect("path to speed.jsonl");
    let dir = std::path::Path::new(&list).parent().unwrap().to_path_buf();
    let files: Vec<Vec<u8>> = std::fs::read_to_string(&list)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            std::fs::read(dir.join(v["path"].as_str().unwrap())).unwrap()
        })
        .collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    let rounds = 20;
    let time = |name: &str, f: &dyn Fn(&[u8]) -> bool| {
        let mut ok = 0;
        let start = Instant::now();
        for _ in 0..rounds {
            for file in &files {
                ok += f(file) as usize;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:8} {:7.1} MB/s  ({} files, {:.1} MB, {} rounds, {} parsed ok per round)",
            (bytes * rounds) as f64 / secs / 1e6,
            files.len(),
            bytes as f64 / 1e6,
            rounds,
            ok / rounds
        );
    };
    time("tagline", &|b| feed::parse(b, Some("https://example.com/feed")).is_ok());
    time("feed-rs", &|b| feed_rs::parser::parse(b).is_ok());
}
