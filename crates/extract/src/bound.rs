//! Bounds on a page before it is parsed: nesting depth, element count and
//! attributes per tag. html5ever builds whatever it is given, and not all
//! of its work is linear (it de-duplicates a tag's attributes pairwise), so
//! past these bounds a page is flattened, cut or trimmed. Parsing then
//! costs at most a small multiple of the bounded page, whatever was sent.
//!
//! Tags are read as HTML's tokenizer reads them: attribute values may be
//! quoted and hold `>`, and the content of raw-text elements (scripts,
//! titles) is not markup. The pass is one scan, left to right.

use std::borrow::Cow;

/// Deepest element nesting kept, as in Blink's HTML parser: deeper elements
/// are flattened into the element at this depth.
pub const MAX_DEPTH: usize = 512;

/// Start tags kept; the page is cut before the next one. Real pages in the
/// extraction corpora have at most about 3,000; a huge encyclopedia article
/// about 50,000.
pub const MAX_ELEMENTS: usize = 50_000;

/// Attributes kept per tag; the rest are dropped.
pub const MAX_ATTRS: usize = 32;

/// A page within the bounds, and what was done to keep it there.
pub struct Bounded<'a> {
    /// The page, borrowed when it was already within bounds.
    pub html: Cow<'a, str>,
    /// What was flattened, cut or trimmed, in words.
    pub warnings: Vec<String>,
}

/// Void elements: never opened, so never nested.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Elements whose content is text up to their end tag, never markup.
const RAW_TEXT: &[&str] = &["script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"];

/// html5ever's scope boundaries: neither an end tag nor an implied close
/// reaches an element across one of these (a `<tr>` in a nested table does
/// not close the outer row).
const SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "applet", "object", "marquee", "template", "select", "svg", "math",
    "button",
];

/// Elements that end the search of a new `<li>`, `<dt>` or `<dd>` for the
/// item it closes (HTML's "special" elements, but for address, div and p).
const LIST_STOP: &[&str] = &[
    "ul",
    "ol",
    "dl",
    "menu",
    "dir",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "section",
    "article",
    "aside",
    "nav",
    "header",
    "footer",
    "main",
    "form",
    "fieldset",
    "blockquote",
    "figure",
    "details",
    "select",
    "button",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "center",
    "object",
    "template",
];

/// Start tags that close an open `p` (in button scope) before they are
/// inserted, as html5ever does: `<p><div>` builds two siblings.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
    "table",
    "hr",
    "xmp",
    "plaintext",
    "li",
    "dd",
    "dt",
];

/// How far down the open elements an implied close or an end tag looks.
/// Closing less than the parser would only over-counts depth (the safe
/// side); the bound keeps the pass linear.
const SEARCH: usize = 32;

/// Whether `x` is one of `list`, ignoring ASCII case.
fn is_in(x: &str, list: &[&str]) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(x))
}

/// The nearest open element named in `names`, searching down from the top
/// and giving up at any of `stops` (or past [`SEARCH`] elements).
fn find_open(stack: &[(&str, bool)], names: &[&str], stops: &[&str]) -> Option<usize> {
    let top = stack.len().saturating_sub(SEARCH);
    for (i, (open, _)) in stack.iter().enumerate().skip(top).rev() {
        if is_in(open, names) {
            return Some(i);
        }
        if is_in(open, stops) {
            return None;
        }
    }
    None
}

/// Truncates `stack` to what html5ever has open once a start tag `name`
/// has closed what it implies: an open `p` for block elements, then the
/// previous item, row or cell. Conservative: when unsure, nothing is
/// closed, so the depth counted is never less than the parser's.
fn apply_implied_closes(stack: &mut Vec<(&str, bool)>, name: &str) {
    let lower = name.to_ascii_lowercase();
    if is_in(&lower, CLOSES_P) {
        if let Some(pos) = find_open(stack, &["p"], SCOPE) {
            stack.truncate(pos);
        }
    }
    let sibling: Option<(&[&str], &[&str])> = match lower.as_str() {
        "li" => Some((&["li"], LIST_STOP)),
        "dt" | "dd" => Some((&["dt", "dd"], LIST_STOP)),
        "option" => Some((&["option"], &["select", "optgroup", "datalist"])),
        "tr" => Some((&["tr"], &["table", "tbody", "thead", "tfoot", "template", "html"])),
        "td" | "th" => Some((&["td", "th"], &["table", "tr", "template", "html"])),
        _ => None,
    };
    if let Some((names, stops)) = sibling {
        if let Some(pos) = find_open(stack, names, stops) {
            stack.truncate(pos);
        }
    }
}

/// The elements a table inserts itself before a row or cell: `<table><tr>`
/// builds table > tbody > tr, and `<table><td>` table > tbody > tr > td.
fn implied_table_parents(stack: &[(&str, bool)], name: &str) -> &'static [&'static str] {
    let top = stack.last().map_or("", |(n, _)| *n);
    match name.to_ascii_lowercase().as_str() {
        "tr" if top.eq_ignore_ascii_case("table") => &["tbody"],
        "td" | "th" if top.eq_ignore_ascii_case("table") => &["tbody", "tr"],
        "td" | "th" if is_in(top, &["tbody", "thead", "tfoot"]) => &["tr"],
        _ => &[],
    }
}

/// One tag as the tokenizer reads it.
struct Tag<'a> {
    /// Lower- or mixed-case name as written.
    name: &'a str,
    closing: bool,
    self_closing: bool,
    /// The offset just past the tag's `>` (or the end of input).
    end: usize,
    /// Where the tag would end after its first [`MAX_ATTRS`] attributes,
    /// when it has more.
    trim_at: Option<usize>,
}

/// Reads the tag starting at `start` (a `<` followed by a letter, or by `/`
/// and a letter); `None` when the `<` opens no tag.
fn read_tag(html: &str, start: usize) -> Option<Tag<'_>> {
    let b = html.as_bytes();
    let mut i = start + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    if !b.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    let name_start = i;
    while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'/' | b'>') {
        i += 1;
    }
    let name = &html[name_start..i];
    let (mut attrs, mut trim_at, mut self_closing) = (0usize, None, false);
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            self_closing = b[i] == b'/';
            i += 1;
        }
        match b.get(i) {
            None => return Some(Tag { name, closing, self_closing, end: b.len(), trim_at }),
            Some(b'>') => return Some(Tag { name, closing, self_closing, end: i + 1, trim_at }),
            Some(_) => self_closing = false,
        }
        let attr_start = i;
        // An attribute name may begin with '=' (a parse error HTML accepts).
        i += 1;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => j = memchr::memchr(q, &b[j + 1..]).map_or(b.len(), |e| j + 1 + e + 1),
                _ => {
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                }
            }
            i = j;
        }
        attrs += 1;
        if attrs == MAX_ATTRS + 1 {
            trim_at = Some(attr_start);
        }
    }
}

/// Where raw text opened by a `name` start tag ending at `from` ends: at
/// the start of its end tag, or at the end of input.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut at = from;
    while let Some(off) = memchr::memmem::find(&b[at..], b"</") {
        let s = at + off + 2;
        if b.len() >= s + name.len() && b[s..s + name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return at + off;
        }
        at = s;
    }
    b.len()
}

/// The page within [`MAX_DEPTH`], [`MAX_ELEMENTS`] and [`MAX_ATTRS`].
pub fn bound(html: &str) -> Bounded<'_> {
    let b = html.as_bytes();
    // Open elements: (name, whether its start tag was dropped).
    let mut stack: Vec<(&str, bool)> = Vec::new();
    // Spans to replace, in order: (start, end, replacement).
    let mut edits: Vec<(usize, usize, Cow<'_, str>)> = Vec::new();
    let (mut elements, mut flattened, mut trimmed) = (0usize, false, false);
    let mut cut: Option<usize> = None;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        let start = i + off;
        let Some(tag) = read_tag(html, start) else {
            i = start + 1;
            continue;
        };
        i = tag.end;
        let name = tag.name;
        if tag.closing {
            if let Some(pos) = find_open(&stack, &[name], SCOPE) {
                let (_, dropped) = stack[pos];
                stack.truncate(pos);
                if dropped {
                    edits.push((start, tag.end, Cow::Borrowed("")));
                }
            }
            continue;
        }
        // Only elements the parser will see count: a flattened tag is
        // deleted here and costs it nothing.
        let keep = |elements: &mut usize| {
            *elements += 1;
            *elements <= MAX_ELEMENTS
        };
        let opens = !(is_in(name, VOID) || tag.self_closing || is_in(name, RAW_TEXT));
        if opens {
            apply_implied_closes(&mut stack, name);
            for parent in implied_table_parents(&stack, name) {
                let dropped = stack.len() >= MAX_DEPTH;
                stack.push((parent, dropped));
            }
            if stack.len() >= MAX_DEPTH {
                flattened = true;
                edits.push((start, tag.end, Cow::Borrowed("")));
                stack.push((name, true));
                continue;
            }
        }
        if !keep(&mut elements) {
            cut = Some(start);
            break;
        }
        if let Some(at) = tag.trim_at {
            trimmed = true;
            edits.push((start, tag.end, Cow::Owned(format!("{}>", &html[start..at]))));
        }
        if is_in(name, RAW_TEXT) && !tag.self_closing {
            i = raw_text_end(html, tag.end, name);
            continue;
        }
        if opens {
            stack.push((name, false));
        }
    }
    let mut warnings = Vec::new();
    if flattened {
        warnings.push(format!("elements nested deeper than {MAX_DEPTH} were flattened"));
    }
    if trimmed {
        warnings.push(format!("attributes past the first {MAX_ATTRS} of a tag were dropped"));
    }
    if cut.is_some() {
        warnings.push(format!("the page has more than {MAX_ELEMENTS} elements; the rest was not read"));
    }
    if edits.is_empty() && cut.is_none() {
        return Bounded { html: Cow::Borrowed(html), warnings };
    }
    let end = cut.unwrap_or(html.len());
    let mut out = String::with_capacity(end);
    let mut copied = 0;
    for (s, e, with) in edits {
        out.push_str(&html[copied..s]);
        out.push_str(&with);
        copied = e;
    }
    out.push_str(&html[copied..end]);
    Bounded { html: Cow::Owned(out), warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_within_bounds_is_borrowed() {
        let page = "<div><p>a<p>b<ul><li>x<li>y</ul></div><script>if (a<b) {}</script>";
        assert!(matches!(bound(page).html, Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_deeper_than_the_cap_is_flattened() {
        let n = MAX_DEPTH + 10;
        let html = format!("{}<p>deep</p>{}", "<div>".repeat(n), "</div>".repeat(n));
        let out = bound(&html);
        assert_eq!(out.html.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.html.matches("</div>").count(), MAX_DEPTH);
        assert!(out.html.contains("deep"));
    }

    #[test]
    fn implied_closes_do_not_count_as_depth() {
        let html = "<div><p>a<p>b<ul><li>x<li>y</ul></div>".repeat(MAX_DEPTH);
        assert!(matches!(bound(&html).html, Cow::Borrowed(_)));
    }

    #[test]
    fn issue_14_a_page_is_cut_after_the_element_budget() {
        let html = "<p>x".repeat(MAX_ELEMENTS + 100);
        let out = bound(&html);
        assert_eq!(out.html.matches("<p>").count(), MAX_ELEMENTS);
        assert!(out.warnings.iter().any(|w| w.contains("not read")));
    }

    #[test]
    fn issue_14_attributes_past_the_limit_are_dropped_even_behind_a_quoted_angle_bracket() {
        let attrs: String = (0..1000).map(|i| format!(" a{i}=v")).collect();
        let html = format!("<p title=\">\"{attrs}>text</p>");
        let out = bound(&html);
        assert_eq!(out.html.matches(" a").count(), MAX_ATTRS - 1, "{}", &out.html[..200]);
        assert!(out.html.ends_with(">text</p>"));
    }

    #[test]
    fn markup_inside_raw_text_is_not_counted() {
        let html = format!("<title>{}</title><p>x</p>", "<b>".repeat(MAX_ELEMENTS * 2));
        assert!(matches!(bound(&html).html, Cow::Borrowed(_)));
    }

    /// The depth of the deepest node once html5ever has built the tree.
    fn parsed_depth(html: &str) -> usize {
        let doc = dom_query::Document::from(html);
        let mut deepest = 0;
        let mut stack = vec![(doc.root(), 0usize)];
        while let Some((n, d)) = stack.pop() {
            deepest = deepest.max(d);
            stack.extend(n.children().into_iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    /// Tag soup from a fixed seed: the structures html5ever repairs
    /// (tables, lists, formatting, foreign content), unclosed and misnested.
    fn soup(seed: u64, tags: usize) -> String {
        const PIECES: &[&str] = &[
            "<table>",
            "<tr>",
            "<td>",
            "<th>",
            "<tbody>",
            "</table>",
            "</tr>",
            "</td>",
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<b>",
            "<i>",
            "</b>",
            "<a>",
            "</a>",
            "<li>",
            "<ul>",
            "</ul>",
            "<dl>",
            "<dd>",
            "<dt>",
            "<select>",
            "<option>",
            "<svg>",
            "<g>",
            "</svg>",
            "<math>",
            "<mi>",
            "<template>",
            "</template>",
            "<caption>",
            "<button>",
            "<font>",
            "<nobr>",
            "<span>",
            "<em>",
            "<form>",
            "<object>",
            "<marquee>",
            "<h1>",
            "x",
        ];
        let mut x = seed;
        let mut out = String::new();
        for _ in 0..tags {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push_str(PIECES[(x % PIECES.len() as u64) as usize]);
        }
        out
    }

    #[test]
    fn issue_14_the_parsed_tree_is_no_deeper_than_the_bound_on_hostile_patterns() {
        let patterns = [
            "<table><tr><td>",
            "<div><table><tr><td></div>",
            "<p><div>",
            "<b><p>",
            "<a><div>",
            "<li><ul>",
            "<font><li>",
            "<table><td>",
            "<dl><dd><div>",
            "<select><option><div>",
            "<b><i><u><s><em><strong><p>",
            "<svg><g>",
            "<math><mi>",
            "<template>",
            "<button><div>",
            "<table><caption><div>",
            "<object><div>",
            "<li><div><li>",
            "<tr><td><table>",
            "<nobr><p><nobr>",
            "<a><table><a>",
            "<form><div><form>",
        ];
        let mut worst = Vec::new();
        for p in patterns {
            let page = bound(&p.repeat(20_000)).html.into_owned();
            worst.push((parsed_depth(&page), p.to_string()));
        }
        for seed in 1..=std::env::var("SOUP_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(20) {
            let page = bound(&soup(seed, 60_000)).html.into_owned();
            worst.push((parsed_depth(&page), format!("soup {seed}")));
        }
        worst.sort();
        let (depth, which) = worst.last().unwrap();
        // The document, html and body add their levels; reconstructed
        // formatting elements a few more.
        assert!(*depth <= MAX_DEPTH + 64, "{which} parsed {depth} deep: {:?}", &worst[worst.len() - 5..]);
    }
}
