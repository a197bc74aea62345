//! Structure-aware generators: arbitrary bytes (from a fuzzer, or from a
//! seeded generator in the test suite) read as a small program whose
//! operations emit feed or page structure: open and close elements of the
//! formats' own vocabulary, attributes, text with entities, declarations,
//! CDATA, and "repeat the last construct 2^k times", so that a few hundred
//! input bytes reach documents of several megabytes with the shapes that
//! stress a parser (deep, wide, long, expanding).

use crate::BAD_URLS;

/// Reads bytes one at a time, as zero once they run out.
struct Program<'a> {
    data: &'a [u8],
    at: usize,
}

impl Program<'_> {
    fn next(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    fn pick<'v>(&mut self, vocab: &[&'v str]) -> &'v str {
        vocab[self.next() as usize % vocab.len()]
    }
}

/// The emitted document, with the last construct remembered for repeats.
struct Out {
    doc: String,
    last: String,
    max_len: usize,
}

impl Out {
    fn emit(&mut self, s: String) {
        if self.doc.len() + s.len() <= self.max_len {
            self.doc.push_str(&s);
            self.last = s;
        }
    }

    fn repeat(&mut self, times: usize) {
        let room = self.max_len.saturating_sub(self.doc.len()) / self.last.len().max(1);
        let chunk = self.last.repeat(times.min(room));
        self.doc.push_str(&chunk);
    }
}

const FEED_ELEMENTS: &[&str] = &[
    "rss",
    "channel",
    "item",
    "title",
    "link",
    "guid",
    "description",
    "content:encoded",
    "pubDate",
    "dc:date",
    "category",
    "enclosure",
    "media:content",
    "media:thumbnail",
    "atom:link",
    "feed",
    "entry",
    "summary",
    "content",
    "author",
    "name",
    "updated",
    "published",
    "id",
    "rdf:RDF",
    "a",
    "div",
    "p",
    "img",
    "xhtml:div",
    "image",
    "url",
];

const FEED_ATTRS: &[&str] =
    &["href", "url", "src", "type", "rel", "xml:base", "xmlns", "xmlns:media", "isPermaLink", "length", "term", "mode"];

const TEXTS: &[&str] = &[
    "Harbour works resumed",
    "&amp;",
    "&eacute;t&eacute;",
    "&#x41;&#146;",
    "&bogus;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;b&amp;gt;",
    "Sat, 28 Jun 2025 01:00:00 +0000",
    "2025-06-28T01:00:00Z",
    "https://example.com/a",
    "  ",
    "\u{00e9}\u{4e2d}\u{6587}",
    "<",
    "&",
    "]]>",
];

/// A feed document (RSS, Atom, RDF or JSON Feed, by the first byte) of at
/// most `max_len` bytes, built from `data`.
pub fn feed(data: &[u8], max_len: usize) -> Vec<u8> {
    let mut p = Program { data, at: 0 };
    if p.next() % 5 == 0 {
        return json_feed(&mut p, max_len).into_bytes();
    }
    let mut out = Out { doc: String::new(), last: String::new(), max_len };
    out.emit("<?xml version=\"1.0\"?>".into());
    let mut open: Vec<&str> = Vec::new();
    let mut entities: Vec<String> = Vec::new();
    while !p.done() && out.doc.len() < max_len {
        match p.next() % 12 {
            0 | 1 => {
                let name = p.pick(FEED_ELEMENTS);
                let n = p.next() % 4;
                let attrs: String = (0..n).map(|_| attribute(&mut p, FEED_ATTRS)).collect();
                out.emit(format!("<{name}{attrs}>"));
                open.push(name);
            }
            2 => {
                if let Some(name) = open.pop() {
                    out.emit(format!("</{name}>"));
                }
            }
            3 => {
                let t = p.pick(TEXTS);
                out.emit(t.to_string());
            }
            4 => {
                // A declaration, expanding what was declared before.
                let name = format!("e{}", entities.len());
                let body: String =
                    entities.iter().map(|e| format!("&{e};")).collect::<String>().repeat(1 + p.next() as usize % 8);
                out.emit(format!("<!DOCTYPE rss [<!ENTITY {name} \"x{body}\">]>"));
                entities.push(name);
            }
            5 => {
                if !entities.is_empty() {
                    let e = &entities[p.next() as usize % entities.len()];
                    out.emit(format!("&{e};"));
                }
            }
            6 => {
                let t = p.pick(TEXTS);
                out.emit(format!("<![CDATA[<p>{t}</p>{}", if p.next() % 4 == 0 { "" } else { "]]>" }));
            }
            7 | 8 => out.repeat(1 << (p.next() % 17)),
            9 => {
                let n = 1usize << (p.next() % 12);
                let attrs: String = (0..n).map(|i| format!(" a{i}=\"{}\"", i % 7)).collect();
                out.emit(format!("<item{attrs}>"));
                open.push("item");
            }
            10 => out.emit("Z".repeat(1 << (p.next() % 20))),
            _ => {
                let bad = BAD_URLS[p.next() as usize % BAD_URLS.len()];
                out.emit(format!(
                    "<link>{}</link><enclosure url=\"{}\"/>",
                    bad.replace('<', "&lt;"),
                    bad.replace('"', "&quot;")
                ));
            }
        }
    }
    // Half the documents end cleanly, half are cut off.
    if p.next() % 2 == 0 {
        while let Some(name) = open.pop() {
            let end = format!("</{name}>");
            if out.doc.len() + end.len() > max_len {
                break;
            }
            out.doc.push_str(&end);
        }
    }
    out.doc.into_bytes()
}

fn attribute(p: &mut Program, names: &[&str]) -> String {
    let name = p.pick(names);
    let value = match p.next() % 4 {
        0 => BAD_URLS[p.next() as usize % BAD_URLS.len()].replace('"', "&quot;").replace('<', "&lt;"),
        1 => "https://example.com/".into(),
        2 => "a \" b".into(),
        _ => "x".into(),
    };
    format!(" {name}=\"{value}\"")
}

const JSON_KEYS: &[&str] = &[
    "version",
    "title",
    "items",
    "id",
    "url",
    "external_url",
    "content_html",
    "content_text",
    "summary",
    "image",
    "date_published",
    "authors",
    "tags",
    "attachments",
    "name",
    "x",
];

fn json_feed(p: &mut Program, max_len: usize) -> String {
    let mut out = Out { doc: String::new(), last: String::new(), max_len };
    out.emit("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[".into());
    let mut open: Vec<char> = vec!['}', ']'];
    while !p.done() && out.doc.len() < max_len {
        match p.next() % 8 {
            0 => {
                out.emit("{".into());
                open.push('}');
            }
            1 => {
                out.emit("[".into());
                open.push(']');
            }
            2 => {
                if open.len() > 2 {
                    let c = open.pop().unwrap_or('}');
                    out.emit(format!("{c},"));
                }
            }
            3 => {
                let k = p.pick(JSON_KEYS);
                out.emit(format!("\"{k}\":"));
            }
            4 => {
                let v = match p.next() % 4 {
                    0 => format!("\"{}\"", BAD_URLS[p.next() as usize % BAD_URLS.len()].replace('"', "\\\"")),
                    1 => "0,".into(),
                    2 => "\"Harbour \\u00e9\",".into(),
                    _ => "null,".into(),
                };
                out.emit(v);
            }
            5 | 6 => out.repeat(1 << (p.next() % 17)),
            _ => out.emit(format!("\"{}\",", "Z".repeat(1 << (p.next() % 20)))),
        }
    }
    if p.next() % 2 == 0 {
        while let Some(c) = open.pop().filter(|_| out.doc.len() < max_len) {
            out.doc.push(c);
        }
    }
    out.doc
}

const PAGE_ELEMENTS: &[&str] = &[
    "div",
    "p",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "b",
    "i",
    "a",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "select",
    "option",
    "svg",
    "math",
    "template",
    "script",
    "style",
    "title",
    "nav",
    "article",
    "main",
    "section",
    "aside",
    "figure",
    "figcaption",
    "span",
    "font",
    "nobr",
    "form",
    "button",
    "h1",
    "caption",
    "textarea",
    "noscript",
    "iframe",
];

const PAGE_ATTRS: &[&str] =
    &["href", "src", "class", "id", "style", "data-src", "data-ad-slot", "itemprop", "content", "property", "rel"];

const PAGE_TEXTS: &[&str] = &[
    "Harbour works resumed on the quay after the strike ended on Monday, officials said.",
    "Advertisement",
    "Share this",
    "Related stories",
    "&amp;&nbsp;&eacute;&#x1F600;",
    "<!-- comment",
    "-->",
    "<![CDATA[",
    "</",
    "\u{4e2d}\u{6587}\u{0627}\u{0644}",
];

/// An HTML page of at most `max_len` bytes, built from `data`.
pub fn page(data: &[u8], max_len: usize) -> Vec<u8> {
    let mut p = Program { data, at: 0 };
    let mut out = Out { doc: String::new(), last: String::new(), max_len };
    out.emit("<!DOCTYPE html><html><head><meta charset=\"utf-8\">".into());
    let mut open: Vec<&str> = Vec::new();
    while !p.done() && out.doc.len() < max_len {
        match p.next() % 11 {
            0..=2 => {
                let name = p.pick(PAGE_ELEMENTS);
                let n = p.next() % 4;
                let attrs: String = (0..n).map(|_| attribute(&mut p, PAGE_ATTRS)).collect();
                out.emit(format!("<{name}{attrs}>"));
                open.push(name);
            }
            3 => {
                if let Some(name) = open.pop() {
                    out.emit(format!("</{name}>"));
                }
            }
            4 => {
                // A stray end tag, as misnested markup has.
                let name = p.pick(PAGE_ELEMENTS);
                out.emit(format!("</{name}>"));
            }
            5 => {
                let t = p.pick(PAGE_TEXTS);
                out.emit(t.to_string());
            }
            6 | 7 => out.repeat(1 << (p.next() % 17)),
            8 => {
                let n = 1usize << (p.next() % 13);
                let attrs: String = (0..n).map(|i| format!(" a{i}=v")).collect();
                out.emit(format!("<p title=\">\"{attrs}>"));
            }
            9 => out.emit("Z".repeat(1 << (p.next() % 20))),
            _ => {
                let n = 1usize << (p.next() % 16);
                out.emit(format!("<script type=\"application/ld+json\">{{\"@graph\":[{}0]}}</script>", "0,".repeat(n)));
            }
        }
    }
    out.doc.into_bytes()
}

/// `n` pseudo-random bytes from `seed` (xorshift), for generating programs
/// in the test suite without a fuzzer.
pub fn seeded_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_reach_megabytes_within_the_limit() {
        let mut largest = 0;
        for seed in 0..200 {
            let doc = feed(&seeded_bytes(seed, 400), 4 << 20);
            assert!(doc.len() <= 4 << 20);
            largest = largest.max(doc.len());
            assert!(page(&seeded_bytes(seed, 400), 4 << 20).len() <= 4 << 20);
        }
        assert!(largest > 1 << 20, "some programs reach a megabyte: {largest}");
    }
}
