//! Writes every hostile document into a folder, for `bench/hostile.sh`:
//! `cargo run --release -p hostile --example write -- DIR`.

use hostile::{feeds, pages, MB};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: write DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let origin = "https://hostile.example";
    let docs: Vec<(&str, String)> = vec![
        ("feed-deep-nesting.xml", feeds::deep_nesting(10 * MB)),
        ("feed-unclosed-nesting.xml", feeds::unclosed_nesting(10 * MB)),
        ("feed-billion-laughs.xml", feeds::billion_laughs(10, 10)),
        ("feed-quadratic-blowup.xml", feeds::quadratic_blowup(MB, 200)),
        ("feed-many-attributes.xml", feeds::many_attributes(10 * MB)),
        ("feed-long-token.xml", feeds::long_token(10 * MB)),
        ("feed-many-elements.xml", feeds::many_elements(10 * MB)),
        ("feed-many-items.xml", feeds::many_items(30_000, origin, 1_750_000_000)),
        ("feed-json-deep.json", feeds::json_deep(10 * MB)),
        ("feed-json-many-values.json", feeds::json_many_values(10 * MB)),
        ("feed-script-urls.xml", feeds::script_urls_rss(origin)),
        ("page-deep-divs.html", pages::deep_divs(10 * MB)),
        ("page-nested-tables.html", pages::nested_tables(10 * MB)),
        ("page-misnested.html", pages::misnested(10 * MB)),
        ("page-paragraph-soup.html", pages::paragraph_soup(10 * MB)),
        ("page-many-attributes.html", pages::many_attributes(10 * MB)),
        ("page-long-token.html", pages::long_token(10 * MB)),
        ("page-entity-text.html", pages::entity_text(10 * MB)),
        ("page-json-ld-bomb.html", pages::json_ld_bomb(10 * MB)),
        ("page-unclosed-skipped.html", pages::unclosed_skipped(10 * MB)),
        ("page-script-urls.html", pages::script_urls("Scripted")),
    ];
    for (name, doc) in docs {
        std::fs::write(dir.join(name), doc).unwrap();
    }
}
