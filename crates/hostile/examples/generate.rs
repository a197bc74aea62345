//! Writes the document a fuzz input builds, to reproduce a fuzz artifact
//! outside the fuzzer: `cargo run -p hostile --example generate --
//! feed|page ARTIFACT OUT`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, kind, input, out] = args.as_slice() else {
        panic!("usage: generate feed|page ARTIFACT OUT");
    };
    let data = std::fs::read(input).unwrap();
    let doc = match kind.as_str() {
        "feed" => hostile::structured::feed(&data, 4 << 20),
        "page" => hostile::structured::page(&data, 4 << 20),
        other => panic!("unknown kind {other}"),
    };
    std::fs::write(out, doc).unwrap();
}
